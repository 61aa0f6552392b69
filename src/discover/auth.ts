// src/discover/auth.ts — observed authentication requirement and liveness of each operation: probe it anonymously,
// then as each usable identity when anonymous is refused; a 401 or a redirect to a sign-in page (by path, or a page with
// a password form) means `required` even when no identity gets through. Unsafe methods only where safe mode allows
// them, and with a harmless request (an id that does not exist, an empty body).
import type { Exchange, HttpEngine, Operation, SendRequest } from '../core/index.js';
import { buildRequest } from '../inject/index.js';
import { observeGraphqlField } from './graphql-auth.js';

export interface ObserveAuthInput {
  engine: HttpEngine;
  operations: Operation[];
  /** Usable signed-in identities, least privileged first. */
  identities: string[];
  safeMode: boolean;
  allowMethods?: string[];
  /** Login URLs of the configured identities (never probed: a failed login may lock an account). */
  loginPaths?: string[];
  /** Probes in flight at once. Default 6. */
  concurrency?: number;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** An id no one has: unsafe methods are probed on it, so a DELETE deletes nothing. */
export const UNKNOWN_ID = '999999999';
const LOGIN_LOCATION = /log[-_]?in|sign[-_]?in|auth|sso|session\/new/i;
/** A page with a password field is a sign-in form (or a sign-up one: either way, the visitor is asked to sign in). */
const PASSWORD_FORM = /<input\b[^>]*\btype\s*=\s*["']?password\b/i;
const SIGN_OUT = /log-?out|sign-?out|logoff/i;

type Answer = 'open' | 'closed' | 'missing' | 'other';

/** How an answer counts: reached (`open`), refused for lack of credentials (`closed`), not there (`missing`). */
export function classify(ex: Exchange): Answer {
  const res = ex.response;
  if (!res) return 'other';
  const s = res.status;
  if (s === 401 || s === 403) return 'closed';
  if (s >= 300 && s < 400) {
    const loc = res.headers.find(([k]) => k === 'location')?.[1] ?? '';
    let path = loc;
    try {
      path = new URL(loc, ex.request.url).pathname;
    } catch {
      // keep the raw value
    }
    return LOGIN_LOCATION.test(path) ? 'closed' : 'open';
  }
  if (s >= 200 && s < 300) return 'open';
  // Refused for its input (not for who asked): the request got past authentication.
  if (s === 400 || s === 409 || s === 415 || s === 422) return 'open';
  if (s === 404 || s === 405 || s === 410 || s === 501) return 'missing';
  return 'other';
}

/** The Location of a redirect, resolved against the request's URL (undefined when there is none or it is unusable). */
function locationOf(ex: Exchange): URL | undefined {
  const loc = ex.response?.headers.find(([k]) => k === 'location')?.[1];
  if (loc === undefined) return undefined;
  try {
    return new URL(loc, ex.request.url);
  } catch {
    return undefined; // an unusable Location says nothing about sign-in
  }
}

/**
 * Whether an anonymous answer asks the visitor to sign in: a 401, a redirect to a sign-in page (by its path), or a page
 * with a password form (the answer itself, or where a redirect on the same origin leads: one GET, `follow`).
 */
export async function asksToSignIn(ex: Exchange, follow: (url: string) => Promise<Exchange>): Promise<boolean> {
  const res = ex.response;
  if (!res) return false;
  if (res.status === 401) return true;
  if (res.status >= 300 && res.status < 400) {
    const to = locationOf(ex);
    if (!to) return false;
    if (LOGIN_LOCATION.test(to.pathname)) return true;
    let from: URL;
    try {
      from = new URL(ex.request.url);
    } catch {
      return false; // a relative URL the engine resolved: nothing to compare the origin with
    }
    if (to.origin !== from.origin || to.pathname === from.pathname) return false;
    const landed = await follow(to.pathname + to.search);
    return (landed.response?.status ?? 0) < 300 && PASSWORD_FORM.test(landed.response?.body ?? '');
  }
  return false;
}

/** A login endpoint by nature accepts anonymous callers: a password field, or a configured login URL. */
export function isLogin(op: Operation, loginPaths: readonly string[]): boolean {
  if (loginPaths.some((p) => p === op.path)) return true;
  if (op.method === 'GET') return false;
  if (op.params.some((p) => /pass(word)?|passwd/i.test(p.name) && (p.in === 'form' || p.in === 'body'))) return true;
  const props = (op.requestBody?.schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return props !== undefined && Object.keys(props).some((k) => /^pass(word)?$|passwd/i.test(k));
}

/** The probe: the operation's own sample request; for unsafe methods an unknown id and an empty body. */
export function probeRequest(op: Operation): SendRequest {
  if (SAFE.has(op.method)) return buildRequest(op);
  const path = op.path.replace(/\{[^}]+\}/g, UNKNOWN_ID);
  if (op.requestBody?.contentType.includes('json')) return { method: op.method, url: path, headers: [['content-type', 'application/json']], body: '{}' };
  if (op.params.some((p) => p.in === 'form') || op.requestBody?.contentType.includes('form')) {
    return { method: op.method, url: path, headers: [['content-type', 'application/x-www-form-urlencoded']], body: '' };
  }
  return { method: op.method, url: path };
}

/** A redirect whose Location path looks like a sign-in page (`classify` already counts it as closed). */
function classifiedSignIn(ex: Exchange): boolean {
  const s = ex.response?.status ?? 0;
  const to = s >= 300 && s < 400 ? locationOf(ex) : undefined;
  return to !== undefined && LOGIN_LOCATION.test(to.pathname);
}

/** Sets `auth` (observed), `declaredAuth` (the spec's) and `live` on each operation, in place. */
export async function observeAuth(input: ObserveAuthInput): Promise<{ warnings: string[] }> {
  const warnings: string[] = [];
  const allowed = new Set((input.allowMethods ?? []).map((m) => m.toUpperCase()));
  const mayProbe = (m: string): boolean => !input.safeMode || SAFE.has(m) || allowed.has(m);
  const loginPaths = (input.loginPaths ?? []).map((u) => {
    try {
      return new URL(u, 'http://x').pathname;
    } catch {
      return u;
    }
  });
  // The router's own "not found": a templated path answering it is gone; a handler's 404 (unknown id) is not.
  const nf = await input.engine.send({ method: 'GET', url: `/vouch-not-found-${Date.now().toString(36)}` }, { identity: 'anonymous', checkId: 'discover' });
  const notFoundBody = nf.response?.status === 404 ? nf.response.body : undefined;
  let skipped = 0;

  const one = async (op: Operation): Promise<void> => {
    const fromSpec = op.sources.includes('spec');
    if (fromSpec && op.auth !== 'unknown') op.declaredAuth = op.auth;
    if (op.graphql) {
      // One endpoint for many fields: each query field is asked on its own (its refusal is in the body).
      if (op.graphql.kind !== 'query') return;
      if (!mayProbe(op.method)) {
        skipped++;
        return;
      }
      const req = buildRequest(op);
      return observeGraphqlField(op, input.identities, (identity) => input.engine.send(req, { checkId: 'discover', identity }));
    }
    if (isLogin(op, loginPaths)) {
      op.auth = 'none';
      return;
    }
    if (!mayProbe(op.method)) {
      skipped++;
      return; // the spec's declaration (or unknown) stands
    }
    const req = probeRequest(op);
    const meta = { checkId: 'discover' };
    const anon = await input.engine.send(req, { ...meta, identity: 'anonymous' });
    let a = classify(anon);
    // A redirect to a page with a password form is a sign-in wall too, whatever the page is called.
    const follow = (url: string): Promise<Exchange> => input.engine.send({ method: 'GET', url }, { ...meta, identity: 'anonymous' });
    const signIn = a !== 'missing' && SAFE.has(op.method) && (await asksToSignIn(anon, follow));
    if (signIn) a = 'closed';
    const gone = (x: Exchange): boolean =>
      classify(x) === 'missing' && (!op.path.includes('{') || x.response?.status !== 404 || (notFoundBody !== undefined && x.response.body === notFoundBody));
    if (a === 'open') {
      op.auth = 'none';
      op.live = true;
      return;
    }
    // Never as a signed-in identity: it would end that identity's session.
    if (SIGN_OUT.test(op.path)) {
      if (a === 'missing' && gone(anon)) op.live = false;
      else if (!fromSpec) op.auth = 'unknown';
      return;
    }
    let through = false;
    let allMissing = a === 'missing';
    let anonGone = gone(anon);
    for (const who of input.identities) {
      const x = await input.engine.send(req, { ...meta, identity: who });
      const c = classify(x);
      if (c !== 'missing') allMissing = false;
      if (!gone(x)) anonGone = false;
      if (c === 'open') {
        through = true;
        break;
      }
    }
    if (a === 'closed' || (a === 'missing' && through)) {
      // Required: a signed-in identity got what anonymous was refused, or the target asked anonymous to sign in (a
      // 401, a redirect to a sign-in page). A bare 403 no identity got through may be "forbidden to everyone".
      op.auth = through || (a === 'closed' && (signIn || anon.response?.status === 401 || classifiedSignIn(anon))) ? 'required' : fromSpec ? op.auth : 'unknown';
      op.live = true;
      return;
    }
    if (allMissing && anonGone) {
      op.live = false;
      return;
    }
    if (a !== 'other' || through) op.live = true;
    if (!fromSpec) op.auth = 'unknown';
  };

  const queue = [...input.operations];
  const workers = Array.from({ length: Math.max(1, input.concurrency ?? 6) }, async () => {
    for (let op = queue.shift(); op; op = queue.shift()) await one(op);
  });
  await Promise.all(workers);
  if (skipped > 0) warnings.push(`safe mode: ${skipped} operation(s) with unsafe methods were not probed for authentication; the spec's declaration (or unknown) stands`);
  return { warnings };
}
