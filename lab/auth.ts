// lab/auth.ts — who is asking: password hashes, HS256 JWTs on node:crypto, cookie sessions and the agent token.
import { createHash, createHmac, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Ctx } from './http.js';
import { HttpError, parseCookies } from './http.js';
import type { UserRow } from './db.js';

/** Both variants: the HMAC secret is a word from every wordlist (jwt-weakness). */
export const JWT_SECRET = 'secret';
export const JWT_LIFETIME_S = 3600;
/** The automation token handed to an "agent"; declared for reading orders, minted with more (excess-permission). */
export const AGENT_TOKEN = 'lab-agent-token';
export const SESSION_COOKIE = 'sid';

/** Permissions an API token can carry. Users get theirs from their role instead. */
export const SCOPES = {
  ordersRead: 'orders:read',
  productsDelete: 'products:delete',
  usersLookup: 'users:lookup',
} as const;

export type Principal =
  | { kind: 'user'; user: UserRow }
  | { kind: 'agent'; name: string; scopes: readonly string[] };

// ---- passwords -------------------------------------------------------------------------------------------

const SCRYPT_N = 1024; // kept low so the lab starts fast; it guards nothing real

export function hashPassword(password: string, salt: string = randomBytes(8).toString('hex')): string {
  const hash = scryptSync(password, salt, 32, { N: SCRYPT_N }).toString('hex');
  return `scrypt$${SCRYPT_N}$${salt}$${hash}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, n, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !salt || !hash) return false;
  const actual = scryptSync(password, salt, 32, { N: Number(n) });
  const expected = Buffer.from(hash, 'hex');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// ---- JWT (HS256) -----------------------------------------------------------------------------------------

export interface JwtClaims {
  sub: string;
  name: string;
  role: string;
  iat: number;
  exp: number;
}

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

function hmac(input: string): Buffer {
  return createHmac('sha256', JWT_SECRET).update(input).digest();
}

export function signJwt(user: UserRow, now: number = Date.now()): string {
  const iat = Math.floor(now / 1000);
  const claims: JwtClaims = { sub: String(user.id), name: user.username, role: user.role, iat, exp: iat + JWT_LIFETIME_S };
  const head = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${head}.${hmac(head).toString('base64url')}`;
}

function parseSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not base64url JSON: not a token
  }
}

/** The claims of a valid token, else undefined. `allowAlgNone` is the candidate's flaw. */
export function verifyJwt(token: string, opts: { allowAlgNone: boolean }, now: number = Date.now()): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h = '', p = '', s = ''] = parts;
  const header = parseSegment(h);
  const claims = parseSegment(p);
  if (!header || !claims) return undefined;
  const alg = typeof header.alg === 'string' ? header.alg : '';
  if (alg === 'HS256') {
    const given = Buffer.from(s, 'base64url');
    const expected = hmac(`${h}.${p}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  } else if (!(opts.allowAlgNone && alg.toLowerCase() === 'none')) {
    return undefined;
  }
  if (typeof claims.sub !== 'string' || typeof claims.exp !== 'number') return undefined;
  if (claims.exp * 1000 < now) return undefined;
  return claims as unknown as JwtClaims;
}

// ---- cookie sessions -------------------------------------------------------------------------------------

/** Server-side sessions for the HTML pages: an opaque random id in the `sid` cookie. */
export class SessionStore {
  /** sid → user id, or null for a session opened before sign-in. */
  readonly #sessions = new Map<string, number | null>();

  /** Opens a session, signed in when `userId` is given. */
  create(userId: number | null): string {
    const sid = randomBytes(18).toString('base64url');
    this.#sessions.set(sid, userId);
    return sid;
  }

  has(sid: string | undefined): boolean {
    return sid !== undefined && this.#sessions.has(sid);
  }

  userId(sid: string | undefined): number | undefined {
    return (sid === undefined ? undefined : this.#sessions.get(sid)) ?? undefined;
  }

  delete(sid: string | undefined): void {
    if (sid !== undefined) this.#sessions.delete(sid);
  }
}

/** Both variants: the session cookie lacks HttpOnly and Secure (cookie-flags). */
export function sessionCookie(sid: string): string {
  return `${SESSION_COOKIE}=${sid}; Path=/; SameSite=Lax`;
}

export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax`;
}

// ---- who is asking ---------------------------------------------------------------------------------------

const UNAUTHORIZED = { 'www-authenticate': 'Bearer realm="lab"' };

/** The signed-in user of an HTML page (session cookie only), if any. */
export function sessionUser(ctx: Ctx): UserRow | undefined {
  const userId = ctx.lab.sessions.userId(parseCookies(ctx.req).get(SESSION_COOKIE));
  return userId === undefined ? undefined : ctx.lab.db.userById(userId);
}

/**
 * The caller of an API operation: a bearer token (JWT or API token) or the session cookie.
 * A bearer token that does not verify is a 401, never a silent fall-back to anonymous.
 */
export function apiPrincipal(ctx: Ctx): Principal | undefined {
  const header = ctx.req.headers.authorization;
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new HttpError(401, 'unsupported Authorization header; use Bearer', UNAUTHORIZED);
    const token = match[1];
    const apiToken = ctx.lab.db.apiToken(sha256(token));
    if (apiToken) return { kind: 'agent', name: apiToken.name, scopes: apiToken.scopes.split(' ') };
    const claims = verifyJwt(token, { allowAlgNone: ctx.lab.traits.jwtAlgNone });
    const user = claims ? ctx.lab.db.userById(Number(claims.sub)) : undefined;
    if (!user) throw new HttpError(401, 'invalid or expired token', UNAUTHORIZED);
    return { kind: 'user', user };
  }
  const user = sessionUser(ctx);
  return user ? { kind: 'user', user } : undefined;
}

/** Any authenticated caller, else 401. */
export function requireAuth(ctx: Ctx): Principal {
  const principal = apiPrincipal(ctx);
  if (!principal) throw new HttpError(401, 'authentication required', UNAUTHORIZED);
  return principal;
}

/** A signed-in user (API tokens have no profile, notes or cart), else 401 / 403. */
export function requireUser(ctx: Ctx): UserRow {
  const principal = requireAuth(ctx);
  if (principal.kind !== 'user') throw new HttpError(403, 'this operation needs a user, not an API token');
  return principal.user;
}

export function isAdmin(principal: Principal): boolean {
  return principal.kind === 'user' && principal.user.role === 'admin';
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.kind === 'agent' && principal.scopes.includes(scope);
}
