// src/checks/security/secrets-in-responses.ts — passive: recorded responses carry secrets (cloud keys, private
// keys, API tokens, other users' JWTs); the recorded response is the proof, the secret itself is redacted.
import { z } from 'zod';
import type { Exchange, ResponseRecord, Severity } from '../../core/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { groupSightings, type Sighting } from '../kit/group.js';
import { pathOf, routeOf, targetExchanges, textBody } from './support/exchanges.js';
import { findJwts } from './support/jwt.js';

type Page = Exchange & { response: ResponseRecord };

interface Kind {
  id: string;
  what: string;
  severity: Severity;
  /** The secret values found in a body (the whole secret, to redact and to compare). */
  find(body: string, x: Page): string[];
}

const all = (re: RegExp, group = 0) => (body: string): string[] => [...body.matchAll(re)].map((m) => m[group] ?? m[0]);

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) h -= (n / s.length) * Math.log2(n / s.length);
  return h;
}

const PLACEHOLDER = /^(?:x+|\*+|changeme|your[_-]?\w*|example\w*|test\w*|dummy\w*|placeholder\w*|redacted|\[redacted\]|null|undefined|true|false)$/i;
const GENERIC = /["']?\b([A-Za-z0-9_-]*(?:api[_-]?key|apikey|secret|access[_-]?key|private[_-]?key|client[_-]?secret|auth[_-]?token|access[_-]?token)[A-Za-z0-9_-]*)\b["']?\s*[:=]\s*["']?([A-Za-z0-9_\-/+=.]{16,200})/gi;

/** The `sub` claims of the JWTs a request presented (Authorization, cookies, any header). */
const requesterSubs = (x: Exchange): Set<unknown> => new Set(findJwts(x.request.headers.map(([, v]) => v).join('\n')).map((t) => t.claims.sub));

export const KINDS: readonly Kind[] = [
  { id: 'aws-access-key-id', what: 'an AWS access key id', severity: 'high', find: all(/\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g) },
  { id: 'aws-secret-access-key', what: 'an AWS secret access key', severity: 'critical', find: all(/aws_?secret_?access_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi, 1) },
  { id: 'private-key', what: 'a private key', severity: 'critical', find: all(/-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----[\s\S]{0,64}/g) },
  { id: 'github-token', what: 'a GitHub token', severity: 'high', find: all(/\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b/g) },
  { id: 'slack-token', what: 'a Slack token', severity: 'high', find: all(/\bxox[baprs]-[A-Za-z0-9-]{10,}\b/g) },
  { id: 'stripe-secret-key', what: 'a Stripe secret key', severity: 'critical', find: all(/\b(?:sk|rk)_live_[A-Za-z0-9]{16,}\b/g) },
  { id: 'google-api-key', what: 'a Google API key', severity: 'medium', find: all(/\bAIza[0-9A-Za-z_-]{35}\b/g) },
  {
    id: 'foreign-jwt',
    what: "another user's JWT",
    severity: 'high',
    // Only in answers to reads: a login or token endpoint answering POST hands the caller their own token.
    find: (body, x) => {
      if (x.request.method !== 'GET') return [];
      const own = requesterSubs(x);
      return findJwts(body).filter((t) => t.claims.sub !== undefined && !own.has(t.claims.sub)).map((t) => t.raw);
    },
  },
  {
    id: 'generic-api-key',
    what: 'a high-entropy value named like an API key or secret',
    severity: 'medium',
    find: (body) =>
      [...body.matchAll(GENERIC)]
        .map((m) => m[2]!)
        .filter((v) => !PLACEHOLDER.test(v) && entropy(v) >= 3.5 && /\d/.test(v) && /[A-Za-z]/.test(v) && !/^eyJ/.test(v)),
  },
];

/** A secret as it may appear in a report: its first four characters, then its length. */
export const redactSecret = (s: string): string => `${s.slice(0, 4)}…[${s.length} characters redacted]`;

export default defineCheck({
  id: 'secrets-in-responses',
  family: 'security',
  kind: 'passive',
  scope: 'target',
  meta: {
    title: 'Secrets in responses',
    description: 'Responses carry credentials: cloud keys, private keys, API tokens, or other users\' session tokens, readable by whoever can make the request.',
    severity: 'high',
    cwe: 'CWE-200',
    owasp: 'A01:2021 Broken Access Control',
    remediation: 'Remove the secret from the response (and from the code or configuration that put it there), then rotate it: treat every exposed secret as compromised.',
    proves: 'The recorded response itself: a secret of a recognizable format (or a high-entropy value named like a key) that the request did not contain. The evidence shows only its first characters.',
  },
  options: z.strictObject({
    /** Kinds never to report (ids from docs/checks/secrets-in-responses.md). Default none. */
    ignore: z.array(z.string()).default([]),
  }),
  async run(ctx) {
    const pages = targetExchanges(ctx.recorded(), ctx.target.url);
    if (!pages.length) return { status: 'inconclusive', reason: 'no response from the target was recorded' };
    const found = new Map<string, { kind: Kind; hits: Array<Sighting<{ x: Page; secret: string }>> }>();
    for (const x of pages) {
      const body = textBody(x.response);
      if (body.length < 16) continue;
      const sent = `${x.request.url}\n${x.request.body ?? ''}\n${x.request.headers.map(([k, v]) => `${k}: ${v}`).join('\n')}`;
      for (const kind of KINDS) {
        if (ctx.options.ignore.includes(kind.id)) continue;
        const secret = kind.find(body, x).find((s) => !sent.includes(s)); // a reflection of our own input is no leak
        if (!secret) continue;
        const route = routeOf(x.request.method, x.request.url, ctx.surface);
        let entry = found.get(kind.id);
        if (!entry) found.set(kind.id, (entry = { kind, hits: [] }));
        entry.hits.push({ ...route, url: x.request.url, hit: { x, secret } });
      }
    }
    const candidates: CandidateInput[] = [];
    for (const { kind, hits } of found.values()) {
      // One sighting per route, sorted: the finding's anchor does not depend on request order.
      const group = groupSightings(hits)!;
      const list = group.list.map((s) => s.hit);
      const first = group.first.hit;
      candidates.push({
        operation: { method: group.first.method, path: group.first.path },
        url: first.x.request.url,
        grouped: true,
        title: `Secret in responses: ${kind.what}`,
        severity: kind.severity,
        vulnClass: `secret:${kind.id}`,
        confidence: 'confirmed',
        proof: {
          summary: `${first.x.request.method} ${pathOf(first.x.request.url)} → ${first.x.response.status} carries ${kind.what} (${redactSecret(first.secret)})${list.length > 1 ? `; ${list.length - 1} more operation(s) alike` : ''}`,
          exchangeIds: list.slice(0, 3).map((h) => h.x.id),
          evidence: redactSecret(first.secret),
        },
        locations: group.locations,
      });
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  example: { url: 'http://127.0.0.1:8080/debug/env', summary: 'GET /debug/env → 200 carries an AWS access key id (AKIA…[20 characters redacted])' },
});
