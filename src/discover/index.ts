// src/discover/index.ts — stage 1: find the live surface (OpenAPI document, HTML crawl) as a Surface.
import { existsSync, readFileSync } from 'node:fs';
import { VouchError } from '../core/index.js';
import type { HttpEngine, Operation, Surface, Target } from '../core/index.js';
import { crawlHtml } from './html.js';
import { parseSpecText, specToOperations } from './openapi.js';
import { exploreSurface, type ExploreOptions } from './surface.js';

export { routeTemplate, extractLinks } from './html.js';
export { parseSpecText, specToOperations } from './openapi.js';
export type { ExploreOptions } from './surface.js';

export const SPEC_LOCATIONS = ['/openapi.json', '/swagger.json', '/v3/api-docs', '/api-docs', '/openapi.yaml'];

export interface DiscoverInput {
  target: Target;
  engine: HttpEngine;
  /** Crawl HTML pages from the root. Default true. */
  crawl?: boolean;
  /** Browser crawl, shadow routes, observed auth, inferred links (src/discover/surface.ts); false: none of them. */
  explore?: ExploreOptions | false;
}

/** Same route whatever its parameters are called: `/a/{id}` and `/a/{productId}` match. */
export const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

async function fetchSpec(engine: HttpEngine, url: string): Promise<{ text: string } | { problem: string }> {
  const ex = await engine.send({ method: 'GET', url, headers: [['accept', 'application/json, application/yaml;q=0.9, */*;q=0.1']] }, { identity: 'anonymous', checkId: 'discover' });
  if (!ex.response) return { problem: ex.error?.message ?? 'no response' };
  if (ex.response.status !== 200) return { problem: `status ${ex.response.status}` };
  return { text: ex.response.body };
}

async function loadSpec(target: Target, engine: HttpEngine, warnings: string[]): Promise<{ doc: Record<string, unknown>; location: string } | undefined> {
  if (target.spec) {
    const spec = target.spec;
    const isFile = !/^https?:\/\//i.test(spec) && (existsSync(spec) || !spec.startsWith('/'));
    if (isFile) {
      if (!existsSync(spec)) throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: spec file not found`, { hint: 'Check the --spec path.' });
      return { doc: parseSpecText(readFileSync(spec, 'utf8'), spec), location: spec };
    }
    const got = await fetchSpec(engine, spec);
    if ('problem' in got) {
      throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: the spec could not be fetched (${got.problem})`, { hint: 'Check the URL, or give the spec as a file with --spec.' });
    }
    return { doc: parseSpecText(got.text, spec), location: spec };
  }
  for (const path of SPEC_LOCATIONS) {
    const got = await fetchSpec(engine, path);
    if ('problem' in got) continue;
    try {
      return { doc: parseSpecText(got.text, path), location: path };
    } catch (e) {
      warnings.push(`${path} answered but is not usable: ${(e as Error).message}`);
    }
  }
  warnings.push(`no OpenAPI document found at ${SPEC_LOCATIONS.join(', ')}; the surface comes from crawling only`);
  return undefined;
}

export async function discover(input: DiscoverInput): Promise<Surface> {
  const { target, engine } = input;
  const warnings: string[] = [];
  const probe = await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous', checkId: 'discover' });
  if (!probe.response) {
    throw new VouchError('VOUCH_TARGET_UNREACHABLE', `${target.url}: ${probe.error?.message ?? 'no response'}`, {
      hint: 'Check that the target is running and the URL (scheme, host, port) is right.',
    });
  }
  const ops = new Map<string, Operation>();
  const spec = await loadSpec(target, engine, warnings);
  let specInfo: Surface['spec'];
  if (spec) {
    const parsed = specToOperations(spec.doc, spec.location);
    warnings.push(...parsed.warnings);
    specInfo = { location: spec.location, version: parsed.version };
    for (const op of parsed.operations) ops.set(routeKey(op.method, op.path), op);
  }
  if (input.crawl !== false) {
    const crawled = await crawlHtml(engine, `${target.url}/`);
    warnings.push(...crawled.warnings);
    for (const op of crawled.operations) {
      const key = routeKey(op.method, op.path);
      const known = ops.get(key);
      if (!known) ops.set(key, op);
      else if (!known.sources.includes('html')) known.sources.push('html');
    }
  }
  if (input.explore !== false) await exploreSurface(engine, target, ops, warnings, input.explore ?? {});
  const operations = [...ops.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
  return { target: target.url, operations, warnings, ...(specInfo ? { spec: specInfo } : {}) };
}
