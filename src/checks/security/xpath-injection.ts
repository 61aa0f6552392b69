// src/checks/security/xpath-injection.ts — XPath injection per injection point, strongest proof first: error-based
// (a quote or bracket makes the XPath engine fail, its balanced twin does not) and boolean-based (an XPath-only
// condition, string-length(), true vs false changes the answer). Each technique has its own vulnClass and proof.
import { randomInt } from 'node:crypto';
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

/** Messages XPath engines print on a malformed expression (libxml2, Java, .NET, lxml, Node's xpath, PHP). */
export const XPATH_ERRORS: ReadonlyArray<[engine: string, pattern: RegExp]> = [
  ['libxml2', /xmlXPath(?:Eval|CompOpEval|CompiledEval)\b|XPath error\s*:\s*\w+|Invalid predicate|Unfinished literal/],
  ['PHP', /(?:SimpleXMLElement::xpath|DOMXPath::(?:query|evaluate))\(\)/],
  ['Java', /javax\.xml\.xpath\.|XPathExpressionException|net\.sf\.saxon\.trans\.XPathException|(?:com\.sun\.)?org\.apache\.xpath\./],
  ['.NET', /System\.Xml\.XPath\.|XPathException|'[^'\n]{0,80}' has an invalid token|Expression must evaluate to a node-set/],
  ['lxml', /XPathEvalError|XPathSyntaxError|lxml\.etree\.XPath/],
  ['xpath (Node)', /XPath parse error|Unterminated string literal/],
  ['XPath', /\bxpath (?:parse |syntax |evaluation |expression )?(?:error|exception)\b|\b(?:error|exception) in (?:the )?xpath\b|\binvalid xpath\b/i],
];

export function xpathError(text: string): { engine: string; match: string } | undefined {
  for (const [engine, re] of XPATH_ERRORS) {
    const m = re.exec(text);
    if (m) return { engine, match: m[0] };
  }
  return undefined;
}
const signature = (text: string): string | undefined => xpathError(text)?.match;

/** Breakers and their balanced twins: `'x'='` closes the literal and compares it with an empty one. */
const BREAKERS: ReadonlyArray<(b: string) => ErrorProbe> = [
  (b) => ({ breaker: `${b}'`, control: `${b}'='` }),
  (b) => ({ breaker: `${b}[`, control: `${b}[1]` }),
  (b) => ({ breaker: `${b}"`, control: `${b}"="` }),
];

/** A condition only XPath evaluates (SQL reads `string-length` as a subtraction and fails): true or false. */
const cond = (r: string, truth: boolean, q = "'"): string => `string-length(${q}${r}${q})=${r.length + (truth ? 0 : 1)}`;

/**
 * True and false conditions per syntactic context. `widens`: the condition is or-ed in, so the false one answers
 * like the original value and the true one differs; otherwise it is and-ed in, so the true one answers like it.
 */
export const BOOLEAN_PAIRS: ReadonlyArray<{ context: string; widens?: true; pair: (b: string, r: string) => [string, string] }> = [
  { context: 'single-quoted string', pair: (b, r) => [`${b}' and ${cond(r, true)} and 'a'='a`, `${b}' and ${cond(r, false)} and 'a'='a`] },
  { context: 'string argument of a function', pair: (b, r) => [`${b}') and ${cond(r, true)} and ('a'='a`, `${b}') and ${cond(r, false)} and ('a'='a`] },
  { context: 'path expression', pair: (b, r) => [`${b}[${cond(r, true)}]`, `${b}[${cond(r, false)}]`] },
  { context: 'single-quoted string, or-ed in', widens: true, pair: (b, r) => [`${b}' or ${cond(r, true)} or 'a'='b`, `${b}' or ${cond(r, false)} or 'a'='b`] },
  { context: 'double-quoted string', pair: (b, r) => [`${b}" and ${cond(r, true, '"')} and "a"="a`, `${b}" and ${cond(r, false, '"')} and "a"="a`] },
];

const ERROR_COUNTS = { low: 1, default: 3, high: 3 } as const;
const PAIR_COUNTS = { low: 1, default: 4, high: 5 } as const;
/** A fresh operand: 3 to 8 lowercase letters. */
const operand = (): string => Array.from({ length: randomInt(3, 9) }, () => String.fromCharCode(97 + randomInt(26))).join('');

type Ctx = CheckContext<unknown>;
type Send = (r: SendRequest) => Promise<Exchange>;

async function errorBased(ctx: Ctx, op: Operation, point: InjectionPoint, baseline: Exchange): Promise<CandidateInput | undefined> {
  const probes = forStrength(BREAKERS, ERROR_COUNTS, ctx.strength).map((f) => f(point.base));
  const hit = await errorProbe((r) => ctx.send(r), probes, (v) => buildRequest(op, point, v), signature);
  if (!hit) return undefined;
  const { breaker, control } = hit.probe;
  const summary = `${JSON.stringify(breaker)} → ${hit.x.response?.status ?? '-'} with XPath error "${hit.match}" (${xpathError(bodyOf(hit.x))!.engine}); the balanced ${JSON.stringify(control)} and the original value gave none`;
  return pointCandidate(op, point, 'xpath-error', [hit.x, hit.control, baseline], summary, hit.match, { technique: 'error', payload: breaker, index: BREAKERS.findIndex((f) => f(point.base).breaker === breaker) });
}

