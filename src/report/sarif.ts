// src/report/sarif.ts — SARIF 2.1.0 for GitHub code scanning: one run, a rule per check, our own fingerprints.
import type * as Sarif from 'sarif';
import type { Finding, HeaderList, ProofExchange, Report, Severity } from '../core/index.js';
import { causesOf, compareText, oneLine, operationLabel, sortFindings, stripControl, truncate, verdictStatus } from './text.js';

export interface SarifOptions {
  /**
   * Repository-relative path of the OpenAPI document; when given, results point at it instead of the
   * `dast/<METHOD>/<route>` pseudo-path.
   */
  specFile?: string;
  /**
   * Line of each operation in `specFile`, keyed by `specLineKey(method, path)` (see spec-lines.ts). When given, a
   * result points at its operation's line, and a finding whose operation is not in the map (found by crawling, a
   * shadow route, target-wide) at its pseudo-path; without it every result points at line 1 of `specFile`.
   */
  specLines?: ReadonlyMap<string, number>;
}

/** The key of an operation in `SarifOptions.specLines`: `GET /api/users/{id}` (method upper-case, no query). */
export const specLineKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.split('?')[0] ?? ''}`;

/** GitHub's `security-severity` scale (a string holding a number). */
export const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '0.0',
};

const SEVERITY_RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** Bodies carried in webRequest/webResponse are cut to keep uploads small; report.json keeps them whole. */
const SARIF_BODY_MAX = 4096;

export const FINGERPRINT_KEY = 'vouchFingerprint/v1';

/**
 * The repository-relative pseudo-path of an operation: `dast/GET/api/users/%7Bid%7D`. Each path segment is
 * percent-encoded where RFC 3986 requires it, so the URI passes the `uri-reference` check of the SARIF schema
 * (GitHub's upload action validates it): `{` and `}` become `%7B`/`%7D`; `.` and `..` segments are encoded so no
 * consumer resolves them. Never an http(s) URI.
 */
export function pseudoPath(method: string, path: string): string {
  const m = encodeSegment(stripControl(method).toUpperCase() || 'UNKNOWN');
  const route = stripControl(path.split('?')[0] ?? '').replace(/^\/+/u, '');
  const segments = route === '' ? ['_root'] : route.split('/').map((s) => (s === '' ? '_' : encodeSegment(s)));
  return ['dast', m, ...segments].join('/');
}

function encodeSegment(s: string): string {
  if (s === '.' || s === '..') return s.replace(/\./gu, '%2E');
  // encodeURIComponent leaves only unreserved characters and !'()*; all of those are valid in a path segment.
  return encodeURIComponent(s);
}

/** Repository-relative URI for a spec file given as a path (backslashes turned into slashes, segments encoded). */
function specUri(specFile: string): string {
  return specFile
    .replace(/\\/gu, '/')
    .replace(/^\.\//u, '')
    .split('/')
    .map((s) => (s === '.' || s === '..' ? s : encodeURIComponent(s)))
    .join('/');
}

/** Remediation text is written by check authors and may use Markdown; only raw HTML is neutralized. */
function noHtml(s: string): string {
  return s.replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function cweNumber(cwe: string | undefined): string | undefined {
  const m = cwe === undefined ? null : /(\d+)/u.exec(cwe);
  return m?.[1];
}

/** `sqli-error` → `SqliError` (the rule's `name`, an identifier). */
function ruleName(checkId: string): string {
  return checkId
    .split(/[^A-Za-z0-9]+/u)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');
}

function level(f: Finding): Sarif.Result.level {
  if (f.confidence === 'tentative' || f.severity === 'info') return 'note';
  if (f.severity === 'critical' || f.severity === 'high') return 'error';
  return 'warning';
}

function headerMap(headers: HeaderList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = stripControl(name).toLowerCase();
    const v = stripControl(value);
    out[key] = out[key] === undefined ? v : `${out[key]}, ${v}`;
  }
  return out;
}

function content(body: string | undefined, encoding: 'utf8' | 'base64' | undefined): Sarif.ArtifactContent | undefined {
  if (body === undefined || body === '') return undefined;
  const cut = truncate(body, SARIF_BODY_MAX);
  const c: Sarif.ArtifactContent = encoding === 'base64' ? { binary: cut } : { text: stripControl(cut) };
  if (cut !== body) c.properties = { truncated: true, length: body.length };
  return c;
}

function webParts(x: ProofExchange): Pick<Sarif.Result, 'webRequest' | 'webResponse'> {
  const req: Sarif.WebRequest = {
    protocol: 'HTTP',
    version: '1.1',
    method: stripControl(x.request.method),
    target: stripControl(x.request.url),
    headers: headerMap(x.request.headers),
  };
  const reqBody = content(x.request.body, x.request.bodyEncoding);
  if (reqBody) req.body = reqBody;
  let res: Sarif.WebResponse;
  if (x.response) {
    res = { protocol: 'HTTP', version: '1.1', statusCode: x.response.status, headers: headerMap(x.response.headers) };
    const resBody = content(x.response.body, x.response.bodyEncoding);
    if (resBody) res.body = resBody;
  } else {
    res = { noResponseReceived: true };
    if (x.error) res.properties = { error: `${x.error.code}: ${stripControl(x.error.message)}` };
  }
  return { webRequest: req, webResponse: res };
}

function rule(checkId: string, findings: Finding[]): Sarif.ReportingDescriptor {
  // Deterministic text for a rule seen with several titles: the most frequent, ties broken by code-unit order.
  const titles = new Map<string, number>();
  for (const f of findings) titles.set(f.title, (titles.get(f.title) ?? 0) + 1);
  const title = [...titles].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]))[0]?.[0] ?? checkId;
  const top = findings.reduce((a, b) => (SEVERITY_RANK[b.severity] > SEVERITY_RANK[a.severity] ? b : a));
  const cwes = [...new Set(findings.map((f) => cweNumber(f.cwe)).filter((c): c is string => c !== undefined))].sort();
  const families = [...new Set(findings.map((f) => f.family))].sort();
  // GitHub lists rules tagged `security` as security alerts (with security-severity); others as plain alerts.
  const security = families.includes('security') || families.includes('authorization') ? ['security'] : [];
  const tags = [...new Set([...security, ...families, ...cwes.map((c) => `external/cwe/cwe-${c}`)])];
  const remediation = oneLine(top.remediation, 2000);
  const cweText = cwes.length > 0 ? ` (${cwes.map((c) => `CWE-${c}`).join(', ')})` : '';
  const owasp = top.owasp === undefined ? '' : ` OWASP: ${oneLine(top.owasp, 100)}.`;
  return {
    id: checkId,
    name: ruleName(checkId) || checkId,
    shortDescription: { text: oneLine(title, 200) },
    fullDescription: { text: `${oneLine(title, 200)}${cweText}: found by vouch check ${checkId} against the running deployment.` },
    help: {
      text: `Remediation: ${remediation}${cweText}${owasp}`,
      markdown: `**Remediation:** ${noHtml(remediation + cweText + owasp)}\n\nvouch check \`${noHtml(checkId)}\`; each result carries the HTTP proof and a curl reproduction.`,
    },
    defaultConfiguration: { level: top.severity === 'critical' || top.severity === 'high' ? 'error' : top.severity === 'info' ? 'note' : 'warning' },
    properties: {
      'security-severity': SECURITY_SEVERITY[top.severity],
      precision: findings.some((f) => f.confidence === 'confirmed') ? 'high' : 'medium',
      tags,
    },
  };
}

