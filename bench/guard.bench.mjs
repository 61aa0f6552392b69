// bench/guard.bench.mjs — requests through `vouch guard` against the same requests sent directly to the same local
// server, both by autocannon in the same run with the same connections: throughput ratio (target ≥ 0.8) and the p50
// latency the guard adds (target ≤ 1 ms). Two upstreams, each in a process of its own, as is the guard:
// - `lab`: the lab's `GET /api/products` (routing, its SQLite, JSON), an API that does some work per request;
// - `hello`: a server that answers a constant 11 bytes, the worst case: the upstream does nothing, the hop is all.
// Beside the guard, bench/bare-proxy.mjs: the least a Node proxy does, the floor of any proxy hop on this machine.
// Two placements: `pinned` (taskset: the guard on a core of its own, autocannon and the upstream on the other, as a
// sidecar with its own core) and `shared` (all three on all cores, competing for them).
// Env: BENCH_CONNECTIONS (default 8), BENCH_SECONDS (default 5), BENCH_ROUNDS (default 2; the best run of each counts),
// BENCH_UPSTREAMS (default `lab,hello`), BENCH_PLACEMENTS (default `pinned,shared`; pinned needs taskset, 2+ cores).
import { execFileSync, fork } from 'node:child_process';
import { cpus } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import { startServer } from './engine-setup.mjs';

if (!existsSync(join(import.meta.dirname, '..', 'dist', 'src', 'guard', 'server.js'))) {
  process.stderr.write('bench guard: dist/ is missing. Build it first: `npm run build`, then `node bench/run.mjs guard`.\n');
  process.exit(2);
}
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const upstreams = (process.env.BENCH_UPSTREAMS ?? 'lab,hello').split(',');
const canPin = cpus().length >= 2 && (() => {
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const placements = (process.env.BENCH_PLACEMENTS ?? 'pinned,shared').split(',').filter((p) => {
  if (p === 'pinned' && !canPin) process.stderr.write('bench guard: no taskset or one core: the pinned placement is skipped\n');
  return p !== 'pinned' || canPin;
});
/** Every thread of `pid` on the cores of `list` (`0`, `1`, `0-3`); no pin: all cores. */
const pin = (pid, list) => execFileSync('taskset', ['-a', '-p', '-c', list, String(pid)], { stdio: 'ignore' });
const allCores = `0-${cpus().length - 1}`;
const TOKEN = 'bench-guard-token-0123456789';

/** The upstream in its own process: its URL, the path measured, the child to kill. */
async function startUpstream(kind) {
  if (kind === 'hello') return { ...(await startServer()), path: '/' };
  const server = fork(join(import.meta.dirname, 'lab-upstream.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise((resolve, reject) => {
    server.once('message', (m) => resolve(m.port));
    server.once('exit', (code) => reject(new Error(`lab exited with ${code}`)));
  });
  return { server, url: `http://127.0.0.1:${port}`, path: '/api/products' };
}

/** A proxy (the guard, or the bare reference) in a process of its own: the child and its URL. */
async function startProxy(file, args) {
  const proxy = fork(join(import.meta.dirname, file), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise((resolve, reject) => {
    proxy.once('message', (m) => resolve(m.url));
    proxy.once('exit', (code) => reject(new Error(`${file} exited with ${code}`)));
  });
  return { proxy, url };
}

async function cannon(target, headers) {
  const r = await autocannon({ url: target, connections, pipelining: 1, duration: seconds, headers });
  return { ok: r['2xx'], errors: r.errors + r.timeouts + r.non2xx, rps: r['2xx'] / seconds, p50: r.latency.p50, p99: r.latency.p99, mean: r.latency.mean };
}

/** `n` requests one after another on one kept-alive connection (after 200 to warm up): p50 and p99 in ms. */
async function oneByOne(target, headers, n = 3000) {
  const agent = new Agent({ connections: 1 });
  const once = async () => {
    const started = performance.now();
    const r = await request(target, { headers, dispatcher: agent });
    await r.body.dump();
    return performance.now() - started;
  };
  for (let i = 0; i < 200; i++) await once();
  const t = [];
  for (let i = 0; i < n; i++) t.push(await once());
  await agent.close();
  t.sort((a, b) => a - b);
  return { p50: t[Math.floor(n / 2)], p99: t[Math.floor(n * 0.99)] };
}

const best = (runs) => runs.sort((a, b) => b.rps - a.rps)[0];
const line = (name, r) => `${name.padEnd(8)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  mean ${r.mean.toFixed(2)} ms  p99 ${r.p99} ms  errors ${r.errors}`;
const ratio = (name, r, d) => `ratio ${name}/direct throughput ${(r.rps / d.rps).toFixed(2)}; p50 added ${(r.p50 - d.p50).toFixed(2)} ms (mean ${(r.mean - d.mean).toFixed(2)} ms)`;
let failed = false;
process.stdout.write(`connections ${connections}, ${seconds} s × ${rounds} rounds (best of each), ${cpus().length} cores\n`);
for (const kind of upstreams) {
  const { server, url, path } = await startUpstream(kind);
  const guard = await startProxy('guard-proxy.mjs', [url, TOKEN, path]);
  const bare = await startProxy('bare-proxy.mjs', [url]);
  const auth = { authorization: `Bearer ${TOKEN}` };
  for (const placement of placements) {
    if (placement === 'pinned') {
      for (const pid of [process.pid, server.pid]) pin(pid, '0');
      for (const pid of [guard.proxy.pid, bare.proxy.pid]) pin(pid, '1');
    } else for (const pid of [process.pid, server.pid, guard.proxy.pid, bare.proxy.pid]) pin(pid, allCores);
    await cannon(url + path, {}); // warm-ups
    await cannon(guard.url + path, auth);
    await cannon(bare.url + path, {});
    const runs = { direct: [], bare: [], guard: [] };
    for (let i = 0; i < rounds; i++) {
      runs.direct.push(await cannon(url + path, {}));
      runs.bare.push(await cannon(bare.url + path, {}));
      runs.guard.push(await cannon(guard.url + path, auth));
    }
    const [d, b, g] = [best(runs.direct), best(runs.bare), best(runs.guard)];
    process.stdout.write(`upstream ${kind} (GET ${path}), ${placement}\n${line('direct', d)}\n${line('bare', b)}\n${line('guard', g)}\n`);
    process.stdout.write(`${ratio('bare', b, d)} (reference)\n${ratio('guard', g, d)} (target ≥ 0.80)\nguard/bare throughput ${(g.rps / b.rps).toFixed(2)}\n`);
    // The latency one request pays for the hop, without queueing: one connection, one request at a time, timed in µs
    // (autocannon's latencies are whole ms).
    const [d1, g1] = [await oneByOne(url + path, {}), await oneByOne(guard.url + path, auth)];
    process.stdout.write(`one at a time: direct p50 ${d1.p50.toFixed(3)} ms, guard p50 ${g1.p50.toFixed(3)} ms: added ${(g1.p50 - d1.p50).toFixed(3)} ms at p50 (target ≤ 1 ms); p99 ${d1.p99.toFixed(3)} → ${g1.p99.toFixed(3)} ms\n`);
    failed ||= g.errors > 0;
  }
  for (const c of [guard.proxy, bare.proxy, server]) c.kill('SIGTERM');
}
process.exit(failed ? 1 : 0);
