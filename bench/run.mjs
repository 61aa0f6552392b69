#!/usr/bin/env node
// bench/run.mjs — runs benchmarks: `node bench/run.mjs <name> [arg…] [--option value]` runs bench/<name>.bench.mjs
// (its args and the options passed on), no name runs them all (except `targets`, which needs the shared targets).
// Each benchmark runs in its own Node process (no shared JIT or heap state) and prints its own ratio lines.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .map((f) => f.slice(0, -'.bench.mjs'.length))
  .sort();
// Names are bare words; options (`--limit 50`, `--filter=aws`) are passed on to every benchmark run. A bare word that
// is not a benchmark, after one that is, is that benchmark's own argument (`targets dvwa`: the targets to run).
const asked = [];
const passed = [];
const own = new Map();
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const last = asked[asked.length - 1];
  if (!a.startsWith('-') && last !== undefined && !available.includes(a)) own.set(last, [...(own.get(last) ?? []), a]);
  else if (!a.startsWith('-')) asked.push(a);
  else {
    passed.push(a);
    const next = process.argv[i + 1];
    if (!a.includes('=') && next !== undefined && !next.startsWith('-')) passed.push(process.argv[++i]);
  }
}

if (asked.length === 0 && available.length === 0) {
  process.stderr.write('bench: no bench/*.bench.mjs files found\n');
  process.exit(2);
}
for (const name of asked) {
  if (!existsSync(join(here, `${name}.bench.mjs`))) {
    process.stderr.write(`bench: unknown benchmark "${name}"; available: ${available.join(', ')}\n  e.g. npm run bench -- ${available[0] ?? 'engine'}\n`);
    process.exit(2);
  }
}

let failed = 0;
for (const name of asked.length ? asked : available.filter((n) => n !== 'targets')) {
  process.stdout.write(`\n== bench ${name} ==\n`);
  const r = spawnSync(process.execPath, [join(here, `${name}.bench.mjs`), ...(own.get(name) ?? []), ...passed], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`bench: ${name} exited with ${r.status ?? r.signal}\n`);
    failed = r.status === 2 ? 2 : failed || 1;
  }
}
process.exit(failed);
