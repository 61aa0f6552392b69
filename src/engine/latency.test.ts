// src/engine/latency.test.ts — percentiles from repeated identical requests only, the Mann-Whitney U test against
// known values, and the behaviour shape diff.
import { describe, expect, it } from 'vitest';
import type { Exchange, Task } from '../core/index.js';
import { shapeChanges } from './behaviour.js';
import { latencyByOperation, latencyStats, mannWhitney } from './latency.js';

const x = (taskId: string, url: string, ms: number): Exchange => ({ id: `${url}-${ms}`, request: { method: 'GET', url, headers: [] }, response: { status: 200, headers: [], body: '' }, timing: { startedAt: 0, totalMs: ms }, identity: 'a', taskId });

describe('latency', () => {
  it('computes nearest-rank percentiles', () => {
    expect(latencyStats([5, 1, 4, 2, 3, 6, 7, 8, 9, 10])).toEqual({ samples: 10, p50: 5, p95: 10, p99: 10 });
  });

  it('takes the largest group of identical requests per operation, and never fewer than 3 samples', () => {
    const tasks: Task[] = [{ id: 't1', checkId: 'c', operationId: 'GET /a', identity: 'a' }, { id: 't2', checkId: 'c', operationId: 'GET /b', identity: 'a' }];
    const xs = [x('t1', '/a', 10), x('t1', '/a', 20), x('t1', '/a', 30), x('t1', '/a?x=1', 99), x('t2', '/b', 5), x('t2', '/b?y', 6)];
    expect(latencyByOperation(xs, tasks)).toEqual({ 'GET /a': { samples: 3, p50: 20, p95: 30, p99: 30 } });
  });

  it('Mann-Whitney: clearly slower samples give a small p, identical ones do not', () => {
    const base = [10, 11, 12, 10, 13, 11, 12, 10];
    expect(mannWhitney(base, base.map((v) => v + 100)).pValue).toBeLessThan(0.001);
    expect(mannWhitney(base, [...base]).pValue).toBeGreaterThan(0.4);
    expect(mannWhitney(base.map((v) => v + 100), base).pValue).toBeGreaterThan(0.99); // one-sided: faster is not slower
  });

  it('lists fields added, removed and retyped', () => {
    expect(shapeChanges({ id: 1, price: 2.5, tags: ['a'] }, { id: 1, price: '2.50', name: 'x' })).toEqual(['.price number → string', '.tags removed', '.tags[] removed', '.name added']);
  });
});
