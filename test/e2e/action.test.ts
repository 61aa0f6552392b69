// test/e2e/action.test.ts — the GitHub Action's steps without GitHub: scripts/action-local.sh twice on the lab (the
// second run compares with the first through the cached history), and action-run.sh's names and verdict step.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/index.js';
import { validateReport } from '../../src/report/index.js';
import { root } from './cli.js';

const script = (name: string): string => join(root, 'scripts', name);

/** key=value lines of a GITHUB_OUTPUT file (the last value of a key wins, as on GitHub). */
function outputs(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** Runs one step of scripts/action-run.sh with a fresh GITHUB_OUTPUT; its exit code, outputs and stdout. */
type StepResult = { code: number | null; out: Record<string, string>; stdout: string };

function step(name: string, env: Record<string, string>): StepResult {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-action-step-'));
  const output = join(dir, 'output');
  writeFileSync(output, '');
  const r = spawnSync('bash', [script('action-run.sh'), name], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', GITHUB_ACTION_PATH: root, GITHUB_OUTPUT: output, RUNNER_TEMP: dir, ...env },
  });
  return { code: r.status, out: outputs(output), stdout: r.stdout };
}

/**
 * This process's environment without what would steer the runs elsewhere when the tests themselves run in a GitHub job
 * or beside a team store: the pull request's branch, a PostgreSQL history, the action's own inputs.
 */
function localEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (k === 'GITHUB_HEAD_REF' || k === 'VOUCH_DATABASE_URL' || k.startsWith('VOUCH_IN_')) delete env[k];
  return env;
}

describe('the action, run locally twice on the lab', { timeout: 240_000 }, () => {
  it('keeps the history between runs and compares run 2 with run 1 as last-passing', () => {
    const work = mkdtempSync(join(tmpdir(), 'vouch-action-local-'));
    // The browser crawl is left out (CHROME_PATH names no file) to keep two scans quick; it is not what this tests.
    const r = spawnSync('bash', [script('action-local.sh'), '--runs', '2', '--no-install', '--work', work], {
      cwd: root,
      encoding: 'utf8',
      env: localEnv({ CI: '1', CHROME_PATH: join(work, 'no-chromium'), GITHUB_REF_NAME: 'feature/x', GITHUB_JOB: 'vouch' }),
      timeout: 220_000,
    });
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    const [one, two] = [1, 2].map((i) => outputs(join(work, `run-${i}`, 'output')));

    // Run 1: no passing scan yet, so the candidate is scanned alone (and passes with these checks).
    expect(one).toMatchObject({ verdict: 'pass', 'exit-code': '0', baseline: '(none: no passing scan yet)' });
    expect(one['history-key']).toMatch(/^vouch-history-v1-127\.0\.0\.1_\d+-[0-9a-f]{8}-feature_x-vouch-[0-9a-f]{8}-1-1$/u);
    expect(one['history-key']!.startsWith(one['history-restore-leg']!)).toBe(true);
    expect(one['history-restore-leg']!.startsWith(one['history-restore-branch']!)).toBe(true);
    expect(one['history-restore-branch']!.startsWith(one['history-restore-any']!)).toBe(true);
    expect(r.stdout).toContain('no history in the cache');
    // Run 2: the history saved by run 1 is restored (newest entry under the leg's prefix) and found as last-passing.
    expect(two).toMatchObject({ verdict: 'pass', 'exit-code': '0', baseline: 'last-passing' });
    expect(r.stdout).toContain(`history restored from cache ${one['history-key']}`);
    expect(readdirSync(join(work, 'cache')).sort()).toEqual([one['history-key'], two['history-key']].sort());

    // The job summary is summary.md (verdict first); run 1 says why it had no baseline, run 2 names run 1's scan.
    const reports = [one, two].map((o, i) => {
      const dir = join(work, `run-${i + 1}`, 'artifacts', o['artifact-name']!);
      for (const f of ['report.json', 'report.sarif', 'junit.xml', 'summary.md', 'report.html']) {
        expect(existsSync(join(dir, f)), f).toBe(true);
      }
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
      expect(validateReport(report)).toEqual({ valid: true });
      const summary = readFileSync(join(work, `run-${i + 1}`, 'summary.md'), 'utf8');
      expect(summary.startsWith(readFileSync(join(dir, 'summary.md'), 'utf8'))).toBe(true);
      expect(summary).toMatch(/vouch: \*\*PASS\*\*/u);
      return { report, summary };
    });
    expect(reports[0]!.report.comparison).toBeUndefined();
    expect(reports[0]!.summary).toContain('No passing scan of this target in the history yet');
    expect(reports[1]!.report.comparison?.baseline).toMatchObject({ kind: 'scan', ref: reports[0]!.report.scanId });
    expect(reports[1]!.summary).toContain(`vs baseline ${reports[0]!.report.scanId}`);
    expect(reports[1]!.summary).not.toContain('No passing scan');
  });
});

describe('action-run.sh', () => {
  it('names artifacts apart per job, matrix leg (inputs) and attempt, unless artifact-name is given', () => {
    const base = { VOUCH_IN_CANDIDATE: 'https://a.example.com', GITHUB_JOB: 'gate', GITHUB_RUN_ATTEMPT: '1' };
    const a = step('prepare', base).out['artifact-name'];
    expect(a).toMatch(/^vouch-reports-gate-[0-9a-f]{8}-attempt1$/u);
    expect(step('prepare', base).out['artifact-name']).toBe(a);
    expect(step('prepare', { ...base, VOUCH_IN_CANDIDATE: 'https://b.example.com' }).out['artifact-name']).not.toBe(a);
    expect(step('prepare', { ...base, GITHUB_RUN_ATTEMPT: '2' }).out['artifact-name']).toMatch(/-attempt2$/u);
    expect(step('prepare', { ...base, GITHUB_JOB: 'other' }).out['artifact-name']).not.toBe(a);
    expect(step('prepare', { ...base, VOUCH_IN_ARTIFACT_NAME: 'mine' }).out['artifact-name']).toBe('mine');
    // The history is keyed by target: another candidate gets another prefix.
    const h = (c: string): string | undefined =>
      step('prepare', { ...base, VOUCH_IN_CANDIDATE: c }).out['history-restore-any'];
    expect(h('https://a.example.com')).not.toBe(h('https://b.example.com'));
  });

  it('fails the job on FAIL (unless fail-on-verdict is false), on INCOMPLETE and on a tool error; passes a pass', () => {
    const verdict = (code: string, v: string, failOn = 'true'): number | null =>
      step('verdict', { VOUCH_IN_EXIT_CODE: code, VOUCH_IN_VERDICT: v, VOUCH_IN_FAIL_ON_VERDICT: failOn }).code;
    expect(verdict('0', 'pass')).toBe(0);
    expect(verdict('1', 'fail')).toBe(1);
    expect(verdict('1', 'fail', 'false')).toBe(0);
    expect(verdict('2', 'incomplete', 'false')).toBe(1);
    expect(verdict('2', 'error')).toBe(1);
    expect(verdict('', 'error')).toBe(1);
  });
});
