// src/checks/conformance/response-schema-conformance.ts — a 2xx JSON response breaks the schema its own OpenAPI
// document declares for that status; proof is the ajv error on the response and again on a replay.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { z } from 'zod';
import type { Exchange, JsonSchema, Operation } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck } from '../kit/define.js';
import { isSuccess, jsonBody } from '../kit/compare.js';
import { all, hasJsonResponseSchema, safeMethodOrNotSafeMode } from '../kit/guards.js';

/** OpenAPI keywords that are not JSON Schema validation and would only confuse ajv. */
const IGNORED = new Set(['example', 'xml', 'discriminator', 'externalDocs', 'nullable']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
const SUBSCHEMAS = new Set(['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf', 'prefixItems', 'contains', 'propertyNames', 'if', 'then', 'else', 'unevaluatedProperties', 'unevaluatedItems']);

/**
 * An OpenAPI schema object as plain JSON Schema: OpenAPI-only keywords dropped, `$ref`s left unresolved by discovery
 * (recursive ones) accept anything, and for 3.0 `nullable: true` becomes a type array and boolean
 * `exclusiveMinimum`/`exclusiveMaximum` become numbers.
 */
export function toJsonSchema(schema: unknown, openapi30: boolean): unknown {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, openapi30));
  if (!schema || typeof schema !== 'object') return schema;
  const src = schema as Record<string, unknown>;
  if (typeof src.$ref === 'string') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (IGNORED.has(k) || k.startsWith('x-')) continue;
    if (SCHEMA_MAPS.has(k) && v && typeof v === 'object') out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, toJsonSchema(s, openapi30)]));
    else if (SUBSCHEMAS.has(k)) out[k] = toJsonSchema(v, openapi30);
    else out[k] = v; // enum, required, const, default...: data, not schemas
  }
  if (openapi30) {
    for (const [ex, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
      if (typeof out[ex] !== 'boolean') continue;
      if (out[ex] && typeof out[bound] === 'number') {
        out[ex] = out[bound];
        delete out[bound];
      } else delete out[ex];
    }
    if (src.nullable === true) {
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...(out.enum as unknown[]), null];
      if (out.type === undefined && (out.allOf || out.oneOf || out.anyOf)) return { anyOf: [out, { type: 'null' }] };
    }
  }
  return out;
}

// ajv-formats is CommonJS: under NodeNext its default import is the module object, whose `default` is the plugin.
const withFormats = <T extends Ajv | Ajv2020>(ajv: T): T => {
  addFormatsModule.default(ajv);
  return ajv;
};

let ajv07: Ajv | undefined;
let ajv2020: Ajv2020 | undefined;
const compiled07 = new WeakMap<JsonSchema, ValidateFunction>();
const compiled2020 = new WeakMap<JsonSchema, ValidateFunction>();

/** The validator of a response schema, compiled once per schema object (throws when the schema itself is invalid). */
export function validatorFor(schema: JsonSchema, specVersion: string | undefined): ValidateFunction {
  const is31 = specVersion?.startsWith('3.1') ?? false;
  const cache = is31 ? compiled2020 : compiled07;
  let v = cache.get(schema);
  if (!v) {
    const ajv = is31 ? (ajv2020 ??= withFormats(new Ajv2020({ strict: false, allErrors: true, logger: false }))) : (ajv07 ??= withFormats(new Ajv({ strict: false, allErrors: true, logger: false })));
    v = ajv.compile(toJsonSchema(schema, !is31) as object);
    cache.set(schema, v);
  }
  return v;
}

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
