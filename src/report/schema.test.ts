// src/report/schema.test.ts — the report JSON Schema accepts every fixture and rejects broken reports with useful errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION } from '../core/index.js';
import { makeLargeReport, makeReport } from './fixture.js';
import { toJson } from './json.js';
import { packageRoot, reportSchemaPath, validateReport } from './schema.js';

describe('report schema', () => {
  it('is found from the package root and pins schemaVersion to the core constant', () => {
    expect(reportSchemaPath()).toBe(`${packageRoot()}/schemas/report.schema.json`);
    const schema = JSON.parse(readFileSync(reportSchemaPath(), 'utf8')) as { properties: { schemaVersion: { const: number } } };
    expect(schema.properties.schemaVersion.const).toBe(REPORT_SCHEMA_VERSION);
  });

  it('accepts the fixture, its partial variant, a report without comparison and a large one', () => {
    const plain = makeReport();
    delete plain.comparison;
    for (const r of [makeReport(), makeReport({ partial: true }), plain, makeLargeReport(50)]) {
      expect(validateReport(r)).toEqual({ valid: true });
    }
  });

  it('accepts report.json as written (round trip through toJson)', () => {
    expect(validateReport(JSON.parse(toJson(makeReport({ partial: true }))))).toEqual({ valid: true });
  });

  it('rejects a broken report, naming the instance path of each problem', () => {
    const r = JSON.parse(JSON.stringify(makeReport())) as Record<string, unknown> & { findings: Array<Record<string, unknown>> };
    r['schemaVersion'] = 2;
    delete r['verdict'];
    r.findings[0]!['severity'] = 'severe';
    r.findings[1]!['extra'] = true;
    r['startedAt'] = 'yesterday';
    const result = validateReport(r);
    expect(result.valid).toBe(false);
    if (result.valid) return;
    expect(result.errors).toEqual(
      expect.arrayContaining([
        '(root): missing required property "verdict"',
        '/schemaVersion: must be 1',
        '/findings/0/severity: must be one of "critical", "high", "medium", "low", "info"',
        '/findings/1: unknown property "extra"',
        '/startedAt: must match format "date-time"',
      ]),
    );
  });

  it('rejects values that are not reports at all', () => {
    expect(validateReport(null)).toEqual({ valid: false, errors: ['(root): must be object'] });
    const r = validateReport({ schemaVersion: 1 });
    expect(r.valid).toBe(false);
    if (!r.valid) expect(r.errors).toContain('(root): missing required property "findings"');
  });

  it('rejects bad enums in task records and header lists that are not pairs', () => {
    const r = makeReport();
    (r.stats.tasks[0] as { status: string }).status = 'passed';
    const i = r.findings.findIndex((f) => f.checkId === 'sqli-error');
    (r.findings[i]!.proof.exchanges[0]!.request.headers as unknown as string[][]).push(['only-name']);
    const result = validateReport(r);
    expect(result.valid).toBe(false);
    if (!result.valid) {
      expect(result.errors.some((e) => e.startsWith('/stats/tasks/0/status: must be one of'))).toBe(true);
      expect(result.errors.some((e) => e.startsWith(`/findings/${i}/proof/exchanges/0/request/headers/2`))).toBe(true);
    }
  });
});

describe('the verdict status and coverage in the contract', () => {
  it('accepts an incomplete report with causes and coverage, and rejects an unknown status or cause', () => {
    const r = JSON.parse(toJson(makeReport({ incomplete: true }))) as ReturnType<typeof makeReport>;
    expect(validateReport(r)).toEqual({ valid: true });
    expect(validateReport({ ...r, verdict: { ...r.verdict, status: 'maybe' } }).valid).toBe(false);
    expect(validateReport({ ...r, verdict: { ...r.verdict, incomplete: [{ cause: 'bad-luck', message: 'x' }] } }).valid).toBe(false);
    expect(validateReport({ ...r, coverage: { ...r.coverage!, ratio: 1.5 } }).valid).toBe(false);
    expect(validateReport({ ...r, coverage: { ...r.coverage!, surprise: 1 } }).valid).toBe(false);
  });
});
