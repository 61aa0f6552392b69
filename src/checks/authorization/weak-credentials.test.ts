// src/checks/authorization/weak-credentials.test.ts — a JSON sign-in and a GET login form that take admin/admin or
// admin/password, their safe twins that take no default pair, a configured account never given a wrong password,
// non-sign-in operations and safe mode.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Exchange, Identity } from '../../core/index.js';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { madeThisScan } from './weak-credentials.js';

/** Attempts per username, to prove one attempt per pair and no wrong password for a configured account. */
const attempts = new Map<string, number>();
const wrongFor = new Map<string, number>();
const accounts: Record<string, string> = { admin: 'admin', alice: 'S3cret-long-pw' };
const safeAccounts: Record<string, string> = { admin: 'Not-a-default-9!' };

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const isJson = (req.headers['content-type'] ?? '').includes('json');
    const body = isJson ? (JSON.parse(req.body || '{}') as Record<string, string>) : Object.fromEntries(new URLSearchParams(req.body));
    const q = Object.fromEntries(url.searchParams);
    const { username = '', password = '' } = req.method === 'GET' ? q : body;
    attempts.set(username, (attempts.get(username) ?? 0) + 1);
    const table = url.pathname.startsWith('/safe') ? safeAccounts : accounts;
    const ok = table[username] !== undefined && table[username] === password;
    if (table[username] !== undefined && !ok) wrongFor.set(username, (wrongFor.get(username) ?? 0) + 1);
    const path = url.pathname.replace(/^\/safe/, '');
    if (path === '/api/login') return ok ? sendJson(res, 200, { token: `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIke3VzZXJ9In0.${Date.now()}` }) : sendJson(res, 401, { error: 'Invalid credentials' });
    if (path === '/brute/') {
      const page = (inner: string): string => `<html><body><h1>Brute</h1><form>…</form>${inner}<a href="/logout.php">Logout</a></body></html>`;
      return sendHtml(res, 200, page(ok ? `<p>Welcome to the password protected area ${username}</p>` : '<pre>Username and/or password incorrect.</pre>'));
    }
    if (path === '/anything/login') return sendJson(res, 200, { ok: true, user: username }); // answers everyone alike
    if (path === '/register') return sendJson(res, 201, { id: 1 });
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());
beforeEach(() => {
  attempts.clear();
  wrongFor.clear();
});

const str = { type: 'string' };
const jsonLogin = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/json', schema: { type: 'object', required: ['username', 'password'], properties: { username: str, password: str } } } });
const getForm = (path: string) => ({
  method: 'GET',
  path,
  params: [
    { name: 'username', in: 'query' as const, schema: str },
    { name: 'password', in: 'query' as const, schema: str },
    { name: 'Login', in: 'query' as const, required: true, schema: { type: 'string', enum: ['Login'] }, examples: ['Login'] },
  ],
});
const configured = (user: string, password: string, path = '/api/login'): Identity => ({ name: user, role: 'user', auth: { kind: 'json-login', url: path, body: { username: user, password }, tokenPath: 'token' } });

describe('weak-credentials', () => {
  it('confirms admin/admin on a JSON sign-in (a token where a wrong password gets 401); the safe twin is clean', async () => {
    const r = await testCheck(check, { url: app.url, operations: [jsonLogin('/api/login'), jsonLogin('/safe/api/login')] });
    expect(r.findings.map((f) => [f.operation.path, f.confidence])).toEqual([['/api/login', 'confirmed']]);
    const f = r.findings[0]!;
    expect(f.proof.summary).toMatch(/default pair admin\/admin signs in \(200 where the wrong password got 401; a "token" in the body/);
    expect(f.proof.summary).toMatch(/control: admin with a wrong password → 401/);
    expect(f.proof.exchanges).toHaveLength(4); // pair + control, then the replay's pair + fresh control
    expect(f.title).toBe('Default credentials accepted: admin/admin');
    // One attempt per pair: on the safe twin alone, every default username is tried once per pair naming it.
    attempts.clear();
    await testCheck(check, { url: app.url, operations: [jsonLogin('/safe/api/login')] });
    expect([attempts.get('admin'), attempts.get('root'), attempts.get('guest')]).toEqual([4, 2, 1]);
  });

  it('confirms a GET login form by its welcome page (both answers 200); the twin that always refuses is clean', async () => {
    const r = await testCheck(check, { url: app.url, operations: [getForm('/brute/'), getForm('/safe/brute/')] });
    expect(r.findings.map((f) => [f.operation.path, f.confidence])).toEqual([['/brute/', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toMatch(/a page saying "welcome" without the refusal \("incorrect"\)/);
  });

  it('never gives a configured account a wrong password: its other pairs are skipped, its control is an unknown account', async () => {
    const r = await testCheck(check, { url: app.url, operations: [jsonLogin('/api/login')], identities: [configured('admin', 'admin')] });
    expect(r.findings.map((f) => f.confidence)).toEqual(['confirmed']);
    expect(r.findings[0]!.proof.summary).toMatch(/control: an unknown account/);
    expect(wrongFor.get('admin') ?? 0).toBe(0);
    // A configured admin with a strong password: no admin pair is sent at all.
    const safe = await testCheck(check, { url: app.url, operations: [jsonLogin('/safe/api/login')], identities: [configured('admin', 'Not-a-default-9!', '/safe/api/login')] });
    expect(safe.findings).toEqual([]);
    expect(wrongFor.get('admin') ?? 0).toBe(0);
  });

  it('tries no pair where an unknown account is not refused (nothing tells a sign-in), and leaves non-sign-ins out', async () => {
    const r = await testCheck(check, { url: app.url, operations: [jsonLogin('/anything/login'), jsonLogin('/register'), { method: 'GET', path: '/search', params: [{ name: 'q', in: 'query' as const }] }] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => ('reason' in o ? o.reason : o.status))).toEqual([expect.stringMatching(/^POST \/anything\/login: an unknown account with a random password was not refused/)]);
    // Only the sign-in was sent to, once: nothing to /register or /search, no pair to a sign-in that refuses no one.
    expect(r.requests).toBe(1);
  });

  it('is skipped in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: [jsonLogin('/api/login')], safeMode: true });
    expect(r.requests).toBe(0);
    expect(r.outcomes.map((o) => ('reason' in o ? o.reason : o.status))).toEqual([expect.stringMatching(/safe mode/)]);
  });

  it("does not take an account this scan's own writes registered for a default one", () => {
    const x = (method: string, path: string, body: string, status: number) =>
      ({ request: { method, url: `http://127.0.0.1:9${path}`, headers: {}, body }, response: { status, headers: {}, body: '' } }) as unknown as Exchange;
    const signIns = new Set(['/token']);
    const register = x('POST', '/register', '{"username":"test","password":"test","phone":"1"}', 201);
    expect(madeThisScan([register], 'test', signIns)).toBe(register);
    expect(madeThisScan([x('POST', '/register', 'username=test&password=test', 200)], 'test', signIns)).toBeDefined();
    // Refused, a sign-in itself, another name, or a name only starting alike: no account was made by vouch.
    expect(madeThisScan([x('POST', '/register', '{"username":"test"}', 422)], 'test', signIns)).toBeUndefined();
    expect(madeThisScan([x('POST', '/token', 'username=test&password=test', 200)], 'test', signIns)).toBeUndefined();
    expect(madeThisScan([x('POST', '/register', '{"username":"tester"}', 201)], 'test', signIns)).toBeUndefined();
    expect(madeThisScan([x('POST', '/notes', '{"title":"test"}', 201)], 'test', signIns)).toBeUndefined();
  });
});
