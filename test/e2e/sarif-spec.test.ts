// test/e2e/sarif-spec.test.ts — `vouch scan --spec <file of the repository>`: SARIF results point at their operations'
// lines in the spec file; findings on operations the spec lacks, and a run whose spec is a path on the target, do not.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Sarif from 'sarif';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { root, vouch } from './cli.js';

let lab: RunningLab;
beforeAll(async () => {
  lab = await startLab({ variant: 'candidate' });
});
afterAll(async () => {
  await lab?.close();
});

/** [fully qualified operation, uri, startLine] of every result. */
function locations(file: string): Array<[string, string, number]> {
  const log = JSON.parse(readFileSync(file, 'utf8')) as Sarif.Log;
  return (log.runs[0]!.results ?? []).map((r) => {
    const loc = r.locations![0]!;
    const at = loc.physicalLocation!;
    return [loc.logicalLocations![0]!.fullyQualifiedName!, at.artifactLocation!.uri!, at.region!.startLine!];
  });
}

describe('SARIF locations from the CLI', { timeout: 180_000 }, () => {
  it('uses the spec file of the repository and the line of each operation in it', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'vouch-sarif-spec-'));
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'api'));
    const spec = JSON.stringify(await (await fetch(`${lab.url}/openapi.json`)).json(), null, 2);
    writeFileSync(join(repo, 'api', 'openapi.json'), spec);
    const specLinesOf = spec.split('\n');
    const checks = 'status-code-conformance,security-headers';
    const args = ['--config', join(root, 'lab', 'vouch.yaml'), '--check', checks, '-q', '--format', 'sarif'];
    // No browser crawl (CHROME_PATH names no file): it adds nothing to what is tested here and takes long.
    // GITHUB_WORKSPACE names the repository (as in a GitHub job; it would win over the .git folder if set around us).
    const env = { VOUCH_HISTORY: join(repo, 'history.db'), CHROME_PATH: join(repo, 'no-chromium'), GITHUB_WORKSPACE: repo };
    const opts = { cwd: repo, env, timeoutMs: 170_000 };
    const r = await vouch(['scan', lab.url, '--spec', 'api/openapi.json', '--out', 'out', ...args], opts);
    expect([0, 1], r.stderr).toContain(r.code);
    const results = locations(join(repo, 'out', 'report.sarif'));
    const inSpec = results.filter(([, uri]) => uri === 'api/openapi.json');
    expect(inSpec.length).toBeGreaterThan(0);
    for (const [op, , line] of inSpec) {
      // The line is the method key of that operation: the nearest path key above it is the operation's path.
      const [method, path] = op.split(' ') as [string, string];
      expect(specLinesOf[line - 1], op).toMatch(new RegExp(`^ {6}"${method.toLowerCase()}": \\{`, 'u'));
      const pathLine = specLinesOf.slice(0, line - 1).findLast((l) => /^ {4}"\//u.test(l));
      expect(pathLine?.trim()).toBe(`${JSON.stringify(path)}: {`);
    }
    // security-headers is target-wide (GET /, not in the document): the pseudo-path.
    expect(results.filter(([op]) => op === 'GET /').map(([, uri, line]) => `${uri}:${line}`)).toContain('dast/GET/_root:1');

    // The same scan with the spec as a path on the target: pseudo-paths only.
    const served = await vouch(['scan', lab.url, '--spec', '/openapi.json', '--out', 'out2', ...args], opts);
    expect([0, 1], served.stderr).toContain(served.code);
    expect(locations(join(repo, 'out2', 'report.sarif')).every(([, uri]) => uri.startsWith('dast/'))).toBe(true);
  });
});
