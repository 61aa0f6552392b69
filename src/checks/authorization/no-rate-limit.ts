// src/checks/authorization/no-rate-limit.ts — sign-ins and one-time-code checks (a reset PIN, an OTP) that answer a
// run of wrong guesses alike, without a 429, a Retry-After, a rate-limit header, a lockout or CAPTCHA message or a
// growing delay; for an unknown account only, so no real account is ever locked.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { pointLabel } from '../../inject/index.js';
import { pointSchema, validationError } from '../kit/compare.js';
import { defineCheck, type CheckContext, type CheckResult, type Confirmation } from '../kit/define.js';
import { withFormFields } from '../kit/fields.js';
import { answerKey } from './account-enumeration.js';
import {
  codeFields,
  gist,
  LIMIT_WORDS,
  looksRefused,
  notCodeCheck,
  notSignIn,
  randomHex,
  requestWith,
  senderFor,
  signInFields,
  unknownAccount,
  wrongPassword,
  type SecretFields,
} from './support/sign-in.js';

interface Options {
  /** Wrong guesses in a row per operation (default 20). */
  attempts: number;
  /** More wrong guesses on replay (default 5). */
  replayAttempts: number;
  /** Operations tried per scan, code checks first (default 4). */
  maxOperations: number;
}

type Ctx = CheckContext<Options>;
type Kind = 'sign-in' | 'code';

/** An operation as the check guesses at it. */
interface Guessed {
  op: Operation;
  kind: Kind;
  f: SecretFields;
  as: string;
}

/** A field that carries an anti-forgery token from the page vouch read: a stale one gets every guess refused alike. */
const CSRF = /csrf|xsrf|user_token|authenticity|nonce|__requestverificationtoken|_token$/i;

function guessedFor(ctx: Ctx, raw: Operation): Guessed | string {
  const op = withFormFields(raw);
  const kind: Kind = notCodeCheck(op) ? 'sign-in' : 'code';
  const f = kind === 'code' ? codeFields(op) : signInFields(op);
  if (!f) return 'no fields to guess at';
  const csrf = op.params.find((p) => CSRF.test(p.name));
  if (csrf) return `its form carries an anti-forgery token (${csrf.name}) vouch cannot renew per guess, so every guess may be refused before the ${kind === 'code' ? 'code' : 'password'} is checked`;
  const as = senderFor(ctx, op);
  if (!as) return 'it needs a signed-in caller and no identity is signed in';
  return { op, kind, f, as };
}

/** A wrong code in the field's shape: as many digits as its example or pattern says (6 without either). */
function wrongCode(g: Guessed): string {
  const s = pointSchema(g.op, g.f.secret);
  const example = g.op.params.find((p) => p.name === g.f.secret.name)?.examples?.[0] ?? s?.example;
  const fromPattern = /\\d\{(\d+)\}/.exec(typeof s?.pattern === 'string' ? s.pattern : '')?.[1];
  const length = typeof example === 'string' && /^\d+$/.test(example) ? example.length : Number(fromPattern ?? s?.maxLength ?? 6);
  const n = Math.min(Math.max(length, 4), 8);
  return Array.from({ length: n }, () => String(Math.floor(Math.random() * 10))).join('');
}

/** One wrong guess and its answer with the values sent masked. */
interface Guess {
  x: Exchange;
  key: string;
}

async function guess(ctx: Ctx, g: Guessed, account: string): Promise<Guess | string> {
  const secret = g.kind === 'code' ? wrongCode(g) : wrongPassword();
  const req = requestWith(g.op, g.f, account, secret);
  if (!req) return `the fields of ${g.op.method} ${g.op.path} cannot all be set in one request`;
  // A wrong guess is built to be refused: it changes nothing.
  const x = await ctx.send({ ...req, identity: g.as, probe: true });
  return { x, key: answerKey(x, [account, secret]) };
}

const header = (x: Exchange, name: RegExp): [string, string] | undefined => x.response?.headers.find(([k]) => name.test(k));
const said = gist;
const ms = (x: Exchange): number => Math.round(x.timing.totalMs);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Why an answer shows a limit (429, Retry-After, remaining 0, a lockout or CAPTCHA word the first lacked), or undefined. */
function limitIn(x: Exchange, first: Exchange): string | undefined {
  const r = x.response;
  if (!r) return undefined;
  if (r.status === 429) return '429 Too Many Requests';
  const retry = header(x, /^retry-after$/i);
  if (retry) return `Retry-After: ${retry[1]}`;
  const remaining = header(x, /^(x-)?ratelimit-remaining$/i);
  if (remaining && Number(remaining[1]) === 0) return `${remaining[0]}: 0`;
  const word = LIMIT_WORDS.exec(r.body)?.[0];
  if (word && !LIMIT_WORDS.test(first.response?.body ?? '')) return `"${word}" in the answer`;
  return undefined;
}

