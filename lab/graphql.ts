// lab/graphql.ts — `POST /api/graphql`: the shop's products over GraphQL, introspection on for anyone (both-graphql-introspection),
// no alias limit (both-graphql-no-alias-limit), one planted SQL injection; `/api/v1/graphql` is the hardened safe twin.
import {
  buildSchema,
  execute,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
  type ASTVisitor,
  type ExecutionResult,
  type GraphQLSchema,
  type ValidationContext,
} from 'graphql';
import { productJson } from './api.js';
import type { Ctx, Route } from './http.js';
import { readBody, sendJson } from './http.js';

const SCHEMA: GraphQLSchema = buildSchema(`
  type Product { id: ID!, name: String!, description: String, category: String!, price: Float!, stock: Int! }
  type Query {
    "One product by id (a bound parameter in both variants: the safe twin)."
    product(id: ID!): Product
    "Products whose name contains \`name\` (the candidate pastes it into the SQL: sql-injection)."
    productsByName(name: String!): [Product!]!
  }
`);

/** The safe twin's endpoint (`/api/v1/graphql`): one bound field, introspection refused. */
const PRIVATE: GraphQLSchema = buildSchema(`
  type Product { id: ID!, name: String!, price: Float! }
  type Query { product(id: ID!): Product }
`);

type Rules = Parameters<typeof validate>[2];

/** Parses, validates (with `rules`) and runs a document; a syntax error is a result, not a throw. */
function run(schema: GraphQLSchema, source: string, rootValue: object, variables: unknown, rules?: Rules): ExecutionResult | Promise<ExecutionResult> {
  let document;
  try {
    document = parse(source);
  } catch (e) {
    return { errors: [{ message: (e as Error).message }] } as unknown as ExecutionResult;
  }
  const errors = validate(schema, document, rules ?? specifiedRules);
  if (errors.length) return { errors };
  return execute({ schema, document, rootValue, ...(variables ? { variableValues: variables as Record<string, unknown> } : {}) });
}

/** The most aliases the safe twin runs in one document (graphql-armor's maxAliases, in a few lines). */
export const MAX_ALIASES = 15;

/** A validation rule refusing a document with more than `limit` aliased fields. */
const maxAliases = (limit: number) => (context: ValidationContext): ASTVisitor => {
  let seen = 0;
  return {
    Field(node) {
      if (node.alias && ++seen === limit + 1) context.reportError(new GraphQLError(`Too many aliases: at most ${limit} per document`, { nodes: node }));
    },
  };
};

/** Errors as the safe twin sends them: no "Did you mean …" naming fields introspection would hide. */
const withoutSuggestions = (result: ExecutionResult): ExecutionResult =>
  result.errors
    ? ({ ...result, errors: result.errors.map((e) => ({ message: e.message.replace(/ ?Did you mean .*\?$/, '') })) } as unknown as ExecutionResult)
    : result;

/** Reads a GraphQL-over-HTTP body; answers 400 itself and returns undefined when it is not one. */
async function readRequest(ctx: Ctx): Promise<{ query: string; variables?: unknown } | undefined> {
  let body: { query?: unknown; variables?: unknown };
  try {
    body = JSON.parse(await readBody(ctx.req)) as typeof body;
  } catch {
    sendJson(ctx.res, 400, { errors: [{ message: 'the body is not JSON' }] });
    return undefined;
  }
  if (typeof body !== 'object' || body === null || typeof body.query !== 'string') {
    sendJson(ctx.res, 400, { errors: [{ message: 'query must be a string' }] });
    return undefined;
  }
  const v = body.variables;
  if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) {
    sendJson(ctx.res, 400, { errors: [{ message: 'variables must be an object' }] });
    return undefined;
  }
  return { query: body.query, variables: v };
}

async function handle(ctx: Ctx): Promise<void> {
  const request = await readRequest(ctx);
  if (!request) return;
  const { db, traits } = ctx.lab;
  const rootValue = {
    product: ({ id }: { id: string }) => {
      const row = /^\d{1,9}$/.test(id) ? db.productById(Number(id)) : undefined;
      return row ? productJson(row) : null;
    },
    productsByName: ({ name }: { name: string }) => (traits.concatenatedGraphqlSearch ? db.searchProductsConcatenated(name) : db.searchProducts(name)).map(productJson),
  };
  const result = await run(SCHEMA, request.query, rootValue, request.variables);
  // A request that never ran (a syntax, validation or variable error) is the client's: 400, as GraphQL over HTTP says.
  sendJson(ctx.res, result.data === undefined ? 400 : 200, result);
}

/**
 * The safe twin: introspection refused by validation (graphql-js's NoSchemaIntrospectionCustomRule), at most
 * MAX_ALIASES aliases per document, and errors without field suggestions.
 */
async function handlePrivate(ctx: Ctx): Promise<void> {
  const request = await readRequest(ctx);
  if (!request) return;
  const rootValue = {
    product: ({ id }: { id: string }) => {
      const row = /^\d{1,9}$/.test(id) ? ctx.lab.db.productById(Number(id)) : undefined;
      return row ? { id: row.id, name: row.name, price: row.price } : null;
    },
  };
  const rules = [...specifiedRules, NoSchemaIntrospectionCustomRule, maxAliases(MAX_ALIASES)];
  const result = withoutSuggestions(await run(PRIVATE, request.query, rootValue, request.variables, rules));
  sendJson(ctx.res, result.data === undefined ? 400 : 200, result);
}

/** The GraphQL routes (both variants). */
export function graphqlRoutes(): Route[] {
  return [
    { method: 'POST', path: '/api/graphql', handler: handle },
    { method: 'POST', path: '/api/v1/graphql', handler: handlePrivate },
  ];
}
