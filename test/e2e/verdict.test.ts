// test/e2e/verdict.test.ts — the honest verdict: a scan whose logins all fail, whose check throws, or that is interrupted
// ends INCOMPLETE (exit 2), never PASS, and every report it writes says so first and validates against the schema.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startLab, type RunningLab } from '../../lab/server.js';
import { allChecks } from '../../src/checks/index.js';
import { defineCheck, type AnyCheck } from '../../src/checks/kit/define.js';
import { sendJson, serveFixture, type Fixture } from '../../src/checks/kit/fixture.js';
import { exitCodeFor } from '../../src/cli/commands/shared.js';
import { loadConfig, resolveRun } from '../../src/config/index.js';
import type { Report } from '../../src/core/index.js';
import { runScan } from '../../src/engine/scan.js';
import { parseFormats, validateReport, writeReports } from '../../src/report/index.js';
import { vouch, vouchInterrupted, NO_BROWSER } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-verdict-'));
const env = { VOUCH_HISTORY: join(tmp, 'history.db') , ...NO_BROWSER };
let lab: RunningLab;
let api: Fixture;

const read = (dir: string, file: string): string => readFileSync(join(dir, file), 'utf8');
const reportIn = (dir: string): Report => JSON.parse(read(dir, 'report.json')) as Report;

/** alice and bob, logging in at `url` with these passwords. */
const logins = (alice: string, bob: string, bobUrl = '/api/login'): string =>
  [
    `  alice: { login: { json: { url: /api/login, body: { username: alice, password: ${alice} }, tokenPath: token } } }`,
    `  bob: { login: { json: { url: ${bobUrl}, body: { username: bob, password: ${bob} }, tokenPath: token } } }`,
  ].join('\n');

