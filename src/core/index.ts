// src/core/index.ts — re-exports of the shared types, errors and events.
export * from './types.js';
export * from './errors.js';
export * from './events.js';
export * from './http.js';
export * from './journal.js';
export * from './operation-key.js';
export * from './creates.js';
