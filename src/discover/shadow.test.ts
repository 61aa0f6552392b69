// src/discover/shadow.test.ts — shadow routes from the application's own vocabulary: qualifiers of its property names,
// roles from its enums, answers and refusals, role variants of its segments; bounded, ranked, deterministic; the
// roles and names of vouch's own identities never probed; hidden routes found, a catch-all (safe twin) gives none.
import { describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type FixtureHandler } from '../checks/kit/fixture.js';
import type { Exchange, Identity, Operation } from '../core/index.js';
import { createIdentitySessions } from '../identities/sessions.js';
import { createEngine } from '../net/index.js';
import { MAX_SHADOW_PROBES, probeShadow, refusalRoles, shadowVocabulary, shadowWordlist, withRole } from './shadow.js';

const op = (method: string, path: string, extra: Partial<Operation> = {}): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'none', sources: ['spec'], ...extra });
const obj = (properties: Record<string, unknown>) => ({ type: 'object', properties });

/** A bakery's API: orders with a pickup location, staff roles in an enum, a password reset, an admin report. */
const BAKERY: Operation[] = [
  op('GET', '/orders', { responses: { '200': { schema: { type: 'array', items: obj({ id: {}, pickup_location: {}, customer_phone: {}, status: { enum: ['Pending', 'Ready'] } }) } } } }),
  op('GET', '/orders/{id}', { params: [{ name: 'id', in: 'path' }] }),
  op('GET', '/breads', { responses: { '200': { schema: { type: 'array', items: obj({ id: {}, name: {} }) } } } }),
  op('GET', '/admin/stats', { auth: 'required' }),
  op('POST', '/reset-password', { requestBody: { contentType: 'application/json', schema: obj({ username: {} }) } }),
  op('PUT', '/staff/role', { requestBody: { contentType: 'application/json', schema: obj({ username: {}, role: { type: 'string', enum: ['Baker', 'Cashier'] } }) } }),
  op('GET', '/me', { auth: 'required' }),
];
const refusal = (url: string, body: unknown): Exchange => ({
  id: 'x1', identity: 'alice', checkId: 'discover', at: '', ms: 1,
  request: { method: 'GET', url, headers: [] },
  response: { status: 403, headers: [], body: JSON.stringify(body) },
}) as unknown as Exchange;

describe('shadow vocabulary', () => {
  it("learns qualifiers, collections, roles (enum, refusals) and segments from the app's own names", () => {
    const v = shadowVocabulary({ operations: BAKERY, exchanges: [refusal('/admin/stats', { detail: 'Only Manager may read the stats!' })] });
    expect(v.collections).toEqual(['breads', 'orders']);
    expect(v.words).toContain('pickup');
    expect(v.words).toContain('customer');
    expect(v.roles.slice(0, 3)).toEqual(['manager', 'baker', 'cashier']);
    expect(v.segments).toEqual(['reset-password']);
    expect(v.privileged).toEqual(['admin', 'staff']);
  });

  it('reads roles from refusals: a capitalised word inside a sentence, the word before "role"', () => {
    expect(refusalRoles('Only Chef is authorized to get current disk stats!')).toEqual(['chef']);
    expect(refusalRoles('requires the auditor role')).toEqual(['auditor']);
    expect(refusalRoles('Unauthorized')).toEqual([]);
    expect(withRole('reset-password', 'chef')).toEqual(['reset-chef-password']);
    expect(withRole('update_user_role', 'chef')).toEqual(['update_chef_user_role', 'update_user_chef_role']);
  });

  it('builds the likeliest paths first, bounded and deterministic, and never with a protected word', () => {
    const input = { operations: BAKERY, exchanges: [refusal('/admin/stats', { detail: 'Only Manager may read the stats!' })], protectedWords: new Set(['cashier']) };
    const words = shadowWordlist(input);
    expect(words).toEqual(shadowWordlist(input));
    expect(words.slice(0, 12)).toContain('/admin/reset-manager-password');
    expect(words.slice(0, 40)).toContain('/pickup/orders');
    expect(words).toContain('/admin/orders');
    expect(words.some((w) => w.includes('cashier'))).toBe(false);
    expect(words).not.toContain('/orders'); // known
    expect(words).toContain('/breads/pending');
    expect(words).not.toContain('/orders/pending'); // GET /orders/{id} with an odd id, not a hidden route
    expect(words.length).toBeLessThanOrEqual(MAX_SHADOW_PROBES);
  });

  it('stays within the cap on a large API', () => {
    const big = Array.from({ length: 120 }, (_, i) => op('GET', `/res${i}`, { responses: { '200': { schema: { type: 'array', items: obj(Object.fromEntries(Array.from({ length: 20 }, (_, j) => [`kind${j}_value`, {}]))) } } } }));
    expect(shadowWordlist(big)).toHaveLength(MAX_SHADOW_PROBES);
  });
});

describe('shadow probes', () => {
  const identities: Identity[] = [
    { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
    { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
  ];
  async function probe(handler: FixtureHandler) {
    const site = await serveFixture(handler);
    const target = { name: 'fx', url: site.url, environment: 'local' as const };
    const engine = createEngine({ target, scope: { origins: [site.url], include: [], exclude: [] }, safeMode: false, ratePerSecond: 10_000 });
    const sessions = createIdentitySessions(identities, engine);
    engine.setCredentials((n) => sessions.headers(n));
    try {
      const exchanges = [refusal('/admin/stats', { detail: 'Only Manager may read the stats!' })];
      const found = await probeShadow(engine, BAKERY, { exchanges, identities: [{ name: 'alice', accounts: ['alice'] }] });
      return { found, sent: engine.exchanges().map((x) => new URL(x.request.url).pathname) };
    } finally {
      await engine.close();
      await site.close();
    }
  }

  it("finds the hidden routes built from the app's words, and never probes the role alice holds", async () => {
    const { found, sent } = await probe((req, res, url) => {
      if (url.pathname === '/me') return req.headers.authorization === 'Bearer alice' ? sendJson(res, 200, { username: 'alice', role: 'Baker' }) : sendJson(res, 401, {});
      if (url.pathname === '/pickup/orders') return sendJson(res, 200, [{ id: 1, pickup_location: 'Main St' }]);
      if (url.pathname === '/admin/reset-manager-password') return sendJson(res, 200, { password: 'Zq8#kL2!vN0pXw' });
      return sendJson(res, 404, { detail: 'Not Found' });
    });
    expect(found.operations.map((o) => o.path)).toEqual(['/admin/reset-manager-password', '/pickup/orders']);
    expect(found.operations[0]).toMatchObject({ sources: ['shadow'], auth: 'none', live: true });
    expect(found.probed).toBeGreaterThan(20);
    expect(found.requests).toBe(found.probed + 1); // alice's own /me, read once
    expect(sent.some((p) => p.includes('baker'))).toBe(false); // alice is a Baker: a reset of bakers could lock her out
    expect(sent.some((p) => p.includes('alice'))).toBe(false);
  });

  it('safe twin: a catch-all answering every path the same yields no shadow route', async () => {
    const { found } = await probe((_req, res) => sendJson(res, 200, { ok: true, page: 'home' }));
    expect(found.operations).toEqual([]);
  });
});
