// src/checks/security/cors-misconfiguration.ts — active: the server reflects any Origin (or `null`) in
// Access-Control-Allow-Origin together with Allow-Credentials: true, so any site can read responses as the user.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { all, methodIn, noPathParams } from '../kit/guards.js';
import { header, nonce } from './support/exchanges.js';

const attackerOrigin = (): string => `https://vouch-cors-${nonce()}.example`;

/** True when the response lets `origin` read it with the user's credentials. */
export function allowsWithCredentials(x: Exchange, origin: string): boolean {
  const res = x.response;
  if (!res) return false;
  const acao = header(res.headers, 'access-control-allow-origin')?.trim();
  const acac = header(res.headers, 'access-control-allow-credentials')?.trim().toLowerCase();
  return acao === origin && acac === 'true';
}

export default defineCheck({
  id: 'cors-misconfiguration',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'CORS allows any origin with credentials',
    description: 'The server copies the request Origin (or accepts `null`) into Access-Control-Allow-Origin and allows credentials, so any web page can read this response with the visitor\'s cookies.',
    severity: 'medium',
    cwe: 'CWE-942',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Check the Origin against a fixed allow-list of your own origins before echoing it; never allow `null`; send Access-Control-Allow-Credentials only for allow-listed origins.',
    proves: 'Two different random attacker origins are each echoed back in Access-Control-Allow-Origin with Access-Control-Allow-Credentials: true (or `Origin: null` is accepted twice).',
  },
  options: z.strictObject({
    /** Also try `Origin: null` (sandboxed iframes and file: pages send it). Default true. */
    tryNull: z.boolean().default(true),
  }),
  appliesTo: all(methodIn('GET'), noPathParams),
  async run(ctx) {
    const op = ctx.operation!;
    const base = buildRequest(op);
    const withOrigin = (origin: string) => ctx.send({ ...base, headers: [...(base.headers ?? []), ['origin', origin]] });
    const candidate = (x: Exchange, origin: string, vulnClass: string, what: string): CandidateInput => ({
      operation: { method: op.method, path: op.path },
      url: x.request.url,
      severity: op.auth === 'required' ? 'high' : 'medium',
      vulnClass,
      confidence: 'tentative',
      proof: {
        summary: `Origin: ${origin} → ${x.response?.status ?? '-'} with Access-Control-Allow-Origin: ${origin} and Access-Control-Allow-Credentials: true (${what})`,
        exchangeIds: [x.id],
        evidence: `access-control-allow-origin: ${origin}; access-control-allow-credentials: true`,
        payload: `Origin: ${origin}`,
      },
      data: { kind: vulnClass },
    });
    const origin = attackerOrigin();
    const x = await withOrigin(origin);
    if (!x.response) return { status: 'inconclusive', reason: `the request failed: ${x.error?.message ?? 'no response'}` };
    if (allowsWithCredentials(x, origin)) return { status: 'found', candidates: [candidate(x, origin, 'cors-reflect-origin', 'an arbitrary origin is reflected')] };
    if (ctx.options.tryNull) {
      const n = await withOrigin('null');
      if (allowsWithCredentials(n, 'null')) return { status: 'found', candidates: [candidate(n, 'null', 'cors-null-origin', 'the null origin is trusted')] };
    }
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    if (!op) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const base = buildRequest(op);
    const origin = candidate.vulnClass === 'cors-null-origin' ? 'null' : attackerOrigin();
    const x = await ctx.send({ ...base, headers: [...(base.headers ?? []), ['origin', origin]] });
    if (allowsWithCredentials(x, origin)) {
      return { confirmed: true, exchangeIds: [x.id], summary: `${candidate.proof.summary}; ${origin === 'null' ? 'the replay' : `a second random origin ${origin}`} is allowed too` };
    }
    return { confirmed: false, exchangeIds: [x.id], reason: origin === 'null' ? 'the replay did not allow null' : `a second random origin ${origin} was not allowed` };
  },
  example: { url: 'http://127.0.0.1:8080/api/me', summary: 'Origin: https://vouch-cors-1a2b3c4d5e.example → 200 with Access-Control-Allow-Origin echoing it and Allow-Credentials: true' },
});
