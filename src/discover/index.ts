// src/discover/index.ts — stage 1: find the live surface (OpenAPI, HTML crawl, GraphQL, HAR, Postman) as a Surface.
import { VouchError } from '../core/index.js';
import type { DiscoverySourceStats, HttpEngine, Operation, Scope, Surface, Target } from '../core/index.js';
import { createUrlGate } from './gate.js';
import { GRAPHQL_PATHS, LATE_GRAPHQL_PATHS, discoverGraphql, graphqlPathsOf } from './graphql.js';
import { readHar } from './har.js';
import { CRAWL_DEFAULTS, crawlHtml, type CrawlOptions } from './html.js';
import { readPostman } from './postman.js';
import { recordedOperations, type RecordedRequest } from './recorded.js';
import { loadSpec } from './spec.js';
import { interruptReason } from '../net/index.js';
import { soft404For } from './soft404.js';
import { exploreSurface, type ExploreOptions } from './surface.js';

export { routeTemplate, extractLinks, parseRobots, parseSitemap } from './html.js';
export { extractScriptUrls } from './scripts.js';
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
  /**
   * Ends discovery early (the scan's interrupt, the stage's deadline): the surface then holds what was found so far,
   * with a warning saying why. Work still running when it fires is left behind after a short grace.
   */
  signal?: AbortSignal;
  /** What discovery is doing now (a step, pages crawled), said whenever it changes. */
  onProgress?: (what: string) => void;
}

/** Thrown inside `discover()` when its signal fires in the middle of a step. */
class Stopped extends Error {}

/** `p`, unless `signal` fires first: then, after `graceMs` for `p` to settle with what it has, `Stopped`. */
function until<T>(p: Promise<T>, signal: AbortSignal | undefined, graceMs = 0): Promise<T> {
  if (!signal) return p;
  p.catch(() => undefined); // a step left behind may still fail; nobody waits for it
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      timer = setTimeout(() => reject(new Stopped(interruptReason(signal))), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    });
  });
}

/** Same route whatever its parameters are called: `/a/{id}` and `/a/{productId}` match. */
export const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;
const keyOf = (op: Operation): string => (op.graphql ? op.id : routeKey(op.method, op.path));

/** Adds an operation (true), or merges its source and new parameters into the one already known under its route. */
function merge(ops: Map<string, Operation>, op: Operation): boolean {
  const known = ops.get(keyOf(op));
  if (!known) {
    ops.set(keyOf(op), op);
    return true;
  }
  for (const s of op.sources) if (!known.sources.includes(s)) known.sources.push(s);
  for (const p of op.params) if (!known.params.some((q) => q.name === p.name && q.in === p.in)) known.params.push(p);
  if (!known.requestBody && op.requestBody) known.requestBody = op.requestBody;
  return false;
}

/** Merges what one source found and notes its work in `stats` (found, added, and what the caller says). */
function mergeFrom(ops: Map<string, Operation>, found: readonly Operation[], stats: DiscoverySourceStats[], entry: Omit<DiscoverySourceStats, 'found' | 'added'>): void {
  let added = 0;
  for (const op of found) if (merge(ops, op)) added++;
  stats.push({ ...entry, found: found.length, added });
}

/** HAR files and Postman collections, read before any request (a bad file stops the scan with a clear error). */
function readRecorded(options: DiscoverOptions): Array<{ file: string; kind: 'har' | 'postman'; requests: RecordedRequest[] }> {
  return [...(options.har ?? []).map((file) => ({ file, kind: 'har' as const, requests: readHar(file) })), ...(options.postman ?? []).map((file) => ({ file, kind: 'postman' as const, requests: readPostman(file) }))];
}

