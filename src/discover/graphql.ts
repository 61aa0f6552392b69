// src/discover/graphql.ts — GraphQL endpoints: introspection into one Operation per query and mutation field.
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type IntrospectionQuery,
} from 'graphql';
import type { HttpEngine, JsonSchema, Operation, Parameter } from '../core/index.js';

export const GRAPHQL_PATHS = ['/graphql', '/api/graphql'];

/** JSON Schema of a GraphQL input type (input objects to a few levels). */
export function inputSchema(type: GraphQLInputType, depth = 0): JsonSchema {
  if (isNonNullType(type)) return inputSchema(type.ofType, depth);
  if (isListType(type)) return { type: 'array', items: inputSchema(type.ofType, depth) };
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((v) => v.name) };
  if (isInputObjectType(type)) {
    if (depth > 3) return { type: 'object' };
    const fields = Object.values(type.getFields());
    const required = fields.filter((f) => isNonNullType(f.type)).map((f) => f.name);
    return { type: 'object', properties: Object.fromEntries(fields.map((f) => [f.name, inputSchema(f.type, depth + 1)])), ...(required.length ? { required } : {}) };
  }
  switch (type.name) {
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

/** A selection set for a return type: leaf fields, and objects' leaf fields two levels down; fields needing arguments are left out. */
function selection(type: GraphQLOutputType, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) return ' { __typename }';
  if (!isObjectType(named) && !isInterfaceType(named)) return '';
  const parts: string[] = [];
  for (const f of Object.values(named.getFields())) {
    if (f.args.some((a) => isNonNullType(a.type))) continue;
    const inner = getNamedType(f.type);
    if (isLeafType(inner)) parts.push(f.name);
    else if (depth < 1) {
      const sub = selection(f.type, depth + 1);
      if (sub && sub !== ' { }') parts.push(f.name + sub);
    }
  }
  return ` { ${parts.length ? parts.join(' ') : '__typename'} }`;
}

/** The query text that calls one root field with all its arguments as variables. */
export function fieldQuery(kind: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const vars = field.args.map((a) => `$${a.name}: ${a.type.toString()}`);
  const args = field.args.map((a) => `${a.name}: $${a.name}`);
  return `${kind} ${field.name}${vars.length ? `(${vars.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection(field.type)} }`;
}

/** Operations of an introspection result; `path` is the endpoint's path. */
export function graphqlOperations(result: IntrospectionQuery, path: string): Operation[] {
  const schema = buildClientSchema(result);
  const ops: Operation[] = [];
  for (const [kind, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const query = fieldQuery(kind, field);
      const params: Parameter[] = field.args.map((a) => ({ name: `variables.${a.name}`, in: 'body', ...(isNonNullType(a.type) ? { required: true } : {}), schema: inputSchema(a.type) }));
      ops.push({
        id: `POST ${path} ${kind}.${field.name}`,
        method: 'POST',
        path,
        params,
        requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { query: { type: 'string' }, variables: { type: 'object' } }, required: ['query'] }, example: { query, variables: {} } },
        auth: 'unknown',
        sources: ['graphql'],
        ...(field.description ? { summary: field.description } : {}),
        graphql: { kind, field: field.name, query },
      });
    }
  }
  return ops;
}

interface GraphqlAnswer {
  data?: { __schema?: unknown } | null;
  errors?: Array<{ message?: string }>;
}

function asAnswer(body: string): GraphqlAnswer | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && ('data' in v || 'errors' in v) ? (v as GraphqlAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Looks for GraphQL at `paths` (the common ones plus any the crawl met) and introspects each endpoint found.
 * Introspection disabled or failing is a warning; discovery goes on.
 */
export async function discoverGraphql(engine: HttpEngine, paths: string[], warnings: string[], mentioned: ReadonlySet<string> = new Set()): Promise<Operation[]> {
  const ops: Operation[] = [];
  const body = JSON.stringify({ query: getIntrospectionQuery({ descriptions: true }) });
  for (const path of [...new Set(paths)]) {
    let ex = await engine.send({ method: 'POST', url: path, headers: [['content-type', 'application/json'], ['accept', 'application/json']], body }, { identity: 'anonymous', checkId: 'discover' });
    if (ex.error?.code === 'VOUCH_SAFE_MODE_REFUSED') {
      // Safe mode refuses POST; many servers answer queries over GET too.
      ex = await engine.send({ method: 'GET', url: `${path}?query=${encodeURIComponent(getIntrospectionQuery({ descriptions: false }))}`, headers: [['accept', 'application/json']] }, { identity: 'anonymous', checkId: 'discover' });
    }
    const res = ex.response;
    const answer = res && res.bodyEncoding !== 'base64' ? asAnswer(res.body) : undefined;
    if (!res || !answer) {
      if (mentioned.has(path)) warnings.push(`GraphQL endpoint ${path} (mentioned by the site) did not answer a GraphQL query (${res ? `status ${res.status}` : (ex.error?.message ?? 'no response')})`);
      continue;
    }
    const schema = answer.data?.__schema;
    const messages = (answer.errors ?? []).map((e) => e.message ?? '').filter(Boolean);
    if (!schema) {
      const disabled = messages.some((m) => /introspection|__schema|__type/i.test(m));
      warnings.push(
        disabled
          ? `GraphQL endpoint ${path}: introspection is disabled (${messages[0]}); its operations are not known`
          : `GraphQL endpoint ${path}: the introspection query failed (${messages[0] ?? `status ${res.status}, no schema`}); its operations are not known`,
      );
      continue;
    }
    try {
      const found = graphqlOperations(answer.data as unknown as IntrospectionQuery, new URL(path, 'http://x').pathname);
      ops.push(...found);
      if (messages.length) warnings.push(`GraphQL endpoint ${path}: introspection answered with errors too (${messages[0]})`);
    } catch (e) {
      warnings.push(`GraphQL endpoint ${path}: the introspection result is not a usable schema (${(e as Error).message})`);
    }
  }
  return ops;
}
