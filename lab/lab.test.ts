// lab/lab.test.ts — the lab against its manifest: every route, the spec, each planted problem in its variant only, each safe twin.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { labFile, loadManifest, plantedIn } from './manifest.js';
import type { ManifestOperation } from './manifest.js';
import type { RunningLab } from './server.js';
import { labRoutes, startLab, TRUSTED_ORIGIN } from './server.js';
import type { LabVariant } from './variants.js';
import { LAB_VARIANTS } from './variants.js';

const manifest = loadManifest();
const labs = {} as Record<LabVariant, RunningLab>;

beforeAll(async () => {
  const [baseline, candidate] = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' })]);
  labs.baseline = baseline;
  labs.candidate = candidate;
});

afterAll(async () => {
  await Promise.all(Object.values(labs).map((lab) => lab.close()));
});

// ---- a small client ---------------------------------------------------------------------------------------

type User = 'alice' | 'bob' | 'admin';
/** Who sends: nobody, a user's JWT, the agent token, a user's cookie session, or a raw bearer token. */
type Who = 'anon' | User | 'agent' | `${User}-cookie` | { bearer: string };

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  ms: number;
  json<T = unknown>(): T;
}

interface Send {
  as?: Who;
  json?: unknown;
  /** A raw body sent as JSON (for malformed bodies). */
  raw?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

const tokens = new Map<string, string>();
const cookies = new Map<string, string>();

async function credentials(variant: LabVariant, who: Who): Promise<Record<string, string>> {
  if (who === 'anon') return {};
  if (typeof who === 'object') return { authorization: `Bearer ${who.bearer}` };
  if (who === 'agent') return { authorization: 'Bearer lab-agent-token' };
  if (who.endsWith('-cookie')) {
    const user = who.slice(0, -'-cookie'.length);
    const key = `${variant}:${user}`;
    if (!cookies.has(key)) {
      const r = await call(variant, 'POST', '/login', { form: { username: user, password: `${user}-pass`, next: '/notes' } });
      const sid = /sid=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1];
      if (!sid) throw new Error(`cookie sign-in failed for ${user}: ${r.status}`);
      cookies.set(key, `sid=${sid}`);
    }
    return { cookie: cookies.get(key) ?? '' };
  }
  const key = `${variant}:${who}`;
  if (!tokens.has(key)) tokens.set(key, await login(variant, who as User));
  return { authorization: `Bearer ${tokens.get(key) ?? ''}` };
}

async function login(variant: LabVariant, user: string, password = `${user}-pass`): Promise<string> {
  const r = await call(variant, 'POST', '/api/login', { json: { username: user, password } });
  if (r.status !== 200) throw new Error(`login ${user} failed: ${r.status} ${r.text}`);
  return r.json<{ token: string }>().token;
}

