// src/report/fixture.ts — realistic Report fixtures for the writer tests: a candidate-vs-baseline gate with hostile data.
import type {
  Coverage,
  CoverageCounts,
  Family,
  Finding,
  IncompleteCause,
  ProofExchange,
  Report,
  Severity,
  SkippedTask,
  TaskRecord,
} from '../core/index.js';

const CANDIDATE = 'http://127.0.0.1:4100';
const BASELINE = 'http://127.0.0.1:4000';
const T0 = Date.UTC(2026, 10, 20, 9, 30, 0);

/** Strings a hostile target could put anywhere: markup, script breakers, control characters, line separators. */
export const HOSTILE = {
  script: '<script>alert(1)</script>',
  attr: '"><img src=x onerror=alert(1)>',
  close: '</script>',
  controls: '\u0000\u001b[31m',
  lineSep: '\u2028',
} as const;

/** Size of the hostile finding's response body (300 kB). */
export const BIG_BODY_SIZE = 300_000;

function exchange(
  id: string,
  identity: string,
  req: ProofExchange['request'],
  res: ProofExchange['response'] | undefined,
  offsetMs: number,
  totalMs: number,
): ProofExchange {
  const x: ProofExchange = { id, request: req, timing: { startedAt: T0 + offsetMs, totalMs, headersMs: Math.max(1, totalMs - 2) }, identity };
  if (res !== undefined) x.response = res;
  return x;
}

function sqlInjection(): Finding {
  const url = `${CANDIDATE}/api/products/search?q=%27`;
  return {
    fingerprint: '3f9a1c0e8b7d6a52',
    checkId: 'sqli-error',
    title: 'SQL injection (error based)',
    family: 'security',
    severity: 'high',
    confidence: 'confirmed',
    cwe: 'CWE-89',
    owasp: 'A03:2021-Injection',
    operation: { method: 'GET', path: '/api/products/search' },
    url,
    parameter: 'q',
    vulnClass: 'sqli-error',
    exposure: 'anonymous',
    status: 'new',
    risk: 88,
    riskFactors: { severity: 0.8, confidence: 1, exposure: 1, novelty: 1.1 },
    proof: {
      summary: "q=' returned HTTP 500 with a SQLite syntax error; q='' (balanced) returned 200 with results",
      exchanges: [
        exchange(
          'x-101',
          'anonymous',
          { method: 'GET', url, headers: [['accept', 'application/json'], ['user-agent', 'vouch/0.1.0']] },
          {
            status: 500,
            headers: [['content-type', 'application/json'], ['x-powered-by', 'Express']],
            body: '{"error":"SQLITE_ERROR: unrecognized token: \\"\'\\"","query":"SELECT * FROM products WHERE name LIKE \'%\'%\'"}',
          },
          0,
          14,
        ),
        exchange(
          'x-102',
          'anonymous',
          { method: 'GET', url: `${CANDIDATE}/api/products/search?q=%27%27`, headers: [['accept', 'application/json']] },
          { status: 200, headers: [['content-type', 'application/json']], body: '{"items":[]}' },
          20,
          9,
        ),
      ],
      reproduce: `curl -i '${url}'`,
      evidence: 'SQLITE_ERROR: unrecognized token',
      payload: "'",
    },
    remediation: 'Use parameterized queries (placeholders) for every value that reaches SQL; never concatenate input.',
    locations: [{ method: 'GET', path: '/api/products', url: `${CANDIDATE}/api/products?sort=%27`, parameter: 'sort' }],
  };
}

