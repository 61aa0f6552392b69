// src/discover/graphql.ts — GraphQL endpoints: introspection into one Operation per query and mutation field, and per
// subscription field the server answers over HTTP.
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
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type IntrospectionQuery,
} from 'graphql';
import type { Exchange, HttpEngine, JsonSchema, Operation, Parameter } from '../core/index.js';
import { buildRequest } from '../inject/index.js';
import { fieldOperation, rebuildBySuggestions, rebuiltOperations, scalarSchema } from './graphql-suggest.js';

/** Where GraphQL endpoints commonly live; paths the crawl, scripts or browser mention are added to these. */
export const GRAPHQL_PATHS = ['/graphql', '/api/graphql', '/v1/graphql', '/api/v1/graphql', '/graphql/v1', '/gql', '/api/gql', '/query'];

/** At most this many endpoints met only by the later crawls (signed-in crawls, the browser) are introspected. */
export const LATE_GRAPHQL_PATHS = 5;

const DOCUMENT = /^\s*(query|mutation|subscription)\b|^\s*\{/;

/**
 * Paths of the surface that look like GraphQL endpoints: a path naming graphql (or `/gql`), or a request the browser
 * or a HAR recorded whose JSON body carries a GraphQL document in `query` (`{"query":"query { … }"}`), whatever its path.
 */
export function graphqlPathsOf(ops: Iterable<Operation>): string[] {
  const out = new Set<string>();
  for (const op of ops) {
    if (op.graphql || op.path.includes('{')) continue;
    const ex = op.requestBody?.example as { query?: unknown } | undefined;
    const body = op.method === 'POST' && ex && typeof ex === 'object' && typeof ex.query === 'string' && DOCUMENT.test(ex.query);
    if (body || /graphql|(^|\/)gql(\/|$)/i.test(op.path)) out.add(op.path);
  }
  return [...out];
}

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
  return scalarSchema(type.name);
}

/** An argument's JSON Schema; `deprecated: true` when the schema marks the argument deprecated. */
function argSchema(a: GraphQLArgument): JsonSchema {
  const schema = inputSchema(a.type);
  return typeof a.deprecationReason === 'string' ? { ...schema, deprecated: true } : schema;
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
export function fieldQuery(kind: 'query' | 'mutation' | 'subscription', field: GraphQLField<unknown, unknown>): string {
  const vars = field.args.map((a) => `$${a.name}: ${a.type.toString()}`);
  const args = field.args.map((a) => `${a.name}: $${a.name}`);
  return `${kind} ${field.name}${vars.length ? `(${vars.join(', ')})` : ''} { ${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection(field.type)} }`;
}

/**
 * Operations of an introspection result; `path` is the endpoint's path. Subscription fields come last, and only with
 * `subscriptions`: discovery keeps those the server answers over HTTP (`reachSubscription`).
 */
export function graphqlOperations(result: IntrospectionQuery, path: string, subscriptions = false): Operation[] {
  const schema = buildClientSchema(result);
  const ops: Operation[] = [];
  const roots = [['query', schema.getQueryType()], ['mutation', schema.getMutationType()], ['subscription', subscriptions ? schema.getSubscriptionType() : undefined]] as const;
  for (const [kind, root] of roots) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const query = fieldQuery(kind, field);
      const params: Parameter[] = field.args.map((a) => ({ name: `variables.${a.name}`, in: 'body', ...(isNonNullType(a.type) ? { required: true } : {}), schema: argSchema(a) }));
      const deprecated = typeof field.deprecationReason === 'string' ? { deprecated: field.deprecationReason } : {};
      ops.push(fieldOperation(path, { kind, field: field.name, query, ...deprecated }, params, field.description ?? undefined));
    }
  }
  return ops;
}

/** A GraphQL response body: `data` (root fields by name, `__schema` for introspection) and `errors`. */
export interface GraphqlAnswer {
  data?: ({ __schema?: unknown } & Record<string, unknown>) | null;
  errors?: Array<{ message?: unknown; extensions?: { code?: unknown } }>;
}

function asAnswer(body: string): GraphqlAnswer | undefined {
  try {
    const v = JSON.parse(body) as unknown;
    return v && typeof v === 'object' && ('data' in v || 'errors' in v) ? (v as GraphqlAnswer) : undefined;
  } catch {
    return undefined;
  }
}

/** How a GraphQL document reaches an endpoint: a JSON POST, a GET `?query=`, or an `application/graphql` POST. */
export type GraphqlTransport = 'post-json' | 'get' | 'post-graphql';

const META = { identity: 'anonymous', checkId: 'discover' } as const;

