// test/e2e/resume.test.ts — interrupt and resume on the lab: an abort mid-plan (in process) and a real SIGINT to the CLI,
// then `--resume`, give the same findings as an uninterrupted scan; not-run tasks are listed; bad resumes are usage errors.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { allChecks } from '../../src/checks/index.js';
import { loadConfig, resolveRun } from '../../src/config/index.js';
import type { Report, VouchEvent } from '../../src/core/index.js';
import { runScan, type ScanOptions } from '../../src/engine/scan.js';
import { validateReport } from '../../src/report/index.js';
import { openSqliteHistory, type HistoryStore } from '../../src/store/index.js';
import { root, vouch, NO_BROWSER } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-resume-'));
const historyFile = join(tmp, 'history.db');
const env = { VOUCH_HISTORY: historyFile , ...NO_BROWSER };
const labConfig = join(root, 'lab', 'vouch.yaml');
// An active check with many findings, an active one needing two identities, and passive ones reading others' exchanges.
const only = ['cors-misconfiguration', 'sql-injection', 'bola', 'security-headers', 'verbose-errors', 'cookie-flags'];
let lab: RunningLab;
let store: HistoryStore;
let reference: string[] = [];

const prints = (r: Report): string[] => r.findings.map((f) => `${f.fingerprint} ${f.confidence}`).sort();

async function scan(extra: Partial<ScanOptions> & { stopAfter?: number }): Promise<Report> {
  const { config } = loadConfig(labConfig);
  const run = resolveRun(config, { url: lab.url });
  const controller = new AbortController();
  const onEvent = (e: VouchEvent): void => {
    if (e.type === 'task-finished' && extra.stopAfter !== undefined && e.done >= extra.stopAfter) controller.abort(new Error('interrupted by test'));
  };
  return runScan({ run, config, checks: allChecks, only, scanDir: join(tmp, 'in-process'), onEvent, signal: controller.signal, journal: store.journal((e) => { throw e; }), ...extra });
}

beforeAll(async () => {
  lab = await startLab({ variant: 'candidate' });
  store = await openSqliteHistory(historyFile);
});
afterAll(async () => {
  await store?.close();
  await lab?.close();
});