async function call(variant: LabVariant, method: string, path: string, send: Send = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(await credentials(variant, send.as ?? 'anon')), ...send.headers };
  let body: string | undefined;
  if (send.json !== undefined || send.raw !== undefined) {
    headers['content-type'] = 'application/json';
    body = send.raw ?? JSON.stringify(send.json);
  } else if (send.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(send.form).toString();
  }
  const started = performance.now();
  const res = await fetch(labs[variant].url + path, { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  const ms = performance.now() - started;
  return { status: res.status, headers: res.headers, text, ms, json: <T>() => JSON.parse(text) as T };
}

const q = (value: string): string => encodeURIComponent(value);
const hasStack = (text: string): boolean => /\n\s+at .+:\d+:\d+/.test(text) || /\\n\s+at .+:\d+:\d+/.test(text);

// ---- the lab itself ---------------------------------------------------------------------------------------

describe('startLab', () => {
  it('starts fast, prints nothing, and runs several labs side by side', async () => {
    const out = vi.spyOn(process.stdout, 'write');
    const err = vi.spyOn(process.stderr, 'write');
    const started = performance.now();
    const [one, two] = await Promise.all([startLab({ variant: 'candidate', port: 0 }), startLab({ variant: 'baseline' })]);
    const elapsed = performance.now() - started;
    try {
      expect(elapsed).toBeLessThan(1000);
      expect(one.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(one.url).not.toBe(two.url);
      expect(one.variant).toBe('candidate');
      expect((await fetch(`${one.url}/api/internal/stats`)).status).toBe(200);
      expect((await fetch(`${two.url}/api/internal/stats`)).status).toBe(404);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
    expect(out).not.toHaveBeenCalled();
    expect(err).not.toHaveBeenCalled();
    out.mockRestore();
    err.mockRestore();
    await expect(fetch(`${one.url}/`)).rejects.toThrow();
  });

  it('seeds the same data on every start', async () => {
    const again = await startLab({ variant: 'baseline' });
    try {
      const a = await (await fetch(`${again.url}/api/reports/summary`)).json();
      const fresh = await startLab({ variant: 'baseline' });
      const b = await (await fetch(`${fresh.url}/api/reports/summary`)).json();
      await fresh.close();
      expect(a).toEqual(b);
    } finally {
      await again.close();
    }
  });
});

// ---- routes -------------------------------------------------------------------------------------------------

interface Sample {
  /** Concrete path (with query) for the template. */
  path: string;
  /** The identity that may use it (anon for public routes). */
  as: Who;
  /** Status it answers to that identity. */
  ok: number;
  json?: unknown;
  form?: Record<string, string>;
}

/** One working request per manifest operation. */
const SAMPLES: Record<string, Sample> = {
  'POST /api/login': { path: '/api/login', as: 'anon', ok: 200, json: { username: 'alice', password: 'alice-pass' } },
  'POST /api/register': { path: '/api/register', as: 'anon', ok: 201, json: { username: 'dave_ops', password: 'dave-pass' } },
  'GET /api/products': { path: '/api/products', as: 'anon', ok: 200 },
  'POST /api/products': {
    path: '/api/products',
    as: 'admin',
    ok: 201,
    json: { name: 'Sketchbook', category: 'stationery', price: 8.5, stock: 20 },
  },
  'GET /api/products/search': { path: '/api/products/search?q=pen', as: 'anon', ok: 200 },
  'GET /api/products/{id}': { path: '/api/products/1', as: 'anon', ok: 200 },
  'DELETE /api/products/{id}': { path: '/api/products/10', as: 'admin', ok: 204 },
  'GET /api/orders': { path: '/api/orders', as: 'alice', ok: 200 },
  'POST /api/orders': { path: '/api/orders', as: 'alice', ok: 201, json: { productId: 2, quantity: 1 } },
  'GET /api/orders/{id}': { path: '/api/orders/1', as: 'alice', ok: 200 },
  'GET /api/notes': { path: '/api/notes', as: 'alice', ok: 200 },
  'POST /api/notes': { path: '/api/notes', as: 'alice', ok: 201, json: { title: 'Ink', body: 'Buy blue ink.' } },
  'GET /api/notes/{id}': { path: '/api/notes/1', as: 'alice', ok: 200 },
  'DELETE /api/notes/{id}': { path: '/api/notes/2', as: 'alice', ok: 204 },
  'GET /api/users': { path: '/api/users', as: 'admin', ok: 200 },
  'GET /api/users/me': { path: '/api/users/me', as: 'alice', ok: 200 },
  'PATCH /api/users/me': { path: '/api/users/me', as: 'alice', ok: 200, json: { displayName: 'Alice A.' } },
  'GET /api/users/{id}': { path: '/api/users/1', as: 'alice', ok: 200 },
  'GET /api/reports/summary': { path: '/api/reports/summary', as: 'anon', ok: 200 },
  'GET /api/files': { path: '/api/files?name=catalog.txt', as: 'anon', ok: 200 },
  'GET /api/app/recommendations': { path: '/api/app/recommendations?productId=1', as: 'anon', ok: 200 },
  'POST /api/app/cart': { path: '/api/app/cart', as: 'anon', ok: 200, json: { items: [{ productId: 1, quantity: 2 }] } },
  'GET /': { path: '/', as: 'anon', ok: 200 },
  'GET /products': { path: '/products?sort=price', as: 'anon', ok: 200 },
  'GET /search': { path: '/search?q=pen', as: 'anon', ok: 200 },
  'GET /help': { path: '/help?topic=shipping', as: 'anon', ok: 200 },
  'GET /go': { path: '/go?to=%2Fproducts', as: 'anon', ok: 302 },
  'GET /login': { path: '/login', as: 'anon', ok: 200 },
  'POST /login': { path: '/login', as: 'anon', ok: 302, form: { username: 'bob', password: 'bob-pass', next: '/notes' } },
  'GET /logout': { path: '/logout', as: 'anon', ok: 302 },
  'GET /notes': { path: '/notes', as: 'alice-cookie', ok: 200 },
  'POST /notes': { path: '/notes', as: 'alice-cookie', ok: 302, form: { title: 'Pens', body: 'Compare nibs.' } },
  'GET /app': { path: '/app', as: 'anon', ok: 200 },
  'GET /app/app.js': { path: '/app/app.js', as: 'anon', ok: 200 },
  'GET /openapi.json': { path: '/openapi.json', as: 'anon', ok: 200 },
  'GET /api/internal/stats': { path: '/api/internal/stats', as: 'anon', ok: 200 },
  'GET /debug/env': { path: '/debug/env', as: 'anon', ok: 200 },
  'GET /.env': { path: '/.env', as: 'anon', ok: 200 },
  'POST /api/graphql': { path: '/api/graphql', json: { query: '{ product(id: "1") { id name price } }' }, as: 'anon', ok: 200 },
  'POST /api/v1/graphql': { path: '/api/v1/graphql', json: { query: '{ product(id: "1") { id name price } }' }, as: 'anon', ok: 200 },
};

const opKey = (op: { method: string; path: string }): string => `${op.method} ${op.path}`;

function authIn(op: ManifestOperation, variant: LabVariant): 'none' | 'required' {
  return variant === 'baseline' ? (op.authBaseline ?? op.auth) : op.auth;
}

describe('routes', () => {
  it('the manifest lists exactly the routes each variant serves', () => {
    for (const variant of LAB_VARIANTS) {
      const served = labRoutes(variant).map(opKey).sort();
      const listed = manifest.operations.filter((op) => op.variants.includes(variant)).map(opKey).sort();
      expect(listed, variant).toEqual(served);
    }
    expect(Object.keys(SAMPLES).sort()).toEqual(manifest.operations.map(opKey).sort());
  });

  it.each(manifest.operations.map((op) => [opKey(op), op] as const))('%s answers as described', async (_key, op) => {
    const sample = SAMPLES[opKey(op)];
    if (!sample) throw new Error(`no sample request for ${opKey(op)}`);
    const send = { ...(sample.json === undefined ? {} : { json: sample.json }), ...(sample.form ? { form: sample.form } : {}) };
    for (const variant of LAB_VARIANTS) {
      if (!op.variants.includes(variant)) {
        const r = await call(variant, op.method, sample.path, send);
        expect(r.status, `${variant} must not serve ${opKey(op)}`).toBe(404);
        continue;
      }
      if (authIn(op, variant) === 'required') {
        const anon = await call(variant, op.method, sample.path, send);
        const html = !op.path.startsWith('/api/');
        if (html) {
          expect(anon.status, `${variant} anonymous`).toBe(302);
          expect(anon.headers.get('location')).toMatch(/^\/login/);
        } else {
          expect(anon.status, `${variant} anonymous`).toBe(401);
        }
      } else if (sample.as !== 'anon') {
        const anon = await call(variant, op.method, sample.path, send);
        expect(anon.status, `${variant} anonymous on an open route`).toBeLessThan(400);
      }
      const r = await call(variant, op.method, sample.path, { ...send, as: sample.as });
      expect(r.status, `${variant} ${opKey(op)}: ${r.text.slice(0, 200)}`).toBe(sample.ok);
    }
  });

  it('the single-page routes appear only in the app script, the shadow ones nowhere', async () => {
    for (const variant of LAB_VARIANTS) {
      const shell = await call(variant, 'GET', '/app');
      expect(shell.text).toContain('<script type="module" src="/app/app.js"></script>');
      const script = (await call(variant, 'GET', '/app/app.js')).text;
      expect(script).toContain("fetch(url");
      expect(script).toContain('/api/app/recommendations?productId=');
      expect(script).toContain("'/api/app/cart'");
      const pages = ['/', '/products', '/search?q=pen', '/help', '/login', '/app'];
      const bodies = await Promise.all(pages.map(async (p) => (await call(variant, 'GET', p)).text));
      bodies.push((await call(variant, 'GET', '/notes', { as: 'bob-cookie' })).text);
      const spec = (await call(variant, 'GET', '/openapi.json')).text;
      for (const text of [...bodies, spec]) {
        expect(text).not.toContain('/api/app/');
        expect(text).not.toContain('/api/internal');
        expect(text).not.toContain('/debug');
        expect(text).not.toContain('.env');
      }
      expect(script).not.toContain('/api/internal');
    }
  });
});

// ---- the OpenAPI document ------------------------------------------------------------------------------------

describe('/openapi.json', () => {
  const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

  it.each(LAB_VARIANTS)('%s: an OpenAPI 3.0 document of exactly its documented operations', async (variant) => {
    const r = await call(variant, 'GET', '/openapi.json');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = r.json<{
      openapi: string;
      info: { title: string; version: string };
      paths: Record<string, Record<string, Record<string, unknown>>>;
      components: { securitySchemes: Record<string, { type: string; scheme?: string; in?: string }> };
    }>();
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(doc.components.securitySchemes.cookieAuth).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'sid' });

    const documented: string[] = [];
    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!METHODS.includes(method)) continue;
        const key = `${method.toUpperCase()} ${path}`;
        documented.push(key);
        const operationId = op.operationId as string;
        expect(typeof operationId, key).toBe('string');
        expect(operationIds.has(operationId), `${key} operationId unique`).toBe(false);
        operationIds.add(operationId);
        const responses = op.responses as Record<string, { content?: Record<string, { schema?: unknown }> }>;
        expect(Object.keys(responses).length, key).toBeGreaterThan(0);
        expect(Object.keys(responses).some((s) => s.startsWith('2')), key).toBe(true);
        for (const [status, response] of Object.entries(responses)) {
          if (status === '204') continue;
          expect(response.content, `${key} ${status} content`).toBeDefined();
          for (const media of Object.values(response.content ?? {})) expect(media.schema, `${key} ${status} schema`).toBeDefined();
        }
        for (const param of (op.parameters as Array<{ name: string; in: string; schema?: unknown }> | undefined) ?? []) {
          expect(param.schema, `${key} parameter ${param.name}`).toBeDefined();
          if (param.in === 'path') expect(path).toContain(`{${param.name}}`);
        }
        const body = op.requestBody as { content: Record<string, { schema?: unknown }> } | undefined;
        if (body) for (const media of Object.values(body.content)) expect(media.schema, `${key} request schema`).toBeDefined();

        // The spec documents intent: GET /api/users stays protected in the candidate's spec though its code is not.
        const manifestOp = manifest.operations.find((o) => opKey(o) === key);
        expect(manifestOp, `${key} is in the manifest`).toBeDefined();
        const intended = manifestOp?.authBaseline ?? manifestOp?.auth;
        const security = op.security as Array<Record<string, unknown>> | undefined;
        if (intended === 'required') {
          expect(security, `${key} security`).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
        } else {
          expect(security, `${key} security`).toBeUndefined();
        }
      }
    }
    const expected = manifest.operations
      .filter((op) => op.sources.includes('spec') && op.variants.includes(variant))
      .map(opKey)
      .sort();
    expect(documented.sort()).toEqual(expected);
    for (const op of manifest.operations.filter((o) => !o.sources.includes('spec'))) {
      expect(documented, `${opKey(op)} must not be documented`).not.toContain(opKey(op));
    }
  });
});

