// src/checks/reliability/target-outage.ts — the target stopped answering during the scan (the engine's outage records):
// an availability finding at the request sent just before, confirmed outside safe mode by one guarded replay.
import { z } from 'zod';
import type { Exchange, HeaderList, Operation, Outage, SendRequest, Surface } from '../../core/index.js';
import { isVouchError } from '../../core/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';

/** Headers the engine sets itself on the replay (fresh credentials, cookies, framing). */
const OWN = new Set(['authorization', 'cookie', 'user-agent', 'host', 'content-length', 'transfer-encoding', 'connection']);

/** The request of an exchange as it can be sent again through `ctx.send`. */
export function replayOf(x: Exchange): SendRequest {
  const headers: HeaderList = x.request.headers.filter(([k]) => !OWN.has(k.toLowerCase()));
  const body = x.request.body === undefined ? undefined : x.request.bodyEncoding === 'base64' ? Buffer.from(x.request.body, 'base64') : x.request.body;
  return { method: x.request.method, url: x.request.url, headers, ...(body !== undefined ? { body } : {}) };
}

/** The surface operation an exchange exercised (method and path template; a GraphQL field named in the body wins). */
export function operationOf(surface: Surface, x: Exchange): Pick<Operation, 'method' | 'path'> {
  const url = new URL(x.request.url);
  const matches = surface.operations.filter((o) => o.method === x.request.method && templateRegex(o.path).test(url.pathname));
  const body = x.request.bodyEncoding === 'base64' ? '' : (x.request.body ?? '');
  const op = matches.find((o) => o.graphql && body.includes(o.graphql.field)) ?? matches.find((o) => !o.graphql) ?? matches[0];
  return op ? { method: op.method, path: op.path } : { method: x.request.method, path: url.pathname };
}

const templateRegex = (path: string): RegExp => new RegExp(`^${path.split(/\{[^}]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}/?$`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const what = (x: Exchange | undefined): string => (x?.response ? String(x.response.status) : (x?.error?.code ?? 'no response'));

function candidateOf(o: Outage, byId: Map<string, Exchange>, surface: Surface): CandidateInput | undefined {
  const suspect = byId.get(o.suspects[0] ?? '');
  if (!suspect) return undefined;
  const op = operationOf(surface, suspect);
  const lastProbe = byId.get(o.probes.at(-1) ?? '');
  const down = o.recovered && o.endedAt !== undefined ? `answered again ${seconds(o.endedAt - o.startedAt)} later (recovery probe ${lastProbe?.id ?? '?'} → ${what(lastProbe)})` : `did not answer again (${o.probes.length} probes, last → ${what(lastProbe)})`;
  const others = o.suspects.slice(1).map((id) => byId.get(id)).filter((x): x is Exchange => x !== undefined);
  return {
    operation: op,
    url: suspect.request.url,
    vulnClass: 'unavailable',
    confidence: 'tentative',
    proof: {
      summary: `${suspect.request.method} ${suspect.request.url} (exchange ${suspect.id}) was the last request before the target stopped answering: it got ${what(suspect)} after ${seconds(suspect.timing.totalMs)}; the target ${down}`,
      exchangeIds: [suspect.id, ...others.map((x) => x.id), ...(o.probes[0] ? [o.probes[0]] : []), ...(lastProbe && lastProbe.id !== o.probes[0] ? [lastProbe.id] : [])],
      evidence: `${o.id}: first failed request sent at ${new Date(o.startedAt).toISOString()}, sending paused at ${new Date(o.detectedAt).toISOString()}${o.endedAt !== undefined ? `, answered again at ${new Date(o.endedAt).toISOString()} (recovery ${seconds(o.endedAt - o.startedAt)})` : ''}; ${o.failed.length} request(s) failed, ${o.retried.length} sent again after recovery${others.length ? `; also sent just before: ${others.map((x) => `${x.request.method} ${x.request.url} (${x.id})`).join(', ')}` : ''}`,
    },
    data: { outage: o.id, recovered: o.recovered, identity: suspect.identity, request: replayOf(suspect) },
  };
}

export default defineCheck({
  id: 'target-outage',
  family: 'reliability',
  kind: 'passive',
  scope: 'target',
  meta: {
    title: 'A request brought the target down',
    description: 'The target stopped answering in the middle of the scan (connection refused or reset, timeouts, and a probe of a known-good request failed too) right after a request: that request may crash or hang the service.',
    severity: 'high',
    cwe: 'CWE-400',
    remediation: 'Replay the request in the proof against a test deployment and read the service log: bound the work one request can cause (timeouts, input limits), catch the error that kills the worker, and add a readiness check.',
    proves: 'Outside safe mode the suspect request is replayed once, after the target recovered: it stops answering again → confirmed, and vouch waits for it to recover once more. In safe mode, or when it never recovered, the finding stays tentative.',
  },
  options: z.strictObject({}),
  async run(ctx) {
    const outages = ctx.outages();
    if (!outages.length) return { status: 'clean' };
    const byId = new Map(ctx.recorded().map((x) => [x.id, x]));
    const candidates = outages.map((o) => candidateOf(o, byId, ctx.surface)).filter((c): c is CandidateInput => c !== undefined);
    if (!candidates.length) return { status: 'inconclusive', reason: `${outages.length} outage(s) recorded, but the requests sent before them are no longer kept (recording mode)` };
    return { status: 'found', candidates };
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { outage?: string; recovered?: boolean; identity?: string; request?: SendRequest } | undefined;
    if (ctx.safeMode) return { confirmed: false, exchangeIds: [], reason: 'safe mode: the suspect request is not replayed, as it may bring the target down again' };
    if (!data?.request || !data.recovered) return { confirmed: false, exchangeIds: [], reason: 'the target did not answer again, so the request was not replayed' };
    const before = ctx.outages().length;
    const sentAt = Date.now();
    const sent: Exchange[] = [];
    try {
      const replay = await ctx.send({ ...data.request, ...(data.identity ? { identity: data.identity } : {}) });
      sent.push(replay);
      // A target that answers the replay and hangs right after shows on the next request: one GET of the target.
      if (replay.response) sent.push(await ctx.send({ method: 'GET', url: ctx.target.url, identity: 'anonymous' }));
    } catch (e) {
      // The replay brought it down for good: the engine's record of that outage is the proof.
      if (!isVouchError(e) || e.code !== 'VOUCH_TARGET_UNAVAILABLE') throw e;
    }
    const again = ctx.outages().slice(before).find((o) => o.startedAt >= sentAt);
    const replayId = sent[0]?.id ?? again?.suspects[0] ?? '?';
    const ids = [...new Set([...sent.map((x) => x.id), ...(again ? [...again.suspects.slice(0, 1), ...again.probes.slice(0, 1)] : [])])];
    if (!again) return { confirmed: false, exchangeIds: ids, reason: `the replay (exchange ${replayId} → ${what(sent[0])}) did not bring the target down: another request sent at the same time may be the cause` };
    const recovery = again.recovered && again.endedAt !== undefined ? `it answered again after ${seconds(again.endedAt - again.startedAt)}` : 'it did not answer again';
    return { confirmed: true, exchangeIds: ids, summary: `${candidate.proof.summary}; the replay (exchange ${replayId}) brought it down again (${again.id}); ${recovery}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/import', summary: 'POST http://127.0.0.1:8080/api/import (exchange x000042) was the last request before the target stopped answering: it got TIMEOUT after 15.0 s; the target answered again 21.3 s later; the replay brought it down again (outage-2)' },
});
