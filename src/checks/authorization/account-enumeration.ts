// src/checks/authorization/account-enumeration.ts — sign-in, sign-up and password-reset operations that tell an
// existing account from an unknown one (status, body once volatile parts are masked, or time), proven with a
// configured account against two random unknown ones of the same format, then replayed.
import { randomBytes, randomInt } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { escapeRegExp, excerpt, pointSchema, validationError } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult, type Confirmation } from '../kit/define.js';
import { buildWith, isRequired, leafName, withFormFields } from '../kit/fields.js';
import { all, methodIn, type Guard } from '../kit/guards.js';

export type Kind = 'sign-in' | 'sign-up' | 'reset';
type Signal = 'response' | 'timing';
type Role = 'account' | 'password' | 'code' | 'other';

/** Words in an operation's path or summary (or GraphQL field) that name what it does; the first kind that matches wins. */
const KINDS: ReadonlyArray<[Kind, RegExp]> = [
  ['reset', /reset|forgot|recover|lost[-_ ]?pass/],
  ['sign-up', /regist(er|ration)|sign[-_ ]?up|enrol|(create|new)[-_ ]?account/],
  ['sign-in', /log[-_ ]?in|sign[-_ ]?in|token|session|auth(?!or)/],
];

/** What an operation does with accounts, from the words in its path, summary and GraphQL field; undefined: none. */
export function accountKind(op: Operation): Kind | undefined {
  const text = `${op.path} ${op.summary ?? ''} ${op.graphql?.field ?? ''}`.toLowerCase();
  return KINDS.find(([, re]) => re.test(text))?.[0];
}

const squash = (name: string): string => name.toLowerCase().replace(/[^a-z]/g, '');
const ACCOUNT = /^(user|username|login|loginname|loginid|email|emailaddress|mail|account|accountname|usernameoremail|emailorusername|identifier|uname|handle)$/;
const CODE = /code|otp|^pin|pin$|token|nonce|captcha|verification/;
const PASSWORD = /pass|pwd|secret/;

/** What a field of an account operation holds, by its name (a code before a password: `reset_password_code`). */
export function roleOf(name: string): Role {
  const key = squash(name);
  if (CODE.test(key)) return 'code';
  if (PASSWORD.test(key)) return 'password';
  return ACCOUNT.test(key) ? 'account' : 'other';
}

const isEmailField = (op: Operation, point: InjectionPoint): boolean => /mail/.test(squash(leafName(point))) || pointSchema(op, point)?.format === 'email';

/** The fields of an account operation by role; `account` is the first username/e-mail field. */
interface Fields {
  account: InjectionPoint;
  passwords: InjectionPoint[];
  codes: InjectionPoint[];
  others: InjectionPoint[];
}

function fieldsOf(op: Operation): Fields | undefined {
  const points = injectionPoints(op).filter((p) => p.location !== 'header' && p.location !== 'cookie');
  const byRole = (r: Role): InjectionPoint[] => points.filter((p) => roleOf(leafName(p)) === r);
  const account = byRole('account')[0];
  if (!account) return undefined;
  return { account, passwords: byRole('password'), codes: byRole('code'), others: points.filter((p) => p !== account && roleOf(leafName(p)) !== 'password' && roleOf(leafName(p)) !== 'code') };
}

/** The operation as the check sees it: form bodies declared as a schema become fields. */
const prepared = (op: Operation): Operation => withFormFields(op);

const isAccountOperation: Guard = (op) => (accountKind(op) ? undefined : 'not a sign-in, sign-up or password-reset operation (no login, register, reset… word in its path or summary)');
const hasAccountField: Guard = (op) => (fieldsOf(prepared(op)) ? undefined : 'no username or e-mail field to name an account in');
const writesOutsideSafeMode: Guard = (op, env) => (env.safeMode && accountKind(op) !== 'sign-in' ? `safe mode: a ${accountKind(op)} request is a write` : undefined);
/** A reset that takes a new password but no code would set it: never sent for a real account. */
const resetNeedsCode: Guard = (op) => {
  const f = fieldsOf(prepared(op));
  return accountKind(op) === 'reset' && f && f.passwords.length > 0 && f.codes.length === 0 ? 'a reset that takes a new password without a code would change the account: not sent' : undefined;
};

/** An account vouch knows exists: a configured identity that logged in with a username or e-mail. */
interface Account {
  identity: string;
  value: string;
  password?: string;
}

