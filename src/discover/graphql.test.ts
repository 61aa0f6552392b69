// src/discover/graphql.test.ts — GraphQL discovery against small graphql-js servers: introspection on, off, failing.
import { buildSchema, graphql, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import type { Surface } from '../core/index.js';
import { createEngine } from '../net/index.js';
import { discover } from './index.js';

const schema = buildSchema(`
  enum Role { ADMIN USER }
  input NewUser { name: String!, role: Role }
  type User { id: ID!, name: String, friends(first: Int!): [User], best: User }
  type Query { user(id: ID!): User, users(role: Role, limit: Int): [User!]!, version: String }
  type Mutation { addUser(input: NewUser!): User }
`);
const root = { version: () => '1', user: ({ id }: { id: string }) => ({ id, name: 'a' }), users: () => [] };
/** Introspection off: `notez` is no guess (only a suggestion finds it), `createNote` is found through `createUser`. */
const closedSchema = buildSchema(`
  type Note { id: ID!, text: String }
  type Query { note(id: ID!): Note, notez(term: String!, limit: Int): [Note], version: String }
  type Mutation { createNote(text: String!): Note }
`);
let executed = 0;
const closedRoot = { version: () => '1', note: () => null, notez: () => [], createNote: () => ((executed += 1), null) };

type Mode = 'open' | 'closed' | 'broken';
async function graphqlServer(mode: Mode, path = '/graphql'): Promise<Fixture> {
  return serveFixture(async (req, res, url) => {
    if (url.pathname === '/') return sendHtml(res, 200, mode === 'open' ? '<a href="/">home</a>' : `<script>fetch("${path}", { method: 'POST' })</script>`);
    if (url.pathname !== path || (req.method !== 'POST' && !url.searchParams.has('query'))) return sendHtml(res, 404, 'no');
    const query = req.method === 'POST' ? (JSON.parse(req.body) as { query: string }).query : url.searchParams.get('query')!;
    if (mode === 'broken') return sendJson(res, 200, { errors: [{ message: 'Cannot query field "__schema": internal resolver failure' }].map((e) => ({ message: e.message.replace('__schema', 'x') })) });
    const rules = mode === 'closed' ? [...specifiedRules, NoSchemaIntrospectionCustomRule] : specifiedRules;
    const s = mode === 'closed' ? closedSchema : schema;
    const errors = validate(s, parse(query), rules);
    if (errors.length) return sendJson(res, 400, { errors: errors.map((e) => ({ message: e.message })) });
    return sendJson(res, 200, await graphql({ schema: s, source: query, rootValue: mode === 'closed' ? closedRoot : root }));
  });
}

async function surfaceOf(app: Fixture, safeMode = false): Promise<Surface> {
  const target = { name: 'g', url: app.url, environment: safeMode ? ('production' as const) : ('local' as const) };
  const engine = createEngine({ target, scope: { origins: [app.url], include: [], exclude: [] }, safeMode });
  try {
    return await discover({ target, engine });
  } finally {
    await engine.close();
  }
}

describe('GraphQL discovery', () => {
  const apps: Fixture[] = [];
  beforeAll(async () => {
    apps.push(await graphqlServer('open'), await graphqlServer('closed', '/api/v2/graphql'), await graphqlServer('broken'));
  });
  afterAll(() => Promise.all(apps.map((a) => a.close())));

  it('introspects /graphql into one operation per query and mutation field, with typed variables', async () => {
    const surface = await surfaceOf(apps[0]!);
    const gql = surface.operations.filter((o) => o.sources.includes('graphql'));
    expect(gql.map((o) => o.id)).toEqual(['POST /graphql mutation.addUser', 'POST /graphql query.user', 'POST /graphql query.users', 'POST /graphql query.version']);
    const user = gql.find((o) => o.id === 'POST /graphql query.user')!;
    expect(user.graphql).toEqual({ kind: 'query', field: 'user', query: 'query user($id: ID!) { user(id: $id) { id name best { id name } } }' });
    expect(user.params).toEqual([{ name: 'variables.id', in: 'body', required: true, schema: { type: 'string' } }]);
    const users = gql.find((o) => o.id === 'POST /graphql query.users')!;
    expect(users.params).toEqual([
      { name: 'variables.role', in: 'body', schema: { type: 'string', enum: ['ADMIN', 'USER'] } },
      { name: 'variables.limit', in: 'body', schema: { type: 'integer' } },
    ]);
    const add = gql.find((o) => o.id === 'POST /graphql mutation.addUser')!;
    expect(add.params[0]).toEqual({ name: 'variables.input', in: 'body', required: true, schema: { type: 'object', properties: { name: { type: 'string' }, role: { type: 'string', enum: ['ADMIN', 'USER'] } }, required: ['name'] } });
    // the generated query is valid against the schema
    expect(validate(schema, parse(user.graphql!.query))).toEqual([]);
    expect(validate(schema, parse(add.graphql!.query))).toEqual([]);
  });

  it('introspects over GET in safe mode, where POST is refused', async () => {
    const surface = await surfaceOf(apps[0]!, true);
    expect(surface.operations.filter((o) => o.sources.includes('graphql')).length).toBe(4);
  });

  it('finds an endpoint a script mentions; introspection disabled, rebuilds its root fields from suggestions', async () => {
    const surface = await surfaceOf(apps[1]!);
    const gql = surface.operations.filter((o) => o.sources.includes('graphql'));
    expect(gql.map((o) => o.id)).toEqual([
      'POST /api/v2/graphql mutation.createNote',
      'POST /api/v2/graphql query.note',
      'POST /api/v2/graphql query.notez',
      'POST /api/v2/graphql query.version',
    ]);
    const notez = gql.find((o) => o.graphql?.field === 'notez')!;
    // required arguments only (the optional `limit` is not told by any error), the object type gets `__typename`
    expect(notez.params).toEqual([{ name: 'variables.term', in: 'body', required: true, schema: { type: 'string' } }]);
    for (const op of gql) expect(validate(closedSchema, parse(op.graphql!.query))).toEqual([]);
    expect(notez.summary).toMatch(/rebuilt from field suggestions/);
    expect(surface.warnings.join('\n')).toMatch(/GraphQL endpoint \/api\/v2\/graphql: introspection is disabled \(GraphQL introspection has been disabled.*4 root fields rebuilt from field suggestions/);
    expect(executed).toBe(0); // every probe document failed validation: the mutation never ran
  });

  it('asks an endpoint that takes only application/graphql bodies that way, at /gql', async () => {
    const app = await serveFixture(async (req, res, url) => {
      if (url.pathname !== '/gql') return sendHtml(res, 404, 'no');
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/graphql') return sendJson(res, 415, { message: 'send application/graphql' });
      return sendJson(res, 200, await graphql({ schema, source: req.body, rootValue: root }));
    });
    try {
      const surface = await surfaceOf(app);
      expect(surface.operations.filter((o) => o.graphql).map((o) => o.id)).toContain('POST /gql query.user');
    } finally {
      await app.close();
    }
  });

  it('warns when the introspection query errors, and discovery goes on', async () => {
    const surface = await surfaceOf(apps[2]!);
    expect(surface.warnings.join('\n')).toMatch(/GraphQL endpoint \/graphql: the introspection query failed \(Cannot query field "x"/);
    expect(surface.operations.map((o) => o.id)).toContain('GET /');
  });
});