function request(path: string, document: string, via: GraphqlTransport): Parameters<HttpEngine['send']>[0] {
  const accept: [string, string] = ['accept', 'application/json'];
  if (via === 'get') return { method: 'GET', url: `${path}${path.includes('?') ? '&' : '?'}query=${encodeURIComponent(document)}`, headers: [accept] };
  if (via === 'post-graphql') return { method: 'POST', url: path, headers: [['content-type', 'application/graphql'], accept], body: document };
  return { method: 'POST', url: path, headers: [['content-type', 'application/json'], accept], body: JSON.stringify({ query: document }) };
}

interface Asked {
  ex: Exchange;
  answer?: GraphqlAnswer;
  via: GraphqlTransport;
}

/** The exchange's body as a GraphQL answer (a JSON object with `data` or `errors`), or undefined. */
export const answerOf = (ex: Exchange): GraphqlAnswer | undefined => (ex.response && ex.response.bodyEncoding !== 'base64' ? asAnswer(ex.response.body) : undefined);

/**
 * Sends one document the first way the endpoint takes it: a JSON POST (a GET in safe mode, which refuses POST); no
 * GraphQL answer and not a 404 → a GET, then on a 415 or 400 an `application/graphql` POST. At most three requests.
 */
async function ask(engine: HttpEngine, path: string, document: string, via?: GraphqlTransport): Promise<Asked> {
  if (via) {
    const ex = await engine.send(request(path, document, via), META);
    const answer = answerOf(ex);
    return { ex, via, ...(answer ? { answer } : {}) };
  }
  let ex = await engine.send(request(path, document, 'post-json'), META);
  let answer = answerOf(ex);
  if (answer) return { ex, answer, via: 'post-json' };
  const refused = ex.error?.code === 'VOUCH_SAFE_MODE_REFUSED';
  if (!refused && (!ex.response || ex.response.status === 404)) return { ex, via: 'post-json' };
  const status = ex.response?.status;
  ex = await engine.send(request(path, document, 'get'), META);
  answer = answerOf(ex);
  if (answer || refused || (status !== 415 && status !== 400)) return { ex, via: 'get', ...(answer ? { answer } : {}) };
  ex = await engine.send(request(path, document, 'post-graphql'), META);
  answer = answerOf(ex);
  return { ex, via: 'post-graphql', ...(answer ? { answer } : {}) };
}

const messagesOf = (a: GraphqlAnswer | undefined): string[] => (a?.errors ?? []).map((e) => (typeof e.message === 'string' ? e.message : '')).filter(Boolean);

/**
 * Looks for GraphQL at `paths` (the common ones plus any the crawl, scripts or browser met) and introspects each
 * endpoint found. Introspection disabled → the root fields are rebuilt from validation errors' suggestions (a partial
 * schema, said in a warning and in each operation's summary). Introspection failing otherwise is a warning.
 */
export async function discoverGraphql(engine: HttpEngine, paths: string[], warnings: string[], mentioned: ReadonlySet<string> = new Set()): Promise<Operation[]> {
  const ops: Operation[] = [];
  const full = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true });
  const plain = getIntrospectionQuery({ descriptions: false });
  for (const path of [...new Set(paths)]) {
    let got = await ask(engine, path, full);
    // Servers older than argument deprecation refuse `includeDeprecated` on arguments: ask the plain query.
    if (got.answer && !got.answer.data?.__schema && messagesOf(got.answer).some((m) => /includeDeprecated|deprecat/i.test(m))) got = await ask(engine, path, plain, got.via);
    const res = got.ex.response;
    if (!res || !got.answer) {
      if (mentioned.has(path)) warnings.push(`GraphQL endpoint ${path} (mentioned by the site) did not answer a GraphQL query (${res ? `status ${res.status}` : (got.ex.error?.message ?? 'no response')})`);
      continue;
    }
    const route = new URL(path, 'http://x').pathname;
    const schema = got.answer.data?.__schema;
    const messages = messagesOf(got.answer);
    if (!schema) {
      const disabled = messages.some((m) => /introspection|__schema|__type/i.test(m));
      const via = got.via;
      const rebuilt = await rebuildBySuggestions(async (doc) => {
        const a = await ask(engine, path, doc, via);
        return a.answer ? messagesOf(a.answer) : undefined;
      });
      const found = [...rebuiltOperations('query', rebuilt.query, route), ...rebuiltOperations('mutation', rebuilt.mutation, route)];
      ops.push(...found);
      const why = disabled ? `introspection is disabled (${messages[0]})` : `the introspection query failed (${messages[0] ?? `status ${res.status}, no schema`})`;
      warnings.push(
        found.length
          ? `GraphQL endpoint ${path}: ${why}; ${found.length} root field${found.length === 1 ? '' : 's'} rebuilt from field suggestions in ${rebuilt.requests} requests (a partial schema: required arguments only)`
          : `GraphQL endpoint ${path}: ${why}; its operations are not known (no field suggestions in ${rebuilt.requests} requests)`,
      );
      continue;
    }
    try {
      const fields = graphqlOperations(got.answer.data as unknown as IntrospectionQuery, route, true);
      ops.push(...fields.filter((o) => o.graphql!.kind !== 'subscription'));
      ops.push(...(await reachableSubscriptions(engine, path, fields.filter((o) => o.graphql!.kind === 'subscription'), warnings)));
      if (messages.length) warnings.push(`GraphQL endpoint ${path}: introspection answered with errors too (${messages[0]})`);
    } catch (e) {
      warnings.push(`GraphQL endpoint ${path}: the introspection result is not a usable schema (${(e as Error).message})`);
    }
  }
  return ops;
}

