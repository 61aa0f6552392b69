// src/checks/reliability/unbounded-work.ts — a numeric parameter that sets how much work one request does (`depth`,
// `count`, `limit`, `size`…) with no cap: a short ladder of values (1, 10, 100, 1 000, 10 000) whose answers grow in
// size or time with the value, never clamped or refused (API4:2023). The ladder stops at a time or size bound and
// never predicts its way past one, so the target is not knocked over.
import { z } from 'zod';
import type { Exchange, JsonSchema, Operation } from '../../core/index.js';
import { isWorkSize } from '../../generate/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint, type Mutation } from '../../inject/index.js';
import { isServerError, isSuccess, pointSchema, schemaType } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult, type Confirmation, type Strength } from '../kit/define.js';
import { leafName, withFormFields } from '../kit/fields.js';
import { all, type Guard } from '../kit/guards.js';
import { bodyBytes, median, ms, notUnderSafeMode, timedOut } from '../kit/ladder.js';

/** The ladder per strength: the first value is sent twice (the control and its repeat, to measure noise). */
export const LADDERS: Record<Strength, readonly number[]> = {
  low: [1, 10, 100, 1000],
  default: [1, 10, 100, 1000, 10_000],
  high: [1, 10, 100, 1000, 3000, 10_000],
};

interface Options {
  top: number;
  boundMs: number;
  maxBytes: number;
  proportion: number;
  minExtraBytes: number;
  minExtraMs: number;
  maxPoints: number;
}

type Ctx = CheckContext<Options>;

const NUMERIC = new Set(['integer', 'number']);
const IDENTIFIER = /(^id$|Id$|_id$|ID$|^uuid$)/;

/** The declared schema of a point; GraphQL variables are `variables.<arg>` body parameters. */
function schemaOf(op: Operation, point: InjectionPoint): JsonSchema | undefined {
  if (point.location === 'graphql') return op.params.find((p) => p.name === point.name)?.schema;
  return pointSchema(op, point);
}

/** A number the caller picks: declared integer/number (no enum), or undeclared with a numeric value. */
function numeric(op: Operation, point: InjectionPoint): boolean {
  const schema = schemaOf(op, point);
  if (Array.isArray(schema?.enum)) return false;
  const type = schemaType(schema);
  return type ? NUMERIC.has(type) : /^\d{1,6}$/.test(point.base);
}

/**
 * Points whose number may size the work: names that say so (`depth`, `count`, `limit`…) first, then other numbers the
 * spec gives no maximum (identifiers left out). Headers and cookies are not tried; path segments only when named so.
 */
export function workPoints(op: Operation): InjectionPoint[] {
  const named: InjectionPoint[] = [];
  const open: InjectionPoint[] = [];
  for (const p of injectionPoints(op)) {
    if (p.location === 'header' || p.location === 'cookie' || p.location === 'body' || !numeric(op, p)) continue;
    const leaf = leafName(p);
    if (isWorkSize(leaf)) named.push(p);
    else if (p.location !== 'path' && !IDENTIFIER.test(leaf) && typeof schemaOf(op, p)?.maximum !== 'number') open.push(p);
  }
  return [...named, ...open];
}

/** Reads only: a ladder of writes would create or change data at every rung (an order of 10 000 items). */
const readsOnly: Guard = (op) =>
  op.method === 'GET' || op.method === 'HEAD' || op.graphql?.kind === 'query' ? undefined : `${op.graphql ? 'a GraphQL mutation' : `method ${op.method}`}: a ladder of writes would create or change data at every rung`;

const hasWorkPoint: Guard = (op) => (workPoints(withFormFields(op)).length ? undefined : 'no numeric parameter that could size the work (depth, count, limit… or a number without a maximum)');

/** The values to climb for a point: the strength's ladder up to `top`, starting at the declared minimum. */
export function rungs(ladder: readonly number[], top: number, schema: JsonSchema | undefined): number[] {
  const min = typeof schema?.minimum === 'number' ? Math.max(1, Math.ceil(schema.minimum)) : 1;
  return [...new Set([Math.max(min, ladder[0] ?? 1), ...ladder.filter((v) => v > min && v <= top)])];
}

