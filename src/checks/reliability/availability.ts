// src/checks/reliability/availability.ts — health probes of the target spread over the scan (first, while other
// tasks run, and last): the target went down under test. Outages the engine waited out are target-outage's.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { defineCheck } from '../kit/define.js';
import { isServerError } from '../kit/compare.js';

const down = (x: Exchange): boolean => !x.response || isServerError(x.response.status);
const what = (x: Exchange): string => (x.response ? String(x.response.status) : (x.error?.code ?? 'no response'));
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

export default defineCheck({
  id: 'availability',
  family: 'reliability',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Target became unavailable during the scan',
    description: 'A health probe that answered before stops answering (connection refused, timeout, 5xx) while vouch exercises the target: the deployment cannot take ordinary test traffic.',
    severity: 'high',
    cwe: 'CWE-400',
    remediation: 'Find what brought it down (crash log, memory, connection pool, an unhandled input from the audit log around the failed probe) and add a readiness check to the deployment.',
    proves: 'A probe that first answered 2xx/3xx/4xx later fails, and a confirmation probe fails too; a failure that recovers stays tentative as flaky.',
  },
  options: z.strictObject({
    /** Path of the health probe. Default `/`. */
    path: z.string().startsWith('/').default('/'),
    /** Probes sent, spread over the scan. Default 5. */
    probes: z.number().int().min(2).max(50).default(5),
    /** Pause between probes, ms. Default 400. */
    intervalMs: z.number().int().min(0).max(60_000).default(400),
  }),
  async run(ctx) {
    const probe = (): Promise<Exchange> => ctx.send({ method: 'GET', url: ctx.options.path });
    const xs: Exchange[] = [await probe()];
    if (down(xs[0]!)) return { status: 'inconclusive', reason: `the health probe GET ${ctx.options.path} failed before anything else (${what(xs[0]!)}): not a baseline to judge availability by` };
    for (let i = 1; i < ctx.options.probes && !ctx.signal.aborted; i++) {
      await sleep(ctx.options.intervalMs, ctx.signal);
      xs.push(await probe());
    }
    // Connection failures of other requests are not counted here: one operation's reset is its own problem, and a
    // target that stopped answering is recorded by the engine as an outage (the target-outage check).
    const failed = xs.find(down);
    if (!failed) return { status: 'clean' };
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: 'GET', path: ctx.options.path },
          url: ctx.url(ctx.options.path),
          vulnClass: 'unavailable',
          confidence: 'tentative',
          proof: {
            summary: `GET ${ctx.options.path} answered ${what(xs[0]!)} first, then probe ${xs.indexOf(failed) + 1}/${xs.length} → ${what(failed)}`,
            exchangeIds: [failed.id, xs[0]!.id],
            evidence: `probes: ${xs.map(what).join(', ')}`,
          },
        },
      ],
    };
  },
  async confirm(candidate, ctx) {
    const again = await ctx.send({ method: 'GET', url: candidate.operation.path });
    if (down(again)) return { confirmed: true, exchangeIds: [again.id], summary: `${candidate.proof.summary}; a confirmation probe → ${what(again)}` };
    return { confirmed: false, exchangeIds: [again.id], reason: `flaky: the target recovered (confirmation probe → ${what(again)})` };
  },
  example: { url: 'http://127.0.0.1:8080/', summary: 'GET / answered 200 first, then probe 4/5 → ECONNREFUSED; a confirmation probe → ECONNREFUSED' },
});
