// src/prioritize/completeness.ts — coverage (what got a real answer) and the three-outcome verdict, as pure functions.
import { isHarmReason } from '../core/index.js';
import type { Coverage, CoverageCounts, CoverageGap, Family, IncompleteCause, SkippedTask, TaskRecord, Verdict, VerdictReason } from '../core/index.js';

/** `policy.minCoverage` when vouch.yaml sets none: 90 % of planned tasks must get a real answer. */
export const DEFAULT_MIN_COVERAGE = 0.9;

/** Where the tasks of target-wide checks (no operation) are counted. */
export const TARGET_WIDE = '*';

export interface CoverageInput {
  /** `stats.tasks`: every planned task with its outcome. */
  tasks: readonly TaskRecord[];
  /** The plan's skips, with reasons (`stats.checks.skipped`). */
  skipped: readonly SkippedTask[];
  /** The surface's operation ids, in surface order. */
  operations: readonly string[];
  /** Each check's family. */
  families: Readonly<Record<string, Family>>;
  minCoverage: number;
  /**
   * Baseline findings whose check got no real answer on their operation in this scan (a gate's `not re-tested`
   * findings): each counts as one more planned task without an answer.
   */
  notRetested?: number;
}

const answered = (t: TaskRecord): boolean => t.status === 'found' || t.status === 'clean';

function counts(tasks: readonly TaskRecord[], skipped: number, extraPlanned = 0): CoverageCounts {
  const planned = tasks.length + extraPlanned;
  const n = tasks.filter(answered).length;
  return {
    planned,
    answered: n,
    inconclusive: tasks.filter((t) => t.status === 'inconclusive').length,
    crashed: tasks.filter((t) => t.status === 'crashed').length,
    notRun: tasks.filter((t) => t.status === 'not-run').length,
    skipped,
    ratio: planned === 0 ? 1 : Math.round((n / planned) * 1000) / 1000,
  };
}

/** The distinct reasons of a list, most frequent first, at most `max`. */
function topReasons(reasons: readonly string[], max = 2): string {
  const n = new Map<string, number>();
  for (const r of reasons) n.set(r, (n.get(r) ?? 0) + 1);
  const sorted = [...n.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([r]) => r);
  return sorted.slice(0, max).join('; ') + (sorted.length > max ? `; and ${sorted.length - max} more` : '');
}

/** Coverage from the task records, the plan's skips and the surface. Deterministic order throughout. */
export function computeCoverage(input: CoverageInput): Coverage {
  // Tasks that did not run to do no harm (the guard refused what they had to send) count as skipped, like the plan's
  // own do-no-harm skips: a policy choice shown in the gaps, not a gap in what the target answered.
  const held = (t: TaskRecord): boolean => t.status === 'not-run' && isHarmReason(t.reason);
  const tasks = input.tasks.filter((t) => !held(t));
  const skipped: SkippedTask[] = [
    ...input.skipped,
    ...input.tasks.filter(held).map((t) => ({ checkId: t.checkId, ...(t.operationId ? { operationId: t.operationId } : {}), identity: t.identity, reason: t.reason ?? 'do no harm' })),
  ];
  const notRetested = input.notRetested ?? 0;
  const overall = counts(tasks, skipped.length, notRetested);

  const families = [...new Set([...tasks, ...skipped].map((t) => input.families[t.checkId]).filter((f): f is Family => f !== undefined))].sort();
  const byFamily = families.map((family) => {
    const mine = (t: { checkId: string }): boolean => input.families[t.checkId] === family;
    return { family, ...counts(tasks.filter(mine), skipped.filter(mine).length) };
  });

  const key = (t: { operationId?: string }): string => t.operationId ?? TARGET_WIDE;
  const ids = [...input.operations];
  const known = new Set(ids);
  for (const t of [...tasks, ...skipped]) if (!known.has(key(t)) && known.add(key(t))) ids.push(key(t));
  const operations = ids.map((operationId) => ({
    operationId,
    ...counts(tasks.filter((t) => key(t) === operationId), skipped.filter((s) => key(s) === operationId).length),
  }));

  const gaps: CoverageGap[] = [
    ...tasks.filter((t) => !answered(t)).map((t): CoverageGap => ({
      ...(t.operationId ? { operationId: t.operationId } : {}),
      checkId: t.checkId,
      identity: t.identity,
      status: t.status as CoverageGap['status'],
      reason: t.reason ?? t.status,
    })),
    ...skipped.map((s): CoverageGap => ({ ...(s.operationId ? { operationId: s.operationId } : {}), checkId: s.checkId, ...(s.identity ? { identity: s.identity } : {}), status: 'skipped', reason: s.reason })),
  ];

  const untested = operations
    .filter((o) => o.operationId !== TARGET_WIDE && o.answered === 0)
    .map((o) => {
      const why = gaps.filter((g) => g.operationId === o.operationId).map((g) => (g.status === 'skipped' ? `skipped: ${g.reason}` : `${g.status}: ${g.reason}`));
      return { operationId: o.operationId, reason: why.length ? topReasons(why) : 'no check applies' };
    });

  return { ...overall, minCoverage: input.minCoverage, ...(notRetested ? { notRetested } : {}), byFamily, untested, operations, gaps };
}

