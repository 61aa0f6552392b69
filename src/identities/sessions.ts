// src/identities/sessions.ts — credentials per identity: static tokens and login recipes (steps, then a JSON or form
// login; the token from a JSON path, a header or the cookies), renewed before they expire, re-login after a 401 at
// most once per interval, failures reported with the identity and the reason.
import type { Exchange, HeaderList, Identity, IdentityAuth, LoginExtract, LoginStep, LoginToken, SendRequest } from '../core/index.js';
import type { Engine } from '../net/index.js';
import { decodeEntities, formValue, jsonPath, jwtExpiry } from './extract.js';

export { jsonPath } from './extract.js';

/** One re-login (after a 401, or a renewal before expiry), as recorded for the report. */
export interface Relogin {
  identity: string;
  at: string;
  ok: boolean;
  reason?: string;
}

export interface IdentitySessions {
  /** Headers to add for this identity; logs in on first use and again when its credentials are about to expire. */
  headers(name: string): Promise<HeaderList>;
  /** Identities whose login failed (first or later), with the reason: they count as lost. */
  failures(): ReadonlyMap<string, string>;
  /** Whether an identity has working credentials (logs in when needed). */
  usable(name: string): Promise<boolean>;
  /**
   * A request with this identity's credentials (sent at `sentAt`, epoch ms) got 401: log in again (at most once per
   * the identity's interval) and say whether new credentials are there to retry with.
   */
  relogin(name: string, why: string, sentAt?: number): Promise<boolean>;
  /** Re-logins done so far. */
  relogins(): readonly Relogin[];
  /** Adds an identity found during the scan (`identities: auto`); it logs in on first use like the others. */
  add(identity: Identity): void;
}

export interface SessionOptions {
  /** The clock of lifetimes and the re-login interval, epoch ms (tests pass a fake one). Default `Date.now`. */
  now?: () => number;
}

/**
 * Default of `minInterval`: a 401 on credentials from a login this recent (ms) is the answer, not an expiry. It is
 * the only limit on re-logins: an API whose tokens live a minute is logged in again as often as a scan needs.
 */
export const MIN_RELOGIN_INTERVAL_MS = 5_000;

/** A cookie a login sets is taken for a secret from this length on (shorter: a setting like `security=low`). */
const SECRET_COOKIE_LENGTH = 12;

/** Pause before trying a login again once, when the target gave no answer, a 5xx or a 429. */
const RETRY_LOGIN_MS = 1_000;

/** Renew this long before expiry: a fifth of the credential's life, at most 30 s. */
const renewAhead = (lifeMs: number): number => Math.min(30_000, lifeMs / 5);

type LoginAuth = Extract<IdentityAuth, { kind: 'json-login' | 'form-login' }>;

/** Identities that log in (and so can log in again). */
const logsIn = (i: Identity): i is Identity & { auth: LoginAuth } => i.auth.kind === 'json-login' || i.auth.kind === 'form-login';

/** `${name}` filled from the step variables; an unknown name stays as written. */
const fill = (s: string, vars: ReadonlyMap<string, string>): string =>
  s.replace(/\$\{([A-Za-z_]\w*)\}/g, (m, n: string) => vars.get(n) ?? m);

function fillDeep(v: unknown, vars: ReadonlyMap<string, string>): unknown {
  if (typeof v === 'string') return fill(v, vars);
  if (Array.isArray(v)) return v.map((x) => fillDeep(x, vars));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fillDeep(x, vars)]));
  return v;
}

const fillFields = (f: Record<string, string>, vars: ReadonlyMap<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(f).map(([k, v]) => [k, fill(v, vars)]));

const headerOf = (ex: Exchange, name: string): string | undefined =>
  ex.response?.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

/** A POST of a login or a step: fields form-encoded, or a body as JSON; `${var}`s filled. */
function post(url: string, vars: ReadonlyMap<string, string>, form: Record<string, string> | undefined, json?: unknown): SendRequest {
  const to = fill(url, vars);
  if (json !== undefined) return { method: 'POST', url: to, headers: [['content-type', 'application/json']], body: JSON.stringify(fillDeep(json, vars)) };
  const body = new URLSearchParams(fillFields(form ?? {}, vars)).toString();
  return { method: 'POST', url: to, headers: [['content-type', 'application/x-www-form-urlencoded']], body };
}

function describe(how: LoginExtract): string {
  if ('field' in how) return `form field ${how.field}`;
  if ('regex' in how) return `match of /${how.regex}/`;
  return 'path' in how ? `JSON value at ${how.path}` : `${how.header} header`;
}

