// src/team/drift.ts — continuous verification: what changed since a target's accepted state, the interval syntax, and the webhook payloads.
import { verdictStatus, VouchError } from '../core/index.js';
import type { IncompleteCause, Report, VerdictStatus } from '../core/index.js';

export interface Drift {
  target: string;
  scanId: string;
  acceptedScanId: string;
  newFindings: { fingerprint: string; title: string; severity: string; operation: string }[];
  surface: { added: string[]; removed: string[] };
  /** Operations that required auth in the accepted state and answer anonymously now. */
  authLost: string[];
  permissions: { identity: string; gained: string[]; lost: string[] }[];
  /** p95 latency that grew by half and by at least 100 ms. */
  latency: { operation: string; fromP95: number; toP95: number }[];
  /** The declared version or the front-end assets changed. */
  deployment?: { fromVersion?: string; toVersion?: string; assetsChanged: boolean };
  /** The round's verdict: `incomplete` means this round could not establish what it was meant to (see `incomplete`). */
  verdict: VerdictStatus;
  incomplete?: Array<Pick<IncompleteCause, 'cause' | 'message'>>;
}

/** Drift of `report` (scanned with the accepted state as its baseline, so `report.comparison` is filled) from `accepted`. */
export function driftOf(report: Report, accepted: Report): Drift {
  const c = report.comparison;
  const isNew = new Set(c?.findings.new ?? []);
  const latency: Drift['latency'] = [];
  for (const [op, now] of Object.entries(report.latency ?? {})) {
    const was = accepted.latency?.[op];
    if (was && now.p95 >= was.p95 * 1.5 && now.p95 - was.p95 >= 100) latency.push({ operation: op, fromP95: was.p95, toP95: now.p95 });
  }
  const a = accepted.deployment;
  const b = report.deployment;
  const assetsChanged = Boolean(a?.assets && b?.assets && a.assets.fingerprint !== b.assets.fingerprint);
  return {
    target: report.target.name,
    scanId: report.scanId,
    acceptedScanId: accepted.scanId,
    newFindings: report.findings.filter((f) => isNew.has(f.fingerprint)).map((f) => ({ fingerprint: f.fingerprint, title: f.title, severity: f.severity, operation: `${f.operation.method} ${f.operation.path}` })),
    surface: { added: c?.surface.added ?? [], removed: c?.surface.removed ?? [] },
    authLost: (c?.surface.authChanged ?? []).filter((x) => x.from === 'required' && x.to === 'none').map((x) => x.operation),
    permissions: (c?.permissions.identities ?? []).filter((p) => p.gained.length || p.lost.length).map((p) => ({ identity: p.identity, gained: p.gained, lost: p.lost })),
    latency,
    ...(assetsChanged || a?.version !== b?.version ? { deployment: { ...(a?.version ? { fromVersion: a.version } : {}), ...(b?.version ? { toVersion: b.version } : {}), assetsChanged } } : {}),
    verdict: verdictStatus(report.verdict),
    ...(report.verdict.incomplete?.length ? { incomplete: report.verdict.incomplete.map((x) => ({ cause: x.cause, message: x.message })) } : {}),
  };
}

export function hasDrift(d: Drift): boolean {
  return d.newFindings.length + d.surface.added.length + d.surface.removed.length + d.authLost.length + d.permissions.length + d.latency.length > 0 || d.deployment !== undefined;
}

/** One line per kind of change, for the terminal and for Slack. */
export function describeDrift(d: Drift): string[] {
  const out: string[] = [];
  if (d.newFindings.length) out.push(`${d.newFindings.length} new finding(s): ${d.newFindings.slice(0, 5).map((f) => `${f.severity} ${f.title} (${f.operation})`).join('; ')}`);
  if (d.surface.added.length) out.push(`surface: ${d.surface.added.length} operation(s) added: ${d.surface.added.slice(0, 5).join(', ')}`);
  if (d.surface.removed.length) out.push(`surface: ${d.surface.removed.length} operation(s) removed: ${d.surface.removed.slice(0, 5).join(', ')}`);
  if (d.authLost.length) out.push(`auth lost on ${d.authLost.join(', ')}`);
  for (const p of d.permissions) out.push(`permissions of ${p.identity}: +${p.gained.length} -${p.lost.length}${p.gained.length ? ` (${p.gained.slice(0, 3).join(', ')})` : ''}`);
  for (const l of d.latency) out.push(`latency ${l.operation}: p95 ${l.fromP95} ms → ${l.toP95} ms`);
  if (d.deployment) out.push(`deployment: version ${d.deployment.fromVersion ?? '?'} → ${d.deployment.toVersion ?? '?'}${d.deployment.assetsChanged ? ', assets changed' : ''}`);
  // An incomplete round says so first: what it did not establish may hide drift.
  if (d.verdict === 'incomplete') out.unshift(...(d.incomplete ?? []).map((c) => `INCOMPLETE (${c.cause}): ${c.message}`));
  return out;
}

/** The generic JSON payload, and the Slack-compatible one (`text` plus a section block). */
export function webhookPayload(d: Drift, format: 'json' | 'slack'): object {
  if (format === 'json') return { type: 'vouch.drift', ...d };
  const lines = describeDrift(d);
  const head =
    d.verdict === 'incomplete'
      ? `vouch: ${d.target}: round INCOMPLETE, drift cannot be ruled out (scan ${d.scanId} vs ${d.acceptedScanId})`
      : `vouch: ${d.target} drifted from its accepted state (scan ${d.scanId} vs ${d.acceptedScanId})`;
  return { text: `${head}\n${lines.join('\n')}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${head}*\n${lines.map((l) => `• ${l}`).join('\n')}` } }] };
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `1h`, `1d` → ms; at least 1 s. Anything else is a clear usage error. */
export function parseInterval(text: string, what = '--every'): number {
  const m = /^(\d+)\s*(s|m|h|d)$/i.exec(text.trim());
  const ms = m ? Number(m[1]) * UNITS[m[2]!.toLowerCase()]! : NaN;
  if (!Number.isFinite(ms) || ms < 1_000) throw new VouchError('VOUCH_USAGE', `${what} ${text}: not an interval`, { hint: 'Give a number and a unit: 30s, 10m, 1h or 1d (at least 1s).' });
  return ms;
}
