// src/cli/live.test.ts — the live view on a fake terminal (isTTY, 80 columns): what the screen shows after the escape
// sequences are applied — the block, warnings and foreign writes kept above it, the summary at the end, ≤ 10 frames/s.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { VouchEvent } from '../core/index.js';
import { createLiveView } from './live.js';

afterEach(() => vi.useRealTimers());

const T = 'http://127.0.0.1:9';
const ESC = String.fromCharCode(27);

/** A terminal that applies what log-update writes (cursor up/down/column, erase line) to a screen of lines. */
function fakeTerminal(columns = 80) {
  const screen: string[] = [''];
  let row = 0;
  let col = 0;
  const chunks: string[] = [];
  const put = (ch: string): void => {
    const line = (screen[row] ?? '').padEnd(col);
    screen[row] = line.slice(0, col) + ch + line.slice(col + 1);
    col++;
  };
  const apply = (s: string): void => {
    const re = new RegExp(`${ESC}\\[(\\??)(\\d*)([A-Za-z])|([^${ESC}])`, 'gu');
    for (const m of s.matchAll(re)) {
      if (m[4] === '\n') {
        row++;
        col = 0;
        screen[row] ??= '';
      } else if (m[4] !== undefined) put(m[4]);
      else if (m[1] === '?') continue; // cursor visibility, synchronized output
      else {
        const n = m[2] ? Number(m[2]) : 1;
        if (m[3] === 'A') row = Math.max(0, row - n);
        else if (m[3] === 'B') row += n;
        else if (m[3] === 'G') col = n - 1;
        else if (m[3] === 'K') screen[row] = m[2] === '2' ? '' : (screen[row] ?? '').slice(0, col);
        screen[row] ??= '';
      }
    }
  };
  const stream = {
    isTTY: true,
    columns,
    rows: 24,
    write(chunk: string | Uint8Array): boolean {
      chunks.push(String(chunk));
      apply(String(chunk));
      return true;
    },
  };
  /** The screen's lines, trailing spaces and empty lines dropped. */
  const lines = (): string[] => screen.map((l) => l.trimEnd()).filter(Boolean);
  return { stream, chunks, lines };
}

const start: VouchEvent[] = [
  { type: 'scan-started', scanId: 's1', target: T },
  { type: 'stage-started', stage: 'execute', target: T },
  {
    type: 'task-started',
    task: { id: 't1', checkId: 'sql-injection', operationId: 'GET /api/items', identity: 'alice' },
    total: 10,
  },
];

