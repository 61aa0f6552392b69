// test/meta/ci.test.ts — the CI integration stays usable: action.yml, the lab workflow and every YAML example in
// docs/ci.md parse; the action installs once, runs `vouch gate`, keeps the history, uploads the SARIF, fails on FAIL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from '../e2e/cli.js';

describe('CI integration', () => {
  it('action.yml installs once, gates, keeps the history, uploads SARIF, writes the summary, fails on FAIL', () => {
    type Step = { run?: string; uses?: string; if?: string; with?: Record<string, string> };
    type Action = { inputs: Record<string, unknown>; runs: { using: string; steps: Step[] } };
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as Action;
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['candidate', 'baseline', 'config', 'fail-on-verdict', 'commits', 'expect-version']),
    );
    expect(Object.keys(action.inputs)).toEqual(
      expect.arrayContaining(['environment', 'history', 'artifact-name']),
    );
    const steps = action.runs.steps;
    // Every shell step is a subcommand of scripts/action-run.sh (the one scripts/action-local.sh runs too).
    const runs = steps.filter((s) => s.run !== undefined).map((s) => s.run!.trim());
    const subcommands = ['prepare', 'install', 'gate', 'verdict'];
    expect(runs).toEqual(subcommands.map((c) => `bash "$GITHUB_ACTION_PATH/scripts/action-run.sh" ${c}`));
    const script = readFileSync(join(root, 'scripts', 'action-run.sh'), 'utf8');
    expect(script).toContain('node "$action_path/bin/vouch.js" "${args[@]}"');
    expect(script).toContain('base_args=(gate --candidate');
    for (const flag of ['--commits', '--expect-version', '--environment']) expect(script).toContain(`+=(${flag} `);
    expect(script).toContain('>> "$summary"');
    expect(script).toMatch(/fail\(\) \{ [^}]*exit 1; \}/u);
    expect(script).toMatch(/"\$code" = "1" \] && \[ "\$\{VOUCH_IN_FAIL_ON_VERDICT:-true\}" = "true" \]; then fail /u);
    // One install: no npm ci of its own (setup.mjs installs only when the lock file changed), modules cached.
    expect(runs.join('\n')).not.toContain('npm ci');
    expect(script).not.toMatch(/^\s*npm ci/mu);
    const uses = (prefix: string): Step[] => steps.filter((s) => s.uses?.startsWith(prefix));
    expect(uses('actions/cache/restore@').map((s) => s.with?.path)).toEqual([
      '${{ github.action_path }}/node_modules',
      '${{ steps.prep.outputs.history-dir }}',
    ]);
    const saves = uses('actions/cache/save@').map((s) => s.if ?? '');
    expect(saves).toEqual([expect.stringContaining('cache-hit'), expect.stringContaining('always()')]);
    expect(uses('actions/upload-artifact@')[0]?.with?.name).toBe('${{ steps.prep.outputs.artifact-name }}');
    expect(uses('github/codeql-action/upload-sarif@')).toHaveLength(1);
  });

  it('the repository runs the action on the lab on every push', () => {
    const wf = parse(readFileSync(join(root, '.github', 'workflows', 'vouch.yml'), 'utf8')) as {
      on: Record<string, unknown>;
      jobs: Record<string, { steps: Array<{ uses?: string; run?: string; with?: Record<string, string> }> }>;
    };
    expect(Object.keys(wf.on)).toContain('push');
    const steps = Object.values(wf.jobs).flatMap((j) => j.steps);
    expect(steps.some((s) => s.run?.includes('apt-get install') && s.run.includes('chromium'))).toBe(true);
    expect(steps.some((s) => s.run?.includes('bin/vouch.js lab'))).toBe(true);
    expect(steps.find((s) => s.uses === './')?.with).toMatchObject({ baseline: 'last-passing' });
  });

  it('every YAML example in docs/ci.md parses', () => {
    const doc = readFileSync(join(root, 'docs', 'ci.md'), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/gu)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const b of blocks) expect(() => parse(b)).not.toThrow();
    expect(doc).toContain('uses: your-org/vouch@');
    expect(doc).toContain('junit: vouch-reports/junit.xml');
  });
});
