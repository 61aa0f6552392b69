// src/report/html.ts — report.html: one self-contained page (no external loads, strict CSP), every target byte escaped.
import type { Family, Finding, HeaderList, ProofExchange, Report, Severity } from '../core/index.js';
import { FAMILIES } from '../core/index.js';
import { CSP, SCRIPT, STYLE } from './html-assets.js';
import {
  SEVERITY_ORDER,
  compareText,
  escapeHtml,
  formatNumber,
  groupFindings,
  jsonForScript,
  oneLine,
  operationLabel,
  plural,
  showControls,
  statusLookup,
} from './text.js';

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
const t = (s: string, max = 300): string => escapeHtml(oneLine(s, max));
/** Escaped multi-line text with control characters shown, for `<pre>`. */
const pre = (s: string): string => escapeHtml(showControls(s));

function sevBadge(s: Severity): string {
  return `<span class="badge sev-${s}">${s}</span>`;
}

function formatBytes(n: number): string {
  return n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${formatNumber(n / 1024)} kB` : `${formatNumber(n / 1024 / 1024)} MB`;
}

// ---------------------------------------------------------------------------------------------------------------
// Raw HTTP rendering.

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

function exchangeHtml(x: ProofExchange, cap: number): string {
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
    out.push(`<pre class="http">${pre(`HTTP/1.1 ${res.status}\n${headerLines(res.headers)}\n\n${body.text}`)}</pre>`);
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

interface Indexed {
  f: Finding;
  i: number;
  status: string;
}

function factors(f: Finding): string {
  const r = f.riskFactors;
  return `sev ${formatNumber(r.severity)} × conf ${formatNumber(r.confidence)} × exp ${formatNumber(r.exposure)} × nov ${formatNumber(r.novelty)}`;
}

function findingRow({ f, i, status }: Indexed): string {
  const param = f.parameter === undefined ? '' : ` <span class="mono">[${t(f.parameter, 60)}]</span>`;
  return (
    `<tr data-i="${i}"><td class="num"><b>${formatNumber(Math.round(f.risk))}</b><span class="factors">${factors(f)}</span></td>` +
    `<td>${sevBadge(f.severity)}</td><td${f.confidence === 'tentative' ? ' class="tentative"' : ''}>${f.confidence}</td>` +
    `<td>${escapeHtml(status)}</td><td>${f.exposure}</td><td>${f.family}</td>` +
    `<td class="mono">${t(operationLabel(f), 160)}${param}</td><td><a href="#f${i}">${t(f.title, 200)}</a></td></tr>`
  );
}

function dl(pairs: Array<[string, string | undefined]>): string {
  const items = pairs.filter((p): p is [string, string] => p[1] !== undefined).map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`);
  return `<dl class="kv">${items.join('')}</dl>`;
}

function findingDetails({ f, i, status }: Indexed, cap: number, attrs = true): string {
  const p = f.proof;
  const parts = [
    `<details class="finding" id="f${i}"${attrs ? ` data-i="${i}"` : ''}>`,
    `<summary><b>${formatNumber(Math.round(f.risk))}</b> ${sevBadge(f.severity)} ${t(f.title, 200)} — <span class="mono">${t(operationLabel(f), 160)}</span>${f.confidence === 'tentative' ? ' <span class="tentative">(tentative)</span>' : ''}</summary>`,
    '<div class="body">',
    dl([
      ['check', `<span class="mono">${t(f.checkId, 100)}</span>`],
      ['family', f.family],
      ['confidence', f.confidence],
      ['exposure', f.exposure],
      ['status', escapeHtml(status)],
      ['risk', `${formatNumber(f.risk)} (${factors(f)})`],
      ['CWE', f.cwe === undefined ? undefined : t(f.cwe, 40)],
      ['OWASP', f.owasp === undefined ? undefined : t(f.owasp, 100)],
      ['URL', `<span class="mono">${t(f.url, 2000)}</span>`],
      ['parameter', f.parameter === undefined ? undefined : `<span class="mono">${t(f.parameter, 200)}</span>`],
      ['fingerprint', `<span class="mono">${t(f.fingerprint, 100)}</span>`],
    ]),
    '<h4>Proof</h4>',
    `<p>${t(p.summary, 2000)}</p>`,
  ];
  if (p.evidence !== undefined) parts.push('<h4>Evidence</h4>', `<pre>${pre(p.evidence.slice(0, HTML_BODY_MAX))}</pre>`);
  if (p.payload !== undefined) parts.push('<h4>Payload</h4>', `<pre>${pre(p.payload.slice(0, HTML_BODY_MAX))}</pre>`);
  if (p.exchanges.length > 0) parts.push(`<h4>Exchanges (${p.exchanges.length})</h4>`, ...p.exchanges.map((x) => exchangeHtml(x, cap)));
  parts.push('<h4>Reproduce</h4>', `<pre>${pre(p.reproduce)}</pre>`);
  parts.push('<h4>Remediation</h4>', `<p>${t(f.remediation, 4000)}</p>`);
  if (f.locations && f.locations.length > 0) {
    parts.push(
      '<h4>Also seen at</h4><ul>',
      ...f.locations.map((l) => `<li class="mono">${t(`${l.method.toUpperCase()} ${l.path}`, 200)}${l.parameter === undefined ? '' : ` [${t(l.parameter, 60)}]`} — ${t(l.url, 500)}</li>`),
      '</ul>',
    );
  }
  parts.push('</div></details>');
  return parts.join('\n');
}

