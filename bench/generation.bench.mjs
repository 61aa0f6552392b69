// bench/generation.bench.mjs — test-data generation on the lab's request schemas: vouch's compiler (fast-check,
// ajv-checked) against the same run's reference, raw json-schema-faker on the same schemas (no validation);
// then the API family (conformance + reliability checks) scanning the lab candidate: cases per second and the share
// of that wall time spent generating.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSync } from 'json-schema-faker';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'src', 'generate', 'index.js'))) {
  process.stderr.write('bench generation: dist/ is missing; run `npm run setup` first\n');
  process.exit(2);
}
const gen = await import(join(dist, 'src', 'generate', 'index.js'));
const { openApiDocument } = await import(join(dist, 'lab', 'openapi.js'));

// The lab candidate's operations with something to generate, as discovery sees them ($refs resolved).
const doc = openApiDocument('candidate');
const ops = [];
for (const [path, item] of Object.entries(doc.paths)) {
  for (const [method, op] of Object.entries(item)) {
    const params = (op.parameters ?? []).map((p) => ({ name: p.name, in: p.in, required: p.required, schema: p.schema }));
    const media = op.requestBody?.content?.['application/json'];
    ops.push({ id: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, params, ...(media ? { requestBody: { contentType: 'application/json', schema: media.schema, example: media.example } } : {}), auth: 'none', sources: ['spec'] });
  }
}
const withData = ops.filter((o) => o.requestBody || o.params.some((p) => p.in !== 'path'));
const schemas = withData.map((o) => gen.requestSchema(o));
const N = 200;

const time = (fn, rounds = 5) => {
  fn();
  const xs = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    xs.push(performance.now() - t0);
  }
  return xs.sort((a, b) => a - b)[Math.floor(rounds / 2)];
};
const cases = schemas.length * N;
const ours = time(() => schemas.forEach((s, i) => gen.positiveValues(s, i + 1, N)));
const jsf = time(() => schemas.forEach((s, i) => { for (let k = 0; k < N; k++) generateSync(gen.toJsonSchema(s, true), { seed: i * N + k + 1 }); }));
const phases = time(() => withData.forEach((o, i) => gen.generateCases(o, { seed: i, count: 100 })));
console.log(`schemas: ${schemas.length} lab request schemas, ${N} values each (${cases} values)`);
console.log(`reference json-schema-faker (unvalidated): ${jsf.toFixed(1)} ms, ${Math.round(cases / (jsf / 1000))} values/s`);
console.log(`vouch compiler + ajv check:               ${ours.toFixed(1)} ms, ${Math.round(cases / (ours / 1000))} values/s`);
console.log(`ratio vouch / json-schema-faker time: ${(ours / jsf).toFixed(2)}`);
console.log(`all phases (example, boundary, 100 positive, negatives) for ${withData.length} operations: ${phases.toFixed(1)} ms`);

// The API family on the lab candidate, through the CLI's code path.
const { startLab } = await import(join(dist, 'lab', 'server.js'));
const { runScan } = await import(join(dist, 'src', 'engine', 'scan.js'));
const { loadConfig, resolveRun } = await import(join(dist, 'src', 'config', 'index.js'));
const { allChecks } = await import(join(dist, 'src', 'checks', 'index.js'));
const lab = await startLab({ variant: 'candidate', port: 0 });
try {
  const { config } = loadConfig(join(root, 'lab', 'vouch.yaml'));
  const run = resolveRun(config, { url: lab.url });
  const family = allChecks.filter((c) => c.family === 'conformance' || c.family === 'reliability' || c.family === 'authorization');
  const t0 = performance.now();
  const report = await runScan({ run, config, checks: family, scanDir: mkdtempSync(join(tmpdir(), 'vouch-bench-gen-')), seed: 1 });
  const wall = performance.now() - t0;
  const genMs = withData.reduce((s, o, i) => { const a = performance.now(); gen.generateCases(o, { seed: i, count: 100 }); return s + performance.now() - a; }, 0);
  const sent = report.stats.requests.sent;
  console.log(`API family (${family.length} checks) on the lab candidate: ${(wall / 1000).toFixed(1)} s, ${sent} requests, ${Math.round(sent / (wall / 1000))} cases/s, ${report.findings.length} findings`);
  console.log(`generation share of that wall time: ~${((genMs / wall) * 100).toFixed(1)}% (${genMs.toFixed(0)} ms regenerating every operation's cases once)`);
} finally {
  await lab.close();
}
