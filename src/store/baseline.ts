// src/store/baseline.ts — whether a stored scan can stand as the `last-passing` baseline of the run about to start.
import { SKIP_DISABLED, SKIP_NOT_SELECTED, verdictStatus } from '../core/index.js';
import type { Report, Scope } from '../core/index.js';

/** What the run about to start will test: the checks it selects (config and --check), its target URL and scope. */
export interface BaselineWant {
  checks: readonly string[];
  /** The run's target URL: its own origin may differ from the baseline's (a preview deployment of the same target). */
  url: string;
  scope: Scope;
}

/** A newer scan that was not taken as the baseline, and why. */
export interface PassedOver {
  scanId: string;
  why: string;
}

/** The checks a stored scan ran: planned with tasks, or selected and applicable nowhere (skipped per operation). */
export function checksRan(report: Report): Set<string> {
  const ran = new Set(report.stats.checks.run.filter((c) => c.tasks > 0).map((c) => c.checkId));
  for (const s of report.stats.checks.skipped) {
    if (s.reason !== SKIP_NOT_SELECTED && s.reason !== SKIP_DISABLED && s.operationId !== undefined) ran.add(s.checkId);
  }
  return ran;
}

const same = (a: readonly string[], b: readonly string[]): boolean => [...a].sort().join('\n') === [...b].sort().join('\n');

/** The scope's origins other than the target's own, which is compared as "the target" whatever its host. */
function extraOrigins(scope: Scope, url: string): string[] {
  // A target URL that does not parse (a hand-made report) has no own origin: then only identical lists match.
  const own = URL.canParse(url) ? new URL(url).origin : undefined;
  return scope.origins.filter((o) => o !== own);
}

const few = (xs: readonly string[]): string => xs.slice(0, 3).join(', ') + (xs.length > 3 ? ` (+${xs.length - 3} more)` : '');

/**
 * Why `report` cannot be the baseline of a run that wants `want`, or undefined when it can: it must be complete (not
 * partial), passing (`pass`; a report stored before statuses existed passes when `verdict.pass`), have run every check the run will run, and have had
 * the same scope: path includes and excludes, and origins besides the target's own (a gate's candidate runs at
 * another URL than the scans of its target name did).
 */
export function baselineMisfit(report: Report, want: BaselineWant | undefined): string | undefined {
  if (report.partial) return `partial scan (${report.partial.reason})`;
  const status = verdictStatus(report.verdict);
  if (status !== 'pass') return status === 'fail' ? 'its verdict failed' : `its verdict was ${status}`;
  if (!want) return undefined;
  const ran = checksRan(report);
  const missing = want.checks.filter((id) => !ran.has(id));
  if (missing.length) return `did not run ${few(missing)}`;
  if (!report.scope) return 'its scope is not recorded (an older vouch scanned it)';
  const s = report.scope;
  const extra = extraOrigins(s, report.target.url);
  if (!same(extra, extraOrigins(want.scope, want.url))) return `other origins in scope (${extra.length ? few(extra) : 'only its target'})`;
  if (!same(s.include, want.scope.include) || !same(s.exclude, want.scope.exclude)) {
    return `other path scope (include ${JSON.stringify(s.include)}, exclude ${JSON.stringify(s.exclude)})`;
  }
  return undefined;
}
