// src/prioritize/graphql-keys.test.ts — GraphQL fields keep their own key in the surface diff, fingerprints and
// re-tests: `GRAPHQL query.search`, whatever the endpoint's path or the HTTP method.
import { describe, expect, it } from 'vitest';
import type { Finding, Operation, Surface } from '../core/index.js';
import { withField } from '../execute/index.js';
import { diffSurface, fingerprint, retestedBy } from './index.js';

function field(kind: 'query' | 'mutation', name: string, args: Record<string, { type: string; deprecated?: true }>, extra: Partial<Operation> = {}, path = '/graphql'): Operation {
  return {
    id: `POST ${path} ${kind}.${name}`,
    method: 'POST',
    path,
    params: Object.entries(args).map(([a, s]) => ({ name: `variables.${a}`, in: 'body' as const, schema: { type: s.type, ...(s.deprecated ? { deprecated: true } : {}) } })),
    requestBody: { contentType: 'application/json', schema: { type: 'object', properties: { query: { type: 'string' }, variables: { type: 'object' } } } },
    auth: 'unknown',
    sources: ['graphql'],
    graphql: { kind, field: name, query: `${kind} { ${name} }` },
    ...extra,
  };
}
const surface = (operations: Operation[]): Surface => ({ operations, warnings: [] }) as unknown as Surface;

describe('GraphQL keys', () => {
  it('diffs fields and their arguments one by one: added, removed, retyped, deprecated', () => {
    const before = surface([
      field('query', 'search', { term: { type: 'string' }, limit: { type: 'integer' } }),
      field('query', 'user', { id: { type: 'string' } }),
      field('mutation', 'addNote', { title: { type: 'string' } }),
    ]);
    const after = surface([
      field('query', 'search', { term: { type: 'string', deprecated: true }, limit: { type: 'string' }, q: { type: 'string' } }),
      field('query', 'user', { id: { type: 'string' } }, { graphql: { kind: 'query', field: 'user', query: 'query { user }', deprecated: 'use node' } }),
      field('mutation', 'deleteNote', { id: { type: 'string' } }),
    ]);
    const d = diffSurface(before, after);
    expect(d.added).toEqual(['POST /graphql mutation.deleteNote']);
    expect(d.removed).toEqual(['POST /graphql mutation.addNote']);
    expect(d.deprecated).toEqual(['POST /graphql query.user']);
    expect(d.paramsChanged).toEqual([
      { operation: 'POST /graphql query.search', parameter: 'variables.limit', in: 'body', change: 'retyped', from: 'integer', to: 'string' },
      { operation: 'POST /graphql query.search', parameter: 'variables.q', in: 'body', change: 'added', to: 'string' },
      { operation: 'POST /graphql query.search', parameter: 'variables.term', in: 'body', change: 'deprecated' },
    ]);
  });

  it('a field that moved to another endpoint path is the same operation; no diff', () => {
    const d = diffSurface(surface([field('query', 'search', { term: { type: 'string' } })]), surface([field('query', 'search', { term: { type: 'string' } }, {}, '/api/graphql')]));
    expect([...d.added, ...d.removed, ...(d.paramsChanged ?? [])]).toEqual([]);
  });

  it('fingerprints per field, stable across path and method; non-GraphQL fingerprints unchanged', () => {
    const base = { checkId: 'sql-injection', parameter: 'graphql:variables.term', vulnClass: 'sqli-error' };
    const a = fingerprint({ ...base, method: 'POST', path: '/graphql', graphql: 'query.search' });
    expect(fingerprint({ ...base, method: 'GET', path: '/api/graphql', graphql: 'query.search' })).toBe(a);
    expect(fingerprint({ ...base, method: 'POST', path: '/graphql', graphql: 'query.find' })).not.toBe(a);
    expect(fingerprint({ ...base, method: 'POST', path: '/graphql' })).not.toBe(a);
  });

  it('execute names the task\'s field on its candidates; a candidate elsewhere is left as it is', () => {
    const op = field('query', 'search', {});
    expect(withField({ operation: { method: 'POST', path: '/graphql' } }, op).operation).toEqual({ method: 'POST', path: '/graphql', graphql: 'query.search' });
    expect(withField({ operation: { method: 'GET', path: '/' } }, op).operation).toEqual({ method: 'GET', path: '/' });
    expect(withField({ operation: { method: 'POST', path: '/graphql' } }, { ...op, graphql: undefined } as unknown as Operation).operation).toEqual({ method: 'POST', path: '/graphql' });
  });

  it('a finding on one field is re-tested only by a task on that field', () => {
    const s = surface([field('query', 'search', {}), field('mutation', 'addNote', {})]);
    const f = { checkId: 'sql-injection', operation: { method: 'POST', path: '/graphql', graphql: 'query.search' } } as Finding;
    expect(retestedBy([{ checkId: 'sql-injection', operationId: 'POST /graphql mutation.addNote', status: 'clean' }], s)(f)).toBe(false);
    expect(retestedBy([{ checkId: 'sql-injection', operationId: 'POST /graphql query.search', status: 'clean' }], s)(f)).toBe(true);
  });
});
