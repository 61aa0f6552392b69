// src/identities/auto.test.ts — identities: auto: which operations are a sign-up and a login, where a login's token is,
// and two users registered and logged in against a fixture (form login with a JSON token, FastAPI's /token shape).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import type { Operation } from '../core/index.js';
import { createEngine } from '../net/index.js';
import { autoIdentities, findLogin, findSignUp, tokenPathIn } from './auto.js';

const json = (props: string[]): NonNullable<Operation['requestBody']> => ({ contentType: 'application/json', schema: { type: 'object', properties: Object.fromEntries(props.map((p) => [p, { type: 'string' }])) } });
const op = (method: string, path: string, extra: Partial<Operation> = {}): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'unknown', sources: ['spec'], ...extra });

const register = op('POST', '/register', { requestBody: json(['username', 'password', 'phone_number']) });
const token = op('POST', '/token', { requestBody: { contentType: 'application/x-www-form-urlencoded', schema: { type: 'object', properties: { username: { type: 'string' }, password: { type: 'string' } } } } });
const ops = [op('GET', '/menu'), op('POST', '/orders', { requestBody: json(['item']) }), token, register, op('POST', '/reset-password', { requestBody: json(['username', 'password']) })];

describe('finding the sign-up and the login', () => {
  it('takes the POST with a name and a password to a register path, and the login by its path', () => {
    expect(findSignUp(ops)?.id).toBe('POST /register');
    expect(findLogin(ops, register)?.id).toBe('POST /token');
    expect(findSignUp([token, op('POST', '/orders', { requestBody: json(['item', 'password']) })])).toBeUndefined();
  });
  it('finds a token at the top or nested, not a short value or a non-token key', () => {
    expect(tokenPathIn('{"access_token":"eyJhbGciOiJIUzI1NiJ9.e30.x","token_type":"bearer"}')).toBe('access_token');
    expect(tokenPathIn('{"data":{"auth":{"token":"0123456789abcdef0123"}}}')).toBe('data.auth.token');
    expect(tokenPathIn('{"token":"short"}')).toBeUndefined();
    expect(tokenPathIn('<html>')).toBeUndefined();
  });
});

describe('autoIdentities', () => {
  let app: Fixture;
  const users = new Map<string, string>();
  beforeAll(async () => {
    app = await serveFixture((req, res, url) => {
      if (url.pathname === '/register') {
        const b = JSON.parse(req.body) as { username: string; password: string; phone_number: string };
        if (!b.phone_number || users.has(b.username)) return sendJson(res, 400, { detail: 'bad' });
        users.set(b.username, b.password);
        return sendJson(res, 200, { username: b.username });
      }
      if (url.pathname === '/token') {
        const f = new URLSearchParams(req.body);
        if (users.get(f.get('username') ?? '') !== f.get('password')) return sendJson(res, 401, { detail: 'no' });
        return sendJson(res, 200, { access_token: `tok-${f.get('username')}-0123456789`, token_type: 'bearer' });
      }
      return sendJson(res, 404, {});
    });
  });
  afterAll(async () => {
    await app.close();
  });

  it('registers two distinct users and returns form-login identities that read the token', async () => {
    const engine = createEngine({ target: { name: 'f', url: app.url, environment: 'local' }, scope: { origins: [new URL(app.url).origin], include: [], exclude: [] }, safeMode: false });
    const r = await autoIdentities({ engine, surface: { target: app.url, operations: ops, warnings: [] } });
    expect(r.warnings).toEqual([]);
    expect(r.accounts.map((a) => a.identity)).toEqual(['auto-1', 'auto-2']);
    expect(new Set(r.accounts.map((a) => a.username)).size).toBe(2);
    expect([...users.keys()].sort()).toEqual(r.accounts.map((a) => a.username).sort());
    expect(r.accounts[0]).toMatchObject({ registeredWith: 'POST /register', loginWith: 'POST /token', credential: 'bearer' });
    const auth = r.identities[0]!.auth;
    expect(auth).toMatchObject({ kind: 'form-login', url: '/token', token: { from: 'body', path: 'access_token' } });
    // Each identity knows its account's name on the target (what a cross-user write names in its body).
    expect(r.identities.map((i) => i.account?.username)).toEqual(r.accounts.map((a) => a.username));
    expect(r.identities[0]!.account?.email).toBeUndefined();
    // The made-up passwords are secrets to redact.
    expect(r.secrets).toContain(users.get(r.accounts[0]!.username));
  });

  it('says why when there is no login operation, and makes no account', async () => {
    const engine = createEngine({ target: { name: 'f', url: app.url, environment: 'local' }, scope: { origins: [new URL(app.url).origin], include: [], exclude: [] }, safeMode: false });
    const before = users.size;
    const r = await autoIdentities({ engine, surface: { target: app.url, operations: [register], warnings: [] } });
    expect(r.identities).toEqual([]);
    expect(r.warnings[0]).toMatch(/no login operation/);
    expect(users.size).toBe(before);
  });
});
