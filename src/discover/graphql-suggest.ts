// src/discover/graphql-suggest.ts — introspection off: a partial schema from validation errors ("Did you mean …").
import type { JsonSchema, Operation, Parameter } from '../core/index.js';

/**
 * Root field names common enough to guess. Each probe document also holds a field no schema has, so the document
 * never passes validation and nothing in it is executed (a mutation probe changes nothing).
 */
export const FIELD_GUESSES = [
  'user', 'users', 'me', 'viewer', 'node', 'nodes', 'search', 'product', 'products', 'order', 'orders', 'post', 'posts',
  'comment', 'comments', 'item', 'items', 'account', 'accounts', 'login', 'logout', 'register', 'signup', 'profile',
  'file', 'files', 'config', 'settings', 'admin', 'health', 'version', 'getUser', 'getUsers', 'createUser',
  'updateUser', 'deleteUser', 'addUser', 'note', 'notes', 'message', 'messages', 'review', 'reviews',
] as const;

/** The field no schema has: its error proves the document failed validation. */
const NONCE = 'vouchNoSuchField7q';

/** At most this many probe documents per root kind (names found by suggestions are probed in the next round). */
export const SUGGEST_ROUNDS = 3;

/** What one root type's validation errors told: field names, required arguments with their types, object fields. */
export interface RebuiltField {
  name: string;
  args: Array<{ name: string; type: string }>;
  /** The return type's name when the errors named it (an object type that needs a selection). */
  returns?: string;
}

/** `query { a b … vouchNoSuchField7q }`: every name a bare selection, so validation speaks about each. */
export const probeDocument = (kind: 'query' | 'mutation', names: readonly string[]): string => `${kind} { ${[...names, NONCE].join(' ')} }`;

const quoted = (s: string): string[] => [...s.matchAll(/"([_A-Za-z][_0-9A-Za-z]*)"/g)].map((m) => m[1]!);

/**
 * Reads the validation errors of one probe document of `names`: unknown names (and the suggestions their errors
 * make), required arguments, object return types. `validated`: the nonce was called unknown, so the server validated.
 */
export function readProbe(names: readonly string[], messages: readonly string[]): { unknown: Set<string>; suggested: Set<string>; fields: Map<string, RebuiltField>; validated: boolean } {
  const unknown = new Set<string>();
  const suggested = new Set<string>();
  const fields = new Map<string, RebuiltField>();
  let validated = false;
  const field = (name: string): RebuiltField => {
    let f = fields.get(name);
    if (!f) fields.set(name, (f = { name, args: [] }));
    return f;
  };
  for (const m of messages) {
    const cannot = /^Cannot query field "([^"]+)" on type "[^"]+"\.(.*)$/s.exec(m);
    if (cannot) {
      if (cannot[1] === NONCE) validated = true;
      unknown.add(cannot[1]!);
      const mean = /Did you mean (.*)\?/s.exec(cannot[2] ?? '');
      if (mean) for (const s of quoted(mean[1]!)) suggested.add(s);
      continue;
    }
    const arg = /^Field "([^"]+)" argument "([^"]+)" of type "([^"]+)" is required/.exec(m);
    if (arg) {
      const f = field(arg[1]!);
      if (!f.args.some((a) => a.name === arg[2])) f.args.push({ name: arg[2]!, type: arg[3]! });
      continue;
    }
    const sel = /^Field "([^"]+)" of type "([^"]+)" must have a selection of subfields/.exec(m);
    if (sel) field(sel[1]!).returns = sel[2]!.replace(/[[\]!]/g, '');
  }
  // A guessed name that validation did not call unknown is a field (a leaf without required arguments says nothing).
  if (validated) for (const n of names) if (!unknown.has(n) && n !== NONCE) field(n);
  return { unknown, suggested, fields, validated };
}

