// src/checks/security/weak-session-id.ts — active: an operation issues a cookie whose successive values are predictable
// (a counter, the Unix time, an MD5/SHA hash of either, or very short); proof is the sequence of issued values and a
// prediction of the next one that the next request's value meets.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext, type Confirmation } from '../kit/define.js';
import { all, noPathParams, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';
import { parseSetCookie } from './cookie-flags.js';
import { headerAll } from './support/exchanges.js';
import { realAnswer } from './support/tally.js';

/** Hashes recognised by length (hex digits) and the numbers whose hashes are precomputed. */
const HASHES: ReadonlyArray<[length: number, algorithm: string]> = [
  [32, 'md5'],
  [40, 'sha1'],
  [64, 'sha256'],
];
const SMALL_INTEGERS = 10_000;
/** A Unix time (s or ms) within this many seconds of when its request was sent counts as the time. */
const CLOCK_SLACK_S = 3;
/** Values this short (and not numbers) are guessable by trying them all. */
const SHORT = 4;

const hex = (algorithm: string, text: string): string => createHash(algorithm).update(text).digest('hex');

let smallHashes: Map<string, { algorithm: string; n: number }> | undefined;
/** Hex hash → the small integer it hashes (0..10,000), for each hash of HASHES; built once, on first need. */
function hashedIntegers(): Map<string, { algorithm: string; n: number }> {
  if (!smallHashes) {
    smallHashes = new Map();
    for (const [, algorithm] of HASHES) {
      for (let n = 0; n <= SMALL_INTEGERS; n++) smallHashes.set(hex(algorithm, String(n)), { algorithm, n });
    }
  }
  return smallHashes;
}

/** One issued value and when its request was sent (epoch ms) and answered. */
export interface Issued {
  value: string;
  sentAt: number;
  answeredAt: number;
}

/**
 * How the values are made: `counter` (integers stepping by `step`), `time` (the Unix time in s or ms), each maybe
 * hashed (`hash`: md5, sha1, sha256 of the decimal text), or `short` (guessable by brute force, no prediction).
 */
export type Model =
  | { kind: 'counter'; step: number; last: number; hash?: string }
  | { kind: 'time'; unit: 's' | 'ms'; hash?: string }
  | { kind: 'short'; length: number };

const INTEGER = /^-?\d{1,15}$/;
/** Names of an identifier (`PHPSESSID`, `dvwaSession`, `sid`, `user_id`, `auth_token`), not a setting or a count. */
const IDENTIFIER = /sess|sid|(^|[_.-])id$|^id|uid|token|auth|key|ticket/i;

/** The integer behind a value: itself, or the small integer or Unix time (near `sentAt`) whose hash it is. */
function numberOf(v: Issued, hash: string | undefined): number | undefined {
  if (hash === undefined) return INTEGER.test(v.value) ? Number(v.value) : undefined;
  const small = hashedIntegers().get(v.value.toLowerCase());
  if (small?.algorithm === hash) return small.n;
  const s = Math.floor(v.sentAt / 1000);
  const end = Math.ceil(v.answeredAt / 1000) + CLOCK_SLACK_S;
  for (let t = s - CLOCK_SLACK_S; t <= end; t++) if (hex(hash, String(t)) === v.value.toLowerCase()) return t;
  return undefined;
}

const nearTime = (n: number, v: Issued, unit: 's' | 'ms'): boolean => {
  const scale = unit === 's' ? 1000 : 1;
  return n * scale >= v.sentAt - CLOCK_SLACK_S * 1000 && n * scale <= v.answeredAt + CLOCK_SLACK_S * 1000;
};

/**
 * The model that explains every issued value, or undefined (random-looking: nothing to predict). The time may repeat
 * (requests within one second); a counter and short values must differ on every request.
 */
export function modelOf(values: readonly Issued[]): Model | undefined {
  if (values.length < 3) return undefined;
  const distinct = new Set(values.map((v) => v.value)).size === values.length;
  const first = values[0]!.value;
  const hash = /^[0-9a-f]+$/i.test(first) ? HASHES.find(([len]) => len === first.length)?.[1] : undefined;
  for (const h of hash ? [hash] : [undefined]) {
    const ns = values.map((v) => numberOf(v, h));
    if (ns.some((n) => n === undefined)) continue;
    const nums = ns as number[];
    const hashed = h ? { hash: h } : {};
    for (const unit of ['s', 'ms'] as const) if (nums.every((n, i) => nearTime(n, values[i]!, unit))) return { kind: 'time', unit, ...hashed };
    const step = nums[1]! - nums[0]!;
    const steady = nums.every((n, i) => i === 0 || n - nums[i - 1]! === step);
    if (distinct && step !== 0 && steady) return { kind: 'counter', step, last: nums.at(-1)!, ...hashed };
  }
  const longest = Math.max(...values.map((v) => v.value.length));
  const short = distinct && longest <= SHORT && !values.every((v) => INTEGER.test(v.value));
  return short ? { kind: 'short', length: longest } : undefined;
}

const render = (n: number, hash: string | undefined): string => (hash ? hex(hash, String(n)) : String(n));

/** Whether a value issued at `v` is what the model predicts: the counter's next value, or the time then. */
export function meets(model: Model, v: Issued): boolean {
  if (model.kind === 'counter') return v.value.toLowerCase() === render(model.last + model.step, model.hash);
  if (model.kind === 'time') {
    const n = numberOf(v, model.hash);
    return n !== undefined && nearTime(n, v, model.unit);
  }
  return false;
}

export const describeModel = (m: Model): string => {
  const of = (what: string): string => (('hash' in m && m.hash) ? `the ${m.hash} of ${what}` : what);
  if (m.kind === 'counter') return of(`a counter stepping by ${m.step}`);
  if (m.kind === 'time') return of(`the Unix time in ${m.unit === 's' ? 'seconds' : 'milliseconds'}`);
  return `values of at most ${m.length} characters`;
};

/** The value a model predicts next, for the summary. */
function prediction(m: Model): string {
  if (m.kind === 'counter') return render(m.last + m.step, m.hash);
  return m.kind === 'time' ? `${m.hash ? `${m.hash} of ` : ''}the time of the next request` : '-';
}

/** Cookies an answer sets (deletions left out), by name. */
function cookiesSet(x: Exchange): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of headerAll(x.response?.headers, 'set-cookie')) {
    const c = parseSetCookie(raw);
    const maxAge = c?.attrs.get('max-age');
    const removed = !c || c.value === '' || c.value === 'deleted' || (maxAge !== undefined && Number(maxAge) <= 0);
    if (c && !removed) out.set(c.name, decodeURIComponent(c.value.replace(/^"|"$/g, '')));
  }
  return out;
}

