// src/checks/reliability/graphql-cost-limits.test.ts — graphql-js with no limits (executes every alias and batch)
// beside twins that refuse more than 20 aliases and batches, one with no batching, a slow server, and safe mode.
import { buildSchema, graphql, parse, visit } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, graphqlSearchField, sendJson, serveFixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { aliasDocument, answered } from './graphql-cost-limits.js';

const schema = buildSchema('type Query { search(term: String!): [String!]! }');

/** Counts the aliases of a document (what graphql-armor's maxAliases counts). */
const aliasCount = (source: string): number => {
  let n = 0;
  visit(parse(source), { Field: (f) => void (f.alias && n++) });
  return n;
};

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const body = JSON.parse(req.body) as unknown;
    const one = async (b: { query: string }) => graphql({ schema, source: b.query });
    if (url.pathname === '/open/graphql') {
      return sendJson(res, 200, Array.isArray(body) ? await Promise.all(body.map(one)) : await one(body as { query: string }));
    }
    if (url.pathname === '/slow/graphql') {
      if (Array.isArray(body)) return sendJson(res, 400, { errors: [{ message: 'batching is not supported' }] });
      const q = (body as { query: string }).query;
      await new Promise((r) => setTimeout(r, aliasCount(q) >= 10 ? 400 : 1));
      return sendJson(res, 200, await one({ query: q }));
    }
    if (url.pathname === '/limited/graphql') {
      if (Array.isArray(body) && body.length > 20) return sendJson(res, 413, { errors: [{ message: 'batch too large' }] });
      if (Array.isArray(body)) return sendJson(res, 200, await Promise.all(body.map(one)));
      const q = (body as { query: string }).query;
      if (aliasCount(q) > 20) return sendJson(res, 400, { errors: [{ message: `Aliases limit of 20 exceeded, found ${aliasCount(q)}` }] });
      return sendJson(res, 200, await one({ query: q }));
    }
    return sendJson(res, 404, { message: 'Not Found' });
  });
});
afterAll(() => app.close());

const field = graphqlSearchField;

describe('graphql-cost-limits', () => {
  it('counts the aliases and batch entries an answer executed', async () => {
    const r = await graphql({ schema, source: aliasDocument(3) });
    const x = (body: unknown, status = 200) => ({ id: 'x', request: { method: 'POST', url: '/', headers: [] }, response: { status, headers: [['content-type', 'application/json']], body: JSON.stringify(body) }, timing: { startedAt: 0, totalMs: 1 }, identity: 'a' }) as never;
    expect(answered('aliases', 3, x(r))).toBe(3);
    expect(answered('aliases', 3, x({ data: { v1: 'Query' } }))).toBe(1);
    expect(answered('aliases', 3, x(r, 400))).toBe(0);
    expect(answered('batch', 2, x([{ data: { __typename: 'Query' } }, { errors: [] }]))).toBe(1);
    expect(answered('batch', 2, x({ data: { __typename: 'Query' } }))).toBe(0);
  });

  it('confirms an endpoint that executes 100 aliases and a batch of 50, in at most 8 requests', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/open/graphql')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'graphql-no-cost-limit', confidence: 'confirmed', operation: { path: '/open/graphql' } });
    expect(r.findings[0]!.proof.summary).toMatch(/100 aliases of __typename in one query and a JSON batch of 50 operations answered in full/);
    expect(r.requests).toBeLessThanOrEqual(8); // 4 alias rungs, 3 batch rungs, one replay
  });

  it('reports nothing where aliases and batches over 20 are refused (the safe twin)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/limited/graphql')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({ status: 'clean' });
    expect(r.requests).toBe(6); // aliases 1, 10, 50 (refused); batches 1, 10, 50 (refused)
  });

  it('stops a ladder at the time bound and reports the rung answered over it', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/slow/graphql')], options: { timeBoundMs: 200 } });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.proof.summary).toMatch(/^POST \/slow\/graphql: 10 aliases of __typename in one query answered in full; batch stopped: 1 batched operations → HTTP 400 "batching is not supported"/);
  });

  it('is inconclusive, naming the answer, where no endpoint executes __typename, and sends nothing in safe mode', async () => {
    const none = await testCheck(check, { url: app.url, operations: [field('/nothing/graphql')] });
    expect(none.findings).toEqual([]);
    expect(none.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/\/nothing\/graphql: 1 aliases → HTTP 404/) });
    const safe = await testCheck(check, { url: app.url, operations: [field('/open/graphql')], safeMode: true });
    expect(safe.requests).toBe(0);
    expect(safe.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/safe mode/) });
  });
});