// ---- planted problems -----------------------------------------------------------------------------------------

/** Each probe answers: is the planted problem present in this variant? */
const PROBES: Record<string, (v: LabVariant) => Promise<boolean>> = {
  'cand-sqli-graphql': async (v) => {
    const ask = async (name: string): Promise<{ data: { productsByName: unknown[] } | null; errors?: Array<{ message: string }> }> =>
      (await call(v, 'POST', '/api/graphql', { json: { query: 'query s($name: String!) { productsByName(name: $name) { id } }', variables: { name } } })).json();
    const quote = await ask("'");
    const [truthy, falsy, all] = await Promise.all([ask("' OR '1'='1"), ask("' AND '1'='2"), ask('')]);
    const errorBased = quote.data === null && /unrecognized token/.test(quote.errors?.[0]?.message ?? '');
    const booleanBased = truthy.data?.productsByName.length === all.data?.productsByName.length && falsy.data?.productsByName.length === 0;
    expect(errorBased).toBe(booleanBased);
    return errorBased && booleanBased;
  },
  'cand-sqli-search': async (v) => {
    const quote = await call(v, 'GET', `/api/products/search?q=${q("'")}`);
    const truthy = await call(v, 'GET', `/api/products/search?q=${q("' OR '1'='1")}`);
    const falsy = await call(v, 'GET', `/api/products/search?q=${q("' AND '1'='2")}`);
    const errorBased = quote.status === 500 && /SQLITE_ERROR: unrecognized token/.test(quote.text);
    const all = (await call(v, 'GET', '/api/products')).json<unknown[]>().length;
    const booleanBased =
      truthy.status === 200 && falsy.status === 200 && truthy.json<unknown[]>().length === all && falsy.json<unknown[]>().length === 0;
    expect(errorBased).toBe(booleanBased);
    return errorBased && booleanBased;
  },
  'cand-xss-search': async (v) => {
    const payload = '<script>alert("vouch-xss")</script>';
    const r = await call(v, 'GET', `/search?q=${q(payload)}`);
    expect(r.status).toBe(200);
    return r.text.includes(`<b>${payload}</b>`);
  },
  'cand-ignored-auth-users': async (v) => {
    const r = await call(v, 'GET', '/api/users');
    if (r.status === 200) expect(r.json<Array<{ username: string }>>().map((u) => u.username)).toContain('admin');
    else expect(r.status).toBe(401);
    return r.status === 200;
  },
  'cand-bola-orders': async (v) => {
    const r = await call(v, 'GET', '/api/orders/1', { as: 'bob' });
    if (r.status !== 200) expect(r.status).toBe(404);
    return r.status === 200 && r.json<{ userId: number }>().userId === 1;
  },
  'cand-5xx-product-id': async (v) => {
    const statuses = await Promise.all(['abc', '0', '99999999999'].map(async (id) => (await call(v, 'GET', `/api/products/${id}`)).status));
    return statuses.every((s) => s === 500);
  },
  'cand-5xx-order-quantity': async (v) =>
    (await call(v, 'POST', '/api/orders', { as: 'alice', json: { productId: 1, quantity: 0 } })).status === 500,
  'cand-5xx-search-quote': async (v) => (await call(v, 'GET', `/api/products/search?q=${q("O'Brien")}`)).status === 500,
  'cand-verbose-product': async (v) => {
    const r = await call(v, 'GET', '/api/products/abc');
    return r.status === 500 && /TypeError: Cannot read properties of undefined/.test(r.text) && /at productJson \(.*lab[\\/]api\.(ts|js):\d+:\d+\)/.test(r.text);
  },
  'cand-verbose-order': async (v) => {
    const r = await call(v, 'POST', '/api/orders', { as: 'alice', json: { productId: 1, quantity: 0 } });
    return r.text.includes('CHECK constraint failed') && hasStack(r.text);
  },
  'cand-verbose-search': async (v) => {
    const r = await call(v, 'GET', `/api/products/search?q=${q("'")}`);
    return r.text.includes('SqliteError') && hasStack(r.text);
  },
  'cand-slow-summary': async (v) => {
    const r = await call(v, 'GET', '/api/reports/summary');
    expect(r.status).toBe(200);
    if (r.ms < 1000) expect(r.ms).toBeLessThan(300);
    return r.ms >= 1000;
  },
  'cand-schema-price': async (v) => {
    const r = await call(v, 'GET', '/api/products/1');
    const price = r.json<{ price: unknown }>().price;
    if (typeof price === 'string') expect(price).toBe('24.50');
    return typeof price === 'string';
  },
  'cand-negative-quantity': async (v) => {
    const r = await call(v, 'POST', '/api/orders', { as: 'alice', json: { productId: 1, quantity: -1 } });
    if (r.status !== 201) expect(r.status).toBe(400);
    return r.status === 201;
  },
  'cand-debug-env': async (v) => {
    const r = await call(v, 'GET', '/debug/env');
    return r.status === 200 && r.text.includes('JWT_SECRET') && r.text.includes('AWS_SECRET_ACCESS_KEY');
  },
  'cand-dotenv': async (v) => {
    const r = await call(v, 'GET', '/.env');
    return r.status === 200 && r.text.includes('JWT_SECRET=secret');
  },
  'cand-mass-assignment-register': async (v) => {
    const r = await call(v, 'POST', '/api/register', { json: { username: 'mallory', password: 'mallory-pass', role: 'admin' } });
    if (r.status === 404) return false;
    expect(r.status).toBe(201);
    const token = await login(v, 'mallory');
    // An admin-only lookup of someone else proves the role took effect.
    const other = await call(v, 'GET', '/api/users/2', { as: { bearer: token } });
    return r.json<{ role: string }>().role === 'admin' && other.status === 200;
  },
  'cand-exposure-profile': async (v) => {
    const r = await call(v, 'GET', '/api/users/me', { as: 'alice' });
    expect(r.status).toBe(200);
    const hash = r.json<{ passwordHash?: string }>().passwordHash;
    if (hash !== undefined) expect(hash).toMatch(/^scrypt\$/);
    return hash !== undefined;
  },
  'cand-cors-reflect': async (v) => {
    const evil = 'https://evil.example';
    const r = await call(v, 'GET', '/api/users/me', { as: 'alice', headers: { origin: evil } });
    const pre = await call(v, 'OPTIONS', '/api/users/me', { headers: { origin: evil, 'access-control-request-method': 'GET' } });
    const reflected = r.headers.get('access-control-allow-origin') === evil && r.headers.get('access-control-allow-credentials') === 'true';
    expect(pre.headers.get('access-control-allow-origin') === evil).toBe(reflected);
    return reflected;
  },
  'cand-shadow-stats': async (v) => {
    const r = await call(v, 'GET', '/api/internal/stats');
    if (r.status === 200) expect(r.json()).toHaveProperty('revenue');
    return r.status === 200;
  },
  'cand-jwt-alg-none': async (v) => {
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const forged = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '3', name: 'admin', role: 'admin', iat: now, exp: now + 600 })}.`;
    const r = await call(v, 'GET', '/api/users/me', { as: { bearer: forged } });
    if (r.status !== 200) expect(r.status).toBe(401);
    return r.status === 200 && r.json<{ username: string }>().username === 'admin';
  },
  'both-security-headers': async (v) => {
    const r = await call(v, 'GET', '/');
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    return !r.headers.has('content-security-policy') && !r.headers.has('x-content-type-options');
  },
  'both-cookie-flags': async (v) => {
    const visit = await call(v, 'GET', '/login');
    const signIn = await call(v, 'POST', '/login', { form: { username: 'alice', password: 'alice-pass' } });
    const cookies = [visit, signIn].map((r) => r.headers.get('set-cookie') ?? '');
    // The pre-sign-in session is not signed in, and signing in rotates the id.
    const anonymous = /sid=([^;]+)/.exec(cookies[0] ?? '')?.[1] ?? '';
    expect((await call(v, 'GET', '/notes', { headers: { cookie: `sid=${anonymous}` } })).status).toBe(302);
    expect(cookies[1]).not.toContain(anonymous);
    expect((await call(v, 'POST', '/api/login', { json: { username: 'alice', password: 'alice-pass' } })).headers.has('set-cookie')).toBe(false);
    for (const cookie of cookies) expect(cookie).toMatch(/^sid=/);
    return cookies.every((cookie) => !/httponly/i.test(cookie) && !/;\s*secure/i.test(cookie));
  },
  'both-open-redirect': async (v) => {
    const r = await call(v, 'GET', `/go?to=${q('https://evil.example/')}`);
    return r.status === 302 && r.headers.get('location') === 'https://evil.example/';
  },
  'both-graphql-introspection': async (v) => {
    const r = await call(v, 'POST', '/api/graphql', { json: { query: '{ __schema { queryType { name } types { name } } }' } });
    const types = r.json<{ data?: { __schema?: { types?: { name: string }[] } } }>().data?.__schema?.types ?? [];
    return r.status === 200 && types.some((t) => t.name === 'Product');
  },
  'both-graphql-no-alias-limit': async (v) => {
    const query = `{ ${Array.from({ length: 100 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    const r = await call(v, 'POST', '/api/graphql', { json: { query } });
    const data = r.json<{ data?: Record<string, string> }>().data ?? {};
    return r.status === 200 && Object.keys(data).length === 100 && Object.values(data).every((t) => t === 'Query');
  },
  'both-graphql-no-depth-limit': async (v) => {
    const deep = (n: number): string => `{ product(id: "1") { ${'related(first: 1) { '.repeat(n - 2)}name${' }'.repeat(n - 2)} } }`; // n levels of fields
    const r = await call(v, 'POST', '/api/graphql', { json: { query: deep(24) } });
    let level: unknown = r.json<{ data?: { product?: unknown } }>().data?.product;
    for (let i = 2; i < 24; i++) level = (level as { related?: unknown[] } | undefined)?.related?.[0];
    return r.status === 200 && typeof (level as { name?: unknown } | undefined)?.name === 'string';
  },
  'both-jwt-weak-secret': async (v) => {
    const token = await login(v, 'bob');
    const [head = '', claims = '', signature = ''] = token.split('.');
    const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg: string };
    return header.alg === 'HS256' && createHmac('sha256', 'secret').update(`${head}.${claims}`).digest('base64url') === signature;
  },
  'both-excess-delete-product': async (v) => {
    expect((await call(v, 'DELETE', '/api/products/9', { as: 'alice' })).status).toBe(403);
    return (await call(v, 'DELETE', '/api/products/9', { as: 'agent' })).status === 204;
  },
  'both-excess-user-lookup': async (v) => {
    expect((await call(v, 'GET', '/api/users/2', { as: 'alice' })).status).toBe(403);
    const r = await call(v, 'GET', '/api/users/2', { as: 'agent' });
    return r.status === 200 && r.json<{ username: string }>().username === 'bob';
  },
  'base-path-traversal': async (v) => {
    const climbs = await Promise.all(
      ['../secret.txt', '../../../../etc/passwd', '..\\..\\windows\\win.ini'].map((name) => call(v, 'GET', `/api/files?name=${q(name)}`)),
    );
    const leaked = climbs.map((r) => r.status === 200 && r.text.includes('LAB-SECRET-MARKER'));
    if (!leaked[0]) for (const r of climbs) expect(r.status).toBe(400);
    return leaked.every(Boolean);
  },
};

describe('planted problems', () => {
  it('every problem has a probe and every probe a problem', () => {
    expect(Object.keys(PROBES).sort()).toEqual(manifest.problems.map((p) => p.id).sort());
  });

  it.each(manifest.problems.map((p) => [p.id, p] as const))('%s is present exactly where planted', async (_id, problem) => {
    const probe = PROBES[problem.id];
    if (!probe) throw new Error(`no probe for ${problem.id}`);
    const present = await Promise.all(LAB_VARIANTS.map((v) => probe(v)));
    expect(present).toEqual(LAB_VARIANTS.map((v) => plantedIn(problem, v)));
  });

  it('the counts meet the brief: 16+ in the candidate across all families, 10+ new, one fixed', () => {
    const inCandidate = manifest.problems.filter((p) => plantedIn(p, 'candidate'));
    expect(inCandidate.length).toBeGreaterThanOrEqual(16);
    expect(new Set(inCandidate.map((p) => p.family))).toEqual(new Set(['security', 'conformance', 'reliability', 'authorization']));
    expect(manifest.problems.filter((p) => p.variant === 'candidate').length).toBeGreaterThanOrEqual(10);
    expect(manifest.problems.filter((p) => p.variant === 'baseline').length).toBeGreaterThanOrEqual(1);
    expect(new Set(manifest.problems.map((p) => p.id)).size).toBe(manifest.problems.length);
  });

  it('every security and authorization problem has a safe twin of the same check', () => {
    const twinned = new Set(manifest.safeTwins.map((t) => t.checkId));
    for (const p of manifest.problems.filter((x) => x.family === 'security' || x.family === 'authorization')) {
      expect(twinned.has(p.checkId), `${p.id} (${p.checkId}) has a safe twin`).toBe(true);
    }
    for (const p of manifest.problems) {
      const op = manifest.operations.find((o) => o.method === p.method && o.path === p.path);
      expect(op, `${p.id} names a listed operation`).toBeDefined();
    }
  });
});

// ---- safe twins -----------------------------------------------------------------------------------------------

/** Each check answers: is this twin safe in this variant? */
const TWINS: Record<string, (v: LabVariant) => Promise<boolean>> = {
  'graphql-introspection POST /api/v1/graphql': async (v) => {
    const r = await call(v, 'POST', '/api/v1/graphql', { json: { query: '{ __schema { types { name } } }' } });
    const ok = await call(v, 'POST', '/api/v1/graphql', { json: { query: '{ product(id: "1") { name } }' } });
    expect(ok.status).toBe(200); // the endpoint answers queries, only introspection is refused
    return r.status === 400 && r.json<{ data?: unknown }>().data === undefined;
  },
  'graphql-cost-limits POST /api/v1/graphql': async (v) => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: product(id: "1") { name }`).join(' ')} }`;
    expect((await call(v, 'POST', '/api/v1/graphql', { json: { query: aliases(10) } })).status).toBe(200);
    const many = await call(v, 'POST', '/api/v1/graphql', { json: { query: aliases(50) } });
    const batch = await call(v, 'POST', '/api/v1/graphql', { json: [{ query: '{ __typename }' }, { query: '{ __typename }' }] });
    const deep = (n: number): string => `{ product(id: "1") { ${'related(first: 1) { '.repeat(n - 2)}name${' }'.repeat(n - 2)} } }`; // n levels of fields
    expect((await call(v, 'POST', '/api/v1/graphql', { json: { query: deep(5) } })).status).toBe(200);
    const tooDeep = await call(v, 'POST', '/api/v1/graphql', { json: { query: deep(6) } });
    return many.status === 400 && /Too many aliases/.test(many.text) && batch.status === 400 && tooDeep.status === 400 && /too deep/.test(tooDeep.text);
  },
  'graphql-field-suggestions POST /api/v1/graphql': async (v) => {
    const r = await call(v, 'POST', '/api/v1/graphql', { json: { query: '{ produc }' } });
    const messages = (r.json<{ errors?: Array<{ message: string }> }>().errors ?? []).map((e) => e.message);
    return r.status === 400 && messages.some((m) => m.startsWith('Cannot query field "produc"')) && !/Did you mean/.test(r.text);
  },
  'sql-injection POST /api/graphql query.product': async (v) => {
    const ask = async (id: string): Promise<{ status: number; product: unknown }> => {
      const r = await call(v, 'POST', '/api/graphql', { json: { query: 'query p($id: ID!) { product(id: $id) { id } }', variables: { id } } });
      return { status: r.status, product: r.json<{ data?: { product: unknown } }>().data?.product };
    };
    const replies = await Promise.all(["1'", "1' OR '1'='1", '1 AND 1=2'].map(ask));
    return replies.every((r) => r.status === 200 && r.product === null) && (await ask('1')).product !== null;
  },
  'sql-injection GET /api/products': async (v) => {
    const replies = await Promise.all(["'", "' OR '1'='1", "games' --"].map((c) => call(v, 'GET', `/api/products?category=${q(c)}`)));
    const games = await call(v, 'GET', '/api/products?category=games');
    return replies.every((r) => r.status === 200 && r.text === '[]') && games.json<unknown[]>().length === 2;
  },
  'xss-reflected GET /products': async (v) => {
    const payload = '<script>alert("vouch-xss")</script>';
    const r = await call(v, 'GET', `/products?sort=${q(payload)}`);
    return r.status === 200 && !r.text.includes(payload) && r.text.includes('&lt;script&gt;alert(&quot;vouch-xss&quot;)&lt;/script&gt;');
  },
  'ignored-auth GET /api/orders': async (v) => (await call(v, 'GET', '/api/orders')).status === 401,
  'bola GET /api/notes/{id}': async (v) =>
    (await call(v, 'GET', '/api/notes/1', { as: 'bob' })).status === 404 && (await call(v, 'GET', '/api/notes/1', { as: 'alice' })).status === 200,
  'not-a-server-error POST /api/notes': async (v) => {
    const bodies: Send[] = [
      { json: { title: '', body: 'x' } },
      { json: { title: 5, body: 'x' } },
      { json: { title: 'x'.repeat(101), body: '' } },
      { json: [] },
      { raw: 'null' },
      { raw: '{' },
    ];
    const statuses = await Promise.all(bodies.map(async (b) => (await call(v, 'POST', '/api/notes', { ...b, as: 'alice' })).status));
    return statuses.every((s) => s === 400);
  },
  'not-a-server-error GET /api/app/recommendations': async (v) => {
    const values = ['abc', '0', '-1', '99999999999', '', '1%27'];
    const statuses = await Promise.all(values.map(async (x) => (await call(v, 'GET', `/api/app/recommendations?productId=${x}`)).status));
    return statuses.every((s) => s === 400);
  },
  'verbose-errors GET /api/notes/{id}': async (v) => {
    const bad = await call(v, 'GET', '/api/notes/abc', { as: 'alice' });
    const missing = await call(v, 'GET', '/api/notes/999', { as: 'alice' });
    return bad.status === 400 && missing.status === 404 && !hasStack(bad.text) && !hasStack(missing.text) && !bad.text.includes('stack');
  },
  'max-response-time GET /api/products': async (v) => (await call(v, 'GET', '/api/products')).ms < 300,
  'response-schema-conformance GET /api/products': async (v) => {
    const list = (await call(v, 'GET', '/api/products')).json<Array<Record<string, unknown>>>();
    return list.length > 0 && list.every((p) => Number.isInteger(p.id) && typeof p.price === 'number' && typeof p.name === 'string');
  },
  'negative-data-rejection POST /api/notes': async (v) => {
    const r = await call(v, 'POST', '/api/notes', { as: 'alice', json: { title: '   ', body: 'blank title' } });
    const long = await call(v, 'POST', '/api/notes', { as: 'alice', json: { title: 'ok', body: 'x'.repeat(2001) } });
    return r.status === 400 && long.status === 400;
  },
  'sensitive-files GET /.git/config': async (v) => (await call(v, 'GET', '/.git/config')).status === 404,
  'mass-assignment PATCH /api/users/me': async (v) => {
    const r = await call(v, 'PATCH', '/api/users/me', { as: 'bob', json: { displayName: 'Bob B.', role: 'admin' } });
    const me = await call(v, 'GET', '/api/users/me', { as: 'bob' });
    return r.status === 200 && r.json<{ role: string }>().role === 'user' && me.json<{ role: string }>().role === 'user';
  },
  'excessive-data-exposure GET /api/users/{id}': async (v) => {
    const r = await call(v, 'GET', '/api/users/1', { as: 'admin' });
    return r.status === 200 && Object.keys(r.json<object>()).sort().join() === 'displayName,id,role,username';
  },
  'cors-misconfiguration GET /openapi.json': async (v) => {
    const evil = await call(v, 'GET', '/openapi.json', { headers: { origin: 'https://evil.example' } });
    const trusted = await call(v, 'GET', '/openapi.json', { headers: { origin: TRUSTED_ORIGIN } });
    return !evil.headers.has('access-control-allow-origin') && trusted.headers.get('access-control-allow-origin') === TRUSTED_ORIGIN;
  },
  'security-headers GET /app': async (v) => {
    const r = await call(v, 'GET', '/app');
    return /default-src 'self'/.test(r.headers.get('content-security-policy') ?? '') && r.headers.get('x-content-type-options') === 'nosniff';
  },
  'cookie-flags POST /api/app/cart': async (v) => {
    const r = await call(v, 'POST', '/api/app/cart', { json: { items: [] } });
    const cookie = r.headers.get('set-cookie') ?? '';
    return r.status === 200 && /^cart=/.test(cookie) && /HttpOnly/.test(cookie) && /Secure/.test(cookie) && /SameSite=Strict/.test(cookie);
  },
  'open-redirect GET /login': async (v) => {
    const signedIn = await call(v, 'GET', `/login?next=${q('https://evil.example/')}`, { as: 'alice-cookie' });
    const slashes = await call(v, 'GET', `/login?next=${q('//evil.example/')}`, { as: 'alice-cookie' });
    const posted = await call(v, 'POST', '/login', { form: { username: 'bob', password: 'bob-pass', next: 'https://evil.example/' } });
    const local = await call(v, 'GET', `/login?next=${q('/products')}`, { as: 'alice-cookie' });
    return (
      [signedIn, slashes, posted].every((r) => r.status === 302 && r.headers.get('location') === '/notes') &&
      local.headers.get('location') === '/products'
    );
  },
  'open-redirect GET /logout': async (v) => {
    const replies = await Promise.all(['https://evil.example/', '//evil.example/', '/\\evil.example'].map((n) => call(v, 'GET', `/logout?next=${q(n)}`)));
    return replies.every((r) => r.status === 302 && r.headers.get('location') === '/');
  },
  'jwt-weakness POST /login': async (v) => {
    const r = await call(v, 'POST', '/login', { form: { username: 'bob', password: 'bob-pass' } });
    const sid = /sid=([^;]+)/.exec(r.headers.get('set-cookie') ?? '')?.[1] ?? '';
    return sid.length >= 20 && !sid.includes('.');
  },
  'excess-permission GET /api/orders': async (v) => {
    const intended = await call(v, 'GET', '/api/orders', { as: 'agent' });
    const one = await call(v, 'GET', '/api/orders/3', { as: 'agent' });
    const refused = await Promise.all([
      call(v, 'POST', '/api/products', { as: 'agent', json: { name: 'x', category: 'x', price: 1 } }),
      call(v, 'GET', '/api/notes', { as: 'agent' }),
      call(v, 'POST', '/api/orders', { as: 'agent', json: { productId: 1, quantity: 1 } }),
      call(v, 'GET', '/api/users/me', { as: 'agent' }),
    ]);
    return intended.status === 200 && one.status === 200 && refused.every((r) => r.status === 403);
  },
  'path-traversal GET /help': async (v) => {
    const replies = await Promise.all(['../secret.txt', '../../../../etc/passwd', '__proto__'].map((t) => call(v, 'GET', `/help?topic=${q(t)}`)));
    return replies.every((r) => r.status === 404 && !r.text.includes('LAB-SECRET-MARKER'));
  },
};

