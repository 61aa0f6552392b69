// src/dashboard/pages.ts — the dashboard's pages: pure functions (data → escaped HTML), built from the report's
// shared views (src/report/views.ts) so a scan looks the same here and in report.html.
import type { AcceptedRisk, Finding, Report } from '../core/index.js';
import { indexReport, summaryCards } from '../report/html.js';
import { escapeHtml, formatNumber, jsonForScript, oneLine, plural, verdictStatus } from '../report/text.js';
import {
  acceptedView,
  auditView,
  cardsView,
  chartsView,
  comparisonView,
  filterChoices,
  filterSelects,
  findingView,
  findingsTable,
  latencyView,
  scanMeta,
  statsView,
  t,
  verdictView,
  coverageView,
  HTML_BODY_MAX,
  type FindingHistory,
  type Indexed,
  type ViewLinks,
} from '../report/views.js';
import type { ScanRow, TargetOverview } from '../store/dashboard.js';
import type { StoredAcceptedRisk } from '../store/history.js';

/** Who is looking, and the per-response secrets the page embeds. */
export interface PageContext {
  nonce: string;
  csrf: string;
  /** maintainer may accept and revoke risks. */
  role: 'viewer' | 'maintainer';
  team: boolean;
  /** Team mode: whether someone is signed in (the nav offers sign-out). */
  signedIn: boolean;
}

/** Filter keys of the scan page (query parameters). */
export const FILTER_KEYS = ['family', 'severity', 'confidence', 'status', 'exposure'] as const;
export type Filters = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

const enc = encodeURIComponent;
export const scanHref = (id: string): string => `/scans/${enc(id)}`;
export const findingHref = (scanId: string, fp: string): string => `/scans/${enc(scanId)}/findings/${enc(fp)}`;
const when = (ms: number | null): string => (ms === null || ms === 0 ? '—' : new Date(ms).toISOString().slice(0, 19).replace('T', ' '));

