// src/discover/postman.ts — a Postman collection (v2.0/v2.1) as a list of recorded requests, folders flattened.
import { readFileSync } from 'node:fs';
import { VouchError } from '../core/index.js';
import type { HeaderList } from '../core/index.js';
import type { RecordedRequest } from './recorded.js';

const bad = (file: string, problem: string): VouchError =>
  new VouchError('VOUCH_CONFIG_INVALID', `${file}: not a usable Postman collection: ${problem}`, { hint: 'Export the collection as "Collection v2.1" from Postman, or fix the path given to --postman.' });

type Vars = Map<string, string>;
const expand = (s: string, vars: Vars): string => s.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (all, name: string) => vars.get(name) ?? all);

interface PmUrl {
  raw?: string;
  protocol?: string;
  host?: string | string[];
  path?: string | string[];
  query?: Array<{ key?: string; value?: string | null; disabled?: boolean }>;
}

function urlOf(url: unknown, vars: Vars): string | undefined {
  if (typeof url === 'string') return expand(url, vars);
  if (!url || typeof url !== 'object') return undefined;
  const u = url as PmUrl;
  if (typeof u.raw === 'string') return expand(u.raw, vars);
  const host = Array.isArray(u.host) ? u.host.join('.') : (u.host ?? '');
  const path = Array.isArray(u.path) ? u.path.join('/') : (u.path ?? '');
  const query = (u.query ?? []).filter((q) => !q.disabled && q.key).map((q) => `${q.key}=${q.value ?? ''}`).join('&');
  return expand(`${u.protocol ? `${u.protocol}://` : ''}${host}/${path}${query ? `?${query}` : ''}`, vars);
}

/** A URL whose host part is still an unknown `{{variable}}` (or missing) becomes a path on the target. */
function onTarget(url: string): string {
  const m = /^(?:https?:\/\/)?\{\{[^}]+\}\}(\/.*)?$/i.exec(url) ?? /^(?:https?:\/\/)?\{\{[^}]+\}\}(\?.*)?$/i.exec(url);
  if (m) return m[1] ?? '/';
  if (/^https?:\/\//i.test(url) || url.startsWith('/')) return url;
  // Postman takes `api.example.com/users` (no scheme) as http: a host-like first segment is a host, judged by scope.
  if (/^(?:localhost|[\w-]+(?:\.[\w-]+)+|\[[\d:a-f]+\])(?::\d+)?(?:[/?]|$)/i.test(url)) return `http://${url}`;
  return `/${url}`;
  return url;
}

/** Reads a Postman collection; throws VOUCH_CONFIG_INVALID naming the file and the problem. */
export function readPostman(file: string): RecordedRequest[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw bad(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message);
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw bad(file, `not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const schema = (doc?.info as { schema?: unknown } | undefined)?.schema;
  if (!Array.isArray(doc?.item)) throw bad(file, 'no item list');
  if (typeof schema === 'string' && !/v2\.[01]/.test(schema)) throw bad(file, `schema ${schema} is not v2.0 or v2.1`);
  const vars: Vars = new Map();
  for (const v of Array.isArray(doc.variable) ? (doc.variable as Array<{ key?: unknown; value?: unknown }>) : []) if (typeof v?.key === 'string') vars.set(v.key, String(v.value ?? ''));
  const out: RecordedRequest[] = [];
  const walk = (items: unknown[], at: string): void => {
    items.forEach((raw, i) => {
      const item = raw as { item?: unknown; request?: unknown; name?: unknown } | null;
      const here = `${at}[${i}]`;
      if (item && Array.isArray(item.item)) return walk(item.item, `${here}.item`);
      const req = item?.request;
      if (req === undefined) throw bad(file, `${here} has neither request nor item`);
      const r = (typeof req === 'string' ? { url: req, method: 'GET' } : req) as { method?: unknown; url?: unknown; header?: unknown; body?: Record<string, unknown> };
      const url = urlOf(r.url, vars);
      if (!url) throw bad(file, `${here}.request has no url`);
      const headers: HeaderList = Array.isArray(r.header) ? (r.header as Array<{ key?: unknown; value?: unknown; disabled?: boolean }>).filter((h) => typeof h?.key === 'string' && !h.disabled).map((h) => [String(h.key).toLowerCase(), expand(String(h.value ?? ''), vars)]) : [];
      let body: RecordedRequest['body'];
      const b = r.body;
      if (b && b.mode === 'raw' && typeof b.raw === 'string') {
        const lang = (b.options as { raw?: { language?: string } } | undefined)?.raw?.language;
        const declared = headers.find(([k]) => k === 'content-type')?.[1];
        body = { contentType: declared ?? (lang === 'json' ? 'application/json' : lang === 'xml' ? 'application/xml' : 'text/plain'), text: expand(b.raw, vars) };
      } else if (b && (b.mode === 'urlencoded' || b.mode === 'formdata') && Array.isArray(b[b.mode])) {
        const pairs = (b[b.mode] as Array<{ key?: unknown; value?: unknown; disabled?: boolean }>).filter((p) => typeof p?.key === 'string' && !p.disabled).map((p): [string, string] => [String(p.key), expand(String(p.value ?? ''), vars)]);
        body = { contentType: b.mode === 'urlencoded' ? 'application/x-www-form-urlencoded' : 'multipart/form-data', text: new URLSearchParams(pairs).toString(), fields: pairs };
      }
      out.push({ method: typeof r.method === 'string' ? r.method : 'GET', url: onTarget(url), headers, ...(body ? { body } : {}), at: `${file} ${here}` });
    });
  };
  walk(doc.item as unknown[], 'item');
  return out;
}
