// src/generate/stateful.ts — resource life cycles from operation links: which operation creates a resource, which
// reads and deletes it, and which response field names it (spec links first, else inferred from the routes).
import type { Operation, OperationLink, Surface } from '../core/index.js';

export interface Lifecycle {
  create: Operation;
  read?: { op: Operation; parameter: string };
  remove?: { op: Operation; parameter: string };
  /** Path into the create response body (`id`, `data.id`). */
  field: string;
  /** Where the link came from. */
  source: OperationLink['source'] | 'route';
}

const itemRoute = (collection: string, op: Operation): string | undefined => {
  const m = /^(.*)\/\{([^}/]+)\}$/.exec(op.path);
  return m && m[1] === collection ? m[2] : undefined;
};

/** The life cycle of what `create` (a POST) makes, or undefined when nothing reads or deletes it. */
export function lifecycleOf(create: Operation, surface: Surface): Lifecycle | undefined {
  if (create.method !== 'POST') return undefined;
  const byId = new Map(surface.operations.map((o) => [o.id, o]));
  const linked = (method: string): { op: Operation; parameter: string; field: string; source: OperationLink['source'] } | undefined => {
    for (const l of create.links ?? []) {
      const op = byId.get(l.operation);
      if (op?.method === method && op.path.includes(`{${l.parameter}}`)) return { op, parameter: l.parameter, field: l.field, source: l.source };
    }
    return undefined;
  };
  const routed = (method: string): { op: Operation; parameter: string } | undefined => {
    for (const op of surface.operations) {
      if (op.method !== method) continue;
      const parameter = itemRoute(create.path, op);
      if (parameter) return { op, parameter };
    }
    return undefined;
  };
  const lr = linked('GET');
  const ld = linked('DELETE');
  const read = lr ?? routed('GET');
  const remove = ld ?? routed('DELETE');
  if (!read && !remove) return undefined;
  const field = lr?.field ?? ld?.field ?? 'id';
  return { create, ...(read ? { read: { op: read.op, parameter: read.parameter } } : {}), ...(remove ? { remove: { op: remove.op, parameter: remove.parameter } } : {}), field, source: lr?.source ?? ld?.source ?? 'route' };
}

/** The value at `field` (`id`, `data.id`, `items[].id` takes the first item) of a JSON body. */
export function pick(body: unknown, field: string): unknown {
  let cur: unknown = body;
  for (const part of field.split('.')) {
    const arr = part.endsWith('[]');
    const key = arr ? part.slice(0, -2) : part;
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
    if (arr) cur = Array.isArray(cur) ? cur[0] : undefined;
  }
  return cur;
}

/** `op`'s path with `parameter` set to `value` and other template parameters filled by `fill`. */
export function itemPath(op: Operation, parameter: string, value: unknown, fill: (name: string) => string): string {
  return op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(name === parameter ? String(value) : fill(name)));
}
