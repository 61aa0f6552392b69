// test/meta/ci.test.ts — the CI integration stays usable: action.yml and every YAML example in docs/ci.md parse,
// and the action runs `vouch gate`, uploads the SARIF, writes the job summary and fails on the verdict.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { root } from '../e2e/cli.js';

describe('CI integration', () => {
  it('action.yml is a composite action that gates, uploads SARIF, writes the summary and fails on FAIL', () => {
    const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; runs: { using: string; steps: Array<{ run?: string; uses?: string }> } };
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['candidate', 'baseline', 'config', 'fail-on-verdict']));
    const runs = action.runs.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('bin/vouch.js" "${args[@]}"');
    expect(runs).toContain('args=(gate --candidate');
    expect(runs).toContain('>> "$GITHUB_STEP_SUMMARY"');
    expect(runs).toMatch(/"\$CODE" = "1" \] && \[ "\$FAIL_ON_VERDICT" = "true" \]; then .*exit 1/u);
    expect(action.runs.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))).toBe(true);
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