function filterSelect(key: string, label: string, values: readonly string[]): string {
  const options = values.map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`).join('');
  return `<label>${label}<select data-filter="${key}"><option value="">all</option>${options}</select></label>`;
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

// ---------------------------------------------------------------------------------------------------------------
// Sections.

function verdictSection(report: Report): string {
  const v = report.verdict;
  const reasons = v.reasons.map(
    (r) => `<li><span class="lvl-${r.level}">${r.level}</span> <span class="mono">${t(r.rule, 100)}</span>: ${t(r.message, 500)}${r.fingerprints.length > 0 ? ` <span class="meta">(${plural(r.fingerprints.length, 'finding')})</span>` : ''}</li>`,
  );
  const partial = report.partial
    ? `<div class="partial"><b>Partial scan:</b> ${t(report.partial.reason, 500)}; ${plural(report.partial.notRun, 'task')} not run. Absent findings prove nothing for the work not done.</div>`
    : '';
  return (
    `<section class="verdict ${v.pass ? 'pass' : 'fail'}" id="verdict"><span class="word">${v.pass ? 'PASS' : 'FAIL'}</span>` +
    `<span>${v.reasons.length === 0 ? 'no gate rule fired' : plural(v.reasons.length, 'rule') + ' fired'}</span>` +
    (reasons.length > 0 ? `<ul>${reasons.join('')}</ul>` : '') +
    `</section>${partial}`
  );
}

function comparisonSection(report: Report, indexOf: Map<string, number>, all: readonly Finding[]): string {
  const c = report.comparison;
  if (!c) return '';
  const byFp = new Map(all.map((f) => [f.fingerprint, f]));
  const link = (fp: string): string => {
    const f = byFp.get(fp);
    const i = indexOf.get(fp);
    if (!f || i === undefined) return `<li class="mono">${t(fp, 100)}</li>`;
    return `<li>${sevBadge(f.severity)} <a href="#f${i}">${t(f.title, 160)}</a> <span class="mono">${t(operationLabel(f), 120)}</span></li>`;
  };
  const list = (items: string[]): string => (items.length === 0 ? '<p class="meta">none</p>' : `<ul>${items.join('')}</ul>`);
  const fixed = [...c.fixedFindings].sort((a, b) => b.risk - a.risk || compareText(a.fingerprint, b.fingerprint));
  const fixedItems = fixed.map((f) => `<li>${sevBadge(f.severity)} ${t(f.title, 160)} <span class="mono">${t(operationLabel(f), 120)}</span> <span class="meta">${t(f.checkId, 60)}</span></li>`);
  const s = c.surface;
  return [
    '<section id="comparison"><h2>Compared with the baseline</h2>',
    `<p class="meta">baseline (${c.baseline.kind}): <span class="mono">${t(c.baseline.ref, 500)}</span></p>`,
    '<div class="cols">',
    `<div><h3>New (${c.findings.new.length})</h3>${list(c.findings.new.map(link))}</div>`,
    `<div><h3>Persisting (${c.findings.persisting.length})</h3>${list(c.findings.persisting.map(link))}</div>`,
    `<div><h3>Fixed (${fixed.length})</h3>${list(fixedItems)}</div>`,
    '</div>',
    '<h3>Surface</h3><div class="cols">',
    `<div><h4>Added (${s.added.length})</h4>${list(s.added.map((o) => `<li class="mono">${t(o, 300)}</li>`))}</div>`,
    `<div><h4>Removed (${s.removed.length})</h4>${list(s.removed.map((o) => `<li class="mono">${t(o, 300)}</li>`))}</div>`,
    `<div><h4>Authentication changed (${s.authChanged.length})</h4>${list(s.authChanged.map((a) => `<li><span class="mono">${t(a.operation, 300)}</span>: ${a.from} → <b>${a.to}</b></li>`))}</div>`,
    '</div></section>',
  ].join('\n');
}

function statsSection(report: Report): string {
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
  return [
    '<section id="scan"><h2>The scan</h2>',
    dl([
      ['requests', `${st.requests.sent} sent, ${st.requests.refused} refused, ${st.requests.errors} failed`],
      ['by status', byStatus || 'none'],
      ['duration', `${formatNumber(st.durationMs / 1000)} s`],
      ['tasks', `${st.tasks.length}: ${taskCounts}`],
      ['surface', `${plural(report.surface.operations.length, 'operation')}${report.surface.spec ? ` from <span class="mono">${t(report.surface.spec.location, 300)}</span> (${t(report.surface.spec.version, 20)})` : ''}`],
    ]),
    runRows.length > 0
      ? `<table><thead><tr><th>check</th><th>tasks</th><th>found</th><th>clean</th><th>inconclusive</th><th>crashed</th><th>not run</th></tr></thead><tbody>${runRows.join('')}</tbody></table>`
      : '',
    `<h3>Not done (${skippedItems.length})</h3>`,
    skippedItems.length > 0 ? `<ul>${shownSkipped.join('')}</ul>` : '<p class="meta">everything planned ran</p>',
    warnings.length > 0 ? `<h3>Discovery warnings</h3><ul>${warnings.join('')}</ul>` : '',
    '</section>',
  ].join('\n');
}

/** The HTML report: one file, no network, CSP-locked; filters run in the inline script over the JSON data block. */
export function toHtml(report: Report): string {
  const g = groupFindings(report);
  const statusOf = statusLookup(report);
  const indexed: Indexed[] = g.all.map((f, i) => ({ f, i, status: statusOf(f) ?? 'none' }));
  const indexOf = new Map(indexed.map(({ f, i }) => [f.fingerprint, i]));
  const present = <K extends 'family' | 'severity' | 'confidence' | 'exposure'>(key: K, order: readonly string[]): string[] =>
    order.filter((v) => g.all.some((f) => f[key] === v));
  const statuses = ['new', 'persisting', 'none'].filter((s) => indexed.some((x) => x.status === s));

  const cap = bodyCap([...g.all, ...g.fixed].flatMap((f) => f.proof.exchanges).reduce((n, x) => n + (x.request.body ? 1 : 0) + (x.response?.body ? 1 : 0), 0));
  const data = {
    scanId: report.scanId,
    findings: indexed.map(({ f, i, status }) => ({ i, family: f.family, severity: f.severity, confidence: f.confidence, status, exposure: f.exposure })),
  };
  const title = `vouch ${report.verdict.pass ? 'PASS' : 'FAIL'} — ${oneLine(report.target.name, 100)}`;
  const confirmed = g.all.filter((f) => f.confidence === 'confirmed').length;
  const cards = [
    ['findings', String(g.all.length)],
    ['confirmed', String(confirmed)],
    ['tentative', String(g.all.length - confirmed)],
    ...(g.compared ? [['new', String(g.newCount)], ['persisting', String(g.persisting.length)], ['fixed', String(g.fixed.length)]] : []),
    ['requests', String(report.stats.requests.sent)],
  ].map(([k, v]) => `<div class="card"><b>${v}</b>${k}</div>`);
  const charts = [
    barChart('Findings by family', FAMILIES.map((fam) => ({ label: fam, value: g.all.filter((f) => f.family === fam).length, fill: FAMILY_FILL[fam] }))),
    barChart('Findings by severity', SEVERITY_ORDER.map((s) => ({ label: s, value: g.all.filter((f) => f.severity === s).length, fill: SEVERITY_FILL[s] }))),
  ];
  const findingsSection =
    g.all.length === 0
      ? '<section id="findings"><h2>Findings</h2><p class="meta">No findings.</p></section>'
      : [
          '<section id="findings"><h2>Findings</h2>',
          '<div class="filters">',
          filterSelect('family', 'family', present('family', FAMILIES)),
          filterSelect('severity', 'severity', present('severity', SEVERITY_ORDER)),
          filterSelect('confidence', 'confidence', present('confidence', ['confirmed', 'tentative'])),
          g.compared ? filterSelect('status', 'status', statuses) : '',
          filterSelect('exposure', 'exposure', present('exposure', ['anonymous', 'authenticated', 'privileged'])),
          `<button type="button" id="reset">reset</button><span class="meta" id="shown">${g.all.length} of ${g.all.length} shown</span>`,
          '</div>',
          '<table id="findings-table"><thead><tr><th>risk</th><th>severity</th><th>confidence</th><th>status</th><th>exposure</th><th>family</th><th>operation</th><th>title</th></tr></thead><tbody>',
          ...indexed.map(findingRow),
          '</tbody></table>',
          '<h3>Details</h3>',
          ...indexed.map((x) => findingDetails(x, cap)),
          '</section>',
        ].join('\n');

  const target = report.target;
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CSP)}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head><body><main>',
    `<header><h1>vouch report — ${t(target.name, 100)}</h1>`,
    `<p class="meta"><span class="mono">${t(target.url, 300)}</span> · ${target.environment} · ${t(report.startedAt, 40)} → ${t(report.finishedAt, 40)} · vouch ${t(report.tool.version, 40)} · scan <span class="mono">${t(report.scanId, 80)}</span></p></header>`,
    verdictSection(report),
    `<div class="cards">${cards.join('')}</div>`,
    `<div class="charts">${charts.join('')}</div>`,
    findingsSection,
    comparisonSection(report, indexOf, g.all),
    g.fixed.length > 0 ? `<section id="fixed-details"><h2>Fixed findings (baseline proof)</h2>\n${g.fixed.map((f, k) => findingDetails({ f, i: indexed.length + k, status: 'fixed' }, cap, false)).join('\n')}</section>` : '',
    statsSection(report),
    `<footer>Generated by vouch ${t(report.tool.version, 40)}. Everything shown from the target is escaped; this page loads nothing from the network.</footer>`,
    '</main>',
    `<script type="application/json" id="data">${jsonForScript(data)}</script>`,
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
