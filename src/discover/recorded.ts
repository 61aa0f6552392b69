// src/discover/recorded.ts — requests recorded elsewhere (HAR files, Postman collections) into operations, in scope only.
import type { HeaderList, Operation, Parameter, SurfaceSource } from '../core/index.js';
import type { UrlGate } from './gate.js';
import { routeTemplate } from './html.js';

/** One request as a HAR entry or a Postman item gives it. */
export interface RecordedRequest {
  method: string;
  /** Absolute URL, or a path (resolved against the target). */
  url: string;
  headers: HeaderList;
  body?: { contentType: string; text: string; /** Form fields, when the source lists them (multipart). */ fields?: Array<[string, string]> };
  /** Where it came from, for messages: `file.har entry 3`. */
  at: string;
  /** Path parameters the source names (`/users/:id` in Postman). */
  pathParams?: string[];
}

function bodyParams(body: RecordedRequest['body']): { params: Parameter[]; requestBody?: Operation['requestBody'] } {
  if (!body) return { params: [] };
  if (body.fields || /x-www-form-urlencoded/i.test(body.contentType)) {
    const form = new URLSearchParams(body.fields ?? body.text);
    return { params: [...form.keys()].map((name) => ({ name, in: 'form' as const, examples: [form.get(name)] })), requestBody: { contentType: body.contentType } };
  }
  if (/json/i.test(body.contentType)) {
    try {
      return { params: [], requestBody: { contentType: body.contentType, example: JSON.parse(body.text) as unknown } };
    } catch {
      return { params: [], requestBody: { contentType: body.contentType, example: body.text } };
    }
  }
  return { params: [], requestBody: { contentType: body.contentType, example: body.text } };
}

/**
 * Operations of recorded requests on the target; requests to anywhere out of scope are refused through the gate
 * (audit log, stats: never sent) and counted in the returned `refused`.
 */
export async function recordedOperations(requests: RecordedRequest[], targetUrl: string, gate: UrlGate, source: Extract<SurfaceSource, 'har' | 'postman'>): Promise<{ operations: Operation[]; refused: number; elsewhere: number }> {
  const ops = new Map<string, Operation>();
  let refused = 0;
  let elsewhere = 0;
  for (const r of requests) {
    let u: URL;
    try {
      u = new URL(r.url, `${targetUrl}/`);
    } catch {
      continue;
    }
    const verdict = await gate.judge(u, source, r.method);
    if (verdict === 'refused') refused++;
    if (verdict !== 'target') {
      if (verdict === 'other') elsewhere++;
      continue;
    }
    const method = r.method.toUpperCase();
    let path = routeTemplate(decodeURI(u.pathname).replace(/\/:([A-Za-z_]\w*)/g, '/{$1}'));
    if (!path.startsWith('/')) path = `/${path}`;
    const id = `${method} ${path}`;
    const named = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const query: Parameter[] = [...u.searchParams.keys()].map((name) => ({ name, in: 'query' as const, examples: [u.searchParams.get(name)] }));
    const pathParams: Parameter[] = named.map((name) => ({ name, in: 'path' as const, required: true }));
    const { params, requestBody } = bodyParams(r.body);
    const existing = ops.get(id);
    if (existing) {
      for (const p of [...query, ...params]) if (!existing.params.some((q) => q.name === p.name && q.in === p.in)) existing.params.push(p);
      continue;
    }
    ops.set(id, { id, method, path, params: [...pathParams, ...query, ...params], ...(requestBody ? { requestBody } : {}), auth: 'unknown', sources: [source] });
  }
  return { operations: [...ops.values()], refused, elsewhere };
}
