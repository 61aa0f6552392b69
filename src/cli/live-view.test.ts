// src/cli/live-view.test.ts — the progress state from fake events at fixed times, and its renderings at fixed widths:
// stages, tasks bar, requests/s over a window, ETA, checks in flight, summary lines.
import { describe, expect, it } from 'vitest';
import type { Task, VouchEvent } from '../core/index.js';
import {
  etaMs,
  formatDuration,
  initialView,
  reduceView,
  renderLive,
  renderSummary,
  renderTasksLine,
  requestRate,
  type ViewState,
} from './live-view.js';

const T = 'http://127.0.0.1:9';
/** A task on `GET /api/items<n>`; `null` for a target-wide one. */
const task = (n: number, checkId = 'sql-injection', operationId: string | null = `GET /api/items${n}`, identity = 'alice'): Task => ({
  id: `t${n}`,
  checkId,
  identity,
  ...(operationId ? { operationId } : {}),
});
const ended = (taskId: string, done: number, total: number): VouchEvent => ({ type: 'task-finished', outcome: { taskId, status: 'clean' }, done, total });

/** Replays `[ms, event]` pairs through the reducer. */
function play(events: Array<[number, VouchEvent]>): ViewState {
  return events.reduce((s, [at, e]) => reduceView(s, e, at), initialView());
}

/** A scan 10 s into execute: 1 of 4 tasks done after 2 s there, 3 running, 500 requests over the last 5 s. */
const executing: Array<[number, VouchEvent]> = [
  [0, { type: 'scan-started', scanId: 's1', target: T }],
  [0, { type: 'stage-started', stage: 'discover', target: T }],
  [4_000, { type: 'stage-finished', stage: 'discover', target: T, ms: 4_000, detail: '12 operations' }],
  [7_000, { type: 'stage-started', stage: 'plan', target: T }],
  [7_500, { type: 'stage-finished', stage: 'plan', target: T, ms: 500 }],
  [8_000, { type: 'stage-started', stage: 'execute', target: T }],
  [8_000, { type: 'task-started', task: task(1), total: 4 }],
  [8_100, { type: 'task-started', task: task(2, 'xss-reflected'), total: 4 }],
  [8_200, { type: 'task-started', task: task(3, 'security-headers', null, 'anonymous'), total: 4 }],
  [9_000, { type: 'requests', stage: 'execute', sent: 100 }],
  [10_000, ended('t2', 1, 4)],
  [10_000, { type: 'task-started', task: task(4, 'nosql-injection'), total: 4 }],
  [14_000, { type: 'requests', stage: 'execute', sent: 600 }],
];

describe('the progress state', () => {
  it('follows the stages, with logins between discovery and the plan', () => {
    expect(play(executing.slice(0, 3)).stage).toBe('logins');
    const s = play(executing);
    expect(s.stage).toBe('execute');
    expect(s.finishedStages).toEqual(['discover', 'plan']);
    expect(s.inFlight.map((f) => f.taskId)).toEqual(['t1', 't3', 't4']);
    expect([s.done, s.total, s.sent]).toEqual([1, 4, 600]);
  });

  it('requests/s over the last seconds, falling when nothing is sent', () => {
    const s = play(executing);
    // Base: the newest sample at least 5 s old (9 s, 100 sent): 500 requests in 5 s at 14 s.
    expect(requestRate(s, 14_000)).toBe(100);
    expect(requestRate(s, 19_000)).toBe(50);
    expect(requestRate(initialView(), 1_000)).toBe(0);
  });

  it('ETA from the rate tasks finished at in execute, only once one has', () => {
    const s = play(executing);
    // 1 task in 2 s since execute started at 8 s: 3 left take 6 s.
    expect(etaMs(s, 10_000)).toBe(6_000);
    expect(etaMs(play(executing.slice(0, 8)), 9_000)).toBeUndefined();
    const all = play([...executing, [12_000, ended('t1', 4, 4)]]);
    expect(etaMs(all, 12_000)).toBeUndefined();
  });

  it('formats durations as s, m and h', () => {
    expect([400, 42_000, 185_000, 3_720_000].map(formatDuration)).toEqual(['0s', '42s', '3m05s', '1h02m']);
  });
});

