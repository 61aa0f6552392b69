// src/checks/security/sql-injection.test.ts — the SQL injection check on a concatenating endpoint and its safe twin.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveFixture, sendJson, type Fixture } from '../kit/fixture.js';
import { testCheck } from '../kit/tester.js';
import check, { sqlError } from './sql-injection.js';

let app: Fixture;
const db = new Database(':memory:');
db.exec("create table products (id integer primary key, name text); insert into products (name) values ('phone'), ('laptop');");

beforeAll(async () => {
  app = await serveFixture((_req, res, url) => {
    const q = url.searchParams.get('q') ?? '';
    try {
      if (url.pathname === '/vulnerable') return sendJson(res, 200, db.prepare(`select * from products where name like '%${q}%'`).all());
      if (url.pathname === '/safe') return sendJson(res, 200, db.prepare('select * from products where name like ?').all(`%${q}%`));
      if (url.pathname === '/echo-error') return sendJson(res, 500, { error: 'SQLITE_ERROR: near "x": syntax error' }); // errors on everything
      return sendJson(res, 404, {});
    } catch (e) {
      return sendJson(res, 500, { error: String(e) });
    }
  });
});
afterAll(() => app.close());

const op = (path: string) => ({ method: 'GET', path, params: [{ name: 'q', in: 'query' as const, schema: { type: 'string' }, examples: ['phone'] }] });

describe('sql-injection', () => {
  it('recognizes database error signatures and not ordinary text', () => {
    expect(sqlError('SqliteError: unrecognized token: "\'%"')?.engine).toBe('SQLite');
    expect(sqlError('You have an error in your SQL syntax near')?.engine).toBe('MySQL');
    expect(sqlError('product not found')).toBeUndefined();
  });

  it('confirms the concatenating endpoint with replay and control exchanges', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/vulnerable')] });
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0]!;
    expect(f.confidence).toBe('confirmed');
    expect(f.parameter).toBe('query:q');
    expect(f.proof.exchanges.length).toBeGreaterThanOrEqual(3);
    expect(f.proof.exchanges[0]!.response?.status).toBe(500);
    expect(f.proof.reproduce).toContain("curl -i --path-as-is 'http://127.0.0.1:");
  });

  it('reports nothing on the parameterized safe twin', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('clean');
  });

  it('is inconclusive, not a finding, on a target that errors on everything', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/echo-error')] });
    expect(r.findings).toEqual([]);
    expect(r.outcomes[0]?.status).toBe('inconclusive');
  });

  it('bounds the requests per injection point', async () => {
    const r = await testCheck(check, { url: app.url, operations: [op('/safe')] });
    expect(r.requests).toBeLessThanOrEqual(1 + 3);
  });
});
