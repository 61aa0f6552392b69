// src/checks/security/redos.ts — algorithmic complexity (ReDoS): a string parameter whose answer time grows
// super-linearly with the length of a pattern-breaking value (`aaaa…!`), against same-length benign controls sent in
// the same run; the ladder stops at the first step over a bound, so the target is not knocked over. Slow once is load;
// slow every time, in rounds where control and payload take turns, is the pattern.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { pointSchema, schemaType } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult, type Confirmation } from '../kit/define.js';
import { leafName, withFormFields } from '../kit/fields.js';
import { all, type Guard } from '../kit/guards.js';
import { median, ms, notUnderSafeMode, timed } from '../kit/ladder.js';
import { forStrength } from '../kit/strength.js';
import { realAnswer } from './support/tally.js';

/** Pattern-breaking values of length `n`: a long run a nested quantifier backtracks over, then a character it refuses. */
export const SHAPES = {
  letters: (n: number): string => `${'a'.repeat(Math.max(1, n - 1))}!`,
  digits: (n: number): string => `${'0'.repeat(Math.max(1, n - 1))}x`,
  email: (n: number): string => `a@a.${'a'.repeat(Math.max(1, n - 5))}!`,
} as const;
export type Shape = keyof typeof SHAPES;

/** The benign control of length `n`: letters and spaces, no run for a quantifier to backtrack over. */
export const benign = (n: number): string => Array.from({ length: n }, (_, i) => (i % 2 ? ' ' : String.fromCharCode(97 + ((i / 2) % 26)))).join('');

const SHAPE_COUNTS = { low: 1, default: 2, high: 3 } as const;
const DEFAULT_LENGTHS = [16, 20, 24, 28, 32];
/** Rounds per proof: the ladder's own step and two more in the probe, three fresh ones in the replay. */
const ROUNDS = 3;
/** Requests per shape at most: control and payload per length, a step below the first, two more rounds of two steps. */
const PER_SHAPE = 2 * DEFAULT_LENGTHS.length + 2 + 4 * (ROUNDS - 1);

interface Options {
  lengths: number[];
  boundMs: number;
  ratio: number;
  minExtraMs: number;
  growth: number;
  maxPoints: number;
}

/** Shapes to try on a point, most likely first: e-mail fields get the e-mail shapes, numeric values the digits. */
export function shapesFor(op: Operation, point: InjectionPoint): Shape[] {
  const schema = pointSchema(op, point);
  if (/mail/i.test(leafName(point)) || schema?.format === 'email' || point.base.includes('@')) return ['letters', 'email', 'digits'];
  if (/^\d+$/.test(point.base)) return ['digits', 'letters', 'email'];
  return ['letters', 'digits', 'email'];
}

const NOT_STRING = new Set(['integer', 'number', 'boolean', 'array', 'object']);

/** Points that take a string (query, path, form, JSON, GraphQL, a raw body; not headers or cookies, not enums). */
export function stringPoints(op: Operation): InjectionPoint[] {
  return injectionPoints(op, { inline: true }).filter((p) => {
    if (p.location === 'header' || p.location === 'cookie') return false;
    const schema = pointSchema(op, p);
    return !NOT_STRING.has(schemaType(schema) ?? 'string') && !Array.isArray(schema?.enum);
  });
}

const notSafeMode = notUnderSafeMode('its payloads are built to keep the server busy');
const hasStringPoint: Guard = (op) => (stringPoints(withFormFields(op)).length ? undefined : 'no string parameter to grow');

/** One step of the ladder: the control and the payload of one length. */
interface Step {
  n: number;
  control: Exchange;
  payload: Exchange;
}

const extra = (s: Step): number => ms(s.payload) - ms(s.control);

/**
 * The step is over the bound: slower than its control by the margin, and over the time or ratio bound (or about to
 * be). This only picks the step worth proving; `proven` decides.
 */
function over(s: Step, below: Step | undefined, o: Options): boolean {
  const p = ms(s.payload);
  const next = below ? (p * p) / Math.max(ms(below.payload), 1) : 0;
  return extra(s) >= o.minExtraMs && (p >= o.boundMs || p >= o.ratio * ms(s.control) || next >= 2.5 * o.boundMs);
}

