// src/checks/security/support/jwt.ts — JSON Web Token helpers for jwt-weakness: find tokens, decode, forge, crack
// HMAC secrets offline against a short wordlist.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface Jwt {
  raw: string;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  signature: string;
}

const JWT_RE = /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

const segment = (s: string): Record<string, unknown> | undefined => {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // not base64url JSON: not a token
  }
};

/** Decodes a compact JWS; undefined when it is not one. */
export function decodeJwt(raw: string): Jwt | undefined {
  const parts = raw.split('.');
  if (parts.length !== 3) return undefined;
  const header = segment(parts[0]!);
  const claims = segment(parts[1]!);
  if (!header || !claims || typeof header.alg !== 'string') return undefined;
  return { raw, header, claims, signature: parts[2]! };
}

/** Every distinct JWT in a text (bodies, headers). */
export function findJwts(text: string): Jwt[] {
  const out = new Map<string, Jwt>();
  for (const m of text.matchAll(JWT_RE)) {
    const t = decodeJwt(m[0]);
    if (t) out.set(t.raw, t);
  }
  return [...out.values()];
}

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');

const HMAC: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

export const isHmac = (t: Jwt): boolean => typeof t.header.alg === 'string' && t.header.alg in HMAC;

/** A token with the given header and claims, signed with `secret` under the header's HMAC alg, or unsigned. */
export function forge(header: Record<string, unknown>, claims: Record<string, unknown>, secret?: string): string {
  const head = `${b64(header)}.${b64(claims)}`;
  const alg = HMAC[String(header.alg)];
  if (secret === undefined || !alg) return `${head}.`;
  return `${head}.${createHmac(alg, secret).update(head).digest('base64url')}`;
}

/** The same header and claims with a garbage signature of the same length (a control that must be refused). */
export function garbleSignature(t: Jwt): string {
  const sig = Buffer.from(t.signature, 'base64url');
  for (let i = 0; i < sig.length; i++) sig[i] = sig[i]! ^ 0x5a;
  const [h, p] = t.raw.split('.');
  return `${h}.${p}.${sig.length ? sig.toString('base64url') : 'AAAA'}`;
}

/** Secrets seen in tutorials, defaults and leaked configs; the check cracks only against these. */
export const WORDLIST: readonly string[] = [
  'secret', 'Secret', 'SECRET', 'secret123', 'secretkey', 'secret-key', 'secret_key', 'mysecret', 'my-secret', 'my_secret',
  'mysecretkey', 'jwt', 'jwtsecret', 'jwt-secret', 'jwt_secret', 'JWT_SECRET', 'jwtkey', 'key', 'private', 'privatekey',
  'password', 'Password', 'password123', 'passw0rd', 'changeme', 'change-me', 'changeit', 'default', 'test', 'testing',
  'test123', 'admin', 'admin123', 'root', 'toor', 'qwerty', '123456', '12345678', '1234567890', 'letmein', 'hello',
  'welcome', 'shhhhh', 'shhhhhhared-secret', 'your-256-bit-secret', 'your-secret-key', 'your_jwt_secret', 'supersecret',
  'super-secret', 'topsecret', 'top-secret', 'keyboard cat', 'gfg_jwt_secret_key', 'secretOrPrivateKey', 'HS256', 'token',
  'auth', 'authsecret', 'app', 'appsecret', 'app-secret', 'api', 'apisecret', 'development', 'dev', 'production', 'prod',
  'example', 'sample', 'demo', 'node', 'express', 'django-insecure', 'laravel', 'rails', 'spring', 'flask', 'abc123',
  'a', 'x', '',
];

/** The wordlist entry that signed `t`, or undefined. Offline: no request is sent. */
export function crackHmac(t: Jwt, words: readonly string[] = WORDLIST): string | undefined {
  const alg = HMAC[String(t.header.alg)];
  if (!alg) return undefined;
  const given = Buffer.from(t.signature, 'base64url');
  const input = t.raw.slice(0, t.raw.lastIndexOf('.'));
  for (const w of words) {
    const mac = createHmac(alg, w).update(input).digest();
    if (mac.length === given.length && timingSafeEqual(mac, given)) return w;
  }
  return undefined;
}

/** A secret shown in a report without revealing it: first character, length. */
export const hint = (secret: string): string => (secret.length <= 1 ? `${secret.length} character(s)` : `${secret[0]}${'*'.repeat(secret.length - 1)} (${secret.length} characters, in vouch's wordlist)`);
