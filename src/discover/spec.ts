// src/discover/spec.ts — finds and loads the OpenAPI document (file or URL, external $refs) and picks its server.
import { existsSync, readFileSync } from 'node:fs';
import { VouchError } from '../core/index.js';
import type { HttpEngine, Operation, Target } from '../core/index.js';
import type { UrlGate } from './gate.js';
import { soft404For } from './soft404.js';
import { defaultBasePath, loadExternalRefs, parseSpec, resolveServerUrl, specToOperations } from './openapi.js';

/**
 * Where frameworks serve their document, most common first: FastAPI `/openapi.json`, springdoc `/v3/api-docs`,
 * NestJS `/swagger-json` and `/api-json`, ASP.NET Swashbuckle `/swagger/v1/swagger.json`, then common mounts.
 */
export const SPEC_LOCATIONS = [
  '/openapi.json',
  '/swagger.json',
  '/v3/api-docs',
  '/api-docs',
  '/openapi.yaml',
  '/swagger-json',
  '/api-json',
  '/swagger/v1/swagger.json',
  '/docs/openapi.json',
  '/api/openapi.json',
  '/api/swagger.json',
  '/api/v1/openapi.json',
  '/openapi.yml',
  '/swagger.yaml',
  '/v2/api-docs',
];

export interface LoadedSpec {
  location: string;
  version: string;
  operations: Operation[];
}

const ACCEPT: [string, string] = ['accept', 'application/json, application/yaml;q=0.9, */*;q=0.1'];

/** GETs a document; redirects are followed (3 hops) when the gate lets them stay on the target. */
async function fetchText(engine: HttpEngine, url: string, gate: UrlGate): Promise<string | { problem: string }> {
  let ex = await engine.send({ method: 'GET', url, headers: [ACCEPT] }, { identity: 'anonymous', checkId: 'discover' });
  for (let hop = 0; hop < 3 && ex.response && ex.response.status >= 300 && ex.response.status < 400; hop++) {
    const loc = ex.response.headers.find(([k]) => k === 'location')?.[1];
    if (!loc || !URL.canParse(loc, ex.request.url)) break;
    const next = new URL(loc, ex.request.url);
    if ((await gate.judge(next, 'redirect')) === 'refused') return { problem: `redirected to ${next.href}, outside the scope: refused, never contacted` };
    ex = await engine.send({ method: 'GET', url: next.href, headers: [ACCEPT] }, { identity: 'anonymous', checkId: 'discover' });
  }
  if (!ex.response) return { problem: ex.error?.message ?? 'no response' };
  if (ex.response.status !== 200) return { problem: `status ${ex.response.status}` };
  if (ex.response.bodyEncoding === 'base64') return { problem: 'binary body' };
  return ex.response.body;
}

/** `{var}` in a server URL → the variable's default. */
function expandServer(url: string, variables: unknown): string {
  const vars = (variables && typeof variables === 'object' ? variables : {}) as Record<string, { default?: unknown }>;
  return url.replace(/\{([^}]+)\}/g, (_, name: string) => String(vars[name]?.default ?? ''));
}

/**
 * The base path of the operations: the first server on the target's origin gives it. Servers out of scope are
 * refused through the gate (audit log, stats) and warned about, never contacted.
 */
export async function chooseBasePath(doc: Record<string, unknown>, specUrl: string, gate: UrlGate, warnings: string[]): Promise<string> {
  const candidates: string[] = [];
  if (Array.isArray(doc.servers)) {
    for (const s of doc.servers as Array<{ url?: unknown; variables?: unknown }>) if (s && typeof s.url === 'string') candidates.push(expandServer(s.url, s.variables));
  }
  if (doc.swagger === '2.0' && typeof doc.host === 'string') {
    const scheme = Array.isArray(doc.schemes) && typeof doc.schemes[0] === 'string' ? doc.schemes[0] : new URL(specUrl).protocol.replace(':', '');
    candidates.push(`${scheme}://${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`);
  }
  let fallback: string | undefined;
  for (const raw of candidates) {
    let u: URL;
    try {
      u = resolveServerUrl(raw, specUrl);
    } catch {
      warnings.push(`OpenAPI server ${raw} is not a URL; ignored`);
      continue;
    }
    const path = u.pathname.replace(/\/$/, '');
    const verdict = await gate.judge(u, 'spec-server');
    if (verdict === 'target') return path;
    fallback ??= path;
    warnings.push(
      verdict === 'refused'
        ? `OpenAPI server ${raw} is outside the scope: refused, never contacted; operations are tested on the target`
        : `OpenAPI server ${raw} is another origin; operations are tested on the target`,
    );
  }
  return fallback ?? defaultBasePath(doc);
}