/** Accounts of configured identities whose login recipe names them and whose login worked, in config order. */
export function knownAccounts(ctx: Pick<CheckContext, 'identities' | 'unavailable'>): Account[] {
  const out: Account[] = [];
  for (const i of ctx.identities) {
    if (ctx.unavailable.has(i.name)) continue;
    const fields = i.auth.kind === 'form-login' ? i.auth.fields : i.auth.kind === 'json-login' ? i.auth.body : undefined;
    const strings = Object.entries(fields ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
    const value = strings.find(([k]) => roleOf(k) === 'account')?.[1];
    const password = strings.find(([k]) => roleOf(k) === 'password')?.[1];
    if (value) out.push({ identity: i.name, value, ...(password ? { password } : {}) });
  }
  return out;
}

/**
 * A random account in the existing one's format, so a validator treats both alike: `vouch<hex>` (letters and digits
 * only, which any username rule takes), as long as the existing name when that is longer (10 at least), or
 * `vouch<hex>@<its domain>` for an e-mail.
 */
export function unknownLike(existing: string): string {
  const at = existing.lastIndexOf('@');
  const local = at > 0 ? existing.slice(0, at) : existing;
  const length = Math.min(Math.max(local.length, 10), 32);
  const name = `vouch${randomBytes(16).toString('hex')}`.slice(0, length);
  return at > 0 ? `${name}${existing.slice(at)}` : name;
}

const hex = (): string => randomBytes(4).toString('hex');
const strongPassword = (): string => `Vouch-${hex()}-${randomInt(10, 99)}!`;

/**
 * Wrong-password sign-ins per account per scan (keyed by the scan's surface): at most two (the probe and its
 * replay), so no account is locked out by vouch.
 */
const WRONG_PASSWORDS = 2;
const wrongPasswordsSent = new WeakMap<object, Map<string, number>>();

function reserveWrongPasswords(ctx: CheckContext<Options>, account: Account): boolean {
  let used = wrongPasswordsSent.get(ctx.surface);
  if (!used) wrongPasswordsSent.set(ctx.surface, (used = new Map()));
  const n = used.get(account.identity) ?? 0;
  if (n + WRONG_PASSWORDS > WRONG_PASSWORDS) return false;
  used.set(account.identity, n + WRONG_PASSWORDS);
  return true;
}

interface Options {
  timingRatio: number;
  timingExtraMs: number;
}

/**
 * The request for one account: its password (or a wrong one), an invalid code, fresh unique fields for a sign-up;
 * `fresh` gets the random values made up for it (an answer that echoes them is masked).
 */
function requestFor(op: Operation, kind: Kind, f: Fields, account: string, password: string | undefined, wrong: string, fresh: string[]): SendRequest | undefined {
  const values: Array<readonly [InjectionPoint, string | undefined]> = [[f.account, account]];
  for (const p of f.passwords) values.push([p, kind === 'sign-in' ? wrong : kind === 'sign-up' ? (password ?? strongPassword()) : strongPassword()]);
  if (kind === 'reset') for (const p of f.codes) values.push([p, 'vouch-invalid-code']);
  for (const p of f.others) {
    const key = squash(leafName(p));
    if (kind === 'sign-up' && /mail/.test(key)) values.push([p, `vouch-${hex()}@example.com`]);
    else if (kind === 'sign-up' && /phone|mobile|tel/.test(key)) values.push([p, `555${randomInt(1_000_000, 9_999_999)}`]);
    else if (kind === 'sign-up' && /name|nick|handle/.test(key)) values.push([p, `vouch${hex()}`]);
    else if (kind !== 'sign-up' && !isRequired(op, p)) values.push([p, undefined]); // a made-up optional value may break it
  }
  for (const [p, v] of values) if (v !== undefined && p !== f.account && !f.passwords.includes(p)) fresh.push(v);
  return buildWith(op, values);
}

/** Volatile parts of an answer: tokens, ids, times, numbers. */
const VOLATILE: ReadonlyArray<[RegExp, string]> = [
  [/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '<jwt>'],
  [/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>'],
  [/\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\b/g, '<time>'],
  [/[A-Za-z0-9+/_-]{24,}={0,2}/g, '<token>'],
  [/\b[0-9a-f]{12,}\b/gi, '<token>'],
  [/\d+/g, '<n>'],
];

/**
 * What an answer says, with the values sent (as written, URL- and JSON-encoded) and volatile parts masked:
 * status, redirect target and body. Two answers with the same key tell nothing apart.
 */
export function answerKey(x: Exchange, sent: readonly string[]): string {
  if (!x.response) return `no response: ${x.error?.code ?? ''}`;
  const location = x.response.headers.find(([k]) => k.toLowerCase() === 'location')?.[1] ?? '';
  let text = `${location}\n${x.response.bodyEncoding === 'base64' ? `<binary ${x.response.body.length}>` : x.response.body}`;
  for (const s of sent) for (const form of new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])) text = text.replace(new RegExp(escapeRegExp(form), 'gi'), '<sent>');
  for (const [re, mask] of VOLATILE) text = text.replace(re, mask);
  return `${x.response.status}\n${text}`;
}

