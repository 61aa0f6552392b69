// src/guard/report.test.ts — use against intent: per operation counts, beyond, unused, refusals, and the proposed list.
import { describe, expect, it } from 'vitest';
import type { GuardRecord } from './records.js';
import { guardReportText, guardUsage } from './report.js';

const rec = (over: Partial<GuardRecord>): GuardRecord => ({ at: 't', session: 's', agent: 'bot', method: 'GET', path: '/api/orders', operation: 'GET /api/orders', decision: 'allow', rule: 'learn', status: 200, upstreamStatus: 200, ms: 1, requestBytes: 0, responseBytes: 1, learn: true, ...over });

describe('guardUsage', () => {
  const records = [
    rec({}),
    rec({}),
    rec({ path: '/api/users/3', operation: 'GET /api/users/{id}' }),
    rec({ method: 'DELETE', path: '/api/orders/1', operation: 'DELETE /api/orders/{id}', decision: 'deny', rule: 'denied: DELETE /api/**', status: 403 }),
    rec({ decision: 'deny', rule: 'path-trick:dot-segment', status: 400 }),
    rec({ decision: 'allow', rule: 'intended: GET /api/orders', status: 502 }),
    rec({ agent: '-', decision: 'deny', rule: 'auth:no-token', status: 401 }),
  ];
  delete records[5]!.upstreamStatus;
  it('proposes exactly what was forwarded, and names what went beyond or was never needed', () => {
    const [bot, idle] = guardUsage(records, { bot: ['GET /api/orders', 'GET /api/products'], idle: ['GET /x'] });
    expect(bot).toMatchObject({
      agent: 'bot',
      proposed: ['GET /api/orders', 'GET /api/users/{id}'],
      beyond: ['GET /api/users/{id}'],
      unused: ['GET /api/products'],
      refused: { 'path-trick:dot-segment': 1 },
    });
    expect(bot!.used.find((u) => u.operation === 'GET /api/orders')).toEqual({ operation: 'GET /api/orders', allowed: 2, denied: 1, intendedBy: 'GET /api/orders' });
    expect(bot!.used.find((u) => u.operation === 'DELETE /api/orders/{id}')).toEqual({ operation: 'DELETE /api/orders/{id}', allowed: 0, denied: 1 });
    expect(idle).toMatchObject({ agent: 'idle', used: [], proposed: [], unused: ['GET /x'] });
    const text = guardReportText([bot!], 's');
    expect(text).toContain('BEYOND    GET /api/users/{id}');
    expect(text).toContain('denied    DELETE /api/orders/{id}');
    expect(text).toContain('proposed intended (what it did): ["GET /api/orders","GET /api/users/{id}"]');
  });
});
