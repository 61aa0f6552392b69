// src/guard/drift.test.ts — a drift is told once per agent, operation and kind: policy denials, and learned use beyond intent.
import { describe, expect, it } from 'vitest';
import { driftOf } from './drift.js';
import type { GuardRecord } from './records.js';

const rec = (over: Partial<GuardRecord>): GuardRecord => ({ at: 't', session: 's', agent: 'bot', method: 'GET', path: '/api/orders/1', operation: 'GET /api/orders/{id}', decision: 'allow', rule: 'intended: GET /api/orders/*', status: 200, upstreamStatus: 200, ms: 1, requestBytes: 0, responseBytes: 1, learn: false, ...over });

describe('driftOf', () => {
  it('tells a policy denial once, and nothing for allowed intended use or refusals before matching', () => {
    const seen = new Set<string>();
    const denied = rec({ method: 'DELETE', operation: 'DELETE /api/orders/{id}', decision: 'deny', rule: 'denied: DELETE /api/**', status: 403 });
    expect(driftOf(denied, [], seen)).toMatchObject({ event: 'guard-drift', kind: 'denied', operation: 'DELETE /api/orders/{id}', rule: 'denied: DELETE /api/**' });
    expect(driftOf(denied, [], seen)).toBeUndefined();
    expect(driftOf(rec({}), ['GET /api/orders/*'], seen)).toBeUndefined();
    expect(driftOf(rec({ decision: 'deny', rule: 'path-trick:dot-segment' }), [], seen)).toBeUndefined();
    const { operation: _o, ...unmatched } = rec({ path: '/api/x', decision: 'deny', rule: 'unknown-operation' });
    expect(driftOf(unmatched, [], seen)?.operation).toBe('GET /api/x');
  });
  it('under --learn tells use beyond the intended list, per agent', () => {
    const seen = new Set<string>();
    const learned = rec({ rule: 'learn', learn: true, operation: 'GET /api/users/{id}', path: '/api/users/1' });
    expect(driftOf(learned, ['GET /api/orders/*'], seen)?.kind).toBe('beyond-intended');
    expect(driftOf({ ...learned, agent: 'other' }, ['GET /api/orders/*'], seen)?.agent).toBe('other');
    expect(driftOf(rec({ rule: 'learn', learn: true }), ['GET /api/orders/*'], seen)).toBeUndefined();
  });
});
