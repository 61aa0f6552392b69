// bench/dashboard.bench.mjs — server render time of every dashboard page over a store of 1,000 scans and 100,000
// findings (plus one 1,000-finding scan), against the same run's reference: a trivial Hono route through the same
// middleware-free app.request path. Prints each page's median and the ratio to the reference; target ≤ 200 ms.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'src');
if (!existsSync(join(dist, 'dashboard', 'server.js'))) {
  process.stderr.write('bench dashboard: dist/ is missing; run `npm run setup` first\n');
  process.exit(2);
}
const { createDashboardApp } = await import(join(dist, 'dashboard', 'server.js'));
const { openSqliteDatabase } = await import(join(dist, 'store', 'index.js'));
const { makeReport, makeLargeReport } = await import(join(dist, 'report', 'fixture.js'));
const { Hono } = await import('hono');
const BetterSqlite3 = (await import('better-sqlite3')).default;

const SCANS = 1000;
const PER_SCAN = 100;
const TARGETS = 10;
const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-dash-'));
const path = join(dir, 'history.db');

// Fill the store: migrations through the real code, rows through one raw transaction (fast to build).
(await openSqliteDatabase(path)).destroy();
const t0 = performance.now();
const base = makeReport();
const proto = base.findings.find((f) => f.checkId === 'sqli-error') ?? base.findings[0];
const raw = new BetterSqlite3(path);
const insScan = raw.prepare('insert into scans (id, target_name, target_url, state, started_at, finished_at, verdict_pass, finding_count, report) values (?, ?, ?, ?, ?, ?, ?, ?, ?)');
const insFinding = raw.prepare('insert into findings (scan_id, fingerprint, check_id, severity, confidence, status, risk, title, method, path) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const sev = ['critical', 'high', 'medium', 'low', 'info'];
const fam = ['security', 'conformance', 'reliability', 'authorization'];
raw.transaction(() => {
  for (let s = 0; s < SCANS; s++) {
    const target = `shop-${s % TARGETS}`;
    const id = `scan-${String(s).padStart(5, '0')}`;
    const startedAt = Date.UTC(2026, 0, 1) + s * 3_600_000;
    const findings = [];
    for (let k = 0; k < PER_SCAN; k++) {
      const fingerprint = `fp-${s % TARGETS}-${(k + Math.floor(s / TARGETS)) % 150}`;
      findings.push({
        ...proto,
        fingerprint,
        checkId: `check-${k % 30}`,
        title: `Problem ${k} <b>in</b> ${target}`,
        severity: sev[k % 5],
        family: fam[k % 4],
        confidence: k % 7 === 0 ? 'tentative' : 'confirmed',
        risk: (k * 37) % 101,
        operation: { method: 'GET', path: `/api/items/${k}/{id}` },
        proof: { ...proto.proof, exchanges: proto.proof.exchanges.slice(0, 1).map((x) => ({ ...x, response: { status: 500, headers: [['content-type', 'text/plain']], body: 'e'.repeat(300) } })) },
      });
    }
    const report = { ...base, scanId: id, target: { ...base.target, name: target }, startedAt: new Date(startedAt).toISOString(), finishedAt: new Date(startedAt + 60_000).toISOString(), findings, verdict: { pass: s % 3 !== 0, reasons: [] } };
    insScan.run(id, target, `http://127.0.0.1:${4000 + (s % TARGETS)}`, 'done', startedAt, startedAt + 60_000, s % 3 !== 0 ? 1 : 0, findings.length, JSON.stringify(report));
    for (const f of findings) insFinding.run(id, f.fingerprint, f.checkId, f.severity, f.confidence, null, f.risk, f.title, 'GET', f.operation.path);
  }
  const big = makeLargeReport(1000);
  big.scanId = 'scan-big';
  big.target = { ...big.target, name: 'shop-big' };
  insScan.run('scan-big', 'shop-big', big.target.url, 'done', Date.UTC(2027, 0, 1), Date.UTC(2027, 0, 1), 0, big.findings.length, JSON.stringify(big));
  for (const f of big.findings) insFinding.run('scan-big', f.fingerprint, f.checkId, f.severity, f.confidence, 'new', f.risk, f.title, 'GET', f.operation.path);
})();
raw.close();
const fillMs = performance.now() - t0;

const db = await openSqliteDatabase(path);
const { app } = createDashboardApp(db, { historyPath: path, team: false });
const ref = new Hono();
ref.get('/ping', (c) => c.text('ok'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function time(a, url, rounds = 7) {
  const once = async () => {
    const t = performance.now();
    const res = await a.request(url, { headers: { host: '127.0.0.1' } });
    await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    return performance.now() - t;
  };
  const cold = await once();
  const samples = [];
  for (let i = 0; i < rounds; i++) samples.push(await once());
  return { cold, warm: median(samples) };
}

const reference = (await time(ref, '/ping', 51)).warm;
const last = `scan-${String(SCANS - 1).padStart(5, '0')}`;
const pages = [
  ['targets (/)', '/'],
  ['scans list', '/scans'],
  ['scan, 100 findings', `/scans/${last}`],
  ['scan filtered', `/scans/${last}?severity=high&confidence=confirmed`],
  ['scan, 1,000 findings', '/scans/scan-big'],
  ['finding + history', `/scans/${last}/findings/fp-9-${(99 + Math.floor((SCANS - 1) / TARGETS)) % 150}`],
  ['compare with previous', `/compare?head=${last}`],
  ['permission audit', `/scans/${last}/audit`],
  ['accepted risks', '/accepted'],
];
process.stdout.write(`store: ${SCANS + 1} scans, ${SCANS * PER_SCAN + 1000} findings, filled in ${(fillMs / 1000).toFixed(1)} s\n`);
process.stdout.write(`reference (trivial Hono route): ${reference.toFixed(3)} ms\n\n`);
process.stdout.write('page                      first (ms)  median (ms)  ratio to reference\n');
let worst = 0;
for (const [name, url] of pages) {
  const r = await time(app, url);
  worst = Math.max(worst, r.cold, r.warm);
  process.stdout.write(`${name.padEnd(26)}${r.cold.toFixed(1).padStart(10)}  ${r.warm.toFixed(1).padStart(11)}  ${(r.warm / reference).toFixed(0).padStart(18)}\n`);
}
process.stdout.write(`\nslowest page render: ${worst.toFixed(1)} ms (target ≤ 200 ms)\n`);
process.stdout.write(`dashboard render ratio (slowest page / trivial route): ${(worst / reference).toFixed(0)}\n`);
await db.destroy();
rmSync(dir, { recursive: true, force: true });
process.exit(worst <= 200 ? 0 : 1);
