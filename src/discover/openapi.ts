// src/discover/openapi.ts — OpenAPI 2.0/3.x documents into Surface operations (local $refs resolved, cycles cut).
import { parse as parseYaml } from 'yaml';
import { VouchError } from '../core/index.js';
import type { JsonSchema, Operation, Parameter, ParamLocation } from '../core/index.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface ParsedSpec {
  version: string;
  operations: Operation[];
  warnings: string[];
  /** `servers[].url` / `host`+`basePath` entries, for the scope guard to check. */
  servers: string[];
}

/** Parses JSON or YAML text; throws VOUCH_SPEC_INVALID naming the location when it is neither or not OpenAPI. */
export function parseSpecText(text: string, location: string): Record<string, unknown> {
  let doc: unknown;
  const trimmed = text.trimStart();
  try {
    doc = trimmed.startsWith('{') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new VouchError('VOUCH_SPEC_INVALID', `${location}: not JSON or YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new VouchError('VOUCH_SPEC_INVALID', `${location}: not an OpenAPI document (no top-level object)`);
  const d = doc as Record<string, unknown>;
  if (typeof d.openapi !== 'string' && d.swagger !== '2.0') {
    throw new VouchError('VOUCH_SPEC_INVALID', `${location}: not an OpenAPI document (no "openapi" or "swagger: 2.0" field)`, {
      hint: 'Give an OpenAPI 2.0, 3.0 or 3.1 document with --spec.',
    });
  }
  if (!d.paths || typeof d.paths !== 'object') throw new VouchError('VOUCH_SPEC_INVALID', `${location}: /paths is missing or not an object`);
  return d;
}

/** Resolves a local JSON pointer `#/a/b`. */
function pointer(doc: Record<string, unknown>, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let cur: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Inlines local $refs; a ref met again on its own path is left as `{ $ref }` (recursive schema). */
function deref(doc: Record<string, unknown>, value: unknown, warnings: string[], seen: string[] = [], depth = 0): unknown {
  if (depth > 40 || !value || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => deref(doc, v, warnings, seen, depth + 1));
  const obj = value as Record<string, unknown>;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    if (seen.includes(ref)) return { $ref: ref, 'x-vouch-recursive': true };
    const target = pointer(doc, ref);
    if (target === undefined) {
      warnings.push(`unresolved $ref ${ref}`);
      return {};
    }
    return deref(doc, target, warnings, [...seen, ref], depth + 1);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, deref(doc, v, warnings, seen, depth + 1)]));
}

export function specToOperations(doc: Record<string, unknown>, location: string): ParsedSpec {
  const warnings: string[] = [];
  const version = typeof doc.openapi === 'string' ? doc.openapi : '2.0';
  const v2 = version === '2.0';
  const servers: string[] = [];
  if (Array.isArray(doc.servers)) for (const s of doc.servers) if (s && typeof s.url === 'string') servers.push(s.url);
  if (v2 && typeof doc.host === 'string') servers.push(`//${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`);
  const basePath = v2 && typeof doc.basePath === 'string' && doc.basePath !== '/' ? doc.basePath.replace(/\/$/, '') : '';
  const globalSecurity = Array.isArray(doc.security) ? doc.security : [];
  const operations: Operation[] = [];

  for (const [path, rawItem] of Object.entries(doc.paths as Record<string, unknown>)) {
    if (!rawItem || typeof rawItem !== 'object') {
      warnings.push(`${location}#/paths/${path}: not an object, skipped`);
      continue;
    }
    const item = deref(doc, rawItem, warnings) as Record<string, unknown>;
    const shared = Array.isArray(item.parameters) ? (item.parameters as Record<string, unknown>[]) : [];
    for (const m of METHODS) {
      const op = item[m] as Record<string, unknown> | undefined;
      if (!op || typeof op !== 'object') continue;
      const params: Parameter[] = [];
      let requestBody: Operation['requestBody'];
      const all = [...shared, ...(Array.isArray(op.parameters) ? (op.parameters as Record<string, unknown>[]) : [])];
      for (const p of all) {
        if (typeof p.name !== 'string' || typeof p.in !== 'string') continue;
        if (v2 && p.in === 'body') {
          requestBody = { contentType: 'application/json', ...(p.schema ? { schema: p.schema as JsonSchema } : {}) };
          continue;
        }
        const location = (v2 && p.in === 'formData' ? 'form' : p.in) as ParamLocation;
        const schema = (p.schema as JsonSchema | undefined) ?? (v2 && p.type ? ({ type: p.type, ...(p.enum ? { enum: p.enum } : {}) } as JsonSchema) : undefined);
        const examples = p.example !== undefined ? [p.example] : schema && 'example' in schema ? [schema.example] : undefined;
        params.push({ name: p.name, in: location, ...(p.required === true ? { required: true } : {}), ...(schema ? { schema } : {}), ...(examples ? { examples } : {}) });
      }
      const body = op.requestBody as Record<string, unknown> | undefined;
      if (body && typeof body.content === 'object' && body.content) {
        const content = body.content as Record<string, Record<string, unknown>>;
        const type = Object.keys(content).find((t) => t.includes('json')) ?? Object.keys(content)[0];
        if (type) {
          const media = content[type] ?? {};
          requestBody = { contentType: type, ...(media.schema ? { schema: media.schema as JsonSchema } : {}), ...(media.example !== undefined ? { example: media.example } : {}) };
        }
      }
      const responses: NonNullable<Operation['responses']> = {};
      for (const [status, r] of Object.entries((op.responses as Record<string, Record<string, unknown>>) ?? {})) {
        const content = r?.content as Record<string, Record<string, unknown>> | undefined;
        const type = content ? (Object.keys(content).find((t) => t.includes('json')) ?? Object.keys(content)[0]) : undefined;
        const schema = type ? content?.[type]?.schema : v2 ? r?.schema : undefined;
        const declared = r?.headers && typeof r.headers === 'object' ? Object.entries(r.headers as Record<string, Record<string, unknown> | undefined>) : [];
        const headers = Object.fromEntries(declared.filter(([, h]) => h && typeof h === 'object').map(([name, h]) => [name, { ...(h!.required === true ? { required: true } : {}), ...(h!.schema ? { schema: h!.schema as JsonSchema } : v2 && h!.type ? { schema: { type: h!.type } } : {}) }]));
        responses[status] = { ...(type ? { contentType: type } : {}), ...(schema ? { schema: schema as JsonSchema } : {}), ...(declared.length ? { headers } : {}) };
      }
      const security = Array.isArray(op.security) ? op.security : globalSecurity;
      const auth = security.length === 0 || security.some((s: unknown) => s && typeof s === 'object' && Object.keys(s).length === 0) ? 'none' : 'required';
      const method = m.toUpperCase();
      const fullPath = basePath + path;
      operations.push({
        id: `${method} ${fullPath}`,
        method,
        path: fullPath,
        params,
        ...(requestBody ? { requestBody } : {}),
        responses,
        auth,
        sources: ['spec'],
        ...(Array.isArray(op.tags) ? { tags: op.tags.filter((t): t is string => typeof t === 'string') } : {}),
        ...(typeof op.summary === 'string' ? { summary: op.summary } : {}),
      });
    }
  }
  if (operations.length === 0) warnings.push(`${location}: the document describes no operations`);
  return { version, operations, warnings, servers };
}