/** A real answer to judge by: not a rate limit, not a server error, not a failure. */
const judgeable = (x: Exchange): boolean => x.response !== undefined && x.response.status !== 429 && x.response.status !== 503 && x.response.status < 500;
const ms = (x: Exchange): number => Math.round(x.timing.totalMs);
const said = (x: Exchange): string => (x.response ? `${x.response.status} ${excerpt(x.response.body, 80)}` : `no response (${x.error?.message ?? 'failed'})`);

/** One round: an unknown account, the existing one, another unknown one (in that order, so drift hits both sides). */
interface Round {
  unknown: [Exchange, Exchange];
  existing: Exchange;
  /** Every value sent that an answer may echo: the account names and the values made up for other fields. */
  names: string[];
}

type Verdict = { signal: Signal } | { inconclusive: string } | { clean: true };

/**
 * Time, once the answers agree: the existing account must be slower than the slower unknown one by `timingExtraMs`;
 * on replay also `timingRatio` times as slow. The probe asks the margin only: a scan's other tasks load the target
 * meanwhile, and confirmations, which run one at a time, decide.
 */
function judgeTime(r: Round, o: Options, stage: 'probe' | 'replay'): Verdict {
  const [a, b] = [ms(r.unknown[0]), ms(r.unknown[1])];
  const worst = Math.max(a, b);
  const margin = ms(r.existing) - worst;
  const ratio = ms(r.existing) / Math.max(worst, 1);
  if (margin >= o.timingExtraMs && (stage === 'probe' || ratio >= o.timingRatio)) return { signal: 'timing' };
  if (margin >= o.timingExtraMs) return { inconclusive: `the existing account took ${ms(r.existing)} ms, ${margin} ms more than the slower unknown one but only ${ratio.toFixed(1)}× (${o.timingRatio}× needed): the target's times were too noisy to judge` };
  // One slow unknown answer may hide an existing account slower than the other one: too noisy to call it clean.
  const hidden = ms(r.existing) - Math.min(a, b) >= o.timingExtraMs && Math.max(a, b) >= 1.5 * Math.min(a, b);
  if (hidden) return { inconclusive: `two unknown accounts took ${a} and ${b} ms, the existing one ${ms(r.existing)} ms: the controls are too noisy to judge time` };
  return { clean: true };
}

function judge(r: Round, o: Options, stage: 'probe' | 'replay'): Verdict {
  const all3 = [r.unknown[0], r.existing, r.unknown[1]];
  const bad = all3.filter((x) => !judgeable(x));
  if (bad.length) return { inconclusive: `no answer to judge by: ${all3.map((x) => x.response?.status ?? x.error?.code ?? 'failed').join(', ')} (unknown, existing, unknown)` };
  const [k1, ke, k2] = all3.map((x) => answerKey(x, r.names)) as [string, string, string];
  if (k1 !== k2) return { inconclusive: `two unknown accounts were answered differently (${said(r.unknown[0])} / ${said(r.unknown[1])}): the answer varies by itself, so a difference proves nothing` };
  if (ke === k1) return judgeTime(r, o, stage);
  // Refused as malformed while the existing name was not: the format differs, not the account's existence.
  const malformed = validationError(r.unknown[0]);
  if (malformed && !validationError(r.existing)) return { inconclusive: `the unknown accounts were refused as malformed (${malformed}: ${said(r.unknown[0])}), so the difference may be their format, not their existence` };
  return { signal: 'response' };
}

