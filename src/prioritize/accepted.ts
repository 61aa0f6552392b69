// src/prioritize/accepted.ts — accepted risks: which suppressions hold today, which expired (their findings count again).
import type { AcceptedRisk, Finding } from '../core/index.js';
import type { AcceptedRiskConfig } from '../config/index.js';

/** Active suppressions for `now`, and every entry's state, for the report. */
export function applyAccepted(entries: readonly AcceptedRiskConfig[], findings: readonly Finding[], now: Date): { suppressed: Set<string>; accepted: AcceptedRisk[] } {
  const present = new Set(findings.map((f) => f.fingerprint));
  const today = now.toISOString().slice(0, 10);
  const suppressed = new Set<string>();
  const accepted = entries.map((e) => {
    const state = e.expires > today ? ('active' as const) : ('expired' as const);
    if (state === 'active') suppressed.add(e.fingerprint);
    return { fingerprint: e.fingerprint, reason: e.reason, expires: e.expires, state, matched: present.has(e.fingerprint) };
  });
  return { suppressed, accepted: accepted.sort((a, b) => a.fingerprint.localeCompare(b.fingerprint)) };
}
