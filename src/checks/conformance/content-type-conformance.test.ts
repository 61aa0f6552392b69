// src/checks/conformance/content-type-conformance.test.ts — JSON served as text/html is found and confirmed; the safe
// twin sends `application/json; charset=utf-8` (and a `+json` type), which matches.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { mediaMatches } from './content-type-conformance.js';

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const type = url.pathname === '/wrong' ? 'text/html' : url.pathname === '/problem' ? 'application/problem+json' : 'application/json; charset=utf-8';
    res.writeHead(200, { 'content-type': type });
    res.end('{"ok":true}');
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [], responses: { '200': { contentType: 'application/json' } } });

describe('content-type-conformance', () => {
  it('matches media types with parameters, wildcards and +json', () => {
    expect(mediaMatches('application/json; charset=utf-8', 'application/json')).toBe(true);
    expect(mediaMatches('application/problem+json', 'application/json')).toBe(true);
    expect(mediaMatches('text/plain', 'text/*')).toBe(true);
    expect(mediaMatches('text/html', 'application/json')).toBe(false);
  });

  it('finds JSON sent as text/html, confirmed by replay', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/wrong')] });
    expect(r.findings.map((f) => [f.confidence, f.proof.summary.includes('text/html')])).toEqual([['confirmed', true]]);
  });

  it('reports nothing on the safe twins', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/right'), op('/problem')] });
    expect(r.findings).toEqual([]);
  });
});
