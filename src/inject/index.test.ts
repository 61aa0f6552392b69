// src/inject/index.test.ts — injection points of every kind and requests with exactly one point mutated.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from './index.js';

const op = (o: Partial<Operation>): Operation => ({ id: 'x', method: 'GET', path: '/x', params: [], auth: 'none', sources: ['spec'], ...o });
const find = (points: InjectionPoint[], label: string): InjectionPoint => {
  const p = points.find((x) => pointLabel(x) === label);
  if (!p) throw new Error(`no point ${label} in ${points.map(pointLabel).join(', ')}`);
  return p;
};
const header = (req: ReturnType<typeof buildRequest>, name: string): string | undefined => req.headers?.find(([k]) => k === name)?.[1];

describe('injection points', () => {
  it('query: mutates one parameter, percent-encoded, and keeps the others', () => {
    const o = op({ params: [{ name: 'q', in: 'query', examples: ['phone'] }, { name: 'page', in: 'query', schema: { type: 'integer' } }] });
    const points = injectionPoints(o);
    expect(points.map(pointLabel)).toEqual(['query:q', 'query:page']);
    expect(buildRequest(o, find(points, 'query:q'), "a'&b=c").url).toBe('/x?q=a\'%26b%3Dc&page=1');
    expect(buildRequest(o).url).toBe('/x?q=phone&page=1');
  });

  it('query: sends a parameter under an operator name (q[$ne])', () => {
    const o = op({ params: [{ name: 'q', in: 'query', examples: ['phone'] }] });
    expect(buildRequest(o, injectionPoints(o)[0], { name: 'q[$ne]', value: 'z' }).url).toBe('/x?q%5B%24ne%5D=z');
  });

  it('path: replaces one segment, encoded so a slash stays inside it', () => {
    const o = op({ path: '/files/{dir}/{name}', params: [{ name: 'dir', in: 'path', examples: ['a'] }, { name: 'name', in: 'path', examples: ['b.txt'] }] });
    expect(buildRequest(o, find(injectionPoints(o), 'path:name'), '../etc/passwd').url).toBe('/files/a/..%2Fetc%2Fpasswd');
  });

  it('form: encodes the body and sets the content type', () => {
    const o = op({ method: 'POST', params: [{ name: 'user', in: 'form', examples: ['alice'] }, { name: 'note', in: 'form', examples: ['hi'] }] });
    const req = buildRequest(o, find(injectionPoints(o), 'form:note'), '; echo 1');
    expect(req.body).toBe('user=alice&note=%3B%20echo%201');
    expect(header(req, 'content-type')).toBe('application/x-www-form-urlencoded');
  });

  it('body: a text/plain or XML body is one point, sent raw with its declared type; JSON and forms are not', () => {
    const text = op({ method: 'POST', requestBody: { contentType: 'text/plain', schema: { type: 'string' } } });
    expect(injectionPoints(text).map(pointLabel)).toEqual(['body:body']);
    const req = buildRequest(text, find(injectionPoints(text), 'body:body'), 'hi {{7*7}}');
    expect([req.body, header(req, 'content-type')]).toEqual(['hi {{7*7}}', 'text/plain']);
    expect(buildRequest(text).body).toBe('test');
    const xml = op({ method: 'POST', requestBody: { contentType: 'application/xml', example: '<a>1</a>' } });
    expect(injectionPoints(xml)).toEqual([{ location: 'body', name: 'body', base: '<a>1</a>' }]);
    expect(buildRequest(xml).body).toBe('<a>1</a>');
    for (const contentType of ['application/json', 'multipart/form-data', 'application/x-www-form-urlencoded']) {
      expect(injectionPoints(op({ method: 'POST', requestBody: { contentType } })).some((p) => p.location === 'body')).toBe(false);
    }
  });

  it('json: nested fields and array items are points; raw values replace a field as JSON', () => {
    const o = op({ method: 'POST', requestBody: { contentType: 'application/json', example: { user: { name: 'alice', tags: ['a', 'b'] }, n: 2 } } });
    const points = injectionPoints(o);
    expect(points.map(pointLabel)).toEqual(['json:user.name', 'json:user.tags.0', 'json:user.tags.1', 'json:n']);
    expect(JSON.parse(String(buildRequest(o, find(points, 'json:user.tags.1'), "x'").body))).toEqual({ user: { name: 'alice', tags: ['a', "x'"] }, n: 2 });
    expect(JSON.parse(String(buildRequest(o, find(points, 'json:user.name'), { raw: { $ne: null } }).body))).toEqual({ user: { name: { $ne: null }, tags: ['a', 'b'] }, n: 2 });
  });

  it('headers and cookies: one value changed, the rest as sampled', () => {
    const o = op({ params: [{ name: 'x-tenant', in: 'header', examples: ['t1'] }, { name: 'theme', in: 'cookie', examples: ['dark'] }, { name: 'lang', in: 'cookie', examples: ['en'] }] });
    const points = injectionPoints(o);
    expect(header(buildRequest(o, find(points, 'header:x-tenant'), "t1'"), 'x-tenant')).toBe("t1'");
    expect(header(buildRequest(o, find(points, 'cookie:lang'), 'e n;'), 'cookie')).toBe('theme=dark; lang=e%20n%3B');
  });

  it('GraphQL: each variable (and nested input field) is a point; the body is {query, variables}', () => {
    const o = op({
      method: 'POST',
      path: '/graphql',
      graphql: { kind: 'query', field: 'user', query: 'query($id: ID!, $filter: F) { user(id: $id, filter: $filter) { name } }' },
      params: [
        { name: 'variables.id', in: 'body', examples: ['7'] },
        { name: 'variables.filter', in: 'body', schema: { type: 'object', properties: { name: { type: 'string' } } } },
      ],
    });
    const points = injectionPoints(o);
    expect(points.map(pointLabel)).toEqual(['graphql:variables.id', 'graphql:variables.filter.name']);
    const body = JSON.parse(String(buildRequest(o, find(points, 'graphql:variables.filter.name'), "x'").body)) as { query: string; variables: unknown };
    expect(body).toEqual({ query: o.graphql!.query, variables: { id: '7', filter: { name: "x'" } } });
    expect(header(buildRequest(o), 'content-type')).toBe('application/json');
  });
  it('a form-encoded body declared only as a schema or example: each field is a form point, the body urlencoded', () => {
    const o = op({ method: 'POST', params: [], requestBody: { contentType: 'application/x-www-form-urlencoded', schema: { type: 'object', properties: { user: { type: 'string', example: 'ann' }, age: { type: 'integer' } } } } });
    const points = injectionPoints(o);
    expect(points.map(pointLabel)).toEqual(['form:user', 'form:age']);
    const req = buildRequest(o, find(points, 'form:user'), "a b&c'");
    expect(req.body).toBe("user=a%20b%26c'&age=1");
    expect(header(req, 'content-type')).toBe('application/x-www-form-urlencoded');
    expect(buildRequest(o).body).toBe('user=ann&age=1');
    const fromExample = op({ method: 'POST', params: [], requestBody: { contentType: 'application/x-www-form-urlencoded', example: 'q=shoes&page=2' } });
    expect(injectionPoints(fromExample).map((p) => [pointLabel(p), p.base])).toEqual([['form:q', 'shoes'], ['form:page', '2']]);
    // Declared form parameters win: the body's schema is not counted twice.
    const both = { ...o, params: [{ name: 'user', in: 'form' as const }] };
    expect(injectionPoints(both).map(pointLabel)).toEqual(['form:user']);
  });
});
