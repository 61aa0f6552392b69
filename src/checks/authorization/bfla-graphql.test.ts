// src/checks/authorization/bfla-graphql.test.ts — GraphQL fields meant for admins: adminStats without a role check is
// found and confirmed, adminUsers (its twin) is clean, an admin mutation is never run, a field listed in the options.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCheck } from '../kit/tester.js';
import check, { graphqlAdminSignal } from './bfla.js';
import { identities, operations, pick, serveShop } from './support/graphql-fixture.js';

let shop: Awaited<ReturnType<typeof serveShop>>;
beforeAll(async () => {
  shop = await serveShop();
});
afterAll(() => shop.close());

describe('bfla on GraphQL fields', () => {
  it('reads admin-only from a field name led by admin or from the description, not from any mention', () => {
    const signals = Object.fromEntries(operations.map((o) => [o.graphql!.field, graphqlAdminSignal(o)]));
    expect(signals.adminStats).toContain('starts with "admin"');
    expect(signals.adminDeleteUser).toContain('starts with "admin"');
    expect(signals.products).toBeUndefined();
    expect(graphqlAdminSignal({ ...pick('products')[0]!, graphql: { kind: 'query', field: 'isAdmin', query: '' } })).toBeUndefined();
    expect(graphqlAdminSignal({ ...pick('products')[0]!, summary: 'Every order (admin only).' })).toContain('description');
  });

  it('confirms a plain user getting data from query.adminStats, anonymous refused in the envelope, the admin as reference', async () => {
    const r = await testCheck(check, { url: shop.url, operations: pick('adminStats', 'adminUsers', 'adminDeleteUser', 'products'), identities });
    expect(r.findings.map((f) => `${f.operation.graphql} ${f.confidence}`)).toEqual(['query.adminStats confirmed']);
    const f = r.findings[0]!;
    expect(f.proof.summary).toContain('alice, a plain user, gets data from GraphQL query.adminStats');
    expect(f.proof.summary).toContain('without credentials → 200, error "sign in first"');
    expect(f.proof.summary).toContain('root (privileged) → data');
    expect(f.proof.exchanges.map((x) => x.identity)).toEqual(['alice', 'anonymous', 'root', 'alice']);
    // The admin mutation is never sent: adminStats (3 + replay) and adminUsers (alice, bob refused).
    expect(r.requests).toBe(4 + 2);
  });

  it('reports nothing on the safe twin, and says a marked mutation is not run', async () => {
    const r = await testCheck(check, { url: shop.url, operations: pick('adminUsers'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
    const m = await testCheck(check, { url: shop.url, operations: pick('adminDeleteUser'), identities });
    expect(m.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('mutation.adminDeleteUser (admin-only because its field name adminDeleteUser starts with "admin") is a mutation') as unknown });
    expect(m.requests).toBe(0);
  });

  it('takes GraphQL fields from adminOnly by their key', async () => {
    const r = await testCheck(check, { url: shop.url, operations: pick('me', 'products'), identities, options: { adminOnly: ['GRAPHQL query.me'] } });
    expect(r.findings.map((f) => f.operation.graphql)).toEqual(['query.me']);
    expect(r.findings[0]!.proof.summary).toContain('vouch.yaml lists it admin-only');
  });
});
