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
  /** The version the deployment declared, when the target says where to look. */
  version: string | null;
  /** Fingerprint of the deployment's front-end assets. */
  assetsFingerprint: string | null;
  /** Tasks finished and planned (live while running). */
  progress: { done: number; total: number };
}

/** A queued or running scan as the team store keeps it. */
export interface JobRow {
  id: string;
  state: string;
  kind: string | null;
  /** The job's inputs (JSON text). */
  job: string | null;
  jobId: string | null;
  worker: string | null;
  heartbeatAt: number | null;
  progress: { done: number; total: number };
  error: string | null;
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
  /** A scan waiting for a worker: state `queued`, no report yet. */
  enqueue(row: { id: string; kind: 'scan' | 'gate'; target: string; url: string; job: string; at?: number }): Promise<void>;
  setJobId(id: string, jobId: string): Promise<void>;
  getJob(id: string): Promise<JobRow | undefined>;
  /** Takes a queued (or abandoned running) scan for `worker`; undefined when it is done, failed or cancelled. */
  claim(id: string, worker: string): Promise<JobRow | undefined>;
  /** A sign of life (and progress) from the worker holding the scan; returns the scan's state (a `cancelled` one should stop). */
  beat(id: string, worker: string, progress?: { done: number; total: number }): Promise<string | undefined>;
  /** Running scans whose last sign of life is older than `before` (epoch ms): their worker died. */
  stale(before: number): Promise<JobRow[]>;
  /** Puts a running scan whose worker died (no sign of life since `before`) back to queued; false when another process did first. */
  requeue(id: string, before: number): Promise<boolean>;
  /** Marks a queued or running scan cancelled; returns its state before, undefined when there is no such scan. */
  cancel(id: string): Promise<string | undefined>;
  markFailed(id: string, error: string): Promise<void>;
  /** Makes a stored scan the accepted state of its target (continuous verification compares with it). */
  accept(scanId: string): Promise<{ target: string } | undefined>;
  /** The accepted state of a target, if any. */
  accepted(target: string): Promise<Report | undefined>;
  /** Keeps a notification that could not be delivered. */
  deadLetter(row: { url: string; scanId?: string; payload: string; error: string; attempts: number }): Promise<void>;
  deadLetters(): Promise<{ url: string; scanId: string | null; payload: string; error: string; attempts: number; createdAt: number }[]>;
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

/** `where` names the store for the user (a file path, or a database URL with its password redacted). */
export function storeError(where: string, e: unknown, hint = 'Move the file away to start a new history, or point VOUCH_HISTORY at another file.'): VouchError {
  if (e instanceof VouchError) return e;
  if (e instanceof NewerStoreError) {
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
          // An upsert: a queued scan's job columns stay; saving twice replaces, never duplicates.
          const row = {
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
            };
          const updated = await trx.updateTable('scans').set(row).where('id', '=', report.scanId).executeTakeFirst();
          if (Number(updated.numUpdatedRows) === 0) await trx.insertInto('scans').values({ id: report.scanId, ...row }).execute();
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
        let q = db.selectFrom('scans').select(['id', 'target_name', 'target_url', 'state', 'started_at', 'finished_at', 'verdict_pass', 'finding_count', 'deployed_version', 'assets_fingerprint', 'progress_done', 'progress_total']).orderBy('started_at', 'desc').orderBy('id', 'desc');
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
          progress: { done: Number(r.progress_done), total: Number(r.progress_total) },
        }));
      }),
    getReport: (id) => wrap(async () => parse((await db.selectFrom('scans').select('report').where('id', '=', id).executeTakeFirst())?.report ?? null)),
    lastPassing: (target) =>
      wrap(async () =>
        parse(
          (await db.selectFrom('scans').select('report').where('target_name', '=', target).where('verdict_pass', '=', 1).where('state', '=', 'done').orderBy('started_at', 'desc').limit(1).executeTakeFirst())?.report ?? null,
        ),
      ),
    enqueue: (row) =>
      wrap(async () => {
        await db.insertInto('scans').values({ id: row.id, target_name: row.target, target_url: row.url, state: 'queued', started_at: row.at ?? Date.now(), finished_at: null, verdict_pass: null, finding_count: 0, report: null, heartbeat_at: null, deployed_version: null, assets_fingerprint: null, kind: row.kind, job: row.job, job_id: null, worker: null, error: null }).execute();
      }),
    setJobId: (id, jobId) => wrap(async () => void (await db.updateTable('scans').set({ job_id: jobId }).where('id', '=', id).execute())),
    getJob: (id) => wrap(async () => jobRow(await db.selectFrom('scans').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst())),
    claim: (id, worker) =>
      wrap(async () => {
        const r = await db.updateTable('scans').set({ state: 'running', worker, heartbeat_at: Date.now(), error: null }).where('id', '=', id).where('state', 'in', ['queued', 'running']).executeTakeFirst();
        if (Number(r.numUpdatedRows) === 0) return undefined;
        return jobRow(await db.selectFrom('scans').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst());
      }),
    beat: (id, worker, progress) =>
      wrap(async () => {
        await db
          .updateTable('scans')
          .set({ heartbeat_at: Date.now(), ...(progress ? { progress_done: progress.done, progress_total: progress.total } : {}) })
          .where('id', '=', id)
          .where('worker', '=', worker)
          .where('state', '=', 'running')
          .execute();
        return (await db.selectFrom('scans').select('state').where('id', '=', id).executeTakeFirst())?.state;
      }),
    stale: (before) => wrap(async () => (await db.selectFrom('scans').select(JOB_COLUMNS).where('state', '=', 'running').where('heartbeat_at', '<', before).execute()).map((r) => jobRow(r)!)),
    requeue: (id, before) =>
      wrap(async () => Number((await db.updateTable('scans').set({ state: 'queued', worker: null }).where('id', '=', id).where('state', '=', 'running').where('heartbeat_at', '<', before).executeTakeFirst()).numUpdatedRows) > 0),
    cancel: (id) =>
      wrap(async () => {
        const before = (await db.selectFrom('scans').select('state').where('id', '=', id).executeTakeFirst())?.state;
        if (before === 'queued' || before === 'running') await db.updateTable('scans').set({ state: 'cancelled', finished_at: Date.now() }).where('id', '=', id).where('state', 'in', ['queued', 'running']).execute();
        return before;
      }),
    markFailed: (id, error) => wrap(async () => void (await db.updateTable('scans').set({ state: 'failed', error: redact(error), finished_at: Date.now() }).where('id', '=', id).where('state', '!=', 'cancelled').execute())),
    accept: (scanId) =>
      wrap(async () => {
        const row = await db.selectFrom('scans').select(['target_name', 'report']).where('id', '=', scanId).executeTakeFirst();
        if (!row?.report) return undefined;
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('accepted_states').where('target_name', '=', row.target_name).execute();
          await trx.insertInto('accepted_states').values({ target_name: row.target_name, scan_id: scanId, accepted_at: Date.now() }).execute();
        });
        return { target: row.target_name };
      }),
    accepted: (target) =>
      wrap(async () => parse((await db.selectFrom('accepted_states').innerJoin('scans', 'scans.id', 'accepted_states.scan_id').select('scans.report').where('accepted_states.target_name', '=', target).executeTakeFirst())?.report ?? null)),
    deadLetter: (row) =>
      wrap(async () => void (await db.insertInto('webhook_dead_letters').values({ url: row.url, scan_id: row.scanId ?? null, payload: row.payload, error: redact(row.error), attempts: row.attempts, created_at: Date.now() }).execute())),
    deadLetters: () =>
      wrap(async () =>
        (await db.selectFrom('webhook_dead_letters').selectAll().orderBy('id').execute()).map((r) => ({ url: r.url, scanId: r.scan_id, payload: r.payload, error: r.error, attempts: Number(r.attempts), createdAt: Number(r.created_at) })),
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

const JOB_COLUMNS = ['id', 'state', 'kind', 'job', 'job_id', 'worker', 'heartbeat_at', 'progress_done', 'progress_total', 'error'] as const;

function jobRow(r: { id: string; state: string; kind: string | null; job: string | null; job_id: string | null; worker: string | null; heartbeat_at: number | null; progress_done: number; progress_total: number; error: string | null } | undefined): JobRow | undefined {
  if (!r) return undefined;
  return { id: r.id, state: r.state, kind: r.kind, job: r.job, jobId: r.job_id, worker: r.worker, heartbeatAt: r.heartbeat_at === null ? null : Number(r.heartbeat_at), progress: { done: Number(r.progress_done), total: Number(r.progress_total) }, error: r.error };
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
