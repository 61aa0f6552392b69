#!/usr/bin/env node
// bench/engine-cpu.mjs — client CPU per request of one engine path alone (for profiling: run it under --cpu-prof).
// `node bench/engine-cpu.mjs <bare|supervised|undici|undici-controller> [requests]` against bench/server.mjs, forked.
// Not a benchmark of its own (bench/run.mjs runs *.bench.mjs only): it measures one client per process, so a
// profile holds that client's work only. Prints µs of client CPU (user + system) per request for each of 3 runs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchEngine, loadNet, startServer } from './engine-setup.mjs';

const modes = ['bare', 'supervised', 'undici', 'undici-controller'];
const mode = process.argv[2] ?? 'bare';
if (!modes.includes(mode)) {
  process.stderr.write(`engine-cpu: unknown path "${mode}"; one of: ${modes.join(', ')}\n`);
  process.exit(2);
}
const requests = Number(process.argv[3] ?? 60_000);
const connections = 8;
const net = await loadNet('engine-cpu: dist/ is missing. Build it first: `npm run build`.');
const { Agent } = await import('undici');

// The server without this process's flags (--cpu-prof would profile it too).
const { server, url } = await startServer([]);
const dir = mkdtempSync(join(tmpdir(), 'vouch-engine-cpu-'));

let one;
let engine;
if (mode.startsWith('undici')) {
  const agent = new Agent({ connections, pipelining: 1 });
  const opts = () => ({ origin: url, path: '/', method: 'GET', headers: ['user-agent', 'bench'] });
  one =
    mode === 'undici'
      ? () => new Promise((resolve) => agent.dispatch(opts(), { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete: () => resolve(true), onError: () => resolve(false) }))
      : () => new Promise((resolve) => agent.dispatch(opts(), { onRequestStart() {}, onResponseStart() {}, onResponseData() {}, onResponseEnd: () => resolve(true), onResponseError: () => resolve(false) }));
} else {
  engine = benchEngine(net, url, connections, mode === 'supervised', join(dir, 'audit.jsonl'));
  one = () => engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous' }).then((ex) => ex.response?.status === 200);
}

async function run(n) {
  let left = n;
  let ok = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (left-- > 0) if (await one()) ok++;
    }),
  );
  return ok;
}

try {
  await run(20_000); // warm-up
  const cpu = [];
  for (let i = 0; i < 3; i++) {
    const c0 = process.cpuUsage();
    const ok = await run(requests);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / requests);
    if (ok !== requests) process.stdout.write(`${requests - ok} requests failed\n`);
  }
  process.stdout.write(`${mode}: ${cpu.map((c) => c.toFixed(2)).join(', ')} µs client CPU per request (least ${Math.min(...cpu).toFixed(2)})\n`);
} finally {
  if (engine) await engine.close();
  rmSync(dir, { recursive: true, force: true });
  server.kill();
}