/** The page frame: nav, skip link, our stylesheet and scripts under the response's CSP nonce. */
export function layout(ctx: PageContext, title: string, body: string, opts: { charts?: boolean } = {}): string {
  const n = escapeHtml(ctx.nonce);
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="same-origin">',
    // htmx: no inline indicator style (the CSP has no 'unsafe-inline'), no eval, no script tags from swaps.
    `<meta name="htmx-config" content="${escapeHtml(JSON.stringify({ includeIndicatorStyles: false, allowEval: false, allowScriptTags: false, selfRequestsOnly: true }))}">`,
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(oneLine(title, 200))} — vouch</title>`,
    '<link rel="stylesheet" href="/assets/style.css">',
    opts.charts ? '<link rel="stylesheet" href="/assets/uplot.min.css">' : '',
    `</head><body hx-headers="${escapeHtml(JSON.stringify({ 'x-csrf-token': ctx.csrf }))}">`,
    '<a class="skip" href="#main">skip to content</a>',
    `<nav class="top" aria-label="main"><a href="/">vouch</a><a href="/scans">scans</a><a href="/accepted">accepted risks</a><a href="/guard">guard</a>${
      ctx.team && ctx.signedIn ? `<span class="who">signed in as ${ctx.role}</span><form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${escapeHtml(ctx.csrf)}"><button type="submit">sign out</button></form>` : ctx.team ? '<span class="who">team mode</span>' : '<span class="who">local mode (127.0.0.1)</span>'
    }</nav>`,
    `<main id="main">${body}`,
    '<p id="keys" class="meta" hidden>Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous row, <kbd>/</kbd> filters, <kbd>?</kbd> this help.</p>',
    '<footer>vouch dashboard. Everything shown from targets is escaped; nothing loads from outside this server. Press <kbd>?</kbd> for keys.</footer></main>',
    `<script nonce="${n}" src="/assets/htmx.min.js"></script>`,
    opts.charts ? `<script nonce="${n}" src="/assets/uplot.min.js"></script>` : '',
    `<script nonce="${n}" src="/assets/report.js"></script>`,
    `<script nonce="${n}" src="/assets/dashboard.js"></script>`,
    '</body></html>',
    '',
  ].join('\n');
}

function verdictWord(r: Pick<ScanRow, 'verdict' | 'state'>): string {
  if (r.verdict === 'pass') return '<b class="t-pass">PASS</b>';
  if (r.verdict === 'fail') return '<b class="t-fail">FAIL</b>';
  if (r.verdict === 'incomplete') return '<b class="t-incomplete">INCOMPLETE</b>';
  return `<span class="t-none">${escapeHtml(r.state)}</span>`;
}

/** Running scans get a progress bar fed by SSE; a heartbeat older than a minute is called out. */
export function progressView(row: ScanRow, now: number, reload = false): string {
  const stale = row.heartbeatAt !== null && now - row.heartbeatAt > 60_000 ? ` <span class="stale">no sign of life for ${Math.round((now - row.heartbeatAt) / 1000)} s</span>` : '';
  return `<div class="progress" data-progress-scan="${escapeHtml(row.id)}"${reload ? ' data-reload' : ''}><progress max="${Math.max(1, row.progressTotal)}" value="${row.progressDone}"></progress> <span class="progress-text">${progressText(row)}</span>${stale}</div>`;
}

/** Plain text (the SSE client sets it as textContent). */
export function progressPlain(row: Pick<ScanRow, 'state' | 'progressDone' | 'progressTotal'>): string {
  return `${oneLine(row.state, 20)}: ${row.progressDone} of ${row.progressTotal} tasks`;
}

export function progressText(row: Pick<ScanRow, 'state' | 'progressDone' | 'progressTotal'>): string {
  return escapeHtml(progressPlain(row));
}

const isRunning = (r: ScanRow): boolean => r.state === 'running' || r.state === 'queued';

function scanRowsTable(rows: readonly ScanRow[], now: number, opts: { compare?: boolean } = {}): string {
  const body = rows.map(
    (r) =>
      `<tr><td><a href="${scanHref(r.id)}" class="mono">${t(r.id, 80)}</a></td><td>${t(r.target, 100)}</td><td>${when(r.startedAt)}</td><td>${verdictWord(r)}</td><td>${isRunning(r) ? progressView(r, now) : escapeHtml(r.state)}</td><td class="num">${r.findingCount}</td>${
        opts.compare ? `<td><input type="radio" name="base" value="${escapeHtml(r.id)}" aria-label="base ${escapeHtml(r.id)}"> <input type="radio" name="head" value="${escapeHtml(r.id)}" aria-label="head ${escapeHtml(r.id)}"></td>` : ''
      }</tr>`,
  );
  return `<table class="scans"><thead><tr><th scope="col">scan</th><th scope="col">target</th><th scope="col">started (UTC)</th><th scope="col">verdict</th><th scope="col">state</th><th scope="col">findings</th>${opts.compare ? '<th scope="col">compare: base / head</th>' : ''}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** First run: nothing in the store yet. */
export function emptyPage(ctx: PageContext, where: string): string {
  return layout(
    ctx,
    'no scans yet',
    [
      '<h1>No scans yet</h1>',
      `<p>The history store <span class="mono">${t(where, 300)}</span> holds no scan. Every <span class="mono">vouch scan</span>, <span class="mono">vouch gate</span> and <span class="mono">vouch demo</span> saves its results there.</p>`,
      '<ol><li>Try it on the bundled lab: <pre>npm run demo</pre></li><li>or scan your own deployment: <pre>vouch scan http://127.0.0.1:8080</pre></li><li>then reload this page.</li></ol>',
    ].join('\n'),
  );
}