/** The lab's own vouch.yaml with the identities and policy replaced. */
function labConfig(name: string, identities: string, policy = ''): string {
  const file = join(tmp, `${name}.yaml`);
  const lines = [
    'target: { environment: local, spec: /openapi.json }',
    'scope: { exclude: ["/logout"] }',
    `identities:\n${identities}`,
    'budget: { requests: 20000, ratePerSecond: 1000, concurrency: 8 }',
    policy,
  ];
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

beforeAll(async () => {
  lab = await startLab({ variant: 'baseline' });
  api = await serveFixture((_req, res, url) => {
    if (url.pathname === '/openapi.json') {
      return sendJson(res, 200, { openapi: '3.0.3', info: { title: 'api', version: '1' }, paths: { '/api/ping': { get: { responses: { '200': { description: 'ok' } } } }, '/api/pong': { get: { responses: { '200': { description: 'ok' } } } } } });
    }
    return sendJson(res, 200, { ok: true });
  });
});
afterAll(async () => {
  await api?.close();
  await lab?.close();
});

describe('incomplete, never pass', () => {
  it('every identity fails to log in (rejected password, wrong URL): exit 2, the causes in every report, history says INCOMPLETE', async () => {
    const config = labConfig('bad-logins', logins('wrong', 'bob-pass', '/api/no-such-login'));
    const out = join(tmp, 'bad-logins');
    // bola needs the identities; cookie-flags is passive and finds nothing that fails the lab's default policy.
    const r = await vouch(['scan', lab.url, '-c', config, '--check', 'bola,cookie-flags', '-o', out, '-f', 'json,markdown,junit,sarif,html'], { env });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^INCOMPLETE {2}/u);

    const report = reportIn(out);
    expect(validateReport(report)).toEqual({ valid: true });
    expect(report.verdict).toMatchObject({ pass: false, status: 'incomplete' });
    const causes = report.verdict.incomplete ?? [];
    expect(causes.filter((c) => c.cause === 'login-failed').map((c) => c.identity).sort()).toEqual(['alice', 'bob']);
    expect(causes.find((c) => c.identity === 'alice')?.message).toMatch(/answered 401/u);
    expect(causes.find((c) => c.identity === 'bob')?.message).toMatch(/no-such-login answered 404/u);
    expect(report.coverage?.skipped).toBeGreaterThan(0);

    expect(read(out, 'summary.md')).toMatch(/^<!-- vouch-report -->\n### ⚠️ vouch: \*\*INCOMPLETE\*\*/u);
    expect(read(out, 'summary.md')).toContain('**login-failed**: identity alice could not log in');
    expect(read(out, 'junit.xml')).toMatch(/<testsuites name="vouch INCOMPLETE: [^"]*"/u);
    expect(read(out, 'junit.xml')).toContain('classname="vouch.verdict.login-failed"');
    const sarif = JSON.parse(read(out, 'report.sarif')) as { runs: Array<{ properties: { verdict: string } }> };
    expect(sarif.runs[0]!.properties.verdict).toBe('incomplete');
    expect(read(out, 'report.html')).toContain('<section class="verdict incomplete" id="verdict"><span class="word">INCOMPLETE</span>');

    const history = await vouch(['history'], { env });
    expect(history.stdout).toMatch(new RegExp(`^${report.scanId} .* INCOMPLETE `, 'mu'));
  });

  it('a PASS needs the logins to work: the same scan with the right passwords is not incomplete', async () => {
    const config = labConfig('good-logins', logins('alice-pass', 'bob-pass'), 'policy: { minCoverage: 0 }');
    const out = join(tmp, 'good-logins');
    const r = await vouch(['scan', lab.url, '-c', config, '--check', 'bola,cookie-flags', '-o', out, '-f', 'json', '-q'], { env });
    const report = reportIn(out);
    expect(report.verdict.incomplete ?? [], r.stderr).toEqual([]);
    expect(r.code).toBe(report.verdict.status === 'fail' ? 1 : 0);
  });

  it('a check that throws: INCOMPLETE with check-crashed naming the check; the reports are written and valid', async () => {
    const file = join(tmp, 'api.yaml');
    writeFileSync(file, 'target: { spec: /openapi.json }\n');
    const { config } = loadConfig(file);
    const thrower = defineCheck({
      id: 'always-throws',
      family: 'reliability',
      kind: 'active',
      scope: 'operation',
      meta: { title: 'throws', description: 'a check with a bug', severity: 'low', remediation: 'none', proves: 'nothing' },
      options: z.object({}).default({}),
      run: () => {
        throw new TypeError('cannot read properties of undefined (reading "body")');
      },
      example: { url: '/api/ping', summary: 'throws' },
    }) as AnyCheck;
    const report = await runScan({ run: resolveRun(config, { url: api.url }), config, checks: [thrower], scanDir: join(tmp, 'crash') });
    const n = report.stats.tasks.length;
    expect(n).toBeGreaterThanOrEqual(2);
    expect(report.stats.tasks.every((t) => t.status === 'crashed')).toBe(true);
    expect(report.verdict).toMatchObject({ pass: false, status: 'incomplete' });
    expect(report.verdict.incomplete?.map((c) => c.cause)).toEqual(['check-crashed', 'coverage']);
    expect(report.verdict.incomplete?.[0]).toMatchObject({ checkId: 'always-throws', tasks: n });
    expect(report.coverage).toMatchObject({ planned: n, answered: 0, crashed: n, ratio: 0 });
    expect(report.coverage?.untested.map((u) => u.operationId)).toEqual(expect.arrayContaining(['GET /api/ping', 'GET /api/pong']));
    expect(exitCodeFor(report)).toBe(2);

    const out = join(tmp, 'crash-reports');
    await writeReports(report, out, parseFormats('json,markdown,junit'));
    expect(validateReport(reportIn(out))).toEqual({ valid: true });
    expect(read(out, 'summary.md')).toContain('**check-crashed**: check always-throws crashed: cannot read properties of undefined');
    expect(read(out, 'junit.xml')).toContain('classname="vouch.verdict.check-crashed"');
  });

  it('a target that stops answering and does not recover: INCOMPLETE with target-unavailable, never PASS', async () => {
    let dying = false;
    const dead = await serveFixture((req, res, url) => {
      if (url.pathname === '/openapi.json') {
        const op = { get: { parameters: [{ name: 'q', in: 'query', schema: { type: 'string' } }], responses: { '200': { description: 'ok' } } } };
        return sendJson(res, 200, { openapi: '3.0.3', info: { title: 'api', version: '1' }, paths: { '/v1/search': op, '/v1/find': op } });
      }
      // From the first injected request on (a quote in q), every request (the recovery probe's too) is dropped, as by a server that died.
      if (url.searchParams.get('q')?.includes("'")) dying = true;
      if (dying) return void req.socket.destroy();
      return sendJson(res, 404, {});
    });
    try {
      const file = join(tmp, 'dead.yaml');
      // A short outage wait: the target never recovers, so the test need not wait out the default minute.
      writeFileSync(file, 'target: { spec: /openapi.json }\nbudget: { outage: { waitMs: 1500 } }\npolicy: { rules: [] }\n');
      const { config } = loadConfig(file);
      const report = await runScan({ run: resolveRun(config, { url: dead.url }), config, checks: allChecks, only: ['sql-injection', 'xss-reflected'], scanDir: join(tmp, 'dead') });
      expect(report.verdict).toMatchObject({ pass: false, status: 'incomplete' });
      const causes = report.verdict.incomplete?.map((c) => c.cause) ?? [];
      expect(causes).toContain('target-unavailable');
      expect(report.verdict.incomplete?.find((c) => c.cause === 'target-unavailable')?.message).toContain(new URL(dead.url).host);
      expect(report.coverage?.answered).toBe(0);
      expect(exitCodeFor(report)).toBe(2);
      expect(validateReport(JSON.parse(JSON.stringify(report)))).toEqual({ valid: true });
    } finally {
      await dead.close();
    }
  });

  it('Ctrl-C: a scan that cannot fail its rules ends INCOMPLETE (interrupted), exit 2, with its report written', async () => {
    const config = labConfig('interrupt', '  agent: { bearer: lab-agent-token }', 'policy: { rules: [] }');
    const out = join(tmp, 'interrupt');
    const { code, stdout, stderr, sent } = await vouchInterrupted(['scan', lab.url, '-c', config, '--check', 'sql-injection,xss-reflected,security-headers', '-o', out, '-f', 'json,markdown'], { env, afterTasks: 3 });
    expect(sent, stderr).toBe(true);
    expect(code, stderr).toBe(2);
    const report = reportIn(out);
    expect(validateReport(report)).toEqual({ valid: true });
    expect(report.partial?.reason).toBe('interrupted by SIGINT');
    expect(report.verdict).toMatchObject({ pass: false, status: 'incomplete' });
    expect(report.verdict.incomplete?.[0]).toMatchObject({ cause: 'interrupted' });
    expect(report.verdict.incomplete?.[0]?.message).toMatch(/^interrupted by SIGINT; \d+ planned tasks? not run$/u);
    expect(read(out, 'summary.md')).toContain('⚠️ vouch: **INCOMPLETE**');
    expect(stdout).toContain('"status":"incomplete"');
  });
});
