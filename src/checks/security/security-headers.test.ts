// src/checks/security/security-headers.test.ts — security headers on pages without protections and on a hardened twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { weakCsp } from './security-headers.js';

const HARDENED = {
  'content-security-policy': "default-src 'self'; script-src 'self' 'nonce-abc'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
};

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const p = url.pathname;
    if (p.startsWith('/bare/')) return sendHtml(res, 200, '<h1>bare</h1>');
    if (p.startsWith('/safe/')) return sendHtml(res, 200, '<h1>safe</h1>', HARDENED);
    if (p === '/xfo') return sendHtml(res, 200, '<h1>xfo</h1>', { 'content-security-policy': "script-src 'self'", 'x-frame-options': 'DENY', 'x-content-type-options': 'nosniff' });
    if (p === '/weak') return sendHtml(res, 200, '<h1>weak</h1>', { ...HARDENED, 'content-security-policy': "script-src 'self' 'unsafe-inline'; frame-ancestors 'self'" });
    if (p === '/api') return sendJson(res, 200, { ok: true }); // not HTML: headers do not matter here
    if (p === '/missing') return sendHtml(res, 404, '<h1>not found</h1>'); // not 2xx
    return sendHtml(res, 404, 'no');
  });
});
afterAll(() => app.close());

describe('security-headers', () => {
  it('judges CSP strength by script-src, nonces and hashes', () => {
    expect(weakCsp("script-src 'self' 'unsafe-inline'")).toMatch(/unsafe-inline/);
    expect(weakCsp("script-src 'self' 'unsafe-inline' 'nonce-r4nd'")).toBeUndefined();
    expect(weakCsp("default-src 'self' 'unsafe-inline' 'sha256-abc='")).toBeUndefined();
    expect(weakCsp("frame-ancestors 'none'")).toMatch(/unrestricted/);
    expect(weakCsp("default-src 'self'")).toBeUndefined();
  });

  it('reports one confirmed finding per missing header, listing every page once', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/bare/a', '/bare/b', '/bare/a', '/bare/c?x=1', '/api', '/missing'] });
    expect(r.findings.map((f) => f.vulnClass).sort()).toEqual(['missing-header:content-security-policy', 'missing-header:x-content-type-options', 'missing-header:x-frame-options']);
    for (const f of r.findings) {
      expect(f.confidence).toBe('confirmed');
      expect(f.operation).toEqual({ method: 'GET', path: '/bare/a' });
      expect(f.locations?.map((l) => l.path)).toEqual(['/bare/a', '/bare/b', '/bare/c']);
      expect(f.proof.exchanges).toHaveLength(3);
      expect(f.proof.exchanges[0]!.response?.status).toBe(200);
    }
    expect(r.findings.find((f) => f.vulnClass.endsWith('content-security-policy'))?.severity).toBe('medium');
    expect(r.findings.find((f) => f.vulnClass.endsWith('x-frame-options'))?.severity).toBe('low');
    expect(r.requests).toBe(0); // passive: never sends
  });

  it('maps pages to surface operation templates', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/bare/42'], operations: [{ method: 'GET', path: '/bare/{id}', params: [] }] });
    expect(r.findings[0]?.operation).toEqual({ method: 'GET', path: '/bare/{id}' });
  });

  it('reports nothing on the hardened twin, and accepts X-Frame-Options instead of frame-ancestors', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/safe/a', '/safe/b', '/xfo', '/api'] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(0);
  });

  it('flags a CSP that allows inline script as weak, not missing', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/weak'] });
    expect(r.findings.map((f) => f.vulnClass)).toEqual(['weak-header:content-security-policy']);
  });

  it('honours the require option', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/bare/a'], options: { require: ['nosniff'] } });
    expect(r.findings.map((f) => f.vulnClass)).toEqual(['missing-header:x-content-type-options']);
  });

  it('is inconclusive when no HTML page was recorded', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/api'] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive' });
  });
});
