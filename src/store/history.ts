// src/store/history.ts — scan history over Kysely: save a scan's report, list scans, find a baseline (by id or last passing).
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { HEARTBEAT_MS, isVouchError, verdictStatus, VouchError } from '../core/index.js';
import type { Candidate, EngineStats, Exchange, PermissionAudit, Report, ScanInputs, ScanJournal, ScanResume, ScanState, TaskOutcome, Verdict, VerdictStatus } from '../core/index.js';
import { baselineMisfit, type BaselineWant, type PassedOver } from './baseline.js';
import { migrate, NewerStoreError } from './migrations.js';
import type { Database } from './schema.js';
import { scanSummaryOf, SUMMARY_COLUMNS, type ScanSummary } from './scan-rows.js';
import { convertToIncremental, createPrivate, privacyPragmas, reclaimSpace, registerSqlite, tightenPaths, warnOnStderr, type StoreWarn } from './sqlite-file.js';

/** The `verdict_pass` column: 1 pass, 0 fail, 2 incomplete (a scan that could not establish enough to pass). */
export function verdictCode(v: Pick<Verdict, 'pass'> & { status?: VerdictStatus | undefined }): number {
  const status = verdictStatus(v);
  return status === 'pass' ? 1 : status === 'incomplete' ? 2 : 0;
}

export { verdictOfCode, type ScanSummary } from './scan-rows.js';


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
  /** Takes a queued (or abandoned running, or interrupted) scan for `worker`; undefined when it is done, failed or cancelled. */
  claim(id: string, worker: string): Promise<JobRow | undefined>;
  /** A sign of life (and progress) from the worker holding the scan; returns the scan's state (a `cancelled` one should stop). */
  beat(id: string, worker: string, progress?: { done: number; total: number }): Promise<string | undefined>;
  /** Running jobs whose last sign of life is older than `before` (epoch ms): their worker died. A scan run from the command line is not a job: it is resumed by hand. */
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
  /**
   * The newest scan of `target` that can be the baseline of a run wanting `want`: complete, passing, its checks and
   * scope covering the run's (`baselineMisfit`). Without one, `report` is absent and `passedOver` says why the newest
   * scans (up to LAST_PASSING_LOOKBACK) were not taken.
   */
  lastPassing(target: string, want?: BaselineWant): Promise<{ report?: Report; passedOver: PassedOver[] }>;
  /** A journal that keeps a running scan's progress here; storage errors go to `onError` (the scan goes on). */
  journal(onError: (e: Error) => void): ScanJournal;
  /** What an interrupted, failed or abandoned scan needs to continue; VOUCH_USAGE when it cannot be resumed. */
  resumable(scanId: string): Promise<ScanResume>;
  /** Marks a scan stopped without waiting (a second Ctrl-C exits at once); only stores that can write synchronously. */
  markStoppedSync?(scanId: string, state: Exclude<ScanState, 'running'>, reason: string): void;
  /** Accepted risks not revoked (expired ones included: the scan marks them expired). */
  listAccepted(): Promise<StoredAcceptedRisk[]>;
  /** Accept (or re-accept, replacing reason and expiry) the risk of a finding. */
  acceptRisk(entry: { fingerprint: string; reason: string; expires: string; by: string }): Promise<void>;
  /** Revoke an accepted risk; false when there was none. */
  revokeRisk(fingerprint: string, by: string): Promise<boolean>;
  close(): Promise<void>;
}

/** How many of a target's newest scans `lastPassing` looks at. */
export const LAST_PASSING_LOOKBACK = 50;

const EMPTY_STATS: EngineStats = { sent: 0, refused: 0, errors: 0, byStatus: {} };

