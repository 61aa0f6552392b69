// src/prioritize/prioritize.test.ts — fingerprints, risk, baseline comparison and the policy verdict.
import { describe, expect, it } from 'vitest';
import type { Finding, Surface } from '../core/index.js';
import { aiTrailer, applyAccepted, compareFindings, diffSurface, evaluatePolicy, fingerprint, prioritize, retestedBy, riskFactors, riskScore, toCurl, type RetestTask } from './index.js';

const finding = (over: Partial<Finding>): Finding => ({
  fingerprint: 'fp',
  checkId: 'sql-injection',
  title: 'SQL injection',
  family: 'security',
  severity: 'high',
  confidence: 'confirmed',
  operation: { method: 'GET', path: '/a' },
  url: 'http://h/a',
  vulnClass: 'sqli-error',
  exposure: 'anonymous',
  risk: 0,
  riskFactors: riskFactors('high', 'confirmed', 'anonymous', undefined),
  proof: { summary: 's', exchanges: [], reproduce: '' },
  remediation: 'r',
  ...over,
});

const surface = (ops: Array<[string, string, 'none' | 'required']>): Surface => ({
  target: 't',
  warnings: [],
  operations: ops.map(([method, path, auth]) => ({ id: `${method} ${path}`, method, path, params: [], auth, sources: ['spec'] })),
});

describe('fingerprint', () => {
  it('ignores hosts and parameter names in routes, and differs by class and parameter', () => {
    const a = fingerprint({ checkId: 'x', method: 'get', path: '/item/{id}', parameter: 'query:q', vulnClass: 'c' });
    expect(fingerprint({ checkId: 'x', method: 'GET', path: '/item/{itemId}', parameter: 'query:q', vulnClass: 'c' })).toBe(a);
    expect(fingerprint({ checkId: 'x', method: 'GET', path: '/item/{id}', parameter: 'query:r', vulnClass: 'c' })).not.toBe(a);
    expect(fingerprint({ checkId: 'x', method: 'GET', path: '/item/{id}', parameter: 'query:q', vulnClass: 'd' })).not.toBe(a);
  });

  it('leaves the operation out of a grouped finding, and only there', () => {
    const g = fingerprint({ checkId: 'cors', method: 'GET', path: '/api/a', vulnClass: 'c', grouped: true });
    expect(fingerprint({ checkId: 'cors', method: 'POST', path: '/api/b', vulnClass: 'c', grouped: true })).toBe(g);
    expect(fingerprint({ checkId: 'cors', method: 'GET', path: '/api/a', vulnClass: 'c' })).not.toBe(g);
    expect(fingerprint({ checkId: 'cors', method: 'GET', path: '/api/a', vulnClass: 'd', grouped: true })).not.toBe(g);
  });
});

describe('risk', () => {
  it('ranks confirmed anonymous new above tentative privileged persisting', () => {
    const hi = riskScore(riskFactors('high', 'confirmed', 'anonymous', 'new'));
    const lo = riskScore(riskFactors('high', 'tentative', 'privileged', 'persisting'));
    expect(hi).toBe(80);
    expect(lo).toBeLessThan(hi);
  });
});

describe('comparison', () => {
  const all = (): boolean => true;
  it('splits new, persisting and fixed by fingerprint', () => {
    const r = compareFindings([finding({ fingerprint: 'old' }), finding({ fingerprint: 'both' })], [finding({ fingerprint: 'both' }), finding({ fingerprint: 'new' })], all);
    expect(r.ids).toEqual({ new: ['new'], persisting: ['both'], fixed: ['old'], notRetested: [] });
  });

  // Baseline findings gone from the candidate: sql-injection on GET /a/{id}, xss on GET /b, headers target-wide.
  const gone = [
    finding({ fingerprint: 'sqli', checkId: 'sql-injection', operation: { method: 'GET', path: '/a/{id}' } }),
    finding({ fingerprint: 'xss', checkId: 'xss-reflected', operation: { method: 'GET', path: '/b' } }),
    finding({ fingerprint: 'hdr', checkId: 'security-headers', operation: { method: 'GET', path: '/' }, grouped: true }),
  ];
  const cand = surface([['GET', '/a/{x}', 'none'], ['GET', '/b', 'none']]);
  const compare = (tasks: RetestTask[]) => compareFindings(gone, [], retestedBy(tasks, cand));

  it('calls a finding fixed only when its check got a real answer on its route (templates compared loosely)', () => {
    const r = compare([
      { checkId: 'sql-injection', operationId: 'GET /a/{x}', status: 'clean' },
      { checkId: 'xss-reflected', operationId: 'GET /b', status: 'found' },
      { checkId: 'security-headers', status: 'clean' },
    ]);
    expect(r.ids.fixed).toEqual(['sqli', 'xss', 'hdr']);
    expect(r.ids.notRetested).toEqual([]);
    expect(r.fixed.map((f) => f.status)).toEqual(['fixed', 'fixed', 'fixed']);
  });

  it('calls it not re-tested when the check did not run, ran elsewhere, or got no real answer', () => {
    const r = compare([
      // sql-injection ran, but on another route; xss on its route, inconclusive; the headers task was not run.
      { checkId: 'sql-injection', operationId: 'GET /b', status: 'clean' },
      { checkId: 'xss-reflected', operationId: 'GET /b', status: 'inconclusive' },
      { checkId: 'security-headers', status: 'not-run' },
      { checkId: 'bola', operationId: 'GET /a/{x}', status: 'clean' },
    ]);
    expect(r.ids.fixed).toEqual([]);
    expect(r.ids.notRetested).toEqual(['sqli', 'xss', 'hdr']);
    expect(r.notRetested.map((f) => f.status)).toEqual(['not-retested', 'not-retested', 'not-retested']);
  });

  it('treats crashed tasks and a scan with no tasks at all as not re-tested', () => {
    expect(compare([{ checkId: 'sql-injection', operationId: 'GET /a/{x}', status: 'crashed' }]).ids.notRetested).toEqual(['sqli', 'xss', 'hdr']);
    expect(compare([]).ids.fixed).toEqual([]);
  });

  it('lets a target-wide task with a real answer re-test every finding of its check', () => {
    const r = compare([{ checkId: 'sql-injection', status: 'clean' }]);
    expect(r.ids.fixed).toEqual(['sqli']);
    expect(r.ids.notRetested).toEqual(['xss', 'hdr']);
  });

  it('puts not re-tested findings in the comparison, never in the fixed list', () => {
    const p = prioritize({
      findings: [],
      surface: cand,
      baseline: { kind: 'scan', ref: 's0', findings: gone, surface: cand },
      tasks: [{ checkId: 'xss-reflected', operationId: 'GET /b', status: 'clean' }],
    });
    expect(p.comparison?.findings.fixed).toEqual(['xss']);
    expect(p.comparison?.fixedFindings.map((f) => f.fingerprint)).toEqual(['xss']);
    expect(p.comparison?.findings.notRetested?.sort()).toEqual(['hdr', 'sqli']);
    expect(p.comparison?.notRetestedFindings?.map((f) => f.status)).toEqual(['not-retested', 'not-retested']);
  });

  it('diffs the surface, including lost authentication', () => {
    const d = diffSurface(surface([['GET', '/a/{id}', 'required'], ['GET', '/gone', 'none']]), surface([['GET', '/a/{x}', 'none'], ['POST', '/new', 'none']]));
    expect(d).toEqual({ added: ['POST /new'], removed: ['GET /gone'], authChanged: [{ operation: 'GET /a/{x}', from: 'required', to: 'none' }], paramsChanged: [], shadow: [], zombie: [] });
  });
});