/** Parses, loads external $refs and builds operations for one document text. */
async function fromText(text: string, location: string, base: string, targetUrl: string, engine: HttpEngine, gate: UrlGate, warnings: string[]): Promise<LoadedSpec> {
  const { doc, lineOf } = parseSpec(text, location);
  const refs = await loadExternalRefs(doc, base, async (abs) => {
    if (/^https?:\/\//i.test(abs)) {
      const verdict = await gate.judge(new URL(abs), 'spec');
      if (verdict === 'refused') return { problem: 'outside the scope: refused, never contacted' };
      return fetchText(engine, abs, gate);
    }
    return existsSync(abs) ? readFileSync(abs, 'utf8') : { problem: 'file not found' };
  }, warnings);
  // Relative servers of a spec read from a file resolve against the target.
  const fromUrl = /^https?:\/\//i.test(base);
  const specUrl = fromUrl ? base : `${targetUrl}/`;
  const basePath = await chooseBasePath(doc, specUrl, gate, warnings);
  const parsed = specToOperations(doc, location, { basePath, refs, lineOf, base });
  warnings.push(...parsed.warnings);
  const specDir = fromUrl ? new URL('./', base).pathname.replace(/\/$/, '') : undefined;
  const chosen = await probeBase(engine, parsed.operations, basePath, targetUrl, specDir, warnings);
  const operations = chosen === basePath ? parsed.operations : rebase(parsed.operations, basePath, chosen);
  return { location, version: parsed.version, operations };
}

/** At most this many documented GETs are sent under each candidate base. */
const PROBES_PER_BASE = 3;

/** `/items/{id}` with its required parameters filled from examples; undefined when one has none (or is a header). */
function probePath(op: Operation, basePath: string): string | undefined {
  let path = op.path.slice(basePath.length);
  const query: string[] = [];
  for (const p of op.params) {
    if (!p.required) continue;
    const s = p.schema;
    const v = p.examples?.[0] ?? s?.example ?? s?.default ?? (Array.isArray(s?.enum) ? s.enum[0] : undefined);
    if (v === undefined || v === null || typeof v === 'object') return undefined;
    if (p.in === 'path') path = path.replace(`{${p.name}}`, encodeURIComponent(String(v)));
    else if (p.in === 'query') query.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(String(v))}`);
    else return undefined;
  }
  if (/\{[^}]*\}/.test(path)) return undefined;
  return query.length ? `${path}?${query.join('&')}` : path;
}

/**
 * How well an answer shows the operation lives there: 0 none (404, 410, no response), 1 doubtful (a 5xx, or a 2xx of
 * another kind than documented: the HTML page a single-page app gives every path), 2 yes.
 */
function answerScore(op: Operation, ex: Awaited<ReturnType<HttpEngine['send']>>): 0 | 1 | 2 {
  const status = ex.response?.status;
  if (status === undefined || status === 404 || status === 410) return 0;
  if (status >= 500) return 1;
  if (status >= 200 && status < 300) {
    const documented = Object.entries(op.responses ?? {}).find(([code]) => /^2/.test(code))?.[1]?.contentType;
    const got = ex.response?.headers.find(([k]) => k === 'content-type')?.[1] ?? '';
    if (documented && /json/i.test(documented) && !/json/i.test(got)) return 1;
  }
  return 2;
}

/**
 * Where the document's operations really answer. When the spec's base path is not the target URL's path, a few
 * documented GETs (no required parameter, or ones with examples) are sent under the spec's base, the target URL +
 * the spec's base, the target URL, the target origin and the document's directory, in that order, at most
 * PROBES_PER_BASE under each; the first base that answers as documented is kept, and a warning says so when it is
 * not the spec's. Nothing answering leaves the spec's base, with a warning.
 */
async function probeBase(
  engine: HttpEngine,
  operations: Operation[],
  specBase: string,
  targetUrl: string,
  specDir: string | undefined,
  warnings: string[],
): Promise<string> {
  const prefix = new URL(`${targetUrl}/`).pathname.replace(/\/+$/, '');
  if (specBase === prefix) return specBase;
  const shown = (b: string): string => b || '/';
  const cost = (p: { op: Operation; path: string }): number =>
    Number(p.op.path.includes('{')) + 2 * Number(p.path.includes('?'));
  const probes = operations
    .filter((o) => o.method === 'GET' && !o.graphql && o.path.startsWith(specBase))
    .map((op) => ({ op, path: probePath(op, specBase) }))
    .filter((p): p is { op: Operation; path: string } => p.path !== undefined)
    // plain paths first, then templated ones, then ones with a query
    .sort((a, b) => cost(a) - cost(b))
    .slice(0, PROBES_PER_BASE);
  // Nothing to ask without inventing parameters: the spec's servers are believed.
  if (probes.length === 0) return specBase;
  const underPrefix = prefix && !specBase.startsWith(prefix) ? prefix + specBase : specBase;
  const candidates = [...new Set([specBase, underPrefix, prefix, '', specDir ?? specBase])];
  const seen: string[] = [];
  let best: { base: string; score: number; said: string } | undefined;
  for (const base of candidates) {
    let score = 0;
    let said = '';
    for (const { op, path } of probes) {
      const ex = await engine.send({ method: 'GET', url: base + path }, { identity: 'anonymous', checkId: 'discover' });
      // A catch-all (an SPA's index page, a JSON 200 for every path) is how the target answers what it does not know.
      const soft = ex.response !== undefined && ex.response.status < 400 && (await soft404For(engine).matches(ex));
      const s = soft ? 0 : answerScore(op, ex);
      const type = ex.response?.headers.find(([k]) => k === 'content-type')?.[1]?.split(';')[0];
      const status = ex.response ? String(ex.response.status) : 'no answer';
      const unlike = soft
        ? `${type ? ` ${type}` : ''}, what any unknown path gets`
        : s === 1 && type && ex.response!.status < 300 ? ` ${type}, not as documented` : '';
      const what = `GET ${base + path} → ${status}${unlike}`;
      seen.push(what);
      if (s > score) [score, said] = [s, what];
      if (s === 2) break;
    }
    if (score > (best?.score ?? 0)) best = { base, score, said };
    if (score === 2) break;
  }
  if (!best) {
    const some = `${seen.slice(0, 3).join('; ')}${seen.length > 3 ? '; …' : ''}`;
    warnings.push(
      `OpenAPI base: no documented GET answered under ${candidates.map(shown).join(', ')} (${some}): ` +
        `operations are tested under ${shown(specBase)}, as the spec's servers say`,
    );
    return specBase;
  }
  if (best.base !== specBase) {
    warnings.push(
      `OpenAPI base: the spec's servers give ${shown(specBase)}, but its operations answer under ${shown(best.base)} ` +
        `(${best.said}; ${seen[0]!}): operations are tested under ${shown(best.base)}`,
    );
  }
  return best.base;
}