describe('the live view', () => {
  it('draws the block in place and keeps warnings above it', () => {
    const term = fakeTerminal();
    let now = 0;
    const live = createLiveView({ stream: term.stream, now: () => now });
    for (const e of start) live.sink(e);
    now = 2_000;
    live.draw();
    expect(term.lines()).toEqual([
      `vouch scan s1  ${T}  2s`,
      // Stages before the first one seen are done (a resumed scan starts at execute).
      '✓ discover  ✓ logins  ✓ plan  ▶ execute  · confirm  · report',
      expect.stringMatching(/^\[░+\] 0\/10 tasks {3}0% {2}ETA …$/u),
      '0 requests  0.0 req/s',
      'in flight (1):',
      '  sql-injection  GET /api/items  as alice  2s',
    ]);
    live.sink({ type: 'task-finished', outcome: { taskId: 't1', status: 'clean' }, done: 1, total: 10 });
    live.sink({ type: 'warning', message: 'identity bob: login failed; its tasks are skipped' });
    live.draw();
    const lines = term.lines();
    expect(lines[0]).toBe('warning: identity bob: login failed; its tasks are skipped');
    expect(lines.filter((l) => l.startsWith('vouch scan s1'))).toHaveLength(1);
    expect(lines[3]).toMatch(/^\[█+░+\] 1\/10 tasks {2}10%/u);
    expect(lines.join('\n')).not.toContain('in flight');
    live.close();
  });

  it('what others write to the terminal goes above the block, which is drawn again below it', () => {
    const term = fakeTerminal();
    const stdout = fakeTerminal();
    const live = createLiveView({ stream: term.stream, shared: [stdout.stream], now: () => 1_000 });
    for (const e of start) live.sink(e);
    live.draw();
    term.stream.write('\ninterrupted (SIGINT): finishing what is in flight\n');
    expect(term.lines()).toEqual(['interrupted (SIGINT): finishing what is in flight']);
    stdout.stream.write('to stdout\n');
    expect(stdout.chunks).toEqual(['to stdout\n']);
    // Drawn again with the next event, not before (an error's message stays the last thing on screen).
    live.draw();
    expect(term.lines()).toEqual(['interrupted (SIGINT): finishing what is in flight']);
    live.sink({ type: 'requests', stage: 'execute', sent: 5 });
    live.draw();
    expect(term.lines()[0]).toBe('interrupted (SIGINT): finishing what is in flight');
    expect(term.lines()[1]).toBe(`vouch scan s1  ${T}  0s`);
    live.close();
  });

  it('at the end of the scan: the summary line, the cursor back, the streams given back, later events handed on', () => {
    const term = fakeTerminal();
    const original = term.stream.write;
    const after = vi.fn();
    const listeners = process.listenerCount('exit');
    const live = createLiveView({ stream: term.stream, now: () => 30_000, after });
    live.sink({ ...start[0]!, scanId: 's2' } as VouchEvent);
    expect(term.stream.write).not.toBe(original);
    expect(process.listenerCount('exit')).toBe(listeners + 1);
    for (const e of start.slice(1)) live.sink(e);
    live.draw();
    live.sink({ type: 'verdict', verdict: { status: 'fail', pass: false, reasons: [] } });
    live.sink({ type: 'scan-finished', scanId: 's2', target: T, partial: false });
    expect(term.lines()).toEqual(['✔ scan done in 0s: 0/10 tasks, 0 requests (0.0/s), 0 findings, verdict fail']);
    expect(term.chunks.at(-1)).toBe('\u001B[?25h');
    expect(term.stream.write).toBe(original);
    expect(process.listenerCount('exit')).toBe(listeners);
    const report: VouchEvent = { type: 'stage-finished', stage: 'report', target: T, ms: 12, detail: '5 files' };
    live.sink(report);
    expect(after).toHaveBeenCalledWith(report);
  });

  it('closed before the scan finished (an error, an exit): says where it ended', () => {
    const term = fakeTerminal(120);
    let now = 0;
    const live = createLiveView({ stream: term.stream, now: () => now });
    for (const e of start) live.sink(e);
    live.draw();
    now = 65_000;
    live.close();
    live.close();
    expect(term.lines()).toEqual(['■ scan ended during execute after 1m05s: 0/10 tasks, 0 requests (0.0/s), 0 findings']);
  });

  it('an error written while the block is shown stays the last thing on screen', () => {
    const term = fakeTerminal(120);
    const live = createLiveView({ stream: term.stream, now: () => 0 });
    for (const e of start) live.sink(e);
    live.draw();
    term.stream.write('error VOUCH_TARGET_UNREACHABLE: http://127.0.0.1:1: connect ECONNREFUSED\n');
    live.draw();
    live.close();
    expect(term.lines()).toEqual(['error VOUCH_TARGET_UNREACHABLE: http://127.0.0.1:1: connect ECONNREFUSED']);
    expect(term.chunks.at(-1)).toBe('\u001B[?25h');
  });

  it('redraws at most ten times a second however many events arrive', () => {
    vi.useFakeTimers();
    const term = fakeTerminal();
    const live = createLiveView({ stream: term.stream, now: () => Date.now() });
    for (const e of start) live.sink(e);
    const before = term.chunks.length;
    for (let i = 1; i <= 200; i++) {
      live.sink({ type: 'task-finished', outcome: { taskId: `x${i}`, status: 'clean' }, done: i, total: 1_000 });
      vi.advanceTimersByTime(5);
    }
    const frames = term.chunks.length - before;
    expect(frames).toBeGreaterThanOrEqual(5);
    expect(frames).toBeLessThanOrEqual(10);
    live.close();
  });
});
