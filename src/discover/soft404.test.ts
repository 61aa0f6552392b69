// src/discover/soft404.test.ts — soft 404s: an SPA's index page (echoing its path), a redirect home and a real 404
// are recognised as the answer to an unknown path; real pages and API answers are not; one request per prefix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { createEngine, type Engine } from '../net/index.js';
import { createSoft404, normalise, soft404Key } from './soft404.js';

const shell = (path: string): string => `<!doctype html><html><head><title>Shop</title><link rel="canonical" href="${path}"></head>
<body><div id="app">Loading the shop… build 20260101</div><script src="/static/app.js"></script></body></html>`;

let site: Fixture;
let engine: Engine;
const hits: string[] = [];

beforeAll(async () => {
  site = await serveFixture((req, res, url) => {
    const p = url.pathname;
    hits.push(p);
    if (p === '/api/products') return sendJson(res, 200, [{ id: 1, name: 'pen' }]);
    if (p.startsWith('/api/')) return sendJson(res, 404, { error: 'no such route' });
    if (p === '/about') return sendHtml(res, 200, '<html><body><h1>About us</h1><p>We sell pens, pencils and paper since 1990.</p></body></html>');
    if (p.startsWith('/old/')) return res.writeHead(302, { location: '/' }).end();
    return sendHtml(res, 200, shell(p)); // the SPA's fallback: every unknown path gets the index page
  });
  engine = createEngine({ target: { name: 't', url: site.url, environment: 'local' }, scope: { origins: [site.url], include: [], exclude: [] }, safeMode: false });
});
afterAll(async () => {
  await engine.close();
  await site.close();
});

const get = (path: string) => engine.send({ method: 'GET', url: path }, { identity: 'anonymous', checkId: 'test' });

describe('soft 404s', () => {
  it('keys paths by first segment and extension', () => {
    expect(soft404Key('/')).toBe('/');
    expect(soft404Key('/openapi.json')).toBe('/*.json');
    expect(soft404Key('/api/v1/users')).toBe('/api/');
    expect(soft404Key('/static/js/app.js')).toBe('/static/*.js');
    expect(normalise('<a href="/x/abc">abc 12</a>', '/x/abc')).toBe('<a href="¤">¤ #</a>');
  });

  it("takes the SPA's index page, echoing any path, for the answer to an unknown path; real pages are not", async () => {
    const s = createSoft404(engine);
    expect(await s.matches(await get('/.env'))).toBe(true);
    expect(await s.matches(await get('/admin'))).toBe(true);
    expect(await s.matches(await get('/swagger.json'))).toBe(true);
    expect(await s.matches({ url: `${site.url}/openapi.json`, status: 200, body: shell('/openapi.json') })).toBe(true);
    expect(await s.matches(await get('/about'))).toBe(false);
    expect(await s.matches(await get('/api/products'))).toBe(false);
    expect(await s.matches(await get('/api/nothing'))).toBe(true); // a 404 is a 404
    expect(await s.matches(await get('/old/page'))).toBe(true); // the same redirect a random /old/ path gets
    expect(await s.matches({ url: `${site.url}/x`, status: 200, body: '{"openapi":"3.0.0","paths":{}}' })).toBe(false);
  });

  it('learns each prefix once, with one random-path request, and reports what it learned', async () => {
    const s = createSoft404(engine);
    hits.length = 0;
    await Promise.all([s.matches(await get('/a')), s.matches(await get('/b')), s.matches(await get('/c'))]);
    const random = hits.filter((p) => p.startsWith('/vouch-'));
    expect(random).toHaveLength(1);
    expect(s.profiles()).toEqual([expect.objectContaining({ key: '/', identity: 'anonymous', status: 200, echoes: true })]);
  });

  it('never takes a page for a soft 404 on a target that answers unknown paths with a real 404', async () => {
    const strict = await serveFixture((_req, res, url) => (url.pathname === '/' ? sendHtml(res, 200, shell('/')) : sendHtml(res, 404, 'Not Found')));
    const e = createEngine({ target: { name: 't', url: strict.url, environment: 'local' }, scope: { origins: [strict.url], include: [], exclude: [] }, safeMode: false });
    try {
      const s = createSoft404(e);
      expect(await s.matches(await e.send({ method: 'GET', url: '/' }, { identity: 'anonymous', checkId: 'test' }))).toBe(false);
      expect(s.profiles()[0]?.status).toBe(404);
    } finally {
      await e.close();
      await strict.close();
    }
  });
});
