// src/discover/surface.test.ts — the second half of discovery on fixtures: the browser crawl records a page's
// XHR/fetch calls as `spa` operations and aborts out-of-scope requests through the engine; the observed auth
// requirement; shadow routes against a catch-all; inferred links; a missing Chromium is a warning, never silence.
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser } from '../browser/chromium.js';
import { sendHtml, sendJson, serveFixture, type Fixture, type FixtureHandler } from '../checks/kit/fixture.js';
import type { Identity, Operation } from '../core/index.js';
import { createIdentitySessions } from '../identities/sessions.js';
import { createEngine, type Engine } from '../net/index.js';
import { discover } from './index.js';
import { inferLinks } from './links.js';
import { MAX_SHADOW_PROBES, shadowWordlist } from './shadow.js';

const SHELL = `<!doctype html><html><body><div id="list"></div><button id="more">More</button>
<script>
// URLs are built at run time, so only rendering the page (not reading its text) reveals them.
const at = (...parts) => '/' + parts.join('/');
fetch(at('api', 'items') + '?page=1').then((r) => r.json()).then((items) => {
  document.getElementById('list').textContent = items.map((i) => i.name).join(', ');
  fetch('https://tracker.example/collect', { method: 'POST', body: 'x' }).catch(() => {});
});
document.getElementById('more').addEventListener('click', () => {
  history.pushState({}, '', at('app', 'items', 7));
  fetch(at('api', 'items', 7)).then(() => fetch(at('api', 'cart'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ itemId: 7, qty: 2 }) }));
});
</script></body></html>`;

/** An app: a shell whose script calls the API, a protected API, a hidden internal route and a sign-out link. */
const app: FixtureHandler = (req, res, url) => {
  const signedIn = req.headers.authorization === 'Bearer good';
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /':
      return sendHtml(res, 200, '<a href="/app">app</a> <a href="/logout">sign out</a>');
    case 'GET /app':
      return sendHtml(res, 200, SHELL);
    case 'GET /api/items':
      return sendJson(res, 200, [{ id: 7, name: 'pen' }]);
    case 'GET /api/items/7':
      return sendJson(res, 200, { id: 7, name: 'pen' });
    case 'POST /api/cart':
      return sendJson(res, 200, { total: 3 });
    case 'GET /api/account':
      return signedIn ? sendJson(res, 200, { id: 1 }) : sendJson(res, 401, { error: 'sign in' });
    case 'GET /api/internal/metrics':
      return sendJson(res, 200, { requests: 12 });
    case 'GET /logout':
      res.writeHead(302, { location: '/' });
      return res.end();
    case 'GET /openapi.json':
      return sendJson(res, 200, {
        openapi: '3.0.3',
        info: { title: 'x', version: '1' },
        paths: { '/api/account': { get: { responses: { '200': { description: 'ok' } } } }, '/api/gone': { get: { responses: { '200': { description: 'ok' } } } } },
      });
    default:
      return sendJson(res, 404, { error: 'not found' });
  }
};

const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'user', role: 'user', auth: { kind: 'bearer', token: 'good' } },
];

async function run(handler: FixtureHandler, opts: { env?: Record<string, string>; browser?: boolean; safeMode?: boolean } = {}) {
  const site: Fixture = await serveFixture(handler);
  const safeMode = opts.safeMode ?? false;
  const target = { name: 'fx', url: site.url, environment: safeMode ? ('production' as const) : ('local' as const) };
  const engine: Engine = createEngine({ target, scope: { origins: [site.url], include: [], exclude: [] }, safeMode, ratePerSecond: 10_000 });
  const sessions = createIdentitySessions(identities, engine);
  engine.setCredentials((n) => sessions.headers(n));
  const saved = { ...process.env };
  Object.assign(process.env, opts.env ?? {});
  try {
    const surface = await discover({ target, engine, explore: { identities, usable: (n) => sessions.usable(n), ...(opts.browser === false ? { browser: false } : { browser: { timeoutMs: 30_000 } }) } });
    return { surface, engine, op: (id: string): Operation | undefined => surface.operations.find((o) => o.id === id) };
  } finally {
    process.env = saved;
    await engine.close();
    await site.close();
  }
}

afterAll(() => closeBrowser());

