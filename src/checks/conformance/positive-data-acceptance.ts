// src/checks/conformance/positive-data-acceptance.ts — the server rejects (400/422) a request that is valid under its
// own spec; the generated case is shrunk to a minimal one with fast-check, and proof is its exact replay.
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { DEFAULT_SEED, generateCases, requestFromValues, requestSchema, shrinkFailure, valuesOf } from '../../generate/index.js';
import { defineCheck } from '../kit/define.js';
import { excerpt, validationError } from '../kit/compare.js';
import { all, safeMethodOrNotSafeMode } from '../kit/guards.js';

const hasGeneratedPart = (op: Operation): string | undefined =>
  op.sources.includes('spec') && (op.params.some((p) => p.in !== 'path' && p.schema) || (op.requestBody?.contentType.includes('json') && op.requestBody.schema)) ? undefined : 'no documented query, header or JSON body to generate';

/** Recursive, contradictory or otherwise ungeneratable schemas are skipped in the plan, naming why. */
const generatable = (op: Operation): string | undefined => {
  const src = valuesOf(requestSchema(op));
  return src.ok ? undefined : `request data cannot be generated: ${src.reason}`;
};

export default defineCheck({
  id: 'positive-data-acceptance',
  family: 'conformance',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Valid data rejected',
    description: 'The server answers 400/422 to a request that is valid under its own OpenAPI document: the spec promises more than the server accepts.',
    severity: 'low',
    cwe: 'CWE-1068',
    remediation: 'Accept what the spec allows, or tighten the spec (minLength, pattern, enum, required) to what the server really accepts.',
    proves: 'A spec-valid request (checked with ajv), shrunk to a minimal one, is rejected with a validation error (field locations or a broken constraint named), and again on an exact replay.',
  },
  options: z.strictObject({
    /** Random valid requests generated per operation (after the spec example and boundary values). Default 100, bounded by the budget. */
    cases: z.number().int().min(1).max(1000).default(100),
    /** Statuses that mean "your data is wrong". */
    rejections: z.array(z.number().int()).default([400, 422]),
    /** Requests spent shrinking a failure. Default 40. */
    shrinkSteps: z.number().int().min(0).max(500).default(40),
  }),
  appliesTo: all(hasGeneratedPart, generatable, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const set = generateCases(op, { seed: ctx.seed ?? DEFAULT_SEED, count: ctx.options.cases, ...(ctx.surface.spec ? { specVersion: ctx.surface.spec.version } : {}), phases: ['example', 'boundary', 'positive'] });
    if (!set.cases.length) return { status: 'inconclusive', reason: `no valid request could be generated: ${set.skipped ?? 'no cases'}` };
    const rejected = (x: Exchange): boolean => ctx.options.rejections.includes(x.response?.status ?? 0);
    for (const c of set.cases) {
      const x = await ctx.send(requestFromValues(op, c.values));
      if (!rejected(x)) continue;
      let values = c.values;
      let last = x;
      let shrunkBy = '';
      if (c.phase === 'positive' && set.arbitrary && ctx.options.shrinkSteps > 0) {
        const shrunk = await shrinkFailure(set.arbitrary, set.seed, c.values, async (v) => {
          const y = await ctx.send(requestFromValues(op, v));
          if (rejected(y)) last = y;
          return rejected(y);
        }, { maxSteps: ctx.options.shrinkSteps });
        if (shrunk) {
          values = shrunk.value;
          shrunkBy = ` (shrunk in ${shrunk.steps} requests)`;
        }
      }
      const req = requestFromValues(op, values);
      const proofX = last.request.url === req.url && last.request.body === req.body ? last : await ctx.send(req);
      if (!rejected(proofX)) continue;
      return {
        status: 'found',
        candidates: [
          {
            operation: { method: op.method, path: op.path },
            url: proofX.request.url,
            vulnClass: 'valid-rejected',
            confidence: 'tentative',
            proof: {
              summary: `${op.method} ${op.path} with spec-valid data (${c.phase}: ${c.label}${shrunkBy}) → ${proofX.response!.status}${proofX.response!.body ? ` ${JSON.stringify(excerpt(proofX.response!.body, 100))}` : ''}`,
              exchangeIds: [proofX.id],
              evidence: `sent ${JSON.stringify(values)}`,
              payload: JSON.stringify(values),
            },
            data: { request: req, seed: set.seed },
          },
        ],
      };
    }
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const req = (candidate.data as { request?: SendRequest } | undefined)?.request;
    if (!req) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const replay = await ctx.send(req);
    const status = replay.response?.status ?? 0;
    if (ctx.options.rejections.includes(status)) {
      // "Invalid username" for a generated name is the application refusing a value it does not know, not its
      // contract refusing the form: only a validation error (field locations, a broken constraint named) proves it.
      const why = validationError(replay);
      if (!why) return { confirmed: false, exchangeIds: [replay.id], reason: `the replay → ${status} again, but its body reads as a business refusal of these values, not a validation error about their form` };
      return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the exact replay → ${status} again, ${why}` };
    }
    return { confirmed: false, exchangeIds: [replay.id], reason: `flaky: the replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/products/search?q=', summary: 'GET /api/products/search with spec-valid data (positive: generated #3, shrunk in 4 requests) → 400 "q is required"; the exact replay → 400 again' },
});
