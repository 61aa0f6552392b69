// src/net/recorder.test.ts — recorder modes: all, ring buffer, counts only.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../core/index.js';
import { createRecorder } from './recorder.js';

const x = (n: number): Omit<Exchange, 'id'> => ({ request: { method: 'GET', url: `http://h/${n}`, headers: [] }, timing: { startedAt: 0, totalMs: 0 }, identity: 'a' });

describe('recorder', () => {
  it('keeps everything by default', () => {
    const r = createRecorder();
    for (let i = 1; i <= 3; i++) r.add(x(i));
    expect(r.list().map((e) => e.id)).toEqual(['x000001', 'x000002', 'x000003']);
    expect(r.get('x000002')?.request.url).toBe('http://h/2');
  });

  it('keeps the last n in ring mode', () => {
    const r = createRecorder({ ring: 2 });
    for (let i = 1; i <= 5; i++) r.add(x(i));
    expect(r.list().map((e) => e.request.url)).toEqual(['http://h/4', 'http://h/5']);
    expect(r.get('x000003')).toBeUndefined();
    expect(r.get('x000005')?.request.url).toBe('http://h/5');
    expect(r.count).toBe(5);
  });

  it('keeps only a count in counts mode', () => {
    const r = createRecorder('counts');
    expect(r.add(x(1)).id).toBe('x000001');
    expect(r.list()).toEqual([]);
    expect(r.get('x000001')).toBeUndefined();
    expect(r.count).toBe(1);
  });

  it('numbers ids with six digits across thousands and past a million, continuing after restored ones', () => {
    const r = createRecorder('counts');
    r.restore([], 998);
    expect([r.add(x(1)).id, r.add(x(2)).id, r.add(x(3)).id]).toEqual(['x000999', 'x001000', 'x001001']);
    r.restore([{ ...x(4), id: 'x123456' }]);
    expect(r.add(x(5)).id).toBe('x123457');
    r.restore([], 999_999);
    expect([r.add(x(6)).id, r.add(x(7)).id]).toEqual(['x1000000', 'x1000001']);
  });
});
