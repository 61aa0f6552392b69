// src/cli/progress.test.ts — progress lines say what a running stage has in flight and when it hit its deadline;
// --json passes every event through as one NDJSON line, new types included; plain lines every 10 % of tasks or 10 s
// with req/s and ETA; the live view only on a terminal outside CI.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VouchEvent } from '../core/index.js';
import { progressSink, wantsLive } from './progress.js';

afterEach(() => vi.restoreAllMocks());

function capture(stream: NodeJS.WriteStream): string[] {
  const lines: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('progress', () => {
  it('prints what is in flight and a reached deadline as lines on stderr', () => {
    const err = capture(process.stderr);
    const sink = progressSink({ json: false, quiet: false, live: false });
    sink({ type: 'stage-progress', stage: 'discover', target: 'http://t', ms: 20_400, detail: 'browser crawl as anonymous: 6 pages visited, 2 in flight, 31 requests' });
    sink({ type: 'stage-deadline', stage: 'execute', target: 'http://t', deadlineMs: 90_000 });
    expect(err).toEqual([
      'discover   … browser crawl as anonymous: 6 pages visited, 2 in flight, 31 requests (20 s)\n',
      'execute    deadline of 90 s reached: ending with what it has\n',
    ]);
  });

  it('--json: the new event types are NDJSON lines like the others', () => {
    const out = capture(process.stdout);
    progressSink({ json: true, quiet: false })({ type: 'stage-progress', stage: 'execute', target: 'http://t', ms: 10_000, detail: '3/40 tasks done; 120 requests sent' });
    expect(out.map((l) => JSON.parse(l) as unknown)).toEqual([{ type: 'stage-progress', stage: 'execute', target: 'http://t', ms: 10_000, detail: '3/40 tasks done; 120 requests sent' }]);
  });

  it('plain lines: one per stage, the tasks every 10 % or 10 s with req/s and ETA, a summary at the end', () => {
    const out: string[] = [];
    const stream = { write: (c: string | Uint8Array): boolean => out.push(String(c)) > 0 };
    let now = 0;
    const sink = progressSink({ json: false, quiet: false, live: false, stream, now: () => now, label: 'candidate' });
    const T = 'http://t';
    sink({ type: 'scan-started', scanId: 's1', target: T });
    sink({ type: 'stage-started', stage: 'execute', target: T });
    for (let done = 1; done <= 40; done++) {
      now = done * 500;
      if (done === 20) sink({ type: 'requests', stage: 'execute', sent: 1_000 });
      sink({ type: 'task-started', task: { id: `t${done}`, checkId: 'c', identity: 'alice' }, total: 40 });
      sink({ type: 'task-finished', outcome: { taskId: `t${done}`, status: 'clean' }, done, total: 40 });
    }
    sink({ type: 'stage-finished', stage: 'execute', target: T, ms: 20_000, detail: '0 candidates' });
    sink({ type: 'scan-finished', scanId: 's1', target: T, partial: false });
    const tasks = out.filter((l) => l.includes(' tasks ('));
    // 10 % steps of 40 tasks: at 1 (0 %), 4, 8, …, 40.
    expect(tasks).toHaveLength(11);
    expect(tasks[0]).toBe('[candidate] execute    1/40 tasks (2%), 0.0 req/s\n');
    // 20 tasks in 10 s: 20 left take 10 s; 1,000 requests in the 10 s since the scan started.
    expect(tasks[5]).toBe('[candidate] execute    20/40 tasks (50%), 100 req/s, ETA 10s\n');
    expect(out).toContain('[candidate] execute    0 candidates (20000 ms)\n');
    expect(out.at(-1)).toBe('[candidate] ✔ scan done in 20s: 40/40 tasks, 1000 requests (50.0/s), 0 findings\n');
  });

  it('plain lines: a slow stage still gets a tasks line every 10 s', () => {
    const out: string[] = [];
    let now = 0;
    const stream = { write: (c: string | Uint8Array): boolean => out.push(String(c)) > 0 };
    const sink = progressSink({ json: false, quiet: false, live: false, stream, now: () => now });
    const finished = (done: number): VouchEvent => ({
      type: 'task-finished',
      outcome: { taskId: `t${done}`, status: 'clean' },
      done,
      total: 1_000,
    });
    for (let done = 1; done <= 30; done++) {
      now = done * 1_000;
      sink(finished(done));
    }
    // 30 tasks of 1,000 stay in the first 10 %: a line for the first, then one every 10 s.
    expect(out.map((l) => l.split(' tasks')[0])).toEqual(['execute    1/1000', 'execute    11/1000', 'execute    21/1000']);
  });

  it('--quiet prints nothing; the live view only on a terminal outside CI', () => {
    const out: string[] = [];
    const terminal = { isTTY: true, write: (c: string | Uint8Array): boolean => out.push(String(c)) > 0 };
    progressSink({ json: false, quiet: true, stream: terminal })({ type: 'warning', message: 'w' });
    expect(out).toEqual([]);
    const tty = { isTTY: true, write: (): boolean => true };
    expect(wantsLive(tty, {})).toBe(true);
    expect(wantsLive(tty, { CI: '1' })).toBe(false);
    expect(wantsLive({ write: (): boolean => true }, {})).toBe(false);
  });
});
