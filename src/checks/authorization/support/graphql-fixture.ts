// src/checks/authorization/support/graphql-fixture.ts — a small graphql-js shop for the authorization checks' tests:
// two users and an admin, a field without an owner check and its safe twin, an admin field without a role check and
// its safe twin. Not signed in → HTTP 200 with an `errors` array and null data, as many GraphQL servers answer.
import { buildSchema, graphql, introspectionFromSchema, GraphQLError } from 'graphql';
import type { Identity, Operation } from '../../../core/index.js';
import { graphqlOperations } from '../../../discover/graphql.js';
import { sendJson, serveFixture, type Fixture } from '../../kit/fixture.js';

const schema = buildSchema(`
  type User { id: ID! name: String! }
  type Order { id: ID! owner: String! item: String! }
  type Stats { users: Int! revenue: Int! }
  type Query {
    me: User
    myOrders: [Order!]!
    order(id: ID!): Order
    safeOrder(id: ID!): Order
    adminStats: Stats
    adminUsers: [User!]
    "All products (public)."
    products: [String!]!
  }
  type Mutation { adminDeleteUser(id: ID!): Boolean }
`);

const ORDERS = [
  { id: '101', owner: 'alice', item: 'alice secret crystal' },
  { id: '102', owner: 'alice', item: 'alice amethyst' },
  { id: '201', owner: 'bob', item: 'bob quartz' },
];
const USERS: Record<string, string> = { 'Bearer alice': 'alice', 'Bearer bob': 'bob', 'Bearer root': 'root' };

export const identities: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'alice', role: 'user', auth: { kind: 'bearer', token: 'alice' } },
  { name: 'bob', role: 'user', auth: { kind: 'bearer', token: 'bob' } },
  { name: 'root', role: 'privileged', auth: { kind: 'bearer', token: 'root' } },
];

/** The shop's fields as discovery makes them from its introspection. */
export const operations: Operation[] = graphqlOperations(introspectionFromSchema(schema), '/graphql');
export const pick = (...fields: string[]): Operation[] => operations.filter((o) => fields.includes(o.graphql!.field));

/** Serves the shop on POST /graphql. */
export async function serveShop(): Promise<Fixture> {
  return serveFixture(async (req, res) => {
    const who = USERS[req.headers.authorization ?? ''];
    const signedIn = (): string => {
      if (!who) throw new GraphQLError('sign in first');
      return who;
    };
    const admin = (): void => {
      if (signedIn() !== 'root') throw new GraphQLError('admins only');
    };
    const root = {
      me: () => ({ id: signedIn() === 'alice' ? 'u1' : 'u2', name: signedIn() }),
      myOrders: () => ORDERS.filter((o) => o.owner === signedIn()),
      order: ({ id }: { id: string }) => (signedIn() ? (ORDERS.find((o) => o.id === id) ?? null) : null), // no owner check
      safeOrder: ({ id }: { id: string }) => ORDERS.find((o) => o.id === id && o.owner === signedIn()) ?? null,
      adminStats: () => (signedIn() ? { users: 3, revenue: 4200 } : null), // no role check
      adminUsers: () => {
        admin();
        return [{ id: 'u1', name: 'alice' }];
      },
      products: () => ['quartz', 'amethyst'],
      adminDeleteUser: () => {
        admin();
        return true;
      },
    };
    const { query, variables } = JSON.parse(req.body) as { query: string; variables?: Record<string, unknown> };
    const result = await graphql({ schema, source: query, rootValue: root, variableValues: variables ?? null });
    sendJson(res, 200, result);
  });
}
