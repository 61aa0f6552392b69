// src/checks/security/xpath-injection.test.ts — the XPath injection check on endpoints that paste a value into an
// XPath predicate (a login, a search inside contains(), a raw expression, errors hidden) evaluated by a small XPath
// 1.0 subset, and on safe twins: a bound variable, an SQL endpoint that also answers and-ed conditions.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { xpathError } from './xpath-injection.js';

const USERS = [
  { name: 'Walter White', username: 'walter', password: 'Heisenberg123' },
  { name: 'Jesse Pinkman', username: 'jesse', password: 'Yoyo1' },
];
type User = (typeof USERS)[number];

/** A tiny XPath 1.0 predicate evaluator over one user: or/and, =, string-length(), contains(), literals, fields. */
function predicate(expr: string, user: User): boolean {
  const tokens = expr.match(/'[^']*'?|"[^"]*"?|\d+|[\w.-]+\(|[\w.]+|[()=,[\]]|\S/g) ?? [];
  for (const t of tokens) if (/^['"]/.test(t) && (t.length < 2 || !t.endsWith(t[0]!))) throw new Error(`Unterminated string literal: ${t}`);
  let i = 0;
  const fail = (): never => {
    throw new Error('XPath parse error');
  };
  const primary = (): unknown => {
    const t = tokens[i++] ?? fail();
    if (/^['"]/.test(t)) return t.slice(1, -1);
    if (/^\d+$/.test(t)) return Number(t);
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') fail();
      return v;
    }
    if (t === 'string-length(' || t === 'contains(') {
      const a = or();
      const b = t === 'contains(' ? (tokens[i++] === ',' ? or() : fail()) : undefined;
      if (tokens[i++] !== ')') fail();
      return t === 'contains(' ? String(a).includes(String(b)) : String(a).length;
    }
    if (t === '.') return user.name;
    if (t in user) return user[t as keyof User];
    return fail();
  };
  const cmp = (): unknown => {
    let a = primary();
    while (tokens[i] === '=') {
      i++;
      const b = primary();
      a = typeof a === 'boolean' || typeof b === 'boolean' ? Boolean(a) === Boolean(b) : String(a) === String(b);
    }
    return a;
  };
  const and = (): unknown => {
    let v = cmp();
    while (tokens[i] === 'and') v = [(i++, v), cmp()].every(Boolean);
    return v;
  };
  function or(): unknown {
    let v = and();
    while (tokens[i] === 'or') v = [(i++, v), and()].some(Boolean);
    return v;
  }
  const v = or();
  if (i !== tokens.length) fail();
  return Boolean(v);
}
const select = (expr: string): User[] => USERS.filter((u) => predicate(expr, u));
const xml = (users: User[]): string => `<root>${users.map((u) => `<name>${u.name}</name>`).join('')}</root>`;

const db = new Database(':memory:');
db.exec("create table users (name text); insert into users values ('Walter White'), ('Jesse Pinkman');");

let app: Fixture;
beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const q = (k: string): string => url.searchParams.get(k) ?? '';
    const xmlOut = (users: User[]): void => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(xml(users));
    };
    try {
      switch (url.pathname) {
        case '/login': {
          const found = select(`username='${q('username')}' and password='${q('password')}'`);
          return found.length ? xmlOut(found) : sendJson(res, 403, { message: 'Login attempt failed' });
        }
        case '/search':
          return xmlOut(select(`contains(., '${q('keyword')}')`));
        case '/blind':
          try {
            return xmlOut(select(`contains(., '${q('keyword')}')`));
          } catch {
            return xmlOut([]); // errors hidden: only the answer changes
          }
        case '/echo': // reflects the value into a page: the payloads differ, the answers to them do not
          res.writeHead(200, { 'content-type': 'text/html' });
          return res.end(`<html><body><p>You asked for ${url.searchParams.get('q') ?? ''}</p></body></html>`);
        case '/safe-search': // the value is bound, never parsed: no quote reaches the evaluator
          return xmlOut(USERS.filter((u) => u.name.includes(q('keyword'))));
        case '/sql-search': // SQL, not XPath: and-ed SQL conditions hold, string-length() does not exist
          try {
            return sendJson(res, 200, db.prepare(`select * from users where name like '%${q('keyword')}%'`).all());
          } catch {
            return sendJson(res, 200, []);
          }
      }
    } catch (e) {
      return sendJson(res, 500, { message: `Couldn't find partners. ${String(e)}` });
    }
    return sendJson(res, 404, {});
  });
});
afterAll(() => app.close());

const op = (path: string, params: Record<string, string>) => ({ method: 'GET', path, params: Object.entries(params).map(([name, ex]) => ({ name, in: 'query' as const, schema: { type: 'string' }, examples: [ex] })) });

describe('xpath-injection', () => {
  it('recognizes engines\' error messages, not ordinary text', () => {
    expect(xpathError("Warning: SimpleXMLElement::xpath(): Invalid predicate")?.engine).toBe('libxml2');
    expect(xpathError('javax.xml.xpath.XPathExpressionException: line 1')?.engine).toBe('Java');
    expect(xpathError("'//user[name='a'']' has an invalid token.")?.engine).toBe('.NET');
    expect(xpathError('Error in XPath expression')?.engine).toBe('XPath');
    expect(xpathError('Learn XPath in ten minutes: no error handling needed')).toBeUndefined();
  });

  it('confirms an error-based injection with its balanced control', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/search', { keyword: 'Walter' })] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'xpath-error', confidence: 'confirmed', parameter: 'query:keyword' });
    expect(r.findings[0]!.proof.summary).toContain("\"Walter'='\"");
  });

  it('confirms a login bypass point by the first parameter that errors', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/login', { username: 'walter', password: 'Heisenberg123' })] });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([
      ['query:username', 'confirmed'],
      ['query:password', 'confirmed'],
    ]);
  });

  it('confirms a boolean-based injection when errors are hidden', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/blind', { keyword: 'Walter' })] });
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ vulnClass: 'xpath-boolean', confidence: 'confirmed' });
    expect(r.findings[0]!.proof.summary).toContain('string argument of a function');
  });

  it('reports nothing on the safe twin that never parses the value', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe-search', { keyword: 'Walter' })] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('reports nothing on an SQL injection: and-ed SQL conditions are no XPath', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/sql-search', { keyword: 'Walter' })] });
    expect(r.findings).toEqual([]);
  });
  it('reports nothing on a page that only echoes the value (a regression: the echoed payloads differed)', async () => {
    const r = await testCheck(check, { url: app.url, operations: [{ method: 'GET', path: '/echo', params: [{ name: 'q', in: 'query' as const, examples: ['shoes'] }] }] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });
});
