// src/core/operation-key.ts — the stable key of a GraphQL root field (`GRAPHQL query.search`), whatever its transport.
import type { Operation, OperationRef } from './types.js';

/** `query.search` for a GraphQL operation, undefined for any other. */
export const graphqlField = (op: Pick<Operation, 'graphql'>): string | undefined => (op.graphql ? `${op.graphql.kind}.${op.graphql.field}` : undefined);

/**
 * The key that fingerprints, the surface diff and re-tests compare: `GRAPHQL query.search` for a GraphQL field (the
 * endpoint's path and the HTTP method it was sent with are transport), else `METHOD /route/{}` (templates normalized).
 */
export function operationKey(op: OperationRef): string {
  if (op.graphql) return `GRAPHQL ${op.graphql}`;
  return `${op.method.toUpperCase()} ${op.path.replace(/\{[^}]+\}/g, '{}')}`;
}

/** The reference to an operation that candidates and findings carry (with its GraphQL field when it has one). */
export function operationRef(op: Pick<Operation, 'method' | 'path' | 'graphql'>): OperationRef {
  const field = graphqlField(op);
  return { method: op.method, path: op.path, ...(field ? { graphql: field } : {}) };
}

/**
 * The parameter as fingerprints compare it: a GraphQL argument's leaf is one root cause whether it was sent as a
 * variable or written inline in the document (`graphql:inline.term` is keyed as `graphql:variables.term`).
 */
export const parameterKey = (parameter: string | undefined): string => (parameter ?? '').replace(/^graphql:inline\./, 'graphql:variables.');
