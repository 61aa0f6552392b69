// src/checks/security/ldap-injection.ts — LDAP injection per injection point: error-based (a parenthesis or
// backslash breaks the search filter, its RFC 4515-escaped twin does not) and boolean-based (an added
// (objectClass=*) assertion, true for every entry, vs one that is never true; or a wildcard that widens the result).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { buildRequest, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { all, hasInjectionPoints, safeMethodOrNotSafeMode } from '../kit/guards.js';
import { forStrength, sumCounts } from '../kit/strength.js';
import {
  bodyOf, confirmPoint, errorProbe, howDiffer, pointCandidate, probePoints, READS, replayError, replayRounds, sameAnswer, steady, type ErrorProbe, type PointData,
} from './support/answers.js';
import type { Answered } from './support/settle.js';
import { realAnswer } from './support/tally.js';

/** Messages LDAP clients and servers print for a malformed search filter. */
export const LDAP_ERRORS: ReadonlyArray<[library: string, pattern: RegExp]> = [
  ['JNDI', /javax\.naming\.\w+|com\.sun\.jndi\.ldap|InvalidSearchFilterException|\[LDAP: error code \d+/],
  ['OpenLDAP', /Bad search filter|ldap_(?:search|list|read)(?:_ext)?\(\)|Filter Error|LDAP Result Code \d+/],
  ['ldapjs', /InvalidFilterError|\bldap\b[^\n<]{0,30}\bfilter\b[^\n<]{0,30}\b(?:error|invalid)\b|invalid (?:ldap|search) filter/i],
  ['Python', /LDAPInvalidFilterError|ldap\.FILTER_ERROR|ldap3\.core\.exceptions/],
  ['.NET', /System\.DirectoryServices|search filter is invalid/i],
  ['Java/Ruby', /com\.unboundid\.ldap|LDAPException|Net::LDAP::FilterSyntaxInvalidError/],
];

export function ldapError(text: string): { library: string; match: string } | undefined {
  for (const [library, re] of LDAP_ERRORS) {
    const m = re.exec(text);
    if (m) return { library, match: m[0] };
  }
  return undefined;
}
const signature = (text: string): string | undefined => ldapError(text)?.match;

/** The last assertion of a value that is itself a filter: `(&(a=b)(email=x))` → prefix, value, closing parens. */
const LAST_ASSERTION = /^(\(.*\([\w.;-]+[~<>:]?=)([^()]*)(\)+)\s*$/s;
export const isFilter = (v: string): boolean => LAST_ASSERTION.test(v);
const withLastValue = (filter: string, value: string): string => filter.replace(LAST_ASSERTION, (_m, pre: string, _v, close: string) => `${pre}${value}${close}`);

/** Eight random hex digits: a value no entry has. */
const fresh = (): string => `vouch${randomBytes(4).toString('hex')}`;

/**
 * Breakers with their controls. A value pasted into an assertion: the same characters escaped (RFC 4515) are valid.
 * A value that is a whole filter: the filter with its last parenthesis removed, against the same filter with
 * another value.
 */
function breakers(b: string): ErrorProbe[] {
  if (isFilter(b)) return [{ breaker: b.trimEnd().slice(0, -1), control: withLastValue(b, fresh()) }];
  return [
    { breaker: `${b})(`, control: `${b}\\29\\28` },
    { breaker: `${b}\\`, control: `${b}\\5c` },
    { breaker: `${b}(`, control: `${b}\\28` },
  ];
}

/**
 * Conditions, each carrying a fresh random value (a constant one would be "already exists" on its second use where
 * the value must be unique): `narrow` — the original value with an always-true `(|(objectClass=*)(objectClass=r))`
 * and-ed in answers like it, with the never-true `(&(objectClass=*)(objectClass=r))` it differs; `widen` — a
 * wildcard answers otherwise than a value no entry has, and two such values answer alike. A whole filter gets the
 * wildcard as its last assertion's value.
 */
type Mode = 'narrow' | 'widen';
const PAIRS: ReadonlyArray<{ mode: Mode; context: string; pair: (b: string, r: string) => [string, string] }> = [
  { mode: 'narrow', context: 'assertion value', pair: (b, r) => [`${b})(|(objectClass=*)(objectClass=${r})`, `${b})(&(objectClass=*)(objectClass=${r})`] },
  { mode: 'widen', context: 'assertion value', pair: (_b, r) => [`*)(|(objectClass=*)(objectClass=${r})`, `${r})(|(objectClass=*)(objectClass=${r})`] },
];
const FILTER_PAIR = { mode: 'widen' as Mode, context: 'whole filter', pair: (b: string, r: string): [string, string] => [withLastValue(b, '*'), withLastValue(b, r)] };
/** The pairs for a value; a wildcard that widens the match is sent only to a method that reads (it could widen a write). */
function pairsFor(b: string, n: number, method: string): Array<(typeof PAIRS)[number]> {
  const pairs = isFilter(b) ? [FILTER_PAIR] : PAIRS.slice(0, n);
  return READS.has(method.toUpperCase()) ? pairs : pairs.filter((p) => p.mode !== 'widen');
}

const ERROR_COUNTS = { low: 1, default: 2, high: 3 } as const;
const PAIR_COUNTS = { low: 1, default: 2, high: 2 } as const;

type Ctx = CheckContext<unknown>;
type Send = (r: SendRequest) => Promise<Exchange>;

async function errorBased(ctx: Ctx, op: Operation, point: InjectionPoint, baseline: Exchange): Promise<CandidateInput | undefined> {
  const probes = forStrength(breakers(point.base), ERROR_COUNTS, ctx.strength);
  const hit = await errorProbe((r) => ctx.send(r), probes, (v) => buildRequest(op, point, v), signature);
  if (!hit) return undefined;
  const { breaker, control } = hit.probe;
  const summary = `${JSON.stringify(breaker)} → ${hit.x.response?.status ?? '-'} with LDAP error "${hit.match}" (${ldapError(bodyOf(hit.x))!.library}); the well-formed ${JSON.stringify(control)} and the original value gave none`;
  return pointCandidate(op, point, 'ldap-error', [hit.x, hit.control, baseline], summary, hit.match, { technique: 'error', payload: breaker, index: probes.indexOf(hit.probe) });
}

/** One round of a condition pair, judged against the original answer (narrow) or a second fresh value (widen). */
async function pairRound(send: Send, op: Operation, point: InjectionPoint, index: number, baseline: Exchange): Promise<{ ok: boolean; xs: Exchange[]; why: string; payload: string }> {
  const { mode, pair } = pairsFor(point.base, PAIRS.length, op.method)[index]!;
  const [t, f] = pair(point.base, fresh());
  const tx = await send(buildRequest(op, point, t));
  const fx = await send(buildRequest(op, point, f));
  if (mode === 'narrow') {
    const xs = [tx, fx];
    if (![tx, fx, baseline].every(realAnswer)) return { ok: false, xs, why: `no real answer (${tx.response?.status ?? '-'}/${fx.response?.status ?? '-'})`, payload: t };
    const ok = sameAnswer(tx, baseline, t) && !sameAnswer(fx, baseline, f);
    return { ok, xs, payload: t, why: ok ? `${JSON.stringify(t)} answers like the original value, the never-true ${JSON.stringify(f)} differs (${howDiffer(fx, baseline)})` : 'the true/false difference did not repeat' };
  }
  // A second value no entry has must answer like the first: the difference is the wildcard's, not noise.
  const [, f2] = pair(point.base, fresh());
  const f2x = await send(buildRequest(op, point, f2));
  const xs = [tx, fx, f2x];
  if (!realAnswer(tx) || fx.response === undefined || fx.response.status === 429) return { ok: false, xs, why: `no real answer (${tx.response?.status ?? '-'}/${fx.response?.status ?? '-'})`, payload: t };
  const ok = sameAnswer(fx, f2x, f, f2) && !sameAnswer(tx, fx, t, f);
  return { ok, xs, payload: t, why: ok ? `the wildcard ${JSON.stringify(t)} answers otherwise than ${JSON.stringify(f)}, which no entry matches (${howDiffer(tx, fx)}), and another such value answers alike` : 'the wildcard did not widen the answer again' };
}

async function booleanBased(ctx: Ctx, op: Operation, point: InjectionPoint, baseline: Exchange): Promise<CandidateInput | undefined> {
  const pairs = pairsFor(point.base, PAIR_COUNTS[ctx.strength], op.method);
  for (let index = 0; index < pairs.length; index++) {
    const round = await pairRound((r) => ctx.send(r), op, point, index, baseline);
    if (round.ok && (await steady((r) => ctx.send(r), op, baseline))) return pointCandidate(op, point, 'ldap-boolean', [...round.xs, baseline], `${round.why}, in a ${pairs[index]!.context}`, round.why, { technique: 'boolean', payload: round.payload, index });
  }
  return undefined;
}

/** One replay of a candidate with its controls (`summary`: the probe's). */
const replayOnce = (summary: string) => (send: Send, op: Operation, data: PointData, baseline: Exchange): Promise<Answered> =>
  data.technique === 'boolean'
    ? replayRounds(() => pairRound(send, op, data.point, data.index, baseline), summary)
    : replayError(send, op, data.point, breakers(data.point.base)[data.index]!, signature, summary, 'LDAP');

export default defineCheck({
  id: 'ldap-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'LDAP injection',
    description: 'A parameter is pasted into an LDAP search filter (or is the filter): a parenthesis breaks it (error-based) or an added assertion or wildcard changes which entries match (boolean-based), so a caller can list the directory or bypass a login.',
    severity: 'high',
    cwe: 'CWE-90',
    owasp: 'A03:2021 Injection',
    remediation: 'Escape every value placed in a filter (RFC 4515: \\28 \\29 \\2a \\5c \\00), or build filters with the LDAP library\'s filter objects; never accept a filter from the caller.',
    proves: 'Error-based: an LDAP filter error comes back on replay while the escaped (or well-formed) control and the original value do not. Boolean-based: (objectClass=*) and-ed in answers like the original value while a never-true assertion differs, or a wildcard answers otherwise than values no entry has while two such values answer alike, twice more with fresh values.',
  },
  options: z.strictObject({}),
  requestsPerPoint: sumCounts({ low: 2 * ERROR_COUNTS.low, default: 2 * ERROR_COUNTS.default, high: 2 * ERROR_COUNTS.high }, { low: 3, default: 6, high: 6 }),
  appliesTo: all(hasInjectionPoints, safeMethodOrNotSafeMode),
  run: (ctx) => probePoints(ctx, 'an LDAP', signature, async (c, op, point, baseline) => (await errorBased(c, op, point, baseline)) ?? (await booleanBased(c, op, point, baseline))),
  confirm: (candidate, ctx) => confirmPoint(candidate, ctx, replayOnce(candidate.proof.summary)),
  example: { url: 'http://127.0.0.1:8080/api/users/ldap?query=(%26(objectClass=person)(email=a@example.com)', summary: 'query query: "(&(objectClass=person)(email=a@example.com)" → 500 with LDAP error "Bad search filter" (OpenLDAP); the well-formed "(&(objectClass=person)(email=vouch1a2b3c4d))" and the original value gave none' },
});
