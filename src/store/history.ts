// src/store/history.ts — scan history over Kysely: save a scan's report, list scans, find a baseline (by id or last passing).
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { VouchError } from '../core/index.js';
import type { Report } from '../core/index.js';
import { migrate, NewerStoreError } from './migrations.js';
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
}

/** A risk accepted in the store (from the dashboard), in the shape of vouch.yaml's `accepted` entries. */
export interface StoredAcceptedRisk {
  fingerprint: string;
  reason: string;
  expires: string;
  createdAt: string;
  createdBy: string;
}

export interface HistoryStore {
  saveReport(report: Report): Promise<void>;
  listScans(opts?: { target?: string; limit?: number }): Promise<ScanSummary[]>;
  getReport(id: string): Promise<Report | undefined>;
  /** The newest scan of `target` whose verdict passed. */
  lastPassing(target: string): Promise<Report | undefined>;
  /** Accepted risks not revoked (expired ones included: the scan marks them expired). */
  listAccepted(): Promise<StoredAcceptedRisk[]>;
  /** Accept (or re-accept, replacing reason and expiry) the risk of a finding. */
  acceptRisk(entry: { fingerprint: string; reason: string; expires: string; by: string }): Promise<void>;
  /** Revoke an accepted risk; false when there was none. */
  revokeRisk(fingerprint: string, by: string): Promise<boolean>;
  close(): Promise<void>;
}

export function storeError(path: string, e: unknown): VouchError {
  if (e instanceof VouchError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new VouchError('VOUCH_STORE_ERROR', `${path}: the history database cannot be used (${msg}); it was left untouched`, {
    hint: e instanceof NewerStoreError ? 'Upgrade vouch to read this store (stores are never downgraded).' : 'Move the file away to start a new history, or point VOUCH_HISTORY at another file.',
  });
}

/** Repository functions over any Kysely database (SQLite here; PostgreSQL uses the same code in team mode). */
export function historyOver(db: Kysely<Database>, where: string): HistoryStore {
  const parse = (text: string | null): Report | undefined => (text ? (JSON.parse(text) as Report) : undefined);
  const wrap = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw storeError(where, e);
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
        let q = db.selectFrom('scans').select(['id', 'target_name', 'target_url', 'state', 'started_at', 'finished_at', 'verdict_pass', 'finding_count']).orderBy('started_at', 'desc').orderBy('id', 'desc');
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
        }));
      }),
    getReport: (id) => wrap(async () => parse((await db.selectFrom('scans').select('report').where('id', '=', id).executeTakeFirst())?.report ?? null)),
    lastPassing: (target) =>
      wrap(async () =>
        parse(
          (await db.selectFrom('scans').select('report').where('target_name', '=', target).where('verdict_pass', '=', 1).where('state', '=', 'done').orderBy('started_at', 'desc').limit(1).executeTakeFirst())?.report ?? null,
        ),
      ),
    listAccepted: () =>
      wrap(async () =>
        (await db.selectFrom('accepted_risks').selectAll().where('revoked_at', 'is', null).orderBy('fingerprint').execute()).map((r) => ({
          fingerprint: r.fingerprint,
          reason: r.reason,
          expires: r.expires,
          createdAt: new Date(Number(r.created_at)).toISOString(),
          createdBy: r.created_by,
        })),
      ),
    acceptRisk: (e) =>
      wrap(async () => {
        const row = { reason: e.reason, expires: e.expires, created_at: Date.now(), created_by: e.by, revoked_at: null, revoked_by: null };
        await db
          .insertInto('accepted_risks')
          .values({ fingerprint: e.fingerprint, ...row })
          .onConflict((oc) => oc.column('fingerprint').doUpdateSet(row))
          .execute();
      }),
    revokeRisk: (fingerprint, by) =>
      wrap(async () => {
        const r = await db.updateTable('accepted_risks').set({ revoked_at: Date.now(), revoked_by: by }).where('fingerprint', '=', fingerprint).where('revoked_at', 'is', null).executeTakeFirst();
        return Number(r.numUpdatedRows) > 0;
      }),
    close: () => db.destroy(),
  };
}

/** Opens (creating when absent) the embedded SQLite history; a file that is not a vouch database is never overwritten. */
export async function openSqliteHistory(path: string): Promise<HistoryStore> {
  return historyOver(await openSqliteDatabase(path), path);
}

/** The migrated Kysely database over a SQLite file (the history and the dashboard share it). */
export async function openSqliteDatabase(path: string): Promise<Kysely<Database>> {
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
  return db;
}