type Ctx = CheckContext<Options>;

/** Sends one step: the benign control and the payload (with a timeout past the bound), the payload first if asked. */
async function step(ctx: Ctx, op: Operation, point: InjectionPoint, shape: Shape, n: number, payloadFirst = false): Promise<Step> {
  const sendControl = (): Promise<Exchange> => ctx.send(buildRequest(op, point, benign(n)));
  const sendPayload = (): Promise<Exchange> => ctx.send({ ...buildRequest(op, point, SHAPES[shape](n)), timeoutMs: 3 * ctx.options.boundMs });
  if (payloadFirst) {
    const payload = await sendPayload();
    return { n, control: await sendControl(), payload };
  }
  const control = await sendControl();
  return { n, control, payload: await sendPayload() };
}

/** One round of the proof: the step below and the step over the bound, measured together. */
export interface Round {
  low: { n: number; control: number; payload: number };
  high: { n: number; control: number; payload: number };
}


/** Every control time of the rounds, the slowest of them, and the longer payload's fastest answer. */
function extremes(rounds: readonly Round[]): { controls: number[]; slowestControl: number; fastestHigh: number } {
  const controls = rounds.flatMap((r) => [r.low.control, r.high.control]);
  return { controls, slowestControl: Math.max(...controls), fastestHigh: Math.min(...rounds.map((r) => r.high.payload)) };
}

/**
 * Whether rounds measured apart prove growth, or why not. A server slowed by load (a CPU-bound hash under concurrent
 * requests) is slow now and then whatever the input; a backtracking pattern is slow every time, by its length. So the
 * longer payload's *fastest* answer must beat the *slowest* control of every round by the margin and the bound, and its
 * extra time must be `growth` times the shorter payload's usual (median) extra.
 */
export function proven(rounds: readonly Round[], o: Pick<Options, 'boundMs' | 'ratio' | 'minExtraMs' | 'growth'>): string | undefined {
  const { controls, slowestControl, fastestHigh } = extremes(rounds);
  const extraHigh = fastestHigh - slowestControl;
  const extraLow = Math.max(0, median(rounds.map((r) => r.low.payload)) - median(controls));
  if (extraHigh < o.minExtraMs) return `the longer value's fastest answer (${fastestHigh} ms) was not ${o.minExtraMs} ms slower than the slowest control (${slowestControl} ms)`;
  if (fastestHigh < o.boundMs && fastestHigh < o.ratio * slowestControl) return `the longer value's fastest answer (${fastestHigh} ms) was under the bound (${o.boundMs} ms, ${o.ratio}× the slowest control)`;
  if (extraHigh < o.growth * Math.max(extraLow, 5)) return `the extra time did not grow ${o.growth}× from ${rounds[0]!.low.n} to ${rounds[0]!.high.n} chars (+${extraLow} → +${extraHigh} ms)`;
  return undefined;
}

const asRound = (low: Step, high: Step): Round => ({
  low: { n: low.n, control: ms(low.control), payload: ms(low.payload) },
  high: { n: high.n, control: ms(high.control), payload: ms(high.payload) },
});

const describeRounds = (rs: readonly Round[]): string =>
  `${rs[0]!.high.n} chars: ${rs.map((r) => `${r.high.payload} ms`).join(', ')} (controls ${rs.map((r) => r.high.control).join(', ')} ms); ` +
  `${rs[0]!.low.n} chars: ${rs.map((r) => `${r.low.payload} ms`).join(', ')} (controls ${rs.map((r) => r.low.control).join(', ')} ms)`;

/** Measured rounds (their exchanges too), or why the target gave nothing to judge by. */
interface Measured {
  rounds: Round[];
  ids: string[];
  stopped?: string;
}

/**
 * Measures the pair `rounds` times, alternating which goes first in each step, control or payload, so load that comes
 * in step with the ladder falls on both; the longer payload goes last in the round after its control only every other
 * time.
 */
