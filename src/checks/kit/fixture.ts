// src/checks/kit/fixture.ts — tiny fixture servers for check tests: a request handler on a random loopback port.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Fixture {
  url: string;
  close(): Promise<void>;
}

export type FixtureHandler = (req: IncomingMessage & { body: string }, res: ServerResponse, url: URL) => unknown;

/** Serves `handler` on 127.0.0.1 with a free port; the request body is read before the handler runs. */
export async function serveFixture(handler: FixtureHandler): Promise<Fixture> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const withBody = Object.assign(req, { body: Buffer.concat(chunks).toString('utf8') });
      Promise.resolve(handler(withBody, res, new URL(req.url ?? '/', 'http://127.0.0.1'))).catch((e: unknown) => {
        res.statusCode = 599;
        res.end(`fixture handler failed: ${String(e)}`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export function sendHtml(res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  res.end(html);
}

/** A GraphQL `query.search(term: String!)` operation at `path`, as discovery makes one per field. */
export const graphqlSearchField = (path: string) => ({
  method: 'POST',
  path,
  params: [{ name: 'variables.term', in: 'body' as const, required: true, schema: { type: 'string' } }],
  requestBody: { contentType: 'application/json', schema: { type: 'object' } },
  sources: ['graphql' as const],
  graphql: { kind: 'query' as const, field: 'search', query: 'query search($term: String!) { search(term: $term) }' },
});
