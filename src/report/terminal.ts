// src/report/terminal.ts — the terminal summary: verdict first, then the few findings that matter, then the counts.
import type { Finding, Report, Severity } from '../core/index.js';
import { causesOf, coverageByFamily, coverageHeadline, discoverySourceLine, groupFindings, harmLines, oneLine, operationWithParam, plural, severityBreakdown, verdictStatus } from './text.js';
import { auditLines, permissionDiffLines } from './audit.js';

export interface TerminalOptions {
  /** Emit ANSI colour codes. */
  color: boolean;
  /** How many findings to list. Default 10. */
  max?: number;
}

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  blue: '\u001b[34m',
  magenta: '\u001b[35m',
} as const;

type Style = keyof typeof ANSI;

const SEVERITY_STYLE: Record<Severity, Style[]> = {
  critical: ['bold', 'magenta'],
  high: ['red'],
  medium: ['yellow'],
  low: ['blue'],
  info: ['dim'],
};

/** Render the summary as plain lines (colour only when asked). Every string from the target is put on one line. */
export function renderTerminal(report: Report, options: TerminalOptions): string {
  const paint = (text: string, ...styles: Style[]): string =>
    options.color && styles.length > 0 ? styles.map((s) => ANSI[s]).join('') + text + ANSI.reset : text;
  const max = Math.max(0, options.max ?? 10);
  const g = groupFindings(report);
  const lines: string[] = [];

  // 1. Verdict and fired rules.
  const fails = report.verdict.reasons.filter((r) => r.level === 'fail').length;
  const warns = report.verdict.reasons.length - fails;
  const tally = [fails > 0 ? plural(fails, 'rule') + ' failed' : '', warns > 0 ? plural(warns, 'warning') : ''].filter(Boolean).join(', ');
  const versus = report.comparison ? ` vs ${oneLine(report.comparison.baseline.ref, 80)}` : '';
  const status = verdictStatus(report.verdict);
  const word = status === 'pass' ? paint('PASS', 'bold', 'green') : status === 'fail' ? paint('FAIL', 'bold', 'red') : paint('INCOMPLETE', 'bold', 'yellow');
  lines.push(
    word +
      `  ${oneLine(report.target.name, 60)} (${oneLine(report.target.url, 80)})${versus}` +
      (tally ? `: ${tally}` : '') +
      (report.partial ? paint(' (partial scan)', 'yellow') : ''),
  );
  if (report.verdict.profile) lines.push(`  profile  ai-influenced: stricter rules apply (${oneLine(report.verdict.profile.why, 120)})`);
  // Why it is not a pass (or would not be, without the failing rules), before the rules.
  for (const c of causesOf(report)) lines.push(`  ${paint('incomplete', 'yellow')}  ${c.cause}: ${oneLine(c.message, 200)}`);
  for (const reason of report.verdict.reasons) {
    const level = reason.level === 'fail' ? paint('fail', 'red') : paint('warn', 'yellow');
    lines.push(`  ${level}  ${oneLine(reason.rule, 60)}: ${oneLine(reason.message, 160)}`);
  }
  if (report.coverage) {
    const c = report.coverage;
    lines.push(`  coverage  ${coverageHeadline(c)}`);
    if (c.untested.length > 0) {
      const named = c.untested.slice(0, 5).map((u) => `${oneLine(u.operationId, 80)} (${oneLine(u.reason, 80)})`);
      lines.push(paint(`  untested  ${plural(c.untested.length, 'operation')}: ${named.join(', ')}${c.untested.length > 5 ? `, +${c.untested.length - 5} more` : ''}`, 'yellow'));
    }
    if (c.byFamily.length > 0) lines.push(`  families  ${coverageByFamily(c)}`);
  }

  // 2. The ranked list.
  lines.push('');
  const heading = g.compared ? 'New confirmed findings' : 'Confirmed findings';
  if (g.headline.length === 0) {
    lines.push(`${heading}: none`);
  } else {
    lines.push(`${heading} (${g.headline.length}):`);
    for (const f of g.headline.slice(0, max)) lines.push(...findingLines(f, paint));
    const rest = g.headline.length - Math.min(max, g.headline.length);
    if (rest > 0) lines.push(paint(`  ... ${rest} more (${severityBreakdown(g.headline.slice(max))}); see report.html`, 'dim'));
  }
  if (g.tentative.length > 0) {
    const titles = [...new Set(g.tentative.map((f) => oneLine(f.title, 60)))];
    const shown = titles.slice(0, 3).join('; ') + (titles.length > 3 ? '; ...' : '');
    lines.push(paint(`${g.tentative.length} tentative, not shown: ${severityBreakdown(g.tentative)} (${shown})`, 'dim'));
  }

  // 3. Counts.
  lines.push('');
  if (report.comparison) {
    const s = report.comparison.surface;
    lines.push(`Findings: ${g.newCount} new, ${g.persisting.length} persisting, ${g.fixed.length} fixed${g.notRetested.length > 0 ? `, ${g.notRetested.length} not re-tested` : ''}`);
    if (g.notRetested.length > 0) {
      const few = g.notRetested.slice(0, 3).map((f) => `${oneLine(f.title, 60)} (${oneLine(`${f.operation.method} ${f.operation.path}`, 60)})`);
      lines.push(paint(`  not re-tested (the candidate did not test them again, so not fixed): ${few.join('; ')}${g.notRetested.length > 3 ? `; +${g.notRetested.length - 3} more` : ''}`, 'yellow'));
    }
    lines.push(
      `Surface:  ${s.added.length} added, ${s.removed.length} removed, ${s.authChanged.length} auth changed, ${(s.paramsChanged ?? []).length} params changed, ` +
        `${(s.shadow ?? []).length} shadow, ${(s.zombie ?? []).length} zombie`,
    );
    const few = (xs: readonly string[]): string => xs.slice(0, 4).join(', ') + (xs.length > 4 ? `, +${xs.length - 4} more` : '');
    if (s.authChanged.length > 0) lines.push(`  auth changed: ${few(s.authChanged.map((a) => `${a.operation} ${a.from} → ${a.to}`))}`);
    if (s.added.length > 0) lines.push(`  added: ${few(s.added)}`);
    if (s.removed.length > 0) lines.push(`  removed: ${few(s.removed)}`);
    if ((s.shadow ?? []).length > 0) lines.push(`  shadow (live, not in the spec): ${few(s.shadow ?? [])}`);
    if ((s.zombie ?? []).length > 0) lines.push(`  zombie (in the spec, gone): ${few(s.zombie ?? [])}`);
    if ((s.deprecated ?? []).length > 0) lines.push(`  deprecated (GraphQL fields): ${few(s.deprecated ?? [])}`);
    const bh = report.comparison.behaviour;
    // Only when something changed: an unchanged comparison is in report.json and summary.md.
    if (bh.operations.some((o) => o.latency?.regression || o.statusChanges.length > 0 || o.schemaChanges.length > 0)) {
      const slower = bh.operations.filter((o) => o.latency?.regression);
      const changed = bh.operations.filter((o) => o.statusChanges.length > 0);
      const reshaped = bh.operations.filter((o) => o.schemaChanges.length > 0);
      lines.push(`Behaviour: ${bh.operations.length} operations on the same requests${bh.seed !== undefined ? ` (seed ${bh.seed})` : ''}: ${changed.length} status changed, ${reshaped.length} response shape changed, ${slower.length} slower`);
      for (const o of slower.slice(0, 5)) lines.push(paint(`  slower ${oneLine(o.operation, 80)}: p50 ${o.baseline.latency?.p50 ?? '?'} → ${o.candidate.latency?.p50 ?? '?'} ms (×${o.latency!.effect}, Mann-Whitney p=${o.latency!.pValue})`, 'yellow'));
      for (const o of changed.slice(0, 5)) lines.push(`  status ${oneLine(o.statusChanges[0]!, 120)}`);
    }
    for (const l of permissionDiffLines(report.comparison.permissions)) lines.push(`Permissions: ${oneLine(l, 200)}`);
  } else {
    lines.push(`Findings: ${g.all.length - g.tentative.length} confirmed, ${g.tentative.length} tentative`);
  }
  for (const l of auditLines(report.audit ?? [])) lines.push(`Audit:    ${oneLine(l, 200)}`);
  const req = report.stats.requests;
  lines.push(`Requests: ${req.sent} sent, ${req.refused} refused${req.errors > 0 ? `, ${req.errors} failed` : ''}`);
  const sources = report.surface.discovery?.sources ?? [];
  if (sources.length > 0) {
    lines.push(`Discovery: ${plural(report.surface.operations.length, 'operation')}, by source:`);
    for (const src of sources) lines.push(`  ${discoverySourceLine(src)}`);
  }
  const accepted = report.accepted ?? [];
  if (accepted.length > 0) {
    const active = accepted.filter((a) => a.state === 'active' && a.matched).length;
    const expired = accepted.filter((a) => a.state === 'expired' && a.matched).length;
    lines.push(`Accepted: ${active} finding${active === 1 ? '' : 's'} suppressed as accepted risks${expired > 0 ? `; ${expired} acceptance${expired === 1 ? '' : 's'} expired, counted again` : ''}`);
  }
  for (const l of harmLines(report)) lines.push(oneLine(l, 300));
  const skipped = report.stats.checks.skipped.length;
  if (skipped > 0) lines.push(`Checks:   ${skipped} skipped (reasons in report.json, stats.checks.skipped)`);
  if (report.partial) {
    lines.push(paint(`Partial scan: stopped early (${oneLine(report.partial.reason, 120)}); ${plural(report.partial.notRun, 'task')} not run.`, 'yellow'));
  }
  return lines.join('\n') + '\n';
}

function findingLines(f: Finding, paint: (text: string, ...styles: Array<keyof typeof ANSI>) => string): string[] {
  const risk = String(Math.round(f.risk)).padStart(3);
  const severity = paint(f.severity.padEnd(8), ...SEVERITY_STYLE[f.severity]);
  return [
    `  ${paint(risk, 'bold')}  ${severity}  ${operationWithParam(f, 80)}  ${oneLine(f.title, 100)}`,
    paint(`       ${oneLine(f.proof.summary, 160)}`, 'dim'),
  ];
}
