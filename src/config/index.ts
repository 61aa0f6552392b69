// src/config/index.ts — loading and resolving vouch.yaml.
export { configSchema, acceptedRiskSchema, type VouchConfig, type IdentityConfig, type PolicyRule, type AcceptedRiskConfig, type DiscoveryConfig, type StrengthConfig, strengthSchema, type GuardConfig, type GuardAgentConfig } from './schema.js';
export { loadConfig, parseConfig, substituteEnv } from './load.js';
export { checkEntries, resolveRun, type ResolvedRun } from './resolve.js';
