// src/store/index.ts — the history store: Kysely schema, migrations, repository, on SQLite or PostgreSQL.
export { openSqliteHistory, historyOver, type HistoryStore, type JobRow, type ScanSummary } from './history.js';
export { MIGRATIONS, KNOWN_VERSION, migrate, isPostgres } from './migrations.js';
export { openPostgresHistory, redactDatabaseUrl, parseDatabaseUrl } from './postgres.js';
export { openHistory, storeLocation, describeStore, type StoreLocation } from './open.js';
export type { Database } from './schema.js';
