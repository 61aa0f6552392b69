// src/discover/scripts.test.ts — script discovery: path literals, template literals and calls with their method are
// extracted; each GET candidate is verified by one request and kept only when it is neither a 404 nor a soft 404.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { createEngine, type Engine } from '../net/index.js';
import { createUrlGate } from './gate.js';
import { boundScripts, discoverScripts, extractScriptUrls } from './scripts.js';

const APP = `const API = '/rest/products';
const one = (id) => fetch(\`/api/\${id}/items\`);
fetch('/api/orders', { method: 'POST', body: JSON.stringify(o) });
$.ajax({ url: '/api/legacy', type: 'PUT', dataType: 'json' });
xhr.open('DELETE', "/api/session");
const gone = "/api/removed-feature"; const img = '/img/logo.png'; const page = '/about.html';
const far = "http://elsewhere.example/api/x";`;

let site: Fixture;
let engine: Engine;
const hits: string[] = [];

beforeAll(async () => {
  site = await serveFixture((req, res, url) => {
    hits.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/rest/products') return sendJson(res, 200, [{ id: 1 }]);
    if (url.pathname === '/api/1/items') return sendJson(res, 200, []);
    return sendHtml(res, 200, `<html><body><div id="app"></div><!-- ${url.pathname} --></body></html>`); // SPA fallback
  });
  engine = createEngine({ target: { name: 't', url: site.url, environment: 'local' }, scope: { origins: [site.url], include: [], exclude: [] }, safeMode: false });
});
afterAll(async () => {
  await engine.close();
  await site.close();
});

describe('script discovery', () => {
  it('extracts path literals, template literals and calls with their method', () => {
    expect(extractScriptUrls(APP)).toEqual(
      expect.arrayContaining([
        { url: '/rest/products' },
        { url: '/api/{param}/items' },
        { url: '/api/orders', method: 'POST' },
        { url: '/api/legacy', method: 'PUT' },
        { url: '/api/session', method: 'DELETE' },
        { url: '/api/removed-feature' },
        { url: 'http://elsewhere.example/api/x' },
      ]),
    );
    expect(extractScriptUrls(APP).some((c) => c.url === '/img/logo.png')).toBe(false);
    expect(extractScriptUrls(`$.ajax({ url: '/api/q', type: 'json' })`)).toEqual([{ url: '/api/q' }]);
    // relative to a page this text does not know: left out rather than resolved against the root
    expect(extractScriptUrls(`fetch('change_user_details.php', { method: 'POST' })`)).toEqual([]);
  });

  it('keeps what answers unlike an unknown path, with source script; calls with a method unverified', async () => {
    const gate = createUrlGate(engine, site.url);
    hits.length = 0;
    const got = await discoverScripts(engine, new URL(`${site.url}/`), gate, [APP]);
    const ids = got.operations.map((o) => o.id).sort();
    expect(ids).toEqual(['DELETE /api/session', 'GET /api/{param}/items', 'GET /rest/products', 'POST /api/orders', 'PUT /api/legacy']);
    expect(got.operations.every((o) => o.sources.length === 1 && o.sources[0] === 'script')).toBe(true);
    expect(got.operations.find((o) => o.id === 'GET /api/{param}/items')?.params).toEqual([{ name: 'param', in: 'path', required: true, examples: ['1'] }]);
    // one GET per GET candidate (the fallback page of /api/removed-feature is not kept), none with another method
    expect(hits.filter((h) => !h.includes('/vouch-')).sort()).toEqual(['GET /api/1/items', 'GET /api/removed-feature', 'GET /rest/products']);
    expect(got).toMatchObject({ verified: 3, kept: 5 });
    // the other origin was refused through the gate, never contacted
    expect(engine.exchanges().some((x) => x.error?.code === 'VOUCH_SCOPE_REFUSED' && x.request.url.startsWith('http://elsewhere.example'))).toBe(true);
  });

  it('is bounded by script bytes and candidates', async () => {
    expect(boundScripts(['aaaa', 'bbbb', 'cccc'], 6)).toEqual({ texts: ['aaaa', 'bb'], cut: true });
    const many = Array.from({ length: 30 }, (_, i) => `"/api/thing${i}"`).join(';');
    const got = await discoverScripts(engine, new URL(`${site.url}/`), createUrlGate(engine, site.url), [many], { maxCandidates: 5 });
    expect(got.verified).toBe(5);
    expect(got.stop).toMatch(/5 candidates/);
  });
});
