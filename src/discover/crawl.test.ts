// src/discover/crawl.test.ts — the HTML crawler on a fixture site: forms, robots, sitemaps, scripts, sampling, refusals.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import type { Operation, Surface } from '../core/index.js';
import { createEngine, type Engine } from '../net/index.js';
import { formParams } from './html.js';
import { discover, extractLinks, extractScriptUrls, parseRobots, parseSitemap } from './index.js';

const OUT = 'http://127.0.0.2:9';
let site: Fixture;
const hits = new Map<string, number>();

const HOME = `<html><body>
<a href="/item/1">1</a> <a href="/item/2">2</a> <a href="/item/3">3</a> <a href="/about#team">about</a>
<a href="${OUT}/link">elsewhere</a> <a href="mailto:x@y.z">mail</a> <a href="/logout">sign out</a>
<form action="/contact" method="post">
  <input name="name" required><input type="email" name="email"><input type="number" name="qty" value="2">
  <select name="topic"><option value="a">A</option><option value="b" selected>B</option></select>
  <textarea name="msg">hello</textarea><input type="hidden" name="csrf" value="t0k"><input type="submit" value="Send">
</form>
<form action="${OUT}/collect" method="post"><input name="x"></form>
<script src="/static/app.js"></script>
<script>fetch('/api/inline', { method: 'POST', body: '{}' }); const u = "${OUT}/inline-script";</script>
<a href="/redirect">go</a> <a href="/docs/openapi.json">API</a>
</body></html>`;

const APP_JS = `axios.get("/api/users"); const one = (id) => fetch(\`/api/orders/\${id}\`, { method: 'DELETE' });
const base = '/api/missing'; const remote = "${OUT}/from-script"; const img = "/logo.png";`;

