// src/prioritize/policy.ts — the gate: policy rules over findings and the surface diff give the verdict.
import type { BehaviourDiff, Finding, PermissionDiff, SurfaceDiff, Verdict, VerdictReason } from '../core/index.js';
import type { PolicyRule } from '../config/index.js';

/** Used when vouch.yaml has no `policy.rules`. */
export const DEFAULT_RULES: PolicyRule[] = [
  { id: 'new-confirmed-high', level: 'fail', when: { status: ['new'], confidence: ['confirmed'], severity: ['critical', 'high'] } },
  { id: 'auth-lost', level: 'fail', when: { surface: 'authLost' } },
  { id: 'permission-gained-beyond-intended', level: 'fail', when: { permissions: 'gainedBeyondIntended' } },
  { id: 'new-confirmed-medium', level: 'warn', when: { status: ['new'], confidence: ['confirmed'], severity: ['medium'] } },
  { id: 'tentative-findings', level: 'warn', when: { confidence: ['tentative'], severity: ['critical', 'high', 'medium'] } },
  { id: 'latency-regression', level: 'warn', when: { behaviour: 'latencyRegression' } },
];

function matches(rule: PolicyRule, f: Finding): boolean {
  const w = rule.when;
  // Without a baseline every finding counts as new. (Not re-tested ones are baseline findings, never judged here.)
  const status = f.status ?? 'new';
  return (
    (!w.status || (w.status as readonly string[]).includes(status)) &&
    (!w.confidence || w.confidence.includes(f.confidence)) &&
    (!w.severity || w.severity.includes(f.severity)) &&
    (!w.family || w.family.includes(f.family)) &&
    (!w.checks || w.checks.includes(f.checkId))
  );
}

function describe(rule: PolicyRule, n: number): string {
  const w = rule.when;
  const parts = [w.status?.join('/'), w.confidence?.join('/'), w.severity?.join('/'), w.family?.join('/'), w.checks?.join('/')].filter(Boolean);
  return `${n} ${parts.join(' ')} finding${n === 1 ? '' : 's'}`;
}

/** Behaviour rules: operations whose latency regressed, or whose status class changed, on the same requests. */
function behaviourHits(kind: 'latencyRegression' | 'statusChanged', behaviour: BehaviourDiff): string[] {
  if (kind === 'latencyRegression') {
    return behaviour.operations.filter((o) => o.latency?.regression).map((o) => `${o.operation} p50 ${o.baseline.latency?.p50 ?? '?'} → ${o.candidate.latency?.p50 ?? '?'} ms (×${o.latency!.effect}, p=${o.latency!.pValue})`);
  }
  return behaviour.operations.filter((o) => o.statusChanges.length).map((o) => `${o.operation}: ${o.statusChanges[0]!.replace(/^[A-Z]+ \S+: /, '')}`);
}

export function evaluatePolicy(rules: readonly PolicyRule[], findings: readonly Finding[], surface?: SurfaceDiff, permissions?: PermissionDiff, behaviour?: BehaviourDiff): Verdict {
  const reasons: VerdictReason[] = [];
  for (const rule of rules) {
    if (rule.when.behaviour) {
      if (!behaviour) continue;
      const hits = behaviourHits(rule.when.behaviour, behaviour);
      if (hits.length > 0) reasons.push({ rule: rule.id, level: rule.level, message: `${rule.when.behaviour === 'latencyRegression' ? 'latency regression' : 'status changed'}: ${hits.join('; ')}`, fingerprints: [] });
      continue;
    }
    if (rule.when.permissions) {
      if (!permissions) continue;
      const beyond = rule.when.permissions === 'gainedBeyondIntended';
      const hits = permissions.identities.flatMap((i) => (beyond ? (i.gainedBeyondIntended ?? []) : i.gained).map((op) => `${i.identity}: ${op}`));
      if (hits.length > 0) reasons.push({ rule: rule.id, level: rule.level, message: `${beyond ? 'gained beyond the intended scope' : 'gained'}: ${hits.join(', ')}`, fingerprints: [] });
      continue;
    }
    if (rule.when.surface) {
      if (!surface) continue;
      const hits = rule.when.surface === 'authLost' ? surface.authChanged.filter((c) => c.from === 'required' && c.to === 'none').map((c) => c.operation) : surface.removed;
      if (hits.length > 0) reasons.push({ rule: rule.id, level: rule.level, message: `${rule.when.surface === 'authLost' ? 'lost authentication' : 'removed'}: ${hits.join(', ')}`, fingerprints: [] });
      continue;
    }
    const hit = findings.filter((f) => f.status !== 'fixed' && matches(rule, f));
    if (hit.length > 0) reasons.push({ rule: rule.id, level: rule.level, message: describe(rule, hit.length), fingerprints: hit.map((f) => f.fingerprint) });
  }
  const pass = !reasons.some((r) => r.level === 'fail');
  // Rules alone: whether the scan established enough to pass is decided after (completeness.ts).
  return { pass, status: pass ? 'pass' : 'fail', reasons };
}
