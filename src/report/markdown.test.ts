// src/report/markdown.test.ts — the PR comment: verdict first, escaped target data, and never over 65,000 characters.
import { describe, expect, it } from 'vitest';
import { makeLargeReport, makeReport } from './fixture.js';
import { COMMENT_MARKER, MARKDOWN_MAX_CHARS, toMarkdown } from './markdown.js';

describe('toMarkdown', () => {
  const md = toMarkdown(makeReport());

  it('leads with the verdict and the fired rules', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe(COMMENT_MARKER);
    expect(lines[1]).toBe('### ❌ vouch: **FAIL** — candidate (http://127.0.0.1:4100) vs baseline http://127.0.0.1:4000');
    expect(md).toContain('- ❌ **fail** block-new-confirmed-high: 2 new confirmed findings of severity high or above');
    expect(md).toContain('- ⚠️ **warn** warn-new-tentative: 1 new tentative finding');
  });

  it('has a table of new confirmed problems, then fixed, persisting, surface and tentative', () => {
    expect(md).toContain('| Risk | Severity | Operation | Title | Proof |');
    expect(md).toContain("| 88 | high | GET /api/products/search · q | SQL injection \\(error based\\) | q=' returned HTTP 500");
    const tableRows = md.split('\n').filter((l) => /^\| \d+ \|/u.test(l));
    expect(tableRows).toHaveLength(3);
    // Every table row has exactly 5 cells: no unescaped | from the target.
    for (const r of tableRows) expect(r.replace(/\\\|/gu, '').split('|')).toHaveLength(7);
    expect(md).toContain('**Fixed (1):**\n- high · GET /download · Path traversal in file download');
    expect(md).toContain('**Persisting:** 1 finding (1 low)');
    expect(md).toContain('**Surface changes:** 2 added, 1 removed, 1 auth changed');
    expect(md).toContain('- auth GET /api/orders/\\{id\\}: required → none');
    expect(md).toContain('**Tentative:** 1 not shown (1 medium)');
  });

  it('escapes markup, backticks and controls from the target', () => {
    expect(md).not.toMatch(/<(script|img|\/script)/iu);
    expect(md).toContain('&lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(md).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u2028\u2029]/u);
    const r = makeReport();
    r.findings[0]!.title = 'ping @octocat with `code` and ![img](http://x)';
    r.findings[0]!.status = 'new';
    r.findings[0]!.risk = 99;
    const text = toMarkdown(r);
    expect(text).toContain('ping &#64;octocat with \\`code\\` and \\!\\[img\\]\\(http://x\\)');
  });

  it('says when the scan is partial', () => {
    expect(toMarkdown(makeReport({ partial: true }))).toContain('> Partial scan: request budget spent; 17 tasks not run.');
  });

  it('stays under 65,000 characters for 2,000 findings and says how many were left out', () => {
    const big = makeLargeReport(2000);
    const all = toMarkdown(big, { max: 5000 });
    expect(all.length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
    expect(all).toMatch(/\n\.\.\. \d+ more \(see report\.html\)\n/u);
    const rows = all.split('\n').filter((l) => /^\| \d+ \|/u.test(l)).length;
    const more = Number(/\.\.\. (\d+) more/u.exec(all)?.[1]);
    const confirmed = big.findings.filter((f) => f.confidence === 'confirmed').length;
    expect(rows + more).toBe(confirmed);
    // Default cap: 50 rows.
    const capped = toMarkdown(big);
    expect(capped.split('\n').filter((l) => /^\| \d+ \|/u.test(l))).toHaveLength(50);
    expect(capped).toContain(`... ${confirmed - 50} more (see report.html)`);
  });

  it('holds the cap even when the parts outside the table are huge', () => {
    const r = makeReport();
    r.verdict.reasons = Array.from({ length: 40 }, (_, i) => ({ rule: `r${i}`, message: 'm'.repeat(300), fingerprints: [], level: 'fail' as const }));
    r.comparison!.surface.added = Array.from({ length: 5000 }, (_, i) => `GET /x/${i}`);
    expect(toMarkdown(r).length).toBeLessThanOrEqual(MARKDOWN_MAX_CHARS);
  });

  it('shows a pass without a baseline', () => {
    const r = makeReport();
    delete r.comparison;
    r.verdict = { pass: true, status: 'pass', reasons: [] };
    const text = toMarkdown(r);
    expect(text.split('\n')[1]).toBe('### ✅ vouch: **PASS** — candidate (http://127.0.0.1:4100)');
    expect(text).toContain('**Problems (4 confirmed):**');
    expect(text).not.toContain('**Fixed');
  });

  it('lists baseline findings that were not re-tested apart from the fixed ones', () => {
    const md = toMarkdown(makeReport());
    expect(md).toContain('**Not re-tested (1):**');
    expect(md).toContain('Time-based SQL injection');
    const none = makeReport();
    none.comparison!.notRetestedFindings = [];
    expect(toMarkdown(none)).not.toContain('Not re-tested');
  });
});

describe('toMarkdown: the incomplete verdict and coverage', () => {
  const md = toMarkdown(makeReport({ incomplete: true }));

  it('heads with INCOMPLETE and lists every cause before the rules', () => {
    expect(md).toContain('### ⚠️ vouch: **INCOMPLETE** — candidate');
    const caution = md.indexOf('> [!CAUTION]\n> Incomplete: vouch could not establish enough to pass:');
    expect(caution).toBeGreaterThan(0);
    expect(md.indexOf('> - **login-failed**')).toBeGreaterThan(caution);
    expect(md.indexOf('> - **coverage**')).toBeLessThan(md.indexOf('warn-new-tentative'));
    // Hostile text from a cause stays inert.
    expect(md).not.toContain('<script>');
  });

  it('shows coverage compactly: the headline, untested operations first, then per family', () => {
    const head = md.indexOf('**Coverage:** 7 of 10 planned tasks got a real answer \\(70%, min 90%\\)');
    const untested = md.indexOf('**Untested operations (4):**');
    const family = md.indexOf('**Coverage per family:** conformance 0% \\(0/1\\)');
    expect(head).toBeGreaterThan(0);
    expect(untested).toBeGreaterThan(head);
    expect(family).toBeGreaterThan(untested);
  });

  it('keeps the causes under a FAIL, saying they are also there', () => {
    expect(toMarkdown(makeReport())).toContain('### ❌ vouch: **FAIL**');
    expect(toMarkdown(makeReport())).toContain('> Also incomplete:');
  });
});
