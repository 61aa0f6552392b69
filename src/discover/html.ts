// src/discover/html.ts — a light HTML crawler: links and forms of same-origin pages, grouped by route template.
import type { HttpEngine, Operation, Parameter } from '../core/index.js';

export interface CrawlOptions {
  /** Pages fetched at most. Default 50. */
  maxPages?: number;
  /** Link depth from the start page. Default 3. */
  maxDepth?: number;
  /** Operations the crawl adds at most (a page with thousands of links must not make a plan of thousands). Default 500. */
  maxOperations?: number;
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

export interface PageLinks {
  links: string[];
  forms: Array<{ action: string; method: string; fields: Array<{ name: string; type: string; value: string }> }>;
}

/** Extracts links and forms from HTML text (tolerant: HTML that is not HTML yields nothing). */
export function extractLinks(html: string): PageLinks {
  const links: string[] = [];
  for (const m of html.matchAll(/<a\b[^>]*>/gi)) {
    const href = attr(m[0], 'href');
    if (href) links.push(href);
  }
  const forms: PageLinks['forms'] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = `<form ${m[1] ?? ''}>`;
    const fields: PageLinks['forms'][number]['fields'] = [];
    for (const f of (m[2] ?? '').matchAll(/<(input|textarea|select)\b[^>]*>/gi)) {
      const name = attr(f[0], 'name');
      if (!name) continue;
      const type = f[1]?.toLowerCase() === 'input' ? (attr(f[0], 'type') ?? 'text').toLowerCase() : (f[1] ?? 'text').toLowerCase();
      if (type === 'submit' || type === 'button') continue;
      fields.push({ name, type, value: attr(f[0], 'value') ?? '' });
    }
    forms.push({ action: attr(open, 'action') ?? '', method: (attr(open, 'method') ?? 'GET').toUpperCase(), fields });
  }
  return { links, forms };
}

/** Crawls from the target root; each request goes through the engine (and so through the scope guard). */
export async function crawlHtml(engine: HttpEngine, startUrl: string, opts: CrawlOptions = {}): Promise<{ operations: Operation[]; warnings: string[] }> {
  const maxPages = opts.maxPages ?? 50;
  const maxDepth = opts.maxDepth ?? 3;
  const maxOps = opts.maxOperations ?? 500;
  let dropped = 0;
  const origin = new URL(startUrl).origin;
  const ops = new Map<string, Operation>();
  const seenTemplates = new Set<string>();
  const queue: Array<{ url: string; depth: number }> = [{ url: startUrl, depth: 0 }];
  const warnings: string[] = [];
  let fetched = 0;

  const add = (method: string, url: URL, params: Parameter[]): void => {
    const path = routeTemplate(url.pathname);
    const id = `${method} ${path}`;
    const existing = ops.get(id);
    const pathParams: Parameter[] = path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, examples: [url.pathname.split('/').find((s) => /^\d+$/.test(s))] }] : [];
    if (existing) {
      for (const p of params) if (!existing.params.some((q) => q.name === p.name && q.in === p.in)) existing.params.push(p);
      return;
    }
    if (ops.size >= maxOps) {
      dropped++;
      return;
    }
    ops.set(id, { id, method, path, params: [...pathParams, ...params], auth: 'unknown', sources: ['html'] });
  };

  while (queue.length > 0 && fetched < maxPages) {
    const { url, depth } = queue.shift()!;
    const template = routeTemplate(new URL(url).pathname);
    if (seenTemplates.has(template)) continue;
    seenTemplates.add(template);
    fetched++;
    const ex = await engine.send({ method: 'GET', url }, { identity: 'anonymous', checkId: 'discover' });
    const res = ex.response;
    if (!res) continue;
    const type = res.headers.find(([k]) => k === 'content-type')?.[1] ?? '';
    if (res.status >= 400 || !type.includes('html') || res.bodyEncoding === 'base64') continue;
    const here = new URL(url);
    add('GET', here, [...here.searchParams.keys()].map((name) => ({ name, in: 'query' as const, examples: [here.searchParams.get(name)] })));
    const { links, forms } = extractLinks(res.body);
    for (const href of links) {
      let u: URL;
      try {
        u = new URL(href, url);
      } catch {
        continue;
      }
      if (u.origin !== origin) continue; // other origins are never followed (the engine would refuse them too)
      u.hash = '';
      add('GET', u, [...u.searchParams.keys()].map((name) => ({ name, in: 'query' as const, examples: [u.searchParams.get(name)] })));
      if (depth + 1 <= maxDepth) queue.push({ url: u.toString(), depth: depth + 1 });
    }
    for (const form of forms) {
      let u: URL;
      try {
        u = new URL(form.action || url, url);
      } catch {
        continue;
      }
      if (u.origin !== origin) continue;
      const inLoc = form.method === 'GET' ? ('query' as const) : ('form' as const);
      add(form.method, u, form.fields.map((f) => ({ name: f.name, in: inLoc, schema: { type: f.type === 'number' ? 'number' : 'string' }, ...(f.value ? { examples: [f.value] } : {}) })));
      if (form.method === 'GET' && depth + 1 <= maxDepth) queue.push({ url: u.toString(), depth: depth + 1 });
    }
  }
  if (queue.length > 0 && fetched >= maxPages) warnings.push(`HTML crawl stopped at ${maxPages} pages; ${queue.length} links not visited`);
  if (dropped > 0) warnings.push(`HTML crawl kept ${maxOps} operations; ${dropped} more routes found in links and forms were not tested`);
  return { operations: [...ops.values()], warnings };
}
