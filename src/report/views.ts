// src/report/views.ts — the views report.html and the dashboard share: pure functions, data → escaped HTML string.
// report.html is these views frozen into one file; `vouch serve` renders the same functions per request, so the two
// never disagree. Every string that came from the target goes through `t()` or `pre()` (escaped, controls handled).
import type { AcceptedRisk, Coverage, CoverageCounts, Family, Finding, HeaderList, LatencyStats, PermissionAudit, PermissionDiff, ProofExchange, Report, Severity, SurfaceDiff } from '../core/index.js';
import { FAMILIES } from '../core/index.js';
import { SEVERITY_ORDER, compareText, coverageHeadline, discoverySourceLine, escapeHtml, formatNumber, oneLine, operationLabel, percent, plural, showControls, verdictStatus } from './text.js';

/** Bodies longer than this are cut in the page (report.json keeps them whole). */
export const HTML_BODY_MAX = 20 * 1024;
/** All bodies shown in one report share this budget, so a 1,000-finding report stays a few MB. */
export const HTML_BODIES_BUDGET = 1.5 * 1024 * 1024;
/** However many exchanges there are, each shows at least this much of its bodies. */
export const HTML_BODY_MIN = 512;

/** Per-body display cap for a report showing `bodies` request and response bodies. */
export function bodyCap(bodies: number): number {
  return Math.max(HTML_BODY_MIN, Math.min(HTML_BODY_MAX, Math.floor(HTML_BODIES_BUDGET / Math.max(1, bodies))));
}
/** Header values longer than this are cut in the page. */
const HEADER_VALUE_MAX = 4096;
/** Skipped-work entries listed before "... N more". */
const SKIPPED_MAX = 300;

/** Escaped one-line text (controls removed). */
export const t = (s: string, max = 300): string => escapeHtml(oneLine(s, max));
/** Escaped multi-line text with control characters shown, for `<pre>`. */
export const pre = (s: string): string => escapeHtml(showControls(s));

/** Where links point: in-page anchors in report.html, routes in the dashboard. */
export interface ViewLinks {
  finding(i: number, f: Finding): string;
}
export const ANCHOR_LINKS: ViewLinks = { finding: (i) => `#f${i}` };

/** A finding with its position in the ranked list and its comparison status (`none` without a baseline). */
export interface Indexed {
  f: Finding;
  i: number;
  status: string;
}

export function sevBadge(s: Severity): string {
  return `<span class="badge sev-${s}">${s}</span>`;
}

export function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${formatNumber(n / 1024)} kB` : `${formatNumber(n / 1024 / 1024)} MB`;
}

export function dl(pairs: Array<[string, string | undefined]>): string {
  const items = pairs.filter((p): p is [string, string] => p[1] !== undefined).map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`);
  return `<dl class="kv">${items.join('')}</dl>`;
}

const list = (items: string[]): string => (items.length === 0 ? '<p class="meta">none</p>' : `<ul>${items.join('')}</ul>`);

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP rendering, with the evidence span marked.

function cutBody(body: string, encoding: 'utf8' | 'base64' | undefined, max: number): { text: string; note: string } {
  const base64 = encoding === 'base64';
  const bytes = base64 ? Math.floor((body.replace(/=+$/u, '').length * 3) / 4) : Buffer.byteLength(body, 'utf8');
  const shown = base64 ? body.length : bytes;
  if (shown <= max) return { text: body, note: base64 ? `body shown as base64, ${formatBytes(bytes)}` : '' };
  // Cut at `max` bytes of UTF-8 (a character split by the cut is dropped, not shown as U+FFFD).
  const text = base64 ? body.slice(0, max) : Buffer.from(body, 'utf8').subarray(0, max).toString('utf8').replace(/\ufffd$/u, '');
  return {
    text,
    note: `body cut at ${formatBytes(max)} for display${base64 ? ' (base64)' : ''}: ${formatBytes(bytes)} in total; report.json has all of it`,
  };
}

function headerLines(headers: HeaderList): string {
  return headers
    .map(([name, value]) => `${name}: ${value.length > HEADER_VALUE_MAX ? `${value.slice(0, HEADER_VALUE_MAX)}… (cut)` : value}`)
    .join('\n');
}

/** Split a recorded URL textually (no URL parser: it would normalize `..`, encode bytes, and hide what was sent). */
function splitUrl(url: string): { host: string | undefined; target: string } {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]*)(.*)$/isu.exec(url);
  if (!m) return { host: undefined, target: url };
  const rest = m[2] ?? '';
  return { host: (m[1] ?? '').replace(/^[^@]*@/u, ''), target: rest === '' ? '/' : rest.startsWith('/') ? rest : `/${rest}` };
}