const mutation = (point: InjectionPoint, v: number): Mutation => (point.location === 'json' || point.location === 'graphql' ? { raw: v } : String(v));

/** One rung: the value and its answer. */
interface Rung {
  v: number;
  x: Exchange;
}

/** Why a climb ended. `done`: the last rung answered; `bound`: a rung crossed (or would cross) the bound. */
type End =
  | { kind: 'done' | 'bound' | 'failed'; why?: string }
  | { kind: 'refused' | 'stopped'; why: string };

interface Climb {
  /** The control value, sent twice. */
  first: number;
  controls: [Exchange, Exchange];
  rungs: Rung[];
  end: End;
}

const status = (x: Exchange): string => (x.response ? `HTTP ${x.response.status}` : `no answer (${x.error?.code ?? 'error'})`);

async function sendRung(ctx: Ctx, op: Operation, point: InjectionPoint, v: number): Promise<Exchange> {
  return ctx.send({ ...buildRequest(op, point, mutation(point, v)), timeoutMs: 3 * ctx.options.boundMs });
}

/** What the controls say: the smallest size and time, and how much two identical requests differ. */
function noise(controls: readonly Exchange[]): { bytes: number; ms: number; bytesNoise: number; msNoise: number } {
  const b = controls.map(bodyBytes);
  const t = controls.map(ms);
  return { bytes: Math.min(...b), ms: Math.min(...t), bytesNoise: Math.max(...b) - Math.min(...b), msNoise: Math.max(...t) - Math.min(...t) };
}

/** Climbs the ladder on one point; stops at the first refusal, failure or bound, or before a rung predicted past it. */
async function climb(ctx: Ctx, op: Operation, point: InjectionPoint, values: readonly number[]): Promise<Climb | { stopped: string }> {
  const o = ctx.options;
  const first = values[0]!;
  const c1 = await sendRung(ctx, op, point, first);
  const c2 = await sendRung(ctx, op, point, first);
  const bad = [c1, c2].find((x) => !isSuccess(x.response?.status));
  if (bad) return { stopped: `${pointLabel(point)}=${first} → ${status(bad)}` };
  const base = noise([c1, c2]);
  const out: Rung[] = [];
  for (const v of values.slice(1)) {
    const last = out[out.length - 1];
    if (last) {
      // The extra time over the controls grows linearly at least, or as fast as it grew on the last rung: no rung is
      // sent that should take past 3× the bound.
      const before = out[out.length - 2];
      const lastExtra = Math.max(0, ms(last.x) - base.ms);
      const grown = before ? Math.max(1, lastExtra) / Math.max(20, ms(before.x) - base.ms) : 1;
      const predicted = ms(last.x) + lastExtra * (Math.max(v / last.v, grown) - 1);
      if (ms(last.x) >= o.boundMs / 10 && predicted > 3 * o.boundMs) {
        return { first, controls: [c1, c2], rungs: out, end: { kind: 'bound', why: `${v} not sent: it would take about ${Math.round(predicted / 1000)} s` } };
      }
    }
    const x = await sendRung(ctx, op, point, v);
    if (timedOut(x)) return { first, controls: [c1, c2], rungs: out, end: { kind: 'bound', why: `${v} → no answer within ${3 * o.boundMs} ms` } };
    const code = x.response?.status;
    if (code === undefined || code === 429 || code === 503) return { first, controls: [c1, c2], rungs: out, end: { kind: 'stopped', why: `${v} → ${status(x)}` } };
    if (isServerError(code)) return { first, controls: [c1, c2], rungs: out, end: { kind: 'failed', why: `${v} → ${status(x)}` } };
    if (!isSuccess(code)) return { first, controls: [c1, c2], rungs: out, end: { kind: 'refused', why: `${v} → ${status(x)}` } };
    out.push({ v, x });
    if (ms(x) > o.boundMs || bodyBytes(x) > o.maxBytes || x.response?.truncated) {
      return { first, controls: [c1, c2], rungs: out, end: { kind: 'bound', why: `${v} → ${ms(x)} ms, ${bodyBytes(x)} bytes: over the bound, stopped` } };
    }
  }
  return { first, controls: [c1, c2], rungs: out, end: { kind: 'done' } };
}

