// src/checks/security/graphql-field-suggestions.test.ts — graphql-js with introspection refused but suggestions on
// (the leak), its safe twin that strips "Did you mean …", one with introspection open, a non-GraphQL path, safe mode.
import { buildSchema, graphql, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { probeDocument, suggestions } from './graphql-field-suggestions.js';

const schema = buildSchema('type Product { id: ID! } type Query { product(id: ID!): Product, orders: [String!]!, secretAdminReport: String }');

/** graphql-js validation, with introspection refused unless `open`; `hide` strips suggestions from messages. */
const answer = (source: string, open: boolean, hide: boolean) => {
  const errors: readonly GraphQLError[] = validate(schema, parse(source), open ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule]);
  const messages = errors.map((e) => ({ message: hide ? e.message.replace(/ Did you mean .*\?$/, '') : e.message }));
  return messages.length ? { status: 400, body: { errors: messages } } : undefined;
};

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const query = req.method === 'GET' ? (url.searchParams.get('query') ?? '') : (JSON.parse(req.body) as { query: string }).query;
    const mode = url.pathname.split('/')[1];
    if (!url.pathname.endsWith('/graphql') || !['leaky', 'hidden', 'open'].includes(mode!)) return sendJson(res, 404, { message: 'Not Found' });
    const refused = answer(query, mode === 'open', mode === 'hidden');
    if (refused) return sendJson(res, refused.status, refused.body);
    return sendJson(res, 200, await graphql({ schema, source: query }));
  });
});
afterAll(() => app.close());

const field = (path: string, name = 'product') => ({
  method: 'POST',
  path,
  params: [],
  requestBody: { contentType: 'application/json', schema: { type: 'object' } },
  sources: ['graphql' as const],
  graphql: { kind: 'query' as const, field: name, query: `{ ${name} }` },
});

describe('graphql-field-suggestions', () => {
  it('reads the names a "Did you mean" suggests, the probe\'s own names left out', () => {
    const doc = probeDocument(['product']);
    expect(doc).toBe('query VouchSuggest { productx use produc orde searc accoun sessio nod }');
    const x = (body: unknown) => ({ id: 'x', request: { method: 'POST', url: '/', headers: [] }, response: { status: 400, headers: [], body: JSON.stringify(body) }, timing: { startedAt: 0, totalMs: 1 }, identity: 'a' }) as never;
    expect(suggestions(x({ errors: [{ message: 'Cannot query field "produc" on type "Query". Did you mean "product" or "produc"?' }] }), doc)).toEqual(['product']);
    expect(suggestions(x({ errors: [{ message: 'Cannot query field "orde" on type "Query". Did you mean orders, or ordersCount?' }] }), doc)).toEqual(['orders', 'ordersCount']);
    expect(suggestions(x({ errors: [{ message: 'Cannot query field "orde" on type "Query".' }] }), doc)).toEqual([]);
  });

  it('confirms suggestions naming real fields where introspection is refused', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/leaky/graphql')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'graphql-field-suggestions', confidence: 'confirmed', severity: 'low', operation: { path: '/leaky/graphql' } });
    expect(r.findings[0]!.proof.summary).toMatch(/introspection refused \(400\), yet near-miss field names got suggestions naming 2 real field\(s\): orders, product/);
  });

  it('reports nothing where suggestions are stripped (the safe twin) or introspection is open', async () => {
    for (const path of ['/hidden/graphql', '/open/graphql']) {
      const r = await testCheck(check, { url: app.url, operations: [field(path)] });
      expect(r.findings).toEqual([]);
      expect(r.outcomes[0]).toMatchObject({ status: 'clean' });
    }
  });

  it('asks by GET in safe mode, and is inconclusive, naming why, without a GraphQL answer', async () => {
    const safe = await testCheck(check, { url: app.url, operations: [field('/leaky/graphql')], safeMode: true });
    expect(safe.findings).toHaveLength(1);
    expect(safe.findings[0]!.proof.summary).toMatch(/^GET \/leaky\/graphql/);
    const none = await testCheck(check, { url: app.url, operations: [field('/none/graphql')] });
    expect(none.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/\/none\/graphql: HTTP 404 without a GraphQL answer/) });
  });
});
