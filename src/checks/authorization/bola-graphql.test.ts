// src/checks/authorization/bola-graphql.test.ts — GraphQL fields taking an id: order(id) without an owner check is
// found and confirmed with ids from alice's own answers; safeOrder(id), its twin, is clean; the bounds and reasons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCheck } from '../kit/tester.js';
import check from './bola.js';
import { identities, pick, serveShop } from './support/graphql-fixture.js';

let shop: Awaited<ReturnType<typeof serveShop>>;
beforeAll(async () => {
  shop = await serveShop();
});
afterAll(() => shop.close());

describe('bola on GraphQL fields', () => {
  it("confirms that bob reads alice's order through query.order(id), the id taken from alice's myOrders", async () => {
    const r = await testCheck(check, { url: shop.url, operations: pick('order', 'myOrders', 'me'), identities });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.operation.graphql).toBe('query.order');
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('graphql:variables.id');
    expect(f.proof.summary).toContain("bob read alice's object through GraphQL query.order(id: \"101\")");
    expect(f.proof.summary).toContain('without credentials → 200, error "sign in first"');
    expect(f.proof.exchanges[0]!.response?.body).toContain('alice secret crystal');
    expect(f.proof.exchanges[0]!.identity).toBe('bob');
    expect(f.proof.exchanges[1]!.identity).toBe('alice');
  });

  it('reports nothing on the safe twin that checks the owner (null data and an error for bob)', async () => {
    const r = await testCheck(check, { url: shop.url, operations: pick('safeOrder', 'myOrders', 'me'), identities });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
    // Harvest (me, myOrders as alice and bob) and two objects read by alice then bob.
    expect(r.requests).toBeLessThanOrEqual(4 + 2 * 2);
  });

  it('is inconclusive, saying why, when no sibling field gives alice an id of her own', async () => {
    const r = await testCheck(check, { url: shop.url, operations: pick('order', 'products'), identities });
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringContaining('nowhere to read alice\'s object ids from for order(id)') as unknown });
    expect(r.requests).toBe(0);
  });

  it('applies only to query fields with an id argument, and not in safe mode', async () => {
    const r = await testCheck(check, { url: shop.url, operations: pick('myOrders', 'adminDeleteUser'), identities });
    expect(r.skipped).toHaveLength(2);
    expect(r.skipped.join(' ')).toContain('not a GraphQL query field with an id argument');
    const safe = await testCheck(check, { url: shop.url, operations: pick('order', 'myOrders'), identities, safeMode: true });
    expect(safe.skipped.join(' ')).toContain('safe mode: GraphQL is sent by POST');
  });
});