describe('interrupt and resume', () => {
  it('an abort mid-plan keeps finished tasks; --resume runs the rest and finds exactly what an uninterrupted scan finds', async () => {
    const full = await scan({ scanId: 'full-0000000001' });
    reference = prints(full);
    expect(reference.length).toBeGreaterThan(5);
    expect((await store.listScans()).find((s) => s.id === 'full-0000000001')?.state).toBe('done');

    const cut = await scan({ scanId: 'cut-00000000001', stopAfter: 6 });
    expect(cut.partial?.reason).toBe('interrupted by test');
    const notRun = cut.stats.tasks.filter((t) => t.status === 'not-run');
    expect(notRun.length).toBeGreaterThan(0);
    expect(cut.partial?.notRun).toBe(notRun.length);
    // Besides the interrupted tasks, only those the harm guard kept from running (an uninterrupted scan has them too).
    expect(notRun.every((t) => t.reason === 'interrupted by test' || t.reason?.startsWith('do no harm:'))).toBe(true);
    expect(notRun.some((t) => t.reason === 'interrupted by test')).toBe(true);
    expect(validateReport(cut)).toEqual({ valid: true });
    expect(prints(cut).length).toBeLessThan(reference.length);

    const resume = await store.resumable('cut-00000000001');
    expect(resume.done.length).toBe(cut.stats.tasks.length - notRun.length);
    // The journal keeps no secret: configured passwords, and the tokens the logins handed out, are redacted.
    const kept = JSON.stringify(resume.exchanges);
    expect(kept).toMatch(/Bearer \[REDACTED\]/);
    expect(kept).not.toMatch(/alice-pass|bob-pass|Bearer eyJ|"token":"eyJ/);
    const resumed = await scan({ resume });
    expect(resumed.scanId).toBe('cut-00000000001');
    expect(resumed.partial).toBeUndefined();
    const notRunAfter = (r: Report): string[] => r.stats.tasks.filter((t) => t.status === 'not-run').map((t) => `${t.checkId} ${t.operationId ?? ''} ${t.identity}: ${t.reason ?? ''}`).sort();
    expect(notRunAfter(resumed)).toEqual(notRunAfter(full)); // only what the harm guard kept from running, as in full
    expect(notRunAfter(full).every((t) => t.includes('do no harm:'))).toBe(true);
    expect(resumed.stats.tasks.length).toBe(full.stats.tasks.length);
    expect(prints(resumed)).toEqual(reference);
    // Request counts cover both runs; exchange ids stay unique across them.
    expect(resumed.stats.requests.sent).toBeGreaterThan(cut.stats.requests.sent);
    const ids = resumed.findings.flatMap((f) => f.proof.exchanges.map((x) => `${x.id} ${x.request.method} ${x.request.url}`));
    const byId = new Map<string, string>();
    for (const s of ids) {
      const [id] = s.split(' ');
      expect(byId.get(id!) ?? s).toBe(s);
      byId.set(id!, s);
    }
    await expect(store.resumable('cut-00000000001')).rejects.toThrow(/already finished/);
    await expect(store.resumable('nope-0000000000')).rejects.toMatchObject({ code: 'VOUCH_USAGE' });
  }, 60_000);

  it('a real SIGINT to the CLI writes a partial report and exits 2; `vouch scan --resume` completes it', async () => {
    expect(reference.length).toBeGreaterThan(0);
    const out = join(tmp, 'cli');
    const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'scan', lab.url, '-c', labConfig, '--check', only.join(','), '-o', out, '-f', 'json', '--json'], {
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && (stdout.match(/"task-finished"/g) ?? []).length >= 6) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(sent, stderr).toBe(true);
    expect(code, stderr).toBe(2);
    const id = /vouch scan --resume (\S+)/.exec(stderr)?.[1];
    expect(id, stderr).toBeDefined();
    const partial = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(partial.partial?.reason).toBe('interrupted by SIGINT');
    expect(partial.stats.tasks.some((t) => t.status === 'not-run' && t.reason === 'interrupted by SIGINT')).toBe(true);

    const again = await vouch(['scan', '--resume', id!, '-q'], { env });
    expect(again.code, again.stderr).toBe(1); // the lab fails the policy: a complete scan, verdict decides
    const done = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(done.scanId).toBe(id);
    expect(done.partial).toBeUndefined();
    expect(prints(done)).toEqual(reference);
    // Both runs appended to one audit log; exchange ids never repeat across them.
    const audited = readFileSync(join(out, 'audit.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { exchange?: string }).exchange);
    expect(audited.length).toBeGreaterThan(partial.stats.requests.sent);
    expect(new Set(audited).size).toBe(audited.length);

    const finished = await vouch(['scan', '--resume', id!], { env });
    expect(finished.code).toBe(2);
    expect(finished.stderr).toMatch(/VOUCH_USAGE: --resume \S+: this scan already finished/);
    const unknown = await vouch(['scan', '--resume', '20990101000000-abcdef'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/VOUCH_USAGE: --resume 20990101000000-abcdef: no such scan/);
    const mixed = await vouch(['scan', lab.url, '--resume', id!], { env });
    expect(mixed.stderr).toMatch(/VOUCH_USAGE: .*<url> cannot be given again/);
  }, 90_000);

  it('a second SIGINT exits at once with 2 and leaves the scan resumable', async () => {
    const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), 'scan', lab.url, '-c', labConfig, '--check', only.join(','), '-o', join(tmp, 'twice'), '-f', 'json', '--json'], {
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && (stdout.match(/"task-finished"/g) ?? []).length >= 3) {
        sent = true;
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 5);
      }
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, stderr).toBe(2);
    expect(stderr).toMatch(/SIGINT again: exiting now/);
    const id = /"scanId":"([^"]+)"/.exec(stdout)?.[1];
    const row = (await store.listScans({ limit: 100 })).find((s) => s.id === id);
    expect(row?.state).toBe('interrupted');
    const resume = await store.resumable(id!);
    expect(resume.inputs.plan.tasks.length).toBeGreaterThan(resume.done.length);
  }, 60_000);
});
