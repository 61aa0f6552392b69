// bench/guard.bench.mjs — requests through `vouch guard` against the same requests sent directly to the same local
// server, both by autocannon in the same run with the same connections: throughput ratio (target ≥ 0.8) and the p50
// latency the guard adds (target ≤ 1 ms). The server and the guard run in processes of their own.
// Env: BENCH_CONNECTIONS (default 8), BENCH_SECONDS (default 5), BENCH_ROUNDS (default 2; the best run of each counts).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { startServer } from './engine-setup.mjs';

if (!existsSync(join(import.meta.dirname, '..', 'dist', 'src', 'guard', 'server.js'))) {
  process.stderr.write('bench guard: dist/ is missing. Build it first: `npm run build`, then `node bench/run.mjs guard`.\n');
  process.exit(2);
}
const connections = Number(process.env.BENCH_CONNECTIONS ?? 8);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const TOKEN = 'bench-guard-token-0123456789';

const { server, url } = await startServer();
const proxy = fork(join(import.meta.dirname, 'guard-proxy.mjs'), [url, TOKEN], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const guardUrl = await new Promise((resolve, reject) => {
  proxy.once('message', (m) => resolve(m.url));
  proxy.once('exit', (code) => reject(new Error(`guard exited with ${code}`)));
});

async function cannon(target, headers) {
  const r = await autocannon({ url: `${target}/`, connections, pipelining: 1, duration: seconds, headers });
  return { ok: r['2xx'], errors: r.errors + r.timeouts + r.non2xx, rps: r['2xx'] / seconds, p50: r.latency.p50, p99: r.latency.p99 };
}

const best = (runs) => runs.sort((a, b) => b.rps - a.rps)[0];
await cannon(url, {}); // warm-up of the server
await cannon(guardUrl, { authorization: `Bearer ${TOKEN}` }); // warm-up of the guard
const direct = [];
const guarded = [];
for (let i = 0; i < rounds; i++) {
  direct.push(await cannon(url, {}));
  guarded.push(await cannon(guardUrl, { authorization: `Bearer ${TOKEN}` }));
}
const d = best(direct);
const g = best(guarded);
const line = (name, r) => `${name.padEnd(8)} ${r.rps.toFixed(0).padStart(7)} req/s  p50 ${r.p50} ms  p99 ${r.p99} ms  errors ${r.errors}`;
process.stdout.write(`connections ${connections}, ${seconds} s × ${rounds} rounds (best of each)\n${line('direct', d)}\n${line('guard', g)}\n`);
process.stdout.write(`ratio guard/direct throughput ${(g.rps / d.rps).toFixed(2)} (target ≥ 0.80); p50 added ${(g.p50 - d.p50).toFixed(2)} ms (target ≤ 1)\n`);
proxy.kill('SIGTERM');
server.kill('SIGTERM');
process.exit(g.errors ? 1 : 0);