type Verdict = { limited: string } | { inconclusive: string } | { unlimited: string };

/** Judges a run of guesses: limited (clean), inconclusive, or answered alike throughout. */
function judge(run: Guess[], key?: string): Verdict {
  const first = run[0]!.x;
  if (!first.response || first.response.status >= 500 || first.response.status === 429) return { inconclusive: `no answer to judge by at the first guess: ${said(first)}` };
  const declared = header(first, /^(x-)?ratelimit-(limit|policy)$/i);
  if (declared) return { limited: `the target declares a rate limit (${declared[0]}: ${declared[1]})` };
  const malformed = validationError(first);
  if (malformed) return { inconclusive: `the guesses were refused as malformed (${malformed}: ${said(first)}), so the secret was never checked` };
  if (!looksRefused(first)) return { inconclusive: `the first wrong guess was not refused (${said(first)}): nothing tells a failed guess` };
  for (const [i, g] of run.entries()) {
    const limit = limitIn(g.x, first);
    if (limit) return i === 0 ? { inconclusive: `limited from the first guess (${limit}): this scan's other requests may have used the limit up` } : { limited: `limited after ${i} guesses (${limit})` };
    if (!g.x.response || g.x.response.status >= 500) return { inconclusive: `guess ${i + 1} got no answer to judge by: ${said(g.x)}` };
    if (g.key !== (key ?? run[0]!.key)) return { inconclusive: `the answer changed at guess ${i + 1} (${said(g.x)}, was ${said(first)}): maybe a lockout vouch does not recognise` };
  }
  const times = run.map((g) => ms(g.x));
  const [early, late] = [median(times.slice(0, 5)), median(times.slice(-5))];
  if (times.length >= 10 && late >= 2 * early && late - early >= 300) return { limited: `a growing delay (median ${early} ms for the first 5 guesses, ${late} ms for the last 5)` };
  const span = ((run.at(-1)!.x.timing.startedAt + run.at(-1)!.x.timing.totalMs - first.timing.startedAt) / 1000).toFixed(1);
  return { unlimited: `${run.length} wrong guesses in ${span} s all answered ${said(first)}; medians ${early} ms (first 5) and ${late} ms (last 5)` };
}

async function guessRun(ctx: Ctx, g: Guessed, n: number): Promise<Guess[] | string> {
  const account = g.f.account ? unknownAccount() : `vouch${randomHex(5)}`;
  const run: Guess[] = [];
  for (let i = 0; i < n; i++) {
    const one = await guess(ctx, g, account);
    if (typeof one === 'string') return one;
    run.push(one);
    // Stop early on a limit or a dead answer: no need to push further.
    if (!one.x.response || one.x.response.status === 429 || one.x.response.status >= 500) break;
  }
  return run;
}

interface Data {
  kind: Kind;
  key: string;
}

const TITLES: Record<Kind, string> = {
  'sign-in': 'No rate limit on sign-in',
  code: 'No rate limit on a one-time code check',
};

const what = (g: Guessed): string => (g.kind === 'code' ? `wrong codes in ${pointLabel(g.f.secret)}` : 'wrong passwords');
const forWhom = (g: Guessed): string => (g.f.account ? ' for an unknown account (no real account is guessed at: a per-account lockout would not show)' : '');

/** Code checks first (a 4-6 digit code falls to a few thousand guesses), then sign-ins. */
function candidates(ops: readonly Operation[]): Operation[] {
  const codes = ops.filter((op) => !notCodeCheck(withFormFields(op)));
  const signIns = ops.filter((op) => !notSignIn(op) && !codes.includes(op));
  return [...codes, ...signIns];
}

