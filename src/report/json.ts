// src/report/json.ts — report.json: the Report as stable, pretty JSON (findings ranked, keys in contract order).
import type { Report } from '../core/index.js';
import { compareText, sortFindings } from './text.js';

/**
 * Key order for known keys, taken from the declarations in core/types.ts; keys not listed follow alphabetically.
 * Records keyed by data (byStatus, responses) therefore come out sorted, independent of insertion order.
 */
const KEY_ORDER = [
  // Report
  'schemaVersion', 'tool', 'scanId', 'target', 'startedAt', 'finishedAt', 'partial', 'verdict', 'coverage', 'stats',
  'surface', 'findings', 'comparison',
  // Finding
  'fingerprint', 'checkId', 'title', 'family', 'severity', 'confidence', 'cwe', 'owasp', 'operation', 'url',
  'parameter', 'vulnClass', 'exposure', 'status', 'risk', 'riskFactors', 'proof', 'remediation', 'locations',
  'novelty',
  // proof and exchanges
  'summary', 'exchanges', 'reproduce', 'evidence', 'payload', 'id', 'request', 'response', 'error', 'timing',
  'identity', 'method', 'path', 'headers', 'body', 'bodyEncoding', 'truncated', 'notes', 'totalMs', 'headersMs',
  // misc
  'name', 'version', 'environment', 'spec', 'pass', 'reasons', 'incomplete', 'cause', 'rule', 'message', 'fingerprints',
  'level',
  'requests', 'sent', 'refused', 'errors', 'byStatus', 'durationMs', 'checks', 'run',
  // coverage counts, between the existing keys so their order is unchanged
  'ratio', 'minCoverage', 'planned', 'answered', 'inconclusive', 'crashed', 'notRun', 'notRetested',
  'skipped', 'untested', 'byFamily', 'tasks',
  'operationId', 'reason', 'operations', 'warnings', 'params', 'in', 'required', 'schema', 'examples',
  'requestBody', 'responses', 'auth', 'sources', 'baseline', 'kind', 'ref', 'new', 'persisting', 'fixed',
  'notRetested', 'fixedFindings', 'notRetestedFindings', 'added', 'removed', 'authChanged', 'from', 'to', 'behaviour', 'permissions',
] as const;
const RANK = new Map<string, number>(KEY_ORDER.map((k, i) => [k, i]));

function compareKeys(a: string, b: string): number {
  const ra = RANK.get(a) ?? Number.MAX_SAFE_INTEGER;
  const rb = RANK.get(b) ?? Number.MAX_SAFE_INTEGER;
  return ra - rb || compareText(a, b);
}

/** Copy a JSON value with object keys in canonical order. Schemas and examples from specs are data: keys sorted too. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort(compareKeys)) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonical(v);
    }
    return out;
  }
  return value;
}

/** report.json text: findings ranked (risk desc, fingerprint), keys in contract order, two-space indent, final newline. */
export function toJson(report: Report): string {
  const ranked: Report = { ...report, findings: sortFindings(report.findings) };
  if (report.comparison) {
    const c = report.comparison;
    ranked.comparison = { ...c, fixedFindings: sortFindings(c.fixedFindings), ...(c.notRetestedFindings ? { notRetestedFindings: sortFindings(c.notRetestedFindings) } : {}) };
  }
  return JSON.stringify(canonical(ranked), null, 2) + '\n';
}
