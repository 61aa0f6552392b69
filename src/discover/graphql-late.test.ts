// src/discover/graphql-late.test.ts — GraphQL endpoints whose path does not say graphql: one a script's Apollo client
// points at (introspected with the rest), one only a HAR request posts a document to (introspected after it is read).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import type { Operation } from '../core/index.js';
import { createEngine } from '../net/index.js';
import { graphqlPathsOf } from './graphql.js';
import { discover } from './index.js';
import { extractScriptUrls } from './scripts.js';

const schema = buildSchema('type Query { note(id: ID!): String, version: String }');
const APP_JS = "const client = new ApolloClient({ uri: '/data', cache: new InMemoryCache() });";
let app: Fixture;
let asked: string[] = [];
beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    if (url.pathname === '/') return sendHtml(res, 200, '<script src="/app.js"></script>');
    if (url.pathname === '/app.js') return res.writeHead(200, { 'content-type': 'application/javascript' }).end(APP_JS);
    if ((url.pathname === '/data' || url.pathname === '/rpc/q') && req.method === 'POST') {
      asked.push(url.pathname);
      const { query } = JSON.parse(req.body) as { query: string };
      return sendJson(res, 200, await graphql({ schema, source: query }));
    }
    return sendHtml(res, 404, 'no');
  });
});
afterAll(() => app.close());

const op = (method: string, path: string, example?: unknown): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'unknown', sources: ['spa'], ...(example ? { requestBody: { contentType: 'application/json', example } } : {}) });

describe('GraphQL endpoints that only scripts, recordings or the browser meet', () => {
  it('knows an endpoint by its path or by a GraphQL document in a captured body', () => {
    const ops = [op('POST', '/rpc/q', { query: 'query Notes { notes { id } }' }), op('POST', '/api/login', { query: 'alice' }), op('GET', '/v2/graphql'), op('POST', '/x', { query: '{ me { id } }' })];
    expect(graphqlPathsOf(ops)).toEqual(['/rpc/q', '/v2/graphql', '/x']);
  });

  it("reads GraphQL clients' endpoints in scripts (Apollo, graphql-request, urql, a fetch posting a query)", () => {
    const js = `${APP_JS} new GraphQLClient("/api/q"); createClient({ url: '/urql' }); fetch('/f', { method: 'POST', body: JSON.stringify({ query: q }) }); fetch('/plain')`;
    const found = extractScriptUrls(js).filter((c) => c.graphql).map((c) => `${c.method} ${c.url}`);
    expect(found.sort()).toEqual(['POST /api/q', 'POST /data', 'POST /f', 'POST /urql']);
  });

  it("introspects the Apollo client's /data with the common locations, and a HAR's /rpc/q after reading it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vouch-gql-'));
    const har = join(dir, 'app.har');
    const entry = { request: { method: 'POST', url: `${app.url}/rpc/q`, headers: [], postData: { mimeType: 'application/json', text: '{"query":"query { version }"}' } }, response: { status: 200 } };
    writeFileSync(har, JSON.stringify({ log: { version: '1.2', entries: [entry] } }));
    const target = { name: 'g', url: app.url, environment: 'local' as const };
    const engine = createEngine({ target, scope: { origins: [app.url], include: [], exclude: [] }, safeMode: false });
    asked = [];
    try {
      const surface = await discover({ target, engine, options: { har: [har] } });
      expect(surface.operations.filter((o) => o.graphql).map((o) => o.id)).toEqual(['POST /data query.note', 'POST /data query.version', 'POST /rpc/q query.note', 'POST /rpc/q query.version']);
      // Each endpoint is introspected once: /data in the first pass, /rpc/q after the HAR.
      expect(asked).toEqual(['/data', '/rpc/q']);
      expect(surface.discovery?.sources.filter((s) => s.source === 'graphql').map((s) => s.stop ?? '')).toEqual(['', '1 endpoint met after introspection']);
    } finally {
      await engine.close();
    }
  });
});