/** A value from a step's answer, or undefined. */
function extract(ex: Exchange, how: LoginExtract): string | undefined {
  const body = ex.response?.body ?? '';
  if ('field' in how) return formValue(body, how.field);
  if ('regex' in how) {
    const m = new RegExp(how.regex).exec(body);
    return m ? decodeEntities(m[1] ?? m[0]) : undefined;
  }
  if ('header' in how) return headerOf(ex, how.header);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined; // not JSON: nothing at that path
  }
  const v = jsonPath(parsed, how.path);
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}

/** What a login produced: headers to send, and when they stop working (epoch ms of `now`), when known. */
interface Held {
  headers: HeaderList;
  expiresAt?: number;
}

/**
 * `onSecret` hears every credential a login hands out (a token, a session cookie's value) so the scan's redactor
 * masks it in the audit log, the store and the reports as it masks configured secrets.
 */
export function createIdentitySessions(
  identities: readonly Identity[],
  engine: Engine,
  onFailure: (name: string, reason: string) => void = () => undefined,
  onSecret: (secret: string) => void = () => undefined,
  opts: SessionOptions = {},
): IdentitySessions {
  const now = opts.now ?? Date.now;
  const byName = new Map(identities.map((i) => [i.name, i]));
  const cache = new Map<string, Promise<HeaderList>>();
  const failed = new Map<string, string>();
  /** When the current credentials were obtained: on `now`'s clock, and on the wall clock requests are stamped with. */
  const loggedInAt = new Map<string, number>();
  const loggedInWall = new Map<string, number>();
  const expiresAt = new Map<string, number>();
  /** When a probe last showed the credentials still work (`now`'s clock): 401s soon after are answers. */
  const checkedAt = new Map<string, number>();
  /** Per identity: a GET that discovery made with it and that worked, to ask whether its credentials still do. */
  const goodUrl = new Map<string, string>();
  const inFlight = new Map<string, Promise<boolean>>();
  const done: Relogin[] = [];

  /** A login that did not work; `passing` when the target may answer differently a moment later (no answer, 5xx, 429). */
  class LoginFailed extends Error {
    constructor(
      message: string,
      readonly passing = false,
    ) {
      super(message);
    }
  }
  const fail = (reason: string, status?: number): never => {
    throw new LoginFailed(reason, status === undefined || status >= 500 || status === 429);
  };
  const refused = (reason: string): never => {
    throw new LoginFailed(reason);
  };

  /** Runs the steps before the login; their cookies stay in the login jar, their values become variables. */
  async function runSteps(steps: readonly LoginStep[], as: { identity: string; login: true }): Promise<Map<string, string>> {
    const vars = new Map<string, string>();
    for (const [i, step] of steps.entries()) {
      const url = fill(step.url, vars);
      const what = `login step ${i + 1} ${step.method} ${url}`;
      const req: SendRequest = step.method === 'GET' ? { method: 'GET', url, followRedirects: true } : post(url, vars, step.form, step.json);
      const ex = await engine.send(req, as);
      if (!ex.response) return fail(`${what} failed: ${ex.error?.message ?? 'no response'}`);
      if (ex.response.status >= 400) return fail(`${what} answered ${ex.response.status}`, ex.response.status);
      for (const [name, how] of Object.entries(step.extract)) {
        const v = extract(ex, how);
        if (v === undefined || v === '') return refused(`${what}: no ${describe(how)} in the answer to fill \${${name}}`);
        vars.set(name, v);
      }
    }
    return vars;
  }

  /** The token of a login's answer as `send` says; the cookie session needs no header. */
  function credential(auth: LoginAuth, ex: Exchange, source: LoginToken, jarHas: (n: string) => boolean): { headers: HeaderList; token?: string } {
    const where = `login ${auth.url}`;
    let token: string | undefined;
    if (source.from === 'cookie') {
      if (source.name !== undefined && !jarHas(source.name)) return refused(`${where}: no ${source.name} cookie set`);
      return { headers: [] };
    }
    if (source.from === 'header') {
      token = headerOf(ex, source.name);
      if (!token) return refused(`${where}: no ${source.name} header in the answer`);
    } else {
      let body: unknown;
      try {
        body = JSON.parse(ex.response?.body ?? '');
      } catch {
        return refused(`${where} did not answer JSON`);
      }
      const v = jsonPath(body, source.path);
      if (typeof v !== 'string' || !v) return refused(`${where}: no token at ${source.path}`);
      token = v;
    }
    const header = (auth.send?.header ?? 'authorization').toLowerCase();
    const scheme = auth.send ? auth.send.scheme : 'Bearer';
    // A token that already carries the scheme (a header answered `Bearer …`) is sent as it came.
    const value = scheme === undefined || token.toLowerCase().startsWith(`${scheme.toLowerCase()} `) ? token : `${scheme} ${token}`;
    return { headers: [[header, value]], token };
  }

  async function loginWith(identity: Identity & { auth: LoginAuth }): Promise<Held> {
    const auth = identity.auth;
    // Login requests run without credentials, under a dedicated audit identity (`<name>:login`) whose jar starts
    // empty each time: a fresh session, never the one being replaced. `login` lets them through safe mode (signing in
    // is what a user does) and past the harm guard.
    const as = { identity: `${identity.name}:login`, login: true as const };
    const loginJar = engine.jar(as.identity);
    loginJar.clear();
    const vars = await runSteps(auth.steps ?? [], as);
    const startedAt = now();
    const form = auth.kind === 'form-login';
    const ex = await engine.send(auth.kind === 'form-login' ? post(auth.url, vars, auth.fields) : post(auth.url, vars, undefined, auth.body), as);
    const res = ex.response;
    if (!res) return fail(`${form ? 'form ' : ''}login ${auth.url} failed: ${ex.error?.message ?? 'no response'}`);
    if (auth.kind === 'form-login') {
      const location = headerOf(ex, 'location');
      const problems: string[] = [];
      const status = auth.successStatus;
      if (status !== undefined && res.status !== status) problems.push(`status ${res.status}, expected ${status}`);
      if (auth.successStatus === undefined && res.status >= 400) problems.push(`status ${res.status}`);
      if (auth.successCookie !== undefined && !loginJar.has(auth.successCookie)) problems.push(`no ${auth.successCookie} cookie set`);
      if (auth.successLocation !== undefined && !(location ?? '').includes(auth.successLocation)) {
        const expected = auth.successLocation;
        problems.push(location ? `redirected to ${location}, expected ${expected}` : `no redirect, expected one to ${expected}`);
      }
      if (problems.length) return fail(`form login ${auth.url} failed: ${problems.join('; ')}`, res.status >= 400 ? res.status : 0);
    } else if (res.status >= 400) return fail(`login ${auth.url} answered ${res.status}`, res.status);
    const path = auth.kind === 'json-login' ? auth.tokenPath : undefined;
    const source: LoginToken = auth.token ?? (path !== undefined ? { from: 'body', path } : { from: 'cookie' });
    const { headers, token } = credential(auth, ex, source, (n) => loginJar.has(n));
    // The cookies of every step go into this identity's jar (the engine adds them to its requests): its session.
    engine.jar(identity.name).absorb(loginJar);
    // The session cookie named by the recipe, and any long value (a session id), are secrets; `security=low` is not.
    const named = new Set([form ? auth.successCookie : undefined, source.from === 'cookie' ? source.name : undefined]);
    for (const [n, v] of loginJar.pairs()) if (v && (named.has(n) || v.length >= SECRET_COOKIE_LENGTH)) onSecret(v);
    if (token) onSecret(token);
    const ends = [token ? jwtExpiry(token) : undefined, auth.lifetimeMs !== undefined ? startedAt + auth.lifetimeMs : undefined];
    // An expiry already past (a skewed clock, a wrong `exp`) says nothing usable: that credential is used until a 401.
    const expiry = Math.min(...ends.filter((e): e is number => e !== undefined && e > startedAt + 1_000));
    return { headers, ...(Number.isFinite(expiry) ? { expiresAt: expiry } : {}) };
  }

  async function login(identity: Identity): Promise<Held> {
    const auth = identity.auth;
    switch (auth.kind) {
      case 'none':
        return { headers: [] };
      case 'bearer':
        return { headers: [['authorization', `Bearer ${auth.token}`]] };
      case 'header':
        return { headers: [[auth.name, auth.value]] };
      case 'cookie':
        return { headers: [['cookie', `${auth.name}=${auth.value}`]] };
      case 'json-login':
      case 'form-login':
        return loginWith(identity as Identity & { auth: LoginAuth });
    }
  }

  /** A login, tried once more after a pause when the target failed to answer it (a restart, an overload). */
  const loginOnce = (identity: Identity): Promise<Held> =>
    login(identity).catch(async (e: unknown) => {
      if (!(e instanceof LoginFailed) || !e.passing) throw e;
      await new Promise((r) => setTimeout(r, RETRY_LOGIN_MS));
      return login(identity);
    });

  const start = (identity: Identity): Promise<HeaderList> => {
    const name = identity.name;
    const p = loginOnce(identity).then(
      (held) => {
        loggedInAt.set(name, now());
        loggedInWall.set(name, Date.now());
        if (held.expiresAt !== undefined) expiresAt.set(name, held.expiresAt);
        else expiresAt.delete(name);
        failed.delete(name);
        return held.headers;
      },
      (e: unknown) => {
        if (!(e instanceof LoginFailed)) throw e;
        failed.set(name, e.message);
        expiresAt.delete(name);
        onFailure(name, e.message);
        return [] as HeaderList;
      },
    );
    cache.set(name, p);
    return p;
  };

  /**
   * Whether the identity's credentials still work, asked by sending again a GET that worked with them during
   * discovery, with them written out (so its own 401 is not taken for one more expiry): true on a 2xx, false on a
   * 401, undefined when there is nothing to ask with or the answer says neither.
   */
  async function stillWork(name: string): Promise<boolean | undefined> {
    if (!goodUrl.has(name)) {
      const worked = (e: Exchange): boolean => (e.response?.status ?? 0) >= 200 && (e.response?.status ?? 0) < 300;
      const x = engine.exchanges().find((e) => e.identity === name && e.checkId === 'discover' && e.request.method === 'GET' && worked(e));
      if (!x) return undefined;
      goodUrl.set(name, x.request.url);
    }
    const url = goodUrl.get(name)!;
    const cookie = engine.jar(name).header(new URL(url));
    const headers: HeaderList = [...(await (cache.get(name) ?? Promise.resolve([])))];
    if (cookie) headers.push(['cookie', cookie]);
    const status = (await engine.send({ method: 'GET', url, headers }, { identity: name })).response?.status;
    return status === undefined ? undefined : status >= 200 && status < 300 ? true : status === 401 ? false : undefined;
  }

  /**
   * Logs in again (one at a time per identity) and records it; `start` replaces the cached headers at once. With
   * `probe`, asks first whether the credentials still work: if so the 401 was the answer and nothing is replaced.
   */
  const again = (identity: Identity, said: (ok: boolean) => string, probe = false): Promise<boolean> => {
    const name = identity.name;
    const p = (async () => {
      if (probe && (await stillWork(name)) === true) {
        checkedAt.set(name, now());
        return false;
      }
      await start(identity);
      const ok = !failed.has(name);
      const reason = ok ? said(true) : `${said(false)}: ${failed.get(name) ?? ''}`;
      done.push({ identity: name, at: new Date().toISOString(), ok, reason });
      return ok;
    })().finally(() => inFlight.delete(name));
    inFlight.set(name, p);
    return p;
  };

  /** Whether the identity's credentials end soon enough to be renewed before this request. */
  const due = (name: string): boolean => {
    const ends = expiresAt.get(name);
    if (ends === undefined || failed.has(name) || inFlight.has(name)) return false;
    return now() >= ends - renewAhead(ends - (loggedInAt.get(name) ?? ends));
  };

  const headers = (name: string): Promise<HeaderList> => {
    if (name.endsWith(':login')) return Promise.resolve([]);
    const identity = byName.get(name);
    if (!identity) return Promise.resolve([]);
    const held = cache.get(name);
    if (!held) return start(identity);
    if (due(name)) {
      const ends = new Date(expiresAt.get(name) ?? 0).toISOString();
      // A crash of the login itself reaches the request through the cached headers it awaits.
      const said = (ok: boolean): string => (ok ? `renewed before its credentials expired (${ends})` : `renewal before expiry (${ends}) failed`);
      void again(identity, said).then(undefined, () => false);
      return cache.get(name) ?? held;
    }
    return held;
  };

  return {
    headers,
    failures: () => failed,
    async usable(name) {
      await headers(name);
      return byName.has(name) && !failed.has(name);
    },
    relogin(name, why, sentAt) {
      const identity = byName.get(name);
      if (!identity || !logsIn(identity) || failed.has(name)) return Promise.resolve(false);
      const running = inFlight.get(name);
      if (running) return running;
      // The request went out before the last login: its credentials were already replaced, retry with the new ones.
      if (sentAt !== undefined && sentAt < (loggedInWall.get(name) ?? 0)) return Promise.resolve(true);
      // A 401 on credentials this fresh (or just shown to work) is the answer, not an expiry: the only limit, no
      // fixed count per scan. Past it, a probe tells an answer from an expiry before logging in again.
      const gap = identity.auth.minIntervalMs ?? MIN_RELOGIN_INTERVAL_MS;
      const fresh = Math.max(loggedInAt.get(name) ?? -Infinity, checkedAt.get(name) ?? -Infinity);
      if (now() - fresh < gap) return Promise.resolve(false);
      return again(identity, (ok) => (ok ? `re-logged in after ${why}` : `re-login after ${why} failed`), true);
    },
    relogins: () => done,
    add(identity) {
      byName.set(identity.name, identity);
    },
  };
}
