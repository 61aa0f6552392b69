// test/bench/targets-score.test.ts — the targets bench's scoring (bench/targets/score.mjs): a report and a ground truth
// in, confirmed / tentative / missed entries and the confirmed findings outside the ground truth out.
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module of the bench (no types)
import { outsideWrites, routeMatches, scoreGate, scoreSurface, scoreVouch, scoreWapiti, wapitiFindings, whyMissed } from '../../bench/targets/score.mjs';

const truth = {
  entries: [
    { id: 'sqli', class: 'sqli', variant: 'low', dast: true, match: { checks: ['sql-injection'], path: '^/sqli/$' } },
    { id: 'redirect', class: 'open-redirect', variant: 'both', dast: true, match: { checks: ['open-redirect'], path: '^/go/' } },
    { id: 'jwt-none', class: 'jwt', dast: true, match: { checks: ['jwt-weakness'], path: '.*', text: 'alg "none"' } },
    { id: 'logic', class: 'business-logic', variant: 'low', dast: false, match: { checks: [], path: '^/x$' } },
    { id: 'secure-only', class: 'sqli', variant: 'impossible', dast: true, match: { checks: ['sql-injection'], path: '^/only-secure$' } },
  ],
  extra: [{ checkId: 'security-headers', path: '.*', verdict: 'true-problem', why: 'no CSP' }],
};

const finding = (checkId: string, path: string, confidence: string, more: Record<string, unknown> = {}) => ({
  checkId, confidence, fingerprint: `${checkId}${path}`, title: '', operation: { method: 'GET', path }, url: `http://127.0.0.1${path}`, proof: { summary: '' }, ...more,
});

describe('scoreVouch', () => {
  it('counts an entry confirmed, tentative or missed by the best matching finding, per variant', () => {
    const report = {
      findings: [
        finding('sql-injection', '/sqli/', 'tentative'),
        finding('sql-injection', '/sqli/', 'confirmed'),
        finding('open-redirect', '/go/there', 'tentative'),
        finding('jwt-weakness', '/api/me', 'confirmed', { title: 'JWT signature not verified' }),
      ],
    };
    const s = scoreVouch(report, truth, { variant: 'low' });
    const state = Object.fromEntries(s.entries.map((e: { id: string; state: string }) => [e.id, e.state]));
    expect(state).toEqual({ sqli: 'confirmed', redirect: 'tentative', 'jwt-none': 'missed', logic: 'n/a' });
    expect([s.confirmed, s.tentative, s.missed, s.dastTestable]).toEqual([1, 1, 1, 3]);
    // the jwt finding proves another kind than the entry's text: outside, and not examined
    expect(s.outside.map((o: { checkId: string }) => o.checkId)).toEqual(['jwt-weakness']);
    expect(s.unexamined).toBe(1);
  });

  it('matches a finding through its other locations and marks examined extras', () => {
    const report = {
      findings: [
        finding('open-redirect', '/elsewhere', 'confirmed', { locations: [{ method: 'GET', path: '/go/a', url: 'http://127.0.0.1/go/a' }] }),
        finding('security-headers', '/', 'confirmed'),
      ],
    };
    const s = scoreVouch(report, truth, { variant: 'impossible' });
    expect(s.entries.find((e: { id: string }) => e.id === 'redirect').state).toBe('confirmed');
    expect(s.entries.some((e: { id: string }) => e.id === 'sqli')).toBe(false);
    expect(s.outside).toHaveLength(1);
    expect(s.outside[0].examined.verdict).toBe('true-problem');
    expect(s.unexamined).toBe(0);
  });
});

describe('scoreGate', () => {
  it('separates low-only entries reported new from new findings present at the secure level', () => {
    const report = {
      verdict: { pass: false, reasons: [] },
      findings: [
        finding('sql-injection', '/sqli/', 'confirmed', { status: 'new' }),
        finding('open-redirect', '/go/x', 'confirmed', { status: 'new' }),
        finding('open-redirect', '/go/y', 'confirmed', { status: 'persisting' }),
      ],
    };
    const g = scoreGate(report, truth);
    expect(g.verdict).toBe('fail');
    expect(g.newFindings).toBe(2);
    expect(g.lowOnlyReportedNew).toEqual(['sqli']);
    expect(g.wronglyNew).toEqual(['open-redirect GET /go/x']);
  });
});

describe('wapiti', () => {
  it('maps categories to classes and scores them like vouch findings', () => {
    const json = {
      vulnerabilities: {
        'SQL Injection': [{ method: 'GET', path: '/sqli/', parameter: 'id', info: 'SQL Injection (DBMS: MySQL)' }],
        'Open Redirect': [],
        'Path Traversal': [{ method: 'GET', path: '/fi/', parameter: 'page', info: 'Remote inclusion' }],
      },
    };
    const found = wapitiFindings(json, { 'SQL Injection': ['sqli'], 'Path Traversal': ['path-traversal'] });
    expect(found[1].classes).toEqual(['path-traversal', 'rfi']);
    const s = scoreWapiti(found, truth, { variant: 'low' });
    expect(s.confirmed).toBe(1);
    expect(s.outside.map((o: { path: string }) => o.path)).toEqual(['/fi/']);
  });
});

