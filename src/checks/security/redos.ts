// src/checks/security/redos.ts — algorithmic complexity (ReDoS): a string parameter whose answer time grows
// super-linearly with the length of a pattern-breaking value (`aaaa…!`), against same-length benign controls sent in
// the same run; the ladder stops at the first step over a bound, so the target is not knocked over.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { pointSchema, schemaType } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult, type Confirmation } from '../kit/define.js';
import { leafName, withFormFields } from '../kit/fields.js';
import { all, type Guard } from '../kit/guards.js';
import { ms, notUnderSafeMode, timed } from '../kit/ladder.js';
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
/** Requests per shape at most: control and payload per length, plus the step below measured (again). */
const PER_SHAPE = 2 * DEFAULT_LENGTHS.length + 4;

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
 * be). `slack` < 1 loosens margin and ratio for a replay, which measures again what already crossed.
 */
function over(s: Step, below: Step | undefined, o: Options, slack = 1): boolean {
  const p = ms(s.payload);
  const next = below ? (p * p) / Math.max(ms(below.payload), 1) : 0;
  return extra(s) >= slack * o.minExtraMs && (p >= slack * o.boundMs || p >= slack * o.ratio * ms(s.control) || next >= 2.5 * slack * o.boundMs);
}

/** A replay's measurement may land a little under a bound the probe just crossed; growth is still asked in full. */
const REPLAY_SLACK = 0.5;

/** From the step below to this one the extra time grew by `growth` at least: super-linear for a few more characters. */
const grew = (s: Step, below: Step, o: Options): boolean => extra(s) >= o.growth * Math.max(extra(below), 5);

type Ctx = CheckContext<Options>;

function describeStep(s: Step): string {
  return `${s.n} chars: ${ms(s.payload)} ms (control ${ms(s.control)} ms)`;
}

/** Sends one step: the benign control, then the payload (with a timeout past the bound). */
async function step(ctx: Ctx, op: Operation, point: InjectionPoint, shape: Shape, n: number): Promise<Step> {
  const control = await ctx.send(buildRequest(op, point, benign(n)));
  const payload = await ctx.send({ ...buildRequest(op, point, SHAPES[shape](n)), timeoutMs: 3 * ctx.options.boundMs });
  return { n, control, payload };
}

/** Noise only adds time: the step measured once more, the one with less extra time kept. */
async function calmer(ctx: Ctx, op: Operation, point: InjectionPoint, shape: Shape, s: Step): Promise<Step> {
  const again = await step(ctx, op, point, shape, s.n);
  return noAnswer(again) === undefined && extra(again) < extra(s) ? again : s;
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
    let lower = below ?? (await step(ctx, op, point, shape, Math.max(2, n - 4)));
    if (noAnswer(lower)) return { stopped: noAnswer(lower)! };
    if (!grew(s, lower, o)) lower = await calmer(ctx, op, point, shape, lower);
    return grew(s, lower, o) ? { found: [lower, s] } : { done: 'slow' };
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
      if ('done' in r) {
        judged++;
        if (r.done === 'noisy') noisy++;
        continue;
      }
      const [low, high] = r.found;
      const candidate: CandidateInput = {
        operation: { method: op.method, path: op.path },
        url: high.payload.request.url,
        parameter: pointLabel(point),
        vulnClass: `redos:${shape}`,
        confidence: 'tentative',
        proof: {
          summary: `${point.location} ${point.name}: ${JSON.stringify(SHAPES[shape](6))}-shaped values took ${describeStep(low)}, ${describeStep(high)}; same-length benign values stay fast`,
          exchangeIds: [high.payload.id, high.control.id, low.payload.id, low.control.id],
          evidence: `+${extra(low)} ms at ${low.n} chars → +${extra(high)} ms at ${high.n} chars`,
          payload: SHAPES[shape](high.n),
        },
        data: { point, shape, lengths: [low.n, high.n] } satisfies Data,
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
  const o = ctx.options;
  let low = await step(ctx, op, data.point, data.shape, data.lengths[0]);
  const high = await step(ctx, op, data.point, data.shape, data.lengths[1]);
  if (!noAnswer(low) && !noAnswer(high) && !grew(high, low, o)) low = await calmer(ctx, op, data.point, data.shape, low);
  const ids = [high.payload.id, high.control.id, low.payload.id, low.control.id];
  const bad = noAnswer(low) ?? noAnswer(high);
  if (bad) return { confirmed: false, exchangeIds: ids, reason: `replay got no answer to judge by (${bad})` };
  const again = `replayed: ${describeStep(low)}, ${describeStep(high)}`;
  if (!over(high, low, o, REPLAY_SLACK)) return { confirmed: false, exchangeIds: ids, reason: `the longer value was not slow again (${again})` };
  if (!grew(high, low, o)) return { confirmed: false, exchangeIds: ids, reason: `the time did not grow super-linearly again (${again})` };
  return { confirmed: true, exchangeIds: ids, summary: `${data.point.location} ${data.point.name}: the time still grows (${again}); the controls stay fast` };
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
    proves: 'Pattern-breaking values of growing length (16, 20, 24… characters) against same-length benign controls, stopped at the first step over the bound: the extra time grew at least `growth` times from the step below; a replay of the step below and the step over the bound shows it again, controls still fast.',
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
    summary: 'query q: "aaaaa!"-shaped values took 24 chars: 108 ms (control 2 ms), 28 chars: 1022 ms (control 2 ms); same-length benign values stay fast',
  },
});
