// src/team/worker.test.ts — a worker that takes over a dead worker's scan resumes it from the journal instead of rerunning it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { ScanResume } from '../core/index.js';
import { makeReport } from '../report/fixture.js';
import { openSqliteHistory } from '../store/index.js';
import { inProcessQueue } from './queue.js';
import { startWorker, type JobRunner } from './worker.js';

it('a scan whose worker went silent after planning is requeued and resumed with its finished tasks', { timeout: 20_000 }, async () => {
  const store = await openSqliteHistory(join(mkdtempSync(join(tmpdir(), 'vouch-worker-')), 'h.db'));
  const queue = inProcessQueue();
  const resumes: (ScanResume | undefined)[] = [];
  const run: JobRunner = async (row, hooks) => {
    resumes.push(hooks.resume);
    if (resumes.length === 1) {
      // The first run journals its plan and one task, then goes silent (a worker stuck or killed).
      const tasks = ['t1', 't2'].map((id) => ({ id, checkId: 'c', identity: 'anonymous' }));
      hooks.journal.started({ scanId: row.id, targetName: 'shop', targetUrl: 'http://127.0.0.1:1', startedAt: 1000 });
      hooks.journal.planned({ args: { url: 'http://127.0.0.1:1' }, config: '{}', surface: { target: 'http://127.0.0.1:1', operations: [], warnings: [] }, plan: { tasks, skipped: [] } }, []);
      hooks.journal.taskDone({ outcome: { taskId: 't1', status: 'clean' }, candidates: [] }, [], { done: 1, total: 2, exchangeCount: 0 });
      await hooks.journal.flush();
      return new Promise((_, reject) => hooks.signal.addEventListener('abort', () => reject(new Error('stopped'))));
    }
    return [{ ...makeReport(), scanId: row.id }];
  };
  // Beats far apart and a short staleness: the first run looks dead soon; the second slot takes the requeued job.
  const worker = await startWorker({ store, queue, run, workerId: 'w', concurrency: 2, heartbeatMs: 60_000, staleMs: 400 });
  try {
    await store.enqueue({ id: 's1', kind: 'scan', target: 'shop', url: 'http://127.0.0.1:1', job: '{}' });
    await store.setJobId('s1', await queue.send({ scanId: 's1', key: 'http://127.0.0.1:1' }));
    for (let t = 0; t < 150 && (await store.getJob('s1'))?.state !== 'done'; t++) await new Promise((r) => setTimeout(r, 100));
    expect((await store.getJob('s1'))?.state).toBe('done');
    expect(resumes.length).toBe(2);
    expect(resumes[0]).toBeUndefined();
    expect(resumes[1]?.done.map((d) => d.outcome.taskId)).toEqual(['t1']);
    expect(resumes[1]?.inputs.plan.tasks.length).toBe(2);
  } finally {
    await worker.stop();
    await store.close();
  }
});