/** How long a subscription's answer over HTTP may take: a stream still open then is one vouch's requests cannot test. */
export const SUBSCRIPTION_PROBE_MS = 3_000;

/** Media types of subscriptions over HTTP, JSON first: what vouch's requests read best. */
const SUBSCRIPTION_ACCEPT = 'application/json, multipart/mixed;subscriptionSpec="1.0";q=0.9, text/event-stream;q=0.8';
const STREAM = /^\s*(text\/event-stream|multipart\/mixed)/i;

/** Whether a subscription field answers over HTTP: with `accept` when it answered as a stream that ended. */
export type Reach = { reachable: true; accept?: string } | { reachable: false; why: string };

/**
 * Sends the subscription once the way the checks will (a JSON POST of its document and sample variables), asking for
 * JSON, `multipart/mixed` or an event stream. Reachable: a GraphQL answer with data, or a stream with data that ended
 * within `SUBSCRIPTION_PROBE_MS`. Anything else — an error status, errors without data (a server that takes
 * subscriptions over WebSocket only), a stream still open — is not, with the reason.
 */
export async function reachSubscription(engine: HttpEngine, op: Operation, url: string = op.path): Promise<Reach> {
  const req = buildRequest(op);
  const headers = [...(req.headers ?? []).filter(([k]) => k !== 'accept'), ['accept', SUBSCRIPTION_ACCEPT] as [string, string]];
  const ex = await engine.send({ ...req, url, headers, timeoutMs: SUBSCRIPTION_PROBE_MS }, META);
  const res = ex.response;
  if (!res) return { reachable: false, why: ex.error?.code === 'VOUCH_SAFE_MODE_REFUSED' ? 'not sent: safe mode refuses POST' : (ex.error?.message ?? 'no response') };
  const answer = answerOf(ex);
  const said = messagesOf(answer)[0];
  if (res.status >= 300) return { reachable: false, why: `status ${res.status}${said ? `: ${said}` : ''}` };
  const type = res.headers.find(([k]) => k === 'content-type')?.[1] ?? '';
  if (STREAM.test(type)) {
    const media = type.split(';')[0]!.trim().toLowerCase();
    if (ex.error) return { reachable: false, why: `a ${media} stream still open after ${SUBSCRIPTION_PROBE_MS / 1000} s` };
    return /"data"\s*:/.test(res.body) ? { reachable: true, accept: media } : { reachable: false, why: `a ${media} stream without data` };
  }
  if (answer?.data && typeof answer.data === 'object') return { reachable: true };
  return { reachable: false, why: said ?? `status ${res.status}, no GraphQL data` };
}

/** At most this many subscription fields are probed per endpoint; the rest are named in the warning. */
export const SUBSCRIPTION_PROBES = 20;

/**
 * The subscription operations the endpoint answers over HTTP; the others named in one warning, with why. After one
 * stream left open no other field is probed there: each would end in a timeout, and timeouts in a row open the
 * engine's circuit breaker for the whole origin.
 */
async function reachableSubscriptions(engine: HttpEngine, url: string, subs: Operation[], warnings: string[]): Promise<Operation[]> {
  const out: Operation[] = [];
  const not: string[] = [];
  let stop: string | undefined;
  for (const [i, op] of subs.entries()) {
    const name = `subscription.${op.graphql!.field}`;
    if (stop || i >= SUBSCRIPTION_PROBES) {
      not.push(`${name} (not probed: ${stop ?? `more than ${SUBSCRIPTION_PROBES} subscription fields`})`);
      continue;
    }
    const reach = await reachSubscription(engine, op, url);
    if (reach.reachable) out.push(reach.accept ? { ...op, graphql: { ...op.graphql!, accept: reach.accept } } : op);
    else {
      not.push(`${name} (${reach.why})`);
      if (/still open/.test(reach.why)) stop = `${name} answered as a stream left open`;
    }
  }
  if (not.length) warnings.push(`GraphQL endpoint ${url}: ${not.length} subscription field${not.length === 1 ? '' : 's'} not answered over HTTP, not tested: ${not.join(', ')}`);
  return out;
}
