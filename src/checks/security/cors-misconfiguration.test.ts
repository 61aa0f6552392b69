// src/checks/security/cors-misconfiguration.test.ts — reflected and null origins with credentials, and safe CORS policies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './cors-misconfiguration.js';

let app: Fixture;
let seen = 0;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const origin = req.headers.origin ?? '';
    const cred = { 'access-control-allow-credentials': 'true' };
    switch (url.pathname) {
      case '/reflect':
      case '/reflect2':
        return sendJson(res, 200, { me: 'a' }, origin ? { 'access-control-allow-origin': origin, ...cred } : {});
      case '/null':
        return sendJson(res, 200, { me: 'a' }, origin === 'null' ? { 'access-control-allow-origin': 'null', ...cred } : {});
      case '/allowlist':
        return sendJson(res, 200, { me: 'a' }, origin === 'https://app.example.com' ? { 'access-control-allow-origin': origin, ...cred } : { 'access-control-allow-origin': 'https://app.example.com', ...cred });
      case '/regex': // an unescaped, start-unanchored pattern, as in `.*.app.example.com`
      case '/regex-strict': {
        const ok = url.pathname === '/regex' ? /^.*.app.example.com$/.test(origin) : /^https:\/\/([a-z0-9-]+\.)?app\.example\.com$/.test(origin);
        return sendJson(res, 200, { me: 'a' }, ok ? { 'access-control-allow-origin': origin, ...cred } : {});
      }
      case '/star':
        return sendJson(res, 200, { public: true }, { 'access-control-allow-origin': '*' });
      case '/star-private': // `*` on an answer that needs a token; anonymous is refused (with `*` too)
      case '/star-private2':
        return req.headers.authorization === 'Bearer t0k'
          ? sendJson(res, 200, { cards: ['4111…'] }, { 'access-control-allow-origin': '*' })
          : sendJson(res, 401, { error: 'unauthorized' }, { 'access-control-allow-origin': '*' });
      case '/star-open': // declared as needing sign-in, but answers anyone: public data, `*` is fine
        return sendJson(res, 200, { products: [] }, { 'access-control-allow-origin': '*' });
      case '/reflect-no-cred':
        return sendJson(res, 200, { public: true }, { 'access-control-allow-origin': origin });
      case '/first-only': // reflects the first origin it ever sees, then a fixed one (a cache, say)
        return sendJson(res, 200, {}, { 'access-control-allow-origin': seen++ === 0 ? origin : 'https://app.example.com', ...cred });
      case '/down':
        return req.socket.destroy();
      default:
        return sendJson(res, 404, {});
    }
  });
});
afterAll(() => app.close());

const op = (path: string, auth: 'none' | 'required' = 'none') => ({ method: 'GET', path, params: [], auth });

describe('cors-misconfiguration', () => {
  it('confirms a look-alike of a trusted origin let through by a sloppy regex, not by a strict one', async () => {
    const options = { trustedOrigins: ['https://app.example.com'] };
    const r = await testCheck(check, { url: app.url, operations: [op('/regex')], options });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['cors-origin-check-bypass', 'confirmed']]);
    expect(r.findings[0]!.proof.payload).toMatch(/^Origin: https:\/\/vouch[0-9a-f]+-app\.example\.com$/);
    const strict = await testCheck(check, { url: app.url, operations: [op('/regex-strict')], options });
    expect(strict.findings).toEqual([]);
    const unknown = await testCheck(check, { url: app.url, operations: [op('/regex')] });
    expect(unknown.findings, 'no trusted origin known: nothing to imitate').toEqual([]);
  });

  it('confirms a reflected origin with credentials using a second random origin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/reflect', 'required')], identities: [{ name: 'alice', role: 'user', auth: { kind: 'bearer', token: 't0k' } }] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.vulnClass).toBe('cors-reflect-origin');
    expect(f.confidence).toBe('confirmed');
    expect(f.severity).toBe('high');
    const [a, b] = f.proof.exchanges.map((x) => x.request.headers.find(([k]) => k === 'origin')?.[1]);
    expect(a).toMatch(/^https:\/\/vouch-cors-[0-9a-f]+\.example$/);
    expect(b).toMatch(/^https:\/\/vouch-cors-[0-9a-f]+\.example$/);
    expect(a).not.toBe(b);
    expect(r.requests).toBe(2);
  });

  it('confirms a trusted null origin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/null')] });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence, f.severity])).toEqual([['cors-null-origin', 'confirmed', 'medium']]);
    expect(r.requests).toBe(3);
  });

  it.each(['/allowlist', '/star', '/reflect-no-cred'])('reports nothing for the safe policy %s', async (path) => {
    const r = await testCheck(check, { url: app.url, operations: [op(path)] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBeLessThanOrEqual(2);
  });

  it('stays tentative when a second origin is not reflected', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/first-only')] });
    expect(r.findings.map((f) => f.confidence)).toEqual(['tentative']);
  });

  it('only sends to GET operations without path parameters', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'POST', path: '/reflect', params: [] }, { method: 'GET', path: '/users/{id}', params: [{ name: 'id', in: 'path' }] }] });
    expect(r.requests).toBe(0);
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no GET operation') });
  });

  it('groups one app-wide policy into one finding with every affected operation as a location', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/star'), op('/reflect2'), op('/allowlist'), op('/reflect')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.operation.path).toBe('/reflect'); // sorted by route: stable fingerprint
    expect(r.findings[0]!.locations?.map((l) => l.path)).toEqual(['/reflect', '/reflect2']);
    expect(r.findings[0]!.confidence).toBe('confirmed');
  });

  it('is inconclusive when the target fails', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/down')] });
    expect(r.outcomes[0]?.status).toBe('inconclusive');
  });

  it('reports * on answers that need a token (anonymous refused), grouped, and confirms it by a replay and control', async () => {
    const identities = [{ name: 'anonymous', role: 'anonymous' as const, auth: { kind: 'none' as const } }, { name: 'alice', role: 'user' as const, auth: { kind: 'bearer' as const, token: 't0k' } }];
    const r = await testCheck(check, { url: app.url, operations: [op('/star-private2', 'required'), op('/star-private', 'required'), op('/star')], identities });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence, f.severity, f.operation.path])).toEqual([['cors-wildcard', 'confirmed', 'low', '/star-private']]);
    const f = r.findings[0]!;
    expect(f.locations?.map((l) => l.path)).toEqual(['/star-private', '/star-private2']);
    expect(f.proof.summary).toMatch(/as alice → 200 with Access-Control-Allow-Origin: \*, while the same request without credentials gets 401/);
    expect(f.proof.exchanges.length).toBe(4); // the signed-in answer, the anonymous control, and both again on confirm
  });

  it('reports no * finding on public answers, nor when no anonymous identity can show the answer is private', async () => {
    const identities = [{ name: 'anonymous', role: 'anonymous' as const, auth: { kind: 'none' as const } }, { name: 'alice', role: 'user' as const, auth: { kind: 'bearer' as const, token: 't0k' } }];
    const open = await testCheck(check, { url: app.url, operations: [op('/star-open', 'required'), op('/star')], identities });
    expect(open.findings).toEqual([]);
    expect(open.outcomes.map((o) => o.status)).toEqual(['clean']);
    const noAnon = await testCheck(check, { url: app.url, operations: [op('/star-private', 'required')], identities: [identities[1]!] });
    expect(noAnon.findings).toEqual([]);
  });
});
