// src/identities/sessions.test.ts — form login success conditions, failures named with their reason, and re-login
// on expiry: a 401 on a request that carried the identity's credentials logs in again once and retries.
import { describe, expect, it } from 'vitest';
import { sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import type { Identity } from '../core/index.js';
import { createEngine, type Engine } from '../net/index.js';
import { createIdentitySessions } from './sessions.js';

/** A site whose tokens work for two requests each; `/login` (form) sets a `sid` cookie and redirects to /home. */
function site(): Promise<Fixture> {
  let issued = 0;
  const uses = new Map<string, number>();
  const sessions = new Set<string>();
  return serveFixture((req, res, url) => {
    if (url.pathname === '/api/login') return sendJson(res, 200, { token: `tok-${++issued}` });
    if (url.pathname === '/login') {
      const form = new URLSearchParams(req.body);
      if (form.get('password') !== 'right') return sendJson(res, 200, { error: 'wrong password' }); // a 200 that is a failure
      const sid = `s${sessions.size + 1}`;
      sessions.add(sid);
      res.writeHead(302, { location: '/home', 'set-cookie': `sid=${sid}; Path=/` });
      return res.end();
    }
    if (url.pathname === '/admin') return sendJson(res, 401, { error: 'admins only' }); // a 401 that is an answer
    if (url.pathname === '/me') {
      const sid = /sid=(\w+)/.exec(req.headers.cookie ?? '')?.[1];
      if (sid && sessions.has(sid)) return sendJson(res, 200, { sid });
      const token = /Bearer (\S+)/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) return sendJson(res, 401, { error: 'sign in' });
      const n = (uses.get(token) ?? 0) + 1;
      uses.set(token, n);
      return n > 2 ? sendJson(res, 401, { error: 'token expired' }) : sendJson(res, 200, { token });
    }
    return sendJson(res, 404, {});
  });
}

function setup(url: string, identities: Identity[], now?: () => number): { engine: Engine; sessions: ReturnType<typeof createIdentitySessions>; failures: string[]; secrets: string[] } {
  const target = { name: 't', url, environment: 'local' as const };
  const engine = createEngine({ target, scope: { origins: [url], include: [], exclude: [] }, safeMode: false, ratePerSecond: 10_000 });
  const failures: string[] = [];
  const secrets: string[] = [];
  const sessions = createIdentitySessions(identities, engine, (name, reason) => failures.push(`${name}: ${reason}`), (v) => secrets.push(v), now ? { now } : {});
  engine.setCredentials((n) => sessions.headers(n));
  engine.setReauthenticate((n, why, at) => sessions.relogin(n, why, at));
  return { engine, sessions, failures, secrets };
}

const json = (name: string): Identity => ({ name, role: 'user', auth: { kind: 'json-login', url: '/api/login', body: { username: name, password: 'pw' }, tokenPath: 'token' } });
const form = (name: string, password: string): Identity => ({
  name,
  role: 'user',
  auth: { kind: 'form-login', url: '/login', fields: { username: name, password }, successStatus: 302, successCookie: 'sid', successLocation: '/home' },
});

