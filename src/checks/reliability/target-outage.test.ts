// src/checks/reliability/target-outage.test.ts — a target that hangs after GET /crash: the outage is found at that
// request, confirmed by one replay outside safe mode, tentative in safe mode; the safe twin gives nothing.
import { afterEach, describe, expect, it } from 'vitest';
import { fallingServer, type Falling } from '../../../test/support/fault-servers.js';
import { testCheck } from '../kit/tester.js';
import check, { operationOf, replayOf } from './target-outage.js';

const servers: Falling[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const fast = { maxWaitMs: 10_000, firstDelayMs: 100, maxDelayMs: 300, probeTimeoutMs: 250 };
const operations = [
  { method: 'GET', path: '/crash', params: [] },
  { method: 'GET', path: '/items/{id}', params: [] },
];

async function target(crashes: boolean): Promise<Falling> {
  const s = await fallingServer((req) => crashes && req.url === '/crash', 2_000, (_req, res) => res.end('ok'));
  servers.push(s);
  return s;
}

const scan = (s: Falling, safeMode = false) => testCheck(check, { url: s.url, operations, warmup: ['/items/1', '/crash', '/items/2'], outage: fast, timeoutMs: 400, safeMode });

describe('target-outage', () => {
  it('finds the request after which the target stopped answering, confirmed by one replay that brings it down again', async () => {
    const s = await target(true);
    const r = await scan(s);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence, f.proof.summary).toBe('confirmed');
    expect([f.operation.method, f.operation.path]).toEqual(['GET', '/crash']);
    expect(f.proof.summary).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/crash \(exchange x\d+\) was the last request before the target stopped answering: it got TIMEOUT/);
    expect(f.proof.summary).toMatch(/answered again \d+\.\d s later/);
    expect(f.proof.summary).toMatch(/the replay \(exchange x\d+\) brought it down again \(outage-2\); it answered again/);
    // The warm-up's crash and the confirmation replay: exactly one replay.
    expect(s.falls()).toBe(2);
  });

  it('stays tentative in safe mode: the suspect request is not replayed', async () => {
    const s = await target(true);
    const r = await scan(s, true);
    expect(r.findings.map((f) => f.confidence)).toEqual(['tentative']);
    expect(r.findings[0]!.proof.summary).toMatch(/not confirmed: safe mode/);
    expect(s.falls()).toBe(1);
  });

  it('reports nothing on the safe twin that keeps answering', async () => {
    const s = await target(false);
    const r = await scan(s);
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
    expect(r.requests).toBe(0);
  });
});

describe('target-outage helpers', () => {
  const x = (method: string, url: string, body?: string) => ({ id: 'x1', identity: 'alice', timing: { startedAt: 0, totalMs: 1 }, request: { method, url, headers: [['authorization', 'Bearer t'], ['content-type', 'application/json']] as Array<[string, string]>, ...(body ? { body } : {}) } });
  const surface = {
    target: 'http://h',
    warnings: [],
    operations: [
      { id: 'GET /items/{id}', method: 'GET', path: '/items/{id}', params: [], auth: 'unknown' as const, sources: ['spec' as const] },
      { id: 'POST /graphql a', method: 'POST', path: '/graphql', params: [], auth: 'unknown' as const, sources: ['graphql' as const], graphql: { kind: 'query' as const, field: 'alpha', query: '' } },
      { id: 'POST /graphql b', method: 'POST', path: '/graphql', params: [], auth: 'unknown' as const, sources: ['graphql' as const], graphql: { kind: 'query' as const, field: 'beta', query: '' } },
    ],
  };

  it('maps an exchange to its operation template (a GraphQL field in the body picks among shared paths)', () => {
    expect(operationOf(surface, x('GET', 'http://h/items/42?x=1'))).toEqual({ method: 'GET', path: '/items/{id}' });
    expect(operationOf(surface, x('POST', 'http://h/graphql', '{"query":"{ beta { id } }"}'))).toEqual({ method: 'POST', path: '/graphql' });
    expect(operationOf(surface, x('DELETE', 'http://h/other'))).toEqual({ method: 'DELETE', path: '/other' });
  });

  it('replays the request without the credentials the engine adds itself', () => {
    expect(replayOf(x('POST', 'http://h/graphql', '{}'))).toEqual({ method: 'POST', url: 'http://h/graphql', headers: [['content-type', 'application/json']], body: '{}' });
  });
});
