// src/checks/security/csrf.test.ts — csrf against a fixture with cookie sessions: a token-less password-change GET
// form (confirmed, the password never changed), its twins that check a token or the Referer (no finding), a POST form
// without a token (tentative, never submitted) and one with a token (no finding).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendHtml, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './csrf.js';

let app: Fixture;
let password = 'Alice-Pw-1';
/** Every new password the fixture was asked to set (whatever it did with it). */
const setTo: string[] = [];
const sessions = new Map<string, string>(); // sid → csrf token
let cookieAttrs = '';

const page = (body: string): string => `<!doctype html><html><body>${body}</body></html>`;
const passwordForm = (extra = ''): string =>
  `<form action="#" method="GET">New:<input type="password" name="password_new"> Again:<input type="password" name="password_conf">${extra}<input type="submit" name="Change" value="Change"></form>`;

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const sid = /(?:^|;\s*)sid=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const token = sid ? sessions.get(sid) : undefined;
    if (url.pathname === '/login' && req.method === 'POST') {
      const f = new URLSearchParams(req.body);
      if (f.get('username') !== 'alice' || f.get('password') !== password) return sendHtml(res, 401, page('wrong'));
      const id = randomBytes(12).toString('hex');
      sessions.set(id, randomBytes(8).toString('hex'));
      res.writeHead(302, { location: '/', 'set-cookie': `sid=${id}; Path=/; HttpOnly${cookieAttrs}` });
      return res.end();
    }
    if (token === undefined) {
      res.writeHead(302, { location: '/login' });
      return res.end();
    }
    const q = url.searchParams;
    const change = (): string => {
      setTo.push(q.get('password_new') ?? '');
      if (q.get('password_new') !== q.get('password_conf')) return '<pre>Passwords did not match.</pre>';
      password = q.get('password_new') ?? password;
      return '<pre>Password Changed.</pre>';
    };
    if (url.pathname === '/vuln/password') return sendHtml(res, 200, page(`${passwordForm()}${q.has('Change') ? change() : ''}`));
    if (url.pathname === '/safe/password') {
      if (q.has('Change') && q.get('csrf_token') !== token) {
        res.writeHead(302, { location: '/safe/password' });
        return res.end();
      }
      return sendHtml(res, 200, page(`${passwordForm(`<input type="hidden" name="csrf_token" value="${token}">`)}${q.has('Change') ? change() : ''}`));
    }
    if (url.pathname === '/referer/password') {
      const same = (req.headers.referer ?? '').startsWith(app.url);
      const said = !q.has('Change') ? '' : same ? change() : "<pre>That request didn't look correct.</pre>";
      return sendHtml(res, 200, page(`${passwordForm()}${said}`));
    }
    if (url.pathname === '/noisy/password') {
      // Ignores the change; a mismatch gets a bare error page, everything else the page with its "success" footer.
      if (q.has('Change') && q.get('password_new') !== q.get('password_conf')) return sendHtml(res, 400, 'mismatch');
      return sendHtml(res, 200, page(`${passwordForm()}<footer>Our success stories</footer>`));
    }
    if (url.pathname === '/vuln/comment') return sendHtml(res, 200, page('<form method="post"><textarea name="comment"></textarea><input type="submit" value="Post"></form>'));
    if (url.pathname === '/safe/comment') return sendHtml(res, 200, page(`<form method="post"><input type="hidden" name="_token" value="${token}"><textarea name="comment"></textarea></form>`));
    return sendHtml(res, 404, page('not found'));
  });
});

afterAll(async () => {
  await app.close();
});

const identities = (): Identity[] => [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'form-login', url: '/login', fields: { username: 'alice', password }, token: { from: 'cookie', name: 'sid' } } },
];
const pwForm = (path: string) => ({ method: 'GET', path, auth: 'required' as const, sources: ['html' as const], params: [{ name: 'password_new', in: 'query' as const }, { name: 'password_conf', in: 'query' as const }] });
const postForm = (path: string) => ({ method: 'POST', path, auth: 'required' as const, sources: ['html' as const], params: [{ name: 'comment', in: 'form' as const }] });

