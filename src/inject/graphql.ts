// src/inject/graphql.ts — GraphQL injection points: arguments as variables and as inline literals of the document,
// input objects down to their leaves (bounded), and the body sent with one of them changed.
import { GraphQLError, Kind, parse, print, visit, type ArgumentNode, type DocumentNode, type ObjectFieldNode, type ValueNode } from 'graphql';
import type { JsonSchema, Operation } from '../core/index.js';

/** At most this many leaves of one argument (an input object's fields, a list's items) become points. */
export const GRAPHQL_LEAVES_PER_ARG = 8;

/** At most this many levels below an argument (`variables.filter.owner.name` is two). */
export const GRAPHQL_INPUT_DEPTH = 3;

/** One leaf of an argument's sample value: its path below `variables`, its value and its schema. */
export interface GraphqlLeaf {
  path: string[];
  base: string;
  schema: JsonSchema | undefined;
}

const typeOf = (s: JsonSchema | undefined): unknown => (Array.isArray(s?.type) ? s.type[0] : s?.type);

/** A leaf whose value a string literal can carry: a String or ID (no enum), or a custom scalar (an open schema). */
export const stringLeaf = (leaf: GraphqlLeaf): boolean => {
  const t = typeOf(leaf.schema);
  return (t === 'string' || t === undefined) && !Array.isArray(leaf.schema?.enum);
};

/** The leaves of one argument's value, depth-first, at most `GRAPHQL_LEAVES_PER_ARG`, `GRAPHQL_INPUT_DEPTH` deep. */
export function argumentLeaves(arg: string, value: unknown, schema: JsonSchema | undefined): GraphqlLeaf[] {
  const out: GraphqlLeaf[] = [];
  const walk = (v: unknown, s: JsonSchema | undefined, path: string[]): void => {
    if (out.length >= GRAPHQL_LEAVES_PER_ARG || path.length - 1 > GRAPHQL_INPUT_DEPTH) return;
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, s?.items as JsonSchema | undefined, [...path, String(i)]));
    else if (v && typeof v === 'object') {
      const props = (s?.properties ?? {}) as Record<string, JsonSchema>;
      for (const [k, x] of Object.entries(v)) walk(x, props[k], [...path, k]);
    } else out.push({ path, base: v === null || v === undefined ? '' : String(v), schema: s });
  };
  walk(value, schema, [arg]);
  return out;
}

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * A value as a GraphQL literal, written as its schema says: a string as an escaped string literal (an enum's value
 * as a bare name, a number or boolean as one where the type is numeric or boolean), objects and lists field by field.
 * Object keys that are no GraphQL name (`$ne`) are left out: a literal cannot carry them.
 */
export function literal(value: unknown, schema?: JsonSchema): ValueNode {
  if (value === null || value === undefined) return { kind: Kind.NULL };
  if (Array.isArray(value)) return { kind: Kind.LIST, values: value.map((v) => literal(v, schema?.items as JsonSchema | undefined)) };
  if (typeof value === 'object') {
    const props = (schema?.properties ?? {}) as Record<string, JsonSchema>;
    const fields: ObjectFieldNode[] = Object.entries(value)
      .filter(([k]) => NAME.test(k))
      .map(([k, v]) => ({ kind: Kind.OBJECT_FIELD, name: { kind: Kind.NAME, value: k }, value: literal(v, props[k]) }));
    return { kind: Kind.OBJECT, fields };
  }
  if (typeof value === 'boolean') return { kind: Kind.BOOLEAN, value };
  if (typeof value === 'number' && Number.isFinite(value)) return { kind: Number.isInteger(value) ? Kind.INT : Kind.FLOAT, value: String(value) };
  const text = String(value);
  const t = typeOf(schema);
  if (Array.isArray(schema?.enum) && schema.enum.includes(text) && NAME.test(text) && !['true', 'false', 'null'].includes(text)) return { kind: Kind.ENUM, value: text };
  if (t === 'integer' && /^-?(0|[1-9]\d*)$/.test(text)) return { kind: Kind.INT, value: text };
  if (t === 'number' && /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return { kind: text.includes('.') || /e/i.test(text) ? Kind.FLOAT : Kind.INT, value: text };
  if (t === 'boolean' && (text === 'true' || text === 'false')) return { kind: Kind.BOOLEAN, value: text === 'true' };
  return { kind: Kind.STRING, value: text };
}

/**
 * The document with the root field's argument `arg` written as `value` (a literal) instead of its variable, and that
 * variable's definition removed. Undefined when the document does not parse or does not pass `arg` through a variable
 * (`inlineBody` then sets the variable).
 */
export function inlineArgument(query: string, arg: string, value: ValueNode): string | undefined {
  let variable: string | undefined;
  let depth = 0;
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (e) {
    if (e instanceof GraphQLError) return undefined; // a document that does not parse has no argument to inline
    throw e;
  }
  const withLiteral = visit(doc, {
    Field: {
      enter: () => void depth++,
      leave: () => void depth--,
    },
    Argument: (node: ArgumentNode) => {
      if (depth !== 1 || node.name.value !== arg || node.value.kind !== Kind.VARIABLE) return undefined;
      variable = node.value.name.value;
      return { ...node, value };
    },
  });
  if (variable === undefined) return undefined;
  const name = variable;
  const printed = print(visit(withLiteral, { VariableDefinition: (node) => (node.variable.name.value === name ? null : undefined) }));
  // One line: `print` escapes line breaks inside string literals, so every one left is layout.
  return printed.replace(/\n\s*/g, ' ');
}

/** Sets `value` at `path` in a JSON value, copying what it passes through. */
export function setPath(obj: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  if (Array.isArray(obj)) {
    const copy = [...obj];
    copy[Number(head)] = setPath(copy[Number(head)], rest, value);
    return copy;
  }
  const o = (obj && typeof obj === 'object' ? obj : {}) as Record<string, unknown>;
  return { ...o, [head]: setPath(o[head], rest, value) };
}

/**
 * The body of a GraphQL operation with the leaf `path` (`[arg, …fields]`) of its variables set to `value` and the
 * argument written inline: `{ query: 'query q { search(term: "…") { … } }', variables: { …the others } }`.
 */
export function inlineBody(op: Operation, variables: Record<string, unknown>, path: string[], value: unknown): { query: string; variables: Record<string, unknown> } {
  const [arg, ...rest] = path as [string, ...string[]];
  const schema = op.params.find((p) => p.in === 'body' && p.name === `variables.${arg}`)?.schema;
  const query = op.graphql?.query ?? '';
  const written = inlineArgument(query, arg, literal(setPath(variables[arg], rest, value), schema));
  const { [arg]: _inlined, ...others } = variables;
  return written === undefined ? { query, variables: setPath(variables, path, value) as Record<string, unknown> } : { query: written, variables: others };
}
