// bench/specs-survey.mjs — one spec of the corpus through parse → operations → cases (one positive, one negative per
// operation), with every case checked; shared by bench/specs.bench.mjs (on dist/) and the corpus test slice (on src/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The modules of dist/ the survey uses. */
export async function distModules() {
  const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
  const [openapi, generate, verify, core, inspect] = await Promise.all([load('src/discover/openapi.js'), load('src/generate/index.js'), load('src/generate/verify.js'), load('src/core/index.js'), load('src/inspect/analyse.js')]);
  return { openapi, generate, verify, core, inspect };
}

const count = (pairs, key) => {
  const e = pairs.find((p) => p[0] === key);
  if (e) e[1]++;
  else pairs.push([key, 1]);
};

/**
 * Surveys one spec file: parseSpec (a VouchError is a rejection, counted by its message's kind), external $refs from
 * disk, then `analyseSpec` — what `vouch inspect` and scans run — with one positive and one negative per operation.
 * Any other exception escapes (the caller records it as a crash), and so does a generator failure analyseSpec
 * caught and turned into a skip. `mods`: openapi, generate, verify, core, inspect (from dist/ or src/).
 */
export async function analyseFile(path, id, mods, opts = {}) {
  const { openapi, generate, verify, core, inspect } = mods;
  const text = readFileSync(path, 'utf8');
  const t0 = performance.now();
  const out = { id, bytes: Buffer.byteLength(text), ms: 0, operations: 0, covered: 0, positives: 0, positivesValid: 0, negatives: 0, negativesExact: 0, timedOut: 0, skipped: [], constructs: [], warnings: [], badNegatives: [], badPositives: [] };
  let spec;
  try {
    spec = openapi.parseSpec(text, path);
  } catch (e) {
    if (!(e instanceof core.VouchError)) throw e;
    out.rejected = verify.reasonKind(e.message.replace(path, '').replace(/^[#:/\w~.-]*\s*(\(line N\))?:?\s*/, ''));
    out.ms = performance.now() - t0;
    return out;
  }
  const loadWarnings = [];
  const refs = await openapi.loadExternalRefs(spec.doc, path, async (abs) => (existsSync(abs) ? readFileSync(abs, 'utf8') : { problem: 'file not found' }), loadWarnings);
  if (opts.maxOps) {
    // Keep the first paths only (the slice test caps its time so).
    const paths = Object.entries(spec.doc.paths);
    if (paths.length > opts.maxOps) spec.doc.paths = Object.fromEntries(paths.slice(0, opts.maxOps));
  }
  const analysis = await inspect.analyseSpec({ doc: spec.doc, location: path, lineOf: spec.lineOf }, { positives: 1, negatives: 1, seed: 1, opBudgetMs: opts.opBudgetMs ?? 2000, refs, warnings: loadWarnings, ...(opts.isolate !== undefined ? { isolate: opts.isolate } : {}) });
  const strip = (w) => verify.reasonKind(w.replace(/^\S+#\S*( \(line \d+\))?: /, '').replace(/^\S+: /, ''));
  for (const w of analysis.warnings) count(out.warnings, strip(w));
  for (const u of analysis.unusable) if (!/no request could be generated/.test(u.reason)) count(out.warnings, verify.reasonKind(u.reason));
  out.operations = analysis.operations.length;
  for (const a of analysis.operations) {
    if (a.skipped && /^the generator failed/.test(a.skipped)) throw new Error(`${a.operation.id}: ${a.skipped}`);
    if (a.timedOut) out.timedOut++;
    if (a.skipped && /did not finish within/.test(a.skipped)) out.stopped = (out.stopped ?? 0) + 1;
    const schema = generate.requestSchema(a.operation);
    const pos = a.cases.filter((c) => c.phase !== 'negative');
    if (pos.length) out.covered++;
    if (a.skipped) {
      count(out.skipped, verify.reasonKind(a.skipped));
      count(out.constructs, verify.constructOf(a.skipped));
    }
    for (const c of pos) {
      out.positives++;
      if (verify.verifyPositive(schema, c.values, analysis.specVersion)) out.positivesValid++;
      else if (out.badPositives.length < 3) out.badPositives.push(`${a.operation.id} (${c.label})`);
    }
    for (const c of a.cases.filter((x) => x.phase === 'negative')) {
      out.negatives++;
      const wrong = verify.verifyNegative(schema, c.values, c.breaks, analysis.specVersion);
      if (!wrong) out.negativesExact++;
      else out.badNegatives.push(verify.reasonKind(wrong));
    }
  }
  out.ms = performance.now() - t0;
  return out;
}
