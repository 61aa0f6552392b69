// src/checks/security/graphql-introspection.ts — active: a GraphQL endpoint answers an anonymous introspection query
// with its schema (every query, mutation and type: the whole API's map). Proof: the `__schema` answer, again on replay.
import { z } from 'zod';
import type { Exchange, Identity } from '../../core/index.js';
import { jsonBody } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { mediaType, pathOf } from './support/exchanges.js';
import { Tally } from './support/tally.js';

/** Where GraphQL endpoints usually are, tried when the surface holds no GraphQL operation. */
export const USUAL_PATHS = ['/graphql', '/api/graphql'];

/** A small introspection query: root type names and every type's name and kind. */
export const INTROSPECTION = 'query VouchIntrospection { __schema { queryType { name } mutationType { name } types { name kind } } }';

export interface Schema {
  query?: string;
  mutation?: string;
  /** Names of the types the schema declares, built-ins (`__Type`, `String`…) left out. */
  types: string[];
}

const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/** The schema an answer discloses: a JSON `data.__schema` with a list of types; undefined for anything else. */
export function schemaOf(x: Exchange): Schema | undefined {
  const res = x.response;
  if (!res || res.status !== 200 || res.bodyEncoding === 'base64' || !mediaType(res).includes('json')) return undefined;
  const s = (jsonBody(x)?.value as { data?: { __schema?: { queryType?: { name?: unknown }; mutationType?: { name?: unknown } | null; types?: unknown } } } | null)?.data?.__schema;
  if (!s || !Array.isArray(s.types) || s.types.length === 0) return undefined;
  const names = s.types.map((t) => (t as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string');
  if (!names.length) return undefined;
  return {
    ...(typeof s.queryType?.name === 'string' ? { query: s.queryType.name } : {}),
    ...(typeof s.mutationType?.name === 'string' ? { mutation: s.mutationType.name } : {}),
    types: names.filter((n) => !n.startsWith('__') && !BUILT_IN.has(n)),
  };
}

/** The endpoints to ask: paths of the surface's GraphQL operations, else the usual ones. */
export function endpoints(ctx: Pick<CheckContext<unknown>, 'surface'>): string[] {
  const seen = [...new Set(ctx.surface.operations.filter((o) => o.graphql || /\/graphql$/i.test(o.path)).map((o) => o.path))].sort();
  return seen.length ? seen : USUAL_PATHS;
}

/** Who asks: the anonymous identity when there is one (introspection for anyone is the finding), else the task's. */
const asker = (ctx: Pick<CheckContext<unknown>, 'identities' | 'identity'>): Identity => ctx.identities.find((i) => i.role === 'anonymous') ?? ctx.identity;

/**
 * Sends the introspection query: a JSON POST, or in safe mode (which sends no POST) a GET with `?query=` that GraphQL
 * servers answer too (the preflight header satisfies Apollo's CSRF prevention).
 */
const introspect = (ctx: CheckContext<unknown>, path: string, identity: string): Promise<Exchange> =>
  ctx.safeMode
    ? ctx.send({ method: 'GET', url: `${path}?query=${encodeURIComponent(INTROSPECTION)}`, identity, headers: [['apollo-require-preflight', 'true']] })
    : ctx.send({ method: 'POST', url: path, identity, headers: [['content-type', 'application/json']], body: JSON.stringify({ query: INTROSPECTION }) });

const describe = (s: Schema): string =>
  `${s.types.length} type(s) (${s.types.slice(0, 5).join(', ')}${s.types.length > 5 ? ', …' : ''})`
  + `${s.query ? `, query root ${s.query}` : ''}${s.mutation ? `, mutation root ${s.mutation}` : ''}`;

export default defineCheck({
  id: 'graphql-introspection',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'GraphQL introspection open to anonymous callers',
    description: 'A GraphQL endpoint answers an introspection query from a caller without credentials with its full schema: every query, mutation, argument and type, including ones the user interface never shows.',
    severity: 'low',
    cwe: 'CWE-200',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Turn introspection off in deployed environments (Apollo `introspection: false`, graphql-js `NoSchemaIntrospectionCustomRule`, NestJS `GraphQLModule.forRoot({ introspection: false })`), or allow it only to signed-in developers; turn the GraphiQL/Playground IDE off too.',
    proves: 'An introspection query sent without credentials gets a 200 JSON answer whose `data.__schema` lists the types, and a replay gets it again.',
  },
  options: z.strictObject({
    /** More endpoint paths to ask (besides the surface's GraphQL operations or /graphql, /api/graphql). Default none. */
    paths: z.array(z.string().startsWith('/')).default([]),
  }),
  async run(ctx) {
    const who = asker(ctx);
    const paths = [...new Set([...endpoints(ctx), ...ctx.options.paths])];
    const tally = new Tally();
    const candidates: CandidateInput[] = [];
    for (const path of paths) {
      const x = tally.note(await introspect(ctx, path, who.name));
      const schema = schemaOf(x);
      if (!schema) continue;
      candidates.push({
        operation: { method: x.request.method, path },
        url: x.request.url,
        identity: who.name,
        severity: 'low',
        vulnClass: 'graphql-introspection',
        confidence: 'tentative',
        proof: {
          summary: `${x.request.method} ${pathOf(x.request.url)} with an introspection query${who.role === 'anonymous' ? ' and no credentials' : ` as ${who.name}`} → 200 with the schema: ${describe(schema)}`,
          exchangeIds: [x.id],
          evidence: `data.__schema: ${describe(schema)}`,
          payload: INTROSPECTION,
        },
      });
    }
    if (candidates.length) return { status: 'found', candidates };
    // A real answer that is not a schema (404, a refusal in `errors`, a login page) says introspection is not open there.
    const result = tally.result();
    return result.status === 'clean' ? result : { status: 'inconclusive', reason: `${paths.join(', ')}: ${result.status === 'inconclusive' ? result.reason : ''}` };
  },
  async confirm(candidate, ctx) {
    const x = await introspect(ctx, candidate.operation.path, candidate.identity);
    const schema = schemaOf(x);
    if (schema) return { confirmed: true, exchangeIds: [x.id], summary: `${candidate.proof.summary}; a replay got it again (${schema.types.length} types)` };
    return { confirmed: false, exchangeIds: [x.id], reason: `the replay got ${x.response ? `${x.response.status} without a schema` : 'no answer'}` };
  },
  example: { url: 'http://127.0.0.1:8080/graphql', summary: 'POST /graphql with an introspection query and no credentials → 200 with the schema: 14 type(s) (Query, Mutation, Product, User, Order, …), query root Query, mutation root Mutation' },
});