type Measure = 'size' | 'time';

/** The part of an answer the value grows: body bytes or ms over the controls'. */
const extra = (m: Measure, x: Exchange, base: ReturnType<typeof noise>): number => (m === 'size' ? bodyBytes(x) - base.bytes : ms(x) - base.ms);

/** Below this an extra is noise: twice (size) or three times (time) what two identical requests differed by. */
const floor = (m: Measure, base: ReturnType<typeof noise>): number => (m === 'size' ? Math.max(2 * base.bytesNoise, 16) : Math.max(3 * base.msNoise, 20));

/**
 * How many rungs, ending at the last one, rose in a row: each over the noise floor and grown from the rung below by at
 * least `proportion` of the value's own growth (×10 in value → ×3 in extra at the default 0.3; never less than ×1.5).
 */
export function risingRun(m: Measure, rs: readonly Rung[], base: ReturnType<typeof noise>, proportion: number): number {
  const f = floor(m, base);
  let run = 0;
  rs.forEach((r, i) => {
    const e = extra(m, r.x, base);
    const below = rs[i - 1];
    const need = below ? Math.max(1.5, proportion * (r.v / below.v)) * extra(m, below.x, base) : 0;
    run = e > f ? (run > 0 && e >= need ? run + 1 : 1) : 0;
  });
  return run;
}

const unit = (m: Measure, n: number): string => (m === 'size' ? `${n} B` : `${n} ms`);

/** `1 → 12 B, 10 → 66 B, …`: each rung's value and measure. */
const series = (m: Measure, rs: readonly Rung[]): string => rs.map((r) => `${r.v} → ${unit(m, m === 'size' ? bodyBytes(r.x) : ms(r.x))}`).join(', ');

type Data = {
  point: InjectionPoint;
  measure: Measure;
  /** The control value, the rung below the top, the top. */
  values: [number, number, number];
  /** The top rung's extra over the controls when found. */
  extra: number;
};

/**
 * The measure that proves growth on this climb, if one does (size first: it is deterministic): three rungs rising in
 * size, or the fast controls and two rungs rising in time; never after a refusal.
 */
function proven(c: Climb, o: Options): Measure | undefined {
  if (c.end.kind === 'refused' || c.end.kind === 'stopped' || c.rungs.length < 3) return undefined;
  const base = noise(c.controls);
  const top = c.rungs[c.rungs.length - 1]!.x;
  if (risingRun('size', c.rungs, base, o.proportion) >= 3 && extra('size', top, base) >= o.minExtraBytes) return 'size';
  // Time under a bound rises over noise on fewer rungs (×1 000 in value is ×1 000 in time): the controls, then two.
  if (risingRun('time', c.rungs, base, o.proportion) >= 2 && extra('time', top, base) >= o.minExtraMs) return 'time';
  return undefined;
}

function candidate(op: Operation, point: InjectionPoint, c: Climb, m: Measure): CandidateInput {
  const base = noise(c.controls);
  const [below, top] = c.rungs.slice(-2) as [Rung, Rung];
  const first = c.rungs[0]!;
  const tail = c.end.why ? `; ${c.end.why}` : '';
  const data: Data = { point, measure: m, values: [c.first, below.v, top.v], extra: extra(m, top.x, base) };
  return {
    operation: { method: op.method, path: op.path },
    url: top.x.request.url,
    parameter: pointLabel(point),
    vulnClass: `unbounded-work:${m}`,
    confidence: 'tentative',
    proof: {
      summary: `${point.location} ${point.name}: the answer's ${m} grows with the value (${series(m, c.rungs)}; ${data.values[0]} → ${unit(m, m === 'size' ? base.bytes : base.ms)}), neither clamped nor refused${tail}`,
      exchangeIds: [top.x.id, below.x.id, first.x.id, ...c.controls.map((x) => x.id)],
      evidence: `+${unit(m, extra(m, first.x, base))} at ${first.v}, +${unit(m, extra(m, below.x, base))} at ${below.v}, +${unit(m, data.extra)} at ${top.v} over the control`,
      payload: `${point.name}=${top.v}`,
    },
    data,
  };
}