/** A result's file and line: the operation in the spec file when it is there, else the pseudo-path. */
function where(f: Finding, options: SarifOptions): { uri: string; line: number } {
  const pseudo = { uri: pseudoPath(f.operation.method, f.operation.path), line: 1 };
  if (options.specFile === undefined) return pseudo;
  if (options.specLines === undefined) return { uri: specUri(options.specFile), line: 1 };
  const line = options.specLines.get(specLineKey(f.operation.method, f.operation.path));
  return line === undefined ? pseudo : { uri: specUri(options.specFile), line };
}

function result(f: Finding, ruleIndex: number, options: SarifOptions): Sarif.Result {
  const op = operationLabel(f);
  const param = f.parameter === undefined ? '' : ` (parameter ${oneLine(f.parameter, 60)})`;
  const { uri, line } = where(f, options);
  const tags = f.confidence === 'tentative' ? [f.family, f.severity, 'tentative'] : [f.family, f.severity];
  const first = f.proof.exchanges[0];
  const r: Sarif.Result = {
    ruleId: f.checkId,
    ruleIndex,
    level: level(f),
    kind: 'fail',
    message: {
      text: `${oneLine(f.title, 200)} at ${op}${param}: ${oneLine(f.proof.summary, 1000)}${f.confidence === 'tentative' ? ' (tentative: not proven)' : ''}`,
    },
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region: { startLine: line } },
        logicalLocations: [{ fullyQualifiedName: op, kind: 'member' }],
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    rank: Math.max(0, Math.min(100, f.risk)),
    ...(first ? webParts(first) : {}),
    properties: {
      confidence: f.confidence,
      exposure: f.exposure,
      ...(f.status === undefined ? {} : { status: f.status }),
      risk: f.risk,
      severity: f.severity,
      family: f.family,
      url: stripControl(f.url),
      reproduce: stripControl(f.proof.reproduce),
      tags,
    },
  };
  if (f.status === 'new') r.baselineState = 'new';
  else if (f.status === 'persisting') r.baselineState = 'unchanged';
  return r;
}

