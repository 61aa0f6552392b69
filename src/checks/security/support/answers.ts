// src/checks/security/support/answers.ts — whether two answers show the same thing (status, body, list size), and
// the error-signature probe shared by the query-language injection checks (a breaker errors, its balanced twin not).
import type { Exchange, Operation, SendRequest } from '../../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../../inject/index.js';
import type { CandidateInput, CheckContext, CheckResult, Confirmation } from '../../kit/define.js';
import { jsonBody, listItems, similarBodies } from '../../kit/compare.js';
import { textBody } from './exchanges.js';
import { replaySettled, unsettled, type Answered } from './settle.js';
import { Tally, watched } from './tally.js';

/** Methods that only read: the only ones a condition that widens a match (or-ed, a wildcard) is sent to. */
export const READS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export const bodyOf = (x: Exchange): string => textBody(x.response);

/** The number of items of a JSON list answer, when it is one. */
function itemCount(x: Exchange): number | undefined {
  const body = jsonBody(x);
  return body ? listItems(body.value)?.length : undefined;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A body with the value sent removed where it is reflected (raw, URL-, JSON- or HTML-encoded). */
export function unreflected(x: Exchange, sent: string | undefined): string {
  const body = bodyOf(x);
  if (!sent) return body;
  const forms = [sent, encodeURIComponent(sent), JSON.stringify(sent).slice(1, -1), sent.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)];
  return forms.filter((f) => f.length > 0).reduce((text, f) => text.split(f).join(''), body);
}

/**
 * Same status, bodies at least 95% similar and, for JSON lists, as many items (a wider result is another answer).
 * `sentA`/`sentB`: the payloads each request carried, removed where reflected, so an echo proves nothing (never
 * the original value: it may be in the answer by right, a name found by a search).
 */
export function sameAnswer(a: Exchange, b: Exchange, sentA?: string, sentB?: string): boolean {
  if (!a.response || !b.response || a.response.status !== b.response.status) return false;
  if (!similarBodies(unreflected(a, sentA), unreflected(b, sentB), 0.95).similar) return false;
  return itemCount(a) === itemCount(b);
}

/** How two answers differ, for proof summaries. */
export function howDiffer(a: Exchange, b: Exchange): string {
  const sa = a.response?.status ?? '-';
  const sb = b.response?.status ?? '-';
  const [na, nb] = [itemCount(a), itemCount(b)];
  if (na !== undefined && nb !== undefined && na !== nb) return `${sa} with ${na} items vs ${sb} with ${nb}`;
  return `${sa} (${bodyOf(a).length} bytes) vs ${sb} (${bodyOf(b).length} bytes), ${similarBodies(bodyOf(a), bodyOf(b)).why}`;
}

/** An error probe: the breaker value and its balanced control (same characters, valid syntax). */
export interface ErrorProbe {
  breaker: string;
  control: string;
}

export interface ErrorHit {
  probe: ErrorProbe;
  x: Exchange;
  control: Exchange;
  match: string;
}

/**
 * Sends each breaker; one whose answer shows `signature` (absent from the original answer) is a hit only when its
 * balanced control does not show it. Undefined when no breaker errors that way.
 */
export async function errorProbe(
  send: (r: SendRequest) => Promise<Exchange>,
  probes: readonly ErrorProbe[],
  request: (value: string) => SendRequest,
  signature: (text: string) => string | undefined,
): Promise<ErrorHit | undefined> {
  for (const probe of probes) {
    const x = await send(request(probe.breaker));
    const match = signature(bodyOf(x));
    if (!match) continue;
    const control = await send(request(probe.control));
    if (!signature(bodyOf(control))) return { probe, x, control, match };
  }
  return undefined;
}

/**
 * `replaySettled`, except for an operation whose original value is answered with a steady server error (an app
 * that says "not found" with a 500): then the original request must answer with that status again right before
 * the replay, since it never gets a "real" answer to settle on.
 */
export async function replayAgainst<T extends { exchangeIds: string[] }>(
  send: (r: SendRequest) => Promise<Exchange>,
  original: () => SendRequest,
  baselineStatus: number | undefined,
  replay: (baseline: Exchange) => Promise<T>,
  answered: (result: T) => boolean,
): Promise<{ result?: T; reason?: string; exchangeIds: string[] }> {
  if (baselineStatus === undefined || baselineStatus < 500 || baselineStatus === 503) {
    const run = await replaySettled(send, original, replay, answered);
    return { ...(run.result ? { result: run.result } : { reason: unsettled(run.settled) }), exchangeIds: run.exchangeIds };
  }
  const baseline = await send(original());
  const got = baseline.response?.status;
  if (got !== baselineStatus) return { reason: `the original request answered ${got ?? 'nothing'} right before the replay, not ${baselineStatus} as when probed`, exchangeIds: [baseline.id] };
  const result = await replay(baseline);
  return { result, exchangeIds: [baseline.id, ...result.exchangeIds] };
}

/**
 * A tentative candidate for one injection point. `xs` are the exchanges that show it, the original request's last:
 * its status goes into `data.baselineStatus` for `replayAgainst`.
 */
