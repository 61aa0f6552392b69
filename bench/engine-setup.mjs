// bench/engine-setup.mjs — what the engine benchmarks share: the built engine, the forked local server, and the engine
// as the benchmark measures it (bare: scope guard only; supervised: plus a ring of recorded exchanges and an audit log).
// Not a benchmark itself (bench/run.mjs runs *.bench.mjs only).
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The built `src/net` module; exits 2 with `hint` when dist/ is missing. */
export async function loadNet(hint) {
  const entry = join(here, '..', 'dist', 'src', 'net', 'index.js');
  if (!existsSync(entry)) {
    process.stderr.write(`${hint}\n`);
    process.exit(2);
  }
  return import(pathToFileURL(entry).href);
}

/** bench/server.mjs in a process of its own: its URL, and the child to kill when done. */
export async function startServer(execArgv) {
  const server = fork(join(here, 'server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...(execArgv ? { execArgv } : {}) });
  const port = await new Promise((resolve, reject) => {
    server.once('message', (m) => resolve(m.port));
    server.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return { server, url: `http://127.0.0.1:${port}` };
}

/**
 * vouch's engine against the bench server with `connections` connections and budget and rate limit out of the way.
 * Supervised keeps the last 1,000 exchanges in a ring (a scan keeps all: see docs/benchmarks.md) and writes the audit
 * log to `auditPath` through a redactor; bare keeps counts only.
 */
export function benchEngine(net, url, connections, supervised, auditPath) {
  return net.createEngine({
    target: { name: 'bench', url, environment: 'local' },
    scope: { origins: [url], include: [], exclude: [] },
    safeMode: false,
    budget: Number.MAX_SAFE_INTEGER,
    concurrency: connections,
    connectionsPerOrigin: connections,
    ratePerSecond: 1e9,
    record: supervised ? { ring: 1_000 } : 'counts',
    ...(supervised ? { audit: net.createAuditLog(auditPath, net.createRedactor(['bench-secret-value'])) } : {}),
  });
}
