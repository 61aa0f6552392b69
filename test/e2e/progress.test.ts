// test/e2e/progress.test.ts — `vouch scan` on a pseudo-terminal (util-linux `script`): the live view shows its stages,
// tasks, req/s, ETA and checks in flight, ends with the summary line and the cursor shown again, before the report;
// with CI set, the same terminal gets plain lines and no escape sequences.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Fixture } from '../../src/checks/kit/fixture.js';
import { serveSlowApi } from '../support/slow-api.js';
import { root } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-progress-'));
writeFileSync(join(tmp, 'vouch.yaml'), 'discovery: { crawl: false, robots: false, graphql: false }\n');
const hasScript = spawnSync('script', ['--version']).status === 0;
const ESC = String.fromCharCode(27);
const HIDE = `${ESC}[?25l`;
const SHOW = `${ESC}[?25h`;

let site: Fixture;
beforeAll(async () => {
  // Slow answers: the scan runs long enough for several frames of the view.
  site = await serveSlowApi(8, 200);
});

afterAll(async () => {
  await site?.close();
});

/** Runs `vouch scan` inside `script` on a 100 × 30 pseudo-terminal; what the terminal received and the exit code. */
function onTerminal(env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  const args = ['scan', site.url, '--spec', '/openapi.json', '-c', 'vouch.yaml', '--check', 'not-a-server-error', '-o', 'out', '-f', 'json'];
  const vouch = [process.execPath, join(root, 'bin', 'vouch.js'), ...args];
  const command = `stty cols 100 rows 30; exec ${vouch.map((a) => `'${a}'`).join(' ')}`;
  const { CI: _ci, ...rest } = process.env;
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: tmp,
    env: { ...rest, VOUCH_HISTORY: join(tmp, 'history.db'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out })));
}

describe.skipIf(!hasScript)('progress on a terminal', () => {
  it('the live view: stages, tasks, req/s, ETA, checks in flight; then the summary, the cursor, the report', async () => {
    const { code, out } = await onTerminal({});
    expect(code).not.toBeNull();
    expect(out).toContain('vouch scan ');
    expect(out).toMatch(/▶ execute/u);
    expect(out).toMatch(/\] \d+\/\d+ tasks +\d+% {2}ETA/u);
    expect(out).toMatch(/\d+ requests {2}[\d.]+ req\/s/u);
    expect(out).toMatch(/in flight \(\d\):\r?\n {2}not-a-server-error +GET \/api\/items\d +as anonymous +\d+s/u);
    const summary = out.search(/✔ scan done in \d+s: \d+\/\d+ tasks, \d+ requests \([\d.]+\/s\), \d+ findings?, verdict/u);
    expect(summary).toBeGreaterThan(0);
    // The cursor is hidden while the block is drawn and shown again at the end; the report comes after the summary.
    expect(out.indexOf(HIDE)).toBeGreaterThanOrEqual(0);
    expect(out.lastIndexOf(SHOW)).toBeGreaterThan(out.lastIndexOf(HIDE));
    expect(out.indexOf('reports:')).toBeGreaterThan(summary);
    expect(out).not.toMatch(/\n\s+at /u);
  }, 120_000);

  it('with CI set: plain lines, no escape sequences', async () => {
    const { out } = await onTerminal({ CI: '1' });
    expect(out).toMatch(/execute {4}\d+\/\d+ tasks \(\d+%\), [\d.]+ req\/s/u);
    expect(out).toMatch(/✔ scan done in/u);
    expect(out).not.toContain(HIDE);
    expect(out).not.toContain('in flight');
  }, 120_000);
});
