// src/cli/progress.test.ts — progress lines say what a running stage has in flight and when it hit its deadline;
// --json passes every event through as one NDJSON line, new types included.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressSink } from './progress.js';

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
    const sink = progressSink({ json: false, quiet: false });
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
});
