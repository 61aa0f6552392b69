// src/prioritize/behaviour.test.ts — the gate's behaviour rules: a significant, large latency regression warns by
// default; a slow-down without significance or effect does not; status changes fire `statusChanged` rules.
import { describe, expect, it } from 'vitest';
import type { BehaviourDiff, OperationBehaviour } from '../core/index.js';
import { DEFAULT_RULES, evaluatePolicy } from './policy.js';

const op = (operation: string, latency?: OperationBehaviour['latency'], statusChanges: string[] = []): OperationBehaviour => ({
  operation,
  baseline: { statuses: { '200': 11 }, latency: { samples: 8, p50: 2, p95: 3, p99: 3 } },
  candidate: { statuses: { '200': 11 }, latency: { samples: 8, p50: 1500, p95: 1510, p99: 1510 } },
  statusChanges,
  schemaChanges: [],
  ...(latency ? { latency } : {}),
});

describe('behaviour rules', () => {
  it('warns on a latency regression by default, without failing the verdict', () => {
    const b: BehaviourDiff = { seed: 1, operations: [op('GET /slow', { test: 'mann-whitney-u', pValue: 0.0004, effect: 750, regression: true }), op('GET /noisy', { test: 'mann-whitney-u', pValue: 0.2, effect: 1.1, regression: false })] };
    const v = evaluatePolicy(DEFAULT_RULES, [], undefined, undefined, b);
    expect(v.pass).toBe(true);
    expect(v.reasons).toEqual([{ rule: 'latency-regression', level: 'warn', message: 'latency regression: GET /slow p50 2 → 1500 ms (×750, p=0.0004)', fingerprints: [] }]);
  });

  it('fires a configured statusChanged rule, and nothing without a comparison', () => {
    const rules = [{ id: 'no-new-errors', level: 'fail' as const, when: { behaviour: 'statusChanged' as const } }];
    const b: BehaviourDiff = { operations: [op('GET /users', undefined, ['GET /api/users: 401 → 200'])] };
    expect(evaluatePolicy(rules, [], undefined, undefined, b)).toEqual({ pass: false, status: 'fail', reasons: [{ rule: 'no-new-errors', level: 'fail', message: 'status changed: GET /users: 401 → 200', fingerprints: [] }] });
    expect(evaluatePolicy(rules, []).reasons).toEqual([]);
  });
});