export function pointCandidate(op: Operation, point: InjectionPoint, vulnClass: string, xs: Exchange[], summary: string, evidence: string, data: Omit<PointData, 'point' | 'baselineStatus'>): CandidateInput {
  const status = xs.at(-1)?.response?.status;
  return {
    operation: { method: op.method, path: op.path },
    url: xs[0]!.request.url,
    parameter: pointLabel(point),
    vulnClass,
    confidence: 'tentative',
    proof: { summary: `${point.location} ${point.name}: ${summary}`, exchangeIds: xs.map((x) => x.id), evidence, payload: data.payload },
    data: { point, ...data, ...(status !== undefined ? { baselineStatus: status } : {}) },
  };
}

type Send = (r: SendRequest) => Promise<Exchange>;

/**
 * The run of a per-point injection check: the original request (it must answer, and without the error signature
 * already), then `probe` on every injection point; clean or inconclusive by the tally when nothing is found.
 */
export async function probePoints(
  ctx: CheckContext<unknown>,
  language: string,
  signature: (text: string) => string | undefined,
  probe: (c: CheckContext<unknown>, op: Operation, point: InjectionPoint, baseline: Exchange) => Promise<CandidateInput | undefined>,
): Promise<CheckResult> {
  const op = ctx.operation!;
  const baseline = await ctx.send(buildRequest(op));
  if (!baseline.response) return { status: 'inconclusive', reason: `the unmodified request failed: ${baseline.error?.message ?? 'no response'}` };
  if (signature(bodyOf(baseline))) return { status: 'inconclusive', reason: `the unmodified request already shows ${language} error` };
  const tally = new Tally();
  const c = watched(ctx, (x) => tally.note(x));
  const candidates: CandidateInput[] = [];
  for (const point of injectionPoints(op, { inline: true })) {
    const found = await probe(c, op, point, baseline);
    if (found) candidates.push(found);
  }
  return candidates.length ? { status: 'found', candidates } : tally.result();
}

/** Replays an error probe: the breaker must show the signature again, its control must not. */
export async function replayError(send: Send, op: Operation, point: InjectionPoint, probe: ErrorProbe, signature: (text: string) => string | undefined, summary: string, language: string): Promise<Answered> {
  const replay = await send(buildRequest(op, point, probe.breaker));
  const control = await send(buildRequest(op, point, probe.control));
  const [re, ce] = [signature(bodyOf(replay)), signature(bodyOf(control))];
  const exchangeIds = [replay.id, control.id];
  const answered = Boolean(re) || (replay.response !== undefined && control.response !== undefined);
  if (re && !ce) return { confirmed: true, exchangeIds, answered, summary: `${summary}; the replay errors again, the control does not` };
  const got = replay.response?.status ?? replay.error?.message ?? 'no response';
  return { confirmed: false, exchangeIds, answered, reason: re ? `the control shows the ${language} error too` : `the replay showed no ${language} error (${got})` };
}

/** Two more rounds of a condition pair with fresh values; each must show the difference again. */
export async function replayRounds(round: () => Promise<{ ok: boolean; xs: Exchange[]; why: string }>, summary: string): Promise<Answered> {
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await round();
    ids.push(...r.xs.map((x) => x.id));
    if (!r.ok) return { confirmed: false, exchangeIds: ids, reason: `round ${i + 1} with fresh values: ${r.why}`, answered: !r.why.startsWith('no real answer') };
  }
  return { confirmed: true, exchangeIds: ids, answered: true, summary: `${summary}; the same difference twice more with fresh values` };
}

/** A per-point candidate's confirmation: `replayOnce` against the original request re-established. */
export async function confirmPoint(
  candidate: Pick<CandidateInput, 'data' | 'proof'>,
  ctx: Pick<CheckContext<unknown>, 'operation' | 'send'>,
  replayOnce: (send: Send, op: Operation, data: PointData, baseline: Exchange) => Promise<Answered>,
): Promise<Confirmation> {
  const op = ctx.operation;
  const data = candidate.data as PointData | undefined;
  if (!op || !data?.point) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
  const send: Send = (r) => ctx.send(r);
  const run = await replayAgainst(send, () => buildRequest(op), data.baselineStatus, (b) => replayOnce(send, op, data, b), (r) => r.answered);
  if (!run.result) return { confirmed: false, exchangeIds: run.exchangeIds, reason: run.reason ?? 'no replay' };
  const { answered: _answered, ...confirmation } = run.result;
  return { ...confirmation, exchangeIds: run.exchangeIds };
}

/** What a per-point candidate carries for its confirmation. */
export interface PointData {
  technique: 'error' | 'boolean';
  point: InjectionPoint;
  payload: string;
  index: number;
  /** How the original value was answered when probed. */
  baselineStatus?: number;
}

/**
 * Whether the original request, sent again after a condition pair showed a difference, still answers like the
 * reference: a page that changes by itself (a guestbook that grows with every post) proves nothing.
 */
export async function steady(send: Send, op: Operation, baseline: Exchange): Promise<boolean> {
  return sameAnswer(await send(buildRequest(op)), baseline);
}