async function probe(ctx: Ctx): Promise<CheckResult> {
  const ops = candidates(ctx.surface.operations);
  if (!ops.length) return { status: 'clean' };
  const notes: string[] = [];
  const found: CheckResult & { status: 'found' } = { status: 'found', candidates: [] };
  let limited = 0;
  for (const raw of ops.slice(0, ctx.options.maxOperations)) {
    const g = guessedFor(ctx, raw);
    if (typeof g === 'string') {
      notes.push(`${raw.method} ${raw.path}: ${g}`);
      continue;
    }
    const run = await guessRun(ctx, g, ctx.options.attempts);
    if (typeof run === 'string') return { status: 'inconclusive', reason: run };
    const v = judge(run);
    if ('inconclusive' in v) notes.push(`${raw.method} ${raw.path}: ${v.inconclusive}`);
    if ('limited' in v) limited++;
    if (!('unlimited' in v)) continue;
    found.candidates.push({
      operation: { method: raw.method, path: raw.path },
      url: run[0]!.x.request.url,
      parameter: pointLabel(g.f.secret),
      title: TITLES[g.kind],
      vulnClass: `no-rate-limit:${g.kind}`,
      confidence: 'tentative',
      proof: {
        summary: `${raw.method} ${raw.path}: ${v.unlimited}; ${what(g)}${forWhom(g)}; no 429, Retry-After, rate-limit header, lockout or CAPTCHA message, no growing delay`,
        exchangeIds: [run[0]!.x.id, run.at(-1)!.x.id],
        evidence: `${run.length} × ${run[0]!.x.response!.status}`,
      },
      data: { kind: g.kind, key: run[0]!.key } satisfies Data,
    });
  }
  if (found.candidates.length) return found;
  if (limited) return { status: 'clean' };
  return notes.length ? { status: 'inconclusive', reason: notes.join('; ') } : { status: 'clean' };
}

async function replay(ctx: Ctx, raw: Operation, data: Data, summary: string): Promise<Confirmation> {
  const g = guessedFor(ctx, raw);
  if (typeof g === 'string') return { confirmed: false, exchangeIds: [], reason: g };
  const run = await guessRun(ctx, g, ctx.options.replayAttempts);
  if (typeof run === 'string') return { confirmed: false, exchangeIds: [], reason: run };
  const ids = [run[0]!.x.id, run.at(-1)!.x.id];
  const v = judge(run, data.key);
  if (!('unlimited' in v)) return { confirmed: false, exchangeIds: ids, reason: `replay: ${'limited' in v ? v.limited : v.inconclusive}` };
  return { confirmed: true, exchangeIds: ids, summary: `${summary}; replayed: ${v.unlimited}, the same answer again` };
}

export default defineCheck({
  id: 'no-rate-limit',
  family: 'authorization',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'No rate limit on guessing credentials',
    description: 'A sign-in or a one-time code check (a reset PIN, an OTP) answers a run of wrong guesses alike, with no rate limit, lockout, CAPTCHA or growing delay, so passwords and short codes can be guessed by brute force.',
    severity: 'medium',
    cwe: 'CWE-307',
    owasp: 'API4:2023 Unrestricted Resource Consumption',
    remediation: 'Limit failed attempts per account and per client (429 with Retry-After, a growing delay, a CAPTCHA after a few failures), expire a one-time code after a handful of wrong guesses, and make codes long enough that the limit matters.',
    proves: 'N wrong guesses in a row (default 20) for an unknown account, all refused with the same masked answer, none with a 429, a Retry-After, a ratelimit header, a lockout or CAPTCHA message, and no growing delay; replayed with more guesses (default 5) that get the same answer. A per-account lockout of real accounts is not tested: vouch never guesses at them.',
  },
  options: z.strictObject({
    /** Wrong guesses in a row per operation (default 20). */
    attempts: z.number().int().min(10).max(100).default(20),
    /** More wrong guesses on replay (default 5). */
    replayAttempts: z.number().int().min(3).max(50).default(5),
    /** Operations tried per scan, code checks first (default 4). */
    maxOperations: z.number().int().min(1).max(20).default(4),
  }),
  safeModeSkips: 'runs of wrong guesses are not sent in safe mode',
  run: (ctx) => (ctx.safeMode ? Promise.resolve({ status: 'inconclusive' as const, reason: 'safe mode: runs of wrong guesses are not sent' }) : probe(ctx)),
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    if (!ctx.operation || !data?.kind) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    return replay(ctx, ctx.operation, data, candidate.proof.summary);
  },
  example: {
    url: 'http://127.0.0.1:4347/reset-password/new-password',
    summary: 'POST /reset-password/new-password: 20 wrong guesses in 1.2 s all answered 400 {"detail":"Invalid username or phone number"}; wrong codes in json:reset_password_code for an unknown account',
  },
});
