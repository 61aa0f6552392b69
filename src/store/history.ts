// src/store/history.ts — scan history over Kysely: save a scan's report, list scans, find a baseline (by id or last passing).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { VouchError } from '../core/index.js';
import type { Report } from '../core/index.js';
import { migrate, NewerSchemaError } from './migrations.js';
import type { Database } from './schema.js';

export interface ScanSummary {
  id: string;
  target: string;
  url: string;
  state: string;
  startedAt: string;
  finishedAt: string | null;
  verdict: 'pass' | 'fail' | null;
  findingCount: number;
  /** The version the deployment declared, when the target says where to look. */
  version: string | null;
  /** Fingerprint of the deployment's front-end assets. */
  assetsFingerprint: string | null;
}

export interface HistoryStore {
  saveReport(report: Report): Promise<void>;
  listScans(opts?: { target?: string; limit?: number }): Promise<ScanSummary[]>;
  getReport(id: string): Promise<Report | undefined>;
  /** The newest scan of `target` whose verdict passed. */
  lastPassing(target: string): Promise<Report | undefined>;
  close(): Promise<void>;
}

/** `where` names the store for the user (a file path, or a database URL with its password redacted). */
export function storeError(where: string, e: unknown, hint = 'Move the file away to start a new history, or point VOUCH_HISTORY at another file.'): VouchError {
  if (e instanceof VouchError) return e;
  if (e instanceof NewerSchemaError) {
    return new VouchError('VOUCH_STORE_ERROR', `${where}: ${e.message}; it was left untouched`, { hint: 'Upgrade vouch to the version that wrote this store (or newer).' });
  }
  const msg = e instanceof Error ? e.message : String(e);
  return new VouchError('VOUCH_STORE_ERROR', `${where}: the history database cannot be used (${msg}); it was left untouched`, { hint });
}

/** Repository functions over any Kysely database (SQLite here; PostgreSQL uses the same code in team mode). */
export function historyOver(db: Kysely<Database>, where: string, redact: (s: string) => string = (s) => s): HistoryStore {
  const parse = (text: string | null): Report | undefined => (text ? (JSON.parse(text) as Report) : undefined);
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      const err = storeError(where, e);
      throw err === e ? err : new VouchError(err.code, redact(err.message), err.hint ? { hint: err.hint } : {});
    }
  };
  return {
    saveReport: (report) =>
      wrap(async () => {
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('findings').where('scan_id', '=', report.scanId).execute();
          await trx.deleteFrom('scans').where('id', '=', report.scanId).execute();
          await trx
            .insertInto('scans')
            .values({
              id: report.scanId,
              target_name: report.target.name,
              target_url: report.target.url,
              state: report.partial ? 'failed' : 'done',
              started_at: Date.parse(report.startedAt),
              finished_at: Date.parse(report.finishedAt),
              verdict_pass: report.verdict.pass ? 1 : 0,
              finding_count: report.findings.length,
              report: JSON.stringify(report),
              deployed_version: report.deployment?.version ?? null,
              assets_fingerprint: report.deployment?.assets?.fingerprint ?? null,
            })
            .execute();
          if (report.findings.length) {
            await trx
              .insertInto('findings')
              .values(
                report.findings.map((f) => ({
                  scan_id: report.scanId,
                  fingerprint: f.fingerprint,
                  check_id: f.checkId,
                  severity: f.severity,
                  confidence: f.confidence,
                  status: f.status ?? null,
                  risk: f.risk,
                  title: f.title,
                  method: f.operation.method,
                  path: f.operation.path,
                })),
              )
              .execute();
          }
        });
      }),
    listScans: (opts = {}) =>
      wrap(async () => {
        let q = db.selectFrom('scans').select(['id', 'target_name', 'target_url', 'state', 'started_at', 'finished_at', 'verdict_pass', 'finding_count', 'deployed_version', 'assets_fingerprint']).orderBy('started_at', 'desc').orderBy('id', 'desc');
        if (opts.target) q = q.where('target_name', '=', opts.target);
        const rows = await q.limit(opts.limit ?? 50).execute();
        return rows.map((r) => ({
          id: r.id,
          target: r.target_name,
          url: r.target_url,
          state: r.state,
          startedAt: new Date(Number(r.started_at)).toISOString(),
          finishedAt: r.finished_at === null ? null : new Date(Number(r.finished_at)).toISOString(),
          verdict: r.verdict_pass === null ? null : Number(r.verdict_pass) === 1 ? ('pass' as const) : ('fail' as const),
          findingCount: Number(r.finding_count),
          version: r.deployed_version,
          assetsFingerprint: r.assets_fingerprint,
        }));
      }),
    getReport: (id) => wrap(async () => parse((await db.selectFrom('scans').select('report').where('id', '=', id).executeTakeFirst())?.report ?? null)),
    lastPassing: (target) =>
      wrap(async () =>
        parse(
          (await db.selectFrom('scans').select('report').where('target_name', '=', target).where('verdict_pass', '=', 1).where('state', '=', 'done').orderBy('started_at', 'desc').limit(1).executeTakeFirst())?.report ?? null,
        ),
      ),
    close: () => db.destroy(),
  };
}

/** Opens (creating when absent) the embedded SQLite history; a file that is not a vouch database is never overwritten. */
export async function openSqliteHistory(path: string): Promise<HistoryStore> {
  let sqlite: BetterSqlite3.Database;
  try {
    mkdirSync(dirname(path), { recursive: true });
    sqlite = new BetterSqlite3(path, { fileMustExist: false });
    sqlite.pragma('journal_mode = WAL'); // fails on a file that is not a database
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
  } catch (e) {
    throw storeError(path, e);
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrate(db);
  } catch (e) {
    await db.destroy();
    throw storeError(path, e);
  }
  return historyOver(db, path);
}
