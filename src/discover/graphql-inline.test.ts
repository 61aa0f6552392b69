// src/discover/graphql-inline.test.ts — GraphQL arguments injectable only as inline literals, and input objects' fields,
// end to end: the finding and its confirmation are on the right field and point; a safe twin gives nothing (issue 22).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildSchema, graphql, Kind, type GraphQLResolveInfo } from 'graphql';
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
  input NoteFilter { title: String, limit: Int }
  type Query { search(term: String!): [Note!]!, notes(title: String!): [Note!]!, byFilter(filter: NoteFilter!): [Note!]! }
`);

/**
 * `inline`: `search` builds its SQL from the document's literal text when `term` is written inline and binds it when it
 * comes as a variable (variables validated and parameterized, literals not). `nested`: `byFilter` pastes `filter.title`
 * however it comes. `safe`: everything bound. `notes` is always bound.
 */
type Mode = 'inline' | 'nested' | 'safe';

const db = new Database(':memory:');
db.exec("CREATE TABLE notes (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO notes (title) VALUES ('alpha'), ('beta');");
const bound = (v: string): unknown[] => db.prepare("SELECT id, title FROM notes WHERE title LIKE '%' || ? || '%'").all(v);
const pasted = (v: string): unknown[] => db.prepare(`SELECT id, title FROM notes WHERE title LIKE '%${v}%'`).all();

/** True when the field's argument `name` is written in the document as a string literal (not a variable). */
const literalArg = (info: GraphQLResolveInfo, name: string): boolean =>
  info.fieldNodes[0]?.arguments?.find((a) => a.name.value === name)?.value.kind === Kind.STRING;

function rootOf(mode: Mode): Record<string, unknown> {
  return {
    search: ({ term }: { term: string }, _ctx: unknown, info: GraphQLResolveInfo) => (mode === 'inline' && literalArg(info, 'term') ? pasted(term) : bound(term)),
    notes: ({ title }: { title: string }) => bound(title),
    byFilter: ({ filter }: { filter: { title?: string } }) => (mode === 'nested' ? pasted(filter.title ?? '') : bound(filter.title ?? '')),
  };
}

const apps = new Map<Mode, Fixture>();
beforeAll(async () => {
  process.env.CHROME_PATH = '/nonexistent/chromium';
  for (const mode of ['inline', 'nested', 'safe'] as const) {
    const root = rootOf(mode);
    apps.set(
      mode,
      await serveFixture(async (req, res, url) => {
        if (url.pathname === '/') return sendHtml(res, 200, '<p>notes</p>');
        if (url.pathname !== '/graphql' || req.method !== 'POST') return sendHtml(res, 404, 'no');
        const body = JSON.parse(req.body || '{}') as { query?: unknown; variables?: unknown };
        const variables = body.variables && typeof body.variables === 'object' ? (body.variables as Record<string, unknown>) : {};
        return sendJson(res, 200, await graphql({ schema, source: String(body.query ?? ''), rootValue: root, variableValues: variables }));
      }),
    );
  }
});
afterAll(async () => {
  await Promise.all([...apps.values()].map((a) => a.close()));
  db.close();
});

async function scan(mode: Mode): Promise<Report> {
  const config = parseConfig('discovery: { robots: false, crawl: false }\n', 'test');
  const run = resolveRun(config, { url: apps.get(mode)!.url });
  return runScan({ run, config, checks: allChecks, only: ['sql-injection'], scanDir: mkdtempSync(join(tmpdir(), 'vouch-gql-inline-')) });
}

const sqli = (r: Report): Report['findings'] => r.findings.filter((f) => f.checkId === 'sql-injection');

describe('GraphQL inline literals and input objects as injection points', () => {
  it('an argument injectable only as an inline literal: found and confirmed there, on that field only', async () => {
    const report = await scan('inline');
    const found = sqli(report);
    expect(found.map((f) => [f.operation.graphql, f.parameter, f.confidence])).toEqual([['query.search', 'graphql:inline.term', 'confirmed']]);
    // Every exchange of the proof, the confirmation's included, asked for `search`; all but the unchanged baseline wrote
    // the term inline (its variable gone).
    const sent = found[0]!.proof.exchanges.map((x) => JSON.parse(x.request.body ?? '{}') as { query: string; variables: Record<string, unknown> });
    for (const s of sent) expect(s.query).toMatch(/^query search\b/);
    const changed = sent.filter((s) => s.variables.term !== 'test');
    expect(changed.length).toBeGreaterThan(1);
    for (const s of changed) {
      expect(s.query).toMatch(/^query search \{ search\(term: "/);
      expect(s.variables).toEqual({});
    }
    // Keyed as the argument: the same finding sent as a variable has the same fingerprint, another argument not.
    const key = (parameter: string): string => fingerprint({ checkId: 'sql-injection', method: 'POST', path: '/graphql', graphql: 'query.search', parameter, vulnClass: found[0]!.vulnClass });
    expect(found[0]!.fingerprint).toBe(key('graphql:variables.term'));
    expect(found[0]!.fingerprint).not.toBe(key('graphql:variables.title'));
    const tasks = report.stats.tasks.filter((t) => t.checkId === 'sql-injection' && t.operationId !== 'POST /graphql query.search');
    expect(tasks.map((t) => t.status)).toEqual(['clean', 'clean']);
    expect(validateReport(report)).toEqual({ valid: true });
  }, 90_000);

  it('an input object\'s field: found on that leaf (one finding for both ways of sending it)', async () => {
    const found = sqli(await scan('nested'));
    expect(found.map((f) => [f.operation.graphql, f.parameter, f.confidence])).toEqual([['query.byFilter', 'graphql:variables.filter.title', 'confirmed']]);
  }, 90_000);

  it('the safe twin, every value bound: no finding', async () => {
    const report = await scan('safe');
    expect(sqli(report)).toEqual([]);
    expect(report.stats.tasks.filter((t) => t.checkId === 'sql-injection').map((t) => t.status)).toEqual(['clean', 'clean', 'clean']);
  }, 90_000);
});