function tentativeXss(): Finding {
  const url = `${CANDIDATE}/search?term=%3Csvg%2Fonload%3Dvouch()%3E`;
  return {
    fingerprint: '7c21d4e9a0b3f815',
    checkId: 'xss-reflected',
    title: 'Reflected cross-site scripting',
    family: 'security',
    severity: 'medium',
    confidence: 'tentative',
    cwe: 'CWE-79',
    owasp: 'A03:2021-Injection',
    operation: { method: 'GET', path: '/search' },
    url,
    parameter: 'term',
    vulnClass: 'xss-reflected',
    exposure: 'anonymous',
    status: 'new',
    risk: 41,
    riskFactors: { severity: 0.55, confidence: 0.5, exposure: 1, novelty: 1.1 },
    proof: {
      summary: 'The payload is reflected unencoded in an HTML body, but it did not execute in Chromium (the page sets a CSP)',
      exchanges: [
        exchange(
          'x-201',
          'anonymous',
          { method: 'GET', url, headers: [['accept', 'text/html']] },
          {
            status: 200,
            headers: [['content-type', 'text/html; charset=utf-8'], ['content-security-policy', "script-src 'self'"]],
            body: '<html><body><p>No results for <svg/onload=vouch()></p></body></html>',
          },
          100,
          6,
        ),
      ],
      reproduce: `curl -i '${url}'`,
      evidence: '<svg/onload=vouch()>',
      payload: '<svg/onload=vouch()>',
    },
    remediation: 'Encode output for its HTML context (use the template engine’s auto-escaping); keep the CSP.',
  };
}

/** A finding whose every target-supplied field is hostile. */
function hostileFinding(): Finding {
  const { script, attr, close, controls, lineSep } = HOSTILE;
  const url = `${CANDIDATE}/files/${script}?name=${attr}`;
  const bigBody = `<html><body>${script}${close}${attr}${controls}${lineSep}` + 'A'.repeat(BIG_BODY_SIZE);
  return {
    fingerprint: 'b80e2f6d19c4a7e3',
    checkId: 'verbose-errors',
    title: `Stack trace leaked by ${script} ${attr}`,
    family: 'security',
    severity: 'medium',
    confidence: 'confirmed',
    cwe: 'CWE-209',
    operation: { method: 'GET', path: `/files/{name}${close}` },
    url,
    parameter: `name${attr}${controls}`,
    vulnClass: 'stack-trace',
    exposure: 'authenticated',
    status: 'new',
    risk: 52,
    riskFactors: { severity: 0.55, confidence: 1, exposure: 0.8, novelty: 1.1 },
    proof: {
      summary: `Response contains a stack trace: ${script}${controls}${lineSep}at Object.<anonymous> ${close}`,
      exchanges: [
        exchange(
          'x-301',
          'alice',
          {
            method: 'POST',
            url,
            headers: [['x-evil', `${script}${controls}`], ['cookie', `s=${attr}`], ['content-type', 'text/plain']],
            body: `${close}${script}${lineSep}\u2029`,
          },
          {
            status: 500,
            headers: [['content-type', 'text/html'], ['x-debug', `${close}<img src=x onerror=alert(2)>`], ['set-cookie', `a=${controls}`]],
            body: bigBody,
            truncated: true,
            notes: [`decompression stopped at the cap ${script}`],
          },
          200,
          31,
        ),
        exchange(
          'x-302',
          'alice',
          { method: 'GET', url: `${CANDIDATE}/files/binary`, headers: [], body: 'AAEC/w==', bodyEncoding: 'base64' },
          { status: 200, headers: [['content-type', 'application/octet-stream']], body: '3q2+7w==', bodyEncoding: 'base64' },
          240,
          4,
        ),
        {
          id: 'x-303',
          request: { method: 'GET', url: `${CANDIDATE}/files/${script}`, headers: [] },
          error: { code: 'VOUCH_REQUEST_FAILED', message: `socket hang up ${script}` },
          timing: { startedAt: T0 + 260, totalMs: 5000 },
          identity: 'alice',
        },
      ],
      reproduce: `curl -i -X POST -H 'x-evil: ${script}' '${url}' --data-binary '${close}'`,
      evidence: `at Object.<anonymous> (/srv/app/${script}.js:12:3)${controls}`,
      payload: attr,
    },
    remediation: `Return a generic error page; log details server-side. ${close}`,
  };
}

