// src/checks/security/support/jwt.ts — JSON Web Token helpers for jwt-weakness: find tokens, decode, forge, crack
// HMAC secrets offline against the shipped list of weak secrets (data/jwt-secrets.txt) and digit runs.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { VouchError } from '../../../core/index.js';
import { hs256Matcher } from './hs256.js';

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

/** Where data/jwt-secrets.txt is, from src/ (tests) and from dist/src/ (the built CLI). */
const LIST_URLS = ['../../../../data/jwt-secrets.txt', '../../../../../data/jwt-secrets.txt'].map((p) => new URL(p, import.meta.url));
let listed: readonly string[] | undefined;

/** The shipped weak-secret list (data/jwt-secrets.txt: origin and licence in its header), read once. */
export function weakSecrets(): readonly string[] {
  if (listed) return listed;
  const file = LIST_URLS.find((u) => existsSync(u));
  if (!file) throw new VouchError('VOUCH_INTERNAL', 'data/jwt-secrets.txt is missing from the vouch installation', { hint: 'reinstall vouch' });
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop(); // the file's final newline
  listed = lines.filter((l) => !l.startsWith('# '));
  return listed;
}

/** Longest digit run tried per algorithm: all 1.1 M strings of 1–6 digits for HS256 (fast path), 1–4 otherwise. */
const DIGITS: Record<string, number> = { HS256: 6, HS384: 4, HS512: 4 };

/** The keys tried, as bytes: `extra`, the shipped list, then every string of 1..max ASCII digits (one reused buffer). */
function* keys(extra: readonly string[], max: number): Generator<Uint8Array> {
  for (const w of [...extra, ...weakSecrets()]) yield Buffer.from(w, 'utf8');
  for (let len = 1; len <= max; len++) {
    const key = new Uint8Array(len).fill(0x30);
    for (;;) {
      yield key;
      let i = len - 1;
      while (i >= 0 && key[i] === 0x39) key[i--] = 0x30;
      if (i < 0) break;
      key[i]!++;
    }
  }
}

/** Keys tried between two turns of the event loop, so a scan's sockets and timers keep being served while cracking. */
const BATCH = 20_000;

/**
 * The secret that signed `t`: from `extra`, the shipped list, then digit runs; undefined when none did. Offline: no
 * request is sent. HS256 goes through a JavaScript HMAC that reuses the message's schedule (support/hs256.ts).
 */
export async function crackHmac(t: Jwt, extra: readonly string[] = []): Promise<string | undefined> {
  const alg = String(t.header.alg);
  const hash = HMAC[alg];
  if (!hash) return undefined;
  const given = Buffer.from(t.signature, 'base64url');
  const input = Buffer.from(t.raw.slice(0, t.raw.lastIndexOf('.')), 'latin1');
  const fast = alg === 'HS256' ? hs256Matcher(input, given) : undefined;
  const slow = (key: Uint8Array): boolean => {
    const mac = createHmac(hash, key).update(input).digest();
    return mac.length === given.length && timingSafeEqual(mac, given);
  };
  let n = 0;
  for (const key of keys(extra, DIGITS[alg] ?? 0)) {
    if (fast && key.length <= 64 ? fast(key) : slow(key)) return Buffer.from(key).toString('utf8');
    if (++n % BATCH === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return undefined;
}

/** Whether `secret` reproduces the signature of `t` (an offline re-verification of a cracked secret). */
export function signs(t: Jwt, secret: string): boolean {
  const hash = HMAC[String(t.header.alg)];
  if (!hash) return false;
  const mac = createHmac(hash, secret).update(t.raw.slice(0, t.raw.lastIndexOf('.'))).digest();
  const given = Buffer.from(t.signature, 'base64url');
  return mac.length === given.length && timingSafeEqual(mac, given);
}

/** A secret shown in a report without revealing it: first character, length. */
export const hint = (secret: string): string => (secret.length <= 1 ? `${secret.length} character(s)` : `${secret[0]}${'*'.repeat(secret.length - 1)} (${secret.length} characters, in vouch's weak-secret list or a digit run)`);
