// src/checks/authorization/mass-assignment-signup.test.ts — a sign-up that answers `{}` but binds `isAdmin`: proven by
// signing in as each new account (the login's `op` carried into the sign-up) and reading the account's admin page;
// the safe twin drops the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './mass-assignment.js';

const users = new Map<string, { password: string; isAdmin: boolean; basic: boolean }>();
let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const body = (req.body ? JSON.parse(req.body) : {}) as Record<string, unknown>;
    if (req.method === 'POST' && (url.pathname === '/api/signup' || url.pathname === '/api/safe-signup')) {
      users.set(String(body.email), { password: String(body.password), isAdmin: url.pathname === '/api/signup' && body.isAdmin === true, basic: body.op === 'basic' });
      return sendJson(res, 201, {});
    }
    if (req.method === 'POST' && url.pathname === '/api/login') {
      const u = users.get(String(body.user));
      if (!u || u.password !== body.password || !u.basic || body.op !== 'basic') return sendJson(res, 403, { error: 'no' });
      res.setHeader('authorization', `jwt-${String(body.user)}`);
      return sendJson(res, 201, { email: body.user });
    }
    const m = /^\/api\/users\/([^/]+)\/admin$/.exec(url.pathname);
    if (m) {
      const email = decodeURIComponent(m[1]!);
      if (req.headers.authorization !== `jwt-${email}`) return sendJson(res, 401, {});
      return users.get(email)?.isAdmin ? sendJson(res, 200, { isAdmin: true }) : sendJson(res, 403, { error: 'not an admin' });
    }
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const str = { type: 'string' };
const ops = (signup: string) => [
  { method: 'POST', path: signup, params: [], auth: 'none' as const, requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { email: { ...str, example: 'john@example.com' }, password: { ...str, example: 'Pa55w0rd' } } } } },
  { method: 'POST', path: '/api/login', params: [], auth: 'none' as const, requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { user: str, password: str, op: { type: 'string', enum: ['basic'] } } } } },
  { method: 'GET', path: '/api/users/{email}/admin', params: [{ name: 'email', in: 'path' as const, required: true, schema: str }], auth: 'required' as const },
];
const identities: Identity[] = [{ name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } }];

describe('mass-assignment on a sign-up read back by signing in', () => {
  it('confirms isAdmin: the new account reads its admin page, the control account is refused there', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('/api/signup'), identities });
    const f = r.findings.find((x) => x.operation.path === '/api/signup');
    expect(f).toMatchObject({ confidence: 'confirmed', parameter: 'json:isAdmin' });
    expect(f?.proof.summary).toMatch(/signed in through \/api\/login, reads GET \/api\/users\/\{email\}\/admin → 200 with isAdmin true, while the control's account .* is refused there \(403\)/);
  });

  it('reports nothing on the safe twin that drops the field', async () => {
    const r = await testCheck(check, { url: app.url, operations: ops('/api/safe-signup'), identities });
    expect(r.findings.filter((x) => x.operation.path === '/api/safe-signup')).toEqual([]);
  });
});
