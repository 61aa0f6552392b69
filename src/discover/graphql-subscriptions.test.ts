// src/discover/graphql-subscriptions.test.ts — subscription fields become operations only where the server answers
// them over HTTP (JSON, an event stream that ends); the others are named in a warning with why (issue 22).
import type { ServerResponse } from 'node:http';
import { buildSchema, getIntrospectionQuery, graphql, parse, type IntrospectionQuery, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { createEngine } from '../net/index.js';
import { buildRequest } from '../inject/index.js';
import { discoverGraphql, graphqlOperations, reachSubscription } from './graphql.js';

const schema = buildSchema(`
  type Note { id: ID!, title: String }
  type Query { notes: [Note!]! }
  type Subscription { noteAdded(title: String): Note, ticks: Int }
`);
const root = { notes: () => [], noteAdded: () => ({ id: '1', title: 'a' }), ticks: () => 1 };

/** How each endpoint answers a subscription document (queries, introspection included, are answered as JSON). */
const MODES = ['json', 'refuse', 'sse', 'multipart', 'open'] as const;
type Mode = (typeof MODES)[number];

let app: Fixture;
const open: ServerResponse[] = [];
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const mode = url.pathname.split('/')[1] as Mode;
    const body = JSON.parse(req.body || '{}') as { query?: string; variables?: Record<string, unknown> };
    const query = body.query ?? '';
    const kind = (parse(query).definitions[0] as OperationDefinitionNode).operation;
    const result = await graphql({ schema, source: query, rootValue: root, variableValues: body.variables ?? {} });
    if (kind !== 'subscription' || mode === 'json') return sendJson(res, 200, result);
    if (mode === 'refuse') return sendJson(res, 400, { errors: [{ message: 'Subscriptions are only served over WebSocket' }] });
    if (mode === 'multipart') {
      res.writeHead(200, { 'content-type': 'multipart/mixed; boundary="-"' });
      return res.end(`\r\n---\r\ncontent-type: application/json\r\n\r\n${JSON.stringify({ payload: result })}\r\n-----\r\n`);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`event: next\ndata: ${JSON.stringify(result)}\n\n`);
    if (mode === 'sse') return res.end('event: complete\ndata:\n\n');
    open.push(res); // a live stream: never ends on its own
    return undefined;
  });
});
afterAll(async () => {
  for (const res of open) res.end();
  await app.close();
});

const engineFor = (safeMode = false): ReturnType<typeof createEngine> =>
  createEngine({ target: { name: 'g', url: app.url, environment: safeMode ? 'production' : 'local' }, scope: { origins: [app.url], include: [], exclude: [] }, safeMode });

describe('GraphQL subscriptions over HTTP', () => {
  it('lists subscription fields the server answers over POST, as an event stream or multipart/mixed that ends; warns about the rest', async () => {
    const engine = engineFor();
    const warnings: string[] = [];
    try {
      const ops = await discoverGraphql(engine, MODES.map((m) => `/${m}/graphql`), warnings);
      const subs = ops.filter((o) => o.graphql?.kind === 'subscription');
      expect(subs.map((o) => [o.id, o.graphql!.accept ?? 'json'])).toEqual([
        ['POST /json/graphql subscription.noteAdded', 'json'],
        ['POST /json/graphql subscription.ticks', 'json'],
        ['POST /sse/graphql subscription.noteAdded', 'text/event-stream'],
        ['POST /sse/graphql subscription.ticks', 'text/event-stream'],
        ['POST /multipart/graphql subscription.noteAdded', 'multipart/mixed'],
        ['POST /multipart/graphql subscription.ticks', 'multipart/mixed'],
      ]);
      // The queries of every endpoint are there all the same.
      expect(ops.filter((o) => o.graphql?.kind === 'query').map((o) => o.path)).toEqual(MODES.map((m) => `/${m}/graphql`));
      expect(subs[0]!.params.map((p) => p.name)).toEqual(['variables.title']);
      expect(warnings).toEqual([
        'GraphQL endpoint /refuse/graphql: 2 subscription fields not answered over HTTP, not tested: subscription.noteAdded (status 400: Subscriptions are only served over WebSocket), subscription.ticks (status 400: Subscriptions are only served over WebSocket)',
        'GraphQL endpoint /open/graphql: 2 subscription fields not answered over HTTP, not tested: subscription.noteAdded (a text/event-stream stream still open after 3 s), subscription.ticks (not probed: subscription.noteAdded answered as a stream left open)',
      ]);
      // The checks' requests to a streamed subscription ask for the stream and read its data.
      const sse = await engine.send(buildRequest(subs[2]!), { identity: 'anonymous' });
      expect(sse.response?.body).toContain('"noteAdded":{"id":"1","title":"a"}');
    } finally {
      await engine.close();
    }
  }, 30_000);

  it('safe mode: nothing is sent, and the warning says why', async () => {
    const engine = engineFor(true);
    try {
      const op = { id: 's', method: 'POST', path: '/json/graphql', params: [], auth: 'unknown' as const, sources: ['graphql' as const], graphql: { kind: 'subscription' as const, field: 'ticks', query: 'subscription ticks { ticks }' } };
      expect(await reachSubscription(engine, op)).toEqual({ reachable: false, why: 'not sent: safe mode refuses POST' });
    } finally {
      await engine.close();
    }
  });

  it('graphqlOperations lists subscription fields only when asked to, and none for a schema without them', async () => {
    const intro = async (sdl: string): Promise<IntrospectionQuery> => (await graphql({ schema: buildSchema(sdl), source: getIntrospectionQuery() })).data as unknown as IntrospectionQuery;
    const withSubs = await intro('type Query { a: Int } type Subscription { b(n: Int!): Int }');
    expect(graphqlOperations(withSubs, '/g').map((o) => o.id)).toEqual(['POST /g query.a']);
    const listed = graphqlOperations(withSubs, '/g', true);
    expect(listed.map((o) => [o.id, o.graphql!.query])).toEqual([
      ['POST /g query.a', 'query a { a }'],
      ['POST /g subscription.b', 'subscription b($n: Int!) { b(n: $n) }'],
    ]);
    expect(graphqlOperations(await intro('type Query { a: Int }'), '/g', true).map((o) => o.id)).toEqual(['POST /g query.a']);
  });
});
