// src/store/index.ts — the history store: Kysely schema, migrations, repository.
export { journalOver, openSqliteHistory, historyOver, type HistoryStore, type ScanSummary } from './history.js';
export { MIGRATIONS, migrate } from './migrations.js';
export type { Database } from './schema.js';
