// src/team/round.ts — the end of a watch round (embedded timer or team-mode schedule alike): the first complete scan
// becomes the accepted state, a later one is compared with it and drift (or an incomplete round) goes to the webhooks.
import type { Report } from '../core/index.js';
import type { HistoryStore } from '../store/index.js';
import { describeDrift, driftOf, hasDrift, webhookPayload } from './drift.js';
import { deliver, type Webhook } from './webhooks.js';

/**
 * `report` is saved; `accepted` is the accepted state it was scanned against (its baseline), if any.
 * Returns whether the round drifted. Every line goes to `say`.
 */
export async function settleRound(store: HistoryStore, report: Report, accepted: Report | undefined, webhooks: readonly Webhook[], say: (line: string) => void, deliverOpts: { baseDelayMs?: number; retries?: number } = {}): Promise<boolean> {
  const name = report.target.name;
  const incomplete = report.verdict.status === 'incomplete';
  if (!accepted && incomplete) {
    say(`${name}: scan ${report.scanId} is incomplete (${report.verdict.incomplete?.[0]?.message ?? 'see its report'}); not taken as the accepted state`);
    return false;
  }
  if (!accepted) {
    await store.accept(report.scanId);
    say(`${name}: scan ${report.scanId} is the accepted state (first scan; move it with \`vouch accept <scan-id>\`)`);
    return false;
  }
  const drift = driftOf(report, accepted);
  // An incomplete round is reported to the webhooks even without visible drift: it could not rule drift out.
  if (!hasDrift(drift) && !incomplete) {
    say(`${name}: scan ${report.scanId}: no drift from accepted ${accepted.scanId}`);
    return false;
  }
  say(`${name}: scan ${report.scanId} ${incomplete ? 'is incomplete against' : 'drifted from'} accepted ${accepted.scanId}:`);
  for (const line of describeDrift(drift)) say(`  ${line}`);
  for (const hook of webhooks) {
    const r = await deliver(hook, webhookPayload(drift, hook.format), { ...deliverOpts, deadLetter: (d) => store.deadLetter({ ...d, scanId: report.scanId }) });
    say(r.ok ? `  webhook ${r.url}: delivered (${r.attempts} attempt(s))` : `  webhook ${r.url}: failed after ${r.attempts} attempts (${r.error}); kept as a dead letter`);
  }
  return true;
}
