// bench/specs-survey.mjs — one spec of the corpus through parse → operations → cases (one positive, one negative per
// operation), with every case checked; shared by bench/specs.bench.mjs (on dist/) and the corpus test slice (on src/).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The modules of dist/ the survey uses. */
export async function distModules() {
  const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
  const [openapi, generate, verify, core] = await Promise.all([load('src/discover/openapi.js'), load('src/generate/index.js'), load('src/generate/verify.js'), load('src/core/index.js')]);
  return { openapi, generate, verify, core };
}

const count = (pairs, key) => {
  const e = pairs.find((p) => p[0] === key);
  if (e) e[1]++;
  else pairs.push([key, 1]);
};

/**
 * Surveys one spec file. `mods` gives parseSpec/loadExternalRefs/specToOperations, generateCases/requestSchema,
 * verifyPositive/verifyNegative/constructOf/reasonKind and VouchError. A VouchError is a rejection (with its
 * message's kind); any other exception escapes (the caller records it as a crash).
 */
export async function analyseFile(path, id, mods, opts = {}) {
  const { openapi, generate, verify, core } = mods;
  const text = readFileSync(path, 'utf8');
  const t0 = performance.now();
  const out = { id, bytes: Buffer.byteLength(text), ms: 0, operations: 0, covered: 0, positives: 0, positivesValid: 0, negatives: 0, negativesExact: 0, timedOut: 0, skipped: [], constructs: [], warnings: [], badNegatives: [], badPositives: [] };
  let spec;
  try {
    spec = openapi.parseSpec(text, id);
  } catch (e) {
    if (!(e instanceof core.VouchError)) throw e;
    out.rejected = verify.reasonKind(e.message.replace(id, '').replace(/^[#:/\w~.-]*\s*(\(line N\))?:?\s*/, ''));
    out.ms = performance.now() - t0;
    return out;
  }
  const warnings = [];
  const refs = await openapi.loadExternalRefs(spec.doc, path, async (abs) => (existsSync(abs) ? readFileSync(abs, 'utf8') : { problem: 'file not found' }), warnings);
  const parsed = openapi.specToOperations(spec.doc, id, { refs, base: path, lineOf: spec.lineOf });
  warnings.push(...parsed.warnings);
  for (const w of warnings) count(out.warnings, verify.reasonKind(w.replace(/^\S+#\S*( \(line \d+\))?: /, '').replace(/^\S+: /, '')));
  const ops = opts.maxOps ? parsed.operations.slice(0, opts.maxOps) : parsed.operations;
  out.operations = ops.length;
  for (const [i, op] of ops.entries()) {
    const o0 = performance.now();
    const set = generate.generateCases(op, { seed: i + 1, count: 1, negatives: 1, specVersion: parsed.version, phases: ['example', 'positive', 'negative'] });
    if (opts.opBudgetMs && performance.now() - o0 > opts.opBudgetMs) out.timedOut++;
    const schema = generate.requestSchema(op);
    const pos = set.cases.filter((c) => c.phase === 'positive' || c.phase === 'example');
    if (pos.length) out.covered++;
    if (set.skipped) {
      count(out.skipped, verify.reasonKind(set.skipped));
      count(out.constructs, verify.constructOf(set.skipped));
    }
    for (const c of pos) {
      out.positives++;
      if (verify.verifyPositive(schema, c.values, parsed.version)) out.positivesValid++;
      else if (out.badPositives.length < 3) out.badPositives.push(`${op.id} (${c.label})`);
    }
    for (const c of set.cases.filter((x) => x.phase === 'negative')) {
      out.negatives++;
      const wrong = verify.verifyNegative(schema, c.values, c.breaks, parsed.version);
      if (!wrong) out.negativesExact++;
      else out.badNegatives.push(verify.reasonKind(wrong));
    }
  }
  out.ms = performance.now() - t0;
  return out;
}
