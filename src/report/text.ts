// src/report/text.ts — helpers every writer shares: control-character stripping, escaping, ranking and selections.
import { verdictStatus } from '../core/index.js';
import type { Coverage, DiscoverySourceStats, Finding, IncompleteCause, Report, Severity, Verdict, VerdictStatus } from '../core/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Control characters. Everything the target sends (URLs, headers, bodies, titles built from them) may carry
// terminal escapes, NULs, line separators or bidi overrides; writers strip or show them, never pass them on.

/** C0 and C1 controls and DEL, excluding tab, LF and CR. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;
/** Characters that break lines or reorder text without being C0/C1: NEL, LS, PS, bidi embeddings and isolates. */
const INVISIBLE_FORMAT = /[\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** Remove control and bidi characters; tab, CR and LF are kept. */
export function stripControl(s: string): string {
  return s.replace(CONTROLS, '').replace(INVISIBLE_FORMAT, (c) => (c === '\u2028' || c === '\u2029' ? '\n' : ''));
}

/** One display line: controls removed, all whitespace runs (newlines included) folded to one space, cut at `max`. */
export function oneLine(s: string, max = 200): string {
  const flat = stripControl(s).replace(/\s+/gu, ' ').trim();
  return truncate(flat, max);
}

/** Cut to at most `max` characters (code points), ending with an ellipsis when cut. */
export function truncate(s: string, max: number): string {
  if (s.length <= max) return s;
  const points = Array.from(s);
  if (points.length <= max) return s;
  return points.slice(0, Math.max(0, max - 1)).join('') + '…';
}

/** Make control characters visible (for raw HTTP in `<pre>`): `␛`, `␀`, `⟨U+2028⟩`; tab, CR and LF are kept. */
export function showControls(s: string): string {
  return s
    .replace(CONTROLS, (c) => {
      const code = c.codePointAt(0) ?? 0;
      if (code < 0x20) return String.fromCodePoint(0x2400 + code);
      if (code === 0x7f) return '\u2421';
      return `⟨U+${code.toString(16).toUpperCase().padStart(4, '0')}⟩`;
    })
    .replace(INVISIBLE_FORMAT, (c) => `⟨U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}⟩`)
    .replace(/[\ud800-\udfff]/gu, '\ufffd');
}

// ---------------------------------------------------------------------------------------------------------------
// Escaping per output language.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escape for HTML text and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/gu, (c) => HTML_ESCAPES[c] ?? c);
}

/** Characters XML 1.0 forbids anywhere, even as character references (also lone surrogates, U+FFFE, U+FFFF). */
const XML_ILLEGAL = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

/** Drop characters that are illegal in XML 1.0. */
export function dropXmlIllegal(s: string): string {
  return s.replace(XML_ILLEGAL, '');
}

/** Escape for XML text and attribute values (attributes keep their newlines as character references). */
export function escapeXml(s: string): string {
  return dropXmlIllegal(s).replace(/[&<>"'\t\n\r]/gu, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      case '\t': return '&#9;';
      case '\n': return '&#10;';
      default: return '&#13;';
    }
  });
}

