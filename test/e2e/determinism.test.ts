// test/e2e/determinism.test.ts — an unchanged deployment gives the same findings every time: the lab scanned twice in
// one process, twice as two `vouch scan` processes, and eight times through the embedded job queue (two scans at once),
// always the same fingerprint set. Root causes seen on many operations (CORS, headers, cookies, secrets, verbose errors)
// are among them, so a grouped finding that moved to another operation would show here.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import { allChecks } from '../../src/checks/index.js';
import { loadConfig, resolveRun } from '../../src/config/index.js';
import type { Report } from '../../src/core/index.js';
import { runScan } from '../../src/engine/scan.js';
import { inProcessQueue } from '../../src/team/queue.js';
import { root, vouch } from './cli.js';

// In one process every check runs; the CLI runs take the multi-operation checks plus the generated-data ones whose
// seed once decided whether a finding existed (and whose crashes verbose-errors reads), to keep the wall time modest.
const CHECKS = ['cors-misconfiguration', 'security-headers', 'cookie-flags', 'secrets-in-responses', 'verbose-errors', 'sensitive-files', 'positive-data-acceptance', 'not-a-server-error'];
// Eight scans through the queue: the grouped checks only (discovery and the passive reading are what concurrency moves).
const QUEUED = ['cors-misconfiguration', 'security-headers', 'cookie-flags', 'secrets-in-responses', 'verbose-errors', 'sensitive-files'];
const GROUPED = ['cors-misconfiguration', 'security-headers', 'cookie-flags', 'secrets-in-responses', 'verbose-errors'];

const tmp = mkdtempSync(join(tmpdir(), 'vouch-determinism-'));
// Without the browser crawl (a CHROME_PATH that does not exist skips it, with a warning). On a loaded machine the crawl
// of one scan in several stalled for minutes after its first pages (issue 16 item 5: deadlines for every browser action,
// another branch), which would time this test out for a reason that is not determinism. What the crawl adds or not
// cannot move a grouped finding's fingerprint (the verbose-errors unit test shows a smaller set of
// sightings keeping it). Remove this line once browser actions have deadlines.
const noBrowser = { CHROME_PATH: join(tmp, 'no-chromium') };
Object.assign(process.env, noBrowser);
const configPath = join(root, 'lab', 'vouch.yaml');
const config = loadConfig(configPath).config;
let labs: RunningLab[] = [];
let n = 0;

const fingerprints = (r: Report): string[] => r.findings.map((f) => f.fingerprint).sort();
const labelled = (r: Report): string[] => r.findings.map((f) => `${f.checkId} ${f.vulnClass} ${f.operation.method} ${f.operation.path} ${f.fingerprint}`).sort();
/** The two reports' fingerprint sets must be equal; on failure the message says which findings differ. */
function expectSame(a: Report, b: Report): void {
  const [la, lb] = [labelled(a), labelled(b)];
  const why = `only in the first: ${la.filter((x) => !lb.includes(x)).join('; ')} | only in the second: ${lb.filter((x) => !la.includes(x)).join('; ')}`;
  expect(fingerprints(b), why).toEqual(fingerprints(a));
}

async function scanHere(url: string, only?: readonly string[]): Promise<Report> {
  return runScan({ run: resolveRun(config, { url }), config, checks: allChecks, ...(only ? { only } : {}), scanDir: join(tmp, `scan-${++n}`) });
}

beforeAll(async () => {
  labs = await Promise.all([startLab({ variant: 'candidate' }), startLab({ variant: 'candidate' })]);
});
afterAll(async () => {
  await Promise.all(labs.map((l) => l.close()));
});

describe('the same deployment scanned again gives the same fingerprints', () => {
  it('twice in one process, every check', { timeout: 240_000 }, async () => {
    const one = await scanHere(labs[0]!.url);
    const two = await scanHere(labs[0]!.url);
    for (const r of [one, two]) expect(r.partial, JSON.stringify(r.partial)).toBeUndefined();
    expect(one.surface.warnings.join('\n')).toContain('browser crawl skipped');
    expectSame(one, two);
    // Meaningful only if the root causes seen on many operations are there, grouped, with their places listed.
    for (const id of GROUPED) expect(one.findings.some((f) => f.checkId === id && f.grouped === true), id).toBe(true);
    const cors = one.findings.find((f) => f.checkId === 'cors-misconfiguration')!;
    expect(cors.locations!.length).toBeGreaterThan(1);
    const places = cors.locations!.map((l) => `${l.method} ${l.path}`);
    expect(places).toEqual([...places].sort());
    expect(`${cors.operation.method} ${cors.operation.path}`).toBe(places[0]);
  });

  it('twice in two processes (vouch scan)', { timeout: 240_000 }, async () => {
    const env = { VOUCH_HISTORY: join(tmp, 'history.db'), ...noBrowser };
    const cli = async (name: string): Promise<Report> => {
      const out = join(tmp, name);
      const r = await vouch(['scan', labs[0]!.url, '--config', configPath, '--check', CHECKS.join(','), '-q', '--format', 'json', '--out', out], { env, timeoutMs: 200_000 });
      expect(r.code, r.stderr).toBe(1); // findings fail the verdict; 2 would be an error
      return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    };
    const one = await cli('cli-1');
    const two = await cli('cli-2');
    expectSame(one, two);
    for (const id of GROUPED) expect(one.findings.some((f) => f.checkId === id && f.grouped === true), id).toBe(true);
    // Neither passed: `--baseline last-passing` stops before scanning, naming the scans it passed over and why.
    const lp = await vouch(['scan', labs[0]!.url, '--config', configPath, '--check', CHECKS.join(','), '-q', '--format', 'json', '--out', join(tmp, 'cli-lp'), '--baseline', 'last-passing'], { env });
    expect(lp.code).toBe(2);
    expect(lp.stderr).toMatch(new RegExp(`--baseline last-passing: no complete, passing scan of .* the newest passed over: ${two.scanId} \\(its verdict failed\\), ${one.scanId} \\(its verdict failed\\)`));
    expect(lp.stderr).not.toMatch(/\n\s+at /u);
  });

  it('eight scans through the embedded job queue, two at a time on two labs: equal counts, equal sets', { timeout: 240_000 }, async () => {
    const queue = inProcessQueue();
    const reports = new Map<string, Report>();
    let failed: unknown;
    let left = 8;
    const done = new Promise<void>((resolve) => {
      void queue.work(2, async (job) => {
        try {
          reports.set(job.scanId, await scanHere(job.key, QUEUED));
        } catch (e) {
          failed = e;
        }
        if (--left === 0) resolve();
      });
    });
    for (let i = 0; i < 8; i++) await queue.send({ scanId: `q${i}`, key: labs[i % 2]!.url });
    const t0 = performance.now();
    await done;
    await queue.stop();
    console.log(`8 queued lab scans (${QUEUED.length} checks) in ${Math.round((performance.now() - t0) / 1000)} s`);
    expect(failed).toBeUndefined();
    const all = [...reports.values()];
    expect(all).toHaveLength(8);
    expect(new Set(all.map((r) => r.findings.length)).size).toBe(1);
    for (const r of all.slice(1)) expectSame(all[0]!, r);
    expect(all[0]!.findings.length).toBeGreaterThan(0);
  });
});