describe('safe twins', () => {
  const twinKey = (t: { checkId: string; method: string; path: string; graphql?: string }): string => `${t.checkId} ${t.method} ${t.path}${t.graphql ? ` ${t.graphql}` : ''}`;

  it('every twin has a check and every check a twin', () => {
    expect(Object.keys(TWINS).sort()).toEqual(manifest.safeTwins.map(twinKey).sort());
  });

  it.each(manifest.safeTwins.map((t) => [twinKey(t)] as const))('%s is safe in both variants', async (key) => {
    const check = TWINS[key];
    if (!check) throw new Error(`no check for twin ${key}`);
    expect(await Promise.all(LAB_VARIANTS.map((v) => check(v)))).toEqual([true, true]);
  });
});

// ---- the scan config ------------------------------------------------------------------------------------------

describe('lab/vouch.yaml', () => {
  it('has the agreed keys and the agent identity with its declared scope', () => {
    const config = parseYaml(readFileSync(labFile('vouch.yaml'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(config)).toEqual(['target', 'scope', 'identities', 'budget']);
    expect(config.target).toEqual({ environment: 'local', spec: '/openapi.json' });
    expect(config.scope).toEqual({ exclude: ['/logout'] });
    const identities = config.identities as Record<string, Record<string, unknown>>;
    expect(Object.keys(identities)).toEqual(['alice', 'bob', 'admin', 'agent']);
    expect(identities.agent).toEqual({ role: 'user', bearer: 'lab-agent-token', intended: ['GET /api/orders', 'GET /api/orders/{id}'] });
    expect(identities.admin?.role).toBe('privileged');
    expect(config.budget).toEqual({ requests: 20000, ratePerSecond: 1000, concurrency: 8 });
  });

  it("its identities sign in against the lab", async () => {
    const config = parseYaml(readFileSync(labFile('vouch.yaml'), 'utf8')) as {
      identities: Record<string, { login?: { json: { url: string; body: Record<string, string>; tokenPath: string } } }>;
    };
    for (const [name, identity] of Object.entries(config.identities)) {
      if (!identity.login) continue;
      const r = await call('candidate', 'POST', identity.login.json.url, { json: identity.login.json.body });
      expect(r.status, name).toBe(200);
      expect(typeof r.json<Record<string, unknown>>()[identity.login.json.tokenPath], name).toBe('string');
    }
  });
});
