// src/store/journal.test.ts — the scan journal (migration 3): progress kept as tasks finish, what resume gets back,
// which scans may be resumed, and a finished scan's resume data dropped.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Candidate, Exchange, ScanInputs } from '../core/index.js';
import { makeReport } from '../report/fixture.js';
import { openSqliteHistory } from './history.js';

const ex = (id: string, taskId?: string): Exchange => ({ id, request: { method: 'GET', url: `http://127.0.0.1:1/${id}`, headers: [] }, response: { status: 200, headers: [], body: 'ok' }, timing: { startedAt: 1, totalMs: 1 }, identity: 'anonymous', ...(taskId ? { taskId } : {}) });
const candidate = { checkId: 'c', taskId: 't1', operation: { method: 'GET', path: '/' }, url: 'http://127.0.0.1:1/', identity: 'anonymous', vulnClass: 'v', confidence: 'confirmed', proof: { summary: 's', exchangeIds: ['x000003'] } } satisfies Candidate;
const inputs: ScanInputs = {
  args: { url: 'http://127.0.0.1:1' },
  config: '{"identities":"[REDACTED]"}',
  surface: { target: 'http://127.0.0.1:1', operations: [], warnings: [] },
  plan: { tasks: [{ id: 't1', checkId: 'c', identity: 'anonymous' }, { id: 't2', checkId: 'c', identity: 'anonymous' }, { id: 't3', checkId: 'c', identity: 'anonymous' }], skipped: [] },
};
const stats = { sent: 3, refused: 0, errors: 0, byStatus: { '200': 3 } };

describe('scan journal', () => {
  it('keeps progress, refuses a live scan, hands back finished tasks and exchanges, and drops them once done', async () => {
    const store = await openSqliteHistory(join(mkdtempSync(join(tmpdir(), 'vouch-journal-')), 'h.db'));
    const errors: Error[] = [];
    const j = store.journal((e) => errors.push(e));
    j.started({ scanId: 's1', targetName: 'local', targetUrl: 'http://127.0.0.1:1', startedAt: 1000 });
    j.planned(inputs, [ex('x000001')]);
    j.taskDone({ outcome: { taskId: 't1', status: 'found', candidates: 1 }, candidates: [candidate] }, [ex('x000002', 't1'), ex('x000003', 't1')], { done: 1, total: 3, exchangeCount: 4 });
    j.taskDone({ outcome: { taskId: 't2', status: 'inconclusive', reason: 'no answer' }, candidates: [] }, [], { done: 2, total: 3, exchangeCount: 5 });
    await j.flush();
    expect((await store.listScans())[0]).toMatchObject({ id: 's1', state: 'running' });
    await expect(store.resumable('s1')).rejects.toThrow(/still running/);

    j.finished('interrupted', stats, 7, 'interrupted by SIGINT');
    await j.flush();
    const r = await store.resumable('s1');
    expect(r.inputs).toEqual(inputs);
    expect(r.done.map((d) => d.outcome)).toEqual([
      { taskId: 't1', status: 'found', candidates: 1 },
      { taskId: 't2', status: 'inconclusive', reason: 'no answer' },
    ]);
    expect(r.done[0]!.candidates).toEqual([candidate]);
    expect(r.exchanges.map((x) => x.id)).toEqual(['x000001', 'x000002', 'x000003']);
    expect(r).toMatchObject({ stats, runs: 1, exchangeCount: 7, startedAt: 1000 });

    // The partial report saved over it keeps the row (and its resume data) and the interrupted state.
    await store.saveReport({ ...makeReport(), scanId: 's1', partial: { reason: 'interrupted by SIGINT', notRun: 1 } });
    expect((await store.listScans())[0]).toMatchObject({ id: 's1', state: 'interrupted' });
    expect((await store.resumable('s1')).done.length).toBe(2);

    const again = store.journal((e) => errors.push(e));
    again.started({ scanId: 's1', targetName: 'local', targetUrl: 'http://127.0.0.1:1', startedAt: 1000 });
    again.finished('done', stats, 9);
    await again.flush();
    await expect(store.resumable('s1')).rejects.toThrow(/already finished/);
    await expect(store.resumable('s2')).rejects.toMatchObject({ code: 'VOUCH_USAGE' });
    expect(errors).toEqual([]);
    await store.close();
  });
});
