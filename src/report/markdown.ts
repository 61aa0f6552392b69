// src/report/markdown.ts — summary.md for a pull-request comment: verdict, top new problems, what changed; ≤ 65,000 chars.
import type { Coverage, Finding, Report } from '../core/index.js';
import { causesOf, coverageByFamily, coverageHeadline, escapeMarkdown, groupFindings, harmLines, operationLabel, plural, severityBreakdown, verdictStatus } from './text.js';
import { auditLines, permissionDiffLines } from './audit.js';

/** GitHub refuses comments over 65,536 characters; stay clearly below. */
export const MARKDOWN_MAX_CHARS = 65_000;

export interface MarkdownOptions {
  /** Rows in the table of new problems before "... N more". Default 50. */
  max?: number;
}

/** Hidden marker a bot can use to find and update its previous comment. */
export const COMMENT_MARKER = '<!-- vouch-report -->';

function row(f: Finding): string {
  const param = f.parameter === undefined ? '' : ` · ${escapeMarkdown(f.parameter, 40)}`;
  return `| ${Math.round(f.risk)} | ${f.severity} | ${escapeMarkdown(operationLabel(f), 100)}${param} | ${escapeMarkdown(f.title, 120)} | ${escapeMarkdown(f.proof.summary, 200)} |`;
}

function bulletList(items: readonly string[], cap: number): string[] {
  const lines = items.slice(0, cap).map((s) => `- ${s}`);
  if (items.length > cap) lines.push(`- ... ${items.length - cap} more`);
  return lines;
}

/**
 * Fill a list under a character budget: rows are added while they fit, then one "... N more" line.
 * `reserve` is kept free for what follows the list.
 */
function fitRows(rows: readonly string[], budget: number, more: (n: number) => string): string[] {
  const out: string[] = [];
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] ?? '';
    const tail = more(rows.length - i - 1).length + 1;
    if (used + r.length + 1 + (i < rows.length - 1 ? tail : 0) > budget) {
      out.push(more(rows.length - i));
      return out;
    }
    out.push(r);
    used += r.length + 1;
  }
  return out;
}