const seqOf = (id: string): number => {
  const n = Number(id.replace(/^\D+/, ''));
  return Number.isFinite(n) ? n : 0;
};

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
      if (isVouchError(e)) throw e; // ours (a resume refused, a newer store): already says what to do
      const err = storeError(where, e);
      throw new VouchError(err.code, redact(err.message), err.hint ? { hint: err.hint } : {});
    }
  };
  const usage = (id: string, why: string, hint: string): VouchError => new VouchError('VOUCH_USAGE', `--resume ${id}: ${why}`, { hint });
  return {
    saveReport: (report) =>
      wrap(async () => {
        await db.transaction().execute(async (trx) => {
          await trx.deleteFrom('findings').where('scan_id', '=', report.scanId).execute();
          const existing = await trx.selectFrom('scans').select('state').where('id', '=', report.scanId).executeTakeFirst();
          // An update in place when the row exists: a queued scan keeps its job columns, a journaled one its resume
          // data; saving twice replaces, never duplicates. A partial report is interrupted (when the journal said so) or failed.
          const state = !report.partial ? 'done' : existing?.state === 'interrupted' ? 'interrupted' : 'failed';
          const row = {
            target_name: report.target.name,
            target_url: report.target.url,
            state,
            started_at: Date.parse(report.startedAt),
            finished_at: Date.parse(report.finishedAt),
            verdict_pass: verdictCode(report.verdict),
            finding_count: report.findings.length,
            report: JSON.stringify(report),
            deployed_version: report.deployment?.version ?? null,
            assets_fingerprint: report.deployment?.assets?.fingerprint ?? null,
          };
          if (existing) await trx.updateTable('scans').set(row).where('id', '=', report.scanId).execute();
          else await trx.insertInto('scans').values({ id: report.scanId, ...row, heartbeat_at: null, kind: null, job: null, job_id: null, worker: null, error: null }).execute();
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
        await reclaimSpace(db); // a report saved over an older one (a resumed scan) leaves its pages free
      }),
    listScans: (opts = {}) =>
      wrap(async () => {
        let q = db.selectFrom('scans').select([...SUMMARY_COLUMNS]).orderBy('started_at', 'desc').orderBy('id', 'desc');
        if (opts.target) q = q.where('target_name', '=', opts.target);
        const rows = await q.limit(opts.limit ?? 50).execute();
        return rows.map((r) => scanSummaryOf(r));
      }),
    getReport: (id) => wrap(async () => parse((await db.selectFrom('scans').select('report').where('id', '=', id).executeTakeFirst())?.report ?? null)),
    lastPassing: (target, want) =>
      wrap(async () => {
        // The cheap columns first; a report (large) is read only for a finished, passing scan.
        const rows = await db.selectFrom('scans').select(['id', 'state', 'verdict_pass']).where('target_name', '=', target).orderBy('started_at', 'desc').orderBy('id', 'desc').limit(LAST_PASSING_LOOKBACK).execute();
        const passedOver: PassedOver[] = [];
        for (const r of rows) {
          let why = r.state !== 'done' ? `state ${r.state}` : Number(r.verdict_pass) !== 1 ? (Number(r.verdict_pass) === 2 ? 'its verdict was incomplete' : 'its verdict failed') : undefined;
          const report = why ? undefined : parse((await db.selectFrom('scans').select('report').where('id', '=', r.id).executeTakeFirst())?.report ?? null);
          if (!why) why = report ? baselineMisfit(report, want) : 'no report stored';
          if (!why && report) return { report, passedOver };
          passedOver.push({ scanId: r.id, why: why ?? 'no report stored' });
        }
        return { passedOver };
      }),
    enqueue: (row) =>
      wrap(async () => {
        await db.insertInto('scans').values({ id: row.id, target_name: row.target, target_url: row.url, state: 'queued', started_at: row.at ?? Date.now(), finished_at: null, verdict_pass: null, finding_count: 0, report: null, heartbeat_at: null, deployed_version: null, assets_fingerprint: null, kind: row.kind, job: row.job, job_id: null, worker: null, error: null }).execute();
      }),
    setJobId: (id, jobId) => wrap(async () => void (await db.updateTable('scans').set({ job_id: jobId }).where('id', '=', id).execute())),
    getJob: (id) => wrap(async () => jobRow(await db.selectFrom('scans').select(JOB_COLUMNS).where('id', '=', id).executeTakeFirst())),
    claim: (id, worker) =>
      wrap(async () => {
        const r = await db.updateTable('scans').set({ state: 'running', worker, heartbeat_at: Date.now(), error: null }).where('id', '=', id).where('state', 'in', ['queued', 'running', 'interrupted']).executeTakeFirst();
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
    stale: (before) => wrap(async () => (await db.selectFrom('scans').select(JOB_COLUMNS).where('state', '=', 'running').where('kind', 'is not', null).where('heartbeat_at', '<', before).execute()).map((r) => jobRow(r)!)),
    requeue: (id, before) =>
      wrap(async () => Number((await db.updateTable('scans').set({ state: 'queued', worker: null }).where('id', '=', id).where('state', '=', 'running').where('kind', 'is not', null).where('heartbeat_at', '<', before).executeTakeFirst()).numUpdatedRows) > 0),
    cancel: (id) =>
      wrap(async () => {
        const before = (await db.selectFrom('scans').select('state').where('id', '=', id).executeTakeFirst())?.state;
        const open = ['queued', 'running', 'interrupted'];
        if (before && open.includes(before)) await db.updateTable('scans').set({ state: 'cancelled', finished_at: Date.now() }).where('id', '=', id).where('state', 'in', open).execute();
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
    journal: (onError) => journalOver(db, onError),
    resumable: (id) =>
      wrap(async () => {
        const scan = await db.selectFrom('scans').select(['id', 'target_name', 'target_url', 'state', 'started_at', 'heartbeat_at']).where('id', '=', id).executeTakeFirst();
        if (!scan) throw usage(id, `no such scan in ${where}`, 'List scans with `vouch history`.');
        if (scan.state === 'done') throw usage(id, 'this scan already finished; there is nothing to resume', 'Its report is in history (`vouch history`); start a new scan to test again.');
        const silentMs = Date.now() - Number(scan.heartbeat_at ?? 0);
        if (scan.state === 'running' && silentMs < 3 * HEARTBEAT_MS) {
          throw usage(id, `this scan is still running (last sign of life ${Math.round(silentMs / 1000)} s ago)`, 'Stop it first (Ctrl-C), or wait for it to finish.');
        }
        const inputs = await db.selectFrom('scan_inputs').selectAll().where('scan_id', '=', id).executeTakeFirst();
        if (!inputs) throw usage(id, 'this scan stopped before its plan was made; there is nothing to resume', 'Start a new scan.');
        const tasks = await db.selectFrom('scan_tasks').selectAll().where('scan_id', '=', id).execute();
        const exchanges = await db.selectFrom('scan_exchanges').select(['exchange']).where('scan_id', '=', id).orderBy('seq').execute();
        const stored: ScanInputs = {
          args: JSON.parse(inputs.args) as Record<string, unknown>,
          config: inputs.config,
          surface: JSON.parse(inputs.surface) as ScanInputs['surface'],
          plan: JSON.parse(inputs.plan) as ScanInputs['plan'],
        };
        return {
          scanId: id,
          targetName: scan.target_name,
          targetUrl: scan.target_url,
          startedAt: Number(scan.started_at),
          inputs: stored,
          done: tasks.map((t) => ({
            outcome: { taskId: t.task_id, status: t.status, ...(t.reason !== null ? { reason: t.reason } : {}), ...(t.status === 'found' ? { candidates: (JSON.parse(t.candidates) as unknown[]).length } : {}) } as TaskOutcome,
            candidates: JSON.parse(t.candidates) as Candidate[],
            ...(t.audits !== null ? { audits: JSON.parse(t.audits) as PermissionAudit[] } : {}),
          })),
          exchanges: exchanges.map((x) => JSON.parse(x.exchange) as Exchange),
          stats: JSON.parse(inputs.stats) as EngineStats,
          runs: Number(inputs.runs),
          exchangeCount: Number(inputs.exchange_count),
        };
      }),
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

/**
 * A scan's journal over Kysely: every call is queued and written in order (one transaction per finished task), so the
 * scan never waits on the database. Portable SQL only (the same code runs on PostgreSQL).
 */
export function journalOver(db: Kysely<Database>, onError: (e: Error) => void): ScanJournal {
  let queue: Promise<void> = Promise.resolve();
  let scanId = '';
  let failed = false;
  const later = (fn: () => Promise<unknown>): void => {
    queue = queue.then(async () => {
      if (failed) return;
      try {
        await fn();
      } catch (e) {
        failed = true; // one report is enough: the rest would fail the same way
        onError(e instanceof Error ? e : new Error(String(e)));
      }
    });
  };
  const exchangeRows = (list: readonly Exchange[]): Database['scan_exchanges'][] =>
    list.map((x) => ({ scan_id: scanId, exchange_id: x.id, seq: seqOf(x.id), task_id: x.taskId ?? null, exchange: JSON.stringify(x) }));
  /** Inserts in slices (SQLite caps bound parameters per statement). */
  const insertExchanges = async (trx: Kysely<Database>, rows: readonly Database['scan_exchanges'][]): Promise<void> => {
    for (let i = 0; i < rows.length; i += 100) await trx.insertInto('scan_exchanges').values(rows.slice(i, i + 100)).execute();
  };
  return {
    started(scan) {
      scanId = scan.scanId;
      later(async () => {
        const now = Date.now();
        const existing = await db.selectFrom('scans').select('id').where('id', '=', scan.scanId).executeTakeFirst();
        if (existing) await db.updateTable('scans').set({ state: 'running', heartbeat_at: now, finished_at: null }).where('id', '=', scan.scanId).where('state', '!=', 'cancelled').execute();
        else {
          await db
            .insertInto('scans')
            .values({ id: scan.scanId, target_name: scan.targetName, target_url: scan.targetUrl, state: 'running', started_at: scan.startedAt, finished_at: null, verdict_pass: null, finding_count: 0, report: null, heartbeat_at: now, deployed_version: null, assets_fingerprint: null, kind: null, job: null, job_id: null, worker: null, error: null })
            .execute();
        }
      });
    },
    planned(inputs, exchanges) {
      // Serialized now, not when the write runs: the scan goes on recording into the same arrays meanwhile.
      const rows = exchangeRows(exchanges);
      const row = { scan_id: scanId, args: JSON.stringify(inputs.args), config: inputs.config, surface: JSON.stringify(inputs.surface), plan: JSON.stringify(inputs.plan), stats: JSON.stringify(EMPTY_STATS), runs: 0, reason: null, exchange_count: 0 };
      const total = inputs.plan.tasks.length;
      later(() =>
        db.transaction().execute(async (trx) => {
          // A job run afresh under the same scan id (team mode) replaces what an earlier run kept.
          for (const t of ['scan_exchanges', 'scan_tasks', 'scan_inputs'] as const) await trx.deleteFrom(t).where('scan_id', '=', scanId).execute();
          await trx
            .insertInto('scan_inputs')
            .values(row)
            .execute();
          await insertExchanges(trx, rows);
          await trx.updateTable('scans').set({ progress_total: total, progress_done: 0, heartbeat_at: Date.now() }).where('id', '=', scanId).execute();
        }),
      );
    },
    taskDone(result, exchanges, progress) {
      const rows = exchangeRows(exchanges);
      const candidates = JSON.stringify(result.candidates);
      const audits = result.audits ? JSON.stringify(result.audits) : null;
      later(() =>
        db.transaction().execute(async (trx) => {
          const o = result.outcome;
          await trx
            .insertInto('scan_tasks')
            .values({ scan_id: scanId, task_id: o.taskId, status: o.status, reason: 'reason' in o ? o.reason : null, candidates, audits, finished_at: Date.now() })
            .execute();
          await insertExchanges(trx, rows);
          await trx.updateTable('scans').set({ progress_done: progress.done, progress_total: progress.total, heartbeat_at: Date.now() }).where('id', '=', scanId).execute();
          await trx.updateTable('scan_inputs').set({ exchange_count: progress.exchangeCount }).where('scan_id', '=', scanId).execute();
        }),
      );
    },
    heartbeat() {
      later(() => db.updateTable('scans').set({ heartbeat_at: Date.now() }).where('id', '=', scanId).execute());
    },
    finished(state, stats, exchangeCount, reason) {
      later(async () => {
        // A scan cancelled meanwhile (`vouch cancel`, team mode) stays cancelled.
        await db.updateTable('scans').set({ state, heartbeat_at: Date.now(), finished_at: Date.now() }).where('id', '=', scanId).where('state', '!=', 'cancelled').execute();
        if (state === 'done') {
          // A finished scan is never resumed: its resume data goes (the report keeps what matters).
          await db.deleteFrom('scan_exchanges').where('scan_id', '=', scanId).execute();
          await db.deleteFrom('scan_tasks').where('scan_id', '=', scanId).execute();
          await db.deleteFrom('scan_inputs').where('scan_id', '=', scanId).execute();
          await reclaimSpace(db);
          return;
        }
        await db
          .updateTable('scan_inputs')
          .set((eb) => ({ stats: JSON.stringify(stats), reason: reason ?? null, runs: eb('runs', '+', 1), exchange_count: exchangeCount }))
          .where('scan_id', '=', scanId)
          .execute();
      });
    },
    flush: () => queue,
  };
}

/** Opens (creating when absent) the embedded SQLite history; a file that is not a vouch database is never overwritten. */
export async function openSqliteHistory(path: string, warn: StoreWarn = warnOnStderr): Promise<HistoryStore> {
  const store = historyOver(await openSqliteDatabase(path, warn), path);
  store.markStoppedSync = (scanId, state) => {
    // Runs as the process exits (a second Ctrl-C): a synchronous write on its own short-lived connection.
    try {
      const raw = new BetterSqlite3(path, { fileMustExist: true });
      try {
        raw.pragma('busy_timeout = 2000');
        raw.pragma('secure_delete = ON');
        raw.prepare('UPDATE scans SET state = ?, heartbeat_at = ? WHERE id = ?').run(state, Date.now(), scanId);
      } finally {
        raw.close();
      }
    } catch {
      // exiting anyway: a scan left `running` is resumable once its heartbeat is stale
    }
  };
  return store;
}

/** How long opening a SQLite history keeps retrying while another process holds the file for a moment. */
const OPEN_RETRY_MS = 15_000;

/**
 * SQLite answers SQLITE_BUSY at once, without waiting out `busy_timeout`, in a few moments of WAL mode: while the
 * last connection of another process closes (it checkpoints and removes the WAL under an exclusive lock) and while
 * another opener runs recovery (sqlite.org/wal.html, "Sometimes Queries Return SQLITE_BUSY In WAL Mode").
 */
const isBusy = (e: unknown): boolean => {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

/**
 * The migrated Kysely database over a SQLite file (the history and the dashboard share it). Several processes may open
 * one file at the same moment (two scans, a scan and the dashboard): a busy answer during the opening is retried
 * with a short random pause for up to 15 s; any other failure is reported at once.
 */
export async function openSqliteDatabase(path: string, warn: StoreWarn = warnOnStderr): Promise<Kysely<Database>> {
  const deadline = Date.now() + OPEN_RETRY_MS;
  for (;;) {
    try {
      createPrivate(path);
      const db = await openSqliteOnce(path);
      tightenPaths(path, warn);
      return db;
    } catch (e) {
      if (!isBusy(e) || Date.now() >= deadline) throw storeError(path, e);
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 100));
    }
  }
}

/**
 * One attempt: open, switch to WAL, migrate, convert a file made before incremental vacuum. Throws the raw error (the
 * caller decides to retry or report).
 */
async function openSqliteOnce(path: string): Promise<Kysely<Database>> {
  const sqlite = new BetterSqlite3(path, { fileMustExist: false });
  try {
    // Wait for another process's lock first: switching to WAL and migrating both need it (two scans starting at once).
    sqlite.pragma('busy_timeout = 5000');
    privacyPragmas(sqlite); // before the first table: a new file is created with incremental vacuum
    sqlite.pragma('journal_mode = WAL'); // fails on a file that is not a database
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
  } catch (e) {
    sqlite.close();
    throw e;
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await migrate(db);
    convertToIncremental(sqlite);
  } catch (e) {
    await db.destroy();
    throw e;
  }
  registerSqlite(db, sqlite);
  return db;
}
