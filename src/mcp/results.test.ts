// src/mcp/results.test.ts — what the tools return from a report: fired findings first, a finding found by
// fingerprint, prefix or report.json position, and explained with its exchanges.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/index.js';
import { makeLargeReport, makeReport } from '../report/fixture.js';
import { toJson } from '../report/index.js';
import { explainFinding, findFinding, MAX_FINDINGS, runResult } from './results.js';

describe('runResult', () => {
  it('gives the verdict, the rules that fired and every finding they name, before the others', () => {
    const report = makeLargeReport(MAX_FINDINGS + 30);
    const last = report.findings.at(-1)!;
    report.verdict = { pass: false, status: 'fail', reasons: [{ rule: 'r1', level: 'fail', message: 'm', fingerprints: [last.fingerprint] }] };
    const r = runResult(report, { json: '/x/report.json' }) as { verdict: string; findings: Array<{ fingerprint: string }>; findingCount: number; resources: { json: string } };
    expect(r.verdict).toBe('fail');
    expect(r.findings[0]!.fingerprint).toBe(last.fingerprint);
    expect(r.findings.length).toBe(MAX_FINDINGS);
    expect(r.findingCount).toBe(report.findings.length);
    expect(r.resources.json).toBe(`vouch://scans/${report.scanId}/report.json`);
  });
});

describe('findFinding and explainFinding', () => {
  const report = makeReport();
  it('finds by fingerprint, by a unique prefix, and by position in report.json', () => {
    const f = report.findings[2]!;
    expect(findFinding(report, f.fingerprint)).toBe(f);
    expect(findFinding(report, f.fingerprint.slice(0, 12))).toBe(f);
    const inFile = (JSON.parse(toJson(report)) as { findings: Finding[] }).findings;
    expect(findFinding(report, '2').fingerprint).toBe(inFile[1]!.fingerprint);
  });

  it('refuses an unknown fingerprint, a short prefix and a position beyond the findings, naming the scan', () => {
    for (const ref of ['ffffffffffffffff', 'a', String(report.findings.length + 1)]) {
      expect(() => findFinding(report, ref)).toThrow(expect.objectContaining({ code: 'VOUCH_USAGE', message: expect.stringContaining(report.scanId) }));
    }
  });

  it('explains with why, the exchanges (bodies cut), the curl line and the rules naming it', () => {
    const fired = report.verdict.reasons.find((r) => r.level === 'fail')!.fingerprints[0]!;
    const f = findFinding(report, fired);
    const e = explainFinding(report, f) as { why: string; exchanges: Array<{ response?: { body: string } }>; reproduce: string; rules: Array<{ rule: string }> };
    expect(e.why.startsWith(f.confidence)).toBe(true);
    expect(e.exchanges.length).toBe(f.proof.exchanges.length);
    expect(e.exchanges.every((x) => (x.response?.body.length ?? 0) <= 4_000 + 80)).toBe(true);
    expect(e.reproduce).toBe(f.proof.reproduce);
    expect(e.rules.length).toBeGreaterThan(0);
  });
});