function bola(): Finding {
  const url = `${CANDIDATE}/api/orders/1001`;
  return {
    fingerprint: 'd4c3b2a190817263',
    checkId: 'bola',
    title: 'Object readable by another user (BOLA)',
    family: 'authorization',
    severity: 'high',
    confidence: 'confirmed',
    cwe: 'CWE-639',
    owasp: 'API1:2023-Broken Object Level Authorization',
    operation: { method: 'GET', path: '/api/orders/{id}' },
    url,
    vulnClass: 'bola-read',
    exposure: 'authenticated',
    status: 'new',
    risk: 80,
    riskFactors: { severity: 0.8, confidence: 1, exposure: 0.9, novelty: 1.1 },
    proof: {
      summary: "bob read alice's order 1001 (200, same body as alice's own read); anonymous got 401",
      exchanges: [
        exchange('x-401', 'bob', { method: 'GET', url, headers: [['authorization', 'Bearer [redacted]']] }, { status: 200, headers: [['content-type', 'application/json']], body: '{"id":1001,"owner":"alice","total":42}' }, 300, 7),
        exchange('x-402', 'alice', { method: 'GET', url, headers: [['authorization', 'Bearer [redacted]']] }, { status: 200, headers: [['content-type', 'application/json']], body: '{"id":1001,"owner":"alice","total":42}' }, 310, 6),
      ],
      reproduce: `curl -i -H 'authorization: Bearer $BOB_TOKEN' '${url}'`,
    },
    remediation: 'Check that the signed-in user owns (or may read) the object on every request, not only in the UI.',
  };
}

function missingHeader(): Finding {
  return {
    fingerprint: '0a1b2c3d4e5f6789',
    checkId: 'security-headers',
    title: 'Content-Security-Policy header missing',
    family: 'security',
    severity: 'low',
    confidence: 'confirmed',
    cwe: 'CWE-693',
    operation: { method: 'GET', path: '/' },
    url: `${CANDIDATE}/`,
    vulnClass: 'missing-header:content-security-policy',
    exposure: 'anonymous',
    status: 'persisting',
    risk: 12,
    riskFactors: { severity: 0.3, confidence: 1, exposure: 1, novelty: 0.4 },
    proof: {
      summary: 'GET / answered 200 text/html without a Content-Security-Policy header',
      exchanges: [exchange('x-501', 'anonymous', { method: 'GET', url: `${CANDIDATE}/`, headers: [] }, { status: 200, headers: [['content-type', 'text/html']], body: '<!doctype html><title>shop</title>' }, 400, 3)],
      reproduce: `curl -i '${CANDIDATE}/'`,
    },
    remediation: "Send a Content-Security-Policy header, e.g. `default-src 'self'`.",
  };
}

/** A baseline finding whose check got no answer in the candidate: not re-tested, so not fixed. */
function notRetestedSqli(): Finding {
  const f = fixedTraversal();
  return {
    ...f,
    fingerprint: 'f0e1d2c3b4a59687',
    checkId: 'sqli-time',
    title: 'Time-based SQL injection',
    operation: { method: 'GET', path: '/api/products/search' },
    url: `${BASELINE}/api/products/search?q=1`,
    parameter: 'q',
    vulnClass: 'sqli-time',
    status: 'not-retested',
    risk: 56,
    riskFactors: { severity: 0.8, confidence: 1, exposure: 1, novelty: 0.7 },
  };
}

function fixedTraversal(): Finding {
  const url = `${BASELINE}/download?file=..%2F..%2Fetc%2Fpasswd`;
  return {
    fingerprint: 'e5f6a7b8c9d00112',
    checkId: 'path-traversal',
    title: 'Path traversal in file download',
    family: 'security',
    severity: 'high',
    confidence: 'confirmed',
    cwe: 'CWE-22',
    owasp: 'A01:2021-Broken Access Control',
    operation: { method: 'GET', path: '/download' },
    url,
    parameter: 'file',
    vulnClass: 'path-traversal',
    exposure: 'anonymous',
    status: 'fixed',
    risk: 85,
    riskFactors: { severity: 0.8, confidence: 1, exposure: 1, novelty: 1 },
    proof: {
      summary: 'file=../../etc/passwd returned the contents of /etc/passwd (root:x:0:0)',
      exchanges: [exchange('b-101', 'anonymous', { method: 'GET', url, headers: [] }, { status: 200, headers: [['content-type', 'text/plain']], body: 'root:x:0:0:root:/root:/bin/bash\n' }, 0, 5)],
      reproduce: `curl -i '${url}'`,
      evidence: 'root:x:0:0',
      payload: '../../etc/passwd',
    },
    remediation: 'Resolve the requested name against an allow-list or a fixed directory and reject anything that leaves it.',
  };
}

