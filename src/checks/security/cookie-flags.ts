// src/checks/security/cookie-flags.ts — passive: session-like cookies set without HttpOnly, SameSite or (on https)
// Secure; the recorded Set-Cookie header is the proof.
import { z } from 'zod';
import type { Exchange, ResponseRecord, Severity } from '../../core/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { groupSightings, type Sighting } from '../kit/group.js';
import { headerAll, pathOf, routeOf, targetExchanges } from './support/exchanges.js';

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case → value ('' for flags). */
  attrs: Map<string, string>;
  raw: string;
}

export function parseSetCookie(raw: string): SetCookie | undefined {
  const [pair, ...rest] = raw.split(';');
  const eq = pair?.indexOf('=') ?? -1;
  if (!pair || eq <= 0) return undefined;
  const attrs = new Map<string, string>();
  for (const a of rest) {
    const i = a.indexOf('=');
    const k = (i < 0 ? a : a.slice(0, i)).trim().toLowerCase();
    if (k) attrs.set(k, i < 0 ? '' : a.slice(i + 1).trim());
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attrs, raw };
}

/** Shannon entropy in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

const SESSION_NAME = /sess|sid|token|auth|jwt|connect/i;

/** A cookie that looks like it carries a session or credential: by name, or by a long random value. */
export function sessionLike(c: SetCookie): boolean {
  if (SESSION_NAME.test(c.name)) return true;
  const v = decodeURIComponent(c.value.replace(/^"|"$/g, ''));
  return v.length >= 20 && /[A-Za-z]/.test(v) && /\d/.test(v) && entropy(v) >= 3.5;
}

/** A Set-Cookie that removes the cookie (empty value, Max-Age ≤ 0 or an expiry in the past). */
function deletes(c: SetCookie): boolean {
  if (c.value === '' || c.value === '""') return true;
  const maxAge = c.attrs.get('max-age');
  if (maxAge !== undefined && Number(maxAge) <= 0) return true;
  const expires = c.attrs.get('expires');
  return expires !== undefined && Date.parse(expires) < Date.now();
}

interface Rule {
  flag: 'httponly' | 'samesite' | 'secure';
  vulnClass: string;
  severity: Severity;
  title: string;
  missing(c: SetCookie, https: boolean): boolean;
}

const RULES: Rule[] = [
  { flag: 'httponly', vulnClass: 'cookie-no-httponly', severity: 'medium', title: 'Session cookie readable by scripts (no HttpOnly)', missing: (c) => !c.attrs.has('httponly') },
  { flag: 'secure', vulnClass: 'cookie-no-secure', severity: 'medium', title: 'Session cookie sent over plain HTTP (no Secure)', missing: (c, https) => https && !c.attrs.has('secure') },
  { flag: 'samesite', vulnClass: 'cookie-no-samesite', severity: 'low', title: 'Session cookie without SameSite', missing: (c) => !c.attrs.has('samesite') },
];

export default defineCheck({
  id: 'cookie-flags',
  family: 'security',
  kind: 'passive',
  scope: 'target',
  meta: {
    title: 'Session cookie without protective flags',
    description: 'A session-like cookie is set without HttpOnly (readable by injected script), SameSite (sent on cross-site requests) or, on https, Secure (sent over plain HTTP).',
    severity: 'medium',
    cwe: 'CWE-1004',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Set session and credential cookies with `HttpOnly; Secure; SameSite=Lax` (or Strict), usually one option of the session middleware.',
    proves: 'The recorded Set-Cookie header itself, for a cookie named like a session or carrying a long random value.',
  },
  options: z.strictObject({
    /** Extra cookie names to treat as session cookies, exact match. Default none. */
    sessionCookies: z.array(z.string()).default([]),
    /** Cookie names never to report (e.g. a deliberately script-readable CSRF token). Default none. */
    ignore: z.array(z.string()).default([]),
  }),
  async run(ctx) {
    type Hit = { x: Exchange & { response: ResponseRecord }; cookie: SetCookie };
    const found = new Map<string, { rule: Rule; name: string; hits: Array<Sighting<Hit>> }>();
    for (const x of targetExchanges(ctx.recorded(), ctx.target.url)) {
      const https = new URL(x.request.url).protocol === 'https:';
      for (const raw of headerAll(x.response.headers, 'set-cookie')) {
        const cookie = parseSetCookie(raw);
        if (!cookie || deletes(cookie) || ctx.options.ignore.includes(cookie.name)) continue;
        if (!sessionLike(cookie) && !ctx.options.sessionCookies.includes(cookie.name)) continue;
        for (const rule of RULES) {
          if (!rule.missing(cookie, https)) continue;
          const key = `${rule.vulnClass}:${cookie.name}`;
          let entry = found.get(key);
          if (!entry) found.set(key, (entry = { rule, name: cookie.name, hits: [] }));
          entry.hits.push({ ...routeOf(x.request.method, x.request.url, ctx.surface), url: x.request.url, hit: { x, cookie } });
        }
      }
    }
    const candidates: CandidateInput[] = [];
    for (const [key, { rule, name, hits }] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
      // One sighting per page path, sorted: the anchor does not depend on the order responses were recorded in.
      const group = groupSightings(hits, (s) => pathOf(s.url))!;
      const list = group.list.map((s) => s.hit);
      const first = group.first.hit;
      candidates.push({
        operation: { method: group.first.method, path: group.first.path },
        url: first.x.request.url,
        grouped: true,
        title: `${rule.title}: ${name}`,
        severity: rule.severity,
        vulnClass: key,
        confidence: 'confirmed',
        proof: {
          summary: `${first.x.request.method} ${pathOf(first.x.request.url)} → ${first.x.response.status} sets session-like cookie ${name} without ${rule.flag === 'httponly' ? 'HttpOnly' : rule.flag === 'secure' ? 'Secure' : 'SameSite'}`,
          exchangeIds: list.slice(0, 3).map((h) => h.x.id),
          evidence: `set-cookie: ${first.cookie.name}=…${first.cookie.raw.includes(';') ? first.cookie.raw.slice(first.cookie.raw.indexOf(';')) : ' (no attributes)'}`,
        },
        locations: group.locations,
      });
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  example: { url: 'http://127.0.0.1:8080/login', summary: 'POST /login → 302 sets session-like cookie sid without HttpOnly' },
});
