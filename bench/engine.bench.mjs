// bench/engine.bench.mjs — vouch's HTTP engine against autocannon on the same local server (in another process), with
// the same connection count: GET throughput bare (scope guard only) and supervised (scope, recording, audit log).
// Env: BENCH_CONNECTIONS (default 8), BENCH_SECONDS (default 5), BENCH_ROUNDS (default 2; the best run of each counts,
// which filters out other load on a shared machine).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { benchEngine, loadNet, startServer } from './engine-setup.mjs';

const net = await loadNet('bench engine: dist/ is missing. Build it first: `npm run build` (or `node scripts/setup.mjs`), then `node bench/run.mjs engine`.');
const { Agent } = await import('undici');

const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);

const { server, url } = await startServer();

/** Client CPU (user + system) per completed request, µs: steadier than req/s when other work shares the machine. */
const cpuPer = (c0, n) => {
  const c = process.cpuUsage(c0);
  return n ? (c.user + c.system) / n : 0;
};

async function cannon(duration) {
  const c0 = process.cpuUsage();
  const r = await autocannon({ url: `${url}/`, connections, pipelining: 1, duration });
  return { ok: r['2xx'], errors: r.errors + r.timeouts + r.non2xx, rps: r['2xx'] / duration, p50: r.latency.p50, p99: r.latency.p99, cpu: cpuPer(c0, r['2xx']) };
}

/** As many GETs as the engine completes in `duration` seconds from `connections` concurrent loops. */
async function vouch(duration, supervised) {
  const dir = mkdtempSync(join(tmpdir(), 'vouch-bench-'));
  const auditPath = join(dir, 'audit.jsonl');
  const engine = benchEngine(net, url, connections, supervised, auditPath);
  const deadline = performance.now() + duration * 1000;
  let ok = 0;
  let errors = 0;
  const lat = [];
  const loop = async () => {
    while (performance.now() < deadline) {
      const ex = await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous' });
      if (ex.response?.status === 200) ok++;
      else errors++;
      if ((ok & 63) === 0) lat.push(ex.timing.totalMs);
    }
  };
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: connections }, loop));
  const cpu = cpuPer(c0, ok + errors);
  const elapsed = (performance.now() - t0) / 1000;
  await engine.close();
  const auditBytes = supervised ? statSync(auditPath).size : 0;
  rmSync(dir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  return { ok, errors, rps: ok / elapsed, p50: lat[Math.floor(lat.length / 2)] ?? 0, p99: lat[Math.floor(lat.length * 0.99)] ?? 0, auditBytes, kept: supervised ? engine.exchanges().length : 0, cpu };
}

/**
 * Reference point inside vouch's own stack: undici's usual path (`Agent.dispatch`) with a do-nothing handler, same
 * connections and loops. It shows how much of the gap to autocannon is undici itself. The engine lends undici
 * `Client`s itself (src/net/connections.ts), which skips the Agent and Pool layers: it can come close to this or pass it.
 */
async function undiciCeiling(duration) {
  const agent = new Agent({ connections, pipelining: 1 });
  const one = () =>
    new Promise((resolve) =>
      agent.dispatch(
        { origin: url, path: '/', method: 'GET', headers: ['user-agent', 'bench'] },
        { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete: () => resolve(true), onError: () => resolve(false) },
      ),
    );
  const deadline = performance.now() + duration * 1000;
  let ok = 0;
  let errors = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        if (await one()) ok++;
        else errors++;
      }
    }),
  );
  const cpu = cpuPer(c0, ok + errors);
  const elapsed = (performance.now() - t0) / 1000;
  await agent.close();
  return { ok, errors, rps: ok / elapsed, p50: '-', p99: '-', cpu };
}

const fmt = (r) => `${Math.round(r.rps).toLocaleString('en-US').padStart(7)} req/s  ${r.cpu.toFixed(1).padStart(5)} µs CPU/req  (${r.ok} ok, ${r.errors} errors, p50 ${r.p50} ms, p99 ${r.p99} ms)`;

const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const best = (runs) => runs.reduce((a, b) => (b.rps > a.rps ? b : a));
/** The lowest CPU per request of a client's runs (the least disturbed one). */
const leastCpu = (runs) => Math.min(...runs.map((r) => r.cpu));

try {
  process.stdout.write(`engine benchmark: GET ${url}/ for ${seconds} s per run, ${connections} connections, ${rounds} interleaved rounds (best run of each client counts), Node ${process.versions.node}\n`);
  // Warm-up: both clients and the server's JIT.
  await cannon(1);
  await vouch(1, false);
  const runs = { ref: [], ceiling: [], bare: [], sup: [] };
  for (let i = 0; i < rounds; i++) {
    runs.ref.push(await cannon(seconds));
    runs.ceiling.push(await undiciCeiling(seconds));
    runs.bare.push(await vouch(seconds, false));
    runs.sup.push(await vouch(seconds, true));
    process.stdout.write(`  round ${i + 1}: autocannon ${Math.round(runs.ref[i].rps)}, undici ${Math.round(runs.ceiling[i].rps)}, vouch bare ${Math.round(runs.bare[i].rps)}, vouch supervised ${Math.round(runs.sup[i].rps)} req/s\n`);
  }
  const ref = best(runs.ref);
  const ceiling = best(runs.ceiling);
  const bare = best(runs.bare);
  const sup = best(runs.sup);
  process.stdout.write(`autocannon             ${fmt(ref)}\n`);
  process.stdout.write(`undici dispatch only   ${fmt(ceiling)}  (no engine: undici's Agent with a do-nothing handler)\n`);
  process.stdout.write(`vouch bare             ${fmt(bare)}\n`);
  process.stdout.write(`vouch supervised       ${fmt(sup)}  audit ${(sup.auditBytes / 1e6).toFixed(1)} MB, last ${sup.kept} exchanges kept\n`);
  process.stdout.write(`client CPU per request, least of the runs (µs): autocannon ${leastCpu(runs.ref).toFixed(1)}, undici ${leastCpu(runs.ceiling).toFixed(1)}, vouch bare ${leastCpu(runs.bare).toFixed(1)}, vouch supervised ${leastCpu(runs.sup).toFixed(1)}\n`);
  process.stdout.write(`undici ceiling ratio (undici/autocannon): ${(ceiling.rps / ref.rps).toFixed(2)}; vouch bare/undici: ${(bare.rps / ceiling.rps).toFixed(2)}, supervised/undici: ${(sup.rps / ceiling.rps).toFixed(2)}\n`);
  // CPU per request is steadier than req/s when other processes share the cores: its ratio is printed as well.
  process.stdout.write(`client CPU ratio (autocannon/vouch): bare ${(leastCpu(runs.ref) / leastCpu(runs.bare)).toFixed(2)}, supervised ${(leastCpu(runs.ref) / leastCpu(runs.sup)).toFixed(2)}\n`);
  process.stdout.write(`engine throughput ratio with supervision (vouch/autocannon): ${(sup.rps / ref.rps).toFixed(2)}\n`);
  process.stdout.write(`engine throughput ratio (vouch/autocannon): ${(bare.rps / ref.rps).toFixed(2)}\n`);
} finally {
  server.kill();
}
