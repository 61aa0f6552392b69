// src/team/queue.ts — the job queue workers take scans from: pg-boss on the team store, or an in-process queue (embedded mode); one interface.
import PgBoss from 'pg-boss';

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
  await boss.start();
  await boss.createQueue(QUEUE_NAME, { name: QUEUE_NAME, policy: 'singleton', retryLimit: RETRY_LIMIT, retryDelay: 1, expireInHours: JOB_EXPIRE_HOURS });
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
    stop: () => boss.stop({ graceful: false, wait: true, timeout: 5_000 }),
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