/** Targets with their latest verdict and a trend of findings per scan. */
export function targetsPage(ctx: PageContext, targets: readonly TargetOverview[], running: readonly ScanRow[], now: number): string {
  const trendData: Record<string, { x: number[]; y: number[] }> = {};
  const rows = targets.map((tg, k) => {
    trendData[String(k)] = { x: tg.trend.map((r) => Math.round(r.startedAt / 1000)), y: tg.trend.map((r) => r.findingCount) };
    const marks = tg.trend.map((r) => (r.verdict === 'pass' ? '<span class="t-pass" title="pass">✓</span>' : r.verdict === 'fail' ? '<span class="t-fail" title="fail">✗</span>' : r.verdict === 'incomplete' ? '<span class="t-incomplete" title="incomplete">?</span>' : '<span class="t-none" title="unfinished">·</span>')).join('');
    const first = tg.trend[0]?.findingCount ?? 0;
    const delta = tg.latest.findingCount - first;
    return `<tr><th scope="row"><a href="/scans?target=${enc(tg.target)}">${t(tg.target, 100)}</a><div class="meta mono">${t(tg.url, 200)}</div></th><td>${verdictWord(tg.latest)} <a href="${scanHref(tg.latest.id)}">latest scan</a><div class="meta">${when(tg.latest.startedAt)}</div></td><td class="num">${tg.latest.findingCount}</td><td><div class="trend" aria-label="verdicts, oldest first">${marks}</div><div class="meta">findings ${delta > 0 ? `+${delta}` : String(delta)} over ${plural(tg.trend.length, 'scan')} (${tg.scans} in all)</div></td><td><div class="spark" id="trend-${k}" role="img" aria-label="findings per scan of ${escapeHtml(oneLine(tg.target, 100))}: ${tg.trend.map((r) => r.findingCount).join(', ')}"></div></td></tr>`;
  });
  return layout(
    ctx,
    'targets',
    [
      '<h1>Targets</h1>',
      running.length > 0 ? `<h2>Running now</h2>${scanRowsTable(running, now)}` : '',
      `<table id="targets"><thead><tr><th scope="col">target</th><th scope="col">latest verdict</th><th scope="col">findings</th><th scope="col">trend (verdicts)</th><th scope="col">findings per scan</th></tr></thead><tbody>${rows.join('')}</tbody></table>`,
      `<script type="application/json" id="trend-data">${jsonForScript(trendData)}</script>`,
    ].join('\n'),
    { charts: true },
  );
}

/** All scans (newest first), with a form to compare any two. */
export function scansPage(ctx: PageContext, rows: readonly ScanRow[], now: number, target: string | undefined, olderHref?: string): string {
  return layout(
    ctx,
    'scans',
    [
      `<h1>Scans${target === undefined ? '' : ` of ${t(target, 100)}`}</h1>`,
      '<form method="get" action="/compare">',
      scanRowsTable(rows, now, { compare: true }),
      '<p><button type="submit">compare base → head</button></p></form>',
      olderHref ? `<p><a href="${escapeHtml(olderHref)}" rel="next">older scans →</a></p>` : '',
    ].join('\n'),
  );
}

const dashboardLinks = (scanId: string): ViewLinks => ({ finding: (_i, f) => findingHref(scanId, f.fingerprint) });

/** Findings filtered by the page's query; unknown values simply match nothing. */
export function applyFilters(indexed: readonly Indexed[], filters: Filters): Indexed[] {
  return indexed.filter((x) =>
    FILTER_KEYS.every((k) => {
      const want = filters[k];
      if (want === undefined || want === '') return true;
      return k === 'status' ? x.status === want : x.f[k] === want;
    }),
  );
}

/** The filter form and the table of ranked findings (htmx swaps `#findings-results` on change). */
export function findingsResults(report: Report, filters: Filters): string {
  const { indexed, groups } = indexReport(report);
  const shown = applyFilters(indexed, filters);
  const href = scanHref(report.scanId);
  return [
    `<form method="get" action="${href}" class="filters" hx-get="${href}" hx-trigger="change" hx-target="#findings-results" hx-select="#findings-results" hx-swap="outerHTML" hx-push-url="true">`,
    filterSelects(filterChoices(indexed, groups.compared), { kind: 'form', selected: filters }),
    `<button type="submit">apply</button><a href="${href}#findings">reset</a></form>`,
    `<div id="findings-results"><p class="meta" id="shown" aria-live="polite">${shown.length} of ${indexed.length} shown</p>`,
    shown.length > 0 ? findingsTable(shown, dashboardLinks(report.scanId)) : '<p class="meta">No findings match.</p>',
    '</div>',
  ].join('\n');
}

