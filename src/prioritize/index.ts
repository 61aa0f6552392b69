// src/prioritize/index.ts — stage 5: candidates into findings (fingerprint, exposure, risk, proof), baseline comparison, verdict.
import type { BehaviourDiff, Candidate, Comparison, Exchange, Exposure, Finding, Identity, PermissionAudit, ProofExchange, Report, Surface, Verdict } from '../core/index.js';
import type { AnyCheck } from '../checks/kit/define.js';
import type { PolicyRule } from '../config/index.js';
import { redactExchange, type Redactor } from '../net/index.js';
import { compareFindings, diffPermissions, diffSurface, retestedBy, type RetestTask } from './compare.js';
import { toCurl } from './curl.js';
import { fingerprint } from './fingerprint.js';
import { AI_DEFAULT_RULES } from './ai.js';
import { DEFAULT_RULES, evaluatePolicy } from './policy.js';
import { riskFactors, riskScore } from './risk.js';

export { fingerprint } from './fingerprint.js';
export { riskFactors, riskScore } from './risk.js';
export { toCurl } from './curl.js';
export { diffSurface, compareFindings, diffPermissions, retestedBy, type RetestTask } from './compare.js';
export { DEFAULT_RULES, evaluatePolicy } from './policy.js';
export { computeCoverage, DEFAULT_MIN_COVERAGE, finalVerdict, incompleteCauses, TARGET_WIDE, type CompletenessInput, type CoverageInput, type StopInput } from './completeness.js';
export { applyAccepted } from './accepted.js';
export { aiTrailer, AI_DEFAULT_RULES } from './ai.js';

const EXPOSURE_OF: Record<Identity['role'], Exposure> = { anonymous: 'anonymous', user: 'authenticated', privileged: 'privileged' };
const EXPOSURE_RANK: Record<Exposure, number> = { anonymous: 0, authenticated: 1, privileged: 2 };

/** Bodies in proofs are cut here so one finding cannot blow up a report. */
const PROOF_BODY_CAP = 64 * 1024;

/** The redactor with a finding's own sensitive values masked too. */
function withValues(redact: Redactor, values: readonly string[] | undefined): Redactor {
  const masked = (values ?? []).filter((v) => v.length >= 4);
  if (!masked.length) return redact;
  const mask = (t: string): string => masked.reduce((acc, v) => acc.split(v).join('[REDACTED]'), t);
  // In URLs too: a value the finding is about may be a query value (a password sent in a GET form).
  return { ...redact, text: (t) => mask(redact.text(t)), url: (u) => mask(redact.url(u)) };
}

function proofExchange(x: Exchange, redact: Redactor): ProofExchange {
  const cut = (body: string): string => (body.length > PROOF_BODY_CAP ? `${body.slice(0, PROOF_BODY_CAP)}\n[... ${body.length - PROOF_BODY_CAP} more characters cut from the proof]` : body);
  const r = redactExchange(x, redact, cut);
  return {
    id: r.id,
    request: r.request,
    ...(r.response ? { response: r.response } : {}),
    ...(r.error ? { error: { code: r.error.code, message: r.error.message } } : {}),
    timing: r.timing,
    identity: r.identity,
  };
}

export interface BuildInput {
  candidates: readonly Candidate[];
  checks: readonly AnyCheck[];
  identities: readonly Identity[];
  exchange: (id: string) => Exchange | undefined;
  redact: Redactor;
}

