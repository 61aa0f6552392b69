// src/discover/html.ts — the HTML crawler: links, forms, scripts, robots.txt and sitemaps, sampled per route template.
import type { Exchange, HttpEngine, JsonSchema, Operation, Parameter } from '../core/index.js';
import type { FoundVia, UrlGate } from './gate.js';
import { interruptReason } from '../net/index.js';
import { discoverScripts, type ScriptDiscovery, type ScriptLimits } from './scripts.js';
import { soft404For } from './soft404.js';

export { extractScriptUrls } from './scripts.js';

export interface CrawlOptions {
  /** Pages (and scripts, sitemaps) fetched at most. Default 200. */
  maxPages?: number;
  /** Link depth from the start page. Default 5. */
  maxDepth?: number;
  /** Pages fetched per route template (`/item/1`, `/item/2` → `/item/{id}`). Default 2. */
  samplesPerTemplate?: number;
  /** Pages fetched in a row that found nothing new (operation, route template, URL) before the crawl ends. Default 25. */
  maxIdlePages?: number;
  /** Wall time for the whole crawl, ms: a ceiling; the page and idle budgets normally end it first. Default 60,000. */
  timeLimitMs?: number;
  /** Read `/robots.txt` and sitemaps. Default true. */
  robots?: boolean;
}

export const CRAWL_DEFAULTS = { maxPages: 200, maxDepth: 5, samplesPerTemplate: 2, maxIdlePages: 25, timeLimitMs: 60_000, robots: true } satisfies Required<CrawlOptions>;

export interface CrawlResult {
  operations: Operation[];
  warnings: string[];
  /** Same-origin URLs that look like an API description (`/openapi.json`, `swagger.yaml`, ...). */
  specUrls: string[];
  /** Same-origin URLs that mention GraphQL. */
  graphqlUrls: string[];
  /** Requests the crawl sent. */
  fetched: number;
  /** Route templates seen. */
  templates: number;
  /** Pages (HTML documents) read. */
  pages: number;
  /** What ended the crawl: `nothing left to visit`, a budget, a stop. */
  stop: string;
  /** What script discovery (src/discover/scripts.ts) found in the scripts the crawl read. */
  scripts: Omit<ScriptDiscovery, 'operations' | 'paths'>;
}

/** `/item/12` → `/item/{id}`; numeric, UUID-like and long hex segments become parameters. */
export function routeTemplate(path: string): string {
  return path
    .split('/')
    .map((seg) => (/^\d+$/.test(seg) || /^[0-9a-f]{8}-[0-9a-f-]{27}$/i.test(seg) || /^[0-9a-f]{16,}$/i.test(seg) ? '{id}' : seg))
    .join('/');
}

const decodeEntities = (s: string): string => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decodeEntities(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
}
const hasAttr = (tag: string, name: string): boolean => new RegExp(`\\s${name}(\\s|=|/?>|$)`, 'i').test(tag);

export interface FormField {
  name: string;
  type: string;
  value: string;
  required?: boolean;
  options?: string[];
}

export interface PageLinks {
  links: string[];
  forms: Array<{ action: string; method: string; enctype?: string; fields: FormField[] }>;
  /** `<script src>` URLs. */
  scripts?: string[];
  /** Inline script text. */
  inline?: string[];
}