/** Build the SARIF log object (see toSarif for the text). Fixed findings are left out: they are gone. */
export function buildSarif(report: Report, options: SarifOptions = {}): Sarif.Log {
  const findings = sortFindings(report.findings);
  const byCheck = new Map<string, Finding[]>();
  for (const f of findings) byCheck.set(f.checkId, [...(byCheck.get(f.checkId) ?? []), f]);
  const checkIds = [...byCheck.keys()].sort(compareText);
  const rules = checkIds.map((id) => rule(id, byCheck.get(id) ?? []));
  const ruleIndex = new Map(checkIds.map((id, i) => [id, i]));
  const invocation: Sarif.Invocation = {
    executionSuccessful: report.partial === undefined,
    startTimeUtc: report.startedAt,
    endTimeUtc: report.finishedAt,
  };
  const causes = causesOf(report);
  const notes: NonNullable<Sarif.Invocation['toolExecutionNotifications']> = causes.map((c) => ({ level: 'error', message: { text: `Incomplete (${c.cause}): ${oneLine(c.message, 300)}` } }));
  if (report.partial) notes.push({ level: 'warning', message: { text: `Partial scan: ${oneLine(report.partial.reason, 300)}; ${report.partial.notRun} tasks not run.` } });
  if (notes.length > 0) invocation.toolExecutionNotifications = notes;
  const c = report.coverage;
  const run: Sarif.Run = {
    tool: {
      driver: {
        name: 'vouch',
        version: report.tool.version,
        semanticVersion: report.tool.version,
        rules,
      },
    },
    automationDetails: { id: `vouch/${oneLine(report.target.name, 100).replace(/\s/gu, '-')}/` },
    invocations: [invocation],
    results: findings.map((f) => result(f, ruleIndex.get(f.checkId) ?? 0, options)),
    columnKind: 'unicodeCodePoints',
    properties: {
      verdict: verdictStatus(report.verdict),
      ...(causes.length ? { incomplete: causes.map((x) => ({ cause: x.cause, message: stripControl(x.message) })) } : {}),
      ...(c
        ? {
            coverage: {
              ratio: c.ratio,
              minCoverage: c.minCoverage,
              planned: c.planned,
              answered: c.answered,
              byFamily: Object.fromEntries(c.byFamily.map((f) => [f.family, f.ratio])),
              untested: c.untested.map((u) => stripControl(u.operationId)),
            },
          }
        : {}),
      scanId: report.scanId,
      target: { name: stripControl(report.target.name), environment: report.target.environment },
      ...(report.comparison ? { baseline: stripControl(report.comparison.baseline.ref), notRetested: report.comparison.findings.notRetested ?? [] } : {}),
    },
  };
  return { $schema: 'https://json.schemastore.org/sarif-2.1.0.json', version: '2.1.0', runs: [run] };
}

/** SARIF 2.1.0 text for GitHub code scanning (upload with github/codeql-action/upload-sarif). */
export function toSarif(report: Report, options: SarifOptions = {}): string {
  return JSON.stringify(buildSarif(report, options), null, 2) + '\n';
}