async function measure(ctx: Ctx, op: Operation, point: InjectionPoint, shape: Shape, lengths: [number, number], rounds: number, first = 0): Promise<Measured> {
  const out: Measured = { rounds: [], ids: [] };
  for (let i = first; i < first + rounds; i++) {
    const low = await step(ctx, op, point, shape, lengths[0], i % 2 === 1);
    const high = await step(ctx, op, point, shape, lengths[1], i % 2 === 0);
    out.ids.push(high.payload.id, high.control.id, low.payload.id, low.control.id);
    const bad = noAnswer(low) ?? noAnswer(high);
    if (bad) return { ...out, stopped: bad };
    out.rounds.push(asRound(low, high));
  }
  return out;
}

type Climb = { found: [Step, Step] } | { done: 'flat' | 'slow' | 'noisy' } | { stopped: string };

const noAnswer = (s: Step): string | undefined =>
  !realAnswer(s.control) ? `control ${s.control.response?.status ?? s.control.error?.code ?? 'failed'}` : !timed(s.payload) ? `payload ${s.payload.error?.code ?? 'failed'}` : undefined;

/** Climbs the ladder for one shape; stops at the first step over the bound (found when it grew), or at no answer. */
async function climb(ctx: Ctx, op: Operation, point: InjectionPoint, shape: Shape): Promise<Climb> {
  const o = ctx.options;
  const steps: Step[] = [];
  for (const n of o.lengths) {
    const s = await step(ctx, op, point, shape, n);
    const bad = noAnswer(s);
    if (bad) return { stopped: bad };
    const below = steps[steps.length - 1];
    steps.push(s);
    if (!over(s, below, o)) continue;
    // Slow at the first length: a step below tells growth from a payload that is merely slow.
    const lower = below ?? (await step(ctx, op, point, shape, Math.max(2, n - 4)));
    if (noAnswer(lower)) return { stopped: noAnswer(lower)! };
    return { found: [lower, s] };
  }
  const controls = steps.map((s) => ms(s.control));
  const spread = Math.max(...controls) - Math.min(...controls);
  return spread >= o.minExtraMs && Math.max(...controls) >= 5 * Math.max(Math.min(...controls), 1) ? { done: 'noisy' } : { done: 'flat' };
}

interface Data {
  point: InjectionPoint;
  shape: Shape;
  lengths: [number, number];
}

async function probe(ctx: Ctx): Promise<CheckResult> {
  const op = withFormFields(ctx.operation!);
  const baseline = await ctx.send(buildRequest(op));
  if (!realAnswer(baseline)) return { status: 'inconclusive', reason: `the unmodified request got no real answer (${baseline.response?.status ?? baseline.error?.message ?? 'no response'})` };
  const points = stringPoints(op).slice(0, ctx.options.maxPoints);
  const stopped: string[] = [];
  let judged = 0;
  let noisy = 0;
  for (const point of points) {
    for (const shape of forStrength(shapesFor(op, point), SHAPE_COUNTS, ctx.strength)) {
      const r = await climb(ctx, op, point, shape);
      if ('stopped' in r) {
        stopped.push(`${pointLabel(point)}: ${r.stopped}`);
        break; // the target refuses or fails: no more of this point
      }
      judged++;
      if ('done' in r) {
        if (r.done === 'noisy') noisy++;
        continue;
      }
      const [low, high] = r.found;
      const lengths: [number, number] = [low.n, high.n];
      const more = await measure(ctx, op, point, shape, lengths, ROUNDS - 1, 1);
      if (more.stopped) {
        stopped.push(`${pointLabel(point)}: ${more.stopped}`);
        break;
      }
      const rounds = [asRound(low, high), ...more.rounds];
      const why = proven(rounds, ctx.options);
      if (why) continue; // slow once, not every time: load, not the pattern
      const { slowestControl, fastestHigh } = extremes(rounds);
      const candidate: CandidateInput = {
        operation: { method: op.method, path: op.path },
        url: high.payload.request.url,
        parameter: pointLabel(point),
        vulnClass: `redos:${shape}`,
        confidence: 'tentative',
        proof: {
          summary: `${point.location} ${point.name}: ${JSON.stringify(SHAPES[shape](6))}-shaped values, ${ROUNDS} rounds, took ${describeRounds(rounds)}; same-length benign values stay fast`,
          exchangeIds: [high.payload.id, high.control.id, low.payload.id, low.control.id, ...more.ids],
          evidence: `fastest +${fastestHigh - slowestControl} ms at ${high.n} chars over the slowest control`,
          payload: SHAPES[shape](high.n),
        },
        data: { point, shape, lengths } satisfies Data,
      };
      return { status: 'found', candidates: [candidate] }; // one parameter at a time: no more hammering once found
    }
  }
  if (judged === 0) return { status: 'inconclusive', reason: `no ladder got answers to judge by (${stopped.join('; ') || 'no string parameter'})` };
  if (noisy === judged) return { status: 'inconclusive', reason: `the benign controls were too noisy to judge (their times varied by more than ${ctx.options.minExtraMs} ms and 5×)` };
  return { status: 'clean' };
}