async function probe(ctx: Ctx): Promise<CheckResult> {
  const op = withFormFields(ctx.operation!);
  const o = ctx.options;
  const notes: string[] = [];
  const unproven: string[] = [];
  let judged = 0;
  for (const point of workPoints(op).slice(0, o.maxPoints)) {
    const vs = rungs(LADDERS[ctx.strength], o.top, schemaOf(op, point));
    if (vs.length < 4) {
      notes.push(`${pointLabel(point)}: its declared minimum leaves fewer than 4 values up to ${o.top}`);
      continue;
    }
    const c = await climb(ctx, op, point, vs);
    if ('stopped' in c) {
      notes.push(c.stopped);
      continue;
    }
    if (c.end.kind === 'stopped') {
      notes.push(`${pointLabel(point)}: ${c.end.why}`);
      continue;
    }
    judged++;
    const m = proven(c, o);
    if (m) return { status: 'found', candidates: [candidate(op, point, c, m)] }; // one point at a time: no more load once found
    // Stopped at the bound before three rungs could rise: the growth was neither proven nor ruled out.
    if (c.end.kind === 'bound' || c.end.kind === 'failed') unproven.push(`${pointLabel(point)}: ${series('time', c.rungs)}; ${c.end.why ?? 'stopped'}`);
  }
  if (!judged) return { status: 'inconclusive', reason: `no ladder got answers to judge by (${notes.join('; ') || 'no numeric parameter'})` };
  if (unproven.length) return { status: 'inconclusive', reason: `the ladder stopped at its bound before three rungs could show growth (${unproven.join('; ')})` };
  return { status: 'clean' };
}

/** Time rounds in a replay: load makes single answers slow now and then; growth makes the top rung slow every time. */
const TIME_ROUNDS = 3;

/** The control, the rung below the top and the top, once (size) or in rounds whose order turns about (time). */
async function replayRounds(ctx: Ctx, op: Operation, data: Data): Promise<{ control: Exchange; below: Exchange; top: Exchange }[]> {
  const out: { control: Exchange; below: Exchange; top: Exchange }[] = [];
  const sent = data.values.map(() => undefined as Exchange | undefined);
  for (let i = 0; i < (data.measure === 'time' ? TIME_ROUNDS : 1); i++) {
    const order = i % 2 ? [2, 1, 0] : [0, 1, 2];
    for (const k of order) sent[k] = await sendRung(ctx, op, data.point, data.values[k]!);
    out.push({ control: sent[0]!, below: sent[1]!, top: sent[2]! });
  }
  return out;
}

async function replay(ctx: Ctx, data: Data, found: string): Promise<Confirmation> {
  const op = withFormFields(ctx.operation!);
  const o = ctx.options;
  const [v0, vBelow, vTop] = data.values;
  const rounds = await replayRounds(ctx, op, data);
  const ids = rounds.flatMap((r) => [r.top.id, r.below.id, r.control.id]);
  const bad = rounds.flatMap((r) => [r.control, r.below, r.top]).find((x) => !isSuccess(x.response?.status));
  if (bad) return { confirmed: false, exchangeIds: ids, reason: `the replay got no answer to judge by (${status(bad)})` };
  const m = data.measure;
  const base = noise(rounds.map((r) => r.control));
  const measure = (x: Exchange): number => (m === 'size' ? bodyBytes(x) : ms(x));
  // Time: the top's fastest answer over the slowest control, the rung below's usual one over the fastest control.
  const eTop = m === 'size' ? extra(m, rounds[0]!.top, base) : Math.min(...rounds.map((r) => ms(r.top))) - (base.ms + base.msNoise);
  const eBelow = m === 'size' ? extra(m, rounds[0]!.below, base) : median(rounds.map((r) => ms(r.below))) - base.ms;
  const list = (pick: (r: (typeof rounds)[number]) => Exchange): string => rounds.map((r) => measure(pick(r))).join('/');
  const again = `replayed: ${v0} → ${list((r) => r.control)} ${m === 'size' ? 'B' : 'ms'}, ${vBelow} → ${list((r) => r.below)} ${m === 'size' ? 'B' : 'ms'}, ${vTop} → ${list((r) => r.top)} ${m === 'size' ? 'B' : 'ms'}`;
  const need = Math.max(1.5, o.proportion * (vTop / vBelow));
  // Sizes repeat exactly; a time may land a little under the bound it crossed, so half the extra found is enough.
  if (eTop < 0.5 * data.extra || eTop < need * Math.max(eBelow, floor(m, base))) {
    return { confirmed: false, exchangeIds: ids, reason: `the ${m} did not grow with the value again (${again})` };
  }
  return { confirmed: true, exchangeIds: ids, summary: `${found}; the ${m} still grows with the value (${again})` };
}

