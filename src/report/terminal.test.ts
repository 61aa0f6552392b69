// src/report/terminal.test.ts — the terminal summary: verdict first, ranked new findings, counts; colour only when asked.
import { describe, expect, it } from 'vitest';
import { makeLargeReport, makeReport } from './fixture.js';
import { renderTerminal } from './terminal.js';

// eslint-disable-next-line no-control-regex -- looking for escape sequences is the point
const ESC = /\u001b/u;

describe('renderTerminal', () => {
  it('prints the verdict, the fired rules, the new confirmed findings and the counts', () => {
    const out = renderTerminal(makeReport(), { color: false });
    expect(out).toMatchInlineSnapshot(`
      "FAIL  candidate (http://127.0.0.1:4100) vs http://127.0.0.1:4000: 1 rule failed, 1 warning
        incomplete  login-failed: identity carol could not log in (login http://127.0.0.1:4100/api/login answered 401 </script>); its tasks were skipped. Fix its login in vouch.yaml
        incomplete  check-crashed: check server-errors crashed: TypeError: cannot read properties of undefined <script>alert(1)</script>; a vouch bug: please report it
        incomplete  coverage: 7 of 10 planned tasks got a real answer (70%, policy.minCoverage 90%): 1 inconclusive, 1 crashed, 1 not run
        fail  block-new-confirmed-high: 2 new confirmed findings of severity high or above
        warn  warn-new-tentative: 1 new tentative finding
        coverage  7 of 10 planned tasks got a real answer (70%, min 90%); 1 inconclusive, 1 crashed, 1 not run, 2 skipped by the plan
        untested  4 operations: POST /api/orders (crashed: check server-errors crashed: TypeError: cannot read properties of unde…), GET /api/debug/env (no check applies), GET /api/products (not-run: request budget spent), DELETE /api/orders/{id} (skipped: safe mode: destructive method)
        families  conformance 0% (0/1), reliability 0% (0/1), security 85.7% (6/7), authorization 100% (1/1)

      New confirmed findings (3):
         88  high      GET /api/products/search [q]  SQL injection (error based)
             q=' returned HTTP 500 with a SQLite syntax error; q='' (balanced) returned 200 with results
         80  high      GET /api/orders/{id}  Object readable by another user (BOLA)
             bob read alice's order 1001 (200, same body as alice's own read); anonymous got 401
         52  medium    GET /files/{name}</script> [name"><img src=x onerror=alert(1)>[31m]  Stack trace leaked by <script>alert(1)</script> "><img src=x onerror=alert(1)>
             Response contains a stack trace: <script>alert(1)</script>[31m at Object.<anonymous> </script>
      1 tentative, not shown: 1 medium (Reflected cross-site scripting)

      Findings: 4 new, 1 persisting, 1 fixed, 1 not re-tested
        not re-tested (the candidate did not test them again, so not fixed): Time-based SQL injection (GET /api/products/search)
      Surface:  2 added, 1 removed, 1 auth changed, 0 params changed, 0 shadow, 0 zombie
        auth changed: GET /api/orders/{id} required → none
        added: GET /api/debug/env, GET /files/{name}</script>
        removed: GET /api/legacy/export
      Permissions: agent: gained DELETE /api/products/{id}
      Requests: 1234 sent, 3 refused, 2 failed
      Checks:   2 skipped (reasons in report.json, stats.checks.skipped)
      "
    `);
  });

  it('has no ANSI codes and no control characters from the target when color is false', () => {
    const out = renderTerminal(makeReport({ partial: true }), { color: false });
    expect(out.startsWith('FAIL ')).toBe(true);
    expect(out).not.toMatch(ESC);
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(out).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/u);
  });

  it('colours only when asked, and the verdict is still the first thing printed', () => {
    const out = renderTerminal(makeReport(), { color: true });
    expect(out).toMatch(ESC);
    expect(out.startsWith('\u001b[1m\u001b[31mFAIL\u001b[0m')).toBe(true);
  });

  it('says when the scan is partial', () => {
    const out = renderTerminal(makeReport({ partial: true }), { color: false });
    expect(out.split('\n')[0]).toContain('(partial scan)');
    expect(out).toContain('Partial scan: stopped early (request budget spent); 17 tasks not run.');
  });

  it('lists all confirmed findings when there is no baseline', () => {
    const r = makeReport();
    delete r.comparison;
    for (const f of r.findings) delete f.status;
    r.verdict = { pass: true, status: 'pass', reasons: [] };
    const out = renderTerminal(r, { color: false });
    expect(out.split('\n')[0]).toBe('PASS  candidate (http://127.0.0.1:4100)');
    expect(out).toContain('Confirmed findings (4):');
    expect(out).toContain('Findings: 4 confirmed, 1 tentative');
    expect(out).not.toContain('Surface:');
  });

  it('caps the list at max and counts the rest', () => {
    const out = renderTerminal(makeLargeReport(100), { color: false, max: 5 });
    const listed = out.split('\n').filter((l) => /^ {2}[ \d]{2}\d {2}\S/u.test(l));
    expect(listed).toHaveLength(5);
    expect(out).toMatch(/\.\.\. 80 more \(/u);
  });
});

