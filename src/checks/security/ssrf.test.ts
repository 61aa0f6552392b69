// src/checks/security/ssrf.test.ts — a fixture that fetches a caller's URL (vulnerable) beside one that only
// validates it (safe twin); the callback at the out-of-band listener is the proof.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './ssrf.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (_req, res, url) => {
    const target = url.searchParams.get('url') ?? '';
    if (url.pathname === '/fetch') {
      const r = await fetch(target).then((x) => x.status, () => 0);
      return sendJson(res, 200, { fetched: r });
    }
    if (url.pathname === '/check') return sendJson(res, 200, { valid: URL.canParse(target) }); // never fetches
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'url', in: 'query' as const, schema: { type: 'string' } }] });

describe('ssrf', () => {
  it('confirms a parameter the server fetches, with the callback recorded as an exchange', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/fetch')], options: { waitMs: 1500 } });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ vulnClass: 'ssrf', confidence: 'confirmed', parameter: 'query:url' });
    const cb = f.proof.exchanges.find((x) => x.identity === 'oob-callback');
    expect(cb?.request.url).toMatch(/\/v\/[a-f0-9]{16}$/);
    expect(cb?.response?.notes?.[0]).toContain('from 127.0.0.1');
  });

  it('reports nothing on the safe twin that never fetches', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/check')], options: { waitMs: 300 } });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(1); // requestsPerPoint.default for the one URL parameter
  });

  it('is inconclusive with its reason when no listener runs', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/fetch')], oob: false });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('out-of-band listener') });
  });

  it('skips operations without a URL-like parameter', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/x', params: [{ name: 'q', in: 'query', schema: { type: 'string' } }] }] });
    expect(r.skipped.join()).toContain('no parameter looks like a URL');
  });
});
