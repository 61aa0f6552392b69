// src/checks/security/sql-injection.ts — error-based SQL injection: a quote that breaks the query shows a database
// error the original value did not; proof is replay plus a balanced-quote control that does not error.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { buildRequest, injectionPoints } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { all, hasInjectionPoints, safeMethodOrNotSafeMode } from '../kit/guards.js';

/** Database error signatures (message fragments that only a database driver prints). */
export const SQL_ERRORS: ReadonlyArray<[engine: string, pattern: RegExp]> = [
  ['SQLite', /SQLITE_ERROR|sqlite3?\.OperationalError|unrecognized token:|near ".{0,40}": syntax error|SQLite\/JDBCDriver|System\.Data\.SQLite/i],
  ['MySQL', /You have an error in your SQL syntax|mysql_fetch|MySqlException|com\.mysql\.jdbc|Warning: mysql/i],
  ['PostgreSQL', /PG::SyntaxError|PSQLException|unterminated quoted string at or near|syntax error at or near "|pg_query\(\)/i],
  ['SQL Server', /Unclosed quotation mark after the character string|Microsoft OLE DB Provider for SQL Server|SqlException|\[SQL Server\]/i],
  ['Oracle', /ORA-0\d{4}|quoted string not properly terminated|oracle\.jdbc/i],
];

export function sqlError(text: string): { engine: string; match: string } | undefined {
  for (const [engine, re] of SQL_ERRORS) {
    const m = re.exec(text);
    if (m) return { engine, match: m[0] };
  }
  return undefined;
}

const bodyOf = (x: Exchange): string => x.response?.body ?? '';

const BREAKERS = ["'", '"', "')"];

export default defineCheck({
  id: 'sql-injection',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'SQL injection',
    description: 'A parameter is pasted into an SQL statement: a quote breaks the statement and the database error comes back.',
    severity: 'high',
    cwe: 'CWE-89',
    owasp: 'A03:2021 Injection',
    remediation: 'Use parameterized queries (placeholders) for every value that reaches SQL; never build SQL by string concatenation.',
    proves: 'The breaking payload yields a database error signature absent from the original response, again on replay, while a balanced-quote control does not.',
  },
  options: z.strictObject({}),
  appliesTo: all(hasInjectionPoints, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const baseline = await ctx.send(buildRequest(op));
    if (!baseline.response) return { status: 'inconclusive', reason: `the unmodified request failed: ${baseline.error?.message ?? 'no response'}` };
    if (sqlError(bodyOf(baseline))) return { status: 'inconclusive', reason: 'the unmodified request already shows a database error' };
    const candidates: CandidateInput[] = [];
    for (const point of injectionPoints(op)) {
      for (const breaker of BREAKERS) {
        const payload = `${point.base}${breaker}`;
        const ex = await ctx.send(buildRequest(op, point, payload));
        const err = sqlError(bodyOf(ex));
        if (!err) continue;
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: ex.request.url,
          parameter: `${point.location}:${point.name}`,
          vulnClass: 'sqli-error',
          confidence: 'tentative',
          proof: {
            summary: `${point.location} ${point.name}=${JSON.stringify(payload)} → ${ex.response?.status ?? '-'} with ${err.engine} error "${err.match}"; the original value gave none`,
            exchangeIds: [ex.id, baseline.id],
            evidence: err.match,
            payload,
          },
          data: { point, payload, base: point.base },
        });
        break;
      }
    }
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { point: Parameters<typeof buildRequest>[1]; payload: string; base: string } | undefined;
    if (!op || !data?.point) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const replay = await ctx.send(buildRequest(op, data.point, data.payload));
    // Control: the same quote doubled is valid SQL string syntax; an injectable parameter stops erroring.
    const control = await ctx.send(buildRequest(op, data.point, `${data.base}''`));
    const replayErr = sqlError(bodyOf(replay));
    const controlErr = sqlError(bodyOf(control));
    if (replayErr && !controlErr) {
      return {
        confirmed: true,
        exchangeIds: [replay.id, control.id],
        summary: `${candidate.proof.summary}; replay errors again, the balanced control ${JSON.stringify(`${data.base}''`)} does not`,
      };
    }
    return { confirmed: false, exchangeIds: [replay.id, control.id], reason: replayErr ? 'the balanced control errors too' : 'the replay did not error' };
  },
  example: { url: 'http://127.0.0.1:8080/api/products/search?q=phone%27', summary: "query q=\"phone'\" → 500 with SQLite error \"unrecognized token:\"" },
});
