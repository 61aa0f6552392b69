// src/checks/authorization/excess-permission.test.ts — an agent token with more scopes than intended: its audit (reads,
// a delete established by a probe in safe mode, whose objects), the findings beyond scope, a safe twin token, failed
// logins and bad patterns.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import { inScope, scopeCovers } from '../kit/capability.js';
import check from './excess-permission.js';

let app: Fixture;
const ORDERS = [
  { id: 1, owner: 'alice' },
  { id: 2, owner: 'bob' },
];
/** The wide token reads orders and users and deletes products; the narrow one only reads orders. */
const principal = (req: IncomingMessage): { name: string; scopes: string[] } | undefined =>
  ({
    'Bearer alice': { name: 'alice', scopes: ['orders:own'] },
    'Bearer bob': { name: 'bob', scopes: ['orders:own'] },
    'Bearer wide': { name: 'wide', scopes: ['orders:all', 'users:read', 'products:delete'] },
    'Bearer narrow': { name: 'narrow', scopes: ['orders:all'] },
  })[req.headers.authorization ?? ''];

beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const p = principal(req);
    if (url.pathname === '/login') return sendJson(res, 401, { error: 'wrong password' });
    if (url.pathname === '/products' && req.method === 'GET') return sendJson(res, 200, []);
    if (!p) return sendJson(res, 401, { error: 'sign in' });
    const [, base, id] = url.pathname.split('/');
    const can = (s: string): boolean => p.scopes.includes(s);
    if (base === 'orders') {
      const visible = can('orders:all') ? ORDERS : can('orders:own') ? ORDERS.filter((o) => o.owner === p.name) : undefined;
      if (!visible) return sendJson(res, 403, {});
      if (id === undefined) return sendJson(res, 200, visible);
      const o = visible.find((x) => String(x.id) === id);
      return o ? sendJson(res, 200, o) : sendJson(res, 404, {});
    }
    if (base === 'users') return can('users:read') ? sendJson(res, 200, { id: Number(id), name: 'x' }) : sendJson(res, 403, {});
    if (base === 'products' && req.method === 'DELETE') {
      if (!can('products:delete')) return sendJson(res, 403, {});
      return /^\d+$/.test(id ?? '') ? sendJson(res, 204, {}) : sendJson(res, 400, { error: 'bad id' });
    }
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const idParam = [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'integer', example: 1 } }];
const operations = [
  { method: 'GET', path: '/orders', params: [], auth: 'required' as const },
  { method: 'GET', path: '/orders/{id}', params: idParam, auth: 'required' as const },
  { method: 'GET', path: '/users/{id}', params: idParam, auth: 'required' as const },
  { method: 'DELETE', path: '/products/{id}', params: idParam, auth: 'required' as const },
  { method: 'GET', path: '/products', params: [], auth: 'unknown' as const },
];
const base: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
  { name: 'bob', role: 'user', auth: { kind: 'bearer', token: 'bob' } },
];
const intended = ['GET /orders', 'GET /orders/*'];
const token = (name: string, token: string, scope: string[] | undefined = intended): Identity => ({ name, role: 'user', auth: { kind: 'bearer', token }, ...(scope ? { intended: scope } : {}) });

describe('excess-permission', () => {
  it('matches METHOD /path globs', () => {
    expect(scopeCovers('GET /api/orders/*', 'GET', '/api/orders/{id}')).toBe(true);
    expect(scopeCovers('GET /api/orders/{id}', 'GET', '/api/orders/{orderId}')).toBe(true);
    expect(scopeCovers('GET /api/orders/*', 'GET', '/api/orders/{id}/items')).toBe(false);
    expect(scopeCovers('* /api/reports/**', 'DELETE', '/api/reports/a/b')).toBe(true);
    expect(scopeCovers('GET /api/orders', 'DELETE', '/api/orders')).toBe(false);
    expect(inScope(['GET /a', 'POST /b'], { method: 'POST', path: '/b' })).toBe(true);
  });

  it('audits the wide token in safe mode and reports exactly what lies beyond its intended scope', async () => {
    const r = await testCheck(check, { url: app.url, operations, identities: [...base, token('agent', 'wide')], safeMode: true });
    const audit = r.audits[0]!;
    expect(audit.capabilities.map((c) => `${c.operation} ${c.whose} ${c.established} ${c.intended}`)).toEqual([
      'DELETE /products/{id} any validation-rejected false',
      'GET /orders any read true',
      "GET /orders/{id} others read true",
      'GET /users/{id} any read false',
    ]);
    expect(r.findings.map((f) => `${f.operation.method} ${f.operation.path}`).sort()).toEqual(['DELETE /products/{id}', 'GET /users/{id}']);
    for (const f of r.findings) {
      expect(f.confidence).toBe('confirmed');
      expect(f.exposure).toBe('authenticated');
      expect(f.proof.exchanges.map((x) => x.identity).slice(0, 3)).toEqual(['agent', 'anonymous', 'alice']);
    }
    const del = r.findings.find((f) => f.operation.method === 'DELETE')!;
    expect(del.proof.exchanges[0]!.request.url).toMatch(/\/products\/vouch-invalid$/);
    expect(del.proof.summary).toContain('alice (a plain user) → 403');
  });

  it('reports nothing for the narrow token (the safe twin): everything it can do is intended', async () => {
    const r = await testCheck(check, { url: app.url, operations, identities: [...base, token('agent', 'narrow')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect(r.audits[0]!.capabilities.every((c) => c.intended)).toBe(true);
    expect(r.audits[0]!.capabilities.length).toBeGreaterThan(0);
  });

  it('says which identity could not sign in and why, and audits the others', async () => {
    const failing: Identity = { name: 'bot', role: 'user', intended, auth: { kind: 'json-login', url: '/login', body: {}, tokenPath: 'token' } };
    const r = await testCheck(check, { url: app.url, operations, identities: [...base, failing, token('agent', 'narrow')] });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('identity bot could not be audited: login /login answered 401') as unknown });
    expect(r.audits.map((a) => [a.identity, a.unavailable ?? 'ok'])).toEqual([
      ['bot', 'login /login answered 401'],
      ['agent', 'ok'],
    ]);
  });

  it('is inconclusive when no identity declares an intended scope, or a pattern is not METHOD /path', async () => {
    let r = await testCheck(check, { url: app.url, operations, identities: base });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no identity declares an intended scope') as unknown });
    r = await testCheck(check, { url: app.url, operations, identities: [...base, token('agent', 'wide', ['/orders'])] });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('is not "METHOD /path"') as unknown });
    expect(r.requests).toBe(0);
  });
});
