// src/checks/security/nosql-injection.ts — NoSQL operator injection: `{"$ne": …}` in a JSON field or `p[$ne]=` in
// a query/form/cookie parameter turns a value into a query operator; proof is a differential against controls.
import { z } from 'zod';
import type { Exchange, Operation } from '../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint, type Mutation } from '../../inject/index.js';
import { isSuccess, similarBodies } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { all, hasInjectionPoints, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';
import { forStrength } from '../kit/strength.js';
import { nonce, textBody } from './support/exchanges.js';
import { realAnswer, Tally, watched } from './support/tally.js';

/** Operators that match more than the literal value would; `arg(miss)` is their argument. */
export const OPERATORS: ReadonlyArray<{ op: string; arg: (miss: string) => string | boolean }> = [
  { op: '$ne', arg: (m) => m },
  { op: '$gt', arg: () => '' },
  { op: '$regex', arg: () => '.*' },
  { op: '$exists', arg: () => true },
];

/** Operators per strength; each point also costs one literal control, and a hit one non-operator control. */
const OPERATOR_COUNTS = { low: 1, default: 2, high: 4 } as const;

type Where = 'json' | 'bracket';
/** Where an operator can go: JSON fields take an object; query, form and cookie parameters take `name[$op]`. */
const whereOf = (p: InjectionPoint): Where | undefined => (p.location === 'json' ? 'json' : p.location === 'query' || p.location === 'form' || p.location === 'cookie' ? 'bracket' : undefined);
const points = (op: Operation): InjectionPoint[] => injectionPoints(op).filter((p) => whereOf(p) !== undefined);
const hasOperatorPoints: Guard = (op) => (points(op).length > 0 ? undefined : 'no JSON field, query, form or cookie parameter');

/** The point with key `key` (an operator, or a look-alike without `$`) applied to `value`. */
function keyed(point: InjectionPoint, key: string, value: string | boolean): Mutation {
  return whereOf(point) === 'json' ? { raw: { [key]: value } } : { name: `${point.name}[${key}]`, value: String(value) };
}

const bodyOf = (x: Exchange): string => textBody(x.response);
const same = (a: Exchange, b: Exchange): boolean => a.response?.status === b.response?.status && similarBodies(bodyOf(a), bodyOf(b), 0.95).similar;
const lookAlike = (op: string): string => op.replace('$', 'x');

interface Probe {
  literal: Exchange;
  operator: Exchange;
  plain: Exchange;
  differs: boolean;
}

/** Operator, then (when it answers successfully and unlike `literal`) the same key without `$`: the operator must
 * differ from both controls, which must agree. */
async function probe(ctx: Pick<CheckContext<unknown>, 'send'>, op: Operation, point: InjectionPoint, index: number, literal: Exchange): Promise<Probe | undefined> {
  const o = OPERATORS[index]!;
  const miss = `vouch${nonce()}`;
  const x = await ctx.send(buildRequest(op, point, keyed(point, o.op, o.arg(miss))));
  if (!x.response || !realAnswer(literal) || !isSuccess(x.response.status) || same(x, literal)) return undefined;
  const plain = await ctx.send(buildRequest(op, point, keyed(point, lookAlike(o.op), o.arg(miss))));
  return { literal, operator: x, plain, differs: same(plain, literal) && !same(x, plain) };
}

/** A literal value that matches nothing: the control every operator is compared with. */
const literalControl = (ctx: Pick<CheckContext<unknown>, 'send'>, op: Operation, point: InjectionPoint): Promise<Exchange> => ctx.send(buildRequest(op, point, `vouch${nonce()}`));

const describe = (point: InjectionPoint, key: string): string => (whereOf(point) === 'json' ? `${point.name}: {"${key}": …}` : `${point.name}[${key}]=…`);

export default defineCheck({
  id: 'nosql-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'NoSQL operator injection',
    description: 'A value reaches a document-database query as is: an object like {"$ne": x} (or p[$ne]=x in a URL) becomes a query operator and matches records the value should not.',
    severity: 'high',
    cwe: 'CWE-943',
    owasp: 'A03:2021 Injection',
    remediation: 'Check the type of every value before it reaches a query (a string must be a string), reject keys starting with $ (e.g. mongo-sanitize), and turn off bracket parsing into objects for parameters that are scalars.',
    proves: 'The operator answers successfully and differently from a literal value that matches nothing, while the same object with a non-operator key answers like the literal; repeated with a fresh value.',
  },
  options: z.strictObject({}),
  requestsPerPoint: { low: 1 + OPERATOR_COUNTS.low + 1, default: 1 + OPERATOR_COUNTS.default + 1, high: 1 + OPERATOR_COUNTS.high + 1 },
  appliesTo: all(hasInjectionPoints, hasOperatorPoints, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const candidates: CandidateInput[] = [];
    const tally = new Tally();
    const c = watched(ctx, (x) => tally.note(x));
    for (const point of points(op)) {
      const literal = await literalControl(c, op, point);
      for (let i = 0; i < forStrength(OPERATORS, OPERATOR_COUNTS, ctx.strength).length; i++) {
        const p = await probe(c, op, point, i, literal);
        if (!p) continue;
        if (!p.differs) break; // the look-alike differs too: the answer follows the input's shape, not an operator
        const key = OPERATORS[i]!.op;
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: p.operator.request.url,
          parameter: pointLabel(point),
          vulnClass: 'nosql-operator',
          confidence: 'tentative',
          proof: {
            summary: `${point.location} ${describe(point, key)} → ${p.operator.response?.status ?? '-'} unlike the literal control (${p.literal.response?.status ?? '-'}, ${similarBodies(bodyOf(p.operator), bodyOf(p.literal)).why}), while the non-operator key ${lookAlike(key)} answers like the literal`,
            exchangeIds: [p.operator.id, p.literal.id, p.plain.id],
            evidence: bodyOf(p.operator).slice(0, 200),
            payload: describe(point, key),
          },
          data: { point, index: i },
        });
        break;
      }
    }
    if (candidates.length) return { status: 'found', candidates };
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { point: InjectionPoint; index: number } | undefined;
    if (!ctx.operation || !data) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const literal = await literalControl(ctx, ctx.operation, data.point);
    const p = await probe(ctx, ctx.operation, data.point, data.index, literal);
    if (!p) return { confirmed: false, exchangeIds: [literal.id], reason: 'with a fresh value the operator answered like the literal control, or not successfully' };
    const ids = [p.operator.id, p.literal.id, p.plain.id];
    if (!p.differs) return { confirmed: false, exchangeIds: ids, reason: 'the non-operator look-alike answered differently from the literal too' };
    return { confirmed: true, exchangeIds: ids, summary: `${candidate.proof.summary}; repeated with a fresh value: the operator, literal and look-alike controls answered the same way again` };
  },
  example: { url: 'http://127.0.0.1:8080/api/users?name%5B%24ne%5D=vouch1a2b3c4d5e', summary: 'query name[$ne]=… → 200 unlike the literal control (200, 12% similar), while the non-operator key xne answers like the literal' },
});