/** Escape for XML element text: like escapeXml but whitespace stays literal (readable in CI logs). */
export function escapeXmlText(s: string): string {
  return dropXmlIllegal(s).replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

/**
 * Escape target data for GitHub-flavoured Markdown on one line (table cells, list items): folds whitespace,
 * backslash-escapes Markdown punctuation (`|` included, so it is safe in tables), turns `<`, `>`, `&` into entities
 * (no raw HTML) and `@` into an entity (no mentions from target data).
 */
export function escapeMarkdown(s: string, max = 200): string {
  return oneLine(s, max)
    .replace(/[\\`*_{}[\]()#+!|~]/gu, (c) => `\\${c}`)
    .replace(/[&<>@]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&#64;'));
}

/**
 * Serialize a value for `<script type="application/json">`: `<`, `>`, `&`, U+2028 and U+2029 become `\uXXXX`
 * escapes, so no `</script>` or `<!--` can close or confuse the element, and the text is still valid JSON.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/gu, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Ranking and selections shared by the writers.

export const SEVERITY_ORDER: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Compare strings by UTF-16 code units: the same order on every machine and locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The order every writer lists findings in: risk descending, then fingerprint. */
export function compareFindings(a: Finding, b: Finding): number {
  return b.risk - a.risk || compareText(a.fingerprint, b.fingerprint);
}

/** A sorted copy (never mutates the report). */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** `METHOD /path`, from a finding's operation, on one line. */
export function operationLabel(f: Pick<Finding, 'operation'>, max = 120): string {
  const field = f.operation.graphql ? ` ${f.operation.graphql}` : '';
  return oneLine(`${f.operation.method.toUpperCase()} ${f.operation.path}${field}`, max);
}

/** `METHOD /path [param]`. */
export function operationWithParam(f: Pick<Finding, 'operation' | 'parameter'>, max = 140): string {
  const param = f.parameter === undefined ? '' : ` [${oneLine(f.parameter, 40)}]`;
  return operationLabel(f, max - param.length) + param;
}

/** Round for display: integers stay integers, others keep two decimals. */
export function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0+$/u, '').replace(/\.$/u, '');
}

/** The findings of a report grouped the way the summaries present them. */
export interface FindingGroups {
  /** True when the report compares against a baseline. */
  compared: boolean;
  /** What the summaries lead with: new confirmed findings (compared) or all confirmed ones. */
  headline: Finding[];
  /** Tentative findings of the same scope as `headline`. */
  tentative: Finding[];
  /** All candidate findings, ranked. */
  all: Finding[];
  /** Counts over the candidate's findings by comparison status. */
  newCount: number;
  persisting: Finding[];
  /** Baseline findings the candidate re-tested and no longer has, ranked. */
  fixed: Finding[];
  /** Baseline findings the candidate does not have but did not test again (not fixed), ranked. */
  notRetested: Finding[];
}

/** A finding's status against the baseline: its own field, else the comparison's lists. */
export function statusLookup(report: Report): (f: Finding) => Finding['status'] {
  const c = report.comparison;
  if (c === undefined) return (f) => f.status;
  const lists: Array<[Set<string>, NonNullable<Finding['status']>]> = [
    [new Set(c.findings.new), 'new'],
    [new Set(c.findings.persisting), 'persisting'],
    [new Set(c.findings.fixed), 'fixed'],
    [new Set(c.findings.notRetested ?? []), 'not-retested'],
  ];
  return (f) => f.status ?? lists.find(([set]) => set.has(f.fingerprint))?.[1];
}

/** Group and rank a report's findings for the summaries (terminal, Markdown, HTML). */
export function groupFindings(report: Report): FindingGroups {
  const all = sortFindings(report.findings);
  const compared = report.comparison !== undefined;
  const statusOf = statusLookup(report);
  const scoped = compared ? all.filter((f) => statusOf(f) === 'new') : all;
  return {
    compared,
    headline: scoped.filter((f) => f.confidence === 'confirmed'),
    tentative: scoped.filter((f) => f.confidence === 'tentative'),
    all,
    newCount: compared ? scoped.length : all.length,
    persisting: all.filter((f) => statusOf(f) === 'persisting'),
    fixed: sortFindings(report.comparison?.fixedFindings ?? []),
    notRetested: sortFindings(report.comparison?.notRetestedFindings ?? []),
  };
}

/** `2 high, 1 medium` — counts by severity, highest first, zeros left out. */
export function severityBreakdown(findings: readonly Finding[]): string {
  return SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
}

/** `1 finding` / `2 findings`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

// ---------------------------------------------------------------------------------------------------------------
// The verdict's three outcomes and coverage, worded once for every writer.

export { verdictStatus };

/** PASS, FAIL or INCOMPLETE. */
export function verdictWord(v: Pick<Verdict, 'pass'> & { status?: VerdictStatus | undefined }): string {
  return verdictStatus(v).toUpperCase();
}

/** The causes that kept the scan from passing (also those a failing rule outranked). */
export function causesOf(report: Pick<Report, 'verdict'>): IncompleteCause[] {
  return report.verdict.incomplete ?? [];
}

/** `93.8%`. */
export function percent(ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`;
}

/** One line: `320 of 341 planned tasks got a real answer (93.8%, min 90%); 21 inconclusive, 588 skipped`. */
export function coverageHeadline(c: Coverage): string {
  const rest = [
    c.inconclusive ? `${c.inconclusive} inconclusive` : '',
    c.crashed ? `${c.crashed} crashed` : '',
    c.notRun ? `${c.notRun} not run` : '',
    c.notRetested ? `${c.notRetested} baseline findings not re-tested` : '',
    c.skipped ? `${c.skipped} skipped by the plan` : '',
  ].filter(Boolean);
  return `${c.answered} of ${plural(c.planned, 'planned task')} got a real answer (${percent(c.ratio)}, min ${percent(c.minCoverage)})${rest.length ? `; ${rest.join(', ')}` : ''}`;
}

/** `reliability 87.5% (63/72), security 96.1% (147/153)` — per family, lowest first; a family with no task planned says so. */
export function coverageByFamily(c: Coverage): string {
  return [...c.byFamily]
    .sort((a, b) => (a.planned === 0 ? -1 : a.ratio) - (b.planned === 0 ? -1 : b.ratio) || a.family.localeCompare(b.family))
    .map((f) => (f.planned === 0 ? `${f.family} not tested (${f.skipped} skipped)` : `${f.family} ${percent(f.ratio)} (${f.answered}/${f.planned})`))
    .join(', ');
}

/** One discovery source's work in a line: `browser as admin: 9 operations (7 new), 14 pages, 52 requests; stopped: …`. */
export function discoverySourceLine(s: DiscoverySourceStats): string {
  const who = s.identity && s.identity !== 'anonymous' ? ` as ${s.identity}` : '';
  const work = [
    `${plural(s.found, 'operation')} (${s.added} new)`,
    ...(s.pages !== undefined ? [plural(s.pages, 'page')] : []),
    ...(s.requests !== undefined ? [plural(s.requests, 'request')] : []),
  ];
  return `${s.source}${who}: ${work.join(', ')}${s.stop ? `; ${oneLine(s.stop, 120)}` : ''}`;
}

/**
 * The accounts vouch registered (`identities: auto`) and what it left out to do no harm, one line each (terminal,
 * Markdown); empty when there is neither.
 */
export function harmLines(report: Pick<Report, 'accounts' | 'excluded'>): string[] {
  const lines: string[] = [];
  const accounts = report.accounts ?? [];
  if (accounts.length > 0) {
    const who = accounts.map((a) => `${a.username} (${a.identity})`).join(', ');
    lines.push(`Accounts: vouch registered ${who} through ${accounts[0]!.registeredWith} and signed in through ${accounts[0]!.loginWith}`);
  }
  const excluded = report.excluded ?? [];
  if (excluded.length > 0) {
    const refused = excluded.reduce((n, e) => n + e.requests, 0);
    const planned = excluded.filter((e) => e.requests === 0).length;
    const sample = excluded.slice(0, 3).map((e) => `${e.method} ${e.path}`).join(', ');
    lines.push(`Do no harm: ${plural(planned, 'operation')} left out, ${plural(refused, 'request')} refused (${sample}${excluded.length > 3 ? ', …' : ''}; report.json excluded)`);
  }
  return lines;
}