/** One scan: verdict and rules, cards, ranked findings with filters, comparison, latency, audit, accepted, stats. */
export function scanPage(ctx: PageContext, row: ScanRow, report: Report | undefined, filters: Filters, now: number, reportError?: string): string {
  const head = `<header><h1>${t(row.target, 100)} — scan <span class="mono">${t(row.id, 80)}</span></h1>`;
  if (!report) {
    const body = reportError
      ? `<div class="error"><b>This scan's report cannot be shown:</b> ${t(reportError, 500)}. The rest of the history is unaffected.</div>`
      : isRunning(row)
        ? `<p>This scan is still running; its results appear when it finishes.</p>${progressView(row, now, true)}`
        : `<p>No report was stored for this scan (state: ${escapeHtml(row.state)}).</p>`;
    return layout(ctx, `scan ${row.id}`, `${head}<p class="meta mono">${t(row.url, 300)}</p></header>${body}`);
  }
  const { indexed, groups } = indexReport(report);
  const fpHref = (fp: string): string | undefined => (indexed.some((x) => x.f.fingerprint === fp) ? findingHref(report.scanId, fp) : undefined);
  const accepted = acceptedView(report.accepted);
  return layout(
    ctx,
    `${verdictStatus(report.verdict).toUpperCase()} ${report.target.name}`,
    [
      `${head}${scanMeta(report)}</header>`,
      `<p><a href="/compare?head=${enc(report.scanId)}">compare with the previous scan</a> · <a href="${scanHref(report.scanId)}/audit">permission audit</a></p>`,
      verdictView(report),
      cardsView(summaryCards(report, groups)),
      chartsView(groups.all),
      `<section id="findings"><h2>Findings</h2>${indexed.length === 0 ? '<p class="meta">No findings.</p>' : findingsResults(report, filters)}</section>`,
      coverageView(report.coverage),
      comparisonView(report, { findingHref: fpHref }, groups.all),
      latencyView(report.latency),
      auditView(report.audit),
      accepted ? `<section id="accepted"><h2>Accepted risks applied to this scan</h2>${accepted}</section>` : '',
      statsView(report),
    ].join('\n'),
  );
}

/** The accept form (maintainers) or the current acceptance with a revoke button. */
export function acceptControls(ctx: PageContext, fingerprint: string, current: StoredAcceptedRisk | undefined, today: string): string {
  const csrf = `<input type="hidden" name="_csrf" value="${escapeHtml(ctx.csrf)}">`;
  const fp = `<input type="hidden" name="fingerprint" value="${escapeHtml(fingerprint)}">`;
  const back = `<input type="hidden" name="back" value="finding">`;
  if (current) {
    const revoke =
      ctx.role === 'maintainer'
        ? `<form method="post" action="/accepted/revoke" hx-post="/accepted/revoke" hx-target="#accept" hx-swap="outerHTML">${csrf}${fp}${back}<button type="submit">revoke</button></form>`
        : '';
    return `<div id="accept"><h4>Accepted risk</h4><p>Accepted until ${t(current.expires, 20)} by ${t(current.createdBy, 80)}: ${t(current.reason, 500)}</p>${revoke}</div>`;
  }
  if (ctx.role !== 'maintainer') return '<div id="accept"><p class="meta">Only maintainers can accept a risk.</p></div>';
  const next = new Date(Date.parse(`${today}T00:00:00Z`) + 90 * 86_400_000).toISOString().slice(0, 10);
  return [
    '<div id="accept"><h4>Accept this risk</h4>',
    `<form method="post" action="/accepted" class="acceptform" hx-post="/accepted" hx-target="#accept" hx-swap="outerHTML">${csrf}${fp}${back}`,
    '<label for="reason">reason</label><input id="reason" name="reason" required minlength="3" maxlength="1000">',
    `<label for="expires">expires</label><input id="expires" name="expires" type="date" required min="${today}" value="${next}">`,
    '<span></span><button type="submit">accept until the expiry date</button></form></div>',
  ].join('\n');
}

/** One finding: proof exchanges as raw HTTP with the evidence marked, curl with a copy button, history, accept. */
export function findingPage(ctx: PageContext, report: Report, f: Finding, history: FindingHistory, controls: string): string {
  const { indexed } = indexReport(report);
  const x = indexed.find((e) => e.f.fingerprint === f.fingerprint) ?? { f, i: 0, status: f.status ?? 'fixed' };
  return layout(
    ctx,
    `${f.title} — ${report.target.name}`,
    [
      `<p><a href="${scanHref(report.scanId)}#findings">← scan ${t(report.scanId, 80)}</a> · ${t(report.target.name, 100)}</p>`,
      `<h1>${t(f.title, 200)}</h1>`,
      findingView(x, { cap: HTML_BODY_MAX, open: true, filterable: false, history, actions: controls }),
    ].join('\n'),
  );
}

