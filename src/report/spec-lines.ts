// src/report/spec-lines.ts — where each operation is written in an OpenAPI document: `METHOD /path` → line, for SARIF.
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Pair } from 'yaml';
import { specLineKey } from './sarif.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Documents longer than this (characters) get no line map: building the YAML tree of a huge document costs seconds. */
export const SPEC_LINES_MAX = 5_000_000;

/** `{var}` in a server URL → the variable's default (as discovery expands it). */
function expandServer(url: string, variables: unknown): string {
  const vars = (variables && typeof variables === 'object' ? variables : {}) as Record<string, { default?: unknown }>;
  return url.replace(/\{([^}]+)\}/gu, (_, name: string) => String(vars[name]?.default ?? ''));
}

/**
 * The path prefixes an operation's path may carry in a report: none, the path of each `servers[].url` (OpenAPI 3)
 * and Swagger 2.0's `basePath`. Discovery prefixes the spec's path key with one of them (the chosen server's).
 */
function basePaths(doc: Record<string, unknown>): string[] {
  const out = [''];
  const add = (raw: string): void => {
    if (!URL.canParse(raw, 'http://base.invalid/')) return;
    const path = new URL(raw, 'http://base.invalid/').pathname.replace(/\/+$/u, '');
    if (!out.includes(path)) out.push(path);
  };
  if (Array.isArray(doc.servers)) {
    for (const s of doc.servers as Array<{ url?: unknown; variables?: unknown } | null>) {
      if (s && typeof s.url === 'string') add(expandServer(s.url, s.variables));
    }
  }
  if (typeof doc.basePath === 'string') add(doc.basePath);
  return out;
}

/**
 * Line (1-based) of every operation of an OpenAPI document given as text (YAML or JSON: JSON is YAML), keyed by
 * `specLineKey(method, path)` — the line of the method's key under `paths` → path. Each operation is also keyed
 * with every server base path in front of its path, so a report's `/api/v1/users` finds `/users` of a document
 * served from `/api/v1`. Pure; a document it cannot read (not a mapping, no `paths`, too long) gives an empty map.
 */
export function specLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  if (text.length > SPEC_LINES_MAX) return lines;
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false });
  const root = doc.contents;
  if (!isMap(root)) return lines;
  const paths = root.get('paths', true);
  if (!isMap(paths)) return lines;
  const servers = root.get('servers', true);
  const prefixes = basePaths({ servers: isSeq(servers) ? servers.toJSON() : undefined, basePath: root.get('basePath') });
  for (const pair of paths.items as Array<Pair<unknown, unknown>>) {
    if (!isScalar(pair.key) || typeof pair.key.value !== 'string' || !isMap(pair.value)) continue;
    const path = pair.key.value;
    for (const op of pair.value.items as Array<Pair<unknown, unknown>>) {
      if (!isScalar(op.key) || typeof op.key.value !== 'string') continue;
      const method = op.key.value.toLowerCase();
      if (!METHODS.includes(method) || !op.key.range) continue;
      const line = counter.linePos(op.key.range[0]).line;
      for (const prefix of prefixes) {
        const key = specLineKey(method, prefix + path);
        if (!lines.has(key)) lines.set(key, line);
      }
    }
  }
  return lines;
}
