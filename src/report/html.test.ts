// src/report/html.test.ts — report.html: self-contained, CSP hashes match, and no target byte is left unescaped.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HOSTILE, makeLargeReport, makeReport } from './fixture.js';
import { HTML_BODY_MAX, toHtml } from './html.js';

const html = toHtml(makeReport({ partial: true }));

const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

function between(text: string, open: RegExp, close: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(new RegExp(`${open.source}([\\s\\S]*?)${close}`, 'gu'))) out.push(m[1]!);
  return out;
}

describe('toHtml', () => {
  it('has a strict CSP whose hashes match the one inline style and the one inline script', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/u.exec(html)?.[1]?.replace(/&#39;/gu, "'");
    expect(csp).toBeDefined();
    const styles = between(html, /<style>/u, '</style>');
    const scripts = between(html, /<script>/u, '</script>');
    expect(styles).toHaveLength(1);
    expect(scripts).toHaveLength(1);
    expect(csp).toBe(
      `default-src 'none'; style-src ${sha(styles[0]!)}; script-src ${sha(scripts[0]!)}; img-src data:; base-uri 'none'; form-action 'none'`,
    );
    // The CSP comes before anything it governs.
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<style>'));
  });

  it('lets no markup from the target through', () => {
    // Only our own <script> elements exist: the JSON data block and the inline script.
    expect(html.match(/<script\b[^>]*>/giu)).toEqual(['<script type="application/json" id="data">', '<script>']);
    expect(html.match(/<\/script>/giu)).toHaveLength(2);
    expect(html).not.toContain(HOSTILE.script);
    expect(html).not.toContain(HOSTILE.attr);
    expect(html).not.toMatch(/<img\b/iu);
    // Every `<` left in the page opens one of our tags (target `<` are escaped), so tags can be checked textually.
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/iu);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    // No inline style attributes (the CSP would block them) and no inline event handlers.
    expect(html).not.toMatch(/<[^>]+\sstyle=/iu);
  });

  it('loads nothing: no src, no external href, no url()', () => {
    expect(html).not.toMatch(/<[^>]*\ssrc=/iu);
    const hrefs = [...html.matchAll(/<[^>]*\shref="([^"]*)"/gu)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    // In-page anchors, plus plain links (navigation, not loads) to the CWE and OWASP pages of a check's metadata.
    for (const h of hrefs) expect(h.startsWith('#') || h.startsWith('data:') || h.startsWith('https://cwe.mitre.org/') || h.startsWith('https://owasp.org/')).toBe(true);
    expect(html).not.toMatch(/url\(/iu);
    expect(html).not.toMatch(/@import/iu);
  });

  it('keeps control characters and line separators out of the page, showing them as symbols in raw HTTP', () => {
    // eslint-disable-next-line no-control-regex -- looking for control characters is the point
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/u);
    expect(html).toContain('x-evil: &lt;script&gt;alert(1)&lt;/script&gt;\u2400\u241b[31m');
    expect(html).toContain('⟨U+2028⟩');
  });

  it('renders exchanges as raw HTTP and cuts long bodies at 20 kB with a note', () => {
    expect(html).toContain(`POST /files/&lt;script&gt;alert(1)&lt;/script&gt;?name=&quot;&gt;&lt;img src=x onerror=alert(1)&gt; HTTP/1.1\nhost: 127.0.0.1:4100\n`);
    expect(html).toContain('HTTP/1.1 500\ncontent-type: text/html\n');
    expect(html).toContain('response body cut at 20 kB for display: 293.05 kB in total; report.json has all of it');
    expect(html).toContain('the engine cut this body at its size cap');
    expect(html).toContain('(no response) VOUCH_REQUEST_FAILED: socket hang up');
    const longestRun = Math.max(...[...html.matchAll(/A{100,}/gu)].map((m) => m[0].length));
    expect(longestRun).toBeLessThanOrEqual(HTML_BODY_MAX);
    expect(html.length).toBeLessThan(200_000);
  });

  it('cuts multi-byte bodies at 20 kB of UTF-8 without a broken character', () => {
    const r = makeReport();
    const x = r.findings.find((f) => f.checkId === 'sqli-error')!.proof.exchanges[0]!;
    x.response!.body = 'é'.repeat(20_000);
    const page = toHtml(r);
    const run = /é+/u.exec(page)?.[0] ?? '';
    expect(Buffer.byteLength(run, 'utf8')).toBe(HTML_BODY_MAX);
    expect(page).not.toContain('\ufffd');
    expect(page).toContain('response body cut at 20 kB for display: 39.06 kB in total');
  });

  it('puts the filter data in a JSON block that cannot break out, and lists every finding with its details', () => {
    const json = /<script type="application\/json" id="data">([^<]*)<\/script>/u.exec(html)?.[1];
    expect(json).toBeDefined();
    const data = JSON.parse(json!) as { findings: Array<{ i: number; severity: string; status: string }> };
    expect(data.findings.map((f) => f.severity)).toEqual(['high', 'high', 'medium', 'medium', 'low']);
    expect(data.findings.map((f) => f.status)).toEqual(['new', 'new', 'new', 'new', 'persisting']);
    expect(html.match(/<tr data-i="/gu)).toHaveLength(5);
    expect(html.match(/<details class="finding" id="f\d+" data-i=/gu)).toHaveLength(5);
    for (const key of ['family', 'severity', 'confidence', 'status', 'exposure']) expect(html).toContain(`data-filter="${key}"`);
  });

  it('shows verdict, fired rules, partial notice, comparison, surface diff, charts, remediation, CWE and curl', () => {
    expect(html).toContain('<span class="word">FAIL</span>');
    expect(html).toContain('block-new-confirmed-high');
    expect(html).toContain('<b>Partial scan:</b> request budget spent; 17 tasks not run.');
    expect(html).toContain('<h3>Fixed (1)</h3>');
    expect(html).toContain('Path traversal in file download');
    expect(html).toContain('<li><span class="mono">GET /api/orders/{id}</span>: required → <b>none</b></li>');
    expect(html.match(/<svg /gu)).toHaveLength(2);
    expect(html).toContain('Use parameterized queries');
    expect(html).toContain('<dt>CWE</dt><dd><a href="https://cwe.mitre.org/data/definitions/89.html">CWE-89</a></dd>');
    expect(html).toContain('curl -i &#39;http://127.0.0.1:4100/api/products/search?q=%27&#39;');
    expect(html).toContain('sev 0.8 × conf 1 × exp 1 × nov 1.1');
  });

  it('is deterministic and handles a report without comparison or findings', () => {
    expect(toHtml(makeReport({ partial: true }))).toBe(html);
    const r = makeReport();
    delete r.comparison;
    r.findings = [];
    r.verdict = { pass: true, status: 'pass', reasons: [] };
    const empty = toHtml(r);
    expect(empty).toContain('<span class="word">PASS</span>');
    expect(empty).toContain('No findings.');
    expect(empty).not.toContain('data-filter="status"');
  });

  it('renders 1,000 findings', () => {
    const big = toHtml(makeLargeReport(1000));
    expect(big.match(/<tr data-i="/gu)).toHaveLength(1000);
  });

  it('shows baseline findings that were not re-tested in the comparison, apart from the fixed ones', () => {
    const html = toHtml(makeReport());
    const section = html.slice(html.indexOf('id="not-retested"'));
    expect(html).toContain('id="not-retested"');
    expect(section.slice(0, section.indexOf('</div>'))).toContain('Time-based SQL injection');
  });
});

describe('report size', () => {
  it('keeps a 1,000-finding report under 5 MB by sharing one display budget among all bodies', async () => {
    const { makeLargeReport } = await import('./fixture.js');
    const html = toHtml(makeLargeReport(1000));
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    expect(html).toContain('report.json has all of it');
  });
});

describe('toHtml: the incomplete verdict and coverage', () => {
  const html = toHtml(makeReport({ incomplete: true }));

  it('shows INCOMPLETE with its own style and lists the causes, escaped', () => {
    expect(html).toContain('<title>vouch INCOMPLETE — candidate</title>');
    expect(html).toContain('<section class="verdict incomplete" id="verdict"><span class="word">INCOMPLETE</span>');
    expect(html).toContain('<span class="lvl-incomplete">check-crashed</span>');
    expect(html).not.toContain(HOSTILE.script);
  });

  it('has a coverage section: never-tested operations first, then tables per family and per operation', () => {
    const section = html.slice(html.indexOf('<section id="coverage">'));
    expect(section.indexOf('<h3>Never tested (4)</h3>')).toBeLessThan(section.indexOf('<h3>Per family</h3>'));
    expect(section).toMatch(/<tr class="low"><th scope="row" class="mono">reliability<\/th><td class="num">1<\/td><td class="num">0<\/td>/u);
    expect(section).toContain('<th scope="row" class="mono">target-wide</th>');
  });
});
