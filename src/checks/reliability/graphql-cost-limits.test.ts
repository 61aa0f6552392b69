// src/checks/reliability/graphql-cost-limits.test.ts — graphql-js with no limits (executes every alias and batch)
// beside twins that refuse more than 20 aliases and batches, one with no batching, a slow server, and safe mode; and
// self-referencing schemas nested without a depth limit beside a twin refusing more than 10 levels, a list without
// a limit argument (never nested), a limit ignored (fan-out: stopped) and introspection refused.
import { buildSchema, graphql, introspectionFromSchema, parse, visit } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, graphqlSearchField, sendJson, serveFixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { aliasDocument, answered } from './graphql-cost-limits.js';
import { answerDepth, chain, depthDocument, describePath, findDepthPath } from './support/depth.js';

const schema = buildSchema('type Query { search(term: String!): [String!]! }');
/** A node whose parent is always another node, reached from a root field that needs an id. */
const nodes = buildSchema('type Node { id: ID!, parent: Node } type Query { node(id: ID!): Node }');
/** Users whose friends list takes `first` (or not): the cycle passes through a list. */
const people = buildSchema('type User { name: String!, friends(first: Int): [User!]! } type Query { me: User }');
const crowd = buildSchema('type User { name: String!, friends: [User!]! } type Query { users: [User!]! }');
const node = (i: number): object => ({ id: String(i), parent: () => node(i + 1) });
const user = (honoured: boolean) => {
  const u = (i: number): object => ({ name: `u${i}`, friends: ({ first }: { first?: number }) => Array.from({ length: honoured ? Math.min(first ?? 5, 5) : 3 }, (_, k) => u(i * 5 + k)) });
  return u;
};
/** The deepest nesting of fields in a document (graphql-depth-limit counts the same way, root field 1). */
const depthOf = (source: string): number => {
  let d = 0;
  let max = 0;
  visit(parse(source), { Field: { enter: () => void (max = Math.max(max, ++d)), leave: () => void d-- } });
  return max;
};
const deepSent: string[] = [];

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
    const q = (body as { query?: string }).query ?? '';
    if (q.includes('VouchDepth')) deepSent.push(`${url.pathname} ${depthOf(q)}`);
    if (url.pathname === '/deep/graphql') return sendJson(res, 200, await graphql({ schema: nodes, source: q, rootValue: { node: ({ id }: { id: string }) => node(Number(id)) } }));
    if (url.pathname === '/shallow/graphql') {
      if (depthOf(q) > 10) return sendJson(res, 400, { errors: [{ message: `Query depth ${depthOf(q)} exceeds the maximum of 10` }] });
      return sendJson(res, 200, await graphql({ schema: nodes, source: q, rootValue: { node: ({ id }: { id: string }) => node(Number(id)) } }));
    }
    if (url.pathname === '/friends/graphql' || url.pathname === '/ignored/graphql') {
      return sendJson(res, 200, await graphql({ schema: people, source: q, rootValue: { me: user(url.pathname === '/friends/graphql')(1) } }));
    }
    if (url.pathname === '/crowd/graphql') return sendJson(res, 200, await graphql({ schema: crowd, source: q, rootValue: { users: [] } }));
    if (url.pathname === '/private/graphql') {
      if (q.includes('__schema')) return sendJson(res, 400, { errors: [{ message: 'GraphQL introspection is not allowed' }] });
      return sendJson(res, 200, await graphql({ schema: nodes, source: q, rootValue: { node: ({ id }: { id: string }) => node(Number(id)) } }));
    }
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

  it('confirms an endpoint that executes 100 aliases and a batch of 50, in at most 9 requests', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/open/graphql')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'graphql-no-cost-limit', confidence: 'confirmed', operation: { path: '/open/graphql' } });
    expect(r.findings[0]!.proof.summary).toMatch(/100 aliases of __typename in one query and a JSON batch of 50 operations answered in full; depth not proven: no query field returns an object type/);
    expect(r.requests).toBeLessThanOrEqual(9); // 4 alias rungs, 3 batch rungs, the introspection, one replay
  });

  it('reports nothing where aliases and batches over 20 are refused (the safe twin)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/limited/graphql')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({ status: 'clean' });
    expect(r.requests).toBe(7); // aliases 1, 10, 50 (refused); batches 1, 10, 50 (refused); the introspection
  });

  it('stops a ladder at the time bound and reports the rung answered over it', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/slow/graphql')], options: { timeBoundMs: 200 } });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.proof.summary).toMatch(/^POST \/slow\/graphql: 10 aliases of __typename in one query answered in full; batch stopped: 1 batched operations → HTTP 400 "batching is not supported"/);
  });

  it('finds a cycle through another type, fills required arguments, and says why an unlimited list is not nested', () => {
    const blog = buildSchema('type Post { title: String, author: User } type User { posts(first: Int, tag: String!): [Post!]! } type Query { post(id: ID!): Post }');
    const found = findDepthPath(introspectionFromSchema(blog));
    if (!('path' in found)) throw new Error(found.none);
    expect(describePath(found.path)).toBe('Post.author → User, User.posts(first: 1, tag: "1") → [Post]');
    const edges = chain(found.path, 4)!;
    expect(depthDocument(edges)).toBe('query VouchDepth { post(id: "1") { author { posts(first: 1, tag: "1") { author { __typename } } } } }');
    const data = { post: { author: { posts: [{ author: { __typename: 'User' } }] } } };
    expect(answerDepth(data, edges)).toEqual({ levels: 5, fanOut: false });
    expect(answerDepth({ post: { author: null } }, edges)).toEqual({ levels: 1, fanOut: false });
    expect(answerDepth({ post: { author: { posts: [{}, {}] } } }, edges)).toEqual({ levels: 2, fanOut: true });
    const open = findDepthPath(introspectionFromSchema(crowd));
    expect(open).toEqual({ none: expect.stringMatching(/^the only self-referencing path from query\.users \(User\.friends → \[User\]\) passes through lists without a limit argument: not sent/) });
    expect(findDepthPath(introspectionFromSchema(schema))).toEqual({ none: 'no query field returns an object type' });
  });

  const depthFindings = (r: Awaited<ReturnType<typeof testCheck>>) => r.findings.filter((f) => f.vulnClass === 'graphql-no-depth-limit');

  it('confirms a query nested 24 levels along a self-reference (Node.parent) with no depth limit', async () => {
    deepSent.length = 0;
    const r = await testCheck(check, { url: app.url, operations: [field('/deep/graphql')] });
    expect(depthFindings(r).map((f) => f.confidence)).toEqual(['confirmed']);
    const f = depthFindings(r)[0]!;
    expect(f.proof.summary).toMatch(/a query nested 24 levels along Node\.parent → Node \(from query\.node\) was executed and answered 24 levels deep; a replay was answered 24 levels deep again/);
    expect(f.proof.payload).toContain('query VouchDepth { node(id: "1") { parent { parent {');
    expect(deepSent).toEqual(['/deep/graphql 3', '/deep/graphql 6', '/deep/graphql 12', '/deep/graphql 24', '/deep/graphql 24']);
  });

  it('reports no depth finding where more than 10 levels are refused (the safe twin)', async () => {
    deepSent.length = 0;
    const r = await testCheck(check, { url: app.url, operations: [field('/shallow/graphql')] });
    expect(depthFindings(r)).toEqual([]);
    expect(deepSent).toEqual(['/shallow/graphql 3', '/shallow/graphql 6', '/shallow/graphql 12']); // stopped at the refusal
    // The alias finding says why depth was not: the refusal, in the server's words.
    expect(r.findings.map((f) => f.proof.summary)).toEqual([expect.stringContaining('; depth not proven: 12 levels → HTTP 400 "Query depth 12 exceeds the maximum of 10"')]);
  });

  it('nests a list only held to one item by its limit argument, and stops when the limit is ignored', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/friends/graphql')] });
    expect(depthFindings(r).map((f) => f.proof.payload)).toEqual([expect.stringContaining('me { friends(first: 1) { friends(first: 1) {')]);
    deepSent.length = 0;
    const ignored = await testCheck(check, { url: app.url, operations: [field('/ignored/graphql')] });
    expect(depthFindings(ignored)).toEqual([]);
    expect(deepSent).toEqual(['/ignored/graphql 3']); // three friends came back for first: 1: no deeper rung
  });

  it('never nests through lists without a limit argument, nor without a schema', async () => {
    deepSent.length = 0;
    const crowd = await testCheck(check, { url: app.url, operations: [field('/crowd/graphql')] });
    const hidden = await testCheck(check, { url: app.url, operations: [field('/private/graphql')] });
    expect([...depthFindings(crowd), ...depthFindings(hidden)]).toEqual([]);
    expect(deepSent).toEqual([]);
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
