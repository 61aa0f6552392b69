// src/checks/security/sql-injection.ts — SQL injection by three techniques per injection point, strongest proof
// first: error-based (a quote breaks the statement), boolean-based (a true and a false condition change the answer)
// and time-based (the database sleeps as long as asked). Each technique has its own vulnClass and its own proof.
import { randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { similarBodies } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext, type Confirmation } from '../kit/define.js';
import { all, hasInjectionPoints, safeMethodOrNotSafeMode } from '../kit/guards.js';
import { forStrength, sumCounts } from '../kit/strength.js';
import { textBody } from './support/exchanges.js';
import { delayConfirmation, replaySettled, unsettled, type Answered } from './support/settle.js';
import { realAnswer, Tally, watched } from './support/tally.js';
import { delays, FastestAnswer, proveDelay, slowerBy } from './support/timing.js';

/** Database error signatures (message fragments that only a database driver prints). */
export const SQL_ERRORS: ReadonlyArray<[engine: string, pattern: RegExp]> = [
  ['SQLite', /SQLITE_ERROR|sqlite3?\.OperationalError|unrecognized token:|near ".{0,40}": syntax error|SQLite\/JDBCDriver|System\.Data\.SQLite/i],
  ['MySQL', /You have an error in your SQL syntax|mysql_fetch|MySqlException|com\.mysql\.jdbc|Warning: mysql/i],
  ['PostgreSQL', /PG::SyntaxError|PSQLException|unterminated quoted string at or near|syntax error at or near "|pg_query\(\)/i],
  ['SQL Server', /Unclosed quotation mark after the character string|Microsoft OLE DB Provider for SQL Server|SqlException|\[SQL Server\]/i],
  ['Oracle', /ORA-0\d{4}|quoted string not properly terminated|oracle\.jdbc/i],
];

export function sqlError(text: string): { engine: string; match: string } | undefined {
  for (const [engine, re] of SQL_ERRORS) {
    const m = re.exec(text);
    if (m) return { engine, match: m[0] };
  }
  return undefined;
}

const bodyOf = (x: Exchange): string => textBody(x.response);

/** Database errors about a string literal left open (PostgreSQL, SQL Server, Oracle, SQLite). */
const UNTERMINATED = /unterminated quoted string|Unclosed quotation mark|quoted string not properly terminated|unrecognized token: "'/i;

const BREAKERS = ["'", '"', "')", '`'];

/** A true and a false condition in one syntactic context; `k` keeps each pair fresh. */
export const BOOLEAN_PAIRS: ReadonlyArray<{ context: string; pair: (base: string, k: number) => [string, string] }> = [
  // LIKE rather than = so the pair also holds inside `LIKE '%…%'`, where the statement appends `%` to the literal.
  { context: 'single-quoted string', pair: (b, k) => [`${b}' AND '${k}' LIKE '${k}`, `${b}' AND '${k}' LIKE '${k + 1}`] },
  { context: 'number', pair: (b, k) => [`${b} AND ${k}=${k}`, `${b} AND ${k}=${k + 1}`] },
  { context: 'double-quoted string', pair: (b, k) => [`${b}" AND "${k}" LIKE "${k}`, `${b}" AND "${k}" LIKE "${k + 1}`] },
  { context: 'single-quoted string, rest commented out', pair: (b, k) => [`${b}' AND ${k}=${k}-- -`, `${b}' AND ${k}=${k + 1}-- -`] },
];

const waitfor = (s: number): string => `00:00:${s.toFixed(3).padStart(6, '0')}`;

/** Delay payloads: `value(base, seconds)`; `stacked` ones run a second statement and are not sent in safe mode. */
export const TIME_PAYLOADS: ReadonlyArray<{ engine: string; stacked?: true; value: (b: string, s: number) => string }> = [
  { engine: 'MySQL', value: (b, s) => `${b}'XOR(SELECT(0)FROM(SELECT(SLEEP(${s})))v)XOR'Z` },
  { engine: 'PostgreSQL', value: (b, s) => `${b}'||(SELECT ''FROM pg_sleep(${s}))||'` },
  { engine: 'SQL Server', stacked: true, value: (b, s) => `${b}';WAITFOR DELAY '${waitfor(s)}'--` },
  { engine: 'MySQL', value: (b, s) => `${b} AND (SELECT 1 FROM (SELECT(SLEEP(${s})))v)` },
  { engine: 'PostgreSQL', value: (b, s) => `${b} AND 1=(SELECT 1 FROM pg_sleep(${s}))` },
];

const ERROR_COUNTS = { low: 1, default: 3, high: 4 } as const;
const PAIR_COUNTS = { low: 1, default: 2, high: 4 } as const;
const TIME_COUNTS = { low: 1, default: 3, high: 5 } as const;

type Technique = 'error' | 'boolean' | 'time';
interface Data {
  technique: Technique;
  point: InjectionPoint;
  payload: string;
  index?: number;
}
type Ctx = CheckContext<{ delaySeconds: number }>;

function candidate(op: Operation, point: InjectionPoint, technique: Technique, x: Exchange, others: string[], summary: string, evidence: string, data: Omit<Data, 'technique' | 'point'>): CandidateInput {
  return {
    operation: { method: op.method, path: op.path },
    url: x.request.url,
    parameter: pointLabel(point),
    vulnClass: `sqli-${technique}`,
    confidence: 'tentative',
    proof: { summary: `${point.location} ${point.name}: ${summary}`, exchangeIds: [x.id, ...others], evidence, payload: data.payload },
    data: { technique, point, ...data } satisfies Data,
  };
}

async function errorBased(ctx: Ctx, op: Operation, point: InjectionPoint, baseline: Exchange): Promise<CandidateInput | undefined> {
  for (const breaker of forStrength(BREAKERS, ERROR_COUNTS, ctx.strength)) {
    const payload = `${point.base}${breaker}`;
    const x = await ctx.send(buildRequest(op, point, payload));
    const err = sqlError(bodyOf(x));
    if (err) return candidate(op, point, 'error', x, [baseline.id], `${JSON.stringify(payload)} → ${x.response?.status ?? '-'} with ${err.engine} error "${err.match}"; the original value gave none`, err.match, { payload });
  }
  return undefined;
}

/** Same status and similar bodies. */
const same = (a: Exchange, b: Exchange): boolean => a.response?.status === b.response?.status && similarBodies(bodyOf(a), bodyOf(b), 0.95).similar;

async function booleanBased(ctx: Ctx, op: Operation, point: InjectionPoint, baseline: Exchange): Promise<CandidateInput | undefined> {
  const pairs = forStrength(BOOLEAN_PAIRS, PAIR_COUNTS, ctx.strength);
  for (const [index, { context, pair }] of pairs.entries()) {
    const [t, f] = pair(point.base, randomInt(100, 999));
    const tx = await ctx.send(buildRequest(op, point, t));
    const fx = await ctx.send(buildRequest(op, point, f));
    if (!tx.response || !fx.response || !realAnswer(tx) || !realAnswer(fx) || !realAnswer(baseline)) continue; // a 429 is no answer
    if (same(tx, baseline) && !same(fx, baseline)) {
      return candidate(op, point, 'boolean', tx, [fx.id, baseline.id], `true condition ${JSON.stringify(t)} answers like the original value (${tx.response.status}), false condition ${JSON.stringify(f)} differs (${fx.response.status}, ${similarBodies(bodyOf(fx), bodyOf(baseline)).why}) in a ${context}`, `${tx.response.status} vs ${fx.response.status}`, { payload: t, index });
    }
  }
  return undefined;
}

async function timeBased(ctx: Ctx, op: Operation, point: InjectionPoint, fastest: FastestAnswer): Promise<CandidateInput | undefined> {
  const [d1] = delays(ctx);
  const payloads = forStrength(TIME_PAYLOADS, TIME_COUNTS, ctx.strength).filter((p) => !(ctx.safeMode && p.stacked));
  for (const p of payloads) {
    const payload = p.value(point.base, d1);
    const x = await ctx.send(buildRequest(op, point, payload));
    const reference = fastest.exchange;
    if (!slowerBy(x, reference, d1)) continue;
    const control = await ctx.send(buildRequest(op)); // same-run control: is the whole target slow now?
    if (!slowerBy(x, control, d1)) continue;
    return candidate(op, point, 'time', x, [control.id, reference.id], `${JSON.stringify(payload)} took ${Math.round(x.timing.totalMs)} ms, the control ${Math.round(control.timing.totalMs)} ms (asked ${d1} s, ${p.engine} syntax)`, `${Math.round(x.timing.totalMs - control.timing.totalMs)} ms extra`, { payload, index: TIME_PAYLOADS.indexOf(p) });
  }
  return undefined;
}

/** `neutral`: the original value sent again right before (settled), so a page that changes by itself proves nothing. */
async function confirmBoolean(ctx: Ctx, op: Operation, data: Data, neutral: Exchange): Promise<Confirmation> {
  const { context, pair } = BOOLEAN_PAIRS[data.index ?? 0]!;
  const ids: string[] = [];
  for (let round = 0; round < 2; round++) {
    const [t, f] = pair(data.point.base, randomInt(100, 999));
    const tx = await ctx.send(buildRequest(op, data.point, t));
    const fx = await ctx.send(buildRequest(op, data.point, f));
    ids.push(tx.id, fx.id);
    if (!realAnswer(tx) || !realAnswer(fx)) return { confirmed: false, exchangeIds: ids, reason: `round ${round + 1} got no real answer (${tx.response?.status ?? '-'}/${fx.response?.status ?? '-'})` };
    if (!same(tx, neutral) || same(fx, neutral)) return { confirmed: false, exchangeIds: ids, reason: `round ${round + 1} with fresh operands did not repeat the true/false difference` };
  }
  return { confirmed: true, exchangeIds: ids, summary: `true and false conditions in a ${context} answered differently twice more with fresh operands, the true one like the original value each time` };
}

/** One replay of a candidate with its controls; `answered` is false when the target gave nothing to judge by. */
async function replayOnce(ctx: Ctx, op: Operation, data: Data, summary: string, baseline: Exchange): Promise<Answered> {
  if (data.technique === 'boolean') {
    const c = await confirmBoolean(ctx, op, data, baseline);
    return { ...c, answered: c.confirmed || !c.reason?.includes('no real answer') };
  }
  if (data.technique === 'time') {
    const p = TIME_PAYLOADS[data.index ?? 0]!;
    const sleep = (s: number): SendRequest => buildRequest(op, data.point, p.value(data.point.base, s));
    return delayConfirmation(await proveDelay((r) => ctx.send(r), sleep, () => buildRequest(op), delays(ctx)), summary);
  }
  const replay = await ctx.send(buildRequest(op, data.point, data.payload));
  // Control: the same quote doubled is valid SQL string syntax; an injectable parameter stops erroring.
  const base = data.point.base;
  const control = await ctx.send(buildRequest(op, data.point, `${base}''`));
  const replayErr = sqlError(bodyOf(replay));
  const controlErr = sqlError(bodyOf(control));
  const answered = Boolean(replayErr) || (realAnswer(replay) && control.response !== undefined);
  const exchangeIds = [replay.id, control.id];
  if (replayErr && !controlErr) {
    const again = `replay errors again, the balanced control ${JSON.stringify(`${base}''`)} does not`;
    return { confirmed: true, exchangeIds, summary: `${summary}; ${again}`, answered };
  }
  // A value that is a whole statement errors with the quote balanced too, but no longer about an open quote: the
  // database parsed the quote as string syntax.
  const open = UNTERMINATED.exec(bodyOf(replay));
  if (replayErr && open && !UNTERMINATED.test(bodyOf(control))) {
    const again = `replay errors again with "${open[0]}"; the balanced control ${JSON.stringify(`${base}''`)} errors without an open quote (${controlErr!.match})`;
    return { confirmed: true, exchangeIds, summary: `${summary}; ${again}`, answered };
  }
  const got = replay.response?.status ?? replay.error?.message ?? 'no response';
  return { confirmed: false, exchangeIds, reason: replayErr ? 'the balanced control errors too' : `the replay did not error (${got})`, answered };
}

export default defineCheck({
  id: 'sql-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'SQL injection',
    description: 'A parameter is pasted into an SQL statement: a quote breaks it (error-based), an added condition changes the answer (boolean-based) or a sleep delays it (time-based).',
    severity: 'high',
    cwe: 'CWE-89',
    owasp: 'A03:2021 Injection',
    remediation: 'Use parameterized queries (placeholders) for every value that reaches SQL; never build SQL by string concatenation.',
    proves: 'Error-based: the database error comes back on replay while a balanced-quote control does not error. Boolean-based: true and false conditions differ again with fresh operands while the original value answers like the true one. Time-based: 0 s, d and 2d delays each against a same-run control, the delay following the payload.',
  },
  options: z.strictObject({
    /** Seconds asked of time-based payloads (the proof also asks twice as many); capped at 1 in safe mode. */
    delaySeconds: z.number().positive().max(10).default(2),
  }),
  requestsPerPoint: sumCounts(ERROR_COUNTS, { low: 2 * PAIR_COUNTS.low, default: 2 * PAIR_COUNTS.default, high: 2 * PAIR_COUNTS.high }, TIME_COUNTS),
  safeModeSkips: 'stacked-query time payloads (;WAITFOR DELAY) not sent; time-based delays capped at 1 s and 2 s',
  appliesTo: all(hasInjectionPoints, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const baseline = await ctx.send(buildRequest(op));
    if (!baseline.response) return { status: 'inconclusive', reason: `the unmodified request failed: ${baseline.error?.message ?? 'no response'}` };
    if (sqlError(bodyOf(baseline))) return { status: 'inconclusive', reason: 'the unmodified request already shows a database error' };
    const fastest = new FastestAnswer(baseline);
    const tally = new Tally();
    const c = watched(ctx, (x) => fastest.note(x), (x) => tally.note(x));
    const candidates: CandidateInput[] = [];
    for (const point of injectionPoints(op, { inline: true })) {
      const found = (await errorBased(c, op, point, baseline)) ?? (await booleanBased(c, op, point, baseline)) ?? (await timeBased(c, op, point, fastest));
      if (found) candidates.push(found);
    }
    return candidates.length ? { status: 'found', candidates } : tally.result();
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as Data | undefined;
    if (!op || !data?.point) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    // State may have moved since the probe (a restart, a rate limit, a busy target): the original request must get
    // a real answer right before each replay, and a replay that got no answer is tried once more.
    const send = (r: SendRequest): Promise<Exchange> => ctx.send(r);
    const original = (): SendRequest => buildRequest(op);
    const run = await replaySettled(send, original, (baseline): Promise<Answered> => replayOnce(ctx, op, data, candidate.proof.summary, baseline), (r) => r.answered);
    if (!run.result) return { confirmed: false, exchangeIds: run.exchangeIds, reason: unsettled(run.settled) };
    const { answered: _answered, ...confirmation } = run.result;
    return { ...confirmation, exchangeIds: run.exchangeIds };
  },
  example: { url: 'http://127.0.0.1:8080/api/products/search?q=phone%27', summary: "query q: \"phone'\" → 500 with SQLite error \"unrecognized token:\"; the original value gave none" },
});
