// src/discover/graphql-auth.test.ts — observed authentication per GraphQL query field: a field that refuses anonymous
// callers in its body is `required`, a public one `none`; mutations are never sent (issue 22).
import { buildSchema, graphql, GraphQLError } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ignoredAuth from '../checks/authorization/ignored-auth.js';
import { sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { testCheck } from '../checks/kit/tester.js';
import type { Exchange, Identity, Operation } from '../core/index.js';
import { createIdentitySessions } from '../identities/sessions.js';
import { createEngine } from '../net/index.js';
import { observeAuth } from './auth.js';
import { fieldAnswer } from './graphql-auth.js';

const schema = buildSchema(`
  type User { id: ID!, name: String }
  type Query { me: User, notes: [String!]!, audit: [String!]!, maybe: String }
  type Mutation { addNote(text: String!): String }
`);

let app: Fixture;
let mutations = 0;
/** The fields asked as alice (signed in). */
const askedAsAlice: string[] = [];
beforeAll(async () => {
  app = await serveFixture(async (req, res) => {
    const signedIn = req.headers.authorization === 'Bearer alice-token';
    const body = JSON.parse(req.body || '{}') as { query?: string; variables?: Record<string, unknown> };
    if (signedIn) askedAsAlice.push(/^\w+ (\w+)/.exec(body.query ?? '')?.[1] ?? '?');
    const root = {
      me: () => (signedIn ? { id: '1', name: 'alice' } : new GraphQLError('Unauthorized', { extensions: { code: 'UNAUTHENTICATED' } })),
      notes: () => ['hello'],
      audit: () => new GraphQLError('Access denied'), // refused to everyone, alice included
      maybe: () => null,
      addNote: () => ((mutations += 1), 'added'),
    };
    return sendJson(res, 200, await graphql({ schema, source: String(body.query ?? ''), rootValue: root, variableValues: body.variables ?? {} }));
  });
});
afterAll(() => app.close());

const field = (kind: 'query' | 'mutation', name: string, query: string, params: Operation['params'] = []): Operation => ({
  id: `POST /graphql ${kind}.${name}`,
  method: 'POST',
  path: '/graphql',
  params,
  requestBody: { contentType: 'application/json', schema: { type: 'object' } },
  auth: 'unknown',
  sources: ['graphql'],
  graphql: { kind, field: name, query },
});

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice-token' } },
];

const answer = (status: number, body: unknown): Exchange => ({
  id: 'x',
  identity: 'anonymous',
  request: { method: 'POST', url: '/graphql', headers: [] },
  response: { status, headers: [], body: typeof body === 'string' ? body : JSON.stringify(body) },
  timing: { startedAt: 0, totalMs: 1 },
});

describe('GraphQL observed authentication per field', () => {
  it('reads a field\'s answer: data, a refusal for lack of credentials, or neither', () => {
    expect(fieldAnswer(answer(200, { data: { me: { id: '1' } } }), 'me')).toBe('data');
    expect(fieldAnswer(answer(200, { errors: [{ message: 'Unauthorized' }], data: { me: null } }), 'me')).toBe('refused');
    expect(fieldAnswer(answer(200, { errors: [{ message: 'nope', extensions: { code: 'UNAUTHENTICATED' } }], data: null }), 'me')).toBe('refused');
    expect(fieldAnswer(answer(401, 'no'), 'me')).toBe('refused');
    expect(fieldAnswer(answer(200, { data: { me: null } }), 'me')).toBe('other');
    expect(fieldAnswer(answer(200, { errors: [{ message: 'Variable "$id" got invalid value' }] }), 'me')).toBe('other');
    // An authorization error that still gave data is not a refusal of the field.
    expect(fieldAnswer(answer(200, { errors: [{ message: 'forbidden: notes.secret' }], data: { me: { id: '1' } } }), 'me')).toBe('other');
    expect(fieldAnswer(answer(200, '<html>hi</html>'), 'me')).toBe('other');
  });

  it('observes each query field on its own; a mutation is never sent', async () => {
    const target = { name: 'g', url: app.url, environment: 'local' as const };
    const engine = createEngine({ target, scope: { origins: [app.url], include: [], exclude: [] }, safeMode: false });
    const sessions = createIdentitySessions(identities, engine);
    engine.setCredentials((n) => sessions.headers(n));
    const ops = [
      field('query', 'me', 'query me { me { id name } }'),
      field('query', 'notes', 'query notes { notes }'),
      field('query', 'audit', 'query audit { audit }'),
      field('query', 'maybe', 'query maybe { maybe }'),
      field('mutation', 'addNote', 'mutation addNote($text: String!) { addNote(text: $text) }', [{ name: 'variables.text', in: 'body', required: true, schema: { type: 'string' } }]),
    ];
    try {
      await observeAuth({ engine, operations: ops, identities: ['alice'], safeMode: false });
    } finally {
      await engine.close();
    }
    expect(ops.map((o) => [o.graphql!.field, o.auth])).toEqual([
      ['me', 'required'], // refused anonymously, alice gets the data
      ['notes', 'none'],
      ['audit', 'required'], // refused to everyone, alice included, in words that name access
      ['maybe', 'unknown'], // null without a reason says nothing
      ['addNote', 'unknown'],
    ]);
    expect(mutations).toBe(0);
    // Alice was asked only where anonymous was refused.
    expect(askedAsAlice.sort()).toEqual(['audit', 'me']);
  });

  it('ignored-auth finds nothing on a required field that refuses anonymous callers in its body', async () => {
    const me = { ...field('query', 'me', 'query me { me { id name } }'), auth: 'required' as const };
    const r = await testCheck(ignoredAuth, { url: app.url, operations: [me], identities });
    expect(r.findings).toEqual([]);
    // It ran as alice (as anonymous it would be inconclusive) and compared with both anonymous variants.
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean']);
    expect(r.requests).toBeGreaterThanOrEqual(3);
  });
});
