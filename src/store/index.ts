// src/store/index.ts — the history store: Kysely schema, migrations, repository, on SQLite or PostgreSQL.
export { journalOver, openSqliteHistory, openSqliteDatabase, historyOver, storeError, type HistoryStore, type JobRow, type ScanSummary, type StoredAcceptedRisk } from './history.js';
export { dashboardOver, type DashboardStore } from './dashboard.js';
export { guardStoreOver, type GuardStore, type GuardDecisionRow } from './guard.js';
export { baselineMisfit, checksRan, type BaselineWant, type PassedOver } from './baseline.js';
export { MIGRATIONS, KNOWN_VERSION, migrate, isPostgres, NewerStoreError } from './migrations.js';
export { openPostgresHistory, openPostgresDatabase, redactDatabaseUrl, parseDatabaseUrl } from './postgres.js';
export { openHistory, openStoreDatabase, storeLocation, describeStore, type StoreLocation } from './open.js';
export type { Database } from './schema.js';
