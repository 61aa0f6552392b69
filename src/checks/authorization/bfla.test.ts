// src/checks/authorization/bfla.test.ts — admin operations a plain user reaches (a read, and a delete established by a
// validation-rejected probe), their safe twins, an expectation from options, and nothing marked admin-only.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { adminSignal } from './bfla.js';

let app: Fixture;
const who = (req: IncomingMessage): string | undefined => ({ 'Bearer alice': 'alice', 'Bearer bob': 'bob', 'Bearer root': 'root' })[req.headers.authorization ?? ''];
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const user = who(req);
    if (!user) return sendJson(res, 401, { error: 'sign in' });
    const admin = user === 'root';
    const [, base, id] = url.pathname.split('/');
    if (base === 'admin-open') return sendJson(res, 200, [{ id: 1, username: 'alice' }]); // no role check
    if (base === 'admin-safe') return admin ? sendJson(res, 200, []) : sendJson(res, 403, { error: 'admins only' });
    if (base === 'products' || base === 'safe-products') {
      if (base === 'safe-products' && !admin) return sendJson(res, 403, {});
      return /^\d+$/.test(id ?? '') ? sendJson(res, 204, {}) : sendJson(res, 400, { error: 'id must be a number' });
    }
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
  { name: 'bob', role: 'user', auth: { kind: 'bearer', token: 'bob' } },
  { name: 'root', role: 'privileged', auth: { kind: 'bearer', token: 'root' } },
];
const idParam = [{ name: 'id', in: 'path' as const, required: true, schema: { type: 'integer', example: 3 } }];
const get = (path: string) => ({ method: 'GET', path, params: [], auth: 'required' as const });
const del = (path: string, summary?: string) => ({ method: 'DELETE', path, params: idParam, auth: 'required' as const, ...(summary ? { summary } : {}) });

describe('bfla', () => {
  it('reads admin-only signals from path, tags and summary, not from a passing mention', () => {
    expect(adminSignal({ id: '', method: 'GET', path: '/api/admin/users', params: [], auth: 'required', sources: ['spec'] })).toContain('admin segment');
    expect(adminSignal({ id: '', method: 'GET', path: '/x', params: [], auth: 'required', sources: ['spec'], tags: ['Admin'] })).toContain('tags');
    expect(adminSignal({ id: '', method: 'GET', path: '/x', params: [], auth: 'required', sources: ['spec'], summary: 'Remove a product (admin).' })).toContain('summary');
    expect(adminSignal({ id: '', method: 'GET', path: '/x', params: [], auth: 'required', sources: ['spec'], summary: "The caller's orders (all orders for an admin)." })).toBeUndefined();
  });

  it('confirms a plain user reading an admin route and deleting via a validation-rejected probe, with the admin as reference', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ ...get('/admin-open'), tags: ['admin'] }, del('/products/{id}', 'Remove a product (admin).')], identities, safeMode: true });
    expect(r.findings.map((f) => `${f.operation.method} ${f.operation.path} ${f.confidence}`).sort()).toEqual(['DELETE /products/{id} confirmed', 'GET /admin-open confirmed']);
    const d = r.findings.find((f) => f.operation.method === 'DELETE')!;
    expect(d.proof.exchanges[0]!.request.url).toMatch(/\/products\/vouch-invalid$/);
    expect(d.proof.summary).toContain('alice → 400');
    expect(d.proof.summary).toContain('without credentials → 401');
    expect(d.proof.summary).toContain('root (privileged) → 400');
    expect(d.exposure).toBe('authenticated');
  });

  it('reports nothing on the safe twins that check the role', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ ...get('/admin-safe') }, del('/safe-products/{id}', 'Remove a product (admin only)')], identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('takes admin-only operations from its options', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/admin-open')], identities, options: { adminOnly: ['GET /admin-open'] } });
    expect(r.findings[0]?.proof.summary).toContain('vouch.yaml lists it admin-only');
  });

  it('is inconclusive when nothing is marked admin-only', async () => {
    const r = await testCheck(check, { url: app.url, operations: [get('/products')], identities });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no operation is marked admin-only') as unknown });
    expect(r.requests).toBe(0);
  });
});