async function replay(ctx: Ctx, data: Data): Promise<Confirmation> {
  const op = withFormFields(ctx.operation!);
  const m = await measure(ctx, op, data.point, data.shape, data.lengths, ROUNDS);
  if (m.stopped) return { confirmed: false, exchangeIds: m.ids, reason: `replay got no answer to judge by (${m.stopped})` };
  const why = proven(m.rounds, ctx.options);
  if (why) return { confirmed: false, exchangeIds: m.ids, reason: `replayed ${ROUNDS} rounds: ${why}` };
  return { confirmed: true, exchangeIds: m.ids, summary: `${data.point.location} ${data.point.name}: the time still grows in ${ROUNDS} more rounds (${describeRounds(m.rounds)}); the controls stay fast` };
}

export default defineCheck({
  id: 'redos',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Regular expression denial of service (ReDoS)',
    description: 'A string parameter is checked by a backtracking regular expression (a nested quantifier such as `(a+)+` or a naive e-mail pattern): its answer time grows exponentially with the length of a value that almost matches, so a few dozen characters tie up the server.',
    severity: 'medium',
    cwe: 'CWE-1333',
    owasp: 'API4:2023 Unrestricted Resource Consumption',
    remediation: 'Rewrite the pattern without nested or overlapping quantifiers (or use a linear-time engine such as RE2), cap the input length before matching, and validate e-mail addresses with a simple check plus a confirmation mail.',
    proves: 'Pattern-breaking values of growing length (16, 20, 24… characters) against same-length benign controls, stopped at the first step over the bound; that step and the one below are measured in three rounds, control and payload taking turns to go first: the fastest longer payload beats the slowest control by the margin and the bound, and its extra time is `growth` times the shorter one\'s. A replay measures three fresh rounds and must show the same.',
  },
  options: z.strictObject({
    /** The ladder of value lengths, shortest first (default 16, 20, 24, 28, 32). */
    lengths: z.array(z.number().int().min(4).max(200)).min(2).max(10).default(DEFAULT_LENGTHS),
    /** A step whose payload takes this long (ms) stops the ladder (default 2000). */
    boundMs: z.number().int().min(200).max(20_000).default(2000),
    /** …or this many times its control (default 10). */
    ratio: z.number().min(2).max(1000).default(10),
    /** The payload must be at least this much slower than its control (ms, default 150). */
    minExtraMs: z.number().int().min(20).max(10_000).default(150),
    /** How much the extra time must grow from the step below (default 3: the length grows by 20-25 %). */
    growth: z.number().min(1.5).max(100).default(3),
    /** String parameters tried per operation, one at a time (default 8). */
    maxPoints: z.number().int().min(1).max(50).default(8),
  }),
  requestsPerPoint: { low: PER_SHAPE, default: 2 * PER_SHAPE, high: 3 * PER_SHAPE },
  safeModeSkips: 'everything: its payloads are built to keep the server busy',
  appliesTo: all(notSafeMode, hasStringPoint),
  run: probe,
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    if (!ctx.operation || !data?.point) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    return replay(ctx, data);
  },
  example: {
    url: 'http://127.0.0.1:8080/api/search?q=aaaaaaaaaaaaaaaaaaaaaaaaaaa%21',
    summary: 'query q: the time still grows in 3 more rounds (28 chars: 1022 ms, 1019 ms, 1031 ms (controls 2, 3, 2 ms); 24 chars: 108 ms, 104 ms, 110 ms (controls 2, 2, 3 ms)); the controls stay fast',
  },
});
