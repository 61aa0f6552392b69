// test/e2e/audit.test.ts — `vouch audit` on the lab: the agent token's exact excess permissions (also in safe mode
// with safeMode.writeProbes, without deleting anything), JSON output, a failed login, an unknown identity, and a permission gain failing a scan.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type RunningLab } from '../../lab/server.js';
import type { PermissionAudit, Report } from '../../src/core/index.js';
import { validateReport } from '../../src/report/index.js';
import { root, vouch, NO_BROWSER } from './cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-audit-'));
const env = { VOUCH_HISTORY: join(tmp, 'history.db') , ...NO_BROWSER };
const config = join(tmp, 'vouch.yaml');
const PLANTED = ['DELETE /api/products/{id}', 'GET /api/users/{id}'];
let base: RunningLab;
let cand: RunningLab;

const beyond = (a: PermissionAudit): string[] => [...new Set(a.capabilities.filter((c) => !c.intended).map((c) => c.operation))].sort();

beforeAll(async () => {
  [base, cand] = await Promise.all([startLab({ variant: 'baseline' }), startLab({ variant: 'candidate' })]);
  const lab = readFileSync(join(root, 'lab', 'vouch.yaml'), 'utf8');
  writeFileSync(config, `${lab.replace(/^budget:.*$/m, '')}  mallory:\n    role: user\n    intended: ["GET /api/orders"]\n    login: { json: { url: /api/login, body: { username: mallory, password: nope }, tokenPath: token } }\nbudget: { requests: 20000, ratePerSecond: 1000, concurrency: 8 }\nsafeMode: { writeProbes: true }\n`);
});
afterAll(async () => {
  await Promise.all([base, cand].map((l) => l?.close()));
});

describe('vouch audit', () => {
  it('lists exactly the agent token’s planted excess permissions on the candidate, and exits 1', async () => {
    const r = await vouch(['audit', cand.url, '--identity', 'agent', '--config', config, '-q'], { env });
    expect(r.code, r.stderr).toBe(1);
    const rows = r.stdout.split('\n').filter((l) => /^\s+BEYOND\s/.test(l)).map((l) => l.trim().split(/\s{2,}/)[1]);
    expect([...new Set(rows)].sort()).toEqual(PLANTED);
    expect(r.stdout).toMatch(/ok\s+GET \/api\/orders\s/);
    expect(r.stdout).toContain('2 operations beyond the intended scope: DELETE /api/products/{id}, GET /api/users/{id}');
  });

  it('gives the same answer as JSON on the baseline, in safe mode, without deleting anything', async () => {
    const r = await vouch(['audit', base.url, '--identity', 'agent', '--config', config, '--environment', 'production', '--json'], { env });
    expect(r.code, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout) as { audit: PermissionAudit[]; findings: Array<{ confidence: string; operation: { method: string; path: string } }> };
    expect(out.audit).toHaveLength(1);
    expect(beyond(out.audit[0]!)).toEqual(PLANTED);
    expect(out.audit[0]!.capabilities.find((c) => c.operation === 'DELETE /api/products/{id}')?.established).toBe('validation-rejected');
    expect(out.findings.map((f) => `${f.operation.method} ${f.operation.path} ${f.confidence}`).sort()).toEqual(PLANTED.map((p) => `${p} confirmed`));
    const product = await fetch(`${base.url}/api/products/10`);
    expect(product.status).toBe(200);
  });

  it('says which identity could not sign in and why, exit 2', async () => {
    const r = await vouch(['audit', cand.url, '--identity', 'mallory', '--config', config, '-q'], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('not audited: login /api/login answered 401');
  });

  it('refuses an unknown identity clearly', async () => {
    const r = await vouch(['audit', cand.url, '--identity', 'nobody', '--config', config], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--identity nobody: no such identity in vouch.yaml (identities: alice, bob, admin, agent, mallory)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('fails a scan whose credential gained a capability beyond its intended scope since the baseline', async () => {
    const first = join(tmp, 'first');
    expect((await vouch(['audit', cand.url, '--identity', 'agent', '--config', config, '-q', '--out', first], { env })).code).toBe(1);
    const report = JSON.parse(readFileSync(join(first, 'report.json'), 'utf8')) as Report;
    expect(validateReport(report)).toEqual({ valid: true });
    // The baseline as if the agent could not yet look users up.
    const agent = report.audit!.find((a) => a.identity === 'agent')!;
    agent.capabilities = agent.capabilities.filter((c) => c.operation !== 'GET /api/users/{id}');
    const doctored = join(tmp, 'baseline.json');
    writeFileSync(doctored, JSON.stringify(report));
    const out = join(tmp, 'second');
    const r = await vouch(['scan', cand.url, '--config', config, '--check', 'excess-permission', '--baseline', doctored, '--out', out, '-q', '--format', 'json,markdown'], { env });
    expect(r.code, r.stderr).toBe(1);
    const second = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
    expect(validateReport(second)).toEqual({ valid: true });
    expect(second.comparison?.permissions.identities.find((i) => i.identity === 'agent')).toEqual({ identity: 'agent', gained: ['GET /api/users/{id}'], lost: [], gainedBeyondIntended: ['GET /api/users/{id}'] });
    expect(second.verdict.reasons.map((x) => `${x.rule}: ${x.message}`)).toContain('permission-gained-beyond-intended: gained beyond the intended scope: agent: GET /api/users/{id}');
    expect(r.stdout).toContain('Permissions: agent: gained GET /api/users/{id} (beyond intended)');
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toContain('agent: gained GET /api/users/\\{id\\} \\(beyond intended\\)');
  });
});
