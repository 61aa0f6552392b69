// src/config/index.ts — loading and resolving vouch.yaml.
export { configSchema, type VouchConfig, type IdentityConfig, type PolicyRule } from './schema.js';
export { loadConfig, parseConfig, substituteEnv } from './load.js';
export { resolveRun, type ResolvedRun } from './resolve.js';
