// src/identities/sessions.ts — credentials per identity: static tokens, JSON and form logins (lazy, once), failures reported.
import type { HeaderList, Identity } from '../core/index.js';
import type { Engine } from '../net/index.js';

export interface IdentitySessions {
  /** Headers to add for this identity; logs in on first use. */
  headers(name: string): Promise<HeaderList>;
  /** Identities whose login failed, with the reason. */
  failures(): ReadonlyMap<string, string>;
}

/** Reads `a.b.0.c` from a JSON value. */
export function jsonPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

export function createIdentitySessions(identities: readonly Identity[], engine: Engine, onFailure: (name: string, reason: string) => void = () => undefined): IdentitySessions {
  const byName = new Map(identities.map((i) => [i.name, i]));
  const cache = new Map<string, Promise<HeaderList>>();
  const failed = new Map<string, string>();

  const fail = (name: string, reason: string): HeaderList => {
    failed.set(name, reason);
    onFailure(name, reason);
    return [];
  };

  async function login(identity: Identity): Promise<HeaderList> {
    const auth = identity.auth;
    switch (auth.kind) {
      case 'none':
        return [];
      case 'bearer':
        return [['authorization', `Bearer ${auth.token}`]];
      case 'header':
        return [[auth.name, auth.value]];
      case 'cookie': {
        return [['cookie', `${auth.name}=${auth.value}`]];
      }
      case 'json-login': {
        // The login request itself runs without credentials, under a dedicated audit identity.
        const ex = await engine.send(
          { method: 'POST', url: auth.url, headers: [['content-type', 'application/json']], body: JSON.stringify(auth.body) },
          { identity: `${identity.name}:login` },
        );
        if (!ex.response) return fail(identity.name, `login ${auth.url} failed: ${ex.error?.message ?? 'no response'}`);
        if (ex.response.status >= 400) return fail(identity.name, `login ${auth.url} answered ${ex.response.status}`);
        let body: unknown;
        try {
          body = JSON.parse(ex.response.body);
        } catch {
          return fail(identity.name, `login ${auth.url} did not answer JSON`);
        }
        const token = jsonPath(body, auth.tokenPath);
        if (typeof token !== 'string' || !token) return fail(identity.name, `login ${auth.url}: no token at ${auth.tokenPath}`);
        return [['authorization', `Bearer ${token}`]];
      }
      case 'form-login': {
        const ex = await engine.send(
          { method: 'POST', url: auth.url, headers: [['content-type', 'application/x-www-form-urlencoded']], body: new URLSearchParams(auth.fields).toString() },
          { identity: identity.name },
        );
        const ok = ex.response && (auth.successStatus ? ex.response.status === auth.successStatus : ex.response.status < 400);
        if (!ok) return fail(identity.name, `form login ${auth.url} failed: ${ex.response ? `status ${ex.response.status}` : (ex.error?.message ?? 'no response')}`);
        return []; // the session cookie now sits in this identity's jar
      }
    }
  }

  return {
    headers(name) {
      if (name.endsWith(':login')) return Promise.resolve([]);
      const identity = byName.get(name);
      if (!identity) return Promise.resolve([]);
      let p = cache.get(name);
      if (!p) cache.set(name, (p = login(identity)));
      return p;
    },
    failures: () => failed,
  };
}
