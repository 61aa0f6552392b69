// src/checks/conformance/negative-data-rejection.ts — the server accepts (2xx) a JSON body that breaks exactly one
// constraint of its own request schema; proof is the accepted request and an accepting replay.
import { z } from 'zod';
import type { JsonSchema, SendRequest } from '../../core/index.js';
import { baseBody, buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { describeJson, flatten, isSuccess, schemaType, withJsonField } from '../kit/compare.js';
import { all, hasJsonRequestSchema, notSafeMode } from '../kit/guards.js';

/** One invalid body: the field at `path` set to `value` (raw JSON) or removed (`value` undefined). */
export interface NegativeCase {
  keyword: 'required' | 'type' | 'minimum' | 'maximum' | 'enum' | 'maxLength';
  path: string;
  value: string | undefined;
  /** What rule it breaks, for the summary. */
  says: string;
}

const WRONG_TYPE: Record<string, unknown> = { string: 12345, integer: 'abc', number: 'abc', boolean: 'abc', object: 'abc', array: 'abc' };

function casesFor(schema: JsonSchema, body: unknown, prefix: string, out: NegativeCase[], depth: number): void {
  if (depth > 3 || !body || typeof body !== 'object' || Array.isArray(body)) return;
  const s = flatten(schema);
  const props = (s.properties ?? {}) as Record<string, JsonSchema>;
  const present = body as Record<string, unknown>;
  for (const name of (s.required as string[] | undefined) ?? []) {
    if (name in present) out.push({ keyword: 'required', path: `${prefix}${name}`, value: undefined, says: `required ${prefix}${name} missing` });
  }
  for (const [name, raw] of Object.entries(props)) {
    if (!(name in present) || raw.readOnly) continue;
    const p = flatten(raw);
    const path = `${prefix}${name}`;
    const type = schemaType(p);
    const constrained = Array.isArray(p.enum) || p.const !== undefined;
    if (type && !constrained && !Array.isArray(p.type)) out.push({ keyword: 'type', path, value: JSON.stringify(WRONG_TYPE[type] ?? null), says: `${path} not a ${type}` });
    if (typeof p.minimum === 'number') out.push({ keyword: 'minimum', path, value: JSON.stringify(type === 'integer' ? Math.ceil(p.minimum) - 1 : p.minimum - 1), says: `${path} below minimum ${p.minimum}` });
    if (typeof p.maximum === 'number') out.push({ keyword: 'maximum', path, value: JSON.stringify(type === 'integer' ? Math.floor(p.maximum) + 1 : p.maximum + 1), says: `${path} above maximum ${p.maximum}` });
    if (Array.isArray(p.enum) && p.enum.length > 0) {
      const outside = p.enum.every((e) => typeof e === 'number') ? Math.max(...(p.enum as number[])) + 1 : 'vouch-not-in-enum';
      out.push({ keyword: 'enum', path, value: JSON.stringify(outside), says: `${path} not one of ${JSON.stringify(p.enum)}` });
    }
    if (typeof p.maxLength === 'number' && !constrained) {
      const base = typeof present[name] === 'string' ? (present[name] as string) : '';
      out.push({ keyword: 'maxLength', path, value: JSON.stringify(base.padEnd(p.maxLength + 1, 'a')), says: `${path} longer than maxLength ${p.maxLength}` });
    }
    if (schemaType(p) === 'object') casesFor(p, present[name], `${path}.`, out, depth + 1);
  }
}

/** Cases that each break one constraint of the request schema, one of each keyword first (round robin), capped. */
export function negativeCases(schema: JsonSchema, body: unknown, max: number): NegativeCase[] {
  const all: NegativeCase[] = [];
  casesFor(schema, body, '', all, 0);
  const byKeyword = new Map<string, NegativeCase[]>();
  for (const c of all) byKeyword.set(c.keyword, [...(byKeyword.get(c.keyword) ?? []), c]);
  const out: NegativeCase[] = [];
  for (let round = 0; out.length < max && out.length < all.length; round++) {
    for (const list of byKeyword.values()) if (list[round] && out.length < max) out.push(list[round]!);
  }
  return out;
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
    const cases = negativeCases(schema, baseBody(op), ctx.options.cases);
    if (!cases.length) return { status: 'inconclusive', reason: 'the request schema declares no constraint this check can break (required, type, minimum, maximum, enum, maxLength)' };
    const base = buildRequest(op);
    const candidates: CandidateInput[] = [];
    for (const c of cases) {
      const req = withJsonField(base, c.path, c.value);
      if (!req) continue;
      const x = await ctx.send(req);
      // 4xx: rejected, as it should be. 5xx: a crash, reported by not-a-server-error, not here.
      if (!isSuccess(x.response?.status)) continue;
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
    if (isSuccess(replay.response?.status)) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the exact replay → ${replay.response!.status} again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: `the replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/orders', summary: 'POST /api/orders json quantity=0 (quantity below minimum 1) → 201: the server accepted data its own contract forbids' },
});
