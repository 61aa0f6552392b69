// src/discover/links.ts — inferred producer → consumer links: a response field (`id`, `[].id`, `items[].id`) of one
// operation that feeds a parameter of another, from names (the collection and its item path, `productId` ←
// `/products`) and, where responses were recorded, from values seen on both sides.
import type { Exchange, JsonSchema, Operation, OperationLink } from '../core/index.js';

const singular = (w: string): string => w.replace(/ies$/, 'y').replace(/(ss|x|ch|sh)es$/, '$1').replace(/s$/, '');

/** Paths into a response schema that hold an `id`-like field: `id`, `[].id`, `items[].id`. */
function idFields(schema: JsonSchema | undefined, field = 'id'): string[] {
  if (!schema) return [];
  const props = (s: JsonSchema | undefined): Record<string, JsonSchema> => ((s?.properties as Record<string, JsonSchema> | undefined) ?? {});
  const out: string[] = [];
  if (schema.type === 'array' || schema.items) {
    if (field in props(schema.items as JsonSchema | undefined)) out.push(`[].${field}`);
  }
  const top = props(schema);
  if (field in top) out.push(field);
  for (const [k, v] of Object.entries(top)) if ((v.type === 'array' || v.items) && field in props(v.items as JsonSchema | undefined)) out.push(`${k}[].${field}`);
  return out;
}

const responseSchema = (op: Operation): JsonSchema | undefined => {
  const ok = Object.entries(op.responses ?? {}).find(([s, r]) => /^2/.test(s) && r.schema);
  return ok?.[1].schema;
};

/** Values at a field path (`[].id`) in a parsed JSON body. */
function valuesAt(body: unknown, field: string): unknown[] {
  let cur: unknown[] = [body];
  for (const part of field.split('.')) {
    const arr = part.endsWith('[]');
    const key = arr ? part.slice(0, -2) : part;
    cur = cur.flatMap((v) => {
      const got = key === '' ? v : v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[key] : undefined;
      return arr ? (Array.isArray(got) ? got : []) : got === undefined ? [] : [got];
    });
  }
  return cur;
}

export interface InferLinksInput {
  operations: Operation[];
  /** Recorded exchanges (discovery's own), for value matching; optional. */
  exchanges?: readonly Exchange[];
}

/** Adds `source: 'inferred'` links to producers, in place; returns how many were added. */
export function inferLinks(input: InferLinksInput): number {
  const ops = input.operations.filter((o) => !o.graphql);
  let added = 0;
  const link = (producer: Operation, l: OperationLink): void => {
    const existing = producer.links ?? [];
    if (existing.some((x) => x.operation === l.operation && x.parameter === l.parameter)) return; // a spec link wins
    producer.links = [...existing, l];
    added++;
  };
  const collections = new Map<string, Operation[]>();
  for (const o of ops) if (!o.path.endsWith('}')) collections.set(o.path, [...(collections.get(o.path) ?? []), o]);

  for (const consumer of ops) {
    for (const p of consumer.params) {
      if (p.in !== 'path' && p.in !== 'query') continue;
      // 1. `/things/{id}` ← the collection `/things` (its list and its create).
      if (p.in === 'path' && consumer.path.endsWith(`/{${p.name}}`)) {
        const parent = consumer.path.slice(0, consumer.path.lastIndexOf('/'));
        for (const producer of collections.get(parent) ?? []) {
          if (producer === consumer || producer.method === 'DELETE') continue;
          const fields = idFields(responseSchema(producer));
          const field = fields[0] ?? (producer.method === 'POST' ? 'id' : undefined);
          if (field && (fields.length > 0 || responseSchema(producer) === undefined)) link(producer, { field, operation: consumer.id, parameter: p.name, source: 'inferred' });
        }
        continue;
      }
      // 2. `productId` ← the list of `/…/products`, where its items have an `id`.
      const m = /^(.+?)_?(?:id|Id|ID)$/.exec(p.name);
      if (!m?.[1]) continue;
      const noun = m[1].toLowerCase();
      for (const producer of ops) {
        if (producer === consumer || producer.method !== 'GET' || producer.path.endsWith('}')) continue;
        const last = producer.path.split('/').filter(Boolean).pop() ?? '';
        if (singular(last.toLowerCase()) !== noun) continue;
        const fields = idFields(responseSchema(producer));
        if (fields[0]) link(producer, { field: fields[0], operation: consumer.id, parameter: p.name, source: 'inferred' });
      }
    }
  }

  // 3. Values: a parameter example seen in a recorded response field of another operation.
  if (input.exchanges?.length) {
    const byPath = new Map<string, Operation>(ops.filter((o) => o.method === 'GET' && !o.path.includes('{')).map((o) => [o.path, o]));
    const bodies = new Map<Operation, unknown[]>();
    for (const x of input.exchanges) {
      if (x.request.method !== 'GET' || !x.response || x.response.status >= 300) continue;
      let path: string;
      try {
        path = new URL(x.request.url).pathname;
      } catch {
        continue;
      }
      const op = byPath.get(path);
      if (!op || !(x.response.headers.find(([k]) => k === 'content-type')?.[1] ?? '').includes('json')) continue;
      try {
        bodies.set(op, [...(bodies.get(op) ?? []), JSON.parse(x.response.body) as unknown]);
      } catch {
        // not JSON after all
      }
    }
    for (const consumer of ops) {
      for (const p of consumer.params) {
        const example = p.examples?.[0];
        // Only distinctive values count (a uuid, a long number): `1` is everybody's first id.
        if (example === undefined || example === null || String(example).length < 4 || p.in === 'body' || p.in === 'form') continue;
        for (const [producer, seen] of bodies) {
          if (producer === consumer) continue;
          const field = ['[].id', 'id', 'items[].id'].find((f) => seen.some((b) => valuesAt(b, f).some((v) => String(v) === String(example))));
          if (field && /id$/i.test(p.name)) link(producer, { field, operation: consumer.id, parameter: p.name, source: 'inferred' });
        }
      }
    }
  }
  return added;
}