describe('identity sessions', () => {
  it('logs in with a form when status, cookie and redirect all hold, and uses the session cookie', async () => {
    const s = await site();
    const { engine, sessions, secrets } = setup(s.url, [form('web', 'right'), json('alice')]);
    try {
      expect(await sessions.usable('web')).toBe(true);
      expect(await sessions.usable('alice')).toBe(true);
      // What logins hand out is told to the redactor: the session cookie's value and the token.
      expect(secrets.sort()).toEqual(['s1', 'tok-1']);
      const me = await engine.send({ method: 'GET', url: '/me' }, { identity: 'web' });
      expect(me.response?.status).toBe(200);
      expect(me.response?.body).toContain('"sid"');
    } finally {
      await engine.close();
      await s.close();
    }
  });

  it('names the identity and why when a login fails, and goes on with the others', async () => {
    const s = await site();
    const { engine, sessions, failures } = setup(s.url, [form('web', 'wrong'), json('alice')]);
    try {
      expect(await sessions.usable('web')).toBe(false);
      expect(await sessions.usable('alice')).toBe(true);
      expect(failures).toEqual(['web: form login /login failed: status 200, expected 302; no sid cookie set; no redirect, expected one to /home']);
      expect(sessions.failures().get('web')).toMatch(/expected 302/);
    } finally {
      await engine.close();
      await s.close();
    }
  });

  it('re-logs in once after a 401 on expired credentials, retries, and records it', async () => {
    const s = await site();
    let clock = 1_000_000;
    const { engine, sessions } = setup(s.url, [json('alice')], () => clock);
    try {
      const got: Array<number | undefined> = [];
      for (let i = 0; i < 3; i++) {
        clock += 3_000; // the third request comes 9 s after the login, past the 5 s re-login interval
        got.push((await engine.send({ method: 'GET', url: '/me' }, { identity: 'alice' })).response?.status);
      }
      expect(got).toEqual([200, 200, 200]); // the third used an expired token: re-login, retry
      const retried = engine.exchanges().at(-1)!;
      expect(retried.request.headers.find(([k]) => k === 'authorization')?.[1]).toBe('Bearer tok-2');
      expect(retried.response?.notes?.join(' ')).toMatch(/retried after re-login as alice \(exchange \S+ got 401\)/);
      expect(sessions.relogins()).toMatchObject([{ identity: 'alice', ok: true }]);
      // Anonymous 401s never trigger a login.
      const anon = await engine.send({ method: 'GET', url: '/me' }, { identity: 'anonymous' });
      expect(anon.response?.status).toBe(401);
      expect(sessions.relogins()).toHaveLength(1);
    } finally {
      await engine.close();
      await s.close();
    }
  });

  it('takes a 401 on credentials from a login less than the interval ago as the answer, with no fixed cap later', async () => {
    const s = await site();
    let clock = 1_000_000;
    const { engine, sessions } = setup(s.url, [json('alice')], () => clock);
    try {
      const status = async (): Promise<number | undefined> => (await engine.send({ method: 'GET', url: '/me' }, { identity: 'alice' })).response?.status;
      // Each token works twice: the third request, 1 s after the login, gets a 401 that is not retried.
      expect([await status(), await status(), await status()]).toEqual([200, 200, 401]);
      expect(sessions.relogins()).toHaveLength(0);
      // Later, every 401 past the interval logs in again: 10 expiries, 10 re-logins (the old cap was 3).
      for (let i = 0; i < 10; i++) {
        clock += 6_000;
        expect(await status()).toBe(200);
        await status();
      }
      expect(sessions.relogins().filter((r) => r.ok)).toHaveLength(10);
      expect(sessions.failures().size).toBe(0);
    } finally {
      await engine.close();
      await s.close();
    }
  });

  it('asks with a GET discovery saw working before logging in again: a 401 on live credentials is the answer', async () => {
    const s = await site();
    let clock = 1_000_000;
    const { engine, sessions } = setup(s.url, [json('alice')], () => clock);
    try {
      const get = async (url: string, checkId?: string): Promise<number | undefined> =>
        (await engine.send({ method: 'GET', url }, { identity: 'alice', ...(checkId ? { checkId } : {}) })).response?.status;
      expect(await get('/me', 'discover')).toBe(200); // token use 1
      clock += 6_000;
      // /admin answers 401 whatever the token: the probe (GET /me, use 2) works, so no login is spent on it.
      expect(await get('/admin')).toBe(401);
      expect(sessions.relogins()).toHaveLength(0);
      const probe = engine.exchanges().at(-1)!;
      expect([probe.request.url, probe.response?.status]).toEqual([`${s.url}/me`, 200]);
      // Within the interval after that probe, another 401 is an answer too, without asking again.
      const sent = engine.exchanges().length;
      expect(await get('/admin')).toBe(401);
      expect(engine.exchanges().length).toBe(sent + 1);
      // The token dies (use 3): past the interval the probe gets 401 too, so the identity logs in again and retries.
      clock += 6_000;
      expect(await get('/me')).toBe(200);
      expect(sessions.relogins()).toMatchObject([{ identity: 'alice', ok: true }]);
    } finally {
      await engine.close();
      await s.close();
    }
  });
});