describe('policy', () => {
  it('fails on a new confirmed high finding and lists its fingerprint', () => {
    const v = evaluatePolicy(
      [{ id: 'new-confirmed-high', level: 'fail', when: { status: ['new'], confidence: ['confirmed'], severity: ['high'] } }],
      [finding({ fingerprint: 'f1', status: 'new' }), finding({ fingerprint: 'f2', status: 'persisting' })],
    );
    expect(v.pass).toBe(false);
    expect(v.reasons[0]?.fingerprints).toEqual(['f1']);
  });

  it('passes when only warnings fire, and suppressed findings do not count', () => {
    const r = prioritize({ findings: [finding({ fingerprint: 'f1' })], surface: surface([]), suppressed: new Set(['f1']) });
    expect(r.verdict.pass).toBe(true);
    const w = prioritize({ findings: [finding({ fingerprint: 'f1', confidence: 'tentative' })], surface: surface([]) });
    expect(w.verdict.pass).toBe(true);
    expect(w.verdict.reasons.map((x) => x.rule)).toEqual(['tentative-findings']);
  });
});

describe('curl', () => {
  it('quotes shell metacharacters and keeps the path as sent', () => {
    const c = toCurl({ method: 'POST', url: "http://h/a/../b?q=it's", headers: [['content-type', 'application/json'], ['host', 'h']], body: '{"a":"$(x)"}' });
    expect(c).toBe(`curl -i --path-as-is -X POST 'http://h/a/../b?q=it'\\''s' -H 'content-type: application/json' --data-raw '{"a":"$(x)"}'`);
  });
});

describe('AI-influenced changes', () => {
  it('recognizes assistant co-author and AI-Assisted trailers, not ordinary co-authors', () => {
    expect(aiTrailer('Fix login\n\nCo-authored-by: GitHub Copilot <copilot@github.com>')).toContain('Copilot');
    expect(aiTrailer('Add cache\n\nAI-Assisted: true')).toBe('AI-Assisted: true');
    expect(aiTrailer('Refactor\n\nCo-authored-by: Jane Doe <jane@example.com>')).toBeUndefined();
    expect(aiTrailer('AI-Assisted: false')).toBeUndefined();
  });

  it('adds the stricter rules and names the profile', () => {
    const r = prioritize({ findings: [finding({ fingerprint: 'f1', confidence: 'tentative' })], surface: surface([]), aiInfluenced: { why: 'test' } });
    expect(r.verdict.pass).toBe(false);
    expect(r.verdict.profile).toEqual({ name: 'ai-influenced', why: 'test' });
    expect(r.verdict.reasons.find((x) => x.level === 'fail')?.rule).toBe('ai-tentative-high');
  });
});

describe('accepted risks', () => {
  it('suppresses until the expiry date, then the finding counts again', () => {
    const entries = [{ fingerprint: 'f1', reason: 'ticket 1', expires: '2026-12-01' }];
    const before = applyAccepted(entries, [finding({ fingerprint: 'f1' })], new Date('2026-11-30T23:00:00Z'));
    expect([...before.suppressed]).toEqual(['f1']);
    expect(before.accepted[0]).toEqual({ fingerprint: 'f1', reason: 'ticket 1', expires: '2026-12-01', state: 'active', matched: true });
    const after = applyAccepted(entries, [], new Date('2026-12-01T00:00:00Z'));
    expect([...after.suppressed]).toEqual([]);
    expect(after.accepted[0]?.state).toBe('expired');
    expect(after.accepted[0]?.matched).toBe(false);
  });
});
