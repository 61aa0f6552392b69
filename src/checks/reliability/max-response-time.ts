// src/checks/reliability/max-response-time.ts — an operation is slow: the median of several identical GET requests
// exceeds a threshold; the samples themselves are the proof, never a single measurement.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck } from '../kit/define.js';
import { percentile } from '../kit/compare.js';
import { all, methodIn, pathParamsHaveExamples } from '../kit/guards.js';

/** A sample counts when a response came, or when the request timed out (which is slowness too). */
const measured = (x: Exchange): boolean => x.response !== undefined || x.error?.code === 'TIMEOUT';

export default defineCheck({
  id: 'max-response-time',
  family: 'reliability',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Slow response',
    description: 'The median response time of an operation, over several identical requests, is above the threshold.',
    severity: 'medium',
    cwe: 'CWE-400',
    remediation: 'Profile the operation (queries without an index, N+1 queries, synchronous calls to slow services), add pagination or caching, and set a latency budget in CI.',
    proves: 'Every sample is cited: the p50 of `samples` identical requests (time to the last body byte) exceeds `thresholdMs`.',
  },
  options: z.strictObject({
    /** Identical requests sent one after another. Default 5; at least 2 (never a single measurement). */
    samples: z.number().int().min(2).max(50).default(5),
    /** The p50 above which the operation is reported, ms. Default 1000. */
    thresholdMs: z.number().positive().default(1000),
  }),
  appliesTo: all(methodIn('GET'), pathParamsHaveExamples),
  async run(ctx) {
    const op = ctx.operation!;
    const { samples, thresholdMs } = ctx.options;
    // A hung request counts as one slow sample; it need not cost the engine's full timeout.
    const req = { ...buildRequest(op), timeoutMs: Math.max(5 * thresholdMs, 5_000) };
    const xs: Exchange[] = [];
    // Sequential on purpose: parallel samples would measure our own load.
    for (let i = 0; i < samples; i++) xs.push(await ctx.send(req));
    const ok = xs.filter(measured);
    if (ok.length < 2) return { status: 'inconclusive', reason: `only ${ok.length} of ${samples} requests got a response (${xs.find((x) => x.error)?.error?.message ?? 'no response'})` };
    const times = ok.map((x) => x.timing.totalMs);
    const p50 = Math.round(percentile(times, 50));
    const p95 = Math.round(percentile(times, 95));
    if (p50 <= thresholdMs) return { status: 'clean' };
    const statuses = [...new Set(ok.map((x) => x.response?.status ?? x.error?.code ?? '-'))].join('/');
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: op.method, path: op.path },
          url: ok[0]!.request.url,
          vulnClass: 'slow-p50',
          confidence: 'confirmed',
          proof: {
            summary: `p50 ${p50} ms, p95 ${p95} ms over ${ok.length} requests > ${thresholdMs} ms (${op.method} ${op.path} → ${statuses})`,
            exchangeIds: ok.map((x) => x.id),
            evidence: `samples (ms): ${times.map((t) => Math.round(t)).join(', ')}`,
          },
          data: { p50, p95, samples: times },
        },
      ],
    };
  },
  example: { url: 'http://127.0.0.1:8080/api/reports/sales', summary: 'p50 1503 ms, p95 1520 ms over 5 requests > 1000 ms (GET /api/reports/sales → 200)' },
});
