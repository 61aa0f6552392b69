// bench/security.bench.mjs — every security check on the lab's two variants through the CLI (`vouch scan --check
// <all security ids>`), at low and default strength: wall time per variant, requests per injection point per check,
// and the ratio default / low measured in the same run (target: both variants at default ≤ 60 s on 2 cores).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => pathToFileURL(join(root, 'dist', p)).href;
if (!existsSync(join(root, 'dist', 'lab', 'server.js'))) {
  process.stderr.write('bench security: dist/ is missing; run `node scripts/setup.mjs` first\n');
  process.exit(2);
}
const { startLab } = await import(dist('lab/server.js'));
const { allChecks } = await import(dist('src/checks/index.js'));
const { injectionPoints } = await import(dist('src/inject/index.js'));

const ids = allChecks.filter((c) => c.family === 'security').map((c) => c.id);
const declared = new Map(allChecks.filter((c) => c.requestsPerPoint).map((c) => [c.id, c.requestsPerPoint]));
const out = mkdtempSync(join(tmpdir(), 'vouch-bench-security-'));

/** Runs the CLI in a child process (asynchronously: the labs answer from this process's event loop). */
function cli(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'vouch.js'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (status) => resolve({ status, stderr }));
  });
}

async function scan(url, strength, dir) {
  const t0 = performance.now();
  const r = await cli(['scan', url, '-c', join(root, 'lab', 'vouch.yaml'), '--check', ids.join(','), '--strength', strength, '--out', dir, '--format', 'json', '-q']);
  const ms = performance.now() - t0;
  if (r.status === 2 || !existsSync(join(dir, 'report.json'))) throw new Error(`scan failed (${r.status}): ${r.stderr}`);
  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  const audit = readFileSync(join(dir, 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const ops = new Map(report.surface.operations.map((o) => [o.id, o]));
  const perCheck = {};
  for (const id of declared.keys()) {
    const points = report.stats.tasks.filter((t) => t.checkId === id && t.operationId).reduce((n, t) => n + injectionPoints(ops.get(t.operationId)).length, 0);
    const requests = audit.filter((a) => a.checkId === id).length;
    perCheck[id] = { points, requests };
  }
  return { ms, sent: report.stats.requests.sent, confirmed: report.findings.filter((f) => f.confidence === 'confirmed' && ids.includes(f.checkId)).map((f) => `${f.checkId} ${f.operation.method} ${f.operation.path}`), perCheck };
}

const labs = { baseline: await startLab({ variant: 'baseline' }), candidate: await startLab({ variant: 'candidate' }) };
const results = {};
try {
  await scan(labs.candidate.url, 'low', join(out, 'warm-up')); // first scan pays for JIT and lab warm-up: not counted
  for (const strength of ['low', 'default']) {
    for (const [variant, lab] of Object.entries(labs)) results[`${variant}/${strength}`] = await scan(lab.url, strength, join(out, `${variant}-${strength}`));
  }
} finally {
  await Promise.all(Object.values(labs).map((l) => l.close()));
  rmSync(out, { recursive: true, force: true });
}

for (const [k, r] of Object.entries(results)) console.log(`${k.padEnd(18)} ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${String(r.sent).padStart(6)} requests  confirmed: ${r.confirmed.join('; ') || 'none'}`);
console.log('\nrequests per injection point (run + confirmation), default strength, both variants:');
for (const id of declared.keys()) {
  const points = results['baseline/default'].perCheck[id].points + results['candidate/default'].perCheck[id].points;
  const requests = results['baseline/default'].perCheck[id].requests + results['candidate/default'].perCheck[id].requests;
  const d = declared.get(id);
  console.log(`  ${id.padEnd(20)} ${String(points).padStart(4)} points ${String(requests).padStart(6)} requests  ${(requests / Math.max(points, 1)).toFixed(1).padStart(5)} per point (declared low ${d.low}, default ${d.default}, high ${d.high})`);
}
const low = results['baseline/low'].ms + results['candidate/low'].ms;
const def = results['baseline/default'].ms + results['candidate/default'].ms;
console.log(`\nboth variants, default strength: ${(def / 1000).toFixed(1)} s (target <= 60 s); low: ${(low / 1000).toFixed(1)} s`);
console.log(`security scan time ratio (default / low, same run): ${(def / low).toFixed(2)}`);
