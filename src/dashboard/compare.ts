// src/dashboard/compare.ts — the comparison of any two stored scans, in the report's own Comparison shape, so the
// dashboard shows it with the same view as a gate's report.
import type { Comparison, LatencyStats, OperationBehaviour, PermissionAudit, PermissionDiff, Report } from '../core/index.js';
import { compareFindings, diffSurface, retestedBy } from '../prioritize/index.js';

function permissionDiff(base: readonly PermissionAudit[] | undefined, head: readonly PermissionAudit[] | undefined): PermissionDiff {
  const ops = (a: PermissionAudit | undefined): Set<string> => new Set((a?.capabilities ?? []).map((c) => c.operation));
  // An identity not audited on one side tells nothing about what it gained or lost.
  const audited = (list: readonly PermissionAudit[] | undefined, identity: string): PermissionAudit | undefined => list?.find((a) => a.identity === identity && a.unavailable === undefined);
  const names = [...new Set([...(base ?? []), ...(head ?? [])].map((a) => a.identity))].sort();
  return {
    identities: names
      .filter((identity) => audited(base, identity) && audited(head, identity))
      .map((identity) => {
        const b = ops(audited(base, identity));
        const after = audited(head, identity);
        const h = ops(after);
        const gained = [...h].filter((o) => !b.has(o)).sort();
        const beyond = gained.filter((o) => after?.capabilities.some((c) => c.operation === o && !c.intended));
        return { identity, gained, lost: [...b].filter((o) => !h.has(o)).sort(), ...(beyond.length ? { gainedBeyondIntended: beyond } : {}) };
      })
      .filter((x) => x.gained.length > 0 || x.lost.length > 0),
  };
}

function latencyBehaviour(base: Record<string, LatencyStats> | undefined, head: Record<string, LatencyStats> | undefined): OperationBehaviour[] {
  const ops = [...new Set([...Object.keys(base ?? {}), ...Object.keys(head ?? {})])].sort();
  return ops.map((operation) => {
    const b = base?.[operation];
    const h = head?.[operation];
    return { operation, baseline: { statuses: {}, ...(b ? { latency: b } : {}) }, candidate: { statuses: {}, ...(h ? { latency: h } : {}) }, statusChanges: [], schemaChanges: [] };
  });
}

/**
 * `head` with its comparison replaced by one against `base` (findings by fingerprint, fixed only where re-tested,
 * surface, permissions, latency).
 */
export function compareReports(base: Report, head: Report): Report {
  // Fixed only where the head scan tested the finding again (its tasks); the rest of what is gone is not re-tested.
  const cmp = compareFindings(base.findings, head.findings, retestedBy(head.stats.tasks, head.surface));
  const behaviour = head.comparison && head.comparison.behaviour.operations.length > 0 && !base.latency ? head.comparison.behaviour : { operations: latencyBehaviour(base.latency, head.latency) };
  const comparison: Comparison = {
    baseline: { kind: 'scan', ref: base.scanId },
    findings: cmp.ids,
    fixedFindings: cmp.fixed,
    notRetestedFindings: cmp.notRetested,
    surface: diffSurface(base.surface, head.surface),
    behaviour,
    permissions: permissionDiff(base.audit, head.audit),
  };
  // Statuses come from this comparison, not from the head's own gate.
  return { ...head, findings: head.findings.map(({ status: _s, ...f }) => f), comparison };
}