function tasks(): TaskRecord[] {
  return [
    { checkId: 'sqli-error', operationId: 'GET /api/products/search', identity: 'anonymous', status: 'found' },
    { checkId: 'sqli-error', operationId: 'GET /api/orders/{id}', identity: 'alice', status: 'clean' },
    { checkId: 'xss-reflected', operationId: 'GET /search', identity: 'anonymous', status: 'found' },
    { checkId: 'verbose-errors', operationId: `GET /files/{name}${HOSTILE.close}`, identity: 'alice', status: 'found' },
    { checkId: 'bola', operationId: 'GET /api/orders/{id}', identity: 'bob', status: 'found' },
    { checkId: 'security-headers', identity: 'anonymous', status: 'found' },
    { checkId: 'path-traversal', operationId: 'GET /download', identity: 'anonymous', status: 'clean' },
    { checkId: 'sqli-time', operationId: 'GET /api/products/search', identity: 'anonymous', status: 'inconclusive', reason: 'target timed out on the control request' },
    { checkId: 'server-errors', operationId: 'POST /api/orders', identity: 'alice', status: 'crashed', reason: `TypeError: cannot read properties of undefined ${HOSTILE.script}` },
    { checkId: 'response-schema', operationId: 'GET /api/products', identity: 'anonymous', status: 'not-run', reason: 'request budget spent' },
  ];
}

function skipped(): SkippedTask[] {
  return [
    { checkId: 'xss-dom', reason: 'Chromium is not installed' },
    { checkId: 'sqli-time', operationId: 'DELETE /api/orders/{id}', identity: 'alice', reason: 'safe mode: destructive method' },
  ];
}

const counts = (planned: number, answered: number, more: Partial<CoverageCounts> = {}): CoverageCounts => ({
  planned,
  answered,
  inconclusive: 0,
  crashed: 0,
  notRun: 0,
  skipped: 0,
  ratio: planned === 0 ? 1 : Math.round((answered / planned) * 1000) / 1000,
  ...more,
});

/** Coverage as prioritize/completeness.ts derives it from tasks(), skipped() and the surface below. */
function coverage(): Coverage {
  const crash = `check server-errors crashed: TypeError: cannot read properties of undefined ${HOSTILE.script}`;
  return {
    ...counts(10, 7, { inconclusive: 1, crashed: 1, notRun: 1, skipped: 2 }),
    minCoverage: 0.9,
    byFamily: [
      { family: 'authorization', ...counts(1, 1) },
      { family: 'conformance', ...counts(1, 0, { notRun: 1 }) },
      { family: 'reliability', ...counts(1, 0, { crashed: 1 }) },
      { family: 'security', ...counts(7, 6, { inconclusive: 1, skipped: 2 }) },
    ],
    untested: [
      { operationId: 'POST /api/orders', reason: `crashed: ${crash}` },
      { operationId: 'GET /api/debug/env', reason: 'no check applies' },
      { operationId: 'GET /api/products', reason: 'not-run: request budget spent' },
      { operationId: 'DELETE /api/orders/{id}', reason: 'skipped: safe mode: destructive method' },
    ],
    operations: [
      { operationId: 'GET /api/products/search', ...counts(2, 1, { inconclusive: 1 }) },
      { operationId: 'POST /api/orders', ...counts(1, 0, { crashed: 1 }) },
      { operationId: 'GET /api/debug/env', ...counts(0, 0) },
      { operationId: 'GET /api/orders/{id}', ...counts(2, 2) },
      { operationId: 'GET /search', ...counts(1, 1) },
      { operationId: `GET /files/{name}${HOSTILE.close}`, ...counts(1, 1) },
      { operationId: '*', ...counts(1, 1, { skipped: 1 }) },
      { operationId: 'GET /download', ...counts(1, 1) },
      { operationId: 'GET /api/products', ...counts(1, 0, { notRun: 1 }) },
      { operationId: 'DELETE /api/orders/{id}', ...counts(0, 0, { skipped: 1 }) },
    ],
    gaps: [
      { operationId: 'GET /api/products/search', checkId: 'sqli-time', identity: 'anonymous', status: 'inconclusive', reason: 'target timed out on the control request' },
      { operationId: 'POST /api/orders', checkId: 'server-errors', identity: 'alice', status: 'crashed', reason: crash },
      { operationId: 'GET /api/products', checkId: 'response-schema', identity: 'anonymous', status: 'not-run', reason: 'request budget spent' },
      { checkId: 'xss-dom', status: 'skipped', reason: 'Chromium is not installed' },
      { operationId: 'DELETE /api/orders/{id}', checkId: 'sqli-time', identity: 'alice', status: 'skipped', reason: 'safe mode: destructive method' },
    ],
  };
}

