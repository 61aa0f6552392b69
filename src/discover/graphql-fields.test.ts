// src/discover/graphql-fields.test.ts — a GraphQL server with two fields, only one injectable: the finding, its
// confirmation and its fingerprint are that field's (issue 22), end to end through discover → … → prioritize.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildSchema, graphql } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allChecks } from '../checks/index.js';
import { sendHtml, sendJson, serveFixture, type Fixture } from '../checks/kit/fixture.js';
import { parseConfig, resolveRun } from '../config/index.js';
import type { Report } from '../core/index.js';
import { runScan } from '../engine/scan.js';
import { fingerprint } from '../prioritize/index.js';
import { validateReport } from '../report/index.js';

const schema = buildSchema(`
  type Note { id: ID!, title: String }
  type Query { search(term: String!): [Note!]! }
  type Mutation { addNote(title: String!): Note }
`);

let app: Fixture;
const db = new Database(':memory:');
db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO notes (title) VALUES ('alpha'), ('beta');");
const root = {
  // Vulnerable: the term is pasted into the statement (a quote breaks it; the driver's error reaches `errors`).
  search: ({ term }: { term: string }) => db.prepare(`SELECT id, title FROM notes WHERE title LIKE '%${term}%'`).all(),
  // The safe twin: a bound parameter.
  addNote: ({ title }: { title: string }) => {
    const r = db.prepare('INSERT INTO notes (title) VALUES (?)').run(title);
    return { id: String(r.lastInsertRowid), title };
  },
};

beforeAll(async () => {
  process.env.CHROME_PATH = '/nonexistent/chromium';
  app = await serveFixture(async (req, res, url) => {
    if (url.pathname === '/') return sendHtml(res, 200, '<p>notes</p>');
    if (url.pathname !== '/graphql' || req.method !== 'POST') return sendHtml(res, 404, 'no');
    let body: { query?: unknown; variables?: unknown };
    try {
      body = JSON.parse(req.body) as typeof body;
    } catch {
      return sendJson(res, 400, { errors: [{ message: 'body is not JSON' }] });
    }
    const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};
    return sendJson(res, 200, await graphql({ schema, source: String(body.query ?? ''), rootValue: root, variableValues: variables }));
  });
});
afterAll(async () => {
  await app.close();
  db.close();
});

async function scan(): Promise<Report> {
  const config = parseConfig('discovery: { robots: false, crawl: false }\n', 'test');
  const run = resolveRun(config, { url: app.url });
  return runScan({ run, config, checks: allChecks, only: ['sql-injection'], scanDir: mkdtempSync(join(tmpdir(), 'vouch-gql-')) });
}

describe('GraphQL fields are operations of their own', () => {
  it('finds and confirms the SQL injection on query.search, never on mutation.addNote (the path\'s first field)', async () => {
    const report = await scan();
    const gql = report.surface.operations.filter((o) => o.graphql).map((o) => o.id);
    expect(gql).toEqual(['POST /graphql mutation.addNote', 'POST /graphql query.search']);
    const findings = report.findings.filter((f) => f.checkId === 'sql-injection');
    expect(findings.map((f) => f.operation)).toEqual([{ method: 'POST', path: '/graphql', graphql: 'query.search' }]);
    const [f] = findings;
    expect(f!.parameter).toBe('graphql:variables.term');
    expect(f!.confidence).toBe('confirmed');
    // Every exchange of the proof, the confirmation's replays included, asked for the same field with the same shape.
    expect(f!.proof.exchanges.length).toBeGreaterThan(1);
    for (const x of f!.proof.exchanges) {
      const sent = JSON.parse(x.request.body ?? '{}') as { query: string; variables: Record<string, unknown> };
      expect(sent.query).toMatch(/^query search\(\$term: String!\)/);
      expect(Object.keys(sent.variables)).toEqual(['term']);
    }
    // The key is the field's: the same check on another field of the same endpoint has another fingerprint.
    expect(f!.fingerprint).toBe(fingerprint({ checkId: 'sql-injection', method: 'GET', path: '/elsewhere', graphql: 'query.search', parameter: 'graphql:variables.term', vulnClass: f!.vulnClass }));
    expect(f!.fingerprint).not.toBe(fingerprint({ checkId: 'sql-injection', method: 'POST', path: '/graphql', graphql: 'mutation.addNote', parameter: 'graphql:variables.term', vulnClass: f!.vulnClass }));
    const addNote = report.stats.tasks.filter((t) => t.checkId === 'sql-injection' && t.operationId === 'POST /graphql mutation.addNote');
    expect(addNote.map((t) => t.status)).toEqual(['clean']);
    expect(validateReport(report)).toEqual({ valid: true });
  }, 60_000);
});
