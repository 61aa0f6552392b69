// src/prioritize/prioritize.test.ts — fingerprints, risk, baseline comparison and the policy verdict.
import { describe, expect, it } from 'vitest';
import type { Finding, Surface } from '../core/index.js';
import { aiTrailer, applyAccepted, compareFindings, diffSurface, evaluatePolicy, fingerprint, prioritize, riskFactors, riskScore, toCurl } from './index.js';

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
  it('splits new, persisting and fixed by fingerprint', () => {
    const r = compareFindings([finding({ fingerprint: 'old' }), finding({ fingerprint: 'both' })], [finding({ fingerprint: 'both' }), finding({ fingerprint: 'new' })]);
    expect(r.ids).toEqual({ new: ['new'], persisting: ['both'], fixed: ['old'] });
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
