// src/checks/conformance/response-schema-conformance.ts — a 2xx JSON response breaks the schema its own OpenAPI
// document declares for that status; proof is the ajv error on the response and again on a replay.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { z } from 'zod';
import type { Exchange, JsonSchema, Operation } from '../../core/index.js';

export { toJsonSchema, validatorFor } from '../../generate/validate.js';
import { buildRequest } from '../../inject/index.js';
import { validatorFor } from '../../generate/validate.js';
import { defineCheck } from '../kit/define.js';
import { isSuccess, jsonBody } from '../kit/compare.js';
import { all, hasJsonResponseSchema, safeMethodOrNotSafeMode } from '../kit/guards.js';

/** One ajv error in words: `/price must be number`. */
export function describeError(e: ErrorObject): string {
  const where = e.instancePath || '/';
  const p = e.params as Record<string, unknown>;
  const extra = e.keyword === 'additionalProperties' ? ` (${String(p.additionalProperty)})` : e.keyword === 'enum' ? ` (${JSON.stringify(p.allowedValues)})` : '';
  return `${where} ${e.message ?? e.keyword}${extra}`;
}

/** The declared schema for a response status: exact code, then the `2XX` range. */
function schemaFor(op: Operation, status: number): JsonSchema | undefined {
  const r = op.responses ?? {};
  const hit = r[String(status)] ?? r[`${String(status)[0]}XX`] ?? r[`${String(status)[0]}xx`];
  return hit?.schema && (hit.contentType === undefined || hit.contentType.includes('json')) ? hit.schema : undefined;
}

type Judgement = { kind: 'violates'; status: number; errors: string[]; keys: string[] } | { kind: 'conforms' } | { kind: 'unknown'; reason: string };

function judge(op: Operation, x: Exchange, specVersion: string | undefined): Judgement {
  const res = x.response;
  if (!res) return { kind: 'unknown', reason: `the request failed: ${x.error?.message ?? 'no response'}` };
  if (!isSuccess(res.status)) return { kind: 'unknown', reason: `${op.method} ${op.path} answered ${res.status}, so no documented 2xx schema was exercised` };
  const schema = schemaFor(op, res.status);
  if (!schema) return { kind: 'conforms' }; // an undocumented status is not this check's concern
  if (res.truncated) return { kind: 'unknown', reason: 'the response body was cut at the size cap' };
  const body = jsonBody(x);
  if (!body) return { kind: 'unknown', reason: `the ${res.status} body is not JSON` };
  let validate: ValidateFunction;
  try {
    validate = validatorFor(schema, specVersion);
  } catch (e) {
    return { kind: 'unknown', reason: `the spec's schema for ${res.status} does not compile: ${e instanceof Error ? e.message : String(e)}` };
  }
  if (validate(body.value)) return { kind: 'conforms' };
  const errs = validate.errors ?? [];
  return { kind: 'violates', status: res.status, errors: errs.map(describeError), keys: errs.map((e) => `${e.instancePath} ${e.keyword}`) };
}

export default defineCheck({
  id: 'response-schema-conformance',
  family: 'conformance',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Response does not match its schema',
    description: 'A 2xx JSON response breaks the schema the OpenAPI document declares for that status: clients built from the spec will mis-read it.',
    severity: 'medium',
    cwe: 'CWE-1068',
    remediation: 'Make the response match the documented schema (types, required fields, enums), or fix the spec; validate responses against the spec in the test suite.',
    proves: 'ajv validation of the JSON body against the declared schema fails, and fails the same way on a replay.',
  },
  options: z.strictObject({
    /** Errors quoted in the summary. Default 3. */
    maxErrors: z.number().int().min(1).max(20).default(3),
  }),
  appliesTo: all(hasJsonResponseSchema, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const x = await ctx.send(buildRequest(op));
    const v = judge(op, x, ctx.surface.spec?.version);
    if (v.kind === 'unknown') return { status: 'inconclusive', reason: v.reason };
    if (v.kind === 'conforms') return { status: 'clean' };
    const shown = v.errors.slice(0, ctx.options.maxErrors);
    const more = v.errors.length > shown.length ? ` (+${v.errors.length - shown.length} more)` : '';
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          vulnClass: `schema:${v.status}`,
          confidence: 'tentative',
          proof: {
            summary: `${op.method} ${op.path} → ${v.status} breaks its documented schema: ${shown.join('; ')}${more}`,
            exchangeIds: [x.id],
            evidence: v.errors.join('\n'),
          },
          data: { keys: v.keys },
        },
      ],
    };
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    if (!op) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const replay = await ctx.send(buildRequest(op));
    const v = judge(op, replay, ctx.surface.spec?.version);
    const first = (candidate.data as { keys?: string[] } | undefined)?.keys?.[0];
    if (v.kind === 'violates' && first !== undefined && v.keys.includes(first)) {
      return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the replay breaks it the same way` };
    }
    return { confirmed: false, exchangeIds: [replay.id], reason: v.kind === 'violates' ? `the replay breaks the schema differently: ${v.errors[0] ?? ''}` : v.kind === 'conforms' ? 'the replay conforms' : v.reason };
  },
  example: { url: 'http://127.0.0.1:8080/api/products/1', summary: 'GET /api/products/{id} → 200 breaks its documented schema: /price must be number; the replay breaks it the same way' },
});
