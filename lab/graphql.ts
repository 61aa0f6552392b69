// lab/graphql.ts — `POST /api/graphql`: the shop's products over GraphQL, introspection on for anyone (both-graphql-introspection),
// no alias or depth limit (both-graphql-no-alias-limit, both-graphql-no-depth-limit: `Product.related` nests without
// end), one planted SQL injection; `/api/v1/graphql` is the hardened safe twin.
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
import type { ProductRow } from './db.js';
import type { Ctx, Route } from './http.js';
import { readBody, sendJson } from './http.js';

const SCHEMA: GraphQLSchema = buildSchema(`
  type Product {
    id: ID!, name: String!, description: String, category: String!, price: Float!, stock: Int!
    "Other products of its category: a self-reference a query can nest as deep as it likes (no depth limit)."
    related(first: Int = 3): [Product!]!
  }
  type Query {
    "One product by id (a bound parameter in both variants: the safe twin)."
    product(id: ID!): Product
    "Products whose name contains \`name\` (the candidate pastes it into the SQL: sql-injection)."
    productsByName(name: String!): [Product!]!
  }
`);

/** The safe twin's endpoint (`/api/v1/graphql`): one bound field, introspection refused. */
const PRIVATE: GraphQLSchema = buildSchema(`
  type Product { id: ID!, name: String!, price: Float!, related(first: Int = 3): [Product!]! }
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

/** The deepest field nesting the safe twin runs (graphql-armor's maxDepth, graphql-depth-limit). */
export const MAX_DEPTH = 5;

/** A validation rule refusing an operation whose fields nest deeper than `limit` (the root field is depth 1). */
const maxDepth = (limit: number) => (context: ValidationContext): ASTVisitor => {
  let depth = 0;
  let reported = false;
  return {
    Field: {
      enter(node) {
        if (++depth > limit && !reported) {
          reported = true;
          context.reportError(new GraphQLError(`Query is too deep: at most ${limit} levels of fields`, { nodes: node }));
        }
      },
      leave() {
        depth--;
      },
    },
  };
};

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

/** `Product.related(first)`: the other products of its category, at most `first` (0 to 20), each resolved by `node`. */
const relatedOf = (ctx: Ctx, row: ProductRow, node: (r: ProductRow) => Record<string, unknown>) => ({ first }: { first?: number | null }) =>
  ctx.lab.db.products(row.category).filter((p) => p.id !== row.id).slice(0, Math.max(0, Math.min(first ?? 3, 20))).map(node);

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
  const node = (row: ProductRow): Record<string, unknown> => ({ ...productJson(row), related: relatedOf(ctx, row, node) });
  const rootValue = {
    product: ({ id }: { id: string }) => {
      const row = /^\d{1,9}$/.test(id) ? db.productById(Number(id)) : undefined;
      return row ? node(row) : null;
    },
    productsByName: ({ name }: { name: string }) => (traits.concatenatedGraphqlSearch ? db.searchProductsConcatenated(name) : db.searchProducts(name)).map(node),
  };
  const result = await run(SCHEMA, request.query, rootValue, request.variables);
  // A request that never ran (a syntax, validation or variable error) is the client's: 400, as GraphQL over HTTP says.
  sendJson(ctx.res, result.data === undefined ? 400 : 200, result);
}

/**
 * The safe twin: introspection refused by validation (graphql-js's NoSchemaIntrospectionCustomRule), at most
 * MAX_ALIASES aliases and MAX_DEPTH levels of fields per document, and errors without field suggestions.
 */
async function handlePrivate(ctx: Ctx): Promise<void> {
  const request = await readRequest(ctx);
  if (!request) return;
  const node = (row: ProductRow): Record<string, unknown> => ({ id: row.id, name: row.name, price: row.price, related: relatedOf(ctx, row, node) });
  const rootValue = {
    product: ({ id }: { id: string }) => {
      const row = /^\d{1,9}$/.test(id) ? ctx.lab.db.productById(Number(id)) : undefined;
      return row ? node(row) : null;
    },
  };
  const rules = [...specifiedRules, NoSchemaIntrospectionCustomRule, maxAliases(MAX_ALIASES), maxDepth(MAX_DEPTH)];
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