/** `pre()` of `text` with the first occurrence of `mark` wrapped in `<mark>` (both escaped; nothing else changes). */
export function preMarked(text: string, mark: string | undefined): string {
  const at = mark !== undefined && mark.length >= 3 ? text.indexOf(mark) : -1;
  if (at < 0 || mark === undefined) return pre(text);
  return `${pre(text.slice(0, at))}<mark class="evidence">${pre(mark)}</mark>${pre(text.slice(at + mark.length))}`;
}

export function exchangeView(x: ProofExchange, cap: number, evidence?: string): string {
  const r = x.request;
  const { host, target } = splitUrl(r.url);
  const hasHost = r.headers.some(([n]) => n.toLowerCase() === 'host');
  const reqHeaders = headerLines(host === undefined || hasHost ? r.headers : [['host', host], ...r.headers]);
  const reqBody = r.body === undefined ? { text: '', note: '' } : cutBody(r.body, r.bodyEncoding, cap);
  const reqText = `${r.method} ${target} HTTP/1.1\n${reqHeaders}${r.body === undefined ? '' : `\n\n${reqBody.text}`}`;
  const out = [
    `<div class="xhead">exchange ${t(x.id, 80)} · identity ${t(x.identity, 80)} · ${formatNumber(x.timing.totalMs)} ms · ${t(r.url, 500)}</div>`,
    `<pre class="http">${pre(reqText)}</pre>`,
  ];
  if (reqBody.note) out.push(`<div class="note">request ${escapeHtml(reqBody.note)}</div>`);
  if (x.response) {
    const res = x.response;
    const body = cutBody(res.body, res.bodyEncoding, cap);
    out.push(`<pre class="http">${preMarked(`HTTP/1.1 ${res.status}\n${headerLines(res.headers)}\n\n${body.text}`, evidence)}</pre>`);
    const notes = [body.note ? `response ${body.note}` : '', res.truncated ? 'the engine cut this body at its size cap' : '', ...(res.notes ?? []).map((n) => `engine: ${oneLine(n, 300)}`)].filter(Boolean);
    for (const n of notes) out.push(`<div class="note">${escapeHtml(n)}</div>`);
  } else {
    const err = x.error ? `${x.error.code}: ${x.error.message}` : 'no response recorded';
    out.push(`<pre class="http">${pre(`(no response) ${err}`)}</pre>`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Findings.

export function factors(f: Finding): string {
  const r = f.riskFactors;
  return `sev ${formatNumber(r.severity)} × conf ${formatNumber(r.confidence)} × exp ${formatNumber(r.exposure)} × nov ${formatNumber(r.novelty)}`;
}

export function findingRow({ f, i, status }: Indexed, links: ViewLinks = ANCHOR_LINKS): string {
  const param = f.parameter === undefined ? '' : ` <span class="mono">[${t(f.parameter, 60)}]</span>`;
  return (
    `<tr data-i="${i}"><td class="num"><b>${formatNumber(Math.round(f.risk))}</b><span class="factors">${factors(f)}</span></td>` +
    `<td>${sevBadge(f.severity)}</td><td${f.confidence === 'tentative' ? ' class="tentative"' : ''}>${f.confidence}</td>` +
    `<td>${escapeHtml(status)}</td><td>${f.exposure}</td><td>${f.family}</td>` +
    `<td class="mono">${t(operationLabel(f), 160)}${param}</td><td><a href="${escapeHtml(links.finding(i, f))}">${t(f.title, 200)}</a></td></tr>`
  );
}

/** The ranked findings table (risk with its factors, then the filterable attributes). */
export function findingsTable(indexed: readonly Indexed[], links: ViewLinks = ANCHOR_LINKS): string {
  return [
    '<table id="findings-table"><caption class="meta">ranked by risk = severity × confidence × exposure × novelty</caption>',
    '<thead><tr><th scope="col">risk</th><th scope="col">severity</th><th scope="col">confidence</th><th scope="col">status</th><th scope="col">exposure</th><th scope="col">family</th><th scope="col">operation</th><th scope="col">title</th></tr></thead><tbody>',
    ...indexed.map((x) => findingRow(x, links)),
    '</tbody></table>',
  ].join('\n');
}

/** The values each filter offers: those present in the findings, in their natural order. */
export function filterChoices(indexed: readonly Indexed[], compared: boolean): Array<[string, string[]]> {
  const present = (key: 'family' | 'severity' | 'confidence' | 'exposure', order: readonly string[]): string[] => order.filter((v) => indexed.some((x) => x.f[key] === v));
  return [
    ['family', present('family', FAMILIES)],
    ['severity', present('severity', SEVERITY_ORDER)],
    ['confidence', present('confidence', ['confirmed', 'tentative'])],
    ...(compared ? ([['status', ['new', 'persisting', 'none'].filter((s) => indexed.some((x) => x.status === s))]] as Array<[string, string[]]>) : []),
    ['exposure', present('exposure', ['anonymous', 'authenticated', 'privileged'])],
  ];
}

/**
 * Filter selects. In report.html they carry `data-filter` (the inline script filters rows in place); in the
 * dashboard they are named form fields with the current choice selected (the server filters).
 */
export function filterSelects(choices: Array<[string, string[]]>, mode: { kind: 'script' } | { kind: 'form'; selected: Record<string, string> }): string {
  return choices
    .map(([key, values]) => {
      const chosen = mode.kind === 'form' ? (mode.selected[key] ?? '') : '';
      const options = values.map((v) => `<option value="${escapeHtml(v)}"${v === chosen ? ' selected' : ''}>${escapeHtml(v)}</option>`).join('');
      const attr = mode.kind === 'script' ? `data-filter="${key}"` : `name="${key}"`;
      return `<label>${key}<select ${attr}><option value="">all</option>${options}</select></label>`;
    })
    .join('\n');
}

/** `https://cwe.mitre.org/...` for `CWE-89`; undefined for anything else. */
export function cweUrl(cwe: string): string | undefined {
  const m = /^CWE-(\d{1,5})$/u.exec(cwe.trim());
  return m ? `https://cwe.mitre.org/data/definitions/${m[1]}.html` : undefined;
}

/** The OWASP Top 10 (2021) or API Security Top 10 (2023) page of a category label. */
export function owaspUrl(owasp: string): string | undefined {
  if (/^API\d{1,2}:2023/u.test(owasp)) return 'https://owasp.org/API-Security/editions/2023/en/0x11-t10/';
  if (/^A\d{2}:2021/u.test(owasp)) return 'https://owasp.org/Top10/';
  return undefined;
}

function extLink(label: string, url: string | undefined): string {
  return url === undefined ? label : `<a href="${escapeHtml(url)}">${label}</a>`;
}

/** Dashboard-only context for a finding: when and where else it was seen (from the store). */
export interface FindingHistory {
  firstSeen: string;
  lastSeen: string;
  seenIn: Array<{ href: string; label: string }>;
}

export interface FindingViewOptions {
  cap: number;
  /** Carry `data-i` (report.html's filter script hides details with the rows). Default true. */
  filterable?: boolean;
  open?: boolean;
  history?: FindingHistory;
  /** Extra HTML after the remediation (the dashboard's accept form). */
  actions?: string;
}

/** One finding: attributes, proof (summary, evidence, payload, raw exchanges), curl with a copy button, remediation. */
export function findingView({ f, i, status }: Indexed, opts: FindingViewOptions): string {
  const p = f.proof;
  const parts = [
    `<details class="finding" id="f${i}"${opts.filterable === false ? '' : ` data-i="${i}"`}${opts.open ? ' open' : ''}>`,
    `<summary><b>${formatNumber(Math.round(f.risk))}</b> ${sevBadge(f.severity)} ${t(f.title, 200)} — <span class="mono">${t(operationLabel(f), 160)}</span>${f.confidence === 'tentative' ? ' <span class="tentative">(tentative)</span>' : ''}</summary>`,
    '<div class="body">',
    dl([
      ['check', `<span class="mono">${t(f.checkId, 100)}</span>`],
      ['family', f.family],
      ['confidence', f.confidence],
      ['exposure', f.exposure],
      ['status', escapeHtml(status)],
      ['risk', `${formatNumber(f.risk)} (${factors(f)})`],
      ['CWE', f.cwe === undefined ? undefined : extLink(t(f.cwe, 40), cweUrl(f.cwe))],
      ['OWASP', f.owasp === undefined ? undefined : extLink(t(f.owasp, 100), owaspUrl(f.owasp))],
      ['URL', `<span class="mono">${t(f.url, 2000)}</span>`],
      ['parameter', f.parameter === undefined ? undefined : `<span class="mono">${t(f.parameter, 200)}</span>`],
      ['fingerprint', `<span class="mono">${t(f.fingerprint, 100)}</span>`],
      ['first seen', opts.history ? t(opts.history.firstSeen, 40) : undefined],
      ['last seen', opts.history ? t(opts.history.lastSeen, 40) : undefined],
    ]),
    '<h4>Proof</h4>',
    `<p>${t(p.summary, 2000)}</p>`,
  ];
  if (p.evidence !== undefined) parts.push('<h4>Evidence</h4>', `<pre>${pre(p.evidence.slice(0, HTML_BODY_MAX))}</pre>`);
  if (p.payload !== undefined) parts.push('<h4>Payload</h4>', `<pre>${pre(p.payload.slice(0, HTML_BODY_MAX))}</pre>`);
  if (p.exchanges.length > 0) parts.push(`<h4>Exchanges (${p.exchanges.length})</h4>`, ...p.exchanges.map((x) => exchangeView(x, opts.cap, p.evidence)));
  // The page script adds a "copy curl" button before every `pre.repro` (no markup per finding: the size budget).
  parts.push('<h4>Reproduce</h4>', `<pre class="repro">${pre(p.reproduce)}</pre>`);
  parts.push('<h4>Remediation</h4>', `<p>${t(f.remediation, 4000)}</p>`);
  if (f.locations && f.locations.length > 0) {
    parts.push(
      '<h4>Also seen at</h4><ul>',
      ...f.locations.map((l) => `<li class="mono">${t(`${l.method.toUpperCase()} ${l.path}`, 200)}${l.parameter === undefined ? '' : ` [${t(l.parameter, 60)}]`} — ${t(l.url, 500)}</li>`),
      '</ul>',
    );
  }
  if (opts.history) {
    parts.push(`<h4>Seen in scans (${opts.history.seenIn.length})</h4>`, list(opts.history.seenIn.map((s) => `<li><a href="${escapeHtml(s.href)}">${t(s.label, 200)}</a></li>`)));
  }
  if (opts.actions) parts.push(opts.actions);
  parts.push('</div></details>');
  return parts.join('\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Charts: horizontal bars drawn server-side; colours by attribute (no inline style, which the CSP forbids).

const SEVERITY_FILL: Record<Severity, string> = { critical: '#8250df', high: '#cf222e', medium: '#bc4c00', low: '#0969da', info: '#6e7781' };
const FAMILY_FILL: Record<Family, string> = { security: '#cf222e', conformance: '#0969da', reliability: '#bc4c00', authorization: '#8250df' };

function barChart(title: string, bars: Array<{ label: string; value: number; fill: string }>): string {
  const rowH = 24;
  const labelW = 110;
  const barMax = 240;
  const width = labelW + barMax + 50;
  const height = bars.length * rowH + 4;
  const top = Math.max(1, ...bars.map((b) => b.value));
  const rows = bars.map((b, k) => {
    const y = k * rowH + 2;
    const w = Math.round((b.value / top) * barMax);
    return (
      `<text x="0" y="${y + 16}">${escapeHtml(b.label)}</text>` +
      `<rect x="${labelW}" y="${y + 4}" width="${w}" height="${rowH - 8}" rx="3" fill="${b.fill}"/>` +
      `<text x="${labelW + w + 6}" y="${y + 16}">${b.value}</text>`
    );
  });
  return (
    `<figure><figcaption>${escapeHtml(title)}</figcaption>` +
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<title>${escapeHtml(title)}: ${bars.map((b) => `${b.label} ${b.value}`).join(', ')}</title>${rows.join('')}</svg></figure>`
  );
}

export function chartsView(findings: readonly Finding[]): string {
  return `<div class="charts">${[
    barChart('Findings by family', FAMILIES.map((fam) => ({ label: fam, value: findings.filter((f) => f.family === fam).length, fill: FAMILY_FILL[fam] }))),
    barChart('Findings by severity', SEVERITY_ORDER.map((s) => ({ label: s, value: findings.filter((f) => f.severity === s).length, fill: SEVERITY_FILL[s] }))),
  ].join('')}</div>`;
}

// ---------------------------------------------------------------------------------------------------------------
// Sections.

export function verdictView(report: Report): string {
  const v = report.verdict;
  const reasons = v.reasons.map(
    (r) => `<li><span class="lvl-${r.level}">${r.level}</span> <span class="mono">${t(r.rule, 100)}</span>: ${t(r.message, 500)}${r.fingerprints.length > 0 ? ` <span class="meta">(${plural(r.fingerprints.length, 'finding')})</span>` : ''}</li>`,
  );
  const partial = report.partial
    ? `<div class="partial"><b>Partial scan:</b> ${t(report.partial.reason, 500)}; ${plural(report.partial.notRun, 'task')} not run. Absent findings prove nothing for the work not done.</div>`
    : '';
  const status = verdictStatus(v);
  const causes = (v.incomplete ?? []).map((c) => `<li><span class="lvl-incomplete">${escapeHtml(c.cause)}</span> ${t(c.message, 500)}</li>`);
  const why = status === 'incomplete' ? 'vouch could not establish enough to pass' : 'also incomplete';
  return (
    `<section class="verdict ${status}" id="verdict"><span class="word">${status.toUpperCase()}</span>` +
    `<span>${v.reasons.length === 0 ? 'no gate rule fired' : plural(v.reasons.length, 'rule') + ' fired'}</span>` +
    (causes.length > 0 ? `<p class="incomplete-why">${why}:</p><ul class="causes">${causes.join('')}</ul>` : '') +
    (reasons.length > 0 ? `<ul>${reasons.join('')}</ul>` : '') +
    (report.coverage ? `<p class="meta">coverage: ${t(coverageHeadline(report.coverage), 300)}</p>` : '') +
    `</section>${partial}`
  );
}

/** Coverage: untested operations first, then a table per family and per operation (what got a real answer). */
export function coverageView(c: Coverage | undefined): string {
  if (!c) return '';
  const row = (label: string, x: CoverageCounts, low: boolean): string =>
    `<tr${low ? ' class="low"' : ''}><th scope="row" class="mono">${t(label, 200)}</th><td class="num">${x.planned}</td><td class="num">${x.answered}</td>` +
    `<td class="num">${x.inconclusive}</td><td class="num">${x.crashed}</td><td class="num">${x.notRun}</td><td class="num">${x.skipped}</td><td class="num">${percent(x.ratio)}</td></tr>`;
  const head = '<thead><tr><th scope="col"></th><th scope="col">planned</th><th scope="col">answered</th><th scope="col">inconclusive</th><th scope="col">crashed</th><th scope="col">not run</th><th scope="col">skipped</th><th scope="col">coverage</th></tr></thead>';
  const untested = c.untested.length
    ? `<h3>Never tested (${c.untested.length})</h3>${list(c.untested.map((u) => `<li><span class="mono">${t(u.operationId, 200)}</span>: ${t(u.reason, 300)}</li>`))}`
    : '';
  const low = (x: CoverageCounts): boolean => x.planned > 0 && x.ratio < c.minCoverage;
  return (
    `<section id="coverage"><h2>Coverage</h2><p>${t(coverageHeadline(c), 400)}</p>${untested}` +
    `<h3>Per family</h3><table class="coverage">${head}<tbody>${c.byFamily.map((f) => row(f.family, f, low(f))).join('')}</tbody></table>` +
    `<h3>Per operation</h3><table class="coverage">${head}<tbody>${c.operations.map((o) => row(o.operationId === '*' ? 'target-wide' : o.operationId, o, low(o) || o.answered === 0)).join('')}</tbody></table>` +
    `<p class="meta">What each task got, with reasons: report.json <span class="mono">coverage.gaps</span>.</p></section>`
  );
}

export function cardsView(cards: Array<[string, string | number]>): string {
  return `<div class="cards">${cards.map(([k, v]) => `<div class="card"><b>${escapeHtml(String(v))}</b>${escapeHtml(k)}</div>`).join('')}</div>`;
}

/** Surface differences: added, removed, authentication changed, and (when measured) parameters, shadow, zombie. */
export function surfaceDiffView(s: SurfaceDiff): string {
  const ops = (xs: readonly string[]): string => list(xs.map((o) => `<li class="mono">${t(o, 300)}</li>`));
  const cols = [
    `<div><h4>Added (${s.added.length})</h4>${ops(s.added)}</div>`,
    `<div><h4>Removed (${s.removed.length})</h4>${ops(s.removed)}</div>`,
    `<div><h4>Authentication changed (${s.authChanged.length})</h4>${list(s.authChanged.map((a) => `<li><span class="mono">${t(a.operation, 300)}</span>: ${a.from} → <b>${a.to}</b></li>`))}</div>`,
  ];
  if (s.paramsChanged) {
    cols.push(
      `<div><h4>Parameters changed (${s.paramsChanged.length})</h4>${list(
        s.paramsChanged.map((p) => `<li><span class="mono">${t(p.operation, 200)}</span> ${t(p.parameter, 80)} (${p.in}): <b>${p.change}</b>${p.from !== undefined || p.to !== undefined ? ` ${t(p.from ?? '-', 60)} → ${t(p.to ?? '-', 60)}` : ''}</li>`),
      )}</div>`,
    );
  }
  if (s.shadow) cols.push(`<div><h4>Shadow: answers, not in the spec (${s.shadow.length})</h4>${ops(s.shadow)}</div>`);
  if (s.zombie) cols.push(`<div><h4>Zombie: in the spec, no longer answers (${s.zombie.length})</h4>${ops(s.zombie)}</div>`);
  if (s.deprecated) cols.push(`<div><h4>Newly deprecated GraphQL fields (${s.deprecated.length})</h4>${ops(s.deprecated)}</div>`);
  return `<div class="cols">${cols.join('\n')}</div>`;
}

/** Who gained or lost which operations between two scans. */
export function permissionDiffView(p: PermissionDiff): string {
  if (p.identities.length === 0) return '<p class="meta">no identity gained or lost an operation</p>';
  const rows = p.identities.map((x) => {
    const beyond = new Set(x.gainedBeyondIntended ?? []);
    const gained = x.gained.map((o) => `<li class="mono">gained ${t(o, 200)}${beyond.has(o) ? ' <b class="lvl-fail">beyond intended scope</b>' : ''}</li>`);
    return `<tr><th scope="row">${t(x.identity, 80)}</th><td>${list(gained)}</td><td>${list(x.lost.map((o) => `<li class="mono">lost ${t(o, 200)}</li>`))}</td></tr>`;
  });
  return `<table id="permission-diff"><thead><tr><th scope="col">identity</th><th scope="col">gained</th><th scope="col">lost</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** One row of a latency comparison. */
export interface LatencyRow {
  operation: string;
  before?: LatencyStats | undefined;
  after?: LatencyStats | undefined;
  regression?: boolean | undefined;
}

const ms = (n: number | undefined): string => (n === undefined ? '—' : `${formatNumber(n)} ms`);

/** Per-operation p50/p95 before and after, with the change of p95 and whether the test called it a regression. */
export function latencyCompareView(rows: readonly LatencyRow[]): string {
  if (rows.length === 0) return '<p class="meta">no latency measured on both sides</p>';
  const body = [...rows]
    .sort((a, b) => compareText(a.operation, b.operation))
    .map((r) => {
      const change = r.before && r.after && r.before.p95 > 0 ? `${formatNumber(Math.round((r.after.p95 / r.before.p95 - 1) * 100))} %` : '—';
      return `<tr><td class="mono">${t(r.operation, 200)}</td><td class="num">${ms(r.before?.p50)}</td><td class="num">${ms(r.after?.p50)}</td><td class="num">${ms(r.before?.p95)}</td><td class="num">${ms(r.after?.p95)}</td><td class="num">${change}</td><td>${r.regression ? '<b class="lvl-fail">regression</b>' : r.regression === false ? 'no' : '—'}</td></tr>`;
    });
  return `<table id="latency-compare"><thead><tr><th scope="col">operation</th><th scope="col">p50 before</th><th scope="col">p50 after</th><th scope="col">p95 before</th><th scope="col">p95 after</th><th scope="col">p95 change</th><th scope="col">regression</th></tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** Latency rows of a report's comparison (its behaviour diff). */
export function latencyRowsOf(report: Report): LatencyRow[] {
  return (report.comparison?.behaviour.operations ?? [])
    .filter((o) => o.baseline.latency || o.candidate.latency)
    .map((o) => ({ operation: o.operation, before: o.baseline.latency, after: o.candidate.latency, regression: o.latency?.regression }));
}

/** Latency per operation of one scan. */
export function latencyView(latency: Record<string, LatencyStats> | undefined): string {
  const ops = Object.keys(latency ?? {}).sort(compareText);
  if (!latency || ops.length === 0) return '';
  const rows = ops.map((op) => {
    const l = latency[op]!;
    return `<tr><td class="mono">${t(op, 200)}</td><td class="num">${l.samples}</td><td class="num">${ms(l.p50)}</td><td class="num">${ms(l.p95)}</td><td class="num">${ms(l.p99)}</td></tr>`;
  });
  return `<section id="latency"><h2>Latency per operation</h2><table><thead><tr><th scope="col">operation</th><th scope="col">samples</th><th scope="col">p50</th><th scope="col">p95</th><th scope="col">p99</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** What each identity can actually do, and whether its declared scope covers it. */
export function auditView(audit: readonly PermissionAudit[] | undefined): string {
  if (!audit || audit.length === 0) return '';
  const parts = audit.map((a) => {
    const over = a.capabilities.filter((c) => !c.intended).length;
    const rows = a.capabilities.map(
      (c) => `<tr${c.intended ? '' : ' class="over"'}><td class="mono">${t(c.operation, 200)}</td><td>${c.whose}</td><td>${t(c.established, 60)}</td><td class="mono">${c.exchangeId === undefined ? '—' : t(c.exchangeId, 60)}</td><td>${c.intended ? 'yes' : '<b class="lvl-fail">NOT INTENDED</b>'}</td></tr>`,
    );
    const head = `<h3 id="audit-${escapeHtml(oneLine(a.identity, 60).replace(/[^A-Za-z0-9_-]/gu, '_'))}">${t(a.identity, 80)}${a.unavailable === undefined ? ` — ${plural(a.capabilities.length, 'capability', 'capabilities')}, ${over} beyond its intended scope` : ' — not audited'}</h3>`;
    const intended = `<p class="meta">intended: ${a.intended.length === 0 ? 'nothing declared' : a.intended.map((s) => `<span class="mono">${t(s, 120)}</span>`).join(', ')}</p>`;
    if (a.unavailable !== undefined) return `${head}\n${intended}\n<p class="partial">Not audited: ${t(a.unavailable, 500)}. Absent capabilities prove nothing for this identity.</p>`;
    const undetermined = a.undetermined?.length ? `<details><summary>undetermined (${a.undetermined.length}): tried, the outcome told nothing</summary><ul>${a.undetermined.map((u) => `<li class="mono">${t(u, 300)}</li>`).join('')}</ul></details>` : '';
    return [
      head,
      intended,
      undetermined,
      `<table class="audit"><thead><tr><th scope="col">operation</th><th scope="col">whose objects</th><th scope="col">established by</th><th scope="col">exchange</th><th scope="col">intended</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
    ].join('\n');
  });
  return `<section id="audit"><h2>Permission audit</h2>${parts.join('\n')}</section>`;
}

/** Accepted risks with reason, expiry and state; `actions` adds per-entry controls (the dashboard's revoke). */
export function acceptedView(accepted: readonly AcceptedRisk[] | undefined, actions?: (a: AcceptedRisk) => string): string {
  if (!accepted || accepted.length === 0) return '';
  const rows = accepted.map(
    (a) => `<tr><td class="mono">${t(a.fingerprint, 100)}</td><td>${t(a.reason, 500)}</td><td>${t(a.expires, 20)}</td><td>${a.state === 'active' ? 'active' : '<b class="lvl-warn">expired</b>'}</td><td>${a.matched ? 'yes' : 'no'}</td>${actions ? `<td>${actions(a)}</td>` : ''}</tr>`,
  );
  return `<table id="accepted-table"><thead><tr><th scope="col">fingerprint</th><th scope="col">reason</th><th scope="col">expires</th><th scope="col">state</th><th scope="col">in this scan</th>${actions ? '<th scope="col">action</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** New, persisting, fixed and not re-tested findings, the surface diff, the permission diff and latency before/after. */
export function comparisonView(report: Report, links: { findingHref(fp: string): string | undefined }, all: readonly Finding[]): string {
  const c = report.comparison;
  if (!c) return '';
  const byFp = new Map(all.map((f) => [f.fingerprint, f]));
  const link = (fp: string): string => {
    const f = byFp.get(fp);
    const href = links.findingHref(fp);
    if (!f || href === undefined) return `<li class="mono">${t(fp, 100)}</li>`;
    return `<li>${sevBadge(f.severity)} <a href="${escapeHtml(href)}">${t(f.title, 160)}</a> <span class="mono">${t(operationLabel(f), 120)}</span></li>`;
  };
  const fixed = [...c.fixedFindings].sort((a, b) => b.risk - a.risk || compareText(a.fingerprint, b.fingerprint));
  const baselineItem = (f: Finding): string => `<li>${sevBadge(f.severity)} ${t(f.title, 160)} <span class="mono">${t(operationLabel(f), 120)}</span> <span class="meta">${t(f.checkId, 60)}</span></li>`;
  const fixedItems = fixed.map(baselineItem);
  const notRetested = [...(c.notRetestedFindings ?? [])].sort((a, b) => b.risk - a.risk || compareText(a.fingerprint, b.fingerprint));
  const notRetestedItems = notRetested.map(baselineItem);
  return [
    '<section id="comparison"><h2>Compared with the baseline</h2>',
    `<p class="meta">baseline (${c.baseline.kind}): <span class="mono">${t(c.baseline.ref, 500)}</span></p>`,
    '<div class="cols">',
    `<div><h3>New (${c.findings.new.length})</h3>${list(c.findings.new.map(link))}</div>`,
    `<div><h3>Persisting (${c.findings.persisting.length})</h3>${list(c.findings.persisting.map(link))}</div>`,
    `<div><h3>Fixed (${fixed.length})</h3>${list(fixedItems)}</div>`,
    ...(notRetested.length > 0 ? [`<div id="not-retested"><h3>Not re-tested (${notRetested.length})</h3><p class="meta">not in this scan's findings, but not tested again: not fixed</p>${list(notRetestedItems)}</div>`] : []),
    '</div>',
    '<h3>Surface</h3>',
    surfaceDiffView(c.surface),
    '<h3>Permissions</h3>',
    permissionDiffView(c.permissions),
    '<h3>Latency per operation</h3>',
    latencyCompareView(latencyRowsOf(report)),
    '</section>',
  ].join('\n');
}

/** Requests, duration, tasks per check, and everything not done with its reason. */
export function statsView(report: Report): string {
  const st = report.stats;
  const byStatus = Object.keys(st.requests.byStatus)
    .sort(compareText)
    .map((k) => `${t(k, 10)}: ${st.requests.byStatus[k] ?? 0}`)
    .join(' · ');
  const taskCounts = (['found', 'clean', 'inconclusive', 'crashed', 'not-run'] as const)
    .map((s) => `${s} ${st.tasks.filter((x) => x.status === s).length}`)
    .join(' · ');
  const runRows = [...st.checks.run]
    .sort((a, b) => compareText(a.checkId, b.checkId))
    .map((c) => `<tr><td class="mono">${t(c.checkId, 100)}</td><td class="num">${c.tasks}</td><td class="num">${c.found}</td><td class="num">${c.clean}</td><td class="num">${c.inconclusive}</td><td class="num">${c.crashed}</td><td class="num">${c.notRun}</td></tr>`);
  const unfinished = st.tasks.filter((x) => x.status === 'inconclusive' || x.status === 'crashed' || x.status === 'not-run');
  const skippedItems = [
    ...unfinished.map((x) => `<li><span class="mono">${t([x.checkId, x.operationId ?? 'target', x.identity].join(' · '), 300)}</span>: ${x.status}${x.reason === undefined ? '' : ` — ${t(x.reason, 300)}`}</li>`),
    ...st.checks.skipped.map((x) => `<li><span class="mono">${t([x.checkId, x.operationId ?? 'target', x.identity ?? 'any identity'].join(' · '), 300)}</span>: skipped — ${t(x.reason, 300)}</li>`),
  ];
  const shownSkipped = skippedItems.slice(0, SKIPPED_MAX);
  if (skippedItems.length > SKIPPED_MAX) shownSkipped.push(`<li>... ${skippedItems.length - SKIPPED_MAX} more in report.json</li>`);
  const warnings = report.surface.warnings.map((w) => `<li>${t(w, 500)}</li>`);
  const excluded = (report.excluded ?? []).slice(0, SKIPPED_MAX).map((e) => `<li><span class="mono">${t(`${e.method} ${e.path}`, 300)}</span>: ${t(e.reason, 300)}${e.requests > 0 ? ` (${plural(e.requests, 'request')} refused)` : ''}</li>`);
  return [
    '<section id="scan"><h2>The scan</h2>',
    dl([
      ['requests', `${st.requests.sent} sent, ${st.requests.refused} refused, ${st.requests.errors} failed`],
      ['by status', byStatus || 'none'],
      ['duration', `${formatNumber(st.durationMs / 1000)} s`],
      ['tasks', `${st.tasks.length}: ${taskCounts}`],
      ['surface', `${plural(report.surface.operations.length, 'operation')}${report.surface.spec ? ` from <span class="mono">${t(report.surface.spec.location, 300)}</span> (${t(report.surface.spec.version, 20)})` : ''}`],
      ...(report.accounts?.length
        ? [['accounts', report.accounts.map((a) => `<span class="mono">${t(a.username, 80)}</span> (${t(a.identity, 40)}, registered through ${t(a.registeredWith, 120)}, signed in through ${t(a.loginWith, 120)})`).join('; ')] as [string, string]]
        : []),
    ]),
    runRows.length > 0
      ? `<table><thead><tr><th scope="col">check</th><th scope="col">tasks</th><th scope="col">found</th><th scope="col">clean</th><th scope="col">inconclusive</th><th scope="col">crashed</th><th scope="col">not run</th></tr></thead><tbody>${runRows.join('')}</tbody></table>`
      : '',
    `<h3>Not done (${skippedItems.length})</h3>`,
    skippedItems.length > 0 ? `<ul>${shownSkipped.join('')}</ul>` : '<p class="meta">everything planned ran</p>',
    discoveryList(report),
    excluded.length > 0 ? `<h3>Left out to do no harm (${excluded.length})</h3><ul>${excluded.join('')}</ul>` : '',
    warnings.length > 0 ? `<h3>Discovery warnings</h3><ul>${warnings.join('')}</ul>` : '',
    '</section>',
  ].join('\n');
}

/** What each discovery source found and what stopped it, and how unknown paths were answered (soft 404s). */
function discoveryList(report: Report): string {
  const d = report.surface.discovery;
  if (!d || d.sources.length === 0) return '';
  const items = d.sources.map((s) => `<li>${t(discoverySourceLine(s), 400)}</li>`);
  const nf = (d.notFound ?? []).map((n) => `<li class="mono">${t(`${n.identity} ${n.key} → ${n.status}${n.location ? ` ${n.location}` : ''} (${n.length} chars)`, 300)}</li>`);
  return `<h3>Discovery</h3><ul>${items.join('')}</ul>${nf.length > 0 ? `<h3>Unknown paths answer</h3><ul>${nf.join('')}</ul>` : ''}`;
}

/** The header line under a scan's title: URL, environment, times, tool version, scan id. */
export function scanMeta(report: Report): string {
  const target = report.target;
  return `<p class="meta"><span class="mono">${t(target.url, 300)}</span> · ${target.environment} · ${t(report.startedAt, 40)} → ${t(report.finishedAt, 40)} · vouch ${t(report.tool.version, 40)} · scan <span class="mono">${t(report.scanId, 80)}</span></p>`;
}
