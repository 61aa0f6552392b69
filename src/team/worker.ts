// src/team/worker.ts — a worker: takes scan jobs from a queue, keeps a heartbeat and progress in `scans`, stops on cancel, requeues scans whose worker died.
import { verdictStatus } from '../core/index.js';
import type { Report, ScanJournal, ScanResume } from '../core/index.js';
import type { HistoryStore, JobRow } from '../store/index.js';
import type { JobQueue } from './queue.js';
import type { RoundData } from './schedule.js';

export interface JobHooks {
  signal: AbortSignal;
  onProgress(done: number, total: number): void;
  /** Keeps the scan's plan, finished tasks and exchanges in the store, so another worker can resume it. */
  journal: ScanJournal;
  /** What an earlier worker's run of this scan kept (it died or stopped after planning): run only the rest. */
  resume?: ScanResume;
  log(line: string): void;
  /** The store the worker keeps jobs in (a watch round reads its target's accepted state there). */
  store: HistoryStore;
}

/** Runs one job's scan (or gate); returns the reports to save, the job's own scan last. */
export type JobRunner = (row: JobRow, hooks: JobHooks) => Promise<Report[]>;

export interface WorkerOptions {
  store: HistoryStore;
  queue: JobQueue;
  run: JobRunner;
  workerId: string;
  concurrency: number;
  /** Sign of life every this many ms (default 2 s). */
  heartbeatMs?: number;
  /** A running scan silent this long has lost its worker and is requeued (default 15 s). */
  staleMs?: number;
  log?: (line: string) => void;
  /** After a job's reports are saved (a watch round compares with the accepted state and fires webhooks here). */
  finished?: (row: JobRow, reports: Report[], log: (line: string) => void) => Promise<void>;
  /** Team mode: takes scheduled watch rounds (pg-boss schedules) and turns each into a scan job. */
  rounds?: (data: RoundData, log: (line: string) => void) => Promise<void>;
}

export interface RunningWorker {
  /** Stops taking jobs, aborts the ones in flight (their jobs are retried: another worker resumes them from the journal). */
  stop(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<RunningWorker> {
  const { store, queue, workerId } = opts;
  const heartbeatMs = opts.heartbeatMs ?? 2_000;
  const staleMs = opts.staleMs ?? 15_000;
  const log = opts.log ?? (() => undefined);
  const inFlight = new Set<AbortController>();

  await queue.work(opts.concurrency, async ({ scanId }) => {
    const resume = await resumeOf(store, scanId);
    const row = await store.claim(scanId, workerId);
    if (!row) return; // done, failed or cancelled meanwhile: nothing to do
    log(`${scanId}: ${resume ? `resuming (${resume.done.length} of ${resume.inputs.plan.tasks.length} tasks done before)` : `running (${row.kind ?? 'scan'})`}`);
    const controller = new AbortController();
    inFlight.add(controller);
    let progress: { done: number; total: number } | undefined;
    const timer = setInterval(() => {
      void store
        .beat(scanId, workerId, progress)
        .then((state) => {
          if (state === 'cancelled') controller.abort();
        })
        .catch(() => undefined);
    }, heartbeatMs);
    try {
      const journal = store.journal((e) => log(`${scanId}: progress could not be saved (${e.message}); a retry runs it afresh`));
      const hooks: JobHooks = { signal: controller.signal, onProgress: (done, total) => (progress = { done, total }), journal, ...(resume ? { resume } : {}), log: (line) => log(`${scanId}: ${line}`), store };
      const reports = await opts.run(row, hooks);
      if ((await store.getJob(scanId))?.state === 'cancelled') return log(`${scanId}: cancelled`);
      if (controller.signal.aborted) throw new Error('worker stopping'); // not saved: the retry resumes it from the journal
      for (const r of reports) await store.saveReport(r);
      const own = reports.at(-1);
      log(`${scanId}: ${own?.partial ? 'failed (partial)' : 'done'}, ${own ? verdictStatus(own.verdict).toUpperCase() : 'FAIL'}${own?.verdict.incomplete?.length ? ` (${own.verdict.incomplete.map((c) => c.cause).join(', ')})` : ''}, ${own?.findings.length ?? 0} findings`);
      // Saved: what follows (drift, webhooks) never fails the scan itself.
      if (opts.finished) await opts.finished(row, reports, (line) => log(`${scanId}: ${line}`)).catch((e: unknown) => log(`${scanId}: after the scan: ${e instanceof Error ? e.message : String(e)}`));
    } catch (e) {
      if (controller.signal.aborted) {
        if ((await store.getJob(scanId))?.state === 'cancelled') return log(`${scanId}: cancelled`);
        throw e; // the queue retries it
      }
      const msg = e instanceof Error ? e.message : String(e);
      await store.markFailed(scanId, msg);
      log(`${scanId}: failed: ${msg}`);
    } finally {
      clearInterval(timer);
      inFlight.delete(controller);
    }
  });

  if (opts.rounds && queue.rounds) {
    const onRound = opts.rounds;
    await queue.rounds.work((data) => onRound(data, (line) => log(`watch ${data.url}: ${line}`)));
  }

  // The sweep: a running scan with no sign of life for staleMs lost its worker (killed, crashed): queue it again
  // (the worker that takes it resumes it from its journal when it got as far as a plan).
  const sweep = setInterval(() => {
    void (async () => {
      const before = Date.now() - staleMs;
      for (const r of await store.stale(before)) {
        if (!(await store.requeue(r.id, before))) continue;
        log(`${r.id}: worker ${r.worker ?? '?'} stopped answering; requeued`);
        if (r.jobId) await queue.fail(r.jobId);
      }
    })().catch(() => undefined);
  }, Math.max(500, Math.floor(staleMs / 3)));

  return {
    stop: async () => {
      clearInterval(sweep);
      for (const c of inFlight) c.abort();
      await queue.stop();
    },
  };
}

/** The journal of a scan an earlier worker left (queued again after it died, or interrupted), if it got as far as a plan. */
async function resumeOf(store: HistoryStore, scanId: string): Promise<ScanResume | undefined> {
  const job = await store.getJob(scanId);
  if (!job || (job.kind !== 'scan' && job.kind !== 'gate') || (job.state !== 'queued' && job.state !== 'interrupted')) return undefined;
  try {
    return await store.resumable(scanId);
  } catch {
    return undefined; // nothing kept (a fresh job, or stopped before its plan): run it from the start
  }
}