/** Operations moved from one base path to another (ids and links follow). */
function rebase(operations: Operation[], from: string, to: string): Operation[] {
  const move = (path: string): string => (path.startsWith(from) ? to + path.slice(from.length) : path);
  const moveId = (id: string): string => id.replace(/^(\S+) (.*)$/, (_, m: string, p: string) => `${m} ${move(p)}`);
  return operations.map((o) => {
    const path = move(o.path);
    const links = o.links?.map((l) => ({ ...l, operation: moveId(l.operation) }));
    return { ...o, id: `${o.method} ${path}`, path, ...(links ? { links } : {}) };
  });
}

/**
 * The spec of a scan: `target.spec` (file, URL, or path on the target) or, when absent, the first usable document
 * at the common locations and then at `found` (spec links met while crawling). Undefined when there is none.
 */
export async function loadSpec(target: Target, engine: HttpEngine, gate: UrlGate, warnings: string[], found: string[] = [], tryCommon = true): Promise<LoadedSpec | undefined> {
  if (target.spec) {
    const spec = target.spec;
    const isFile = !/^https?:\/\//i.test(spec) && (existsSync(spec) || !spec.startsWith('/'));
    if (isFile) {
      if (!existsSync(spec)) throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: spec file not found`, { hint: 'Check the --spec path.' });
      return fromText(readFileSync(spec, 'utf8'), spec, spec, target.url, engine, gate, warnings);
    }
    const url = new URL(spec, `${target.url}/`);
    if ((await gate.judge(url, 'spec')) === 'refused') {
      throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: the spec URL is outside the scope; it was not fetched`, { hint: 'Add its origin to scope.origins, or download it and give the file with --spec.' });
    }
    const got = await fetchText(engine, url.href, gate);
    if (typeof got !== 'string') {
      throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: the spec could not be fetched (${got.problem})`, { hint: 'Check the URL, or give the spec as a file with --spec.' });
    }
    return fromText(got, spec, url.href, target.url, engine, gate, warnings);
  }
  const tried = new Set<string>();
  for (const path of [...(tryCommon ? SPEC_LOCATIONS : []), ...found]) {
    if (tried.has(path)) continue;
    tried.add(path);
    const url = new URL(path, `${target.url}/`).href;
    const got = await fetchText(engine, url, gate);
    if (typeof got !== 'string') continue;
    if (await soft404For(engine).matches({ url, status: 200, body: got })) continue; // what any unknown path gets
    try {
      return await fromText(got, path, url, target.url, engine, gate, warnings);
    } catch (e) {
      if (!(e instanceof VouchError)) throw e;
      warnings.push(`${path} answered but is not usable: ${e.message}`);
    }
  }
  return undefined;
}