/** The causes of an incomplete verdict the fixture's tasks and coverage give (kept under its FAIL, which wins). */
function causes(): IncompleteCause[] {
  return [
    { cause: 'login-failed', identity: 'carol', message: `identity carol could not log in (login http://127.0.0.1:4100/api/login answered 401 ${HOSTILE.close}); its tasks were skipped. Fix its login in vouch.yaml` },
    { cause: 'check-crashed', checkId: 'server-errors', tasks: 1, message: `check server-errors crashed: TypeError: cannot read properties of undefined ${HOSTILE.script}; a vouch bug: please report it` },
    { cause: 'coverage', message: '7 of 10 planned tasks got a real answer (70%, policy.minCoverage 90%): 1 inconclusive, 1 crashed, 1 not run' },
  ];
}

/**
 * The main fixture: candidate vs baseline, verdict FAIL (with the incomplete causes its tasks give). `partial` adds a
 * partial-scan marker; `incomplete` drops the failing rule, so the verdict is INCOMPLETE.
 */
export function makeReport(options: { partial?: boolean; incomplete?: boolean } = {}): Report {
  const findings = [missingHeader(), hostileFinding(), tentativeXss(), sqlInjection(), bola()];
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'vouch', version: '0.1.0' },
    scanId: '01JD7Y3K9Q8ZB5N6X4W2V1T0SR',
    target: { name: 'candidate', url: CANDIDATE, environment: 'preview', spec: 'lab/openapi.yaml' },
    startedAt: new Date(T0).toISOString(),
    finishedAt: new Date(T0 + 42_500).toISOString(),
    stats: {
      requests: { sent: 1234, refused: 3, byStatus: { '200': 1001, '401': 120, '404': 90, '500': 23 }, errors: 2 },
      durationMs: 42_500,
      checks: {
        run: [
          { checkId: 'sqli-error', tasks: 2, found: 1, clean: 1, inconclusive: 0, crashed: 0, notRun: 0 },
          { checkId: 'server-errors', tasks: 1, found: 0, clean: 0, inconclusive: 0, crashed: 1, notRun: 0 },
        ],
        skipped: skipped(),
      },
      tasks: tasks(),
    },
    surface: {
      target: CANDIDATE,
      operations: [
        {
          id: 'GET /api/products/search',
          method: 'GET',
          path: '/api/products/search',
          params: [{ name: 'q', in: 'query', required: true, schema: { type: 'string' }, examples: ['lamp'] }],
          responses: { '200': { contentType: 'application/json', schema: { type: 'object' } } },
          auth: 'none',
          sources: ['spec', 'spa'],
          tags: ['products'],
          summary: 'Search products',
        },
        {
          id: 'POST /api/orders',
          method: 'POST',
          path: '/api/orders',
          params: [],
          requestBody: { contentType: 'application/json', schema: { type: 'object' }, example: { productId: 1 } },
          auth: 'required',
          sources: ['spec'],
        },
        { id: 'GET /api/debug/env', method: 'GET', path: '/api/debug/env', params: [], auth: 'unknown', sources: ['shadow'] },
      ],
      warnings: [`could not parse link ${HOSTILE.attr}`],
      spec: { location: 'lab/openapi.yaml', version: '3.1.0' },
    },
    findings,
    comparison: {
      baseline: { kind: 'url', ref: BASELINE },
      findings: {
        new: ['3f9a1c0e8b7d6a52', '7c21d4e9a0b3f815', 'b80e2f6d19c4a7e3', 'd4c3b2a190817263'],
        persisting: ['0a1b2c3d4e5f6789'],
        fixed: ['e5f6a7b8c9d00112'],
        notRetested: ['f0e1d2c3b4a59687'],
      },
      fixedFindings: [fixedTraversal()],
      notRetestedFindings: [notRetestedSqli()],
      surface: {
        added: ['GET /api/debug/env', `GET /files/{name}${HOSTILE.close}`],
        removed: ['GET /api/legacy/export'],
        authChanged: [{ operation: 'GET /api/orders/{id}', from: 'required', to: 'none' }],
      },
      behaviour: {
        seed: 1,
        operations: [
          {
            operation: 'GET /api/products/search',
            baseline: { statuses: { '200': 20 }, latency: { samples: 20, p50: 31, p95: 40, p99: 44 } },
            candidate: { statuses: { '200': 20 }, latency: { samples: 20, p50: 33, p95: 45, p99: 52 } },
            statusChanges: [],
            schemaChanges: [],
            latency: { test: 'mann-whitney', pValue: 0.41, effect: 1.06, regression: false },
          },
        ],
      },
      permissions: { identities: [{ identity: 'agent', gained: ['DELETE /api/products/{id}'], lost: [] }] },
    },
    coverage: coverage(),
    verdict: {
      pass: false,
      status: 'fail',
      reasons: [
        {
          rule: 'block-new-confirmed-high',
          message: '2 new confirmed findings of severity high or above',
          fingerprints: ['3f9a1c0e8b7d6a52', 'd4c3b2a190817263'],
          level: 'fail',
        },
        { rule: 'warn-new-tentative', message: '1 new tentative finding', fingerprints: ['7c21d4e9a0b3f815'], level: 'warn' },
      ],
      incomplete: causes(),
    },
  };
  if (options.partial) report.partial = { reason: 'request budget spent', notRun: 17 };
  if (options.incomplete) report.verdict = { pass: false, status: 'incomplete', reasons: report.verdict.reasons.filter((r) => r.level !== 'fail'), incomplete: causes() };
  return report;
}

