// src/checks/reliability/not-a-server-error.ts — the server answers 5xx to the unmodified request or to an edge-case
// value (empty, huge, negative, overflowing, wrong type, control characters); proof is an exact replay that fails again.
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { buildRequest, injectionPoints, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { describeJson, describeValue, excerpt, isServerError, pointSchema, schemaType, withJsonField } from '../kit/compare.js';
import { safeMethodOrNotSafeMode } from '../kit/guards.js';
import { DEFAULT_SEED, generateCases, isWorkSize, requestFromValues, shrinkFailure } from '../../generate/index.js';

/** One edge case: `value` goes through `buildRequest` (a string), `json` is raw JSON text for JSON body fields. */
export interface EdgeCase {
  label: string;
  value?: string;
  json?: string;
}

const LONG = 'A'.repeat(10_000);
const BIG = '99999999999999999999';

/** Edge cases for a point, by its declared type, shortest first (so the first failure is the minimal one). */
export function edgeCases(type: string | undefined, location: InjectionPoint['location']): EdgeCase[] {
  const s = (label: string, value: string): EdgeCase => ({ label, value });
  const j = (label: string, json: string): EdgeCase => ({ label, json });
  let cases: EdgeCase[];
  if (location === 'json') {
    if (type === 'integer' || type === 'number') cases = [j('zero', '0'), j('negative', '-1'), j('null', 'null'), j('wrong type', '"abc"'), j('fraction', '1.5'), j('overflow', BIG), j('empty string', '""'), j('array', '[]')];
    else if (type === 'boolean') cases = [j('null', 'null'), j('wrong type', '"abc"'), j('number', '0'), j('object', '{}')];
    else if (type === 'array') cases = [j('empty array', '[]'), j('null', 'null'), j('wrong type', '"abc"'), j('array of null', '[null]')];
    else if (type === 'object') cases = [j('empty object', '{}'), j('null', 'null'), j('wrong type', '"abc"'), j('array', '[]')];
    else cases = [j('empty string', '""'), j('null', 'null'), j('wrong type', '123'), j('object', '{}'), j('control characters', '"\\u0000\\ud800"'), j('long string', JSON.stringify(LONG))];
  } else if (type === 'integer' || type === 'number') {
    cases = [s('empty', ''), s('zero', '0'), s('negative', '-1'), s('not a number', 'abc'), s('fraction', '1.5'), s('overflow', BIG), s('long string', LONG)];
  } else if (type === 'boolean') {
    cases = [s('empty', ''), s('not a boolean', 'abc'), s('number', '2')];
  } else {
    // Strings and undeclared types: lone surrogates cannot be percent-encoded, so outside JSON send NUL and a BOM.
    cases = [s('empty', ''), s('zero', '0'), s('negative', '-1'), s('control characters', '\u0000\ufeff'), s('not a number', 'abc'), s('overflow', BIG), s('long string', LONG)];
  }
  return [...cases].sort((a, b) => (a.json ?? a.value ?? '').length - (b.json ?? b.value ?? '').length);
}

function requestFor(op: Operation, point: InjectionPoint, c: EdgeCase): SendRequest | undefined {
  try {
    if (c.json !== undefined) return withJsonField(buildRequest(op), point.name, c.json);
    return buildRequest(op, point, c.value ?? '');
  } catch {
    return undefined; // a value that cannot be encoded for this location (the case is skipped)
  }
}

const sent = (c: EdgeCase): string => c.json ?? c.value ?? '';
const answer = (x: Exchange): string => `${x.response?.status ?? '-'}${x.response?.body ? ` ${JSON.stringify(excerpt(x.response.body, 80))}` : ''}`;

export default defineCheck({
  id: 'not-a-server-error',
  family: 'reliability',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Server error (5xx)',
    description: 'The operation answers a 5xx to its ordinary request or to an edge-case value, instead of a result or a 4xx.',
    severity: 'medium',
    cwe: 'CWE-754',
    remediation: 'Validate input at the boundary and answer 4xx for values the operation cannot handle; catch and log unexpected errors without leaking them.',
    proves: 'The exact request that got a 5xx is replayed and gets a 5xx again; a failure that does not reproduce stays tentative as flaky.',
  },
  options: z.strictObject({
    /** Edge cases tried per injection point, shortest first. Default 8 (the most any type has). */
    attempts: z.number().int().min(1).max(8).default(8),
    /** Generated requests (half negative, half random valid; see docs/generation.md) tried when no edge case failed. Default 10. */
    generated: z.number().int().min(0).max(1000).default(10),
    /** Requests spent shrinking a failing generated request. Default 30. */
    shrinkSteps: z.number().int().min(0).max(500).default(30),
  }),
  appliesTo: safeMethodOrNotSafeMode,
  async run(ctx) {
    const op = ctx.operation!;
    const baseReq = buildRequest(op);
    const base = await ctx.send(baseReq);
    if (!base.response) return { status: 'inconclusive', reason: `the unmodified request failed: ${base.error?.message ?? 'no response'}` };
    const candidate = (x: Exchange, req: SendRequest, parameter: string | undefined, what: string, payload?: string): CandidateInput => ({
      operation: { method: op.method, path: op.path },
      url: x.request.url,
      ...(parameter !== undefined ? { parameter } : {}),
      vulnClass: `5xx:${x.response!.status}`,
      confidence: 'tentative',
      proof: {
        summary: `${what} → ${answer(x)}`,
        exchangeIds: [x.id],
        evidence: `HTTP ${x.response!.status}${x.response!.body ? `: ${excerpt(x.response!.body, 200)}` : ''}`,
        ...(payload !== undefined ? { payload } : {}),
      },
      data: { request: req },
    });
    // The ordinary request failing is the finding; mutating a request that already fails proves nothing more.
    if (isServerError(base.response.status)) return { status: 'found', candidates: [candidate(base, baseReq, undefined, `${op.method} ${op.path} with sample values`)] };

    const candidates: CandidateInput[] = [];
    for (const point of injectionPoints(op)) {
      // Do no harm: an overflowing number in a work-size parameter (`depth`, `count`…) is a denial of service.
      const all = edgeCases(schemaType(pointSchema(op, point)), point.location);
      const cases = (isWorkSize(point.name) ? all.filter((c) => c.label !== 'overflow') : all).slice(0, ctx.options.attempts);
      for (const c of cases) {
        const req = requestFor(op, point, c);
        if (!req) continue;
        const x = await ctx.send(req);
        if (!isServerError(x.response?.status)) continue;
        candidates.push(candidate(x, req, `${point.location}:${point.name}`, `${point.location} ${point.name}=${c.json !== undefined ? describeJson(c.json) : describeValue(sent(c))} (${c.label})`, sent(c)));
        break;
      }
    }
    if (!candidates.length && ctx.options.generated > 0) {
      const half = Math.ceil(ctx.options.generated / 2);
      const set = generateCases(op, { seed: ctx.seed ?? DEFAULT_SEED, count: half, negatives: ctx.options.generated - half, phases: ['negative', 'positive'], ...(ctx.surface.spec ? { specVersion: ctx.surface.spec.version } : {}) });
      for (const c of set.cases.slice(0, ctx.options.generated)) {
        let x = await ctx.send(requestFromValues(op, c.values));
        if (!isServerError(x.response?.status)) continue;
        let values = c.values;
        let shrunkBy = '';
        if (c.phase === 'positive' && set.arbitrary && ctx.options.shrinkSteps > 0) {
          let smallest = x;
          const shrunk = await shrinkFailure(set.arbitrary, set.seed, c.values, async (v) => {
            const y = await ctx.send(requestFromValues(op, v));
            if (isServerError(y.response?.status)) smallest = y;
            return isServerError(y.response?.status);
          }, { maxSteps: ctx.options.shrinkSteps });
          if (shrunk) {
            values = shrunk.value;
            shrunkBy = `, shrunk in ${shrunk.steps} requests`;
            const req = requestFromValues(op, values);
            x = smallest.request.url === ctx.url(req.url) && smallest.request.body === req.body ? smallest : await ctx.send(req);
            if (!isServerError(x.response?.status)) continue;
          }
        }
        const req = requestFromValues(op, values);
        const what = `${op.method} ${op.path} with generated data (${c.phase}: ${c.label}${shrunkBy}) ${JSON.stringify(values)}`;
        candidates.push(candidate(x, req, c.breaks ? `json:${c.breaks.path.replace(/^body\./, '')}` : undefined, what.length > 300 ? `${what.slice(0, 297)}…` : what, JSON.stringify(values)));
        break;
      }
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const req = (candidate.data as { request?: SendRequest } | undefined)?.request;
    if (!req) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const replay = await ctx.send(req);
    if (isServerError(replay.response?.status)) {
      return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the exact replay → ${replay.response!.status} again` };
    }
    return { confirmed: false, exchangeIds: [replay.id], reason: `flaky: not reproduced (the replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'})` };
  },
  example: { url: 'http://127.0.0.1:8080/api/products?limit=-1', summary: 'query limit="-1" (negative) → 500 "TypeError: Cannot read properties of undefined"; the exact replay → 500 again' },
});
