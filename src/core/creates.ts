// src/core/creates.ts — which operations create an object through a PUT on a collection (`PUT /menu` "Create Menu
// Item"), read from the spec: the harm guard lets such creates through, and checks find the creates of a collection.
import type { Operation } from './types.js';

/** Keys of a body or a create's answer whose value is the object's own id. */
export const OBJECT_KEYS: readonly string[] = ['id', '_id', 'uuid'];

/** Words of a spec's summary that say an operation creates an object. */
const CREATE_WORDS = /\b(create|add|new|insert)\b/i;

/** The top-level properties of an operation's request body schema (the first of `allOf`/`anyOf`/`oneOf` too). */
function bodyProperties(op: Operation): string[] {
  const schema = op.requestBody?.schema;
  if (!schema) return [];
  const parts = [schema, ...(['allOf', 'anyOf', 'oneOf'] as const).flatMap((k) => (Array.isArray(schema[k]) ? (schema[k] as Array<Record<string, unknown>>) : []))];
  return parts.flatMap((x) => (x.properties && typeof x.properties === 'object' ? Object.keys(x.properties) : []));
}

/**
 * Why an operation is a create through a PUT on a collection (`PUT /menu` answering the new item), or undefined: a
 * PUT with no path parameter whose spec says it creates (a declared 201 answer, or "create", "add", "new" in its
 * summary) and whose body schema has no field naming the object itself (`id`, `_id`, `uuid`: an upsert by id).
 */
export function collectionPutCreate(op: Operation): string | undefined {
  if (op.method.toUpperCase() !== 'PUT' || op.graphql || op.path.includes('{') || !op.requestBody) return undefined;
  if (bodyProperties(op).some((k) => OBJECT_KEYS.includes(k))) return undefined;
  if (op.responses?.['201']) return 'its spec declares a 201 answer and its body names no object';
  if (op.summary && CREATE_WORDS.test(op.summary)) return `its spec's summary says "${op.summary}" and its body names no object`;
  return undefined;
}

