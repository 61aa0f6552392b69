// src/discover/spec.ts — finds and loads the OpenAPI document (file or URL, external $refs) and picks its server.
import { existsSync, readFileSync } from 'node:fs';
import { VouchError } from '../core/index.js';
import type { HttpEngine, Operation, Target } from '../core/index.js';
import type { UrlGate } from './gate.js';
import { soft404For } from './soft404.js';
import { defaultBasePath, loadExternalRefs, parseSpec, specToOperations } from './openapi.js';

export const SPEC_LOCATIONS = ['/openapi.json', '/swagger.json', '/v3/api-docs', '/api-docs', '/openapi.yaml'];

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
      u = new URL(raw, specUrl);
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
  const specUrl = /^https?:\/\//i.test(base) ? base : `${targetUrl}/`;
  const basePath = await chooseBasePath(doc, specUrl, gate, warnings);
  const parsed = specToOperations(doc, location, { basePath, refs, lineOf, base });
  warnings.push(...parsed.warnings);
  return { location, version: parsed.version, operations: parsed.operations };
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