/** Two scans side by side: new, persisting, fixed; surface, permissions, latency before and after. */
export function comparePage(ctx: PageContext, merged: Report, base: { id: string; label: string }): string {
  const { groups, indexed } = indexReport(merged);
  const fpHref = (fp: string): string | undefined => (indexed.some((x) => x.f.fingerprint === fp) ? findingHref(merged.scanId, fp) : undefined);
  return layout(
    ctx,
    `compare ${base.id} → ${merged.scanId}`,
    [
      `<h1>Comparison: <a href="${scanHref(base.id)}" class="mono">${t(base.id, 80)}</a> → <a href="${scanHref(merged.scanId)}" class="mono">${t(merged.scanId, 80)}</a></h1>`,
      `<p class="meta">base: ${t(base.label, 200)} · head: ${t(merged.target.name, 100)} ${t(merged.startedAt, 40)}</p>`,
      cardsView(summaryCards(merged, groups)),
      comparisonView(merged, { findingHref: fpHref }, groups.all),
    ].join('\n'),
  );
}

export function auditPage(ctx: PageContext, report: Report): string {
  const audit = auditView(report.audit);
  return layout(
    ctx,
    `permission audit ${report.scanId}`,
    `<p><a href="${scanHref(report.scanId)}">← scan ${t(report.scanId, 80)}</a></p><h1>Permission audit — ${t(report.target.name, 100)}</h1>${audit || '<p class="meta">This scan has no permission audit: no identity declared its intended scope (<span class="mono">intended:</span> in vouch.yaml).</p>'}`,
  );
}

/** Accepted risks from the store, with revoke buttons (maintainers) and a form to accept by fingerprint. */
export function acceptedFragment(ctx: PageContext, stored: readonly StoredAcceptedRisk[], today: string): string {
  const rows: AcceptedRisk[] = stored.map((s) => ({ fingerprint: s.fingerprint, reason: s.reason, expires: s.expires, state: s.expires > today ? 'active' : 'expired', matched: false }));
  const csrf = `<input type="hidden" name="_csrf" value="${escapeHtml(ctx.csrf)}">`;
  const revoke = (a: AcceptedRisk): string =>
    ctx.role === 'maintainer'
      ? `<form class="inline" method="post" action="/accepted/revoke" hx-post="/accepted/revoke" hx-target="#accepted-list" hx-swap="outerHTML">${csrf}<input type="hidden" name="fingerprint" value="${escapeHtml(a.fingerprint)}"><button type="submit">revoke</button></form>`
      : '';
  const table = acceptedView(rows, revoke).replace('<th scope="col">in this scan</th>', '<th scope="col">in a scan</th>');
  return `<div id="accepted-list">${table || '<p class="meta">No risk accepted from the dashboard.</p>'}</div>`;
}

export function acceptedPage(ctx: PageContext, stored: readonly StoredAcceptedRisk[], today: string): string {
  return layout(
    ctx,
    'accepted risks',
    [
      '<h1>Accepted risks</h1>',
      '<p class="meta">Risks accepted here are stored in the history database; every scan honours them alongside <span class="mono">vouch.yaml</span> and <span class="mono">.vouch/accepted.yaml</span>. An accepted finding stays in the report but no gate rule counts it until the expiry date.</p>',
      acceptedFragment(ctx, stored, today),
    ].join('\n'),
  );
}

export function messagePage(ctx: PageContext, title: string, message: string): string {
  return layout(ctx, title, `<h1>${escapeHtml(title)}</h1><div class="error">${escapeHtml(message)}</div><p><a href="/">back to the targets</a></p>`);
}

/** Sign-in (team mode): a token from `vouch token create`. */
export function loginPage(ctx: PageContext, problem?: string): string {
  return layout(
    ctx,
    'sign in',
    [
      '<h1>Sign in</h1>',
      problem ? `<div class="error" role="alert">${escapeHtml(problem)}</div>` : '',
      '<p>This dashboard runs in team mode. Sign in with a token from <span class="mono">vouch token create --role viewer|maintainer</span>.</p>',
      `<form method="post" action="/login" class="acceptform"><input type="hidden" name="_csrf" value="${escapeHtml(ctx.csrf)}"><label for="token">token</label><input id="token" name="token" type="password" autocomplete="off" required><span></span><button type="submit">sign in</button></form>`,
    ].join('\n'),
  );
}

export { formatNumber };
