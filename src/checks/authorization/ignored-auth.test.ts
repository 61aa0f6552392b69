// src/checks/authorization/ignored-auth.test.ts — an endpoint that ignores auth, its 401 safe twin, a token that is
// never verified, a mis-declared public page with a different body, and the request bound.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import { similarBodies } from '../kit/compare.js';
import check from './ignored-auth.js';

let app: Fixture;
const ORDERS = [{ id: 1, total: 12.5, items: ['pen'] }];
const user = (req: IncomingMessage): string | undefined => ({ 'Bearer alice-token': 'alice', 'Bearer bob-token': 'bob' })[req.headers.authorization ?? ''];

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    switch (url.pathname) {
      case '/orders':
        return sendJson(res, 200, ORDERS); // the auth middleware was forgotten
      case '/safe-orders':
        return user(req) ? sendJson(res, 200, ORDERS) : sendJson(res, 401, { error: 'sign in' });
      case '/unverified':
        // Checks that a bearer token is present, never that it is valid.
        return req.headers.authorization?.startsWith('Bearer ') ? sendJson(res, 200, ORDERS) : sendJson(res, 401, { error: 'sign in' });
      case '/dashboard':
        return user(req) ? sendJson(res, 200, { widgets: [{ id: 1, title: 'Sales' }] }) : sendHtml(res, 200, '<html><body><form action="/login"><input name="user"><input name="password" type="password"></form></body></html>');
      default:
        return sendJson(res, 404, {});
    }
  });
});
afterAll(() => app.close());

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice-token' } },
];
const op = (path: string) => ({ method: 'GET', path, params: [], auth: 'required' as const });

describe('ignored-auth', () => {
  it('compares bodies by JSON shape or text similarity', () => {
    expect(similarBodies('[{"id":1,"a":"x"}]', '[{"a":"y","id":2}]').similar).toBe(true);
    expect(similarBodies('{"orders":[]}', '{"error":"no"}').similar).toBe(false);
    expect(similarBodies('{}', '{}').similar).toBe(true); // equal texts
    expect(similarBodies('<html>login</html>', '{"widgets":[]}').similar).toBe(false);
  });

  it('confirms an endpoint that answers anonymously, with anonymous exposure', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/orders')], identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.vulnClass).toBe('no-auth');
    expect(f.exposure).toBe('anonymous');
    expect(f.proof.exchanges.map((x) => x.identity)).toEqual(['anonymous', 'alice', 'anonymous']);
    expect(f.proof.exchanges[0]!.request.headers.some(([k]) => k === 'authorization')).toBe(false);
    expect(r.requests).toBe(3);
  });

  it('reports nothing on the safe twin that answers 401', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe-orders')], identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.requests).toBe(3);
  });

  it('reports a token that is present but never verified', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/unverified')], identities });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.vulnClass).toBe('no-auth:invalid-token');
    expect(r.findings[0]!.proof.summary).toContain('Bearer vouch-invalid');
    expect(r.findings[0]!.confidence).toBe('confirmed');
    expect(r.findings[0]!.proof.exchanges[0]!.request.headers).toContainEqual(['authorization', 'Bearer [REDACTED]']);
  });

  it('does not report a mis-declared page that shows anonymous users something else', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/dashboard')], identities });
    expect(r.findings).toEqual([]);
  });

  it('skips operations not declared as requiring authentication', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/orders', params: [] }], identities });
    expect(r.requests).toBe(0);
    expect(r.skipped[0]).toContain('not declared as requiring authentication');
  });

  it('asks anonymously first for unsafe methods, so a protected DELETE is never sent signed in', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ ...op('/safe-orders'), method: 'DELETE' }], identities });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBe(2);
    const open = await testCheck(check, { url: app.url, operations: [{ ...op('/orders'), method: 'DELETE' }], identities });
    expect(open.findings).toHaveLength(1);
    expect(open.findings[0]!.proof.exchanges.map((x) => x.identity)).toEqual(['anonymous', 'alice', 'anonymous']);
  });

  it('is inconclusive when the signed-in request is refused', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/missing')], identities });
    expect(r.outcomes[0]?.status).toBe('inconclusive');
    expect(r.requests).toBe(1);
  });
});

describe('ignored-auth: a read only signed-in pages make', () => {
  let site: Fixture;
  const USERS = [{ user_id: '1', first_name: 'admin', surname: 'admin' }, { user_id: '2', first_name: 'Gordon', surname: 'Brown' }];
  beforeAll(async () => {
    site = await serveFixture((req, res, url) => {
      const signedIn = user(req) !== undefined;
      switch (url.pathname) {
        case '/admin/authbypass/': // the page: signed-in only (its name is no sign-in page); its script reads users
          if (signedIn) return sendHtml(res, 200, '<script src="users.js"></script>');
          res.writeHead(302, { location: '/login.php' });
          return res.end();
        case '/shop': // a public page
          return sendHtml(res, 200, '<script src="shop.js"></script>');
        case '/admin/user_data.php': // the read forgot its own guard
          return sendJson(res, 200, USERS);
        case '/admin/safe_user_data.php': // the safe twin: a refusal in a 200 JSON body
          return signedIn ? sendJson(res, 200, USERS) : sendJson(res, 200, { result: 'fail', error: 'Access denied' });
        case '/admin/menu': // the same page reads a public list: no account's data
          return sendJson(res, 200, [{ id: 1, dish: 'soup' }]);
        case '/api/people': // called by the public page too
          return sendJson(res, 200, USERS);
        default:
          return sendJson(res, 404, {});
      }
    });
  });
  afterAll(() => site.close());
  /** What discovery's crawls recorded: each read, by the identity whose page called it (its Referer). */
  const calls = (path: string, page: string, identity = 'alice') => ({ url: path, identity, checkId: 'discover', headers: [['referer', `${site.url}${page}`]] as Array<[string, string]> });
  const read = (path: string) => ({ method: 'GET', path, params: [], auth: 'none' as const, sources: ['spa' as const] });

  it('confirms a read that the signed-in page makes and that answers anonymous callers the same account records', async () => {
    const r = await testCheck(check, { url: site.url, operations: [read('/admin/user_data.php')], identities, warmup: [calls('/admin/user_data.php', '/admin/authbypass/')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f).toMatchObject({ confidence: 'confirmed', vulnClass: 'no-auth', exposure: 'anonymous' });
    expect(f.proof.summary).toContain('called by /admin/authbypass/ (which answers anonymous callers 302: sign in first)');
    expect(f.proof.summary).toContain('2 account record(s) (user_id, first_name, surname)');
    expect(f.proof.exchanges.map((x) => x.identity)).toEqual(['anonymous', 'alice', 'anonymous', 'anonymous', 'anonymous']);
  });

  it('reports nothing for the refusal in a 200, a public list, a public page’s call, or an unknown caller', async () => {
    const twins: Array<[string, ReturnType<typeof calls>]> = [
      ['/admin/safe_user_data.php', calls('/admin/safe_user_data.php', '/admin/authbypass/')],
      ['/admin/menu', calls('/admin/menu', '/admin/authbypass/')],
      ['/api/people', calls('/api/people', '/shop', 'anonymous')],
    ];
    for (const [path, warm] of twins) {
      const r = await testCheck(check, { url: site.url, operations: [read(path)], identities, warmup: [warm] });
      expect(r.findings).toEqual([]);
      expect(r.outcomes[0]?.status).toBe('clean');
    }
    const unknown = await testCheck(check, { url: site.url, operations: [read('/admin/user_data.php')], identities });
    expect(unknown.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining("no signed-in page's call") as unknown });
  });
});
