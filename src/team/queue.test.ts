// src/team/queue.test.ts — one queue contract on both implementations: pg-boss on a real PostgreSQL and the in-process queue (embedded mode).
import { afterAll, describe, expect, it } from 'vitest';
import { postgresServer, testPostgres } from '../../test/support/postgres.js';
import { inProcessQueue, pgBossQueue, type JobData, type JobQueue } from './queue.js';

const server = await postgresServer();
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const d of drops) await d();
});

const impls: { name: string; skip?: string; make(): Promise<JobQueue> }[] = [
  { name: 'in-process', make: async () => inProcessQueue() },
  {
    name: 'pg-boss',
    ...(typeof server === 'string' ? {} : { skip: server.skip }),
    make: async () => {
      const db = await testPostgres();
      if (!('url' in db)) throw new Error(db.skip);
      drops.push(db.drop);
      return pgBossQueue(db.url, { pollSeconds: 0.5 });
    },
  },
];

const until = async (cond: () => boolean, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

for (const impl of impls) {
  describe.skipIf(impl.skip !== undefined)(`job queue contract: ${impl.name}${impl.skip ? ` (skipped: ${impl.skip})` : ''}`, () => {
    it('runs every job, never two of one key at once, retries a failed one, and drops a cancelled one', async () => {
      const q = await impl.make();
      try {
        const active = new Map<string, number>();
        let overlap = false;
        const ran: string[] = [];
        let failOnce = true;
        const ids: Record<string, string> = {};
        for (const [scanId, key] of [['a1', 'A'], ['a2', 'A'], ['b1', 'B'], ['x', 'C']] as const) ids[scanId] = await q.send({ scanId, key });
        await q.cancel(ids.x!);
        await q.work(3, async (d: JobData) => {
          active.set(d.key, (active.get(d.key) ?? 0) + 1);
          if (active.get(d.key)! > 1) overlap = true;
          await new Promise((r) => setTimeout(r, 150));
          active.set(d.key, active.get(d.key)! - 1);
          if (d.scanId === 'b1' && failOnce) {
            failOnce = false;
            throw new Error('transient');
          }
          ran.push(d.scanId);
        });
        await until(() => ran.length >= 3);
        expect(ran.sort()).toEqual(['a1', 'a2', 'b1']);
        expect(overlap).toBe(false);
        expect(failOnce).toBe(false);
      } finally {
        await q.stop();
      }
    });
  });
}
