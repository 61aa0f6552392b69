// src/checks/reliability/support/depth.ts — GraphQL query depth, pure: a self-referencing path in an introspected
// schema that nests without fan-out (single objects, or lists held to one item by a limit argument), the query nested n
// levels along it, and how deep its answer really goes.
import {
  buildClientSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLField,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';

/** Arguments that cap a list: set to 1, so each level of the nesting holds one object. */
const LIMIT_ARG = /^(first|last|limit|take|size|top|count|page_?size|per_?page|max)$/i;

/** One field of the chain: its name, the argument literals sent with it, and whether it answers a list. */
export interface Edge {
  field: string;
  /** `(first: 1)`, `(id: "1")`, or empty. */
  args: string;
  list: boolean;
  /** A list held to one item by a limit argument. */
  limited: boolean;
  /** The type it leads to. */
  type: string;
}

/** A root field, the edges from its type to a type seen before on the way, and the cycle back to it. */
export interface DepthPath {
  root: Edge;
  prefix: Edge[];
  cycle: Edge[];
}

/** A literal for a required argument of a scalar or enum type (`"1"`, `1`, `true`, the first enum value). */
function literal(type: Parameters<typeof getNamedType>[0]): string | undefined {
  const t = getNullableType(type);
  if (isListType(t)) return undefined;
  if (isEnumType(t)) return t.getValues()[0]?.name;
  if (!isScalarType(t)) return undefined;
  if (t.name === 'Int' || t.name === 'Float') return '1';
  if (t.name === 'Boolean') return 'true';
  return '"1"';
}

/** The field as an edge: limit arguments set to 1, required arguments filled; undefined when one cannot be. */
export function edgeOf(field: GraphQLField<unknown, unknown>): Edge | undefined {
  const named = getNamedType(field.type);
  if (!isObjectType(named) && !isInterfaceType(named)) return undefined;
  const outer = getNullableType(field.type);
  const list = isListType(outer);
  if (list && isListType(getNullableType(outer.ofType))) return undefined; // lists of lists: no limit holds them
  const parts: string[] = [];
  let limited = false;
  for (const a of field.args) {
    const t = getNullableType(a.type);
    if (LIMIT_ARG.test(a.name) && isScalarType(t) && (t.name === 'Int' || t.name === 'Float')) {
      parts.push(`${a.name}: 1`);
      limited = true;
    } else if (isNonNullType(a.type) && a.defaultValue === undefined) {
      const v = literal(a.type);
      if (v === undefined) return undefined;
      parts.push(`${a.name}: ${v}`);
    }
  }
  return { field: field.name, args: parts.length ? `(${parts.join(', ')})` : '', list, limited: list && limited, type: named.name };
}

/** An edge that nests without fan-out: one object, or a list held to one. */
const safe = (e: Edge): boolean => !e.list || e.limited;

const describeEdge = (from: string, e: Edge): string => `${from}.${e.field}${e.args} → ${e.list ? `[${e.type}]` : e.type}`;

/** `Product.related(first: 1) → [Product]`: the cycle, for summaries and reasons. */
export function describePath(p: DepthPath): string {
  const start = p.prefix.length ? p.prefix[p.prefix.length - 1]!.type : p.root.type;
  let from = start;
  return p.cycle.map((e) => {
    const s = describeEdge(from, e);
    from = e.type;
    return s;
  }).join(', ');
}

/** Walks from a type over edges `allowed` lets through, up to `max` edges, to the first type met twice. */
function walk(schema: GraphQLSchema, start: string, allowed: (e: Edge) => boolean, max: number): { prefix: Edge[]; cycle: Edge[] } | undefined {
  const visit = (types: string[], edges: Edge[]): { prefix: Edge[]; cycle: Edge[] } | undefined => {
    if (edges.length >= max) return undefined;
    const type = schema.getType(types[types.length - 1]!);
    if (!isObjectType(type) && !isInterfaceType(type)) return undefined;
    const next = Object.values(type.getFields()).map(edgeOf).filter((e): e is Edge => e !== undefined && allowed(e));
    // Single objects before lists, so the cycle found first is the one with the least fan-out.
    next.sort((a, b) => Number(a.list) - Number(b.list));
    for (const e of next) {
      const seen = types.indexOf(e.type);
      if (seen >= 0) return { prefix: edges.slice(0, seen), cycle: [...edges.slice(seen), e] };
    }
    for (const e of next) {
      const found = visit([...types, e.type], [...edges, e]);
      if (found) return found;
    }
    return undefined;
  };
  return visit([start], []);
}

/** The result of looking for a path: one to nest along, or why there is none. */
export type PathSearch = { path: DepthPath } | { none: string };

/**
 * A root query field whose type reaches a cycle over edges without fan-out (at most 4 edges in all). Root fields
 * answering one object are tried first. When the only cycles pass through lists without a limit argument, says so.
 */
export function findDepthPath(result: IntrospectionQuery): PathSearch {
  const schema = buildClientSchema(result);
  const query = schema.getQueryType();
  if (!query) return { none: 'the schema has no query type' };
  const roots = Object.values(query.getFields()).map(edgeOf).filter((e): e is Edge => e !== undefined);
  roots.sort((a, b) => Number(a.list && !a.limited) - Number(b.list && !b.limited) || a.args.length - b.args.length);
  for (const root of roots) {
    const found = walk(schema, root.type, safe, 4);
    if (found) return { path: { root, ...found } };
  }
  for (const root of roots) {
    const found = walk(schema, root.type, () => true, 4);
    if (found) {
      return { none: `the only self-referencing path from query.${root.field} (${describePath({ root, ...found })}) passes through lists without a limit argument: not sent (each level would multiply the work)` };
    }
  }
  return { none: roots.length ? 'no object type refers back to itself (directly or through others) from a query field whose arguments vouch can fill' : 'no query field returns an object type' };
}

/** The chain of `levels` fields (root, prefix, the cycle repeated), or undefined when the prefix alone is longer. */
export function chain(p: DepthPath, levels: number): Edge[] | undefined {
  const out = [p.root, ...p.prefix];
  if (out.length > levels) return undefined;
  for (let i = 0; out.length < levels; i++) out.push(p.cycle[i % p.cycle.length]!);
  return out;
}

/** `query VouchDepth { product(id: "1") { related(first: 1) { … { __typename } } } }`: `n` levels of fields. */
export function depthDocument(edges: readonly Edge[]): string {
  const open = edges.map((e) => `${e.field}${e.args} { `).join('');
  return `query VouchDepth { ${open}__typename${' }'.repeat(edges.length)} }`;
}

/**
 * How many levels of the chain the answer's `data` holds (objects all the way, `__typename` at the bottom: all
 * `edges.length + 1`), and whether a list held to one item answered more (its limit ignored: fan-out).
 */
export function answerDepth(data: unknown, edges: readonly Edge[]): { levels: number; fanOut: boolean } {
  let cur: unknown = data;
  let levels = 0;
  for (const e of edges) {
    let v = (cur as Record<string, unknown> | null | undefined)?.[e.field];
    if (Array.isArray(v)) {
      if (e.limited && v.length > 1) return { levels, fanOut: true };
      v = v[0];
    }
    if (!v || typeof v !== 'object') return { levels, fanOut: false };
    levels++;
    cur = v;
  }
  const typename = (cur as { __typename?: unknown }).__typename;
  return { levels: typeof typename === 'string' ? levels + 1 : levels, fanOut: false };
}
