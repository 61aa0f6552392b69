// src/checks/conformance/status-code-conformance.ts — the operation answers a status code its OpenAPI document does
// not declare (no exact code, no `4XX` range, no `default`); proof is the response and an exact replay.
import { z } from 'zod';
import type { Operation, SendRequest } from '../../core/index.js';
import { generateCases, requestFromValues, DEFAULT_SEED } from '../../generate/index.js';
import { defineCheck } from '../kit/define.js';
import { excerpt } from '../kit/compare.js';
import { safeMethodOrNotSafeMode, all } from '../kit/guards.js';

/** Whether `status` is declared: exact code, range (`4XX`) or `default`. */
export function declared(op: Operation, status: number): boolean {
  const r = op.responses ?? {};
  const s = String(status);
  return s in r || `${s[0]}XX` in r || `${s[0]}xx` in r || 'default' in r;
}

const hasDeclaredResponses = (op: Operation): string | undefined => (op.sources.includes('spec') && Object.keys(op.responses ?? {}).length > 0 ? undefined : 'no responses declared in a spec');

export default defineCheck({
  id: 'status-code-conformance',
  family: 'conformance',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Undocumented status code',
    description: 'The operation answers a status code that its OpenAPI document does not declare, so clients generated from the spec do not handle it.',
    severity: 'low',
    cwe: 'CWE-1068',
    remediation: 'Declare every status the operation can answer (including 400, 401, 404 and 500 where they occur), or stop answering the undeclared one.',
    proves: 'The exact request that got the undeclared status is replayed and gets the same status again.',
  },
  options: z.strictObject({
    /** Generated requests sent (spec example first, then negative and positive cases). Default 6. */
    cases: z.number().int().min(1).max(50).default(6),
    /** Statuses never reported (rate limiting and maintenance are not the operation's contract). */
    ignore: z.array(z.number().int()).default([429, 503]),
  }),
  appliesTo: all(hasDeclaredResponses, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const set = generateCases(op, { seed: ctx.seed ?? DEFAULT_SEED, count: 2, negatives: 3, ...(ctx.surface.spec ? { specVersion: ctx.surface.spec.version } : {}), phases: ['example', 'negative', 'positive'] });
    const cases = set.cases.length ? set.cases.slice(0, ctx.options.cases) : [{ phase: 'example' as const, label: 'sample values', values: {} }];
    const seen = new Set<number>();
    for (const c of cases) {
      const req = requestFromValues(op, c.values);
      const x = await ctx.send(req);
      const status = x.response?.status;
      if (status === undefined || seen.has(status) || ctx.options.ignore.includes(status) || declared(op, status)) continue;
      seen.add(status);
      const documented = Object.keys(op.responses ?? {}).join(', ');
      return {
        status: 'found',
        candidates: [
          {
            operation: { method: op.method, path: op.path },
            url: x.request.url,
            vulnClass: `undeclared-status:${status}`,
            confidence: 'tentative',
            proof: {
              summary: `${op.method} ${op.path} (${c.label}) → ${status}, which the spec does not declare (declared: ${documented})`,
              exchangeIds: [x.id],
              evidence: `HTTP ${status}${x.response?.body ? `: ${excerpt(x.response.body, 160)}` : ''}`,
            },
            data: { request: req, status },
          },
        ],
      };
    }
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const { request, status } = (candidate.data ?? {}) as { request?: SendRequest; status?: number };
    if (!request) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const replay = await ctx.send(request);
    if (replay.response?.status === status) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the exact replay → ${status} again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: `flaky: the replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/products/abc', summary: 'GET /api/products/{id} (spec example) → 500, which the spec does not declare (declared: 200, 400, 404); the exact replay → 500 again' },
});
