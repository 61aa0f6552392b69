// src/checks/authorization/support/graphql.ts — GraphQL answers for the authorization checks: a root field's data
// (an `errors` array with null data is a refusal), ids inside it, id arguments and the sibling fields to harvest from.
import type { Exchange, Operation, SendRequest } from '../../../core/index.js';
import { buildRequest, injectionPoints } from '../../../inject/index.js';
import { accepted, jsonBody } from '../../kit/compare.js';

/** The data a GraphQL answer gives for one root field: undefined when refused (status, `errors` and null, no data). */
export function fieldData(x: Exchange, field: string): unknown {
  if (!accepted(x)) return undefined;
  const v = jsonBody(x)?.value as { data?: Record<string, unknown> | null; errors?: unknown } | undefined;
  const data = v?.data?.[field];
  if (data === undefined || data === null) return undefined;
  if (Array.isArray(data) && data.length === 0) return undefined;
  return data;
}

/** Why an answer is not data for `field`, for reasons and summaries: its status, or its first GraphQL error. */
export function refusal(x: Exchange | undefined): string {
  if (!x?.response) return x?.error?.code ?? 'nothing';
  const v = jsonBody(x)?.value as { errors?: Array<{ message?: unknown }> } | undefined;
  const message = Array.isArray(v?.errors) ? v.errors.find((e) => typeof e?.message === 'string')?.message : undefined;
  return typeof message === 'string' ? `${x.response.status}, error "${message.slice(0, 80)}"` : `${x.response.status} without data`;
}

/** The argument of a query field that names an object by id (`id`, `userId`, `order_id`, `uuid`), as a variable. */
export function idArgument(op: Operation): string | undefined {
  if (op.graphql?.kind !== 'query') return undefined;
  const names = op.params.filter((p) => p.in === 'body' && p.name.startsWith('variables.') && !p.name.slice(10).includes('.'));
  const scalar = (t: unknown): boolean => t === 'string' || t === 'integer' || t === 'number';
  const arg = names.find((p) => /^(id|uuid|[a-z][A-Za-z0-9]*Id|[a-z0-9]+_id)$/.test(p.name.slice(10)) && scalar(p.schema?.type));
  return arg?.name.slice(10);
}

/** Every value under an `id` key (or under `also`) in a JSON value, as strings. */
export function idsIn(value: unknown, also?: string, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 6 || value === null || typeof value !== 'object') return out;
  if (Array.isArray(value)) {
    for (const v of value.slice(0, 200)) idsIn(v, also, out, depth + 1);
    return out;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if ((k === 'id' || k === also) && (typeof v === 'string' || typeof v === 'number')) out.add(String(v));
    else idsIn(v, also, out, depth + 1);
  }
  return out;
}

/**
 * Query fields of the same endpoint an identity can call as they are (no required argument) whose selection names an
 * `id`: where that identity's own object ids are read. The ones whose name shares the field's stem come first.
 */
export function idSources(op: Operation, ops: readonly Operation[], max = 4): Operation[] {
  const stem = (op.graphql?.field ?? '').replace(/^(get|find|fetch|read)/i, '').replace(/(ById|By\w+)$/, '').toLowerCase();
  const usable = ops.filter((o) => o !== op && o.path === op.path && o.graphql?.kind === 'query' && !o.params.some((p) => p.required) && /[{ ]id[ }]/.test(o.graphql.query));
  const related = (o: Operation): number => (stem && o.graphql!.field.toLowerCase().includes(stem) ? 0 : 1);
  return [...usable].sort((a, b) => related(a) - related(b)).slice(0, max);
}

/** The field's request with its id argument set (a number when the argument is one). */
export function withId(op: Operation, arg: string, id: string): SendRequest {
  const point = injectionPoints(op).find((p) => p.location === 'graphql' && p.name === `variables.${arg}`);
  const numeric = ['integer', 'number'].includes(String(op.params.find((p) => p.name === `variables.${arg}`)?.schema?.type));
  return buildRequest(op, point, numeric && /^-?\d+$/.test(id) ? { raw: Number(id) } : id);
}