const issued = (x: Exchange, name: string): Issued | undefined => {
  const value = cookiesSet(x).get(name);
  if (value === undefined) return undefined;
  return { value, sentAt: x.timing.startedAt, answeredAt: x.timing.startedAt + x.timing.totalMs };
};

/** Form fields that are data, not the button that submits (a one-value enum is a button's `name=value`). */
const dataFields = (op: Operation): string[] =>
  op.params
    .filter((p) => p.in !== 'header' && p.in !== 'cookie' && !(Array.isArray(p.schema?.enum) && p.schema.enum.length === 1))
    .map((p) => p.name);

/** GETs, and HTML form POSTs that carry no data: a bare action (a "Generate" button) is repeated, never a write of data. */
const bareAction: Guard = (op) => {
  if (op.method === 'GET') {
    // A bare request is the operation only when nothing is required (a `?path=` it needs would make it a 4xx/5xx).
    const required = op.params.filter((p) => p.required && p.in !== 'cookie' && p.in !== 'header').map((p) => p.name);
    if (required.length) return `a GET with required parameters (${required.join(', ')}): only bare requests are repeated`;
    return undefined;
  }
  if (op.method !== 'POST') return `method ${op.method}: only GETs and bare POST actions are repeated`;
  // An API POST without a body still acts (creates, triggers): only a page's button is known to be a bare action.
  if (!op.sources.includes('html')) return 'a POST that is no HTML form: only the bare action of a page (a button) is repeated';
  const fields = dataFields(op);
  if (!fields.length && !op.requestBody?.schema?.['properties']) return undefined;
  return `a POST with data fields (${fields.join(', ') || 'a body schema'}): only bare action POSTs are repeated`;
};

/** The bare request: a GET, or a POST with an empty form body (what the button sends). */
function request(op: Operation, ctx: CheckContext<{ samples: number }>): SendRequest {
  const form: SendRequest = { method: 'POST', url: ctx.url(op.path), headers: [['content-type', 'application/x-www-form-urlencoded']], body: '' };
  return op.method === 'POST' ? form : { method: op.method, url: ctx.url(op.path) };
}

