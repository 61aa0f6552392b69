// src/mcp/results.ts — pure: what the MCP tools return from a report (the verdict, the rules that fired, the proofs)
// and the explanation of one finding.
import { VouchError } from '../core/errors.js';
import type { Finding, ProofExchange, Report } from '../core/index.js';
import { sortFindings } from '../report/text.js';

/** Bodies shown in an explanation are cut here (the full exchange is in report.json). */
export const BODY_CHARS = 4_000;
/** Findings listed in a scan or gate result; the rest are counted (report.json has them all). */
export const MAX_FINDINGS = 50;

/** A finding as a tool result lists it: enough to judge it and to reproduce it. */
export interface FindingBrief {
  fingerprint: string;
  checkId: string;
  title: string;
  severity: string;
  confidence: string;
  status?: string;
  exposure: string;
  method: string;
  path: string;
  url: string;
  parameter?: string;
  proof: string;
  reproduce: string;
}

export const findingBrief = (f: Finding): FindingBrief => ({
  fingerprint: f.fingerprint,
  checkId: f.checkId,
  title: f.title,
  severity: f.severity,
  confidence: f.confidence,
  ...(f.status ? { status: f.status } : {}),
  exposure: f.exposure,
  method: f.operation.method,
  path: f.operation.path,
  url: f.url,
  ...(f.parameter !== undefined ? { parameter: f.parameter } : {}),
  proof: f.proof.summary,
  reproduce: f.proof.reproduce,
});

/** The resources of a stored scan (docs/mcp.md#resources). */
export const reportUris = (scanId: string): { json: string; markdown: string } => ({
  json: `vouch://scans/${scanId}/report.json`,
  markdown: `vouch://scans/${scanId}/report.md`,
});

/**
 * A scan's or gate's result: the verdict with the rules that fired, the findings those rules name first (then the
 * rest, by risk), where the reports are. Findings of the verdict's rules are always listed.
 */
export function runResult(report: Report, paths: Record<string, string>, baseline?: Report): Record<string, unknown> {
  const fired = new Set(report.verdict.reasons.flatMap((r) => r.fingerprints));
  const ordered = [...report.findings].sort((a, b) => Number(fired.has(b.fingerprint)) - Number(fired.has(a.fingerprint)) || b.risk - a.risk);
  const listed = ordered.slice(0, Math.max(MAX_FINDINGS, fired.size));
  const c = report.comparison;
  return {
    scanId: report.scanId,
    target: report.target.url,
    verdict: report.verdict.status,
    reasons: report.verdict.reasons.map((r) => ({ rule: r.rule, level: r.level, message: r.message, fingerprints: r.fingerprints })),
    ...(report.verdict.incomplete?.length ? { incomplete: report.verdict.incomplete.map((i) => ({ cause: i.cause, message: i.message })) } : {}),
    ...(report.partial ? { partial: report.partial.reason } : {}),
    findings: listed.map(findingBrief),
    findingCount: report.findings.length,
    ...(c
      ? { comparison: { baseline: c.baseline.ref, new: c.findings.new, persisting: c.findings.persisting, fixed: c.findings.fixed, notRetested: c.findings.notRetested ?? [] } }
      : {}),
    ...(baseline ? { baselineScanId: baseline.scanId } : {}),
    reports: paths,
    resources: reportUris(report.scanId),
  };
}

/** One line per rule that fired and per listed finding: the text content beside the structured result. */
export function runText(result: Record<string, unknown>): string {
  const r = result as { verdict: string; target: string; scanId: string; reasons: Array<{ rule: string; level: string; message: string }>; findings: FindingBrief[]; findingCount: number };
  const lines = [`${r.verdict.toUpperCase()} ${r.target} (scan ${r.scanId})`];
  for (const x of r.reasons) lines.push(`${x.level} ${x.rule}: ${x.message}`);
  for (const f of r.findings.slice(0, 20)) lines.push(`- [${f.severity}/${f.confidence}${f.status ? `/${f.status}` : ''}] ${f.title} ${f.method} ${f.path} (${f.fingerprint})`);
  if (r.findingCount > 20) lines.push(`… ${r.findingCount - 20} more findings in the structured result and report.json`);
  return lines.join('\n');
}

/**
 * The finding of a report named by `ref`: its fingerprint, a unique prefix of it (6 characters or more), or its
 * 1-based position in report.json (findings ranked as the writers rank them). VOUCH_USAGE naming the scan when none or
 * several match.
 */
export function findFinding(report: Report, ref: string): Finding {
  const want = ref.trim();
  if (/^\d{1,5}$/.test(want)) {
    const f = sortFindings(report.findings)[Number(want) - 1];
    if (f) return f;
    throw new VouchError('VOUCH_USAGE', `finding ${want}: scan ${report.scanId} has ${report.findings.length} findings`, { hint: 'Give a fingerprint or a position from 1.' });
  }
  const exact = report.findings.find((f) => f.fingerprint === want);
  if (exact) return exact;
  const prefixed = want.length >= 6 ? report.findings.filter((f) => f.fingerprint.startsWith(want)) : [];
  if (prefixed.length === 1) return prefixed[0]!;
  const why = prefixed.length > 1 ? `matches ${prefixed.length} findings; give more of the fingerprint` : 'no finding has this fingerprint';
  throw new VouchError('VOUCH_USAGE', `finding ${want}: ${why} in scan ${report.scanId}`, { hint: 'The scan and gate tools list the fingerprints.' });
}

const cut = (s: string | undefined): string | undefined =>
  s === undefined ? undefined : s.length > BODY_CHARS ? `${s.slice(0, BODY_CHARS)}… (${s.length - BODY_CHARS} more characters in report.json)` : s;

const exchangeOf = (x: ProofExchange): Record<string, unknown> => ({
  identity: x.identity,
  request: { method: x.request.method, url: x.request.url, headers: x.request.headers, ...(x.request.body !== undefined ? { body: cut(x.request.body) } : {}) },
  ...(x.response ? { response: { status: x.response.status, headers: x.response.headers, body: cut(x.response.body) } } : {}),
  ...(x.error ? { error: x.error } : {}),
});

const WHY: Record<string, string> = {
  confirmed: 'confirmed: the check replayed it with controls (or the recorded answer is itself the proof), so it is a fact about this deployment',
  tentative: 'tentative: the check saw it but could not prove it with a replay and controls; treat it as a lead to verify',
};

/** The explanation of one finding: title, why it is proof, the exchanges and the curl line, exposure, status. */
export function explainFinding(report: Report, f: Finding): Record<string, unknown> {
  const rules = report.verdict.reasons.filter((r) => r.fingerprints.includes(f.fingerprint)).map((r) => ({ rule: r.rule, level: r.level }));
  return {
    scanId: report.scanId,
    ...findingBrief(f),
    ...(f.cwe ? { cwe: f.cwe } : {}),
    ...(f.owasp ? { owasp: f.owasp } : {}),
    why: `${WHY[f.confidence] ?? f.confidence}. ${f.proof.summary}`,
    ...(f.proof.evidence !== undefined ? { evidence: cut(f.proof.evidence) } : {}),
    ...(f.proof.payload !== undefined ? { payload: f.proof.payload } : {}),
    exchanges: f.proof.exchanges.map(exchangeOf),
    remediation: f.remediation,
    rules,
    ...(f.locations?.length ? { locations: f.locations } : {}),
  };
}
