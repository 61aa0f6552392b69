// lab/graphql.ts — `POST /api/graphql`: the shop's products over GraphQL (introspection on), one planted problem.
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
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

async function handle(ctx: Ctx): Promise<void> {
  let body: { query?: unknown; variables?: unknown };
  try {
    body = JSON.parse(await readBody(ctx.req)) as typeof body;
  } catch {
    return sendJson(ctx.res, 400, { errors: [{ message: 'the body is not JSON' }] });
  }
  if (typeof body !== 'object' || body === null || typeof body.query !== 'string') return sendJson(ctx.res, 400, { errors: [{ message: 'query must be a string' }] });
  const v = body.variables;
  if (v !== undefined && v !== null && (typeof v !== 'object' || Array.isArray(v))) return sendJson(ctx.res, 400, { errors: [{ message: 'variables must be an object' }] });
  const { db, traits } = ctx.lab;
  const rootValue = {
    product: ({ id }: { id: string }) => {
      const row = /^\d{1,9}$/.test(id) ? db.productById(Number(id)) : undefined;
      return row ? productJson(row) : null;
    },
    productsByName: ({ name }: { name: string }) => (traits.concatenatedGraphqlSearch ? db.searchProductsConcatenated(name) : db.searchProducts(name)).map(productJson),
  };
  const result = await graphql({ schema: SCHEMA, source: body.query, rootValue, ...(v ? { variableValues: v as Record<string, unknown> } : {}) });
  // A request that never ran (a syntax, validation or variable error) is the client's: 400, as GraphQL over HTTP says.
  sendJson(ctx.res, result.data === undefined ? 400 : 200, result);
}

/** The GraphQL route (both variants). */
export function graphqlRoutes(): Route[] {
  return [{ method: 'POST', path: '/api/graphql', handler: handle }];
}
