// src/store/index.ts — the history store: Kysely schema, migrations, repository.
export { journalOver, openSqliteHistory, openSqliteDatabase, historyOver, storeError, type HistoryStore, type ScanSummary, type StoredAcceptedRisk } from './history.js';
export { dashboardOver, type DashboardStore } from './dashboard.js';
export { MIGRATIONS, migrate, NewerStoreError } from './migrations.js';
export type { Database } from './schema.js';