export default defineCheck({
  id: 'unbounded-work',
  family: 'reliability',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Unbounded work from a size parameter',
    description: 'A numeric parameter sets how much work one request does (nesting depth, item count, page size, iterations) and the server neither caps nor refuses large values: the answer grows in size or time with the value, so one request can tie up the server or exhaust its memory.',
    severity: 'medium',
    cwe: 'CWE-770',
    owasp: 'API4:2023 Unrestricted Resource Consumption',
    remediation: 'Declare and enforce a maximum for every parameter that sizes work (`maximum` in the schema, validated before any work starts), answer larger values with 400, and paginate lists with a server-side page-size cap.',
    proves: 'A ladder of values (1 twice as the control and its repeat, then 10, 100, 1 000, 10 000) stopped at the first rung over a time or size bound: the answer\'s size rose on at least three rungs in a row (its time: on two, over fast controls), each grown in proportion to the value and far beyond the controls\' noise, with no 4xx and no clamp; a replay of the control, the rung below the top and the top shows the growth again (a time: in three rounds, the top\'s fastest answer over the slowest control).',
  },
  options: z.strictObject({
    /** The largest value sent (default 10 000). */
    top: z.number().int().min(100).max(100_000).default(10_000),
    /** A rung slower than this (ms) stops the ladder; no rung predicted past 3× it is sent (default 1500). */
    boundMs: z.number().int().min(200).max(20_000).default(1500),
    /** A rung whose body is larger than this stops the ladder (bytes, default 1 000 000: under the engine's cap). */
    maxBytes: z.number().int().min(10_000).max(50_000_000).default(1_000_000),
    /** How much of the value's growth each rung's extra must show (default 0.3: ×10 in value → ×3). */
    proportion: z.number().min(0.05).max(1).default(0.3),
    /** The top rung must be at least this many bytes larger than the control for a size proof (default 1024). */
    minExtraBytes: z.number().int().min(64).default(1024),
    /** …or this many ms slower for a time proof (default 250). */
    minExtraMs: z.number().int().min(50).default(250),
    /** Numeric parameters tried per operation, one at a time (default 3). */
    maxPoints: z.number().int().min(1).max(20).default(3),
  }),
  requestsPerPoint: { low: LADDERS.low.length + 1, default: LADDERS.default.length + 1, high: LADDERS.high.length + 1 },
  safeModeSkips: 'everything: its ladder is built to make the server work harder',
  appliesTo: all(notUnderSafeMode('its ladder is built to make the server work harder'), readsOnly, hasWorkPoint),
  run: probe,
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    if (!ctx.operation || !data?.point) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    return replay(ctx, data, candidate.proof.summary);
  },
  example: {
    url: 'http://127.0.0.1:8080/api/nestedJson?depth=1000',
    summary: 'query depth: the answer\'s size grows with the value (10 → 66 B, 100 → 696 B, 1000 → 7896 B; 1 → 12 B), neither clamped nor refused; 10000 → HTTP 500',
  },
});
