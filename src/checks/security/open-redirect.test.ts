// src/checks/security/open-redirect.test.ts — open redirects (absolute and scheme-relative), a relative-only twin and
// redirects that only mention the attacker host.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { redirectPoints } from './open-redirect.js';

let app: Fixture;
let once = 0;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const next = url.searchParams.get('next') ?? url.searchParams.get('q') ?? '/';
    const go = (location: string): void => {
      res.writeHead(302, { location });
      res.end();
    };
    switch (url.pathname) {
      case '/open':
        return go(next);
      case '/naive': // blocks absolute URLs only: `//host/` slips through
        return go(/^https?:/i.test(next) ? '/' : next);
      case '/slashes': // blocks absolute and scheme-relative URLs, but not a backslash after the slash
        return go(/^https?:/i.test(next) || next.startsWith('//') ? '/' : next);
      case '/safe': // relative paths only
        return go(next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/');
      case '/login-wrap': // the attacker host appears, but only inside a same-site URL
        return go(`/login?next=${encodeURIComponent(next)}`);
      case '/echo': // reflects in a 200 page, no redirect
        return sendHtml(res, 200, `<a href="${next}">continue</a>`);
      case '/once':
        return once++ === 0 ? go(next) : go('/');
      default:
        return sendHtml(res, 404, 'no');
    }
  });
});
afterAll(() => app.close());

const op = (path: string, name = 'next', example = '/home') => ({ method: 'GET', path, params: [{ name, in: 'query' as const, schema: { type: 'string' }, examples: [example] }] });

describe('open-redirect', () => {
  it('picks parameters by name or URL-like value', () => {
    expect(redirectPoints({ ...op('/x', 'returnTo', 'x'), id: 'x', auth: 'none', sources: [] }).map((p) => p.name)).toEqual(['returnTo']);
    expect(redirectPoints({ ...op('/x', 'q', '/account'), id: 'x', auth: 'none', sources: [] }).map((p) => p.name)).toEqual(['q']);
    expect(redirectPoints({ ...op('/x', 'q', 'shoes'), id: 'x', auth: 'none', sources: [] })).toEqual([]);
  });

  it('confirms an open redirect with a fresh attacker host, without following it', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/open')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('query:next');
    expect(f.proof.exchanges.map((x) => x.response?.status)).toEqual([302, 302]);
    expect(f.proof.payload).toMatch(/^https:\/\/vouch-redirect-[0-9a-f]+\.example\/$/);
    expect(r.requests).toBe(2); // one probe, one confirmation; nothing followed
  });

  it('finds the scheme-relative bypass of an absolute-URL filter', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/naive', 'q', '/account')] });
    expect(r.findings.map((f) => [f.confidence, f.proof.payload?.slice(0, 17)])).toEqual([['confirmed', '//vouch-redirect-']]);
    expect(r.requests).toBeLessThanOrEqual(3);
  });

  it('at high strength finds the /\\host bypass a default scan does not try', async () => {
    const def = await testCheck(check, { url: app.url, operations: [op('/slashes')] });
    expect(def.findings).toEqual([]);
    const high = await testCheck(check, { url: app.url, operations: [op('/slashes')], strength: 'high' });
    expect(high.findings.map((f) => [f.confidence, f.proof.payload?.slice(0, 17)])).toEqual([['confirmed', '/\\vouch-redirect-']]);
    const safe = await testCheck(check, { url: app.url, operations: [op('/safe')], strength: 'high' });
    expect(safe.findings).toEqual([]);
    expect(safe.requests).toBe(check.requestsPerPoint!.high);
  });

  it.each(['/safe', '/login-wrap', '/echo'])('reports nothing for %s', async (path) => {
    const r = await testCheck(check, { url: app.url, operations: [op(path)] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBeLessThanOrEqual(2);
  });

  it('stays tentative when the replay does not redirect to the fresh host', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/once')] });
    expect(r.findings.map((f) => f.confidence)).toEqual(['tentative']);
  });

  it('skips operations without a redirect-like parameter', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/open', 'q', 'shoes')] });
    expect(r.skipped).toEqual(['GET /open: no parameter looks like a redirect destination']);
    expect(r.requests).toBe(0);
  });
});
