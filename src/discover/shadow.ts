// src/discover/shadow.ts — shadow routes: a small, bounded wordlist (derived from the spec's path prefixes plus
// common internal, debug and admin paths) probed with GET; what answers, unlike a random path, and is in no spec,
// page or script becomes an operation with source `shadow`.
import type { HttpEngine, Operation } from '../core/index.js';
import { soft404For } from './soft404.js';

/** Common paths probed on every target. */
export const COMMON_SHADOW_PATHS: readonly string[] = [
  '/.env',
  '/debug',
  '/debug/env',
  '/debug/vars',
  '/admin',
  '/actuator',
  '/actuator/env',
  '/metrics',
  '/internal',
  '/status',
  '/config',
  '/console',
];

/** Words tried under each API prefix of the spec (`/api` + `/internal/stats`...). */
export const PREFIX_WORDS: readonly string[] = [
  '/internal',
  '/internal/stats',
  '/internal/metrics',
  '/internal/health',
  '/internal/config',
  '/internal/users',
  '/admin',
  '/admin/users',
  '/debug',
  '/stats',
  '/metrics',
  '/health',
  '/status',
  '/config',
  '/test',
];

/** Probes at most this many paths. */
export const MAX_SHADOW_PROBES = 60;

/** The wordlist for a surface: prefixes of its (spec) paths × PREFIX_WORDS, then the common paths; bounded. */
export function shadowWordlist(operations: readonly Operation[]): string[] {
  const prefixes = new Set<string>();
  for (const op of operations) {
    if (!op.sources.includes('spec')) continue;
    const first = op.path.split('/').filter(Boolean)[0];
    if (first && !first.includes('{')) prefixes.add(`/${first}`);
    const two = op.path.split('/').filter(Boolean).slice(0, 2);
    if (two.length === 2 && /^v\d+$/.test(two[1]!)) prefixes.add(`/${two.join('/')}`);
  }
  const known = new Set(operations.filter((o) => o.method === 'GET').map((o) => o.path));
  const words = [...[...prefixes].sort().flatMap((p) => PREFIX_WORDS.map((w) => p + w)), ...COMMON_SHADOW_PATHS];
  return [...new Set(words)].filter((p) => !known.has(p)).slice(0, MAX_SHADOW_PROBES);
}

/** GET each word; keep what answers 2xx (or 401/403) unlike a random path under the same prefix (soft404.ts). */
export async function probeShadow(engine: HttpEngine, operations: readonly Operation[], concurrency = 6): Promise<{ operations: Operation[]; probed: number }> {
  const words = shadowWordlist(operations);
  const meta = { identity: 'anonymous', checkId: 'discover' };
  const notFound = soft404For(engine);
  const found: Operation[] = [];
  const queue = [...words];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let path = queue.shift(); path; path = queue.shift()) {
        const x = await engine.send({ method: 'GET', url: path }, meta);
        const s = x.response?.status;
        if (s === undefined || !(s < 300 || s === 401 || s === 403)) continue;
        if (await notFound.matches(x)) continue; // a catch-all answers this way for anything
        const type = x.response!.headers.find(([k]) => k === 'content-type')?.[1]?.split(';')[0]?.trim();
        found.push({
          id: `GET ${path}`,
          method: 'GET',
          path,
          params: [],
          auth: s < 300 ? 'none' : 'unknown',
          sources: ['shadow'],
          live: true,
          ...(s < 300 ? { responses: { [String(s)]: type ? { contentType: type } : {} } } : {}),
        });
      }
    }),
  );
  return { operations: found.sort((a, b) => a.path.localeCompare(b.path)), probed: words.length };
}
