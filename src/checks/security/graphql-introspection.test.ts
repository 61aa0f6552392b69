// src/checks/security/graphql-introspection.test.ts — a GraphQL endpoint that answers introspection to anyone, a twin
// that refuses it, one that answers it only with a token, and servers with no GraphQL at all.
import { describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type FixtureHandler } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { schemaOf } from './graphql-introspection.js';

const SCHEMA = {
  data: {
    __schema: {
      queryType: { name: 'Query' },
      mutationType: { name: 'Mutation' },
      types: [{ name: 'Query', kind: 'OBJECT' }, { name: 'Mutation', kind: 'OBJECT' }, { name: 'Product', kind: 'OBJECT' }, { name: 'String', kind: 'SCALAR' }, { name: '__Type', kind: 'OBJECT' }],
    },
  },
};
const REFUSED = { errors: [{ message: 'GraphQL introspection is not allowed, but the query contained __schema or __type' }] };

/** A GraphQL server at `path`: `mode` says who gets the schema. */
function graphql(mode: 'open' | 'refused' | 'token', path = '/graphql'): FixtureHandler {
  return (req, res, url) => {
    if (url.pathname !== path) return sendJson(res, 404, { message: 'Not Found' });
    const query = req.method === 'GET' ? (url.searchParams.get('query') ?? '') : String((JSON.parse(req.body || '{}') as { query?: string }).query ?? '');
    if (!query.includes('__schema')) return sendJson(res, 200, { data: { products: [] } });
    if (mode === 'open' || (mode === 'token' && req.headers.authorization === 'Bearer t0k')) return sendJson(res, 200, SCHEMA);
    return sendJson(res, mode === 'token' ? 401 : 400, REFUSED);
  };
}

async function scan(handler: FixtureHandler, input: Partial<Parameters<typeof testCheck>[1]> = {}) {
  const site = await serveFixture(handler);
  try {
    return await testCheck(check, { url: site.url, ...input });
  } finally {
    await site.close();
  }
}

describe('graphql-introspection', () => {
  it('reads the schema an answer discloses, built-in types left out', () => {
    const x = { id: 'x', identity: 'a', timing: { startedAt: 0, totalMs: 1 }, request: { method: 'POST', url: 'http://h/graphql', headers: [] }, response: { status: 200, headers: [['content-type', 'application/json']] as Array<[string, string]>, body: JSON.stringify(SCHEMA) } };
    expect(schemaOf(x)).toEqual({ query: 'Query', mutation: 'Mutation', types: ['Query', 'Mutation', 'Product'] });
    expect(schemaOf({ ...x, response: { ...x.response, body: JSON.stringify(REFUSED) } })).toBeUndefined();
    expect(schemaOf({ ...x, response: { ...x.response, body: '{"data":{"__schema":{"types":[]}}}' } })).toBeUndefined();
  });

  it('finds anonymous introspection at the usual path and confirms it by a replay', async () => {
    const r = await scan(graphql('open'));
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.operation).toEqual({ method: 'POST', path: '/graphql' });
    expect(f.confidence).toBe('confirmed');
    expect(f.severity).toBe('low');
    expect(f.exposure).toBe('anonymous');
    expect(f.proof.summary).toMatch(/no credentials → 200 with the schema: 3 type\(s\) \(Query, Mutation, Product\)/);
    expect(f.proof.exchanges.length).toBeGreaterThanOrEqual(2); // the answer and the replay
  });

  it('asks the endpoint the surface knows, as the anonymous identity even when a signed-in one exists', async () => {
    const identities = [{ name: 'anonymous', role: 'anonymous' as const, auth: { kind: 'none' as const } }, { name: 'alice', role: 'user' as const, auth: { kind: 'bearer' as const, token: 't0k' } }];
    const operations = [{ method: 'POST', path: '/v2/gql/graphql', params: [], graphql: { kind: 'query' as const, field: 'products', query: 'query products { products { id } }' } }];
    const open = await scan(graphql('open', '/v2/gql/graphql'), { operations, identities });
    expect(open.findings.map((f) => f.operation.path)).toEqual(['/v2/gql/graphql']);
    expect(open.requests).toBe(2); // one question, one replay: /graphql is not tried when the surface names the endpoint
    // Introspection only for a signed-in caller is no finding of this check.
    const token = await scan(graphql('token', '/v2/gql/graphql'), { operations, identities });
    expect(token.findings).toEqual([]);
    expect(token.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('gives no finding when introspection is refused (the safe twin)', async () => {
    const r = await scan(graphql('refused'));
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
  });

  it('is clean on a server with no GraphQL endpoint, inconclusive and saying why when every answer is a 5xx', async () => {
    const none = await scan((_req, res) => sendJson(res, 404, { message: 'Not Found' }));
    expect(none.findings).toEqual([]);
    expect(none.outcomes.map((o) => o.status)).toEqual(['clean']);
    const broken = await scan((_req, res) => sendJson(res, 500, { message: 'boom' }));
    expect(broken.outcomes).toMatchObject([{ status: 'inconclusive', reason: expect.stringMatching(/\/graphql, \/api\/graphql: .*server errors/) }]);
  });

  it('asks with a GET in safe mode, which sends no POST', async () => {
    const r = await scan(graphql('open'), { safeMode: true });
    expect(r.findings.map((f) => `${f.operation.method} ${f.operation.path} ${f.confidence}`)).toEqual(['GET /graphql confirmed']);
  });
});
