// src/checks/security/command-injection.ts — OS command injection: output-based (the shell computes $((a*b)) with
// random operands and the product comes back) and time-based (sleep d against same-run controls).
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { all, hasInjectionPoints, safeMethodOrNotSafeMode } from '../kit/guards.js';
import { forStrength, sumCounts } from '../kit/strength.js';
import { textBody } from './support/exchanges.js';
import { delayConfirmation, replaySettled, settle, unsettled, type Answered } from './support/settle.js';
import { realAnswer, Tally, watched } from './support/tally.js';
import { delays, FastestAnswer, proveDelay, slowerBy } from './support/timing.js';

/**
 * Ways to start a command after the value, most common first; `cmd` is the injected command, `o` the operands of
 * an output payload. Two replace the whole value, for a parameter that is itself the command: one for a program
 * started without a shell, its arguments split on spaces (`expr a * b` computes the product with no shell), one
 * for a shell (the bare command).
 */
export const SEPARATORS: ReadonlyArray<{ how: string; wrap: (base: string, cmd: string, o?: { a: number; b: number }) => string }> = [
  { how: ';', wrap: (b, c) => `${b};${c}` },
  { how: '$(…)', wrap: (b, c) => `${b}$(${c})` },
  { how: 'the whole value, run without a shell', wrap: (_b, c, o) => (o ? `expr ${o.a} * ${o.b}` : c) },
  { how: '|', wrap: (b, c) => `${b}|${c}` },
  { how: '`…`', wrap: (b, c) => `${b}\`${c}\`` },
  { how: '&&', wrap: (b, c) => `${b}&&${c}` },
  { how: 'newline', wrap: (b, c) => `${b}\n${c}` },
  { how: "';…;'", wrap: (b, c) => `${b}';${c};'` },
  { how: '";…;"', wrap: (b, c) => `${b}";${c};"` },
  { how: 'the whole value, run by a shell', wrap: (_b, c) => c },
];

const OUTPUT_COUNTS = { low: 2, default: 4, high: 10 } as const;
const TIME_COUNTS = { low: 1, default: 3, high: 5 } as const;
/** Time-based payloads use these separators (indexes into SEPARATORS); `sleep d` alone runs with or without a shell. */
const TIME_SEPARATORS = [0, 1, 9, 3, 7];

/** Two random 4-digit operands: their product (7–8 digits) cannot appear by chance or by echo of the payload. */
export function operands(): { a: number; b: number; product: string; cmd: string } {
  const a = randomInt(1000, 9999);
  const b = randomInt(1000, 9999);
  return { a, b, product: String(a * b), cmd: `echo $((${a}*${b}))` };
}

type Ctx = CheckContext<{ delaySeconds: number }>;
interface Data {
  technique: 'output' | 'time';
  point: InjectionPoint;
  separator: number;
}

function candidate(op: Operation, point: InjectionPoint, data: Data, x: Exchange, others: string[], summary: string, evidence: string, payload: string): CandidateInput {
  return {
    operation: { method: op.method, path: op.path },
    url: x.request.url,
    parameter: pointLabel(point),
    vulnClass: `command-injection-${data.technique}`,
    confidence: 'tentative',
    proof: { summary: `${point.location} ${point.name}=${JSON.stringify(payload)}: ${summary}`, exchangeIds: [x.id, ...others], evidence, payload },
    data: { ...data },
  };
}

async function outputBased(ctx: Ctx, op: Operation, point: InjectionPoint, baseline: Exchange): Promise<CandidateInput | undefined> {
  for (const sep of forStrength(SEPARATORS, OUTPUT_COUNTS, ctx.strength)) {
    const o = operands();
    const payload = sep.wrap(point.base, o.cmd, o);
    const x = await ctx.send(buildRequest(op, point, payload));
    const body = textBody(x.response);
    const at = body.indexOf(o.product);
    if (at < 0 || textBody(baseline.response).includes(o.product)) continue;
    return candidate(op, point, { technique: 'output', point, separator: SEPARATORS.indexOf(sep) }, x, [baseline.id], `→ ${x.response?.status ?? '-'} containing ${o.product}, the product ${payload.includes('expr ') ? 'expr' : 'the shell'} computed from ${o.a}*${o.b} (separator ${sep.how})`, body.slice(Math.max(0, at - 40), at + o.product.length + 40), payload);
  }
  return undefined;
}

async function timeBased(ctx: Ctx, op: Operation, point: InjectionPoint, fastest: FastestAnswer): Promise<CandidateInput | undefined> {
  const [d1] = delays(ctx);
  for (const index of forStrength(TIME_SEPARATORS, TIME_COUNTS, ctx.strength)) {
    const sep = SEPARATORS[index]!;
    const payload = sep.wrap(point.base, `sleep ${d1}`);
    const x = await ctx.send(buildRequest(op, point, payload));
    const reference = fastest.exchange;
    if (!slowerBy(x, reference, d1)) continue;
    const control = await ctx.send(buildRequest(op)); // same-run control: is the whole target slow now?
    if (!slowerBy(x, control, d1)) continue;
    return candidate(op, point, { technique: 'time', point, separator: index }, x, [control.id, reference.id], `took ${Math.round(x.timing.totalMs)} ms, the control ${Math.round(control.timing.totalMs)} ms (asked sleep ${d1})`, `${Math.round(x.timing.totalMs - control.timing.totalMs)} ms extra`, payload);
  }
  return undefined;
}

