// src/checks/conformance/response-headers-conformance.ts — a response lacks a header its spec declares as required,
// or a declared header's value breaks its schema; proof is the response and an exact replay.
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { isValid } from '../../generate/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck } from '../kit/define.js';
import { all, safeMethodOrNotSafeMode } from '../kit/guards.js';

/** A header value as the type its schema declares (headers are text on the wire). */
function typed(value: string, type: unknown): unknown {
  if ((type === 'integer' || type === 'number') && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Problems with the declared headers of the response's status: missing required ones, values breaking their schema. */
export function headerProblems(op: Operation, x: Exchange, specVersion?: string): string[] {
  const res = x.response;
  if (!res) return [];
  const s = String(res.status);
  const declared = (op.responses?.[s] ?? op.responses?.[`${s[0]}XX`] ?? op.responses?.default)?.headers ?? {};
  const out: string[] = [];
  for (const [name, h] of Object.entries(declared)) {
    if (name.toLowerCase() === 'content-type') continue; // OpenAPI ignores it here; content-type-conformance covers it
    const got = res.headers.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    if (got === undefined) {
      if (h.required) out.push(`required header ${name} missing`);
      continue;
    }
    if (h.schema && !isValid(h.schema, typed(got, h.schema.type), specVersion)) out.push(`header ${name}: ${JSON.stringify(got)} breaks its schema ${JSON.stringify(h.schema)}`);
  }
  return out;
}

const declaresHeaders = (op: Operation): string | undefined => (Object.values(op.responses ?? {}).some((r) => r.headers && Object.keys(r.headers).length) ? undefined : 'no response headers declared');

export default defineCheck({
  id: 'response-headers-conformance',
  family: 'conformance',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Declared response header missing or invalid',
    description: 'A response lacks a header its OpenAPI document declares as required (e.g. Location, X-RateLimit-Remaining), or sends one whose value breaks the declared schema.',
    severity: 'low',
    cwe: 'CWE-1068',
    remediation: 'Send the declared headers with values of the declared type, or correct the spec.',
    proves: 'The same header problems appear on an exact replay.',
  },
  options: z.strictObject({}),
  appliesTo: all(declaresHeaders, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const req = buildRequest(op);
    const x = await ctx.send(req);
    if (!x.response) return { status: 'inconclusive', reason: `the request failed: ${x.error?.message ?? 'no response'}` };
    const problems = headerProblems(op, x, ctx.surface.spec?.version);
    if (!problems.length) return { status: 'clean' };
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          vulnClass: `response-header:${problems[0]!.split(' ').slice(0, 3).join('-')}`,
          confidence: 'tentative',
          proof: { summary: `${op.method} ${op.path} → ${x.response.status}: ${problems.join('; ')}`, exchangeIds: [x.id], evidence: problems.join('\n') },
          data: { request: req, problems },
        },
      ],
    };
  },
  async confirm(candidate, ctx) {
    const { request, problems } = (candidate.data ?? {}) as { request?: SendRequest; problems?: string[] };
    if (!request || !ctx.operation) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const replay = await ctx.send(request);
    const again = headerProblems(ctx.operation, replay, ctx.surface.spec?.version);
    if (problems?.[0] !== undefined && again.includes(problems[0])) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the exact replay shows it again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: 'the replay did not show the same header problem' };
  },
  example: { url: 'http://127.0.0.1:8080/api/orders', summary: 'POST /api/orders → 201: required header Location missing; the exact replay shows it again' },
});