interface Data {
  kind: Kind;
  signal: Signal;
  identity: string;
  /** The unknown accounts' answer, masked: the control a replay must give again (the existing one's may move on). */
  key: string;
}

type Ctx = CheckContext<Options>;

/** Sends a round as nobody (or as the task's identity where the operation requires a login). */
async function sendRound(ctx: Ctx, op: Operation, kind: Kind, f: Fields, account: Account): Promise<Round | string> {
  const names = [unknownLike(account.value), account.value, unknownLike(account.value)];
  const wrong = `Vouch-wrong-${hex()}-1!`;
  const fresh: string[] = [];
  const reqs = names.map((n, i) => requestFor(op, kind, f, n, i === 1 ? account.password : undefined, wrong, fresh));
  if (reqs.some((r) => r === undefined)) return `the fields of ${op.method} ${op.path} cannot all be set in one request`;
  const needsLogin = op.auth === 'required' || op.declaredAuth === 'required';
  const as = needsLogin ? {} : { identity: 'anonymous' };
  const out: Exchange[] = [];
  // A wrong-password sign-in is built to be refused: it changes nothing, so it passes safe mode as a probe.
  for (const r of reqs) out.push(await ctx.send({ ...r!, ...as, ...(kind === 'sign-in' ? { probe: true } : {}) }));
  return { unknown: [out[0]!, out[2]!], existing: out[1]!, names: [...names, ...fresh] };
}

/** The accounts that fit the field, best first: e-mails for an e-mail field, else usernames before e-mails. */
function orderAccounts(op: Operation, f: Fields, accounts: readonly Account[]): Account[] {
  const email = isEmailField(op, f.account);
  const fitting = accounts.filter((a) => !email || a.value.includes('@'));
  return [...fitting.filter((a) => email === a.value.includes('@')), ...fitting.filter((a) => email !== a.value.includes('@'))];
}

const TITLES: Record<Kind, string> = {
  'sign-in': 'Account enumeration through sign-in',
  'sign-up': 'Account enumeration through sign-up',
  reset: 'Account enumeration through password reset',
};

function describe(r: Round, signal: Signal, account: Account, kind: Kind): string {
  if (signal === 'timing') return `the existing account ${JSON.stringify(account.value)} took ${ms(r.existing)} ms, two unknown accounts ${ms(r.unknown[0])} and ${ms(r.unknown[1])} ms`;
  return `the existing account ${JSON.stringify(account.value)} → ${said(r.existing)}; two unknown accounts → ${said(r.unknown[0])}${kind === 'sign-in' ? ' (all with a wrong password)' : ''}`;
}

async function probe(ctx: Ctx): Promise<CheckResult> {
  const op = prepared(ctx.operation!);
  const kind = accountKind(op)!;
  const f = fieldsOf(op)!;
  const accounts = knownAccounts(ctx);
  if (!accounts.length) return { status: 'inconclusive', reason: 'no existing account known: no configured identity logged in with a login recipe that names its username or e-mail' };
  const fitting = kind === 'sign-up' ? accounts.filter((a) => a.password !== undefined || f.passwords.length === 0) : accounts;
  if (!fitting.length) return { status: 'inconclusive', reason: "no configured account has a password in its login recipe: a sign-up with an existing name is sent only with that account's own password, so nothing of it can change" };
  const ordered = orderAccounts(op, f, fitting);
  if (!ordered.length) return { status: 'inconclusive', reason: `${pointLabel(f.account)} takes an e-mail and no configured account is an e-mail address` };
  const account = kind === 'sign-in' ? ordered.find((a) => reserveWrongPasswords(ctx, a)) : ordered[0];
  if (!account) return { status: 'inconclusive', reason: `every known account already got its ${WRONG_PASSWORDS} wrong-password sign-ins this scan (no lockouts): configure another identity` };
  const round = await sendRound(ctx, op, kind, f, account);
  if (typeof round === 'string') return { status: 'inconclusive', reason: round };
  const v = judge(round, ctx.options, 'probe');
  if ('inconclusive' in v) return { status: 'inconclusive', reason: v.inconclusive };
  if ('clean' in v) return { status: 'clean' };
  const candidate: CandidateInput = {
    operation: { method: op.method, path: op.path },
    url: round.existing.request.url,
    parameter: pointLabel(f.account),
    title: TITLES[kind],
    ...(kind === 'sign-up' ? { severity: 'low' as const } : {}),
    vulnClass: `account-enumeration:${kind}:${v.signal}`,
    confidence: 'tentative',
    proof: {
      summary: `${op.method} ${op.path} ${pointLabel(f.account)}: ${describe(round, v.signal, account, kind)}`,
      exchangeIds: [round.existing.id, round.unknown[0].id, round.unknown[1].id],
      evidence: v.signal === 'timing' ? `${ms(round.existing)} ms vs ${Math.max(ms(round.unknown[0]), ms(round.unknown[1]))} ms` : excerpt(round.existing.response?.body, 120),
    },
    ...(account.password && kind === 'sign-up' ? { redact: [account.password] } : {}),
    data: { kind, signal: v.signal, identity: account.identity, key: answerKey(round.unknown[0], round.names) } satisfies Data,
  };
  return { status: 'found', candidates: [candidate] };
}