describe('terminal: profile and accepted risks', () => {
  it('says when the AI-influenced profile applied and what was suppressed or expired', () => {
    const r = makeReport();
    const fp = r.findings[0]!.fingerprint;
    const out = renderTerminal(
      { ...r, verdict: { ...r.verdict, profile: { name: 'ai-influenced', why: '--ai-influenced' } }, accepted: [{ fingerprint: fp, reason: 'ticket', expires: '2020-01-01', state: 'expired', matched: true }] },
      { color: false },
    );
    expect(out).toContain('profile  ai-influenced: stricter rules apply (--ai-influenced)');
    expect(out).toContain('Accepted: 0 findings suppressed as accepted risks; 1 acceptance expired, counted again');
  });
});

describe('renderTerminal: the incomplete verdict', () => {
  it('says INCOMPLETE first, then each cause before the rules, then the coverage with untested operations', () => {
    const lines = renderTerminal(makeReport({ incomplete: true }), { color: false }).split('\n');
    expect(lines[0]).toMatch(/^INCOMPLETE {2}candidate /u);
    expect(lines.slice(1, 4).map((l) => l.trim().split(':')[0])).toEqual(['incomplete  login-failed', 'incomplete  check-crashed', 'incomplete  coverage']);
    expect(lines[4]).toMatch(/^ {2}warn {2}warn-new-tentative/u);
    expect(lines[5]).toBe('  coverage  7 of 10 planned tasks got a real answer (70%, min 90%); 1 inconclusive, 1 crashed, 1 not run, 2 skipped by the plan');
    expect(lines[6]).toMatch(/^ {2}untested {2}4 operations: POST \/api\/orders \(crashed: /u);
  });

  it('paints INCOMPLETE yellow, never green', () => {
    const first = renderTerminal(makeReport({ incomplete: true }), { color: true }).split('\n')[0]!;
    expect(first.startsWith('\u001b[1m\u001b[33mINCOMPLETE')).toBe(true);
  });

  it('reads a stored report from before `status` by its `pass`', () => {
    const r = makeReport();
    r.verdict = { pass: true, reasons: [] } as unknown as typeof r.verdict;
    delete r.coverage;
    expect(renderTerminal(r, { color: false })).toMatch(/^PASS /u);
  });
});

describe('renderTerminal: discovery', () => {
  it('lists what each discovery source found and what stopped it, after the requests', () => {
    const report = makeReport();
    report.surface.discovery = {
      sources: [
        { source: 'html', identity: 'anonymous', requests: 12, pages: 9, found: 7, added: 7, stop: 'nothing left to visit' },
        { source: 'browser', identity: 'admin', requests: 40, pages: 10, found: 5, added: 2, stop: '10 pages in a row that found nothing new (maxIdlePages)' },
      ],
    };
    const lines = renderTerminal(report, { color: false }).split('\n');
    const at = lines.findIndex((l) => l.startsWith('Discovery:'));
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith('Requests:')));
    expect(lines.slice(at, at + 3)).toEqual([
      `Discovery: ${report.surface.operations.length} operations, by source:`,
      '  html: 7 operations (7 new), 9 pages, 12 requests; nothing left to visit',
      '  browser as admin: 5 operations (2 new), 10 pages, 40 requests; 10 pages in a row that found nothing new (maxIdlePages)',
    ]);
    expect(renderTerminal(makeReport(), { color: false })).not.toContain('Discovery:');
  });
});
