// src/identities/sessions.ts — credentials per identity: static tokens, JSON and form logins (lazy, once), re-login
// after a 401 on expired credentials, failures reported with the identity and the reason.
import type { HeaderList, Identity } from '../core/index.js';
import type { Engine } from '../net/index.js';

/** One re-login after a 401, as recorded for the report. */
export interface Relogin {
  identity: string;
  at: string;
  ok: boolean;
  reason?: string;
}

export interface IdentitySessions {
  /** Headers to add for this identity; logs in on first use. */
  headers(name: string): Promise<HeaderList>;
  /** Identities whose login failed, with the reason. */
  failures(): ReadonlyMap<string, string>;
  /** Whether an identity has working credentials (logs in when needed). */
  usable(name: string): Promise<boolean>;
  /**
   * A request with this identity's credentials (sent at `sentAt`, epoch ms) got 401: log in again (once per expiry,
   * at most MAX_RELOGINS per identity) and say whether new credentials are there to retry with.
   */
  relogin(name: string, why: string, sentAt?: number): Promise<boolean>;
  /** Re-logins done so far. */
  relogins(): readonly Relogin[];
}

/** Re-logins per identity per scan: a 401 that survives a fresh login is not expiry, it is the answer. */
export const MAX_RELOGINS = 3;

/** Reads `a.b.0.c` from a JSON value. */
export function jsonPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Identities that log in (and so can log in again). */
const logsIn = (i: Identity): boolean => i.auth.kind === 'json-login' || i.auth.kind === 'form-login';

/**
 * `onSecret` hears every credential a login hands out (a token, a session cookie's value) so the scan's redactor
 * masks it in the audit log, the store and the reports as it masks configured secrets.
 */
export function createIdentitySessions(
  identities: readonly Identity[],
  engine: Engine,
  onFailure: (name: string, reason: string) => void = () => undefined,
  onSecret: (secret: string) => void = () => undefined,
): IdentitySessions {
  const byName = new Map(identities.map((i) => [i.name, i]));
  const cache = new Map<string, Promise<HeaderList>>();
  const failed = new Map<string, string>();
  const loggedInAt = new Map<string, number>();
  const reloginCount = new Map<string, number>();
  const inFlight = new Map<string, Promise<boolean>>();
  const done: Relogin[] = [];

  class LoginFailed extends Error {}
  const fail = (reason: string): never => {
    throw new LoginFailed(reason);
  };

  async function login(identity: Identity): Promise<HeaderList> {
    const auth = identity.auth;
    // Login requests run without credentials, under a dedicated audit identity (`<name>:login`).
    const as = { identity: `${identity.name}:login` };
    switch (auth.kind) {
      case 'none':
        return [];
      case 'bearer':
        return [['authorization', `Bearer ${auth.token}`]];
      case 'header':
        return [[auth.name, auth.value]];
      case 'cookie':
        return [['cookie', `${auth.name}=${auth.value}`]];
      case 'json-login': {
        const ex = await engine.send({ method: 'POST', url: auth.url, headers: [['content-type', 'application/json']], body: JSON.stringify(auth.body) }, as);
        if (!ex.response) return fail(`login ${auth.url} failed: ${ex.error?.message ?? 'no response'}`);
        if (ex.response.status >= 400) return fail(`login ${auth.url} answered ${ex.response.status}`);
        let body: unknown;
        try {
          body = JSON.parse(ex.response.body);
        } catch {
          return fail(`login ${auth.url} did not answer JSON`);
        }
        const token = jsonPath(body, auth.tokenPath);
        if (typeof token !== 'string' || !token) return fail(`login ${auth.url}: no token at ${auth.tokenPath}`);
        onSecret(token);
        return [['authorization', `Bearer ${token}`]];
      }
      case 'form-login': {
        const ex = await engine.send(
          { method: 'POST', url: auth.url, headers: [['content-type', 'application/x-www-form-urlencoded']], body: new URLSearchParams(auth.fields).toString() },
          as,
        );
        const res = ex.response;
        if (!res) return fail(`form login ${auth.url} failed: ${ex.error?.message ?? 'no response'}`);
        const cookies = res.headers.filter(([k]) => k === 'set-cookie').map(([, v]) => v);
        const location = res.headers.find(([k]) => k === 'location')?.[1];
        const problems: string[] = [];
        if (auth.successStatus !== undefined && res.status !== auth.successStatus) problems.push(`status ${res.status}, expected ${auth.successStatus}`);
        if (auth.successStatus === undefined && res.status >= 400) problems.push(`status ${res.status}`);
        if (auth.successCookie !== undefined && !cookies.some((c) => c.split('=')[0]?.trim() === auth.successCookie)) problems.push(`no ${auth.successCookie} cookie set`);
        if (auth.successLocation !== undefined && !(location ?? '').includes(auth.successLocation)) {
          problems.push(location ? `redirected to ${location}, expected ${auth.successLocation}` : `no redirect, expected one to ${auth.successLocation}`);
        }
        if (problems.length) return fail(`form login ${auth.url} failed: ${problems.join('; ')}`);
        // The session cookie goes into this identity's jar (the engine adds it to its requests).
        const from = new URL(ex.request.url);
        for (const c of cookies) {
          engine.jar(identity.name).store(c, from);
          const value = /^\s*[^=;]+=([^;]*)/.exec(c)?.[1];
          if (value) onSecret(value);
        }
        return [];
      }
    }
  }

  const start = (identity: Identity): Promise<HeaderList> => {
    const p = login(identity).then(
      (h) => {
        loggedInAt.set(identity.name, Date.now());
        failed.delete(identity.name);
        return h;
      },
      (e: unknown) => {
        if (!(e instanceof LoginFailed)) throw e;
        failed.set(identity.name, e.message);
        onFailure(identity.name, e.message);
        return [] as HeaderList;
      },
    );
    cache.set(identity.name, p);
    return p;
  };

  const headers = (name: string): Promise<HeaderList> => {
    if (name.endsWith(':login')) return Promise.resolve([]);
    const identity = byName.get(name);
    if (!identity) return Promise.resolve([]);
    return cache.get(name) ?? start(identity);
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
      if (sentAt !== undefined && sentAt < (loggedInAt.get(name) ?? 0)) return Promise.resolve(true);
      const n = reloginCount.get(name) ?? 0;
      if (n >= MAX_RELOGINS) return Promise.resolve(false);
      reloginCount.set(name, n + 1);
      const p = (async () => {
        await start(identity);
        const ok = !failed.has(name);
        done.push({ identity: name, at: new Date().toISOString(), ok, reason: ok ? `re-logged in after ${why}` : `re-login after ${why} failed: ${failed.get(name) ?? ''}` });
        return ok;
      })().finally(() => inFlight.delete(name));
      inFlight.set(name, p);
      return p;
    },
    relogins: () => done,
  };
}
