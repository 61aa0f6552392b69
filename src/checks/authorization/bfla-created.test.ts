// src/checks/authorization/bfla-created.test.ts — a role boundary proven on an object vouch creates: staff create
// menu items (a user is refused), a user deletes one (vulnerable) or is refused the delete (safe twin); a collection
// whose create a user may use too has no boundary to test.
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Identity, Operation } from '../../core/index.js';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './bfla.js';

let app: Fixture;
const items = new Map<string, Set<number>>();
let next = 1;
const who = (req: IncomingMessage): string | undefined => ({ 'Bearer alice': 'alice', 'Bearer root': 'root' })[req.headers.authorization ?? ''];
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    const [, base = '', id] = url.pathname.split('/');
    const store = items.get(base) ?? items.set(base, new Set([1000])).get(base)!;
    if (req.method === 'GET' && !id) return sendJson(res, 200, [...store].map((n) => ({ id: n, name: 'dish' })));
    const user = who(req);
    if (!user) return sendJson(res, 401, { detail: 'sign in' });
    // /menu and /dishes: staff create; /notes: anyone signed in creates.
    if (req.method === 'PUT' && !id) {
      if (base !== 'notes' && user !== 'root') return sendJson(res, 403, { detail: 'staff only' });
      const n = next++;
      store.add(n);
      return sendJson(res, 201, { id: n, name: 'dish' });
    }
    if (req.method === 'DELETE' && id) {
      if (base === 'dishes' && user !== 'root') return sendJson(res, 403, { detail: 'staff only' }); // the role check
      if (!store.delete(Number(id))) return sendJson(res, 404, { detail: 'not found' });
      res.statusCode = 204;
      return res.end();
    }
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
  { name: 'root', role: 'privileged', auth: { kind: 'bearer', token: 'root' } },
];
const routes = (base: string): Operation[] => [
  { id: `GET /${base}`, method: 'GET', path: `/${base}`, params: [], auth: 'none', sources: ['spec'] },
  {
    id: `PUT /${base}`, method: 'PUT', path: `/${base}`, params: [], auth: 'required', sources: ['spec'], summary: 'Create Menu Item',
    requestBody: { contentType: 'application/json', schema: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, image_url: { type: 'string' } } } },
  },
  { id: `DELETE /${base}/{item_id}`, method: 'DELETE', path: `/${base}/{item_id}`, params: [{ name: 'item_id', in: 'path', required: true, schema: { type: 'integer' } }], auth: 'required', sources: ['spec'] },
];

describe('bfla on an object vouch creates', () => {
  it('confirms a user deleting an item only the privileged identity could create, read back gone', async () => {
    const r = await testCheck(check, { url: app.url, operations: routes('menu'), identities });
    expect(r.findings.map((f) => `${f.operation.method} ${f.operation.path} ${f.confidence}`)).toEqual(['DELETE /menu/{item_id} confirmed']);
    const s = r.findings[0]!.proof.summary;
    expect(s).toMatch(/^alice \(user\) could DELETE \/menu\/\{item_id\} on an item only root \(privileged\) could create/);
    expect(s).toContain('alice PUT /menu → 403');
    expect(s).toMatch(/alice DELETE \/menu\/\d+ → 204; after: GET \/menu does not list \d+/);
    expect(s).toContain('the same test on a fresh object proved it again');
    // Only vouch's own items were deleted; the seeded one is still there.
    expect(items.get('menu')?.has(1000)).toBe(true);
  });

  it('reports nothing when the user is refused the delete (the role is checked), and cleans up as the creator', async () => {
    const r = await testCheck(check, { url: app.url, operations: routes('dishes'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    expect([...items.get('dishes')!]).toEqual([1000]);
  });

  it('says why when a user may create too (no boundary), or no privileged identity can create', async () => {
    const open = await testCheck(check, { url: app.url, operations: routes('notes'), identities });
    expect(open.findings).toEqual([]);
    expect(open.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('alice may PUT /notes too (201)') as unknown });
    expect([...items.get('notes')!]).toEqual([1000]);
    const noAdmin = await testCheck(check, { url: app.url, operations: routes('menu'), identities: identities.slice(0, 2) });
    expect(noAdmin.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('no privileged identity') as unknown });
  });

  it('creates nothing in safe mode', async () => {
    const r = await testCheck(check, { url: app.url, operations: routes('menu'), identities, safeMode: true });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('safe mode') as unknown });
    expect(r.requests).toBe(0);
  });
});