describe('the live block', () => {
  it('shows stage, tasks with a bar, req/s, ETA and the checks in flight, oldest first', () => {
    const out = renderLive(play(executing), 14_000, { width: 100 });
    const lines = out.split('\n');
    expect(lines[0]).toBe(`vouch scan s1  ${T}  14s`);
    expect(lines[1]).toBe('✓ discover  ✓ logins  ✓ plan  ▶ execute  · confirm  · report');
    expect(lines[2]).toMatch(/^\[(█+)(░+)\] 1\/4 tasks {2}25% {2}ETA 18s$/u);
    const cells = /\[([█░]+)\]/u.exec(lines[2]!)![1]!;
    expect(cells.split('█').length - 1).toBe(Math.round(cells.length / 4));
    expect(lines[3]).toBe('600 requests  100 req/s');
    expect(lines.slice(4)).toEqual([
      'in flight (3):',
      '  sql-injection     GET /api/items1  as alice      6s',
      '  security-headers  (whole target)   as anonymous  6s',
      '  nosql-injection   GET /api/items4  as alice      4s',
    ]);
  });

  it('fits every line in a narrow terminal', () => {
    const lines = renderLive(play(executing), 14_000, { width: 40, label: 'candidate' }).split('\n');
    expect(lines[0]).toMatch(/^\[candidate\] vouch scan s1/u);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(39);
    expect(lines.some((l) => l.endsWith('…'))).toBe(true);
    expect(lines[2]).toMatch(/^\[█*░+\] 1\/4 tasks {2}25% {2}ETA/u);
  });

  it('lists a few tasks in flight and counts the rest', () => {
    const many = Array.from({ length: 7 }, (_, i): [number, VouchEvent] => [8_000 + i, { type: 'task-started', task: task(10 + i), total: 20 }]);
    const lines = renderLive(play([...executing.slice(0, 6), ...many]), 9_000, { width: 120 }).split('\n');
    expect(lines.filter((l) => l.startsWith('  sql-injection'))).toHaveLength(4);
    expect(lines).toContain('in flight (7):');
    expect(lines.at(-1)).toBe('  … and 3 more');
    expect(lines.find((l) => l.startsWith('  sql-injection'))).toContain('GET /api/items10');
  });

  it('a stage that says nothing while it runs shows what the one before handed it', () => {
    const s = play([
      ...executing,
      [20_000, { type: 'stage-finished', stage: 'execute', target: T, ms: 12_000, detail: '7 candidates' }],
      [20_000, { type: 'stage-started', stage: 'confirm', target: T }],
    ]);
    const lines = renderLive(s, 23_000, { width: 100 }).split('\n');
    expect(lines[1]).toBe('✓ discover  ✓ logins  ✓ plan  ✓ execute  ▶ confirm  · report');
    expect(lines.at(-1)).toBe('confirm (3s): after execute: 7 candidates');
    expect(lines.join('\n')).not.toMatch(/ETA|in flight/u);
  });

  it('outside execute: what the stage says it is doing, and no ETA', () => {
    const detail = 'browser crawl as alice: 4 pages visited';
    const s = play([...executing.slice(0, 2), [3_000, { type: 'stage-progress', stage: 'discover', target: T, ms: 3_000, detail }]]);
    const lines = renderLive(s, 3_500, { width: 100 }).split('\n');
    expect(lines[1]).toBe('▶ discover  · logins  · plan  · execute  · confirm  · report');
    expect(lines[2]).toBe('0 requests  0.0 req/s');
    expect(lines[3]).toBe('discover (4s): browser crawl as alice: 4 pages visited');
    expect(lines.join('\n')).not.toMatch(/ETA|in flight/u);
  });
});

describe('the summary and plain lines', () => {
  const end = (partial: boolean): Array<[number, VouchEvent]> => [
    ...executing,
    [15_000, { type: 'task-finished', outcome: { taskId: 't1', status: 'crashed', reason: 'boom' }, done: 2, total: 4 }],
    [16_000, { type: 'warning', message: 'w' }],
    [20_000, { type: 'scan-finished', scanId: 's1', target: T, partial }],
  ];

  it('says how the scan ended, with its totals', () => {
    expect(renderSummary(play(end(false)), 99_000)).toBe(
      '✔ scan done in 20s: 2/4 tasks, 600 requests (30.0/s), 0 findings, 1 crashed, 1 warning',
    );
    const notRun: VouchEvent = { type: 'task-finished', outcome: { taskId: 't3', status: 'not-run', reason: 'interrupted' }, done: 3, total: 4 };
    const cut: Array<[number, VouchEvent]> = [[19_000, notRun]];
    const stopped = play([...end(true).slice(0, -1), ...cut, ...end(true).slice(-1)]);
    expect(renderSummary(stopped, 99_000, { label: 'baseline' })).toMatch(
      /^\[baseline\] ■ scan stopped early after 20s: 2\/4 tasks run \(1 not run\), 600 requests/u,
    );
    expect(renderSummary(play(executing), 30_000)).toMatch(/^■ scan ended during execute after 30s: 1\/4 tasks/u);
  });

  it('the plain tasks line has done/total, req/s and ETA', () => {
    expect(renderTasksLine(play(executing), 14_000)).toBe('execute    1/4 tasks (25%), 100 req/s, ETA 18s');
  });
});