/** Extracts links and forms (and scripts, when there are any) from HTML text; HTML that is not HTML yields nothing. */
export function extractLinks(html: string): PageLinks {
  const links: string[] = [];
  for (const m of html.matchAll(/<(?:a|link|area|iframe|frame)\b[^>]*>/gi)) {
    const href = attr(m[0], 'href') ?? attr(m[0], 'src');
    if (href) links.push(href);
  }
  for (const m of html.matchAll(/<meta\b[^>]*http-equiv\s*=\s*["']?refresh[^>]*>/gi)) {
    const url = /url\s*=\s*['"]?([^'">\s]+)/i.exec(attr(m[0], 'content') ?? '')?.[1];
    if (url) links.push(url);
  }
  const forms: PageLinks['forms'] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = `<form ${m[1] ?? ''}>`;
    const fields: FormField[] = [];
    let submitter = false;
    for (const f of (m[2] ?? '').matchAll(/<(textarea|select|button)\b[^>]*>([\s\S]*?)<\/\1\s*>|<input\b[^>]*>/gi)) {
      const tag = f[0].slice(0, f[0].indexOf('>') + 1);
      const name = attr(tag, 'name');
      if (!name) continue;
      const kind = (f[1] ?? 'input').toLowerCase();
      const type = kind === 'input' ? (attr(tag, 'type') ?? 'text').toLowerCase() : kind === 'button' ? (attr(tag, 'type') ?? 'submit').toLowerCase() : kind;
      if (type === 'submit' || type === 'image') {
        // The button a browser submits with sends its name=value (`Login=Login`): servers that check it need it.
        if (!submitter && type === 'submit') fields.push({ name, type: 'submit', value: attr(tag, 'value') ?? (kind === 'button' ? decodeEntities((f[2] ?? '').replace(/<[^>]*>/g, '').trim()) : 'Submit'), required: true });
        submitter = true;
        continue;
      }
      if (type === 'button' || type === 'reset') continue;
      let value = attr(tag, 'value') ?? '';
      let options: string[] | undefined;
      if (kind === 'textarea') value = decodeEntities(f[2] ?? '');
      if (kind === 'select') {
        options = [...(f[2] ?? '').matchAll(/<option\b([^>]*)>([^<]*)/gi)].map((o) => attr(`<o ${o[1] ?? ''}>`, 'value') ?? decodeEntities((o[2] ?? '').trim()));
        const selected = [...(f[2] ?? '').matchAll(/<option\b([^>]*)>([^<]*)/gi)].find((o) => hasAttr(`<o ${o[1] ?? ''}>`, 'selected'));
        value = selected ? (attr(`<o ${selected[1] ?? ''}>`, 'value') ?? (selected[2] ?? '').trim()) : (options[0] ?? '');
      }
      fields.push({ name, type, value, ...(hasAttr(tag, 'required') ? { required: true } : {}), ...(options ? { options } : {}) });
    }
    const enctype = attr(open, 'enctype');
    forms.push({ action: attr(open, 'action') ?? '', method: (attr(open, 'method') ?? 'GET').toUpperCase(), ...(enctype ? { enctype } : {}), fields });
  }
  const out: PageLinks = { links, forms };
  const scripts: string[] = [];
  const inline: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const src = attr(`<script ${m[1] ?? ''}>`, 'src');
    if (src) scripts.push(src);
    else if ((m[2] ?? '').trim()) inline.push(m[2] ?? '');
  }
  if (scripts.length) out.scripts = scripts;
  if (inline.length) out.inline = inline;
  return out;
}

/** robots.txt: Allow/Disallow paths (wildcards cut) and Sitemap URLs. */
export function parseRobots(text: string): { paths: string[]; sitemaps: string[] } {
  const paths = new Set<string>();
  const sitemaps: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(allow|disallow|sitemap)\s*:\s*(\S+)/i.exec(line.replace(/#.*/, ''));
    if (!m) continue;
    const value = m[2] ?? '';
    if (m[1]?.toLowerCase() === 'sitemap') sitemaps.push(value);
    else {
      const path = value.split('*')[0]!.replace(/\$$/, '');
      if (path.startsWith('/') && path !== '/') paths.add(path);
    }
  }
  return { paths: [...paths], sitemaps };
}

/** sitemap.xml: `<loc>` entries, and whether it is a sitemap index (its entries are sitemaps). */
export function parseSitemap(xml: string): { index: boolean; locs: string[] } {
  const index = /<sitemapindex\b/i.test(xml);
  const locs = [...xml.matchAll(/<loc>\s*([^<\s]+)\s*<\/loc>/gi)].map((m) => decodeEntities(m[1] ?? ''));
  return { index, locs };
}

const STATIC = /\.(?:css|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|otf|eot|mp[34]|webm|ogg|wav|pdf|zip|gz|tgz|map)$/i;
const SPEC_PATH = /(?:openapi|swagger|api-docs)[^/]*(?:\.json|\.ya?ml)?$|\/v3\/api-docs$/i;

function fieldSchema(f: FormField): JsonSchema {
  if (f.options?.length) return { type: 'string', enum: f.options };
  switch (f.type) {
    case 'number':
    case 'range':
      return { type: 'number' };
    case 'checkbox':
      return { type: 'string', enum: [f.value || 'on'] };
    case 'submit':
      return { type: 'string', enum: [f.value] };
    case 'email':
      return { type: 'string', format: 'email' };
    case 'url':
      return { type: 'string', format: 'uri' };
    case 'date':
      return { type: 'string', format: 'date' };
    default:
      return { type: 'string' };
  }
}

/**
 * A GET form with two password fields changes a password through a link (`?password_new=…&password_conf=…&Change=…`):
 * any probe of it would change the identity's password, so it is recorded without its submit button, which servers
 * that check the button (DVWA) need to act.
 */
export const changesPasswordByGet = (method: string, fields: ReadonlyArray<{ type: string }>): boolean => method === 'GET' && fields.filter((f) => f.type === 'password').length >= 2;

/** A form's fields as parameters: `in: 'form'` for POST forms, `in: 'query'` for GET forms; defaults are examples. */
export function formParams(method: string, all: FormField[]): Parameter[] {
  const inLoc = method === 'GET' ? ('query' as const) : ('form' as const);
  const fields = changesPasswordByGet(method, all) ? all.filter((f) => f.type !== 'submit') : all;
  return fields.map((f) => ({ name: f.name, in: inLoc, schema: fieldSchema(f), ...(f.required ? { required: true } : {}), ...(f.value ? { examples: [f.value] } : {}) }));
}

/** Distinct last segments under one parent beyond which they are taken as one `{slug}` template. */
export const SLUG_THRESHOLD = 20;

/**
 * Slug routes (`/blog/hello-world`, `/blog/second-post`, ...) are not numeric, so routeTemplate keeps them apart;
 * once a parent has more than SLUG_THRESHOLD distinct leaf segments, they are sampled and listed as `/blog/{slug}`.
 */
function slugTracker(): { see(path: string): void; template(path: string): string; collapse(ops: Operation[]): Operation[] } {
  const children = new Map<string, Set<string>>();
  const split = (path: string): [string, string] => {
    const i = path.lastIndexOf('/');
    return [path.slice(0, i), path.slice(i + 1)];
  };
  const isSlugParent = (parent: string): boolean => (children.get(parent)?.size ?? 0) > SLUG_THRESHOLD;
  return {
    see(path) {
      const [parent, leaf] = split(path);
      if (!parent || !leaf || leaf.includes('{') || leaf.includes('.')) return; // top-level pages stay apart
      let set = children.get(parent);
      if (!set) children.set(parent, (set = new Set()));
      if (set.size <= SLUG_THRESHOLD) set.add(leaf);
    },
    template(path) {
      const [parent, leaf] = split(path);
      return leaf && !leaf.includes('{') && !leaf.includes('.') && isSlugParent(parent) ? `${parent}/{slug}` : path;
    },
    collapse(ops) {
      const out: Operation[] = [];
      const merged = new Map<string, Operation>();
      for (const op of ops) {
        const [parent, leaf] = split(op.path);
        if (op.method !== 'GET' || !leaf || leaf.includes('{') || leaf.includes('.') || !isSlugParent(parent)) {
          out.push(op);
          continue;
        }
        const path = `${parent}/{slug}`;
        let m = merged.get(path);
        if (!m) {
          m = { ...op, id: `GET ${path}`, path, params: [{ name: 'slug', in: 'path', required: true, examples: [] }, ...op.params] };
          merged.set(path, m);
          out.push(m);
        }
        const examples = m.params[0]!.examples!;
        if (examples.length < 5) examples.push(leaf);
        for (const p of op.params) if (!m.params.some((q) => q.name === p.name && q.in === p.in)) m.params.push(p);
      }
      return out;
    },
  };
}

interface Item {
  url: URL;
  depth: number;
  via: FoundVia | 'start';
  /** Weak candidates (robots, sitemap, script strings) become operations only when they answer. */
  weak: boolean;
}

/** Crawls from the target root; every request goes through the engine, every URL found through the gate. */
export async function crawlHtml(
  engine: HttpEngine,
  startUrl: string,
  gate: UrlGate,
  opts: CrawlOptions = {},
  startExchange?: Exchange,
  run: CrawlRun = {},
): Promise<CrawlResult> {
  try {
    return await crawlPages(engine, startUrl, gate, opts, startExchange, run);
  } catch (e) {
    // Interrupted while a page was in flight: what was crawled is in the partial result already handed over.
    if (run.signal?.aborted && run.partial) return run.partial();
    throw e;
  }
}

/** How one crawl is run: its stop signal and progress (not configuration). */
export interface CrawlRun {
  /** Stops the crawl between pages (an interrupt, the discovery deadline); it returns what it has. */
  signal?: AbortSignal;
  /** Pages fetched so far, said as they are fetched. */
  onProgress?: (what: string) => void;
  /** Set by the crawl: the result so far (used when a request in flight is interrupted). */
  partial?: () => CrawlResult;
  /** Whose session the crawl uses (its cookies, its credentials). Default `anonymous`. */
  identity?: string;
  /** Links never fetched (listed only): they would end the session or change state (sign-out, delete, reset). */
  avoid?: (u: URL) => boolean;
  /** Bounds of script discovery. */
  scripts?: ScriptLimits;
}

async function crawlPages(
  engine: HttpEngine,
  startUrl: string,
  gate: UrlGate,
  opts: CrawlOptions,
  startExchange: Exchange | undefined,
  run: CrawlRun,
): Promise<CrawlResult> {
  const o = { ...CRAWL_DEFAULTS, ...opts };
  const identity = run.identity ?? 'anonymous';
  const meta = { identity, checkId: 'discover' };
  const notFound = soft404For(engine);
  const started = Date.now();
  /** Script texts read (same origin, the application's own), for script discovery after the pages. */
  const scriptTexts: string[] = [];
  let scriptBytes = 0;
  const scriptCap = run.scripts?.maxBytes ?? 4_000_000;
  const keepScript = (js: string): void => {
    if (scriptBytes >= scriptCap) return;
    scriptTexts.push(js);
    scriptBytes += js.length;
  };
  let pages = 0;
  let idle = 0;
  const ops = new Map<string, Operation>();
  const samples = new Map<string, number>();
  const queued = new Set<string>();
  const queue: Item[] = [];
  const warnings: string[] = [];
  const specUrls = new Set<string>();
  const graphqlUrls = new Set<string>();
  let fetched = 0;
  let stoppedBy: string | undefined;

  const slugs = slugTracker();
  const add = (method: string, url: URL, params: Parameter[]): void => {
    const path = routeTemplate(url.pathname);
    if (method === 'GET') slugs.see(path);
    const id = `${method} ${path}`;
    const query: Parameter[] = [...url.searchParams.keys()].map((name) => ({ name, in: 'query' as const, examples: [url.searchParams.get(name)] }));
    const all = [...(method === 'GET' ? query : []), ...params];
    const existing = ops.get(id);
    if (existing) {
      for (const p of all) if (!existing.params.some((q) => q.name === p.name && q.in === p.in)) existing.params.push(p);
      return;
    }
    const pathParams: Parameter[] = path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, examples: [url.pathname.split('/').find((s) => routeTemplate(`/${s}`) === '/{id}')] }] : [];
    ops.set(id, { id, method, path, params: [...pathParams, ...all], auth: 'unknown', sources: ['html'] });
  };

  /** Judges a found URL; same-origin ones are queued (once), noted as spec or GraphQL candidates. */
  const found = async (raw: string, base: URL, depth: number, via: FoundVia, weak: boolean, method = 'GET', enqueue = method === 'GET'): Promise<URL | undefined> => {
    if (/^(?:javascript|mailto|tel|data):/i.test(raw.trim())) return undefined;
    let u: URL;
    try {
      u = new URL(raw.trim(), base);
    } catch {
      return undefined;
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.hash = '';
    const verdict = await gate.judge(u, via, method);
    // A page of the target excluded from the scope (`/logout`) is still part of its surface; it is never fetched.
    if (verdict === 'refused' && u.origin === start.origin && !weak && method === 'GET') add('GET', u, []);
    if (verdict !== 'target') return undefined;
    if (run.avoid?.(u)) {
      if (!weak && method === 'GET') add('GET', new URL(u.origin + u.pathname), []); // listed, never fetched
      return undefined;
    }
    if (/graphql/i.test(u.pathname)) graphqlUrls.add(u.pathname);
    if (SPEC_PATH.test(u.pathname)) specUrls.add(u.pathname);
    if (STATIC.test(u.pathname)) {
      // Stylesheets, images, fonts, media and archives hold no links: listed when linked, never fetched.
      if (!weak && via === 'link') add('GET', u, []);
      return u;
    }
    slugs.see(routeTemplate(u.pathname));
    if (enqueue && depth <= o.maxDepth && !queued.has(u.href)) {
      queued.add(u.href);
      queue.push({ url: u, depth, via, weak });
    }
    return u;
  };

  const start = new URL(startUrl);
  queued.add(start.href);
  queue.push({ url: start, depth: 0, via: 'start', weak: false });

  if (o.robots) {
    // Sitemaps named by robots.txt are judged as found there; the rest (default, index entries) as sitemap URLs.
    const sitemaps: Array<{ raw: string; via: FoundVia }> = [];
    const robots = await engine.send({ method: 'GET', url: new URL('/robots.txt', start).href }, meta);
    fetched++;
    if (robots.response?.status === 200 && robots.response.bodyEncoding !== 'base64') {
      const parsed = parseRobots(robots.response.body);
      for (const p of parsed.paths) await found(p, start, 1, 'robots', true);
      sitemaps.push(...parsed.sitemaps.map((raw) => ({ raw, via: 'robots' as const })));
    }
    if (sitemaps.length === 0) sitemaps.push({ raw: '/sitemap.xml', via: 'sitemap' });
    const seenMaps = new Set<string>();
    const more = (): boolean => seenMaps.size < 20 && fetched < o.maxPages && Date.now() - started <= o.timeLimitMs;
    while (sitemaps.length > 0 && !run.signal?.aborted && more()) {
      const { raw, via } = sitemaps.shift()!;
      let u: URL;
      try {
        u = new URL(raw, start);
      } catch {
        continue;
      }
      if (seenMaps.has(u.href)) continue;
      seenMaps.add(u.href);
      if ((await gate.judge(u, via)) !== 'target') continue;
      const ex = await engine.send({ method: 'GET', url: u.href }, meta);
      fetched++;
      if (ex.response?.status !== 200 || ex.response.bodyEncoding === 'base64') continue;
      if (ex.response.truncated) warnings.push(`${u.pathname}: the sitemap was cut at the response size cap; only its first entries were read`);
      const map = parseSitemap(ex.response.body);
      if (map.index) sitemaps.push(...map.locs.map((loc) => ({ raw: loc, via: 'sitemap' as const })));
      else for (const loc of map.locs) await found(loc, u, 1, 'sitemap', true);
    }
  }

  let head = 0; // a moving head: shift() on a 20,000-URL sitemap queue is quadratic
  let scripts: ScriptDiscovery = { operations: [], paths: [], candidates: 0, verified: 0, kept: 0, requests: 0 };
  const result = (): CrawlResult => {
    const who = identity === 'anonymous' ? '' : ` as ${identity}`;
    if (stoppedBy && !stoppedBy.includes('nothing new')) warnings.push(`HTML crawl${who} stopped at ${stoppedBy}; ${queue.length - head} URLs not visited`);
    const operations = [...slugs.collapse([...ops.values()]), ...scripts.operations];
    const { operations: _ops, paths: _paths, ...scriptStats } = scripts;
    return { operations, warnings, specUrls: [...specUrls], graphqlUrls: [...graphqlUrls], fetched, templates: samples.size, pages, stop: stoppedBy ?? 'nothing left to visit', scripts: scriptStats };
  };
  run.partial = () => {
    stoppedBy ??= `a stop (${interruptReason(run.signal)})`;
    return result();
  };
  while (head < queue.length) {
    if (run.signal?.aborted) {
      stoppedBy = `a stop (${interruptReason(run.signal)})`;
      break;
    }
    if (fetched >= o.maxPages) {
      stoppedBy = `${o.maxPages} pages (discovery.maxPages)`;
      break;
    }
    if (Date.now() - started > o.timeLimitMs) {
      stoppedBy = `${o.timeLimitMs} ms (discovery.timeLimitMs)`;
      break;
    }
    if (idle >= o.maxIdlePages) {
      stoppedBy = `${o.maxIdlePages} pages in a row that found nothing new (discovery.maxIdlePages)`;
      break;
    }
    const item = queue[head++]!;
    const template = slugs.template(routeTemplate(item.url.pathname));
    const n = samples.get(template) ?? 0;
    if (n >= o.samplesPerTemplate) {
      if (!item.weak) add('GET', item.url, []);
      continue;
    }
    samples.set(template, n + 1);
    fetched++;
    // Work done so far: a page that adds none of it (operation, template, URL to visit) is an idle one.
    const before = ops.size + samples.size + queue.length;
    await visit(item);
    idle = ops.size + samples.size + queue.length > before ? 0 : idle + 1;
  }
  if (!run.signal?.aborted && scriptTexts.length > 0) {
    run.onProgress?.(`script discovery: ${scriptTexts.length} scripts${identity === 'anonymous' ? '' : ` as ${identity}`}`);
    const known = (method: string, path: string): boolean => ops.has(`${method} ${routeTemplate(path)}`);
    scripts = await discoverScripts(engine, start, gate, scriptTexts, { ...run.scripts, identity, known, ...(run.signal ? { signal: run.signal } : {}) });
    for (const p of scripts.paths) {
      if (/graphql/i.test(p)) graphqlUrls.add(p);
      if (SPEC_PATH.test(p)) specUrls.add(p);
    }
  }
  return result();

  async function visit(item: Item): Promise<void> {
    run.onProgress?.(`HTML crawl${identity === 'anonymous' ? '' : ` as ${identity}`}: ${fetched} requests, ${queue.length - head} URLs queued`);
    // The root was fetched already to see that the target answers: its exchange is reused, not sent again.
    const reuse = item.via === 'start' && startExchange?.response && startExchange.identity === identity ? startExchange : undefined;
    const ex = reuse ?? (await engine.send({ method: 'GET', url: item.url.href }, meta));
    const res = ex.response;
    if (!res) {
      if (!item.weak) add('GET', item.url, []);
      return;
    }
    // The page any unknown path gets (an SPA's index page, a soft 404) is no operation: a weak candidate (robots,
    // sitemap) answered so is not there; a link answered with it is a client-side route, not a server page.
    const fallback = item.via !== 'start' && (item.weak || (res.status >= 200 && res.status < 300)) && (await notFound.matches(ex));
    if (fallback) return;
    const answered = res.status < 400 || res.status === 401 || res.status === 403;
    if (!item.weak || answered) add('GET', item.url, []);
    if (res.status >= 300 && res.status < 400) {
      const loc = res.headers.find(([k]) => k === 'location')?.[1];
      if (loc) await found(loc, item.url, item.depth, 'redirect', item.weak);
      return;
    }
    if (res.status >= 400 || res.bodyEncoding === 'base64') return;
    const type = res.headers.find(([k]) => k === 'content-type')?.[1] ?? '';
    if (/javascript|ecmascript/i.test(type) || (/\.m?js$/.test(item.url.pathname) && !type.includes('html'))) {
      keepScript(res.body);
      return;
    }
    if (!type.includes('html')) return;
    pages++;
    const page = extractLinks(res.body);
    for (const href of page.links) await found(href, item.url, item.depth + 1, 'link', false);
    for (const src of page.scripts ?? []) await found(src, item.url, item.depth + 1, 'script', false);
    for (const js of page.inline ?? []) keepScript(js);
    for (const form of page.forms) {
      const u = await found(form.action || item.url.href, item.url, item.depth + 1, 'form', false, form.method);
      if (u) add(form.method, u, formParams(form.method, form.fields));
    }
  }
}
