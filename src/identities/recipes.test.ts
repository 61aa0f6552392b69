// src/identities/recipes.test.ts — login recipes against local fixture apps shaped like real ones: a CSRF-token form
// (DVWA), a token in a response header sent back raw (BrokenCrystals), a form answering JSON (OAuth2 password flow),
// a nested token path, short-lived tokens over a long simulated scan, and one Cookie header per request.
import { describe, expect, it } from 'vitest';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { parseConfig, resolveRun } from '../config/index.js';
import type { Identity } from '../core/index.js';
import { createEngine, type Engine } from '../net/index.js';
import { createIdentitySessions } from './sessions.js';

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (claims: Record<string, unknown>): string => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.c2ln`;
const claimsOf = (token: string): { sub?: string; exp?: number } => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { sub?: string; exp?: number };

interface Setup {
  engine: Engine;
  sessions: ReturnType<typeof createIdentitySessions>;
  failures: string[];
  secrets: string[];
}

function setup(url: string, identities: Identity[], now?: () => number): Setup {
  const target = { name: 't', url, environment: 'local' as const };
  const engine = createEngine({ target, scope: { origins: [url], include: [], exclude: [] }, safeMode: false, ratePerSecond: 10_000 });
  const failures: string[] = [];
  const secrets: string[] = [];
  const sessions = createIdentitySessions(identities, engine, (n, why) => failures.push(`${n}: ${why}`), (v) => secrets.push(v), now ? { now } : {});
  engine.setCredentials((n) => sessions.headers(n));
  engine.setReauthenticate((n, why, at) => sessions.relogin(n, why, at));
  return { engine, sessions, failures, secrets };
}

/** The identities a vouch.yaml text resolves to (through the loader: env substitution, zod, resolution). */
function identitiesOf(yaml: string, env: NodeJS.ProcessEnv = {}): Identity[] {
  return resolveRun(parseConfig(yaml, 'vouch.yaml', env), { url: 'http://127.0.0.1:1' }).identities.filter((i) => i.name !== 'anonymous');
}

async function withSite<T>(site: Fixture, ids: Identity[], fn: (s: Setup) => Promise<T>, now?: () => number): Promise<T> {
  const s = setup(site.url, ids, now);
  try {
    return await fn(s);
  } finally {
    await s.engine.close();
    await site.close();
  }
}

/** DVWA's login: GET /login.php issues PHPSESSID and a user_token bound to it; the POST needs both. */
function csrfSite(): Promise<Fixture> {
  const tokens = new Map<string, string>();
  const signedIn = new Set<string>();
  let n = 0;
  return serveFixture((req, res, url) => {
    const sid = /PHPSESSID=(\w+)/.exec(req.headers.cookie ?? '')?.[1];
    const cookieHeaders = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'cookie').length;
    if (cookieHeaders > 1) return sendHtml(res, 400, 'two Cookie headers');
    if (url.pathname === '/login.php' && req.method === 'GET') {
      const id = sid ?? `s${++n}`;
      const token = `t${n}x${Math.random().toString(16).slice(2)}`;
      tokens.set(id, token);
      if (!sid) res.setHeader('set-cookie', [`PHPSESSID=${id}; path=/`, 'security=impossible; path=/']);
      return sendHtml(res, 200, `<form method=post><input type="text" name="username"><input type='hidden' name='user_token' value='${token}' /></form>`);
    }
    if (url.pathname === '/login.php' && req.method === 'POST') {
      const form = new URLSearchParams(req.body);
      const ok = sid && tokens.get(sid) === form.get('user_token') && form.get('username') === 'admin' && form.get('password') === 'password';
      if (ok) signedIn.add(sid);
      res.writeHead(302, { location: ok ? 'index.php' : 'login.php' });
      return res.end();
    }
    if (url.pathname === '/index.php') {
      if (sid && signedIn.has(sid)) return sendHtml(res, 200, `welcome admin ${req.headers.cookie ?? ''}`, { 'set-cookie': 'security=low; path=/' });
      res.writeHead(302, { location: 'login.php' });
      return res.end();
    }
    return sendHtml(res, 404, 'no');
  });
}

/** BrokenCrystals' login: JSON POST answers 201 with the JWT in the Authorization header; it comes back raw. */
function headerTokenSite(): Promise<Fixture> {
  return serveFixture((req, res, url) => {
    if (url.pathname === '/api/auth/login') {
      const body = JSON.parse(req.body) as { user?: string; password?: string; op?: string };
      if (body.user !== 'user' || body.password !== 'user' || body.op !== 'basic') return sendJson(res, 401, {});
      return sendJson(res, 201, { email: 'user' }, { authorization: jwt({ sub: 'user' }) });
    }
    if (url.pathname === '/api/me') {
      const a = req.headers.authorization ?? '';
      return a.startsWith('ey') ? sendJson(res, 200, { sub: claimsOf(a).sub }) : sendJson(res, 401, { error: 'bad scheme' });
    }
    return sendJson(res, 404, {});
  });
}

const csrfYaml = `identities:
  admin:
    role: privileged
    login:
      steps:
        - get: /login.php
          extract: { user_token: { field: user_token } }
      form:
        url: /login.php
        fields: { username: admin, password: "\${DVWA_PASSWORD}", Login: Login, user_token: "\${user_token}" }
        success: { status: 302, location: index.php }
        token: { cookie: PHPSESSID }