describe('csrf', () => {
  it('confirms a token-less password change sent cross-site, without ever setting another password', async () => {
    setTo.length = 0;
    const r = await testCheck(check, { url: app.url, identities: identities(), operations: [pwForm('/vuln/password')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ checkId: 'csrf', confidence: 'confirmed', operation: { method: 'GET', path: '/vuln/password' } });
    expect(f.proof.summary).toMatch(/sid has no SameSite/);
    expect(f.proof.summary).toMatch(/"Password Changed" where the control with a mismatching password_conf/);
    // Two rounds (run, confirm), each the control then the real submission: always the current password as the new one.
    expect(setTo).toEqual(['Alice-Pw-1', 'Alice-Pw-1', 'Alice-Pw-1', 'Alice-Pw-1']);
    expect(password).toBe('Alice-Pw-1');
    // The cross-site request carries another site's Referer and no token; the password is masked in the proof.
    const sent = f.proof.exchanges[0]!.request;
    expect(sent.headers.find(([k]) => k === 'referer')?.[1]).toMatch(/^https:\/\/vouch-csrf-[0-9a-f]+\.example\/$/);
    expect(JSON.stringify(f.proof)).not.toContain('Alice-Pw-1');
  });

  it('no finding when the server checks a token it puts in the form, or the Referer', async () => {
    setTo.length = 0;
    const r = await testCheck(check, { url: app.url, identities: identities(), operations: [pwForm('/safe/password'), pwForm('/referer/password')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean', 'clean']);
    // The token twin got no submission through (redirected), the Referer twin said the request looked wrong.
    expect(setTo).toEqual([]);
    expect(password).toBe('Alice-Pw-1');
  });

  it('a "success" the form page always shows proves nothing: inconclusive, with why', async () => {
    const r = await testCheck(check, { url: app.url, identities: identities(), operations: [pwForm('/noisy/password')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]!.status === 'inconclusive' && r.outcomes[0]!.reason).toMatch(/answered differently from the control but the form page says the same/);
  });

  it('never submits another form: a POST without a token is tentative, one with a token is clean', async () => {
    const signIn = { ...postForm('/login'), params: [{ name: 'username', in: 'form' as const }, { name: 'password', in: 'form' as const }] };
    const r = await testCheck(check, { url: app.url, identities: identities(), operations: [postForm('/vuln/comment'), postForm('/safe/comment'), signIn] });
    expect(r.skipped).toEqual(['POST /login: a sign-in form (one password field): signing the user in to another account (login CSRF) is not tested']);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ confidence: 'tentative', operation: { path: '/vuln/comment' }, title: 'Form without anti-CSRF token (not submitted)' });
    expect(r.findings[0]!.proof.summary).toMatch(/sid has no SameSite/);
    expect(r.requests).toBe(2); // the two pages, nothing posted
  });

  it('a SameSite=Strict session cookie is never sent cross-site: no submission, no finding', async () => {
    cookieAttrs = '; SameSite=Strict';
    try {
      setTo.length = 0;
      const r = await testCheck(check, { url: app.url, identities: identities(), operations: [pwForm('/vuln/password'), postForm('/vuln/comment')] });
      expect(r.findings).toEqual([]);
      expect(setTo).toEqual([]);
    } finally {
      cookieAttrs = '';
    }
  });

  it("says why it did not submit: an identity without a known password, a bearer-only scan", async () => {
    const noPassword: Identity = { name: 'bob', role: 'user', auth: { kind: 'cookie', name: 'sid', value: 'nope' } };
    const r = await testCheck(check, { url: app.url, identities: [noPassword], operations: [pwForm('/vuln/password')] });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive' });
    expect(r.outcomes[0]!.status === 'inconclusive' && r.outcomes[0]!.reason).toMatch(/bob is not signed in/);
    const bearer: Identity = { name: 'api', role: 'user', auth: { kind: 'bearer', token: 't' } };
    const b = await testCheck(check, { url: app.url, identities: [bearer], operations: [pwForm('/vuln/password')] });
    expect(b.outcomes[0]!.status === 'inconclusive' && b.outcomes[0]!.reason).toMatch(/no signed-in identity whose session is a cookie/);
    expect(b.requests).toBe(0);
  });
});
