// src/team/queue.ts — the job queue workers take scans from: pg-boss on the team store, or an in-process queue (embedded mode); one interface.
import PgBoss from 'pg-boss';
import { VouchError } from '../core/index.js';
import { redactDatabaseUrl } from '../store/postgres.js';
import { ROUND_QUEUE_PREFIX, type RoundData } from './schedule.js';

/** What a worker needs to run a scan or gate; the scan's row in `scans` holds the same, and its progress. */
export interface JobData {
  scanId: string;
  /** One active scan per target: the target's origin. */
  key: string;
}

export interface JobQueue {
  /** Queues a job; returns the queue's job id. */
  send(data: JobData): Promise<string>;
  /** Takes jobs with `concurrency` handlers at once until `stop()`; a handler that throws fails the job (retried). */
  work(concurrency: number, handler: (data: JobData) => Promise<void>): Promise<void>;
  /** Gives up a job that is active (its worker died): it is retried. */
  fail(jobId: string): Promise<void>;
  /** Withdraws a job that has not started. */
  cancel(jobId: string): Promise<void>;
  stop(): Promise<void>;
  /** Team mode only: continuous verification as pg-boss schedules (embedded mode runs an in-process timer instead). */
  rounds?: RoundQueue;
}

/** pg-boss schedules: one per watched target, on its own queue (a pg-boss schedule is keyed by its queue's name). */
export interface RoundQueue {
  /** Creates (or replaces) the schedule of queue `name`: pg-boss sends `data` to it each time `cron` fires (UTC). */
  schedule(name: string, cron: string, data: RoundData): Promise<void>;
  /** Removes the schedule of queue `name`; false when there was none. */
  unschedule(name: string): Promise<boolean>;
  list(): Promise<{ name: string; cron: string; data: RoundData }[]>;
  /** Sends one round to queue `name` now, as the schedule would. */
  send(name: string, data: RoundData): Promise<string>;
  /** Takes rounds from every scheduled queue, looking for new schedules every `refreshMs`, until the queue stops. */
  work(handler: (data: RoundData) => Promise<void>, refreshMs?: number): Promise<void>;
}

export const QUEUE_NAME = 'vouch-scan';
/** A worker that dies is noticed by the heartbeat sweep (seconds); pg-boss's own expiry only catches a hung job. */
export const JOB_EXPIRE_HOURS = 12;
export const RETRY_LIMIT = 3;

