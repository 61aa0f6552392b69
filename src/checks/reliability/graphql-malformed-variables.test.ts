// src/checks/reliability/graphql-malformed-variables.test.ts — an endpoint that trusts `variables` to be an object
// of strings (crashes: 500) beside graphql-js refusing the same requests (safe twin: 400 with `errors`).
import { buildSchema, graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fixture, graphqlSearchField, sendJson, serveFixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './graphql-malformed-variables.js';

const schema = buildSchema('type Query { search(term: String!): [String!]! }');
const root = { search: ({ term }: { term: string }) => [term] };

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const body = JSON.parse(req.body) as { query: string; variables?: unknown };
    if (url.pathname === '/crash/graphql') {
      // Trusts the envelope: every variable value must have .trim (a string), and variables must be an object.
      const v = body.variables as Record<string, { trim(): string }>;
      try {
        const vars = Object.fromEntries(Object.keys(v).map((k) => [k, v[k]!.trim()]));
        if (Array.isArray(v) || typeof v !== 'object') throw new TypeError('variables is not an object');
        return sendJson(res, 200, await graphql({ schema, source: body.query, rootValue: root, variableValues: vars }));
      } catch (e) {
        return sendJson(res, 500, { message: (e as Error).message });
      }
    }
    const v = body.variables;
    if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) return sendJson(res, 400, { errors: [{ message: 'variables must be an object' }] });
    const r = await graphql({ schema, source: body.query, rootValue: root, variableValues: (v ?? {}) as Record<string, unknown> });
    return sendJson(res, r.data === undefined ? 400 : 200, r);
  });
});
afterAll(() => app.close());

const field = graphqlSearchField;

describe('graphql-malformed-variables', () => {
  it('confirms a crash on a malformed variables value, on the field it sent', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/crash/graphql')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'graphql-variables-crash', confidence: 'confirmed', operation: { path: '/crash/graphql', graphql: 'query.search' } });
    expect(r.findings[0]!.proof.summary).toMatch(/with variables as a string → HTTP 500; the well-formed request → 200/);
  });

  it('reports nothing where the server refuses malformed variables (the safe twin)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [field('/safe/graphql')] });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBe(5); // the well-formed control, then the four malformed forms
  });

  it('is inconclusive, naming why, without a GraphQL operation', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/x', params: [] }] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]).toMatchObject({ status: 'inconclusive', reason: expect.stringMatching(/no GraphQL operation/) });
  });
});