describe('whyMissed', () => {
  it('says whether the class has no check, the operation was not found, or what the check did there', () => {
    const report = {
      findings: [finding('open-redirect', '/go/x', 'tentative', { proof: { summary: 'x → 302 (not confirmed: the replay did not redirect)' } })],
      surface: { operations: [{ id: 'GET /sqli/', method: 'GET', path: '/sqli/' }] },
      stats: {
        tasks: [{ checkId: 'sql-injection', status: 'inconclusive', operationId: 'GET /sqli/', reason: 'no answer' }],
        checks: { skipped: [] },
      },
    };
    const [sqli, redirect, , logic, secure] = truth.entries;
    expect(whyMissed(sqli, report)).toBe('sql-injection: inconclusive: no answer');
    expect(whyMissed(redirect, report)).toBe('tentative — the replay did not redirect');
    expect(whyMissed(logic, report)).toBe('no check for this class');
    expect(whyMissed(secure, report)).toBe('operation not discovered');
  });
});

describe('scoreSurface and outsideWrites (issue 17 figures)', () => {
  it('matches routes by method and template, concrete crawled paths and DVWA index pages included', () => {
    expect(routeMatches('GET /menu/{item_id}', { method: 'GET', path: '/menu/{id}' })).toBe(true);
    expect(routeMatches('GET /menu/{item_id}', { method: 'GET', path: '/menu/7' })).toBe(true);
    expect(routeMatches('GET /menu/{item_id}', { method: 'DELETE', path: '/menu/7' })).toBe(false);
    expect(routeMatches('GET /menu/{item_id}', { method: 'GET', path: '/menu/7/extra' })).toBe(false);
    expect(routeMatches('ANY /vulnerabilities/sqli/', { method: 'POST', path: '/vulnerabilities/sqli/index.php' })).toBe(true);
    expect(routeMatches('ANY /vulnerabilities/sqli/', { method: 'GET', path: '/vulnerabilities/sqli_blind/' })).toBe(false);
  });

  it('gives the share of real routes found, by source, and the identities that lost their session', () => {
    const report = {
      surface: { operations: [
        { method: 'GET', path: '/menu', sources: ['spec', 'html'] },
        { method: 'GET', path: '/menu/{id}', sources: ['spec'] },
        { method: 'GET', path: '/static/app.js', sources: ['html'] },
      ] },
      verdict: { incomplete: [{ cause: 'session-lost', identity: 'bob', message: '' }] },
    };
    const s = scoreSurface(report, { routes: ['GET /menu', 'GET /menu/{item_id}', 'POST /orders'] }, ['alice', 'bob']);
    expect([s.routesFound, s.routes, s.missing]).toEqual([2, 3, ['POST /orders']]);
    expect(s.bySource).toEqual({ spec: { operations: 2, routes: 2 }, html: { operations: 2, routes: 1 } });
    expect([s.signedIn, s.lost]).toEqual([['alice'], ['bob']]);
  });

  it('counts 2xx deletes, dangerous names and modifications outside the objects vouch created; logins and refusals not', () => {
    const line = (method: string, path: string, status: number, checkId?: string) => ({ outcome: 'sent', method, url: `http://127.0.0.1:1${path}`, status, ...(checkId ? { checkId } : {}) });
    const w = outsideWrites([
      line('DELETE', '/menu/1', 204, 'command-injection'),
      line('DELETE', '/notes/77', 204, 'use-after-delete'),
      line('POST', '/setup.php', 200, 'sql-injection'),
      line('POST', '/reset-password', 200, 'sql-injection'),
      line('PATCH', '/profile', 200, 'xss-stored'),
      line('DELETE', '/menu/2', 403, 'bola'),
      line('POST', '/token', 200),
      line('DELETE', '/notes/770', 204, 'bfla'),
      line('DELETE', '/notes/77/attachments/1', 204, 'bfla'),
      line('PUT', '/menu', 201, 'ssrf'),
    ], ['/notes/77']);
    expect(w.map((x: { kind: string; url: string }) => `${x.kind} ${new URL(x.url).pathname}`)).toEqual(['delete /menu/1', 'dangerous /setup.php', 'modify /profile', 'delete /notes/770']);
    // The same profile write by an account vouch registered is to its own account; its write to an object is not.
    const mine = (path: string) => ({ ...line('PATCH', path, 200, 'xss-stored'), identity: 'auto-1' });
    expect(outsideWrites([mine('/profile'), mine('/users/7')], [], ['auto-1']).map((x: { url: string }) => new URL(x.url).pathname)).toEqual(['/users/7']);
  });
});
