// src/checks/conformance/negative-data-rejection.ts — the server accepts (2xx) a JSON body that breaks exactly one
// constraint of its own request schema; proof is the accepted request and an accepting replay.
import { z } from 'zod';
import type { JsonSchema, SendRequest } from '../../core/index.js';
import { baseBody, buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { accepted, describeJson, withJsonField } from '../kit/compare.js';
import { negativeValues } from '../../generate/index.js';
import { all, hasJsonRequestSchema, notSafeMode } from '../kit/guards.js';

/** One invalid body: the field at `path` set to `value` (raw JSON) or removed (`value` undefined). */
export interface NegativeCase {
  /** The JSON Schema keyword broken (`required`, `type`, `minimum`, `maximum`, `enum`, `maxLength`, `pattern`, `format`…). */
  keyword: string;
  path: string;
  value: string | undefined;
  /** What rule it breaks, for the summary. */
  says: string;
}

function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((cur, k) => (cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), value);
}

/**
 * Cases that each break exactly one constraint of the request schema (the generator's negative phase: ajv confirms
 * the body fails on that keyword at that field and nowhere else), one of each keyword first (round robin), capped.
 */
export function negativeCases(schema: JsonSchema, body: unknown, max: number, specVersion?: string): NegativeCase[] {
  return negativeValues(schema, body, max, specVersion, { root: false }).map((n) => ({ keyword: n.keyword, path: n.path, value: n.keyword === 'required' ? undefined : JSON.stringify(at(n.value, n.path)), says: n.says }));
}

export default defineCheck({
  id: 'negative-data-rejection',
  family: 'conformance',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Invalid data accepted',
    description: 'The server accepts (2xx) a request body that breaks its own documented schema (a missing required field, a wrong type, a value out of range or not in the enum, a string too long).',
    severity: 'medium',
    cwe: 'CWE-20',
    owasp: 'A04:2021 Insecure Design',
    remediation: 'Validate request bodies against the schema at the boundary (a schema validator in the route) and answer 400/422 naming the field.',
    proves: 'A body that breaks exactly one constraint of the request schema is answered 2xx, and again 2xx on an exact replay.',
  },
  options: z.strictObject({
    /** Invalid bodies tried per operation, one of each keyword first. Default 6. */
    cases: z.number().int().min(1).max(20).default(6),
  }),
  appliesTo: all(hasJsonRequestSchema, notSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const schema = op.requestBody!.schema!;
    const cases = negativeCases(schema, baseBody(op), ctx.options.cases, ctx.surface.spec?.version);
    if (!cases.length) return { status: 'inconclusive', reason: 'the request schema declares no constraint this check can break (required, type, bounds, enum, lengths, pattern, format, item counts, additionalProperties), or the sample body is not valid to start from' };
    const base = buildRequest(op);
    const candidates: CandidateInput[] = [];
    for (const c of cases) {
      const req = withJsonField(base, c.path, c.value);
      if (!req) continue;
      const x = await ctx.send(req);
      // 4xx: rejected, as it should be. 5xx: a crash, reported by not-a-server-error, not here.
      if (!accepted(x)) continue; // a 2xx error envelope (GraphQL `errors`, `success: false`) is a refusal
      const sent = c.value === undefined ? `without ${c.path}` : `json ${c.path}=${describeJson(c.value)}`;
      candidates.push({
        operation: { method: op.method, path: op.path },
        url: x.request.url,
        parameter: `json:${c.path}`,
        vulnClass: `accepted-invalid:${c.keyword}`,
        confidence: 'tentative',
        proof: {
          summary: `${op.method} ${op.path} ${sent} (${c.says}) → ${x.response!.status}: the server accepted data its own contract forbids`,
          exchangeIds: [x.id],
          evidence: `${c.says}; answered ${x.response!.status}`,
          ...(c.value !== undefined ? { payload: c.value } : {}),
        },
        data: { request: req },
      });
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const req = (candidate.data as { request?: SendRequest } | undefined)?.request;
    if (!req) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const replay = await ctx.send(req);
    if (accepted(replay)) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the exact replay → ${replay.response!.status} again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: `the replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/orders', summary: 'POST /api/orders json quantity=0 (quantity below minimum 1) → 201: the server accepted data its own contract forbids' },
});
