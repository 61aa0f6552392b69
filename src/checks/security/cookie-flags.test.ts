// src/checks/security/cookie-flags.test.ts — cookie flags on a careless session cookie, a hardened twin and harmless cookies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { parseSetCookie, sessionLike } from './cookie-flags.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const cookies: Record<string, string[]> = {
      '/login': ['sid=s3cr3tSessionValue123; Path=/'],
      '/home': ['sid=s3cr3tSessionValue123; Path=/', 'theme=dark; Path=/'],
      '/safe': ['sid=s3cr3tSessionValue123; Path=/; HttpOnly; SameSite=Lax', 'auth_token=x; HttpOnly; SameSite=Strict; Secure'],
      '/opaque': ['pref=Zq8xY2mK0pLr4TnW9vBc7Hd3; HttpOnly'], // random value, innocent name: still session-like
      '/harmless': ['theme=dark', 'lang=en-GB; Path=/', 'consent=yes'],
      '/logout': ['sid=; Max-Age=0; Path=/', 'token=deleted; Expires=Thu, 01 Jan 1970 00:00:00 GMT'],
    };
    const set = cookies[url.pathname];
    if (!set) return sendHtml(res, 404, 'no');
    res.setHeader('set-cookie', set);
    return sendHtml(res, 200, '<p>ok</p>');
  });
});
afterAll(() => app.close());

describe('cookie-flags', () => {
  it('parses Set-Cookie and recognizes session-like cookies', () => {
    const c = parseSetCookie('connect.sid=abc; Path=/; HttpOnly; SameSite=Lax')!;
    expect(c.name).toBe('connect.sid');
    expect(c.attrs.has('httponly')).toBe(true);
    expect(c.attrs.get('samesite')).toBe('Lax');
    expect(sessionLike(c)).toBe(true);
    expect(sessionLike(parseSetCookie('theme=dark')!)).toBe(false);
    expect(sessionLike(parseSetCookie('note=aaaaaaaaaaaaaaaaaaaaaaaaaaaa1')!)).toBe(false); // long but not random
    expect(sessionLike(parseSetCookie('pref=Zq8xY2mK0pLr4TnW9vBc7Hd3')!)).toBe(true);
  });

  it('confirms a session cookie without HttpOnly and SameSite, one finding per flag, pages deduped', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/login', '/home', '/login'] });
    expect(r.findings.map((f) => f.vulnClass).sort()).toEqual(['cookie-no-httponly:sid', 'cookie-no-samesite:sid']);
    const f = r.findings.find((x) => x.vulnClass === 'cookie-no-httponly:sid')!;
    expect(f.confidence).toBe('confirmed');
    expect(f.severity).toBe('medium');
    // Sorted, whatever order the pages were recorded in; the first is the finding's operation.
    expect(f.locations?.map((l) => l.path)).toEqual(['/home', '/login']);
    expect(f.operation.path).toBe('/home');
    expect(f.grouped).toBe(true);
    const reversed = await testCheck(check, { url: app.url, warmup: ['/home', '/login'] });
    expect(reversed.findings.map((x) => x.fingerprint).sort()).toEqual(r.findings.map((x) => x.fingerprint).sort());
    expect(f.proof.evidence).not.toContain('s3cr3t');
    expect(r.findings.find((x) => x.vulnClass.startsWith('cookie-no-samesite'))?.severity).toBe('low');
    expect(r.requests).toBe(0);
  });

  it('does not ask for Secure on plain http, and flags a random-valued cookie by its value', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/opaque'] });
    expect(r.findings.map((f) => f.vulnClass)).toEqual(['cookie-no-samesite:pref']);
  });

  it('reports nothing for the hardened twin, harmless cookies and deleting cookies', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/safe', '/harmless', '/logout'] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(0);
  });

  it('honours the ignore and sessionCookies options', async () => {
    const r = await testCheck(check, { url: app.url, warmup: ['/home', '/harmless'], options: { ignore: ['sid'], sessionCookies: ['consent'] } });
    expect(r.findings.map((f) => f.vulnClass).sort()).toEqual(['cookie-no-httponly:consent', 'cookie-no-samesite:consent']);
  });
});
