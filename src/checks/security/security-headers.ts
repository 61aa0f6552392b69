// src/checks/security/security-headers.ts — passive: HTML pages served without CSP, nosniff or clickjacking
// protection; the recorded response is the proof. One finding per missing header, every affected page listed.
import { z } from 'zod';
import type { Exchange, ResponseRecord, Severity } from '../../core/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { groupSightings } from '../kit/group.js';
import { header, isHtml, pathOf, routeOf, targetExchanges } from './support/exchanges.js';

type Page = Exchange & { response: ResponseRecord };

interface Problem {
  vulnClass: string;
  title: string;
  severity: Severity;
  /** What is wrong with this page, or undefined when it is fine. */
  test(res: ResponseRecord): string | undefined;
}

/** CSP directives by name (lower case) → their source lists. Only the first policy header counts. */
export function cspDirectives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name && !out.has(name.toLowerCase())) out.set(name.toLowerCase(), values);
  }
  return out;
}

/** Why a CSP does not stop injected inline script, or undefined when it does. */
export function weakCsp(policy: string): string | undefined {
  const d = cspDirectives(policy);
  const [directive, sources] = d.has('script-src') ? ['script-src', d.get('script-src')!] : d.has('default-src') ? ['default-src', d.get('default-src')!] : [undefined, undefined];
  if (!directive || !sources) return 'no script-src or default-src directive: scripts are unrestricted';
  const lower = sources.map((s) => s.toLowerCase());
  // 'unsafe-inline' is ignored by browsers when a nonce or hash is present (CSP level 2+).
  if (lower.includes("'unsafe-inline'") && !lower.some((s) => /^'(nonce-|sha256-|sha384-|sha512-)/.test(s))) return `${directive} allows 'unsafe-inline' without a nonce or hash`;
  return undefined;
}

const PROBLEMS: Record<'csp' | 'nosniff' | 'clickjacking', Problem[]> = {
  csp: [
    {
      vulnClass: 'missing-header:content-security-policy',
      title: 'Missing Content-Security-Policy',
      severity: 'medium',
      test: (res) => (header(res.headers, 'content-security-policy') ? undefined : 'no Content-Security-Policy header'),
    },
    {
      vulnClass: 'weak-header:content-security-policy',
      title: 'Content-Security-Policy allows inline script',
      severity: 'low',
      test: (res) => {
        const policy = header(res.headers, 'content-security-policy');
        return policy ? weakCsp(policy) : undefined;
      },
    },
  ],
  nosniff: [
    {
      vulnClass: 'missing-header:x-content-type-options',
      title: 'Missing X-Content-Type-Options: nosniff',
      severity: 'low',
      test: (res) => (header(res.headers, 'x-content-type-options')?.trim().toLowerCase() === 'nosniff' ? undefined : 'no X-Content-Type-Options: nosniff'),
    },
  ],
  clickjacking: [
    {
      vulnClass: 'missing-header:x-frame-options',
      title: 'Missing clickjacking protection (X-Frame-Options or CSP frame-ancestors)',
      severity: 'low',
      test: (res) => {
        const xfo = header(res.headers, 'x-frame-options')?.trim().toLowerCase();
        if (xfo === 'deny' || xfo === 'sameorigin') return undefined;
        const policy = header(res.headers, 'content-security-policy');
        if (policy && cspDirectives(policy).has('frame-ancestors')) return undefined;
        return 'neither X-Frame-Options (DENY or SAMEORIGIN) nor CSP frame-ancestors';
      },
    },
  ],
};

export default defineCheck({
  id: 'security-headers',
  family: 'security',
  kind: 'passive',
  scope: 'target',
  meta: {
    title: 'Missing security headers',
    description: 'HTML pages are served without the browser protections a Content-Security-Policy, X-Content-Type-Options: nosniff and X-Frame-Options (or CSP frame-ancestors) give.',
    severity: 'low',
    cwe: 'CWE-693',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation:
      'Set the headers once for every HTML response (middleware or reverse proxy): a Content-Security-Policy with a nonce- or hash-based script-src, X-Content-Type-Options: nosniff, and frame-ancestors \'none\' (or X-Frame-Options: DENY).',
    proves: 'The recorded 2xx text/html response itself: its headers lack the protection (cited by exchange id).',
  },
  options: z.strictObject({
    /** Which protections to require. Default all three. */
    require: z.array(z.enum(['csp', 'nosniff', 'clickjacking'])).default(['csp', 'nosniff', 'clickjacking']),
  }),
  async run(ctx) {
    const pages: Page[] = targetExchanges(ctx.recorded(), ctx.target.url).filter((x) => x.response.status >= 200 && x.response.status < 300 && isHtml(x.response));
    if (pages.length === 0) return { status: 'inconclusive', reason: 'no 2xx HTML response was recorded, so there was no page to read headers from' };
    const candidates: CandidateInput[] = [];
    for (const problem of ctx.options.require.flatMap((k) => PROBLEMS[k])) {
      const sightings = pages.flatMap((page) => {
        const why = problem.test(page.response);
        return why ? [{ ...routeOf(page.request.method, page.request.url, ctx.surface), url: page.request.url, hit: { page, why } }] : [];
      });
      // One sighting per page path, sorted: the anchor and the proof do not depend on the order pages were recorded in.
      const group = groupSightings(sightings, (s) => pathOf(s.url));
      if (!group) continue;
      const hits = group.list.map((s) => s.hit);
      const first = group.first.hit;
      candidates.push({
        operation: { method: group.first.method, path: group.first.path },
        url: first.page.request.url,
        grouped: true,
        title: problem.title,
        severity: problem.severity,
        vulnClass: problem.vulnClass,
        confidence: 'confirmed',
        proof: {
          summary: `${first.page.request.method} ${pathOf(first.page.request.url)} → ${first.page.response.status} text/html with ${first.why}${hits.length > 1 ? `; ${hits.length - 1} more page(s) alike` : ''}`,
          exchangeIds: hits.slice(0, 3).map((h) => h.page.id),
          evidence: first.why,
        },
        locations: group.locations,
      });
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  example: { url: 'http://127.0.0.1:8080/', summary: 'GET / → 200 text/html with no Content-Security-Policy header; 3 more page(s) alike' },
});