/** One round of a pair: undefined when it shows the injection, else why not. */
async function pairRound(send: Send, op: Operation, point: InjectionPoint, index: number, baseline: Exchange): Promise<{ ok: boolean; xs: Exchange[]; why: string; payload: string }> {
  const { widens, pair } = BOOLEAN_PAIRS[index]!;
  const [t, f] = pair(point.base, operand());
  const tx = await send(buildRequest(op, point, t));
  const fx = await send(buildRequest(op, point, f));
  const xs = [tx, fx];
  if (![tx, fx, baseline].every(realAnswer)) return { ok: false, xs, why: `no real answer (${tx.response?.status ?? '-'}/${fx.response?.status ?? '-'})`, payload: t };
  const [[like, sentLike], [unlike, sentUnlike]] = widens ? [[fx, f], [tx, t]] as const : [[tx, t], [fx, f]] as const;
  const ok = sameAnswer(like, baseline, sentLike) && !sameAnswer(unlike, baseline, sentUnlike);
  const why = widens
    ? `false condition ${JSON.stringify(f)} answers like the original value, true condition ${JSON.stringify(t)} differs (${howDiffer(tx, baseline)})`
    : `true condition ${JSON.stringify(t)} answers like the original value, false condition ${JSON.stringify(f)} differs (${howDiffer(fx, baseline)})`;
  return { ok, xs, why: ok ? why : 'the true/false difference did not repeat', payload: t };
}

async function booleanBased(ctx: Ctx, op: Operation, point: InjectionPoint, baseline: Exchange): Promise<CandidateInput | undefined> {
  const n = forStrength(BOOLEAN_PAIRS, PAIR_COUNTS, ctx.strength).length;
  for (let index = 0; index < n; index++) {
    if (BOOLEAN_PAIRS[index]!.widens && !READS.has(op.method.toUpperCase())) continue; // an or-ed condition may widen a write
    const round = await pairRound((r) => ctx.send(r), op, point, index, baseline);
    if (round.ok && (await steady((r) => ctx.send(r), op, baseline))) return pointCandidate(op, point, 'xpath-boolean', [...round.xs, baseline], `${round.why} in a ${BOOLEAN_PAIRS[index]!.context}`, round.why, { technique: 'boolean', payload: round.payload, index });
  }
  return undefined;
}

/** One replay of a candidate with its controls (`summary`: the probe's). */
const replayOnce = (summary: string) => (send: Send, op: Operation, data: PointData, baseline: Exchange): Promise<Answered> =>
  data.technique === 'boolean'
    ? replayRounds(() => pairRound(send, op, data.point, data.index, baseline), summary)
    : replayError(send, op, data.point, BREAKERS[data.index]!(data.point.base), signature, summary, 'XPath');

export default defineCheck({
  id: 'xpath-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'XPath injection',
    description: 'A parameter is pasted into an XPath expression: a quote or bracket breaks it (error-based) or an added XPath condition changes the answer (boolean-based), so a caller can read the whole XML document or bypass a login.',
    severity: 'high',
    cwe: 'CWE-643',
    owasp: 'A03:2021 Injection',
    remediation: 'Never build XPath from strings: use variables bound by the XPath API (XPathVariableResolver, lxml/xpath variables), or validate the value against a strict allow-list and escape quotes.',
    proves: 'Error-based: an XPath engine error comes back on replay while the balanced control (the same quote closed, or the bracket with a predicate) and the original value do not. Boolean-based: true and false string-length() conditions — XPath-only syntax — answer differently twice more with fresh operands, the one that leaves the query unchanged like the original value.',
  },
  options: z.strictObject({}),
  requestsPerPoint: sumCounts({ low: 2 * ERROR_COUNTS.low, default: 2 * ERROR_COUNTS.default, high: 2 * ERROR_COUNTS.high }, { low: 2 * PAIR_COUNTS.low + 1, default: 2 * PAIR_COUNTS.default + 1, high: 2 * PAIR_COUNTS.high + 1 }),
  appliesTo: all(hasInjectionPoints, safeMethodOrNotSafeMode),
  run: (ctx) => probePoints(ctx, 'an XPath', signature, async (c, op, point, baseline) => (await errorBased(c, op, point, baseline)) ?? (await booleanBased(c, op, point, baseline))),
  confirm: (candidate, ctx) => confirmPoint(candidate, ctx, replayOnce(candidate.proof.summary)),
  example: { url: "http://127.0.0.1:8080/api/partners/search?keyword=Walter'", summary: "query keyword: \"Walter'\" → 500 with XPath error \"XPath parse error\" (xpath (Node)); the balanced \"Walter'='\" and the original value gave none" },
});
