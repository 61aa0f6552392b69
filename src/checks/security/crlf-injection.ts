// src/checks/security/crlf-injection.ts — active: a parameter copied into a response header (Location, Set-Cookie…)
// lets CR LF through, so an attacker adds headers of their own; proof is the injected header present as its own
// header, with a fresh name on replay.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { buildRequest, injectionPoints, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { all, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';
import { header, nonce } from './support/exchanges.js';
import { Tally } from './support/tally.js';

const points = (op: Parameters<Guard>[0]): InjectionPoint[] => injectionPoints(op).filter((p) => ['query', 'form', 'path'].includes(p.location));
const hasPoints: Guard = (op) => (points(op).length > 0 ? undefined : 'no query, form or path parameter');

/** Line breaks tried after a reflection into a header is seen: CR LF, bare LF, and (high) a double-encoded CR LF. */
const BREAKS = ['\r\n', '\n', '%0d%0a'] as const;
const FORMS = { low: 1, default: 2, high: 3 } as const;

const injected = (n: string): string => `x-vouch-${n}`;
const payload = (brk: string, n: string): string => `vouch${brk}X-Vouch-${n}: 1`;

/** The names of response headers whose value contains `text`. */
function reflectedIn(x: Exchange, text: string): string[] {
  return (x.response?.headers ?? []).filter(([, v]) => v.includes(text)).map(([k]) => k.toLowerCase());
}

export default defineCheck({
  id: 'crlf-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  // One marker to find header reflections, then the line-break forms only where one was seen.
  requestsPerPoint: { low: 1 + FORMS.low, default: 1 + FORMS.default, high: 1 + FORMS.high },
  meta: {
    title: 'CRLF injection into response headers',
    description: 'A parameter is copied into a response header without removing line breaks, so an attacker can add headers (cookies, redirects, CSP) or split the response.',
    severity: 'medium',
    cwe: 'CWE-113',
    owasp: 'A03:2021 Injection',
    remediation: 'Never copy input into headers unencoded: percent-encode it (or reject CR and LF) before it reaches Location or Set-Cookie; use the framework\'s redirect helper, which encodes.',
    proves: 'The response carries a header named X-Vouch-<random> as a header of its own (parsed by the HTTP client), and a fresh name is injected on replay.',
  },
  options: z.strictObject({}),
  appliesTo: all(hasPoints, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const candidates: CandidateInput[] = [];
    // Only real answers count: a 5xx or 429 to the probe says nothing about header reflection.
    const tally = new Tally();
    for (const point of points(op)) {
      const mark = `vouch${nonce()}`;
      const probe = tally.note(await ctx.send(buildRequest(op, point, mark)));
      const where = reflectedIn(probe, mark);
      if (!where.length) continue; // not reflected into a header: nothing to split
      for (const brk of BREAKS.slice(0, FORMS[ctx.strength])) {
        const n = nonce();
        const value = payload(brk, n);
        const x = await ctx.send(buildRequest(op, point, value));
        const got = header(x.response?.headers, injected(n));
        if (got === undefined) continue;
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          parameter: `${point.location}:${point.name}`,
          vulnClass: 'crlf-injection',
          confidence: 'tentative',
          proof: {
            summary: `${point.location} ${point.name} is reflected into ${where.join(', ')}; with ${JSON.stringify(value)} the ${x.response!.status} response carries its own header X-Vouch-${n}: ${got}`,
            exchangeIds: [x.id, probe.id],
            evidence: `${injected(n)}: ${got}`,
            payload: value,
          },
          data: { point, brk },
        });
        break;
      }
    }
    if (candidates.length) return { status: 'found', candidates };
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { point: InjectionPoint; brk: string } | undefined;
    if (!op || !data) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const n = nonce();
    const x = await ctx.send(buildRequest(op, data.point, payload(data.brk, n)));
    if (header(x.response?.headers, injected(n)) !== undefined) return { confirmed: true, exchangeIds: [x.id], summary: `${candidate.proof.summary}; a fresh header X-Vouch-${n} was injected on replay` };
    return { confirmed: false, exchangeIds: [x.id], reason: `the replay did not carry X-Vouch-${n}` };
  },
  example: { url: 'http://127.0.0.1:8080/lang?set=vouch%0D%0AX-Vouch-1a2b3c4d5e%3A%201', summary: 'query set is reflected into set-cookie; with "vouch\\r\\nX-Vouch-1a2b3c4d5e: 1" the 302 response carries its own header X-Vouch-1a2b3c4d5e: 1' },
});
