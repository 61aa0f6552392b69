// src/config/index.ts — loading and resolving vouch.yaml.
export { configSchema, acceptedRiskSchema, type VouchConfig, type IdentityConfig, type PolicyRule, type AcceptedRiskConfig, type DiscoveryConfig } from './schema.js';
export { loadConfig, parseConfig, substituteEnv } from './load.js';
export { resolveRun, type ResolvedRun } from './resolve.js';