`;

describe('login recipes', () => {
  it('logs in with a CSRF-token form in two steps and keeps the session cookie (config through the loader)', async () => {
    const ids = identitiesOf(csrfYaml, { DVWA_PASSWORD: 'password' });
    // The step's variable is left for the login; the environment's is filled at load.
    expect(ids[0]?.auth).toMatchObject({ kind: 'form-login', fields: { password: 'password', user_token: '${user_token}' }, steps: [{ method: 'GET', url: '/login.php' }] });
    await withSite(await csrfSite(), ids, async ({ engine, sessions, failures, secrets }) => {
      expect(await sessions.usable('admin')).toBe(true);
      expect(failures).toEqual([]);
      // The session cookie is told to the redactor; a setting cookie (`security=impossible`) is not.
      expect(secrets).toEqual([expect.stringMatching(/^s\d+$/)]);
      const page = await engine.send({ method: 'GET', url: '/index.php' }, { identity: 'admin' });
      expect(page.response?.status).toBe(200);
      // The answer sets another cookie: the next request still carries one Cookie header with both.
      const again = await engine.send({ method: 'GET', url: '/index.php' }, { identity: 'admin' });
      expect(again.response?.body).toMatch(/welcome admin PHPSESSID=s\d+; security=low$/);
      expect(again.request.headers.filter(([k]) => k === 'cookie')).toHaveLength(1);
    });
  });

  it('names the step and the value when the form field is missing', async () => {
    const ids = identitiesOf(csrfYaml.replace('{ field: user_token }', '{ field: csrf }'), { DVWA_PASSWORD: 'password' });
    await withSite(await csrfSite(), ids, async ({ sessions, failures }) => {
      expect(await sessions.usable('admin')).toBe(false);
      expect(failures).toEqual(['admin: login step 1 GET /login.php: no form field csrf in the answer to fill ${user_token}']);
    });
  });

  it('reads the token from a response header and sends it back raw', async () => {
    const ids = identitiesOf(`identities:
  user:
    login:
      json:
        url: /api/auth/login
        body: { user: user, password: user, op: basic }
        token: { header: Authorization }
        send: { header: Authorization, scheme: none }
`);
    await withSite(await headerTokenSite(), ids, async ({ engine, failures }) => {
      const me = await engine.send({ method: 'GET', url: '/api/me' }, { identity: 'user' });
      expect(failures).toEqual([]);
      expect(me.response?.status).toBe(200);
      expect(me.request.headers.find(([k]) => k === 'authorization')?.[1]).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    });
  });

  it('reads a nested token path, and a form login answering JSON with a custom header and scheme', async () => {
    const site = await serveFixture((req, res, url) => {
      if (url.pathname === '/api/login') return sendJson(res, 200, { data: { auth: { token: 'nested-tok' } } });
      if (url.pathname === '/token') {
        const f = new URLSearchParams(req.body);
        return f.get('password') === 'password123' ? sendJson(res, 200, { access_token: `form-tok-${f.get('username')}` }) : sendJson(res, 401, {});
      }
      return sendJson(res, 200, { authorization: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null });
    });
    const ids = identitiesOf(`identities:
  alice:
    login: { json: { url: /api/login, body: { u: alice }, token: { path: data.auth.token } } }
  john:
    login: { form: { url: /token, fields: { username: johndoe, password: password123 }, token: { path: access_token } } }
  bot:
    login: { form: { url: /token, fields: { username: bot, password: password123 }, token: { path: access_token }, send: { header: X-Api-Key, scheme: Token } } }
