// src/report/sarif.test.ts — SARIF validates against the OASIS 2.1.0 schema and meets GitHub code scanning's rules.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type * as Sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { makeLargeReport, makeReport } from './fixture.js';
import { packageRoot } from './schema.js';
import { FINGERPRINT_KEY, pseudoPath, toSarif } from './sarif.js';
import { specLines } from './spec-lines.js';

/**
 * The vendored OASIS schema is draft-04: its root `id` becomes `$id` and `$schema` is dropped so ajv's draft-07
 * validator takes it (draft-04 and draft-07 agree on every keyword this schema uses). Formats are checked in full
 * mode, so `uri-reference` is held to RFC 3986 (stricter than GitHub's upload action, which only warns). One of its
 * patterns (`language`) is not valid with the `u` flag, hence `unicodeRegExp: false`.
 */
function sarifValidator() {
  const raw = JSON.parse(readFileSync(join(packageRoot(), 'test/fixtures/sarif-2.1.0.schema.json'), 'utf8')) as Record<string, unknown>;
  const { $schema: _drop, id, ...rest } = raw;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormatsModule.default(ajv, { mode: 'full' });
  return ajv.compile({ ...rest, $id: String(id) });
}

const validate = sarifValidator();

function parse(text: string): Sarif.Log {
  return JSON.parse(text) as Sarif.Log;
}

/** Every `uri` value anywhere in the log (artifact locations, rules' helpUri, ...). */
function allUris(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) v.forEach((x) => allUris(x, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'uri' || k === 'helpUri') && typeof x === 'string') out.push(x);
      else allUris(x, out);
    }
  }
  return out;
}

