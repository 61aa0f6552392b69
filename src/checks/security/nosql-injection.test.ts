// src/checks/security/nosql-injection.test.ts — operator injection into a Mongo-like matcher through a JSON login and
// bracket query parameters, the type-checking safe twins, and an endpoint that echoes its input's structure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check from './nosql-injection.js';

const USERS = [
  { name: 'alice', password: 'wonderland' },
  { name: 'bob', password: 'builder' },
];

/** Mongo-like matching of one field: a plain value by equality, an object by its operators (unknown keys never match). */
function matches(actual: string, cond: unknown): boolean {
  if (cond === null || typeof cond !== 'object') return actual === cond;
  return Object.entries(cond).every(([k, v]) => {
    if (k === '$ne') return actual !== v;
    if (k === '$gt') return actual > String(v);
    if (k === '$regex') return new RegExp(String(v)).test(actual);
    if (k === '$exists') return v === true;
    return false;
  });
}

/** `name[$ne]=x` → { name: { $ne: 'x' } }, as qs does for Express. */
function bracketQuery(url: URL): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) {
    const m = /^(\w+)\[([^\]]+)\]$/.exec(k);
    if (m) out[m[1]!] = { ...((out[m[1]!] as object | undefined) ?? {}), [m[2]!]: v };
    else out[k] = v;
  }
  return out;
}

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((req, res, url) => {
    if (url.pathname === '/login' || url.pathname === '/login-safe') {
      const body = JSON.parse(req.body || '{}') as { username?: unknown; password?: unknown };
      if (url.pathname === '/login-safe' && (typeof body.username !== 'string' || typeof body.password !== 'string')) return sendJson(res, 400, { error: 'strings only' });
      const user = USERS.find((u) => matches(u.name, body.username) && matches(u.password, body.password));
      return user ? sendJson(res, 200, { token: `t-${user.name}`, user: user.name }) : sendJson(res, 401, { error: 'bad credentials' });
    }
    if (url.pathname === '/users') return sendJson(res, 200, USERS.filter((u) => matches(u.name, bracketQuery(url).name)).map((u) => ({ name: u.name })));
    if (url.pathname === '/users-safe') return sendJson(res, 200, USERS.filter((u) => u.name === url.searchParams.get('name')).map((u) => ({ name: u.name })));
    if (url.pathname === '/echo') return sendJson(res, 200, { got: req.body ? (JSON.parse(req.body) as unknown) : bracketQuery(url) });
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const login = (path: string) => ({ method: 'POST', path, params: [], requestBody: { contentType: 'application/json', example: { username: 'alice', password: 'guess' } } });
const users = (path: string) => ({ method: 'GET', path, params: [{ name: 'name', in: 'query' as const, examples: ['carol'] }] });

describe('nosql-injection', () => {
  it('confirms {"$ne": …} in a JSON login field', async () => {
    const r = await testCheck(check, { url: app.url, operations: [login('/login')] });
    expect(r.findings.map((f) => f.parameter)).toEqual(['json:password']);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.cwe).toBe('CWE-943');
    expect(f.proof.exchanges.length).toBe(6); // operator, literal, look-alike; the same again with a fresh value
  });

  it('confirms name[$ne]= in a query string', async () => {
    const r = await testCheck(check, { url: app.url, operations: [users('/users')] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.confidence).toBe('confirmed');
    expect(r.findings[0]!.proof.exchanges[0]!.request.url).toContain('name%5B%24ne%5D=');
  });

  it('reports nothing on the type-checking safe twins', async () => {
    const r = await testCheck(check, { url: app.url, operations: [login('/login-safe'), users('/users-safe')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(['clean', 'clean']);
  });

  it('reports nothing on an endpoint that only echoes the structure it got', async () => {
    const r = await testCheck(check, { url: app.url, operations: [users('/echo'), login('/echo')] });
    expect(r.findings).toEqual([]);
  });
});
