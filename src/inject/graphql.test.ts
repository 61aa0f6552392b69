// src/inject/graphql.test.ts — GraphQL points: variables and inline literals (escaped, typed), input objects' leaves
// bounded in depth and count, and the body sent with one of them changed.
import { buildSchema, Kind, parse, validate, visit } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../core/index.js';
import { GRAPHQL_LEAVES_PER_ARG, inlineArgument, literal } from './graphql.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from './index.js';

const schema = buildSchema(`
  enum Order { ASC DESC }
  input Owner { name: String, age: Int }
  input Filter { title: String, order: Order, limit: Int, owner: Owner, tags: [String] }
  type Note { id: ID }
  type Query { search(term: String!, limit: Int, order: Order): [Note], find(filter: Filter!): [Note] }
`);

const gqlOp = (field: string, query: string, params: Operation['params']): Operation => ({
  id: `POST /graphql query.${field}`,
  method: 'POST',
  path: '/graphql',
  params,
  auth: 'unknown',
  sources: ['graphql'],
  graphql: { kind: 'query', field, query },
});

const search = gqlOp('search', 'query search($term: String!, $limit: Int, $order: Order) { search(term: $term, limit: $limit, order: $order) { id } }', [
  { name: 'variables.term', in: 'body', required: true, schema: { type: 'string' } },
  { name: 'variables.limit', in: 'body', schema: { type: 'integer' } },
  { name: 'variables.order', in: 'body', schema: { type: 'string', enum: ['ASC', 'DESC'] } },
]);

const filterSchema = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    order: { type: 'string', enum: ['ASC', 'DESC'] },
    limit: { type: 'integer' },
    owner: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } } },
    tags: { type: 'array', items: { type: 'string' } },
  },
};
const find = gqlOp('find', 'query find($filter: Filter!) { find(filter: $filter) { id } }', [{ name: 'variables.filter', in: 'body', required: true, schema: filterSchema }]);

const point = (op: Operation, label: string): InjectionPoint => {
  const p = injectionPoints(op, { inline: true }).find((x) => pointLabel(x) === label);
  if (!p) throw new Error(`no point ${label} in ${injectionPoints(op, { inline: true }).map(pointLabel).join(', ')}`);
  return p;
};
const sent = (op: Operation, label: string, value: string | { raw: unknown }): { query: string; variables: Record<string, unknown> } =>
  JSON.parse(String(buildRequest(op, point(op, label), value).body)) as { query: string; variables: Record<string, unknown> };
const valid = (query: string): string[] => validate(schema, parse(query)).map((e) => e.message);

