// src/checks/security/technology-disclosure.test.ts — version-bearing Server/X-Powered-By headers, and a twin that names
// its software without a version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { disclosed } from './technology-disclosure.js';

let leaky: Fixture;
let safe: Fixture;
beforeAll(async () => {
  leaky = await serveFixture((_req, res, url) => {
    const headers: Record<string, string> = { server: 'uvicorn', 'x-powered-by': 'Python 3.10, FastAPI ^0.103.0' };
    if (url.pathname === '/legacy') headers['x-aspnet-version'] = '4.0.30319';
    return sendJson(res, 200, { ok: true }, headers);
  });
  // The safe twin names its stack (no version): nothing to look up, no finding.
  safe = await serveFixture((_req, res) => sendJson(res, 200, { ok: true }, { server: 'nginx', 'x-powered-by': 'Express' }));
});
afterAll(async () => {
  await leaky.close();
  await safe.close();
});

describe('technology-disclosure', () => {
  it.each([
    ['x-powered-by', 'PHP/8.2.36', 'PHP 8.2.36'],
    ['server', 'Apache/2.4.57 (Debian)', 'Apache 2.4.57'],
    ['server', 'Microsoft-IIS/10.0', 'Microsoft-IIS 10.0'],
    ['x-powered-by', 'Python 3.10, FastAPI ^0.103.0', 'Python 3.10'],
    ['x-aspnet-version', '4.0.30319', 'ASP.NET 4.0.30319'],
  ])('reads %s: %s as %s', (name, value, what) => {
    expect(disclosed(name, value)).toBe(what);
  });

  it.each([
    ['server', 'nginx'],
    ['server', 'uvicorn'],
    ['x-powered-by', 'Express'],
    ['x-powered-by', 'ASP.NET'],
    ['server', 'cloudflare'],
    ['x-request-id', 'v1.2.3'], // not a software header
  ])('does not read a version from %s: %s', (name, value) => {
    expect(disclosed(name, value)).toBeUndefined();
  });

  it('reports one grouped finding per header, every page a location, the response as proof', async () => {
    const r = await testCheck(check, { url: leaky.url, warmup: ['/healthcheck', '/legacy', '/menu'], operations: [{ method: 'GET', path: '/menu', params: [] }] });
    expect(r.requests).toBe(0);
    const byClass = new Map(r.findings.map((f) => [f.vulnClass, f]));
    expect([...byClass.keys()].sort()).toEqual(['version-disclosure:x-aspnet-version', 'version-disclosure:x-powered-by']);
    const f = byClass.get('version-disclosure:x-powered-by')!;
    expect(f.confidence).toBe('confirmed');
    expect(f.severity).toBe('low');
    expect(f.grouped).toBe(true);
    expect(f.locations?.map((l) => l.path)).toEqual(['/healthcheck', '/legacy', '/menu']);
    expect(f.proof.summary).toContain('x-powered-by: Python 3.10, FastAPI ^0.103.0');
    expect(f.proof.exchanges.length).toBeGreaterThan(0);
    expect(byClass.get('version-disclosure:x-aspnet-version')!.locations?.map((l) => l.path)).toEqual(['/legacy']);
  });

  it('gives no finding when the headers name no version', async () => {
    const r = await testCheck(check, { url: safe.url, warmup: ['/', '/menu'] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('says why it could not judge when nothing was recorded', async () => {
    const r = await testCheck(check, { url: safe.url });
    expect(r.findings).toEqual([]);
    expect(r.outcomes).toMatchObject([{ status: 'inconclusive', reason: expect.stringMatching(/no response/) }]);
  });

  it('leaves out headers the options ignore', async () => {
    const r = await testCheck(check, { url: leaky.url, warmup: ['/legacy'], options: { ignore: ['X-Powered-By'] } });
    expect(r.findings.map((f) => f.vulnClass)).toEqual(['version-disclosure:x-aspnet-version']);
  });
});
