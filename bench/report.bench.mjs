// bench/report.bench.mjs — writing every report format for a 1,000-finding scan: time, HTML size, and the ratio
// against the same run's reference (plain JSON.stringify of the report, the least any writer must do).
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist', 'src', 'report');
if (!existsSync(join(dist, 'index.js'))) {
  process.stderr.write('bench report: dist/ is missing; run `npm run setup` first\n');
  process.exit(2);
}
const { toJson, toSarif, toJunit, toMarkdown, toHtml, renderTerminal } = await import(join(dist, 'index.js'));
const { makeLargeReport } = await import(join(dist, 'fixture.js'));

const N = 1000;
const report = makeLargeReport(N);
const time = (fn, rounds = 5) => {
  fn(); // warm-up
  const samples = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)];
};

const reference = time(() => JSON.stringify(report));
const writers = { json: toJson, sarif: toSarif, junit: toJunit, markdown: toMarkdown, html: toHtml, terminal: (r) => renderTerminal(r, { color: false }) };
let total = 0;
for (const [name, fn] of Object.entries(writers)) {
  const ms = time(() => fn(report));
  total += ms;
  console.log(`${name.padEnd(9)} ${ms.toFixed(1).padStart(8)} ms`);
}
const htmlBytes = Buffer.byteLength(toHtml(report));
console.log(`reference JSON.stringify: ${reference.toFixed(1)} ms`);
console.log(`all formats for ${N} findings: ${total.toFixed(1)} ms (target <= 2000 ms)`);
console.log(`html size: ${(htmlBytes / 1024 / 1024).toFixed(2)} MB (target < 5 MB)`);
console.log(`report writers time ratio (all formats / JSON.stringify): ${(total / reference).toFixed(2)}`);