/** What ended the run early, when something did. */
export interface StopInput {
  by: 'interrupted' | 'budget' | 'deadline' | 'target-unavailable';
  reason: string;
  /** Planned tasks that did not run. */
  notRun: number;
}

export interface CompletenessInput {
  coverage: Coverage;
  tasks: readonly TaskRecord[];
  /** Identities without working credentials at the end of the scan, and why; `lost` when a re-login failed. */
  identities: ReadonlyArray<{ name: string; reason: string; lost: boolean }>;
  stop?: StopInput;
  /** Origins vouch stopped sending to (circuit breaker open at the end: no recovery). */
  unavailable?: readonly string[];
}

const pct = (r: number): string => `${Math.round(r * 1000) / 10}%`;

/** Every reason this scan could not establish enough to pass; empty when it did. */
export function incompleteCauses(input: CompletenessInput): IncompleteCause[] {
  const causes: IncompleteCause[] = [];
  for (const i of input.identities) {
    causes.push(
      i.lost
        ? { cause: 'session-lost', identity: i.name, message: `identity ${i.name} lost its session and could not log in again (${i.reason}); what it should have tested was not` }
        : { cause: 'login-failed', identity: i.name, message: `identity ${i.name} could not log in (${i.reason}); its tasks were skipped. Fix its login in vouch.yaml` },
    );
  }
  if (input.stop) {
    const what = `${input.stop.notRun} planned task${input.stop.notRun === 1 ? '' : 's'} not run`;
    causes.push({ cause: input.stop.by, tasks: input.stop.notRun, message: `${input.stop.reason}; ${what}` });
  }
  // A stop for unavailability already says so; otherwise each origin left alone is its own cause.
  const stoppedSending = input.stop?.by === 'target-unavailable' ? [] : (input.unavailable ?? []);
  for (const origin of stoppedSending) {
    causes.push({ cause: 'target-unavailable', message: `${origin} stopped answering and did not recover; vouch stopped sending there, later tasks got no answer` });
  }
  const crashed = new Map<string, number>();
  for (const t of input.tasks) if (t.status === 'crashed') crashed.set(t.checkId, (crashed.get(t.checkId) ?? 0) + 1);
  for (const [checkId, n] of [...crashed.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const first = input.tasks.find((t) => t.checkId === checkId && t.status === 'crashed')?.reason ?? 'crashed';
    causes.push({ cause: 'check-crashed', checkId, tasks: n, message: `${first}${n > 1 ? ` (${n} tasks)` : ''}; a vouch bug: please report it` });
  }
  const c = input.coverage;
  if (c.planned === 0) {
    causes.push({ cause: 'coverage', message: `nothing was tested: the plan has no task (${c.skipped} skipped)` });
  } else if (c.ratio < c.minCoverage) {
    const retest = c.notRetested ? `, ${c.notRetested} baseline finding${c.notRetested === 1 ? '' : 's'} not re-tested` : '';
    causes.push({
      cause: 'coverage',
      message: `${c.answered} of ${c.planned} planned tasks got a real answer (${pct(c.ratio)}, policy.minCoverage ${pct(c.minCoverage)}): ${c.inconclusive} inconclusive, ${c.crashed} crashed, ${c.notRun} not run${retest}`,
    });
  }
  return causes;
}

/** The verdict's three outcomes: a failing rule fails (and keeps its causes), else any cause makes it incomplete. */
export function finalVerdict(verdict: Pick<Verdict, 'reasons' | 'profile'>, causes: readonly IncompleteCause[], extra: readonly VerdictReason[] = []): Verdict {
  const reasons = [...extra, ...verdict.reasons];
  const status = reasons.some((r) => r.level === 'fail') ? 'fail' : causes.length ? 'incomplete' : 'pass';
  return { pass: status === 'pass', status, reasons, ...(causes.length ? { incomplete: [...causes] } : {}), ...(verdict.profile ? { profile: verdict.profile } : {}) };
}
