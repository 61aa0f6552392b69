// src/checks/security/crlf-injection.test.ts — a redirect that writes the raw decoded parameter into Location
// (vulnerable) beside one that percent-encodes it (safe twin).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './crlf-injection.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const to = url.searchParams.get('to') ?? '/';
    // Written to the socket byte for byte, as a hand-rolled server or a proxy would (Node's own API refuses CR/LF).
    const location = url.pathname === '/raw' ? to : encodeURI(to);
    res.socket!.end(`HTTP/1.1 302 Found\r\nLocation: ${location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'to', in: 'query' as const, schema: { type: 'string' } }] });

describe('crlf-injection', () => {
  it('confirms a header injected through a raw Location', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/raw')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'crlf-injection', confidence: 'confirmed', parameter: 'query:to' });
    expect(r.findings[0]!.proof.summary).toContain('reflected into location');
  });

  it('reports nothing on the safe twin that encodes the value', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/encoded')] });
    expect(r.findings).toEqual([]);
    expect(r.requests).toBe(3); // the marker, then the two line-break forms of the default strength
  });
});