describe('surface: browser crawl, auth, shadow, links', () => {
  it('says so in the warnings when Chromium is missing, and still does the rest', async () => {
    const { surface, op } = await run(app, { env: { CHROME_PATH: '/nonexistent/chromium' } });
    expect(surface.warnings.join('\n')).toMatch(/browser crawl skipped: CHROME_PATH=\/nonexistent\/chromium does not exist/);
    expect(op('GET /api/items')).toBeUndefined(); // only the page's script calls it
    expect(op('GET /api/account')?.auth).toBe('required');
  });

  it('renders the app: XHR/fetch calls become spa operations, with params, body schema and history changes', async () => {
    const { surface, engine, op } = await run(app);
    expect(op('GET /api/items')?.sources).toEqual(['spa']);
    expect(op('GET /api/items')?.params).toContainEqual({ name: 'page', in: 'query', examples: ['1'] });
    expect(op('GET /api/items/{id}')?.sources).toContain('spa');
    const cart = op('POST /api/cart')!;
    expect(cart.requestBody?.schema).toEqual({ type: 'object', properties: { itemId: { type: 'integer' }, qty: { type: 'integer' } } });
    expect(cart.auth).toBe('none'); // an empty body answers 200 anonymously
    expect(op('GET /app/items/{id}')?.sources).toEqual(['spa']); // pushState
    expect(op('GET /logout')?.sources).toEqual(['html']); // recorded, never followed
    // The tracker is another origin: the engine refused it (audit), the page got an abort.
    const refused = engine.exchanges().filter((x) => x.request.url.startsWith('https://tracker.example'));
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((x) => x.error?.code === 'VOUCH_SCOPE_REFUSED')).toBe(true);
    expect(surface.warnings.join('\n')).toMatch(/refused by the engine/);
  }, 30_000);

  it('safe mode: the unsafe call a click makes is refused by the engine yet recorded, and not probed for auth', async () => {
    const { engine, op, surface } = await run(app, { safeMode: true });
    const cart = engine.exchanges().filter((x) => x.request.method === 'POST' && x.request.url.endsWith('/api/cart'));
    expect(cart.length).toBeGreaterThan(0);
    expect(cart.every((x) => x.error?.code === 'VOUCH_SAFE_MODE_REFUSED')).toBe(true);
    expect(op('POST /api/cart')?.auth).toBe('unknown');
    expect(surface.warnings.join('\n')).toMatch(/safe mode: 1 operation\(s\) with unsafe methods were not probed/);
  }, 30_000);

  it('observes auth, keeps the spec declaration, marks gone spec operations and finds shadow routes', async () => {
    const { op } = await run(app, { browser: false });
    expect(op('GET /api/account')).toMatchObject({ auth: 'required', live: true });
    expect(op('GET /api/account')?.declaredAuth).toBe('none'); // the spec declares no security
    expect(op('GET /api/gone')?.live).toBe(false);
    expect(op('GET /api/internal/metrics')).toMatchObject({ sources: ['shadow'], auth: 'none' });
  });

  it('safe twin: a catch-all that answers every path yields no shadow route', async () => {
    const catchAll: FixtureHandler = (req, res, url) => (url.pathname === '/openapi.json' ? app(req, res, url) : sendHtml(res, 200, '<!doctype html><div id="root"></div>'));
    const { surface } = await run(catchAll, { browser: false });
    expect(surface.operations.filter((o) => o.sources.includes('shadow'))).toEqual([]);
  });

  it('derives a bounded wordlist from the spec prefixes', () => {
    const words = shadowWordlist([{ id: 'GET /api/v1/things', method: 'GET', path: '/api/v1/things', params: [], auth: 'none', sources: ['spec'] }]);
    expect(words).toContain('/api/internal/stats');
    expect(words).toContain('/api/v1/internal');
    expect(words).toContain('/.env');
    expect(words.length).toBeLessThanOrEqual(MAX_SHADOW_PROBES);
  });

  it('infers producer → consumer links from names, and keeps a spec link', () => {
    const op = (method: string, path: string, extra: Partial<Operation> = {}): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'none', sources: ['spec'], ...extra });
    const ops = [
      op('POST', '/orders', { responses: { '201': { schema: { type: 'object', properties: { id: { type: 'integer' } } } } } }),
      op('GET', '/orders', { responses: { '200': { schema: { type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { id: {} } } } } } } } }),
      op('GET', '/orders/{orderId}', { params: [{ name: 'orderId', in: 'path' }] }),
      op('GET', '/products', { responses: { '200': { schema: { type: 'array', items: { type: 'object', properties: { id: {} } } } } }, links: [{ field: '[].id', operation: 'GET /x', parameter: 'productId', source: 'spec' }] }),
      op('GET', '/x', { params: [{ name: 'productId', in: 'query' }] }),
    ];
    inferLinks({ operations: ops });
    expect(ops[0]!.links).toEqual([{ field: 'id', operation: 'GET /orders/{orderId}', parameter: 'orderId', source: 'inferred' }]);
    expect(ops[1]!.links).toEqual([{ field: 'items[].id', operation: 'GET /orders/{orderId}', parameter: 'orderId', source: 'inferred' }]);
    expect(ops[3]!.links).toEqual([{ field: '[].id', operation: 'GET /x', parameter: 'productId', source: 'spec' }]);
  });
});
