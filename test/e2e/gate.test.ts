// test/e2e/gate.test.ts — `vouch gate` on the lab: self-gate passes, baseline gate fails with rules, accepted risks
// change the verdict (and expire), history lists scans and serves `--baseline last-passing`, AI profile is applied.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import type { Report } from '../../src/core/index.js';
import { validateReport } from '../../src/report/index.js';
import { root, vouch } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-gate-'));
// No browser crawl (a CHROME_PATH that does not exist skips it, with a warning): the gate's plumbing is under test, and
// the crawl doubled each scan's time. The demo and surface e2e keep it.
const env = { VOUCH_HISTORY: join(tmp, 'history.db'), CHROME_PATH: join(tmp, 'no-chromium') };
const labConfig = readFileSync(join(root, 'lab', 'vouch.yaml'), 'utf8');
/**
 * Checks that give the lab's candidate new confirmed high findings and persisting ones against its baseline, with
 * enough tasks that answer whatever the machine's load (the self-gate must stay over `policy.minCoverage`).
 */
const GATE_CHECKS = 'sql-injection,security-headers,sensitive-files,path-traversal,crlf-injection,cookie-flags';
let base: RunningLab;
let cand: RunningLab;
let cand2: RunningLab;

/** The newest stored scan of a lab (gates save the baseline's scan too): later gates reuse it instead of re-scanning. */
const storedScanOf = async (lab: RunningLab): Promise<string> => {
  const h = await vouch(['history', '--json'], { env });
  const scans = JSON.parse(h.stdout) as Array<{ id: string; url: string; state: string }>;
  const scan = scans.find((s) => s.url.replace(/\/$/, '') === lab.url.replace(/\/$/, '') && s.state === 'done');
  expect(scan, `a stored scan of ${lab.url}`).toBeDefined();
  return scan!.id;
};

const gate = async (name: string, args: string[], config = labConfig): Promise<{ code: number | null; report: Report; stdout: string; stderr: string }> => {
  const cfg = join(tmp, `${name}.yaml`);
  writeFileSync(cfg, config);
  const out = join(tmp, name);
  // Two scans, discovery's auth probes included: room for a machine running the whole suite. The
  // gate's plumbing is under test, not detection (the lab tests cover every check): a few checks that find new,
  // persisting and fingerprinted problems on the lab keep each scan short.
  const run = ['gate', ...args, '--config', cfg, '--out', out, '-q', '--format', 'json,markdown', '--check', GATE_CHECKS];
  const r = await vouch(run, { env, timeoutMs: 360_000 });
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  expect(validateReport(report)).toEqual({ valid: true });
  return { ...r, report };
};

beforeAll(async () => {
  [base, cand, cand2] = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' }), startLab({ variant: 'candidate' })]);
});
afterAll(async () => {
  await Promise.all([base, cand, cand2].map((l) => l?.close()));
});

describe('vouch gate', { timeout: 400_000 }, () => {
  let failing: string[] = [];
  let baseScan = '';
  let selfBaselineScan = '';

  it('passes the candidate gated against itself on another port: nothing new', async () => {
    const r = await gate('self', ['--candidate', cand.url, '--baseline', cand2.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.comparison?.findings.new).toEqual([]);
    expect(r.report.comparison?.findings.persisting.length).toBe(r.report.findings.length);
    expect(r.report.verdict.pass).toBe(true);
    selfBaselineScan = await storedScanOf(cand2);
  });

  it('fails the candidate gated against the baseline, naming the rules and fingerprints', async () => {
    const r = await gate('vs-base', ['--candidate', cand.url, '--baseline', base.url]);
    expect(r.code).toBe(1);
    const fired = r.report.verdict.reasons.filter((x) => x.level === 'fail');
    expect(fired.map((x) => x.rule)).toContain('new-confirmed-high');
    failing = [...new Set(fired.flatMap((x) => x.fingerprints))];
    expect(failing.length).toBeGreaterThan(0);
    expect(r.stdout.trimStart()).toMatch(/^FAIL/);
    baseScan = await storedScanOf(base);
  });

  it('passes once the failing findings are accepted risks, and fails again when they expire', async () => {
    // Against the baseline scan stored by the previous gate (by its id): the candidate is scanned again, not both.
    // Only the fingerprinted rule: `auth-lost` (a surface rule, nothing to accept) fires too on the lab, whose
    // candidate answers GET /api/users anonymously where the baseline asked for credentials.
    const rules = `policy:\n  rules:\n    - { id: new-confirmed-high, when: { status: [new], confidence: [confirmed], severity: [critical, high] } }\n`;
    const accept = (expires: string): string => `${labConfig}\n${rules}accepted:\n${failing.map((f) => `  - { fingerprint: ${f}, reason: "tracked in ticket 42", expires: ${expires} }`).join('\n')}\n`;
    const ok = await gate('accepted', ['--candidate', cand.url, '--baseline', baseScan], accept('2099-12-31'));
    const stillFailing = ok.report.verdict.reasons.filter((x) => x.level === 'fail' && x.fingerprints.length === 0);
    expect(stillFailing).toEqual([]);
    expect(ok.code).toBe(0);
    expect(ok.report.accepted?.every((a) => a.state === 'active' && a.matched)).toBe(true);
    const expired = await gate('expired', ['--candidate', cand.url, '--baseline', baseScan], accept('2020-01-01'));
    expect(expired.code).toBe(1);
    expect(expired.report.accepted?.every((a) => a.state === 'expired')).toBe(true);
  });

  it('applies the stricter AI-influenced profile and says why', async () => {
    const r = await gate('ai', ['--candidate', cand.url, '--baseline', selfBaselineScan, '--ai-influenced']);
    expect(r.report.verdict.profile).toEqual({ name: 'ai-influenced', why: '--ai-influenced' });
  });

  it('keeps a history: lists scans as JSON and gates against the last passing scan', async () => {
    const h = await vouch(['history', '--json'], { env });
    expect(h.code).toBe(0);
    const scans = JSON.parse(h.stdout) as Array<{ id: string; target: string; state: string; verdict: string; findingCount: number }>;
    expect(scans.length).toBeGreaterThanOrEqual(7);
    expect(scans[0]).toEqual(expect.objectContaining({ state: 'done' }));
    const passingTarget = scans.find((s) => s.verdict === 'pass')!.target;
    const cfg = `${labConfig}\n`.replace('target:\n', `target:\n  name: ${passingTarget}\n`);
    const r = await gate('last-passing', ['--candidate', cand.url, '--baseline', 'last-passing'], cfg);
    expect(r.report.comparison?.baseline.kind).toBe('scan');
  });
});