/** Markdown text for a PR comment. Every string from the target is escaped (no HTML, no mentions, no table breaks). */
export function toMarkdown(report: Report, options: MarkdownOptions = {}): string {
  const max = Math.max(0, options.max ?? 50);
  const g = groupFindings(report);
  const head: string[] = [COMMENT_MARKER];

  // Verdict and fired rules.
  const status = verdictStatus(report.verdict);
  const verdict = status === 'pass' ? '✅ vouch: **PASS**' : status === 'fail' ? '❌ vouch: **FAIL**' : '⚠️ vouch: **INCOMPLETE**';
  const versus = report.comparison ? ` vs baseline ${escapeMarkdown(report.comparison.baseline.ref, 120)}` : '';
  head.push(`### ${verdict} — ${escapeMarkdown(report.target.name, 80)} (${escapeMarkdown(report.target.url, 120)})${versus}`, '');
  if (report.partial) {
    head.push(`> [!WARNING]\n> Partial scan: ${escapeMarkdown(report.partial.reason, 300)}; ${plural(report.partial.notRun, 'task')} not run.`, '');
  }
  const causes = causesOf(report);
  if (causes.length > 0) {
    const why = status === 'incomplete' ? 'Incomplete: vouch could not establish enough to pass' : 'Also incomplete';
    head.push(`> [!CAUTION]\n> ${why}:`);
    for (const c of causes.slice(0, 20)) head.push(`> - **${c.cause}**: ${escapeMarkdown(c.message, 300)}`);
    if (causes.length > 20) head.push(`> - ... ${causes.length - 20} more`);
    head.push('');
  }
  if (report.coverage) head.push(...coverageMarkdown(report.coverage), '');
  for (const r of report.verdict.reasons.slice(0, 50)) {
    const level = r.level === 'fail' ? '❌ **fail**' : '⚠️ **warn**';
    head.push(`- ${level} ${escapeMarkdown(r.rule, 80)}: ${escapeMarkdown(r.message, 300)}`);
  }
  if (report.verdict.reasons.length > 50) head.push(`- ... ${report.verdict.reasons.length - 50} more rules`);
  if (report.verdict.reasons.length > 0) head.push('');

  // What follows the table (fixed, persisting, surface, tentative, footer), built first so the table gets the rest.
  const tail: string[] = [];
  if (report.comparison) {
    const c = report.comparison;
    if (g.fixed.length > 0) {
      tail.push(`**Fixed (${g.fixed.length}):**`);
      tail.push(...bulletList(g.fixed.map((f) => `${f.severity} · ${escapeMarkdown(operationLabel(f), 100)} · ${escapeMarkdown(f.title, 120)}`), 20));
      tail.push('');
    }
    if (g.notRetested.length > 0) {
      tail.push(`**Not re-tested (${g.notRetested.length}):** gone from this scan's findings, but its check got no answer there this time, so not fixed`);
      tail.push(...bulletList(g.notRetested.map((f) => `${f.severity} · ${escapeMarkdown(operationLabel(f), 100)} · ${escapeMarkdown(f.title, 120)} · ${escapeMarkdown(f.checkId, 60)}`), 20));
      tail.push('');
    }
    tail.push(`**Persisting:** ${plural(g.persisting.length, 'finding')}${g.persisting.length > 0 ? ` (${severityBreakdown(g.persisting)})` : ''}`, '');
    const s = c.surface;
    const params = s.paramsChanged ?? [];
    const shadow = s.shadow ?? [];
    const zombie = s.zombie ?? [];
    const deprecated = s.deprecated ?? [];
    if (s.added.length + s.removed.length + s.authChanged.length + params.length + shadow.length + zombie.length + deprecated.length > 0) {
      tail.push(
        `**Surface changes:** ${s.added.length} added, ${s.removed.length} removed, ${s.authChanged.length} auth changed, ` +
          `${params.length} params changed, ${shadow.length} shadow, ${zombie.length} zombie`,
      );
      tail.push(...bulletList(s.added.map((o) => `added ${escapeMarkdown(o, 120)}`), 20));
      tail.push(...bulletList(s.removed.map((o) => `removed ${escapeMarkdown(o, 120)}`), 20));
      tail.push(...bulletList(s.authChanged.map((a) => `auth ${escapeMarkdown(a.operation, 120)}: ${a.from} → ${a.to}`), 20));
      tail.push(...bulletList(params.map((p) => `${p.change} ${p.in} parameter ${escapeMarkdown(p.parameter, 60)} of ${escapeMarkdown(p.operation, 100)}${p.change === 'retyped' ? ` (${p.from ?? '?'} → ${p.to ?? '?'})` : ''}`), 20));
      tail.push(...bulletList(shadow.map((o) => `shadow ${escapeMarkdown(o, 120)} (live, not in the spec)`), 20));
      tail.push(...bulletList(zombie.map((o) => `zombie ${escapeMarkdown(o, 120)} (in the spec, gone)`), 20));
      tail.push(...bulletList(deprecated.map((o) => `deprecated ${escapeMarkdown(o, 120)} (GraphQL field newly deprecated)`), 20));
      tail.push('');
    } else {
      tail.push('**Surface changes:** none', '');
    }
    const bh = c.behaviour;
    if (bh.operations.length > 0) {
      const notable = bh.operations.filter((o) => o.latency?.regression || o.statusChanges.length > 0 || o.schemaChanges.length > 0);
      tail.push(`**Behaviour** (${bh.operations.length} operations, same seeded requests to both${bh.seed !== undefined ? `, seed ${bh.seed}` : ''}): ${notable.length ? `${notable.length} changed` : 'no change'}`);
      tail.push(
        ...bulletList(
          notable.map((o) => {
            const parts = [
              o.latency?.regression ? `p50 ${o.baseline.latency?.p50 ?? '?'} → ${o.candidate.latency?.p50 ?? '?'} ms (×${o.latency.effect}, Mann-Whitney p=${o.latency.pValue})` : '',
              o.statusChanges.length ? `status ${o.statusChanges[0]!.replace(/^[A-Z]+ \S+: /, '')}` : '',
              o.schemaChanges.length ? `shape: ${o.schemaChanges.slice(0, 3).join(', ')}` : '',
            ].filter(Boolean);
            return escapeMarkdown(`${o.operation}: ${parts.join('; ')}`, 200);
          }),
          20,
        ),
      );
      tail.push('');
    }
    const perms = permissionDiffLines(c.permissions);
    if (perms.length > 0) tail.push('**Permission changes:**', ...bulletList(perms.map((l) => escapeMarkdown(l, 300)), 20), '');
  }
  if (report.audit?.length) tail.push('**Permission audit:**', ...bulletList(auditLines(report.audit).map((l) => escapeMarkdown(l, 300)), 20), '');
  if (g.tentative.length > 0) {
    tail.push(`**Tentative:** ${g.tentative.length} not shown (${severityBreakdown(g.tentative)}): candidates vouch could not prove; see report.html.`, '');
  }
  for (const l of harmLines(report)) tail.push(escapeMarkdown(l, 400), '');
  const req = report.stats.requests;
  tail.push(
    `<sub>vouch ${escapeMarkdown(report.tool.version, 40)} · ${req.sent} requests sent, ${req.refused} refused · ` +
      `${plural(report.stats.checks.skipped.length, 'check')} skipped · scan ${escapeMarkdown(report.scanId, 60)} · full details in report.html</sub>`,
  );

  // The table of top problems, cut to the budget left.
  const body: string[] = [];
  const title = g.compared ? 'New problems' : 'Problems';
  if (g.headline.length === 0) {
    body.push(`**${title}:** none confirmed`, '');
  } else {
    body.push(`**${title} (${g.headline.length} confirmed):**`, '', '| Risk | Severity | Operation | Title | Proof |', '|---:|---|---|---|---|');
    const rows = g.headline.slice(0, max).map(row);
    const beyond = g.headline.length - rows.length;
    const more = (n: number): string => `\n... ${n + beyond} more (see report.html)`;
    const fixedPart = [...head, ...body, '', ...tail].join('\n').length;
    const budget = MARKDOWN_MAX_CHARS - fixedPart - 200;
    const fitted = fitRows(rows, budget, more);
    if (beyond > 0 && fitted.length === rows.length) fitted.push(more(0));
    body.push(...fitted, '');
  }
  const text = [...head, ...body, ...tail].join('\n') + '\n';
  if (text.length <= MARKDOWN_MAX_CHARS) return text;
  // Only reachable when the parts outside the table alone are too long (thousands of rules); cut hard.
  const note = '\n\n... cut to fit a comment; see report.html\n';
  return text.slice(0, MARKDOWN_MAX_CHARS - note.length) + note;
}

/** Coverage, compact: the headline, operations never tested (first), then per family. */
function coverageMarkdown(c: Coverage): string[] {
  const out = [`**Coverage:** ${escapeMarkdown(coverageHeadline(c), 300)}`];
  if (c.untested.length > 0) {
    out.push('', `**Untested operations (${c.untested.length}):**`);
    out.push(...bulletList(c.untested.map((u) => `${escapeMarkdown(u.operationId, 120)}: ${escapeMarkdown(u.reason, 200)}`), 20));
  }
  if (c.byFamily.length > 0) out.push('', `**Coverage per family:** ${escapeMarkdown(coverageByFamily(c), 300)}`);
  return out;
}
