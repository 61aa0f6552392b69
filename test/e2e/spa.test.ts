// test/e2e/spa.test.ts — `vouch scan` of a single-page shop that answers every unknown path with its index page
// (echoing the path, as server-rendered shells do): its API is found by the browser crawl (after a click) and by
// the script's string literals, and the fallback page is never a spec, a shadow route, a sensitive file or an operation.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendJson, sendHtml, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';
import type { Report } from '../../src/core/index.js';
import { validateReport } from '../../src/report/index.js';
import { vouch } from './cli.js';

/** The shell: an admin-looking title and a sign-out link, the requested path echoed in the canonical link. */
const shell = (path: string): string => `<!doctype html><html><head><title>Shop admin</title>
<link rel="canonical" href="${path}"></head><body><nav><a href="/products">Products</a> <a href="/logout">Sign out</a></nav>
<div id="app">Loading…</div><button id="show">Show products</button><script src="/static/app.js"></script></body></html>`;

const APP_JS = `// the shop's own script
const api = { products: '/api/products', feature: '/api/hidden-feature', gone: '/api/gone-feature' };
const profile = (id) => fetch(\`/api/users/\${id}/profile\`).then((r) => r.json());
function route() {
  if (location.pathname === '/products') {
    fetch(api.products).then((r) => r.json()).then((items) => {
      document.getElementById('app').textContent = items.map((i) => i.name).join(', ');
      return fetch('/api/cart', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ itemId: items[0].id, qty: 1 }) });
    });
  }
}
document.getElementById('show').addEventListener('click', () => { history.pushState({}, '', '/products'); route(); });
window.addEventListener('popstate', route);
route();
`;

const tmp = mkdtempSync(join(tmpdir(), 'vouch-spa-'));
let site: Fixture;
let report: Report;
let html: string;
let stdout: string;
const hits: string[] = [];

beforeAll(async () => {
  site = await serveFixture((req, res, url) => {
    const p = url.pathname;
    hits.push(`${req.method} ${p}`);
    if (p === '/static/app.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(APP_JS);
    if (req.method === 'GET' && p === '/api/products') return sendJson(res, 200, [{ id: 3, name: 'pen' }]);
    if (req.method === 'GET' && p === '/api/hidden-feature') return sendJson(res, 200, { beta: true });
    if (req.method === 'GET' && /^\/api\/users\/\d+\/profile$/.test(p)) return sendJson(res, 200, { id: 1, name: 'ann' });
    if (req.method === 'POST' && p === '/api/cart') return sendJson(res, 201, { total: 1 });
    return sendHtml(res, 200, shell(p)); // every other path, /api/… and /.env included: the index page
  });
  const out = join(tmp, 'scan');
  const r = await vouch(['scan', site.url, '--check', 'sensitive-files,shadow-endpoint', '--out', out, '--format', 'json,html'], { timeoutMs: 240_000 });
  stdout = r.stdout;
  if (r.code !== 0 && r.code !== 1) throw new Error(`vouch scan exited ${r.code}: ${r.stderr}\n${r.stdout.slice(-2000)}`);
  report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  html = readFileSync(join(out, 'report.html'), 'utf8');
}, 300_000);
afterAll(() => site?.close());

const op = (id: string) => report.surface.operations.find((o) => o.id === id);

describe('a single-page app that answers every path with its index page', () => {
  it('writes a valid report', () => {
    expect(validateReport(report)).toEqual({ valid: true });
  });

  it('finds the API the script calls: by rendering it (spa) and by its string literals (script)', () => {
    expect(op('GET /api/products')?.sources).toEqual(expect.arrayContaining(['script']));
    expect(op('GET /api/hidden-feature')?.sources).toEqual(['script']); // written, never called
    expect(op('GET /api/users/{param}/profile')?.sources).toEqual(['script']);
    expect(op('POST /api/cart')?.sources).toContain('script');
    const browserRan = !report.surface.warnings.some((w) => /browser crawl skipped/.test(w));
    if (browserRan) {
      expect(op('GET /api/products')?.sources).toContain('spa');
      expect(op('POST /api/cart')?.sources).toContain('spa');
      expect(op('POST /api/cart')?.requestBody?.schema).toEqual({ type: 'object', properties: { itemId: { type: 'integer' }, qty: { type: 'integer' } } });
    }
    expect(op('GET /api/gone-feature')).toBeUndefined(); // its answer is the fallback page
  });

  it('takes the fallback page for no spec, shadow route, sensitive file or page', () => {
    expect(report.surface.spec).toBeUndefined();
    expect(report.surface.warnings.filter((w) => /answered but is not usable/.test(w))).toEqual([]);
    expect(report.surface.operations.filter((o) => o.sources.includes('shadow')).map((o) => o.id)).toEqual([]);
    expect(report.findings.map((f) => f.title)).toEqual([]);
    expect(op('GET /products')?.sources ?? []).not.toContain('html'); // a client-side route, not a server page
  });

  it('reports what each source found, what stopped it, and how unknown paths answer', () => {
    const d = report.surface.discovery!;
    const script = d.sources.find((s) => s.source === 'script' && s.identity === 'anonymous');
    expect(script?.found).toBeGreaterThanOrEqual(4);
    expect(d.sources.find((s) => s.source === 'html')?.stop).toBe('nothing left to visit');
    expect(d.notFound).toContainEqual(expect.objectContaining({ identity: 'anonymous', key: '/', status: 200, echoes: true }));
    expect(stdout).toMatch(/Discovery: \d+ operations, by source:\n {2}html: /);
    expect(html).toContain('<h3>Discovery</h3>');
  });
});
