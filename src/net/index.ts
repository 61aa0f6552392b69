// src/net/index.ts — the HTTP engine's public face.
export { createEngine, type Engine, type EngineOptions } from './engine.js';
export { createScopeGuard, originOf } from './scope.js';
export { createRedactor, REDACTED, type Redactor } from './redact.js';
export { createAuditLog, noAudit, type AuditLog } from './audit.js';
export { CookieJar } from './cookies.js';