export async function discover(input: DiscoverInput): Promise<Surface> {
  const { target, signal } = input;
  const options = input.options ?? {};
  const warnings: string[] = [];
  const recorded = readRecorded(options);
  const ops = new Map<string, Operation>();
  const stats: DiscoverySourceStats[] = [];
  let spec: Awaited<ReturnType<typeof loadSpec>>;
  try {
    spec = await steps(input, ops, warnings, recorded, stats);
  } catch (e) {
    if (!signal?.aborted) throw e;
  }
  const byRoute = (a: Operation, b: Operation): number => a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.id.localeCompare(b.id);
  let operations = [...ops.values()].sort(byRoute);
  if (signal?.aborted) {
    // Steps left behind may still add to these objects: the surface gets its own copy.
    operations = structuredClone(operations);
    const why = interruptReason(signal);
    warnings.push(`discovery stopped early (${why}): the surface holds the ${operations.length} operations found before`);
  }
  const found = spec ? { spec: { location: spec.location, version: spec.version } } : {};
  const notFound = soft404For(input.engine).profiles();
  const discovery = { sources: structuredClone(stats), ...(notFound.length ? { notFound } : {}) };
  return { target: target.url, operations, warnings: [...warnings], ...found, discovery };
}

/** Discovery's steps in order, each adding to `ops`; returns the OpenAPI document found. Throws `Stopped`. */
async function steps(
  input: DiscoverInput,
  ops: Map<string, Operation>,
  warnings: string[],
  recorded: ReturnType<typeof readRecorded>,
  stats: DiscoverySourceStats[],
): Promise<Awaited<ReturnType<typeof loadSpec>>> {
  const { target, engine, signal } = input;
  const options = input.options ?? {};
  const say = input.onProgress ?? ((): void => undefined);
  const gate = createUrlGate(engine, target.url, input.scope);
  say('first request to the target');
  const probe = await until(engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous', checkId: 'discover' }), signal);
  if (!probe.response) {
    // A certificate problem is not reachability: say how to trust the certificate instead.
    const tlsProblem = /CERT|UNABLE_TO_VERIFY|ERR_TLS/i.test(probe.error?.code ?? '');
    throw new VouchError('VOUCH_TARGET_UNREACHABLE', `${target.url}: ${probe.error?.message ?? 'no response'}`, {
      hint: tlsProblem
        ? "The target's TLS certificate is not trusted. Give its CA as target.tls.ca (a PEM file) in vouch.yaml, or, for a test deployment, set target.tls.verify: false."
        : 'Check that the target is running and the URL (scheme, host, port) is right.',
    });
  }
  say('looking for the OpenAPI document');
  let spec = await until(loadSpec(target, engine, gate, warnings), signal);
  if (spec) mergeFrom(ops, spec.operations, stats, { source: 'spec', stop: `read ${spec.location}` });
  const crawlOn = input.crawl ?? options.crawl ?? true;
  let crawl: Awaited<ReturnType<typeof crawlHtml>> | undefined;
  if (crawlOn) {
    // The crawl stops at the signal by itself and returns its pages: a second to do so before it is left behind.
    const limits = { ...CRAWL_DEFAULTS, ...stripUndefined(options) };
    const html = crawlHtml(engine, `${target.url}/`, gate, limits, probe, { ...(signal ? { signal } : {}), onProgress: say });
    crawl = await until(html, signal, 1_000);
    warnings.push(...crawl.warnings);
    const fromScripts = crawl.operations.filter((o) => o.sources.includes('script'));
    const { fetched, pages, stop } = crawl;
    mergeFrom(ops, crawl.operations.filter((o) => !o.sources.includes('script')), stats, { source: 'html', identity: 'anonymous', requests: fetched, pages, stop });
    const sc = crawl.scripts;
    mergeFrom(ops, fromScripts, stats, { source: 'script', identity: 'anonymous', requests: sc.requests, stop: sc.stop ?? `${sc.candidates} candidates, ${sc.verified} verified` });
    if (signal?.aborted) throw new Stopped(interruptReason(signal));
    // Spec links met in pages, when the common locations had none.
    if (!spec && !target.spec && crawl.specUrls.length) {
      say('fetching the OpenAPI document linked from pages');
      spec = await until(loadSpec(target, engine, gate, warnings, crawl.specUrls, false), signal);
      if (spec) mergeFrom(ops, spec.operations, stats, { source: 'spec', stop: `read ${spec.location} (linked from a page)` });
    }
  }
  if (!spec && !target.spec) warnings.push(`no OpenAPI document found at the common locations${crawl?.specUrls.length ? ' or at the spec links in pages' : ''}; the surface comes from the other sources`);
  const askedGraphql = new Set<string>();
  if (options.graphql !== false) {
    const mentioned = new Set([...(crawl?.graphqlUrls ?? []), ...graphqlPathsOf(ops.values())]);
    say('GraphQL introspection');
    const paths = [...GRAPHQL_PATHS, ...mentioned];
    for (const p of paths) askedGraphql.add(p);
    const graphql = await until(discoverGraphql(engine, paths, warnings, mentioned), signal);
    mergeFrom(ops, graphql, stats, { source: 'graphql' });
  }
  for (const { file, kind, requests } of recorded) {
    const got = await recordedOperations(requests, target.url, gate, kind);
    mergeFrom(ops, got.operations, stats, { source: kind, stop: `read ${file}` });
    if (got.refused) warnings.push(`${file}: ${got.refused} request${got.refused === 1 ? '' : 's'} outside the scope refused, never sent (see audit.jsonl)`);
    if (got.elsewhere) warnings.push(`${file}: ${got.elsewhere} request${got.elsewhere === 1 ? '' : 's'} to other in-scope origins left out (vouch tests the target)`);
  }
  if (input.explore) {
    // The browser crawl ends at the signal by itself (Chromium killed): a moment to hand over its warnings.
    const crawlLimits = crawlOn ? { crawl: { ...CRAWL_DEFAULTS, ...stripUndefined(options) } } : {};
    const explore = { ...input.explore, gate, stats, ...crawlLimits, ...(signal ? { signal } : {}), onProgress: say };
    await until(exploreSurface(engine, target, ops, warnings, explore), signal, 2_000);
  }
  if (options.graphql !== false) await until(lateGraphql(engine, ops, askedGraphql, warnings, stats, say), signal);
  return spec;
}

/**
 * GraphQL endpoints that only HAR/Postman requests, the signed-in crawls or the browser's XHR/fetch met (they all come
 * after the introspection step): introspected too, at most `LATE_GRAPHQL_PATHS` of them.
 */
async function lateGraphql(engine: HttpEngine, ops: Map<string, Operation>, asked: ReadonlySet<string>, warnings: string[], stats: DiscoverySourceStats[], say: (what: string) => void): Promise<void> {
  const late = graphqlPathsOf(ops.values()).filter((p) => !asked.has(p));
  if (!late.length) return;
  say('GraphQL introspection of endpoints the later crawls met');
  const paths = late.slice(0, LATE_GRAPHQL_PATHS);
  if (late.length > paths.length) warnings.push(`${late.length} GraphQL-looking paths met after introspection; the first ${paths.length} were introspected`);
  const graphql = await discoverGraphql(engine, paths, warnings, new Set(paths));
  mergeFrom(ops, graphql, stats, { source: 'graphql', stop: `${paths.length} endpoint${paths.length === 1 ? '' : 's'} met after introspection` });
}

function stripUndefined(o: DiscoverOptions): CrawlOptions {
  const out: CrawlOptions = {};
  if (o.maxPages !== undefined) out.maxPages = o.maxPages;
  if (o.maxDepth !== undefined) out.maxDepth = o.maxDepth;
  if (o.samplesPerTemplate !== undefined) out.samplesPerTemplate = o.samplesPerTemplate;
  if (o.timeLimitMs !== undefined) out.timeLimitMs = o.timeLimitMs;
  if (o.maxIdlePages !== undefined) out.maxIdlePages = o.maxIdlePages;
  if (o.robots !== undefined) out.robots = o.robots;
  return out;
}