describe('GraphQL injection points', () => {
  it('each argument is a variable point; string arguments are inline points too, numbers and enums are not', () => {
    // Inline points only when asked for: checks that reason about fields see each field once.
    expect(injectionPoints(search).map(pointLabel)).toEqual(['graphql:variables.term', 'graphql:variables.limit', 'graphql:variables.order']);
    expect(injectionPoints(search, { inline: true }).map(pointLabel)).toEqual(['graphql:variables.term', 'graphql:variables.limit', 'graphql:variables.order', 'graphql:inline.term']);
  });

  it('an inline point writes the payload as an escaped string literal and drops its variable', () => {
    const payload = 'a"b\\c\n\u0001\' OR 1=1 --';
    const body = sent(search, 'graphql:inline.term', payload);
    expect(body.query).toBe('query search($limit: Int, $order: Order) { search(term: "a\\"b\\\\c\\n\\u0001\' OR 1=1 --", limit: $limit, order: $order) { id } }');
    expect(body.query).not.toContain('$term');
    expect(body.variables).toEqual({ limit: 1, order: 'ASC' });
    expect(valid(body.query)).toEqual([]);
    // The server reads back exactly the payload from the literal.
    let read: string | undefined;
    visit(parse(body.query), { Argument: (n) => void (n.name.value === 'term' && n.value.kind === Kind.STRING && (read = n.value.value)) });
    expect(read).toBe(payload);
  });

  it('the same point as a variable keeps the document and sets the variable', () => {
    const body = sent(search, 'graphql:variables.term', "x'");
    expect(body.query).toBe(search.graphql!.query);
    expect(body.variables).toEqual({ term: "x'", limit: 1, order: 'ASC' });
  });

  it('an input object gives a point per leaf; inline writes the whole object as a literal, typed per field', () => {
    const labels = injectionPoints(find, { inline: true }).map(pointLabel);
    expect(labels).toEqual([
      'graphql:variables.filter.title',
      'graphql:variables.filter.order',
      'graphql:variables.filter.limit',
      'graphql:variables.filter.owner.name',
      'graphql:variables.filter.owner.age',
      'graphql:variables.filter.tags.0',
      'graphql:inline.filter.title',
      'graphql:inline.filter.owner.name',
      'graphql:inline.filter.tags.0',
    ]);
    const nested = sent(find, 'graphql:variables.filter.owner.name', "o'");
    expect(nested.variables).toEqual({ filter: { title: 'test', order: 'ASC', limit: 1, owner: { name: "o'", age: 1 }, tags: ['test'] } });
    const inline = sent(find, 'graphql:inline.filter.owner.name', "o'");
    expect(inline.variables).toEqual({});
    expect(inline.query).toBe('query find { find( filter: {title: "test", order: ASC, limit: 1, owner: {name: "o\'", age: 1}, tags: ["test"]} ) { id } }');
    expect(valid(inline.query)).toEqual([]);
  });

  it('input objects are bounded: leaves per argument and depth', () => {
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, { type: 'string' }])) };
    const deep = { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'object', properties: { c: { type: 'object', properties: { d: { type: 'string' } } }, e: { type: 'string' } } } } } } };
    const op = gqlOp('x', 'query x($w: W, $d: D) { x(w: $w, d: $d) }', [{ name: 'variables.w', in: 'body', schema: wide }, { name: 'variables.d', in: 'body', schema: deep }]);
    const vars = injectionPoints(op, { inline: true }).map(pointLabel).filter((l) => l.startsWith('graphql:variables.'));
    expect(vars.filter((l) => l.startsWith('graphql:variables.w.'))).toHaveLength(GRAPHQL_LEAVES_PER_ARG);
    expect(vars.filter((l) => l.startsWith('graphql:variables.d.'))).toEqual(['graphql:variables.d.a.b.e']);
  });

  it('literals follow the type: numbers, booleans and enum values bare where the schema says so, else strings', () => {
    const printed = (v: unknown, s?: Parameters<typeof literal>[1]): unknown => literal(v, s);
    expect(printed('5', { type: 'integer' })).toEqual({ kind: 'IntValue', value: '5' });
    expect(printed("5'", { type: 'integer' })).toEqual({ kind: 'StringValue', value: "5'" });
    expect(printed('1.5', { type: 'number' })).toEqual({ kind: 'FloatValue', value: '1.5' });
    expect(printed('DESC', { type: 'string', enum: ['ASC', 'DESC'] })).toEqual({ kind: 'EnumValue', value: 'DESC' });
    expect(printed('true', { type: 'boolean' })).toEqual({ kind: 'BooleanValue', value: true });
    expect(printed('true', { type: 'string' })).toEqual({ kind: 'StringValue', value: 'true' });
    // An object key no GraphQL name can carry (a NoSQL operator) is left out.
    expect(printed({ $ne: null, ok: 1 })).toEqual({ kind: 'ObjectValue', fields: [{ kind: 'ObjectField', name: { kind: 'Name', value: 'ok' }, value: { kind: 'IntValue', value: '1' } }] });
  });

  it('a document that does not parse, or takes the argument as no variable, gets the variable set instead', () => {
    const broken = { ...search, graphql: { ...search.graphql!, query: 'query search(' } };
    expect(sent(broken, 'graphql:inline.term', "x'").variables).toMatchObject({ term: "x'" });
    expect(inlineArgument('query { search(term: "fixed") { id } }', 'term', literal("x'"))).toBeUndefined();
  });

  it('a subscription answered as a stream is asked for in the media type it answered in', () => {
    const op = { ...search, graphql: { ...search.graphql!, kind: 'subscription' as const, accept: 'text/event-stream' } };
    expect(buildRequest(op).headers).toContainEqual(['accept', 'text/event-stream']);
    expect(buildRequest(search).headers?.some(([k]) => k === 'accept')).toBe(false);
  });
});
