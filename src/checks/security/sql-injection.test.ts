// src/checks/security/sql-injection.test.ts — the SQL injection check, each technique on a concatenating endpoint
// (error shown, error hidden, MySQL-style sleep) and on safe twins, a target erroring on everything and a slow one.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { sqlError } from './sql-injection.js';

let app: Fixture;
const db = new Database(':memory:');
db.exec("create table products (id integer primary key, name text); insert into products (name) values ('phone'), ('laptop');");
const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Requests seen per path: the "restarting" paths answer 503 to their 3rd and 4th (a restart right after the probe). */
const seen = new Map<string, number>();

beforeAll(async () => {
  app = await serveFixture(async (req, res, url) => {
    const q = url.searchParams.get('q') ?? '';
    const n = (seen.get(url.pathname) ?? 0) + 1;
    seen.set(url.pathname, n);
    if (url.pathname.startsWith('/restarting') && (n === 3 || n === 4)) return sendJson(res, 503, { error: 'starting up' });
    // The value is a whole statement (PostgreSQL-style messages): an open quote, else a syntax error after it.
    if (url.pathname === '/statement') {
      const quotes = (q.match(/'/g) ?? []).length;
      res.writeHead(200, { 'content-type': 'text/plain' });
      if (quotes % 2) return res.end(`${q} - unterminated quoted string at or near "'"`);
      return res.end(quotes ? `${q} - syntax error at or near "''"` : '2');
    }
    // Its twin is no database: any quote gives the same syntax error, balanced or not.
    if (url.pathname === '/statement-parser') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(q.includes("'") ? 'syntax error at or near "\'"' : '2');
    }
    try {
      if (url.pathname === '/restarting') return sendJson(res, 200, db.prepare(`select * from products where name like '%${q}%'`).all());
      if (url.pathname === '/restarting-safe') return sendJson(res, 200, db.prepare('select * from products where name like ?').all(`%${q}%`));
      if (url.pathname === '/vulnerable') return sendJson(res, 200, db.prepare(`select * from products where name like '%${q}%'`).all());
      if (url.pathname === '/safe') return sendJson(res, 200, db.prepare('select * from products where name like ?').all(`%${q}%`));
      if (url.pathname === '/echo-error') return sendJson(res, 500, { error: 'SQLITE_ERROR: near "x": syntax error' }); // errors on everything
      if (url.pathname === '/blind') {
        try {
          return sendJson(res, 200, db.prepare(`select * from products where name = '${q}'`).all());
        } catch {
          return sendJson(res, 200, []); // errors hidden: only the answer changes
        }
      }
      if (url.pathname === '/sleepy') {
        const m = /SLEEP\(([\d.]+)\)/i.exec(q); // stands in for MySQL evaluating SLEEP() inside the statement
        if (m) await wait(Number(m[1]) * 1000);
        return sendJson(res, 200, db.prepare('select * from products where name = ?').all(q));
      }
      if (url.pathname === '/graphql') {
        const { variables } = JSON.parse(req.body) as { variables: { name: string } };
        try {
          return sendJson(res, 200, { data: { products: db.prepare(`select * from products where name = '${variables.name}'`).all() } });
        } catch (e) {
          return sendJson(res, 200, { errors: [{ message: String(e) }] }); // GraphQL style: 200 with errors
        }
      }
      if (url.pathname === '/slow') {
        await wait(600); // uniformly slow: every answer, payload or not
        return sendJson(res, 200, db.prepare('select * from products where name = ?').all(q));
      }
      return sendJson(res, 404, {});
    } catch (e) {
      return sendJson(res, 500, { error: String(e) });
    }
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'q', in: 'query' as const, schema: { type: 'string' }, examples: ['phone'] }] });
const fast = { delaySeconds: 0.4 };

describe('sql-injection', () => {
  it('confirms a whole-statement value whose open-quote error turns into another error when balanced', async () => {
    const stmt = (path: string) => ({ ...op(path), params: [{ name: 'q', in: 'query' as const, examples: ['select count(*) from t'] }] });
    const r = await testCheck(check, { url: app.url, operations: [stmt('/statement')], options: fast });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['sqli-error', 'confirmed']]);
    expect(r.findings[0]!.proof.summary).toContain('without an open quote');
    const twin = await testCheck(check, { url: app.url, operations: [stmt('/statement-parser')], options: fast });
    expect(twin.findings.filter((f) => f.confidence === 'confirmed')).toEqual([]);
  });

  it('re-establishes the baseline before replaying: a target restarting right after the probe is still confirmed', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/restarting')], options: fast });
    expect(r.findings.map((f) => [f.vulnClass, f.confidence])).toEqual([['sqli-error', 'confirmed']]);
    expect(r.findings[0]!.proof.exchanges.filter((x) => x.response?.status === 503)).toHaveLength(2);
    const safe = await testCheck(check, { url: app.url, operations: [op('/restarting-safe')], options: fast });
    expect(safe.findings).toEqual([]);
  });

  it('recognizes database error signatures and not ordinary text', () => {
    expect(sqlError('SqliteError: unrecognized token: "\'%"')?.engine).toBe('SQLite');
    expect(sqlError('You have an error in your SQL syntax near')?.engine).toBe('MySQL');
    expect(sqlError('product not found')).toBeUndefined();
  });

  it('error-based: confirms the concatenating endpoint with replay and control exchanges', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/vulnerable')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('query:q');
    expect(f.vulnClass).toBe('sqli-error');
    expect(f.proof.exchanges.length).toBeGreaterThanOrEqual(3);
    expect(f.proof.exchanges[0]!.response?.status).toBe(500);
    expect(f.proof.reproduce).toContain("curl -i --path-as-is 'http://127.0.0.1:");
  });

  it('boolean-based: confirms a concatenation that hides its errors, with neutral and repeated rounds', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/blind')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.vulnClass).toBe('sqli-boolean');
    expect(f.confidence).toBe('confirmed');
    expect(f.proof.exchanges.length).toBe(3 + 5); // true, false, original; neutral + 2 rounds of true/false
  });

  it('time-based: confirms a sleep that follows the payload, against same-run controls', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/sleepy')], options: fast });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.vulnClass).toBe('sqli-time');
    expect(f.confidence, f.proof.summary).toBe('confirmed');
    expect(f.proof.summary).toMatch(/extra delay over same-run controls/);
  });

  it('injects through a GraphQL variable (the body stays {query, variables})', async () => {
    const graphql = { method: 'POST', path: '/graphql', graphql: { kind: 'query' as const, field: 'products', query: 'query($name: String) { products(name: $name) { id } }' }, params: [{ name: 'variables.name', in: 'body' as const, examples: ['phone'] }] };
    const r = await testCheck(check, { url: app.url, operations: [graphql] });
    expect(r.findings.map((f) => [f.parameter, f.confidence])).toEqual([['graphql:variables.name', 'confirmed']]);
    expect(JSON.parse(String(r.findings[0]!.proof.exchanges[0]!.request.body))).toMatchObject({ query: graphql.graphql.query, variables: { name: "phone'" } });
  });

  it('reports nothing on the parameterized safe twin, nor on a uniformly slow one', async () => {
    for (const path of ['/safe', '/slow']) {
      const r = await testCheck(check, { url: app.url, operations: [op(path)], options: fast, strength: 'low' });
      expect(r.findings, path).toEqual([]);
      expect(r.outcomes[0]?.status).toBe('clean');
    }
  });

  it('is inconclusive, not a finding, on a target that errors on everything', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/echo-error')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('inconclusive');
  });

  it('in safe mode sends no stacked statements and records that in the plan', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')], safeMode: true, strength: 'high' });
    expect(r.requests).toBe(1 + check.requestsPerPoint!.high - 1);
    expect(r.skipped.join('\n')).toContain('safe mode: stacked-query time payloads (;WAITFOR DELAY) not sent');
  });
});
