// src/checks/conformance/shadow-endpoint.ts — active: a route discovery found only by probing (in no spec, page or
// script) answers 2xx; proof is that answer, a random sibling path answering "not found" (no catch-all) and a replay.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { defineCheck } from '../kit/define.js';
import { excerpt, isSuccess, similarBodies } from '../kit/compare.js';
import { nonce } from '../security/support/exchanges.js';

const bodyOf = (x: Exchange): string => (x.response && x.response.bodyEncoding !== 'base64' ? x.response.body : '');
const typeOf = (x: Exchange): string => x.response?.headers.find(([k]) => k === 'content-type')?.[1]?.split(';')[0]?.trim() ?? 'no content type';
/** A random path beside the route: a catch-all answers it like the route, a real router does not. */
const siblingOf = (path: string): string => `${path.slice(0, path.lastIndexOf('/'))}/vouch-${nonce()}`;

/** The control shows the route is real when it is not a 2xx with a similar body. */
function controlSays(route: Exchange, control: Exchange): string | undefined {
  if (!isSuccess(control.response?.status)) return undefined;
  const same = similarBodies(bodyOf(route), bodyOf(control), 0.9);
  return same.similar ? `a random sibling path answers ${control.response!.status} with the same content (${same.why}): a catch-all, not a route` : undefined;
}

export default defineCheck({
  id: 'shadow-endpoint',
  family: 'conformance',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Undocumented (shadow) endpoint answers',
    description: "A route that is in no spec, page or script — found only by probing paths built from the application's own words and a few common ones — is live and answers 2xx.",
    severity: 'medium',
    cwe: 'CWE-1059',
    owasp: 'API9:2023 Improper Inventory Management',
    remediation: 'Remove the route, or document it in the spec with its authentication requirement; internal and debug routes belong behind a separate listener or an authenticated gateway.',
    proves: 'The route answers 2xx, a random sibling path under the same prefix does not answer the same (no catch-all), and a replay answers 2xx again.',
  },
  options: z.strictObject({}),
  appliesTo: (op) =>
    op.method !== 'GET' ? 'only GET routes are probed' : !op.sources.includes('shadow') || op.sources.includes('spec') ? 'in the spec, a page or a script (not a shadow route)' : undefined,
  async run(ctx) {
    const op = ctx.operation!;
    const route = await ctx.send({ method: 'GET', url: op.path });
    if (!route.response) return { status: 'inconclusive', reason: `GET ${op.path} failed: ${route.error?.message ?? 'no response'}` };
    if (!isSuccess(route.response.status)) return { status: 'clean' };
    const control = await ctx.send({ method: 'GET', url: siblingOf(op.path) });
    if (controlSays(route, control)) return { status: 'clean' };
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: op.method, path: op.path },
          url: route.request.url,
          vulnClass: 'shadow-endpoint',
          confidence: 'tentative',
          proof: {
            summary: `GET ${op.path} → ${route.response.status} (${typeOf(route)}, ${bodyOf(route).length} bytes) though it is in no spec, page or script; a random sibling path → ${control.response?.status ?? control.error?.code ?? 'nothing'}`,
            exchangeIds: [route.id, control.id],
            evidence: excerpt(bodyOf(route), 200),
          },
        },
      ],
    };
  },
  async confirm(candidate, ctx) {
    const path = candidate.operation.path;
    const replay = await ctx.send({ method: 'GET', url: path });
    const control = await ctx.send({ method: 'GET', url: siblingOf(path) });
    if (!isSuccess(replay.response?.status)) return { confirmed: false, exchangeIds: [replay.id], reason: `the replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'}` };
    const why = controlSays(replay, control);
    if (why) return { confirmed: false, exchangeIds: [replay.id, control.id], reason: why };
    return { confirmed: true, exchangeIds: [replay.id, control.id], summary: `${candidate.proof.summary}; replayed → ${replay.response!.status} again, another random sibling → ${control.response?.status ?? 'nothing'}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/internal/stats', summary: 'GET /api/internal/stats → 200 (application/json, 88 bytes) though it is in no spec, page or script; a random sibling path → 404' },
});