describe('toSarif', () => {
  it('validates against the OASIS SARIF 2.1.0 schema (fixture, hostile data, partial, spec file, large)', () => {
    const cases = [
      toSarif(makeReport()),
      toSarif(makeReport({ partial: true })),
      toSarif(makeReport(), { specFile: 'api/open api.yaml' }),
      toSarif(makeLargeReport(300)),
    ];
    for (const text of cases) {
      const ok = validate(JSON.parse(text));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('never uses an http(s) URI as an artifact location', () => {
    const log = parse(toSarif(makeReport()));
    const uris = allUris(log);
    expect(uris.length).toBeGreaterThan(0);
    for (const u of uris) expect(u).not.toMatch(/^[a-z][a-z0-9+.-]*:/iu);
    expect(uris).toContain('dast/GET/api/products/search');
    expect(uris).toContain('dast/GET/api/orders/%7Bid%7D');
    // The hostile route is encoded segment by segment: nothing executable, nothing that escapes the dast/ folder.
    expect(uris).toContain('dast/GET/files/%7Bname%7D%3C/script%3E');
  });

  it('points at the spec file when one is given', () => {
    const log = parse(toSarif(makeReport(), { specFile: './api/openapi.yaml' }));
    expect(new Set(allUris(log))).toEqual(new Set(['api/openapi.yaml']));
  });

  it('has one rule per check present, with GitHub security-severity and tags', () => {
    const run = parse(toSarif(makeReport())).runs[0]!;
    const rules = run.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(['bola', 'security-headers', 'sqli-error', 'verbose-errors', 'xss-reflected']);
    const sqli = rules.find((r) => r.id === 'sqli-error')!;
    expect(sqli.shortDescription?.text).toBe('SQL injection (error based)');
    expect(sqli.help?.text).toContain('parameterized queries');
    expect(sqli.properties?.['security-severity']).toBe('8.0');
    expect(sqli.properties?.['tags']).toEqual(['security', 'external/cwe/cwe-89']);
    expect(rules.find((r) => r.id === 'security-headers')!.properties?.['security-severity']).toBe('3.0');
    expect(rules.find((r) => r.id === 'bola')!.properties?.['tags']).toEqual(['security', 'authorization', 'external/cwe/cwe-639']);
  });

  it('maps levels: error for confirmed high/critical, warning otherwise, note for info and tentative', () => {
    const run = parse(toSarif(makeReport())).runs[0]!;
    const level = Object.fromEntries((run.results ?? []).map((r) => [r.ruleId, r.level]));
    expect(level).toEqual({ 'sqli-error': 'error', bola: 'error', 'verbose-errors': 'warning', 'xss-reflected': 'note', 'security-headers': 'warning' });
    const xss = run.results!.find((r) => r.ruleId === 'xss-reflected')!;
    expect(xss.properties?.['tags']).toContain('tentative');
  });

  it('carries our own fingerprint, proof message, properties and automation id', () => {
    const report = makeReport();
    const run = parse(toSarif(report)).runs[0]!;
    expect(run.automationDetails?.id).toBe('vouch/candidate/');
    const byFp = new Map(report.findings.map((f) => [f.fingerprint, f]));
    for (const r of run.results ?? []) {
      const fp = r.partialFingerprints?.[FINGERPRINT_KEY];
      const f = byFp.get(fp ?? '');
      expect(f).toBeDefined();
      expect(r.ruleId).toBe(f!.checkId);
      expect(r.message.text).toContain(f!.proof.summary.slice(0, 20));
      expect(r.properties).toMatchObject({ confidence: f!.confidence, exposure: f!.exposure, status: f!.status, risk: f!.risk });
    }
    // Fixed findings are not results: GitHub would reopen them.
    expect(run.results).toHaveLength(report.findings.length);
  });

  it('is stable: same output for findings in any order, ruleIds and fingerprints unchanged', () => {
    const a = makeReport();
    const b = makeReport();
    b.findings.reverse();
    expect(toSarif(b)).toBe(toSarif(a));
    const results = parse(toSarif(a)).runs[0]!.results!;
    expect(results.map((r) => `${r.ruleId} ${r.partialFingerprints?.[FINGERPRINT_KEY]}`)).toEqual([
      'sqli-error 3f9a1c0e8b7d6a52',
      'bola d4c3b2a190817263',
      'verbose-errors b80e2f6d19c4a7e3',
      'xss-reflected 7c21d4e9a0b3f815',
      'security-headers 0a1b2c3d4e5f6789',
    ]);
  });

  it('keeps control characters out and cuts proof bodies', () => {
    const text = toSarif(makeReport());
    // JSON escapes of C0 controls other than \n, \r, \t (e.g. \u0000, \u001b) must not appear.
    expect(text).not.toMatch(/\\u00(0[0-8bcef]|1[0-9a-f])/u);
    expect(text.length).toBeLessThan(100_000);
  });

  it('builds pseudo-paths that are valid relative references', () => {
    expect(pseudoPath('get', '/')).toBe('dast/GET/_root');
    expect(pseudoPath('GET', '/a/../b//c?x=1')).toBe('dast/GET/a/%2E%2E/b/_/c');
    expect(pseudoPath('POST', '/ü ber/{id}')).toBe('dast/POST/%C3%BC%20ber/%7Bid%7D');
  });

  it('names the baseline findings not re-tested in the run properties', () => {
    const run = (JSON.parse(toSarif(makeReport())) as Sarif.Log).runs[0]!;
    expect(run.properties?.['notRetested']).toEqual(['f0e1d2c3b4a59687']);
  });
});

describe('toSarif: locations in the spec file', () => {
  /** ruleId → [uri, startLine] of each result. */
  const locations = (text: string): Record<string, [string | undefined, number | undefined]> =>
    Object.fromEntries(
      parse(text).runs[0]!.results!.map((r) => {
        const loc = r.locations![0]!.physicalLocation!;
        return [r.ruleId, [loc.artifactLocation?.uri, loc.region?.startLine]];
      }),
    );
  const yaml = [
    'openapi: 3.1.0',
    'servers: [{ url: /api }]',
    'paths:',
    '  /products/search:',
    '    get: { responses: {} }',
    '  /orders/{id}:',
    '    put: { responses: {} }',
    '    get: { responses: {} }',
    '',
  ].join('\n');

  it('points each result at the line of its operation in a YAML spec; operations not in it keep the pseudo-path', () => {
    const text = toSarif(makeReport(), { specFile: './api/openapi.yaml', specLines: specLines(yaml) });
    expect(validate(JSON.parse(text))).toBe(true);
    expect(locations(text)).toEqual({
      'sqli-error': ['api/openapi.yaml', 5],
      bola: ['api/openapi.yaml', 8],
      // GET /search, a hostile route and the target-wide GET / are not in the document.
      'xss-reflected': ['dast/GET/search', 1],
      'verbose-errors': [pseudoPath('GET', '/files/{name}</script>'), 1],
      'security-headers': ['dast/GET/_root', 1],
    });
  });

  it('reads the lines of a JSON spec the same way', () => {
    const doc = { openapi: '3.0.0', paths: { '/api/orders/{id}': { get: {} }, '/search': { post: {}, get: {} } } };
    const json = JSON.stringify(doc, null, 2);
    /** The 1-based line of the first line matching `re` after line `from`. */
    const at = (re: RegExp, from = 0): number => json.split('\n').findIndex((l, i) => i >= from && re.test(l)) + 1;
    const got = locations(toSarif(makeReport(), { specFile: 'openapi.json', specLines: specLines(json) }));
    expect(got['bola']).toEqual(['openapi.json', at(/"get"/u)]);
    expect(got['xss-reflected']).toEqual(['openapi.json', at(/"get"/u, at(/"\/search"/u))]);
    expect(got['xss-reflected']![1]).toBeGreaterThan(at(/"post"/u));
    expect(got['sqli-error']).toEqual(['dast/GET/api/products/search', 1]);
  });

  it('without lines, every result points at line 1 of the spec file (as before)', () => {
    const got = Object.values(locations(toSarif(makeReport(), { specFile: 'openapi.yaml' })));
    expect(new Set(got.map(([u, l]) => `${u}:${l}`))).toEqual(new Set(['openapi.yaml:1']));
  });
});

describe('toSarif: the incomplete verdict and coverage', () => {
  it('says incomplete in the run properties with the causes and coverage, and an error notification per cause', () => {
    const log = JSON.parse(toSarif(makeReport({ incomplete: true }))) as Sarif.Log;
    const run = log.runs[0]!;
    const props = run.properties as Record<string, unknown>;
    expect(Object.keys(props)[0]).toBe('verdict');
    expect(props['verdict']).toBe('incomplete');
    expect((props['incomplete'] as Array<{ cause: string }>).map((c) => c.cause)).toEqual(['login-failed', 'check-crashed', 'coverage']);
    expect(props['coverage']).toMatchObject({ ratio: 0.7, minCoverage: 0.9, planned: 10, answered: 7, byFamily: { security: 0.857 } });
    expect((props['coverage'] as { untested: string[] }).untested[0]).toBe('POST /api/orders');
    const notes = run.invocations![0]!.toolExecutionNotifications!;
    expect(notes.filter((n) => n.level === 'error').map((n) => n.message.text!.split(':')[0])).toEqual(['Incomplete (login-failed)', 'Incomplete (check-crashed)', 'Incomplete (coverage)']);
  });

  it('a pass has no incomplete property and no notification', () => {
    const r = makeReport();
    r.verdict = { pass: true, status: 'pass', reasons: [] };
    const run = (JSON.parse(toSarif(r)) as Sarif.Log).runs[0]!;
    expect((run.properties as Record<string, unknown>)['verdict']).toBe('pass');
    expect((run.properties as Record<string, unknown>)['incomplete']).toBeUndefined();
    expect(run.invocations![0]!.toolExecutionNotifications).toBeUndefined();
  });
});