`);
    await withSite(site, ids, async ({ engine, failures }) => {
      const seen = async (identity: string): Promise<unknown> => JSON.parse((await engine.send({ method: 'GET', url: '/echo' }, { identity })).response?.body ?? '{}');
      expect(await seen('alice')).toEqual({ authorization: 'Bearer nested-tok', key: null });
      expect(await seen('john')).toEqual({ authorization: 'Bearer form-tok-johndoe', key: null });
      expect(await seen('bot')).toEqual({ authorization: null, key: 'Token form-tok-bot' });
      expect(failures).toEqual([]);
    });
  });

  it('keeps an API with 60 s JWTs signed in over a 5-minute scan: renewed before exp, no dead-token 401', async () => {
    let clock = Date.UTC(2026, 0, 1);
    let logins = 0;
    const site = await serveFixture((req, res, url) => {
      if (url.pathname === '/login') {
        logins++;
        return sendJson(res, 200, { token: jwt({ sub: 'alice', exp: Math.floor(clock / 1000) + 60 }) });
      }
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return sendJson(res, 401, { error: 'sign in' });
      return (claimsOf(token).exp ?? 0) * 1000 > clock ? sendJson(res, 200, {}) : sendJson(res, 401, { error: 'token expired' });
    });
    const ids: Identity[] = [{ name: 'alice', role: 'user', auth: { kind: 'json-login', url: '/login', body: {}, tokenPath: 'token' } }];
    await withSite(
      site,
      ids,
      async ({ engine, sessions }) => {
        const statuses: number[] = [];
        for (let t = 0; t < 300; t++) {
          clock += 1_000; // one request a second, 5 minutes
          const ex = await engine.send({ method: 'GET', url: `/api/orders/${t}` }, { identity: 'alice' });
          statuses.push(ex.response?.status ?? 0);
        }
        expect(engine.exchanges().filter((x) => x.response?.status === 401)).toHaveLength(0);
        expect(statuses.every((s) => s === 200)).toBe(true);
        // Renewed ahead of each expiry (every ~48 s): 7 logins for 5 minutes, each recorded.
        expect(logins).toBeGreaterThanOrEqual(6);
        expect(logins).toBeLessThanOrEqual(8);
        expect(sessions.relogins().every((r) => r.ok && /renewed before/.test(r.reason ?? ''))).toBe(true);
      },
      () => clock,
    );
  });

  it('renews opaque tokens by their configured lifetime (2 s tokens over a 10 s run) and counts a failed renewal as lost', async () => {
    let clock = 5_000_000;
    const issued = new Map<string, number>();
    let refuse = false;
    const site = await serveFixture((req, res, url) => {
      if (url.pathname === '/token') {
        if (refuse) return sendJson(res, 503, {});
        const tok = `opaque-${issued.size}`;
        issued.set(tok, clock);
        return sendJson(res, 200, { access_token: tok });
      }
      const at = issued.get(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      return at !== undefined && clock - at < 2_000 ? sendJson(res, 200, {}) : sendJson(res, 401, {});
    });
    const ids: Identity[] = [
      { name: 'john', role: 'user', auth: { kind: 'form-login', url: '/token', fields: { username: 'john' }, token: { from: 'body', path: 'access_token' }, lifetimeMs: 2_000 } },
    ];
    await withSite(
      site,
      ids,
      async ({ engine, sessions, failures }) => {
        for (let i = 0; i < 40; i++) {
          clock += 250;
          await engine.send({ method: 'GET', url: '/api/x' }, { identity: 'john' });
        }
        expect(engine.exchanges().filter((x) => x.response?.status === 401)).toHaveLength(0);
        expect(issued.size).toBeGreaterThanOrEqual(6);
        expect(sessions.failures().size).toBe(0);
        // The login itself starts failing: the identity is lost, said once, and the renewal is recorded as failed.
        refuse = true;
        clock += 2_000;
        await engine.send({ method: 'GET', url: '/api/x' }, { identity: 'john' });
        expect(sessions.failures().get('john')).toBe('form login /token failed: status 503');
        expect(failures).toEqual(['john: form login /token failed: status 503']);
        expect(sessions.relogins().at(-1)).toMatchObject({ identity: 'john', ok: false });
        expect(await sessions.usable('john')).toBe(false);
      },
      () => clock,
    );
  });

  it('tries a login once more after a 503 (a target restarting), but not after a wrong password', async () => {
    let attempts = 0;
    const site = await serveFixture((req, res, url) => {
      if (url.pathname !== '/login') return sendJson(res, 404, {});
      attempts++;
      if (attempts === 1) return sendJson(res, 503, {});
      return JSON.parse(req.body).password === 'right' ? sendJson(res, 200, { token: 't' }) : sendJson(res, 401, {});
    });
    const id = (name: string, password: string): Identity => ({ name, role: 'user', auth: { kind: 'json-login', url: '/login', body: { password }, tokenPath: 'token' } });
    await withSite(site, [id('ok', 'right'), id('bad', 'wrong')], async ({ sessions, failures }) => {
      expect(await sessions.usable('ok')).toBe(true);
      expect(attempts).toBe(2);
      expect(await sessions.usable('bad')).toBe(false);
      expect(attempts).toBe(3);
      expect(failures).toEqual(['bad: login /login answered 401']);
    });
  });

  it('sends a static cookie identity and its jar as one Cookie header, the configured value winning', async () => {
    const site = await serveFixture((req, res) => {
      const n = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'cookie').length;
      return sendJson(res, 200, { n, cookie: req.headers.cookie ?? null }, { 'set-cookie': 'PHPSESSID=from-target; path=/' });
    });
    const ids = identitiesOf('identities:\n  admin: { cookie: { name: PHPSESSID, value: configured } }\n');
    await withSite(site, ids, async ({ engine }) => {
      await engine.send({ method: 'GET', url: '/a' }, { identity: 'admin' });
      engine.jar('admin').set('security', 'low', new URL(site.url).host);
      const second = JSON.parse((await engine.send({ method: 'GET', url: '/b' }, { identity: 'admin' })).response?.body ?? '{}') as { n: number; cookie: string };
      expect(second).toEqual({ n: 1, cookie: 'PHPSESSID=configured; security=low' });
    });
  });
});