const SEVERITY_CYCLE: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
const FAMILY_CYCLE: Family[] = ['security', 'conformance', 'reliability', 'authorization'];

/** A report with `n` findings (variations of the SQL injection finding, with 4 kB bodies) and a task per finding. */
export function makeLargeReport(n: number): Report {
  const report = makeReport();
  const base = sqlInjection();
  const findings: Finding[] = [];
  const newFps: string[] = [];
  const taskRecords: TaskRecord[] = [];
  for (let i = 0; i < n; i++) {
    const fingerprint = `fp${i.toString(16).padStart(14, '0')}`;
    const checkId = `check-${i % 37}`;
    const path = `/api/items/${i}/{id}`;
    const f: Finding = {
      ...base,
      fingerprint,
      checkId,
      title: `Problem number ${i} with a | pipe, a <tag> and \`code\``,
      family: FAMILY_CYCLE[i % FAMILY_CYCLE.length] ?? 'security',
      severity: SEVERITY_CYCLE[i % SEVERITY_CYCLE.length] ?? 'high',
      confidence: i % 7 === 0 ? 'tentative' : 'confirmed',
      operation: { method: 'GET', path },
      url: `${CANDIDATE}/api/items/${i}/1`,
      risk: (i * 37) % 101,
      status: 'new',
      proof: {
        ...base.proof,
        summary: `Finding ${i}: `.padEnd(300, 'x'),
        exchanges: base.proof.exchanges.map((x) => ({ ...x, response: { status: 500, headers: [['content-type', 'text/plain']], body: 'e'.repeat(4096) } })),
      },
    };
    findings.push(f);
    newFps.push(fingerprint);
    taskRecords.push({ checkId, operationId: `GET ${path}`, identity: 'anonymous', status: 'found' });
  }
  report.findings = findings;
  report.stats.tasks = taskRecords;
  if (report.comparison) report.comparison.findings = { ...report.comparison.findings, new: newFps, persisting: [] };
  report.verdict = { pass: false, status: 'fail', reasons: [{ rule: 'block-new-confirmed-high', message: `${n} new findings`, fingerprints: newFps.slice(0, 50), level: 'fail' }] };
  return report;
}
