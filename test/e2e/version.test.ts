// test/e2e/version.test.ts — version assurance from the CLI, on the team store: --expect-version passes on match, fails on another version or none; a changed deployment with an unchanged version is said.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import type { Report } from '../../src/core/index.js';
import { validateReport } from '../../src/report/index.js';
import { testPostgres } from '../support/postgres.js';
import { vouch, NO_BROWSER } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-version-'));
// The team store when a server can be had (it can here: the helper starts Debian's cluster); else the SQLite file.
const pgdb = await testPostgres();
const env: NodeJS.ProcessEnv = { ...('url' in pgdb ? { VOUCH_DATABASE_URL: pgdb.url } : { VOUCH_HISTORY: join(tmp, 'history.db') }), ...NO_BROWSER };
let cand: RunningLab;
let sameVersion: RunningLab;

const config = (version: string): string => {
  const file = join(tmp, `${version.replace(/\W/g, '')}.yaml`);
  writeFileSync(file, `target: { environment: local, spec: /openapi.json${version ? `, version: ${version}` : ''} }\n`);
  return file;
};
const header = config('{ header: X-Lab-Version }');

let n = 0;
const gate = async (args: string[], cfg = header): Promise<{ code: number | null; report: Report; stderr: string; stdout: string }> => {
  const out = join(tmp, `g${++n}`);
  const r = await vouch(['gate', ...args, '--check', 'security-headers', '--config', cfg, '--out', out, '-q', '--format', 'json'], { env });
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(validateReport(report)).toEqual({ valid: true });
  return { ...r, report };
};

beforeAll(async () => {
  // The baseline variant claiming the candidate's version: a different build under the same version.
  [cand, sameVersion] = await Promise.all([startLab({ variant: 'candidate' }), startLab({ variant: 'baseline', version: '1.5.0' })]);
});
afterAll(async () => {
  await Promise.all([cand, sameVersion].map((l) => l?.close()));
  if ('drop' in pgdb) await pgdb.drop();
});

describe(`version assurance (${'url' in pgdb ? 'PostgreSQL team store' : `SQLite store; PostgreSQL skipped: ${pgdb.skip}`})`, () => {
  it('--expect-version passes on the declared version and records it, with the assets fingerprint, in the report and history', async () => {
    const r = await gate(['--candidate', cand.url, '--expect-version', '1.5.0']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.deployment).toMatchObject({ version: '1.5.0', versionSource: 'header X-Lab-Version' });
    expect(r.report.deployment?.assets?.files.map((f) => f.url)).toContain('/app/app.js');
    const list = JSON.parse((await vouch(['history', '--json'], { env })).stdout) as { id: string; version: string; assetsFingerprint: string }[];
    expect(list.find((s) => s.id === r.report.scanId)).toMatchObject({ version: '1.5.0', assetsFingerprint: r.report.deployment?.assets?.fingerprint });
  });

  it('--expect-version fails on another version, and on none, saying which', async () => {
    const [other, none] = await Promise.all([gate(['--candidate', cand.url, '--expect-version', '2.0.0']), gate(['--candidate', cand.url, '--expect-version', '1.5.0'], config('{ meta: app-version }'))]);
    expect(other.code).toBe(1);
    expect(other.report.verdict.reasons[0]).toMatchObject({ rule: 'expect-version', level: 'fail', message: 'expected version 2.0.0, but the deployment says 1.5.0 (header X-Lab-Version)' });
    expect(none.code).toBe(1);
    expect(none.report.verdict.reasons[0]!.message).toMatch(/expected version 1\.5\.0, but the deployment declared none \(meta app-version: no such <meta name> on GET \/\)/);
  });

  it('a changed deployment under an unchanged version is reported as such; --expect-version without target.version is a usage error', async () => {
    const [r, bad] = await Promise.all([gate(['--candidate', cand.url, '--baseline', sameVersion.url]), vouch(['gate', '--candidate', cand.url, '--expect-version', '1.5.0', '--config', config(''), '-q'], { env })]);
    expect(r.report.verdict.reasons).toContainEqual(expect.objectContaining({ rule: 'deployment-changed-same-version', level: 'warn', message: expect.stringMatching(/still 1\.5\.0.*\/app\/app\.js/) }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--expect-version 1\.5\.0: the target does not say where its version is visible/);
  });
});
