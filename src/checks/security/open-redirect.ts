// src/checks/security/open-redirect.ts — active: a redirect parameter sends the browser to any host; proof is a 3xx
// whose Location resolves to a random attacker host vouch chose, again with a fresh host on replay. Never followed.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { buildRequest, injectionPoints, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { all, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';
import { forStrength } from '../kit/strength.js';
import { header, nonce } from './support/exchanges.js';
import { Tally } from './support/tally.js';

const NAME = /^(?:next|url|redirect|redirect_?(?:to|uri|url)|redir|return|return_?(?:to|url)|returnto|returnurl|continue|dest|destination|goto|target|r|u|to|forward|callback_?url)$/i;
const LOOKS_LIKE_URL = /^(?:https?:)?\/\/|^\/(?!\/)/i;

/** Injection points that may carry a redirect destination: by name, or by a URL/path-like example value. */
export function redirectPoints(op: Operation): InjectionPoint[] {
  return injectionPoints(op).filter((p) => ['query', 'form', 'json'].includes(p.location) && (NAME.test(p.name.split('.').pop() ?? '') || LOOKS_LIKE_URL.test(p.base)));
}

const hasRedirectParam: Guard = (op) => (redirectPoints(op).length > 0 ? undefined : 'no parameter looks like a redirect destination');

/**
 * The payload forms, most common first: absolute, scheme-relative (passes naive `startsWith('/')` checks), then
 * browser-normalised bypasses (a backslash reads as a slash; `https:host` with another scheme than the page's).
 */
const PAYLOADS: ReadonlyArray<(host: string) => string> = [(h) => `https://${h}/`, (h) => `//${h}/`, (h) => `/\\${h}/`, (h) => `https:${h}/`, (h) => `\\/\\/${h}/`];
const COUNTS = { low: 1, default: 2, high: 5 } as const;

/** The redirect target host when `x` is a 3xx whose Location resolves to `host`. */
export function redirectsTo(x: Exchange, host: string): string | undefined {
  const res = x.response;
  if (!res || res.status < 300 || res.status > 399) return undefined;
  const location = header(res.headers, 'location');
  if (!location) return undefined;
  try {
    return new URL(location, x.request.url).hostname === host ? location : undefined;
  } catch {
    return undefined; // an unparsable Location goes nowhere
  }
}

export default defineCheck({
  id: 'open-redirect',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Open redirect',
    description: 'A parameter decides where the server redirects, and any external host is accepted, so links on your domain can send users to a phishing site.',
    severity: 'medium',
    cwe: 'CWE-601',
    owasp: 'A01:2021 Broken Access Control',
    remediation: 'Redirect only to relative paths (reject `//` and `\\` prefixes) or to hosts on an allow-list; better, map an opaque key to the destination server-side.',
    proves: 'A 3xx whose Location resolves (against the request URL) to a random attacker host vouch chose, again with a fresh host on replay. The redirect is never followed.',
  },
  options: z.strictObject({}),
  requestsPerPoint: COUNTS,
  appliesTo: all(hasRedirectParam, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const candidates: CandidateInput[] = [];
    // Only real answers count: a 5xx or 429 says nothing about where the parameter would redirect.
    const tally = new Tally();
    for (const point of redirectPoints(op)) {
      for (const [form, make] of forStrength(PAYLOADS, COUNTS, ctx.strength).entries()) {
        const host = `vouch-redirect-${nonce()}.example`;
        const payload = make(host);
        const x = tally.note(await ctx.send(buildRequest(op, point, payload))); // followRedirects stays off: we read the 3xx
        const location = redirectsTo(x, host);
        if (!location) continue;
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          parameter: `${point.location}:${point.name}`,
          vulnClass: 'open-redirect',
          confidence: 'tentative',
          proof: {
            summary: `${point.location} ${point.name}=${payload} → ${x.response?.status ?? '-'} Location: ${location}`,
            exchangeIds: [x.id],
            evidence: `location: ${location}`,
            payload,
          },
          data: { point, form },
        });
        break;
      }
    }
    if (candidates.length) return { status: 'found', candidates };
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { point: InjectionPoint; form: number } | undefined;
    const make = PAYLOADS[data?.form ?? -1];
    if (!op || !data || !make) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const host = `vouch-redirect-${nonce()}.example`;
    const x = await ctx.send(buildRequest(op, data.point, make(host)));
    const location = redirectsTo(x, host);
    if (location) return { confirmed: true, exchangeIds: [x.id], summary: `${candidate.proof.summary}; a fresh host ${host} is redirected to as well` };
    return { confirmed: false, exchangeIds: [x.id], reason: `the replay with ${host} did not redirect there` };
  },
  example: { url: 'http://127.0.0.1:8080/login?next=https%3A%2F%2Fvouch-redirect-1a2b3c4d5e.example%2F', summary: 'query next=https://vouch-redirect-1a2b3c4d5e.example/ → 302 Location: https://vouch-redirect-1a2b3c4d5e.example/' },
});