export default defineCheck({
  id: 'weak-session-id',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Predictable session identifier',
    description: 'An operation issues a cookie whose values follow from the previous ones or from the clock (a counter, the Unix time, a hash of either, or a handful of characters), so another user\u2019s value can be guessed.',
    severity: 'high',
    cwe: 'CWE-330',
    owasp: 'A07:2021 Identification and Authentication Failures',
    remediation: 'Issue session identifiers from a cryptographically secure random generator with at least 128 bits of entropy (the framework\u2019s session manager does); never derive them from counters, time or user data, hashed or not.',
    proves: 'The values issued by repeated identical requests (6 by default) fit a model (counter, Unix time, MD5/SHA-1/SHA-256 of either), and the next request issues the value the model predicts (the counter\u2019s next value, or the time in the predicted window); short values stay tentative.',
  },
  options: z.strictObject({
    /** Requests whose issued values are analysed (default 6). */
    samples: z.number().int().min(3).max(20).default(6),
  }),
  safeModeSkips: 'POST actions (only GETs are repeated)',
  appliesTo: all(noPathParams, bareAction, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const samples = ctx.options.samples ?? 6;
    // A GET discovery already made that set no cookie says enough; otherwise one request shows whether one is set.
    const seen = ctx.recorded().filter((x) => x.response && x.request.method === op.method && new URL(x.request.url).pathname === op.path);
    if (op.method === 'GET' && seen.length && seen.every((x) => cookiesSet(x).size === 0)) return { status: 'clean' };
    const xs: Exchange[] = [];
    const first = await ctx.send(request(op, ctx));
    xs.push(first);
    if (!realAnswer(first)) {
      const got = first.response?.status ?? first.error?.message ?? 'nothing';
      return { status: 'inconclusive', reason: `${op.method} ${op.path} got no answer to judge by (${got})` };
    }
    const names = [...cookiesSet(first).keys()];
    if (!names.length) return { status: 'clean' };
    while (xs.length < samples) xs.push(await ctx.send(request(op, ctx)));
    const candidates: CandidateInput[] = [];
    const why: string[] = [];
    for (const name of names.filter((n) => IDENTIFIER.test(n))) {
      const values = xs.map((x) => issued(x, name)).filter((v): v is Issued => v !== undefined);
      if (values.length < samples) {
        why.push(`${name} was set by ${values.length} of ${samples} answers`);
        continue;
      }
      const model = modelOf(values);
      if (!model) continue;
      const shown = values.map((v) => v.value).join(', ');
      const next = model.kind === 'short' ? '' : `; the next is predicted to be ${prediction(model)}`;
      candidates.push({
        operation: { method: op.method, path: op.path },
        url: first.request.url,
        parameter: `cookie:${name}`,
        vulnClass: 'weak-session-id',
        ...(model.kind === 'short' || /sess|sid|token|auth/i.test(name) ? {} : { severity: 'medium' as const }),
        confidence: 'tentative',
        proof: {
          summary: `${samples} × ${op.method} ${op.path} set ${name} = ${shown}: ${describeModel(model)}${next}`,
          exchangeIds: xs.map((x) => x.id),
          evidence: `${name}: ${shown}`,
        },
        data: { cookie: name, model },
      });
    }
    if (candidates.length) return { status: 'found', candidates };
    if (why.length) return { status: 'inconclusive', reason: `the cookies were not issued on every request: ${why.join('; ')}` };
    return { status: 'clean' };
  },
  async confirm(candidate, ctx): Promise<Confirmation> {
    const op = ctx.operation;
    const data = candidate.data as { cookie?: string; model?: Model } | undefined;
    const no = (reason: string, exchangeIds: string[] = []): Confirmation => ({ confirmed: false, exchangeIds, reason });
    if (!op || !data?.cookie || !data.model) return no('the operation or the model is no longer known');
    if (data.model.kind === 'short') return no('short values: guessable by brute force, but there is no next value to predict');
    let model = data.model;
    const ids: string[] = [];
    // Another request (another task, a user) may take the counter's next value: predicted again from what came once.
    for (let round = 0; round < 2; round++) {
      const x = await ctx.send(request(op, ctx));
      ids.push(x.id);
      const v = issued(x, data.cookie);
      if (!v) return no(`the replay set no ${data.cookie} cookie (${x.response?.status ?? x.error?.message ?? '-'})`, ids);
      const expected = prediction(model);
      const set = `the next request set ${data.cookie} = ${v.value}`;
      if (meets(model, v)) return { confirmed: true, exchangeIds: ids, summary: `${candidate.proof.summary}; ${set}, as predicted (${expected})` };
      const n = model.kind === 'counter' ? numberOf(v, model.hash) : undefined;
      const ahead = n !== undefined && model.kind === 'counter' && (n - model.last) * Math.sign(model.step) > 0;
      if (model.kind !== 'counter' || n === undefined || !ahead) return no(`${set}, not the predicted ${expected}`, ids);
      model = { ...model, last: n };
    }
    return no(`the counter moved on between requests twice: ${data.cookie} was not the predicted value`, ids);
  },
  example: { url: 'http://127.0.0.1:8080/session/new', summary: '6 × POST /session/new set sid = 7, 8, 9, 10, 11, 12: a counter stepping by 1; the next is predicted to be 13; the next request set sid = 13, as predicted (13)' },
});