async function replay(ctx: Ctx, data: Data): Promise<Confirmation> {
  const op = prepared(ctx.operation!);
  const f = fieldsOf(op);
  const account = knownAccounts(ctx).find((a) => a.identity === data.identity);
  if (!f || !account) return { confirmed: false, exchangeIds: [], reason: `the account of ${data.identity} or the operation's fields are gone` };
  const round = await sendRound(ctx, op, data.kind, f, account);
  if (typeof round === 'string') return { confirmed: false, exchangeIds: [], reason: round };
  const ids = [round.existing.id, round.unknown[0].id, round.unknown[1].id];
  const v = judge(round, ctx.options, 'replay');
  if ('inconclusive' in v) return { confirmed: false, exchangeIds: ids, reason: `replay: ${v.inconclusive}` };
  if (!('signal' in v) || v.signal !== data.signal) return { confirmed: false, exchangeIds: ids, reason: `the replay did not tell the accounts apart again (${describe(round, data.signal, account, data.kind)})` };
  if (data.signal === 'response' && answerKey(round.unknown[0], round.names) !== data.key) return { confirmed: false, exchangeIds: ids, reason: `unknown accounts were answered differently on replay (${said(round.unknown[0])})` };
  const how = data.signal === 'timing' ? 'again slower than both unknown accounts' : 'the same answer again, unlike two fresh unknown accounts, which agree';
  return { confirmed: true, exchangeIds: ids, summary: `${op.method} ${op.path} ${pointLabel(f.account)}: ${describe(round, data.signal, account, data.kind)}; replayed: ${how}` };
}

export default defineCheck({
  id: 'account-enumeration',
  family: 'authorization',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Account enumeration',
    description: 'A sign-in, sign-up or password-reset operation answers an existing account differently from an unknown one (status, message or time), so anyone can learn which usernames or e-mail addresses have accounts.',
    severity: 'medium',
    cwe: 'CWE-204',
    owasp: 'API2:2023 Broken Authentication',
    remediation: 'Answer every account the same way: one status and message for a wrong password and an unknown user ("invalid credentials"), "if the account exists, we sent a code" for resets, and the same work (hash a dummy password) whatever the account, so the time does not tell either.',
    proves: 'A configured account (its login worked) and two random unknown ones of the same format: the unknown ones agree, the existing one differs in status or masked body, or is slower by a ratio and a margin; a replay with two fresh unknown accounts gives the same difference (sign-in: a wrong password, at most twice per account and scan).',
  },
  options: z.strictObject({
    /**
     * Timing: on replay the existing account's answer must be this many times slower than the slower unknown one
     * (default 2); the probe asks only the margin.
     */
    timingRatio: z.number().min(1.2).max(100).default(2),
    /** Timing: and at least this many ms slower (default 100). */
    timingExtraMs: z.number().int().min(20).max(10_000).default(100),
  }),
  safeModeSkips: 'sign-up and password-reset operations (writes) are not tested; sign-in is, with a wrong password',
  appliesTo: all(methodIn('POST', 'PUT'), isAccountOperation, hasAccountField, writesOutsideSafeMode, resetNeedsCode),
  run: probe,
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    if (!ctx.operation || !data?.kind) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    return replay(ctx, data);
  },
  example: {
    url: 'http://127.0.0.1:4347/reset-password',
    summary: 'POST /reset-password json:username: the existing account "johndoe" → 200 {"detail":"PIN code sent to your phone number"}; two unknown accounts → 400 {"detail":"Invalid username"}',
  },
});