/** One finding per fingerprint; the same root cause from several identities keeps the widest exposure. */
export function buildFindings(input: BuildInput): Finding[] {
  const checks = new Map(input.checks.map((c) => [c.id, c]));
  const roles = new Map(input.identities.map((i) => [i.name, i.role]));
  const byFp = new Map<string, Finding>();
  for (const c of input.candidates) {
    const check = checks.get(c.checkId);
    if (!check) continue;
    const fp = fingerprint({ checkId: c.checkId, method: c.operation.method, path: c.operation.path, graphql: c.operation.graphql, parameter: c.parameter, vulnClass: c.vulnClass, grouped: c.grouped });
    const exposure = EXPOSURE_OF[roles.get(c.identity) ?? 'user'];
    const severity = c.severity ?? check.meta.severity;
    const redact = withValues(input.redact, c.redact);
    const exchanges = c.proof.exchangeIds.map((id) => input.exchange(id)).filter((x): x is Exchange => x !== undefined).map((x) => proofExchange(x, redact));
    const first = exchanges[0];
    const finding: Finding = {
      fingerprint: fp,
      checkId: c.checkId,
      title: c.title ?? check.meta.title,
      family: check.family,
      severity,
      confidence: c.confidence,
      ...(check.meta.cwe ? { cwe: check.meta.cwe } : {}),
      ...(check.meta.owasp ? { owasp: check.meta.owasp } : {}),
      operation: c.operation,
      url: redact.url(c.url),
      ...(c.parameter !== undefined ? { parameter: c.parameter } : {}),
      vulnClass: c.vulnClass,
      exposure,
      risk: 0,
      riskFactors: riskFactors(severity, c.confidence, exposure, undefined),
      proof: {
        summary: redact.text(c.proof.summary),
        exchanges,
        reproduce: first ? toCurl(first.request) : '',
        ...(c.proof.evidence !== undefined ? { evidence: redact.text(c.proof.evidence) } : {}),
        ...(c.proof.payload !== undefined ? { payload: c.proof.payload } : {}),
      },
      remediation: check.meta.remediation,
      ...(c.grouped ? { grouped: true as const } : {}),
      ...(c.locations ? { locations: c.locations.map((l) => ({ ...l, url: input.redact.url(l.url) })) } : {}),
    };
    const prior = byFp.get(fp);
    if (!prior) {
      byFp.set(fp, finding);
      continue;
    }
    // Keep the stronger proof and the wider exposure.
    const better = prior.confidence === 'tentative' && finding.confidence === 'confirmed' ? finding : prior;
    const exposureWide = EXPOSURE_RANK[finding.exposure] < EXPOSURE_RANK[prior.exposure] ? finding.exposure : prior.exposure;
    byFp.set(fp, { ...better, exposure: exposureWide });
  }
  return [...byFp.values()];
}

export interface PrioritizeInput {
  findings: readonly Finding[];
  surface: Surface;
  baseline?: { kind: Comparison['baseline']['kind']; ref: string; findings: readonly Finding[]; surface: Surface; audit?: readonly PermissionAudit[] };
  /** This scan's permission audits (compared with the baseline's). */
  audit?: readonly PermissionAudit[];
  rules?: readonly PolicyRule[];
  /** Findings whose fingerprints are accepted risks: kept in the report, not counted by the policy. */
  suppressed?: ReadonlySet<string>;
  /** Apply the stricter profile for AI-influenced changes. */
  aiInfluenced?: { why: string; rules?: readonly PolicyRule[] };
  /** The gate's behaviour comparison (same seeded requests to both deployments). */
  behaviour?: BehaviourDiff;
  /** This scan's tasks and how they ended: a baseline finding is fixed only where its check got a real answer again. */
  tasks?: readonly RetestTask[];
}

export interface Prioritized {
  findings: Finding[];
  comparison?: Comparison;
  verdict: Verdict;
}

const score = (f: Finding): Finding => {
  const riskF = riskFactors(f.severity, f.confidence, f.exposure, f.status);
  return { ...f, riskFactors: riskF, risk: riskScore(riskF) };
};

const rank = (a: Finding, b: Finding): number => b.risk - a.risk || a.fingerprint.localeCompare(b.fingerprint);

export function prioritize(input: PrioritizeInput): Prioritized {
  let findings = [...input.findings];
  let comparison: Comparison | undefined;
  if (input.baseline) {
    const cmp = compareFindings(input.baseline.findings, findings, retestedBy(input.tasks ?? [], input.surface));
    findings = cmp.findings;
    comparison = {
      baseline: { kind: input.baseline.kind, ref: input.baseline.ref },
      findings: cmp.ids,
      fixedFindings: cmp.fixed.map(score).sort(rank),
      notRetestedFindings: cmp.notRetested.map(score).sort(rank),
      surface: diffSurface(input.baseline.surface, input.surface),
      behaviour: input.behaviour ?? { operations: [] },
      permissions: input.baseline.audit && input.audit ? diffPermissions(input.baseline.audit, input.audit) : { identities: [] },
    };
  }
  findings = findings.map(score).sort(rank);
  const counted = input.suppressed ? findings.filter((f) => !input.suppressed!.has(f.fingerprint)) : findings;
  const rules = [...(input.rules ?? DEFAULT_RULES), ...(input.aiInfluenced ? (input.aiInfluenced.rules ?? AI_DEFAULT_RULES) : [])];
  const verdict: Verdict = { ...evaluatePolicy(rules, counted, comparison?.surface, comparison?.permissions, comparison?.behaviour), ...(input.aiInfluenced ? { profile: { name: 'ai-influenced' as const, why: input.aiInfluenced.why } } : {}) };
  return { findings, ...(comparison ? { comparison } : {}), verdict };
}

/** Reads what a saved report offers as a baseline. */
export function baselineFromReport(report: Report, ref: string): NonNullable<PrioritizeInput['baseline']> {
  return { kind: 'report', ref, findings: report.findings, surface: report.surface, ...(report.audit ? { audit: report.audit } : {}) };
}