/** One replay of a candidate with its control; `answered` is false when the target gave nothing to judge by. */
async function replayOnce(ctx: Ctx, op: Operation, data: Data, sep: (typeof SEPARATORS)[number], summary: string): Promise<Answered> {
  if (data.technique === 'time') {
    const sleep = (s: number): SendRequest => buildRequest(op, data.point, sep.wrap(data.point.base, `sleep ${s}`));
    return delayConfirmation(await proveDelay((r) => ctx.send(r), sleep, () => buildRequest(op), delays(ctx)), summary);
  }
  const o = operands();
  const replay = await ctx.send(buildRequest(op, data.point, sep.wrap(data.point.base, o.cmd, o)));
  const control = await ctx.send(buildRequest(op)); // the original value: the new product must not be there
  const shown = textBody(replay.response).includes(o.product);
  const inControl = textBody(control.response).includes(o.product);
  const answered = shown || (realAnswer(replay) && control.response !== undefined);
  const exchangeIds = [replay.id, control.id];
  if (shown && !inControl) {
    const again = `with fresh operands ${o.a}*${o.b} the replay shows ${o.product} again, the original request does not`;
    return { confirmed: true, exchangeIds, summary: `${summary}; ${again}`, answered };
  }
  const reason = shown ? 'the control shows the product too' : 'the replay with fresh operands did not show their product';
  return { confirmed: false, exchangeIds, reason, answered };
}

export default defineCheck({
  id: 'command-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'OS command injection',
    description: 'A parameter reaches a shell command line: a separator starts a command of the attacker\'s choosing.',
    severity: 'critical',
    cwe: 'CWE-78',
    owasp: 'A03:2021 Injection',
    remediation: 'Do not run a shell with input: call the program directly with an argument array (execFile / spawn without shell), or use a library API instead of a command; validate input against an allow-list.',
    proves: 'Output-based: the product of two random numbers, computed only by a shell ($((a*b))), comes back on replay with fresh operands and is absent from the original response. Time-based: sleep 0, d and 2d each against a same-run control, the delay following the payload.',
  },
  options: z.strictObject({
    /** Seconds asked of `sleep` payloads (the proof also asks twice as many); capped at 1 in safe mode. */
    delaySeconds: z.number().positive().max(10).default(2),
  }),
  requestsPerPoint: sumCounts(OUTPUT_COUNTS, TIME_COUNTS),
  safeModeSkips: 'time-based sleep delays capped at 1 s and 2 s',
  appliesTo: all(hasInjectionPoints, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    // A failed first request (a timeout, a reset) is tried again before giving up: the target may be busy.
    let baseline = await ctx.send(buildRequest(op));
    if (!baseline.response) baseline = (await settle((r) => ctx.send(r), () => buildRequest(op), [1000, 3000])).baseline;
    if (!baseline.response) return { status: 'inconclusive', reason: `the unmodified request failed 3 times: ${baseline.error?.message ?? 'no response'}` };
    const fastest = new FastestAnswer(baseline);
    const tally = new Tally();
    const c = watched(ctx, (x) => fastest.note(x), (x) => tally.note(x));
    const candidates: CandidateInput[] = [];
    for (const point of injectionPoints(op, { inline: true })) {
      const found = (await outputBased(c, op, point, baseline)) ?? (await timeBased(c, op, point, fastest));
      if (found) candidates.push(found);
    }
    return candidates.length ? { status: 'found', candidates } : tally.result();
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as Data | undefined;
    const sep = data ? SEPARATORS[data.separator] : undefined;
    if (!op || !data || !sep) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    // The baseline is re-established right before replaying (support/settle.ts); a replay without an answer is retried.
    const run = await replaySettled((r) => ctx.send(r), () => buildRequest(op), () => replayOnce(ctx, op, data, sep, candidate.proof.summary), (r) => r.answered);
    if (!run.result) return { confirmed: false, exchangeIds: run.exchangeIds, reason: unsettled(run.settled) };
    const { answered: _answered, ...confirmation } = run.result;
    return { ...confirmation, exchangeIds: run.exchangeIds };
  },
  example: { url: 'http://127.0.0.1:8080/api/ping?host=127.0.0.1%3Becho%20%24((4721*8093))', summary: 'query host="127.0.0.1;echo $((4721*8093))": → 200 containing 38207153, the product the shell computed from $((4721*8093)) (separator ;)' },
});