beforeAll(async () => {
  site = await serveFixture((req, res, url) => {
    hits.set(url.pathname, (hits.get(url.pathname) ?? 0) + 1);
    const origin = `http://127.0.0.1:${req.socket.localPort}`;
    const p = url.pathname;
    if (p === '/') return sendHtml(res, 200, HOME);
    if (p === '/robots.txt') return res.end(`User-agent: *\nDisallow: /private/*.pdf\nAllow: /public\nDisallow: ${'/'}\nSitemap: ${origin}/sitemap_index.xml\nSitemap: ${OUT}/sitemap.xml\n`);
    if (p === '/sitemap_index.xml') return res.end(`<?xml version="1.0"?><sitemapindex><sitemap><loc>${origin}/sitemap-1.xml</loc></sitemap></sitemapindex>`);
    if (p === '/sitemap-1.xml') {
      const locs = Array.from({ length: 300 }, (_, i) => `<url><loc>${origin}/page/${i}</loc></url>`).join('');
      const posts = Array.from({ length: 60 }, (_, i) => `<url><loc>${origin}/post/story-${['alpha', 'beta', 'gamma'][i % 3]}-${String.fromCharCode(97 + (i % 26))}${i}</loc></url>`).join('');
      return res.end(`<urlset>${locs}${posts}<url><loc>${OUT}/from-sitemap</loc></url></urlset>`);
    }
    if (p === '/static/app.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(APP_JS);
    if (p === '/redirect') return res.writeHead(302, { location: `${OUT}/redirected` }).end();
    if (/^\/(item|page)\/\d+$/.test(p) || p.startsWith('/post/story-') || p === '/about' || p === '/public' || p.startsWith('/private')) return sendHtml(res, 200, '<p>page</p>');
    if (p === '/api/users') return sendJson(res, 200, []);
    if (p === '/docs/openapi.json') return sendJson(res, 200, { openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/api/spec-only': { get: { responses: { '200': { description: 'ok' } } } } } });
    return sendHtml(res, 404, 'no');
  });
});
afterAll(() => site.close());

function engineFor(url: string): Engine {
  return createEngine({ target: { name: 't', url, environment: 'local' }, scope: { origins: [url], include: [], exclude: ['/logout'] }, safeMode: false });
}

describe('crawler', () => {
  let ops: Map<string, Operation>;
  let engine: Engine;
  let surface: Surface;
  beforeAll(async () => {
    engine = engineFor(site.url);
    surface = await discover({ target: { name: 't', url: site.url, environment: 'local' }, engine, scope: { origins: [site.url], include: [], exclude: ['/logout'] }, options: { graphql: false } });
    ops = new Map(surface.operations.map((o) => [o.id, o]));
  });
  afterAll(() => engine.close());

  it('finds pages, forms, scripts, robots and sitemap entries as operations', () => {
    for (const id of ['GET /', 'GET /item/{id}', 'GET /about', 'POST /contact', 'GET /public', 'GET /page/{id}', 'GET /api/users', 'POST /api/inline', 'DELETE /api/orders/{param}', 'GET /static/app.js', 'GET /logout', 'GET /api/spec-only']) {
      expect(ops.has(id), id).toBe(true);
    }
    // weak candidates that did not answer are not operations; wildcard robots entries are cut at the `*`
    expect(ops.has('GET /api/missing')).toBe(false);
    expect(ops.has('GET /private/')).toBe(true);
    expect(ops.get('GET /api/spec-only')?.sources).toEqual(['spec']);
  });

  it('turns form fields into typed form parameters with defaults as examples', () => {
    expect(ops.get('POST /contact')?.params).toEqual([
      { name: 'name', in: 'form', schema: { type: 'string' }, required: true },
      { name: 'email', in: 'form', schema: { type: 'string', format: 'email' } },
      { name: 'qty', in: 'form', schema: { type: 'number' }, examples: ['2'] },
      { name: 'topic', in: 'form', schema: { type: 'string', enum: ['a', 'b'] }, examples: ['b'] },
      { name: 'msg', in: 'form', schema: { type: 'string' }, examples: ['hello'] },
      { name: 'csrf', in: 'form', schema: { type: 'string' }, examples: ['t0k'] },
    ]);
  });

  it('names script-literal operations as such and says what each source found and why it stopped', () => {
    expect(ops.get('GET /api/users')?.sources).toEqual(['script']);
    const stats = surface.discovery?.sources ?? [];
    expect(stats.find((x) => x.source === 'html')).toMatchObject({ identity: 'anonymous', stop: 'nothing left to visit' });
    expect(stats.find((x) => x.source === 'html')?.pages).toBeGreaterThan(3);
    expect(stats.find((x) => x.source === 'script')).toMatchObject({ identity: 'anonymous', found: 3 });
    expect(stats.find((x) => x.source === 'spec')).toMatchObject({ found: 1, added: 1 });
  });

  it("sends a form's submit button name=value with it", () => {
    const form = extractLinks('<form method="GET"><input name="username"><input type="submit" value="Login" name="Login"><input type="submit" name="Other" value="x"></form><form method="post"><button name="Submit">Go <b>now</b></button></form>').forms;
    expect(form[0]?.fields).toEqual([
      { name: 'username', type: 'text', value: '' },
      { name: 'Login', type: 'submit', value: 'Login', required: true },
    ]);
    expect(form[1]?.fields).toEqual([{ name: 'Submit', type: 'submit', value: 'Go now', required: true }]);
    // a password change by GET: recorded without its button, so no probe of it performs the change
    const change = extractLinks('<form method="GET"><input type="password" name="password_new"><input type="password" name="password_conf"><input type="submit" name="Change" value="Change"></form>').forms[0]!;
    expect(formParams('GET', change.fields).map((p) => p.name)).toEqual(['password_new', 'password_conf']);
    expect(formParams('POST', change.fields).map((p) => p.name)).toEqual(['password_new', 'password_conf', 'Change']);
    expect(formParams('GET', form[0]!.fields)[1]).toEqual({ name: 'Login', in: 'query', schema: { type: 'string', enum: ['Login'] }, required: true, examples: ['Login'] });
  });

  it('fetches at most samplesPerTemplate pages of one route template', () => {
    // (a random /page/vouch-… path is the soft-404 control of the prefix, not a page)
    const pages = [...hits.entries()].filter(([p]) => p.startsWith('/page/') && !p.includes('/vouch-')).reduce((n, [, c]) => n + c, 0);
    expect(pages).toBe(2);
    expect([...hits.entries()].filter(([p]) => p.startsWith('/item/') && !p.includes('/vouch-')).length).toBe(2);
    // slugs: more than SLUG_THRESHOLD leaves under one parent are one template
    expect([...hits.keys()].filter((p) => p.startsWith('/post/') && !p.includes('/vouch-')).length).toBe(2);
    expect([...ops.keys()].filter((id) => id.startsWith('GET /post/'))).toEqual(['GET /post/{slug}']);
    expect(ops.get('GET /post/{slug}')?.params[0]).toMatchObject({ name: 'slug', in: 'path', required: true });
  });

  it('refuses every out-of-scope URL once, whatever the source, and never the excluded page twice', () => {
    const refused = engine.exchanges().filter((e) => e.error?.code === 'VOUCH_SCOPE_REFUSED');
    const byUrl = new Map(refused.map((e) => [e.request.url, e.checkId]));
    expect(byUrl.get(`${OUT}/link`)).toBe('discover:link');
    expect(byUrl.get(`${OUT}/collect`)).toBe('discover:form');
    expect(byUrl.get(`${OUT}/inline-script`)).toBe('discover:script');
    expect(byUrl.get(`${OUT}/from-script`)).toBe('discover:script');
    expect(byUrl.get(`${OUT}/redirected`)).toBe('discover:redirect');
    expect(byUrl.get(`${OUT}/sitemap.xml`)).toBe('discover:robots');
    expect(byUrl.get(`${OUT}/from-sitemap`)).toBe('discover:sitemap');
    expect(byUrl.get(`${site.url}/logout`)).toBe('discover:link');
    expect(refused.length).toBe(byUrl.size);
    expect(engine.stats().refused).toBe(refused.length);
    expect(hits.get('/logout')).toBeUndefined();
  });

  it('stops at maxPages with a warning', async () => {
    const e = engineFor(site.url);
    try {
      const surface = await discover({ target: { name: 't', url: site.url, environment: 'local' }, engine: e, options: { graphql: false, maxPages: 4 } });
      expect(surface.warnings.join('\n')).toMatch(/HTML crawl stopped at 4 pages \(discovery\.maxPages\)/);
      expect(e.stats().sent).toBeLessThanOrEqual(4 + 1 + 5 + 1); // crawl + probe + spec locations + found spec link
    } finally {
      await e.close();
    }
  });
});

describe('source parsers', () => {
  it('reads robots.txt entries and sitemaps', () => {
    expect(parseRobots('User-agent: *\nDisallow: /a/*.x # c\nAllow: /b$\nDisallow:\nSitemap: http://h/s.xml')).toEqual({ paths: ['/a/', '/b'], sitemaps: ['http://h/s.xml'] });
    expect(parseSitemap('<sitemapindex><sitemap><loc> http://h/1.xml </loc></sitemap></sitemapindex>')).toEqual({ index: true, locs: ['http://h/1.xml'] });
    expect(parseSitemap('<urlset><url><loc>http://h/a?x=1&amp;y=2</loc></url></urlset>')).toEqual({ index: false, locs: ['http://h/a?x=1&y=2'] });
  });

  it('finds URL-like strings and calls in scripts', () => {
    expect(extractScriptUrls(`axios.post('/api/a', d); fetch("/api/b"); x = "/api/c?q=1"; y = 'not a path'; z = "//cdn/x.js"; w = \`/api/d/\${id}\``)).toEqual([
      { url: '/api/a', method: 'POST' },
      { url: '/api/b' },
      { url: '/api/c?q=1' },
      { url: '/api/d/{param}' },
    ]);
  });
});
