// src/dashboard/compare.test.ts — two stored scans compared: a finding gone from the head is fixed only where re-tested.
import { describe, expect, it } from 'vitest';
import { makeReport } from '../report/fixture.js';
import { compareReports } from './compare.js';

describe('compareReports', () => {
  it('calls a base finding fixed only when the head ran its check on its operation with an answer', () => {
    const base = makeReport();
    const sqli = base.findings.find((f) => f.checkId === 'sqli-error')!;
    const gone = (status: 'clean' | 'inconclusive' | 'not-run') => {
      const head = makeReport();
      head.findings = head.findings.filter((f) => f.fingerprint !== sqli.fingerprint);
      head.stats.tasks = head.stats.tasks.map((t) => (t.checkId === 'sqli-error' ? { ...t, status } : t));
      return compareReports(base, head).comparison!;
    };
    const answered = gone('clean');
    expect(answered.findings.fixed).toContain(sqli.fingerprint);
    expect(answered.findings.notRetested).not.toContain(sqli.fingerprint);
    for (const status of ['inconclusive', 'not-run'] as const) {
      const c = gone(status);
      expect(c.findings.fixed, status).not.toContain(sqli.fingerprint);
      expect(c.findings.notRetested, status).toContain(sqli.fingerprint);
      expect(c.notRetestedFindings?.find((f) => f.fingerprint === sqli.fingerprint)?.status).toBe('not-retested');
    }
  });
});
