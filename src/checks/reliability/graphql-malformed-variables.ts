// src/checks/reliability/graphql-malformed-variables.ts — a GraphQL endpoint that crashes (5xx, no answer) on a
// malformed `variables` value instead of refusing it; proof is the crash replayed beside a well-formed control.
import { z } from 'zod';
import { operationRef } from '../../core/index.js';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck } from '../kit/define.js';

/** Malformed `variables` values, as raw JSON text: the envelope says an object (or null). */
export const MALFORMED: ReadonlyArray<{ label: string; raw: (arg: string | undefined) => string }> = [
  { label: 'a string', raw: () => '"{"' },
  { label: 'an array', raw: () => '[1]' },
  { label: 'a number', raw: () => '42' },
  { label: 'an object where a scalar is declared', raw: (arg) => (arg ? JSON.stringify({ [arg]: { nested: [[]] } }) : '{"x":{"nested":[[]]}}') },
];

const crashed = (x: Exchange): boolean => !x.response || x.response.status >= 500 && x.response.status !== 503;
const limited = (x: Exchange): boolean => x.response?.status === 429 || x.response?.status === 503;

/** The request of `op` with its `variables` replaced by raw JSON text (the query and every header kept). */
export function withVariables(op: Operation, raw: string): SendRequest {
  const base = buildRequest(op);
  const query = op.graphql?.query ?? '';
  return { ...base, body: `{"query":${JSON.stringify(query)},"variables":${raw}}` };
}

/** One field per endpoint path: a query when there is one (nothing runs either way: the document never validates). */
function fieldPerEndpoint(ops: readonly Operation[]): Operation[] {
  const by = new Map<string, Operation>();
  for (const op of ops) {
    if (!op.graphql || op.method !== 'POST' || !op.requestBody?.contentType.includes('json')) continue;
    const prior = by.get(op.path);
    if (!prior || (prior.graphql!.kind === 'mutation' && op.graphql.kind === 'query')) by.set(op.path, op);
  }
  return [...by.values()];
}

export default defineCheck({
  id: 'graphql-malformed-variables',
  family: 'reliability',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'GraphQL endpoint crashes on malformed variables',
    description: 'A GraphQL request whose `variables` is not an object (a string, an array, a number) or holds an object where a scalar is declared must be refused (a 4xx, or a 200 with `errors`). This endpoint answers 5xx or drops the connection: input reaches code that does not expect it.',
    severity: 'medium',
    cwe: 'CWE-20',
    remediation: 'Validate the request envelope before executing: `variables` must be a JSON object or null; coerce variables against their declared types (a GraphQL server library does both) and answer 400 with a GraphQL `errors` array.',
    proves: 'The well-formed request of the same field gets a real answer; the malformed one answers 5xx (or nothing), again on a replay.',
  },
  options: z.strictObject({}),
  async run(ctx) {
    const fields = fieldPerEndpoint(ctx.surface.operations);
    if (!fields.length) return { status: 'inconclusive', reason: 'no GraphQL operation in the surface (a JSON POST field)' };
    const candidates = [];
    const unanswered: string[] = [];
    for (const op of fields) {
      const control = await ctx.send({ ...buildRequest(op), probe: true });
      if (crashed(control) || limited(control)) {
        unanswered.push(`${op.id}: its well-formed request answered ${control.response?.status ?? control.error?.code ?? 'nothing'}`);
        continue;
      }
      const arg = op.params.find((p) => p.name.startsWith('variables.'))?.name.slice('variables.'.length);
      for (const m of MALFORMED) {
        const req = withVariables(op, m.raw(arg));
        const x = await ctx.send({ ...req, probe: true });
        if (limited(x)) {
          unanswered.push(`${op.id}: rate limited`);
          break;
        }
        if (!crashed(x)) continue;
        candidates.push({
          operation: operationRef(op),
          url: x.request.url,
          parameter: 'variables',
          vulnClass: 'graphql-variables-crash',
          confidence: 'tentative' as const,
          proof: {
            summary: `${op.id} with variables as ${m.label} → ${x.response ? `HTTP ${x.response.status}` : `no answer (${x.error?.code ?? 'error'})`}; the well-formed request → ${control.response!.status}`,
            exchangeIds: [x.id, control.id],
            payload: m.raw(arg),
          },
          data: { request: req, control: buildRequest(op), field: op.id },
        });
        break;
      }
    }
    if (candidates.length) return { status: 'found', candidates };
    if (unanswered.length === fields.length) return { status: 'inconclusive', reason: unanswered.join('; ') };
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const d = candidate.data as { request?: SendRequest; control?: SendRequest } | undefined;
    if (!d?.request || !d.control) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const control = await ctx.send({ ...d.control, probe: true });
    const again = await ctx.send({ ...d.request, probe: true });
    if (!crashed(control) && !limited(control) && crashed(again)) {
      return { confirmed: true, exchangeIds: [again.id, control.id], summary: `${candidate.proof.summary}; replayed: ${again.response?.status ?? 'no answer'} beside a control ${control.response!.status}` };
    }
    return { confirmed: false, exchangeIds: [again.id, control.id], reason: `the replay answered ${again.response?.status ?? 'nothing'} and the control ${control.response?.status ?? 'nothing'}` };
  },
  example: { url: 'http://127.0.0.1:8080/graphql', summary: 'POST /graphql query.search with variables as a string → HTTP 500; the well-formed request → 200' },
});
