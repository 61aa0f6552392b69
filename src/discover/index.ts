// src/discover/index.ts — stage 1: find the live surface (OpenAPI, HTML crawl, GraphQL, HAR, Postman) as a Surface.
import { VouchError } from '../core/index.js';
import type { HttpEngine, Operation, Scope, Surface, Target } from '../core/index.js';
import { createUrlGate } from './gate.js';
import { GRAPHQL_PATHS, discoverGraphql } from './graphql.js';
import { readHar } from './har.js';
import { CRAWL_DEFAULTS, crawlHtml, type CrawlOptions } from './html.js';
import { readPostman } from './postman.js';
import { recordedOperations, type RecordedRequest } from './recorded.js';
import { loadSpec } from './spec.js';
import { exploreSurface, type ExploreOptions } from './surface.js';

export { routeTemplate, extractLinks, extractScriptUrls, parseRobots, parseSitemap } from './html.js';
export { parseSpecText, parseSpec, specToOperations } from './openapi.js';
export { SPEC_LOCATIONS } from './spec.js';
export { createUrlGate, type UrlGate } from './gate.js';
export type { ExploreOptions } from './surface.js';

/** The `discovery:` section of vouch.yaml (docs/discovery.md); every field optional here. */
export interface DiscoverOptions extends CrawlOptions {
  /** Crawl HTML pages from the root. Default true. */
  crawl?: boolean;
  /** Look for GraphQL endpoints and introspect them. Default true. */
  graphql?: boolean;
  /** HAR files whose requests become operations. */
  har?: string[];
  /** Postman v2.1 collections whose requests become operations. */
  postman?: string[];
}

export interface DiscoverInput {
  target: Target;
  engine: HttpEngine;
  /** The scan's scope: URLs found outside it are refused (audit log) and never contacted. Default: the target origin. */
  scope?: Scope;
  /** Crawl HTML pages from the root. Default true (same as `options.crawl`). */
  crawl?: boolean;
  options?: DiscoverOptions;
  /** Browser crawl, shadow routes, observed auth, inferred links (src/discover/surface.ts); absent or false: none. */
  explore?: ExploreOptions | false;
}

/** Same route whatever its parameters are called: `/a/{id}` and `/a/{productId}` match. */
export const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;
const keyOf = (op: Operation): string => (op.graphql ? op.id : routeKey(op.method, op.path));

/** Adds an operation, or merges its source and new parameters into the one already known under its route. */
function merge(ops: Map<string, Operation>, op: Operation): void {
  const known = ops.get(keyOf(op));
  if (!known) {
    ops.set(keyOf(op), op);
    return;
  }
  for (const s of op.sources) if (!known.sources.includes(s)) known.sources.push(s);
  for (const p of op.params) if (!known.params.some((q) => q.name === p.name && q.in === p.in)) known.params.push(p);
  if (!known.requestBody && op.requestBody) known.requestBody = op.requestBody;
}

/** HAR files and Postman collections, read before any request (a bad file stops the scan with a clear error). */
function readRecorded(options: DiscoverOptions): Array<{ file: string; kind: 'har' | 'postman'; requests: RecordedRequest[] }> {
  return [...(options.har ?? []).map((file) => ({ file, kind: 'har' as const, requests: readHar(file) })), ...(options.postman ?? []).map((file) => ({ file, kind: 'postman' as const, requests: readPostman(file) }))];
}

export async function discover(input: DiscoverInput): Promise<Surface> {
  const { target, engine } = input;
  const options = input.options ?? {};
  const warnings: string[] = [];
  const recorded = readRecorded(options);
  const gate = createUrlGate(engine, target.url, input.scope);
  const probe = await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous', checkId: 'discover' });
  if (!probe.response) {
    // A certificate problem is not reachability: say how to trust the certificate instead.
    const tlsProblem = /CERT|UNABLE_TO_VERIFY|ERR_TLS/i.test(probe.error?.code ?? '');
    throw new VouchError('VOUCH_TARGET_UNREACHABLE', `${target.url}: ${probe.error?.message ?? 'no response'}`, {
      hint: tlsProblem
        ? "The target's TLS certificate is not trusted. Give its CA as target.tls.ca (a PEM file) in vouch.yaml, or, for a test deployment, set target.tls.verify: false."
        : 'Check that the target is running and the URL (scheme, host, port) is right.',
    });
  }
  const ops = new Map<string, Operation>();
  let spec = await loadSpec(target, engine, gate, warnings);
  const crawlOn = input.crawl ?? options.crawl ?? true;
  let crawl: Awaited<ReturnType<typeof crawlHtml>> | undefined;
  if (crawlOn) {
    crawl = await crawlHtml(engine, `${target.url}/`, gate, { ...CRAWL_DEFAULTS, ...stripUndefined(options) }, probe);
    warnings.push(...crawl.warnings);
    // Spec links met in pages, when the common locations had none.
    if (!spec && !target.spec && crawl.specUrls.length) spec = await loadSpec(target, engine, gate, warnings, crawl.specUrls, false);
  }
  if (!spec && !target.spec) warnings.push(`no OpenAPI document found at the common locations${crawl?.specUrls.length ? ' or at the spec links in pages' : ''}; the surface comes from the other sources`);
  for (const op of spec?.operations ?? []) merge(ops, op);
  for (const op of crawl?.operations ?? []) merge(ops, op);
  if (options.graphql !== false) {
    const mentioned = new Set(crawl?.graphqlUrls ?? []);
    for (const op of await discoverGraphql(engine, [...GRAPHQL_PATHS, ...mentioned], warnings, mentioned)) merge(ops, op);
  }
  for (const { file, kind, requests } of recorded) {
    const got = await recordedOperations(requests, target.url, gate, kind);
    for (const op of got.operations) merge(ops, op);
    if (got.refused) warnings.push(`${file}: ${got.refused} request${got.refused === 1 ? '' : 's'} outside the scope refused, never sent (see audit.jsonl)`);
    if (got.elsewhere) warnings.push(`${file}: ${got.elsewhere} request${got.elsewhere === 1 ? '' : 's'} to other in-scope origins left out (vouch tests the target)`);
  }
  if (input.explore) await exploreSurface(engine, target, ops, warnings, { ...input.explore, gate });
  const operations = [...ops.values()].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.id.localeCompare(b.id));
  return { target: target.url, operations, warnings, ...(spec ? { spec: { location: spec.location, version: spec.version } } : {}) };
}

function stripUndefined(o: DiscoverOptions): CrawlOptions {
  const out: CrawlOptions = {};
  if (o.maxPages !== undefined) out.maxPages = o.maxPages;
  if (o.maxDepth !== undefined) out.maxDepth = o.maxDepth;
  if (o.samplesPerTemplate !== undefined) out.samplesPerTemplate = o.samplesPerTemplate;
  if (o.timeLimitMs !== undefined) out.timeLimitMs = o.timeLimitMs;
  if (o.robots !== undefined) out.robots = o.robots;
  return out;
}