/** JSON Schema of a built-in scalar by name (`Int`, `String`…); a custom scalar or an input object is left open. */
export function scalarSchema(name: string): JsonSchema {
  switch (name) {
    case 'Int':
      return { type: 'integer' };
    case 'Float':
      return { type: 'number' };
    case 'Boolean':
      return { type: 'boolean' };
    case 'String':
    case 'ID':
      return { type: 'string' };
    default:
      return {};
  }
}

/** JSON Schema of a GraphQL type reference as written in an error (`[ID!]!`). */
export function typeRefSchema(ref: string): JsonSchema {
  const t = ref.replace(/!$/, '');
  if (t.startsWith('[') && t.endsWith(']')) return { type: 'array', items: typeRefSchema(t.slice(1, -1)) };
  return scalarSchema(t);
}

/** The operation of one GraphQL root field at `path`: a JSON POST of its query, its arguments as variables. */
export function fieldOperation(path: string, graphql: NonNullable<Operation['graphql']>, params: Parameter[], summary?: string): Operation {
  const { kind, field, query } = graphql;
  return {
    id: `POST ${path} ${kind}.${field}`,
    method: 'POST',
    path,
    params,
    requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { query: { type: 'string' }, variables: { type: 'object' } }, required: ['query'] }, example: { query, variables: {} } },
    auth: 'unknown',
    sources: ['graphql'],
    ...(summary ? { summary } : {}),
    graphql,
  };
}

/** One operation per rebuilt field: its required arguments as variables, `__typename` as the selection of objects. */
export function rebuiltOperations(kind: 'query' | 'mutation', fields: Iterable<RebuiltField>, path: string): Operation[] {
  const ops: Operation[] = [];
  for (const f of fields) {
    const vars = f.args.map((a) => `$${a.name}: ${a.type}`);
    const args = f.args.map((a) => `${a.name}: $${a.name}`);
    const query = `${kind} ${f.name}${vars.length ? `(${vars.join(', ')})` : ''} { ${f.name}${args.length ? `(${args.join(', ')})` : ''}${f.returns ? ' { __typename }' : ''} }`;
    const params: Parameter[] = f.args.map((a) => ({ name: `variables.${a.name}`, in: 'body', ...(a.type.endsWith('!') ? { required: true } : {}), schema: typeRefSchema(a.type) }));
    ops.push(fieldOperation(path, { kind, field: f.name, query }, params, 'rebuilt from field suggestions (introspection disabled): required arguments only'));
  }
  return ops.sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Rebuilds root fields from validation errors, at most `SUGGEST_ROUNDS` documents per root kind. `ask` sends one
 * document and returns its error messages (undefined: no GraphQL answer). Returns the fields found per kind and how
 * many documents were sent.
 */
export async function rebuildBySuggestions(
  ask: (document: string) => Promise<string[] | undefined>,
): Promise<{ query: RebuiltField[]; mutation: RebuiltField[]; requests: number }> {
  let requests = 0;
  const out = { query: [] as RebuiltField[], mutation: [] as RebuiltField[] };
  for (const kind of ['query', 'mutation'] as const) {
    const found = new Map<string, RebuiltField>();
    const tried = new Set<string>();
    let next: string[] = [...FIELD_GUESSES];
    for (let round = 0; round < SUGGEST_ROUNDS && next.length; round++) {
      for (const n of next) tried.add(n);
      const messages = await ask(probeDocument(kind, next));
      requests++;
      const got = messages ? readProbe(next, messages) : undefined;
      if (!got?.validated) {
        next = []; // no GraphQL answer, or no validation of this kind (no mutation type): nothing more to learn
        break;
      }
      for (const [name, f] of got.fields) {
        const prior = found.get(name);
        found.set(name, prior ? { ...prior, args: prior.args.length ? prior.args : f.args, ...(f.returns ? { returns: f.returns } : {}) } : f);
      }
      next = [...got.suggested].filter((s) => !tried.has(s) && !s.startsWith('__'));
    }
    // Suggested in the last round, never probed: real fields whose arguments are not known.
    for (const n of next) if (!found.has(n)) found.set(n, { name: n, args: [] });
    out[kind] = [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
  return { ...out, requests };
}
