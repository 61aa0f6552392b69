// src/mcp/progress.test.ts — a run's events as progress notifications: only with a token, growing, throttled.
import { describe, expect, it } from 'vitest';
import type { Task, TaskOutcome } from '../core/index.js';
import { PROGRESS_EVERY_MS, progressNotifier, type ProgressParams } from './progress.js';

const finished = (done: number, total: number) => ({ type: 'task-finished' as const, outcome: {} as TaskOutcome, done, total });

describe('progressNotifier', () => {
  it('sends nothing without a progress token', () => {
    const sent: ProgressParams[] = [];
    progressNotifier(undefined, (p) => sent.push(p))()({ type: 'scan-started', scanId: 's', target: 'http://x' });
    expect(sent).toEqual([]);
  });

  it('labels each run, grows by one per notification and throttles task progress but never the last task', () => {
    let now = 0;
    const sent: ProgressParams[] = [];
    const sinks = progressNotifier('tok', (p) => sent.push(p), () => now);
    const cand = sinks('candidate');
    cand({ type: 'scan-started', scanId: 's1', target: 'http://c' });
    cand(finished(1, 3));
    cand(finished(2, 3)); // same instant: throttled
    now += PROGRESS_EVERY_MS;
    cand({ type: 'task-started', task: {} as Task, total: 3 }); // not worth a notification
    cand(finished(3, 3));
    cand({ type: 'verdict', verdict: { pass: false, status: 'fail', reasons: [] } });
    expect(sent.map((p) => p.message)).toEqual(['[candidate] scan s1 of http://c', '[candidate] execute: 1/3 tasks', '[candidate] execute: 3/3 tasks', '[candidate] verdict: fail']);
    expect(sent.map((p) => p.progress)).toEqual([1, 2, 3, 4]);
    expect(new Set(sent.map((p) => p.progressToken))).toEqual(new Set(['tok']));
  });
});
