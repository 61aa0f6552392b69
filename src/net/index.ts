// src/net/index.ts — the HTTP engine's public face.
export { createEngine, interruptReason, requestTarget, type Engine, type EngineOptions } from './engine.js';
export { createScopeGuard, originOf } from './scope.js';
export { createRedactor, isSecretName, redactExchange, REDACTED, type Redactor } from './redact.js';
export { createAuditLog, noAudit, type AuditEntry, type AuditLog, type AuditOptions, type GuardAuditFields } from './audit.js';
export { CookieJar } from './cookies.js';
export { HOST_UNAVAILABLE } from './breaker.js';
export { connectionFailure, outageWatch, OutageWatch, TARGET_UNAVAILABLE, type OutageOptions } from './outage.js';
export { parseRetryAfter } from './limiter.js';
export { createRecorder, type RecordMode, type Recorder } from './recorder.js';
export { parseResponse } from './raw.js';