/** pg-boss in its own schema (`vouch_boss`) of the team database; a singleton queue: one active job per target key. */
export async function pgBossQueue(url: string, opts: { pollSeconds?: number; sendOnly?: boolean } = {}): Promise<JobQueue> {
  // A process that only sends (`--queue`, `cancel`) runs no maintenance or scheduling: it starts and stops at once.
  const boss = new PgBoss({ connectionString: url, schema: 'vouch_boss', max: opts.sendOnly ? 1 : 4, application_name: 'vouch', ...(opts.sendOnly ? { supervise: false, schedule: false } : {}) });
  boss.on('error', () => undefined); // maintenance errors are retried by pg-boss; a broken store fails our own queries loudly
  try {
    await boss.start();
  } catch (e) {
    await boss.stop({ graceful: false, wait: false }).catch(() => undefined);
    const msg = (e instanceof Error ? e.message : String(e)).split(url).join(redactDatabaseUrl(url));
    throw new VouchError('VOUCH_STORE_ERROR', `${redactDatabaseUrl(url)}: the job queue (pg-boss) could not start (${msg})`, { hint: 'Check that the team store is up and the role may create the vouch_boss schema; see docs/team-mode.md.' });
  }
  /** Creates a queue unless it exists; two processes creating it at once (a worker starting while `--queue` runs) is fine. */
  const ensureQueue = async (name: string, options: PgBoss.Queue): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      if (await boss.getQueue(name)) return;
      try {
        return await boss.createQueue(name, options);
      } catch (e) {
        if (attempt >= 2) throw e; // the other process's creation committed meanwhile: seen at the next look
        await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
      }
    }
  };
  await ensureQueue(QUEUE_NAME, { name: QUEUE_NAME, policy: 'singleton', retryLimit: RETRY_LIMIT, retryDelay: 1, expireInHours: JOB_EXPIRE_HOURS });
  let stopped = false;
  let refresh: NodeJS.Timeout | undefined;
  /** A round's queue: a round only turns into a scan job on the main queue, so it is short. */
  const ensureRoundQueue = (name: string): Promise<void> => ensureQueue(name, { name, policy: 'standard', retryLimit: RETRY_LIMIT, retryDelay: 5 });
  return {
    send: async (data) => {
      const id = await boss.send(QUEUE_NAME, data, { singletonKey: data.key, retryLimit: RETRY_LIMIT, retryDelay: 1, expireInHours: JOB_EXPIRE_HOURS });
      if (!id) throw new Error(`the queue refused the job of scan ${data.scanId}`);
      return id;
    },
    work: async (concurrency, handler) => {
      for (let i = 0; i < concurrency; i++) {
        await boss.work<JobData>(QUEUE_NAME, { batchSize: 1, pollingIntervalSeconds: opts.pollSeconds ?? 0.5 }, async ([job]) => {
          if (job) await handler(job.data);
        });
      }
    },
    fail: (jobId) => boss.fail(QUEUE_NAME, jobId, { reason: 'worker stopped answering' }),
    cancel: (jobId) => boss.cancel(QUEUE_NAME, jobId),
    stop: async () => {
      stopped = true;
      if (refresh) clearInterval(refresh);
      await boss.stop({ graceful: false, wait: true, timeout: 5_000 });
    },
    rounds: {
      schedule: async (name, cron, data) => {
        await ensureRoundQueue(name);
        await boss.schedule(name, cron, data, { tz: 'UTC' });
      },
      unschedule: async (name) => {
        const had = (await boss.getSchedules()).some((s) => s.name === name);
        if (had) await boss.unschedule(name);
        return had;
      },
      list: async () => (await boss.getSchedules()).filter((s) => s.name.startsWith(ROUND_QUEUE_PREFIX)).map((s) => ({ name: s.name, cron: s.cron, data: s.data as RoundData })),
      send: async (name, data) => {
        await ensureRoundQueue(name);
        const id = await boss.send(name, data, { retryLimit: RETRY_LIMIT, retryDelay: 5 });
        if (!id) throw new Error(`the queue refused a round of ${data.url}`);
        return id;
      },
      work: async (handler, refreshMs = 5_000) => {
        const taken = new Set<string>();
        const look = async (): Promise<void> => {
          for (const s of await boss.getSchedules()) {
            if (!s.name.startsWith(ROUND_QUEUE_PREFIX) || taken.has(s.name) || stopped) continue;
            taken.add(s.name);
            await boss.work<RoundData>(s.name, { batchSize: 1, pollingIntervalSeconds: opts.pollSeconds ?? 0.5 }, async ([job]) => {
              if (job) await handler(job.data);
            });
          }
        };
        await look();
        // A schedule added later (another `vouch watch`) is found here; a store that drops out is retried at the next look.
        refresh = setInterval(() => void look().catch(() => undefined), refreshMs);
      },
    },
  };
}

/** Embedded mode: the same interface in one process (no PostgreSQL); jobs of one key run one at a time, failures retried. */
export function inProcessQueue(): JobQueue {
  interface Item { id: string; data: JobData; tries: number; state: 'queued' | 'active' | 'done' | 'cancelled' }
  const items: Item[] = [];
  let handler: ((data: JobData) => Promise<void>) | undefined;
  let slots = 0;
  let seq = 0;
  let stopped = false;
  const running = new Set<Promise<void>>();
  const pump = (): void => {
    if (!handler || stopped) return;
    while (running.size < slots) {
      const active = new Set(items.filter((i) => i.state === 'active').map((i) => i.data.key));
      const next = items.find((i) => i.state === 'queued' && !active.has(i.data.key));
      if (!next) return;
      next.state = 'active';
      const h = handler;
      const p: Promise<void> = (async () => {
        try {
          await h(next.data);
          next.state = 'done';
        } catch {
          next.tries++;
          next.state = next.tries > RETRY_LIMIT ? 'done' : 'queued';
        }
      })().finally(() => {
        running.delete(p);
        pump();
      });
      running.add(p);
    }
  };
  return {
    send: async (data) => {
      const id = `job-${++seq}`;
      items.push({ id, data, tries: 0, state: 'queued' });
      queueMicrotask(pump);
      return id;
    },
    work: async (concurrency, h) => {
      handler = h;
      slots = concurrency;
      pump();
    },
    fail: async (jobId) => {
      const item = items.find((i) => i.id === jobId);
      if (item?.state === 'active') {
        item.state = 'queued';
        queueMicrotask(pump); // retried at once, as pg-boss retries a failed job
      }
    },
    cancel: async (jobId) => {
      const item = items.find((i) => i.id === jobId);
      if (item?.state === 'queued') item.state = 'cancelled';
    },
    stop: async () => {
      stopped = true;
      await Promise.all([...running]);
    },
  };
}
