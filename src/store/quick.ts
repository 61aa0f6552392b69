// src/store/quick.ts — `vouch history`'s fast read of a SQLite history: better-sqlite3 alone (no Kysely, no
// migration, no write), or undefined when only the full store can answer (an older or newer schema, a busy file).
import { existsSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import { LATEST_MIGRATION, scanSummaryOf, SUMMARY_COLUMNS, type ScanSummary, type SummaryRow } from './scan-rows.js';

/**
 * The newest scans of a SQLite history file, read-only. A missing file is an empty history (nothing is created);
 * a file whose schema is not the current one, or that cannot be read at once, is left to the full store.
 */
export async function quickListScans(path: string, opts: { target?: string; limit: number }): Promise<ScanSummary[] | undefined> {
  if (!existsSync(path)) return [];
  const { default: Database } = await import('better-sqlite3');
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true, timeout: 2000 });
    const version = (db.prepare('SELECT max(version) AS v FROM vouch_migrations').get() as { v: number | null } | undefined)?.v;
    if (Number(version) !== LATEST_MIGRATION) return undefined;
    const where = opts.target !== undefined ? 'WHERE target_name = ?' : '';
    const sql = `SELECT ${SUMMARY_COLUMNS.join(', ')} FROM scans ${where} ORDER BY started_at DESC, id DESC LIMIT ?`;
    const rows = db.prepare(sql).all(...(opts.target !== undefined ? [opts.target] : []), opts.limit) as SummaryRow[];
    return rows.map(scanSummaryOf);
  } catch {
    return undefined; // not a vouch file, locked, or another schema: the full store says what is wrong
  } finally {
    db?.close();
  }
}
