// src/discover/openapi.ts — OpenAPI 2.0/3.0/3.1 documents (JSON or YAML, external $refs) into Surface operations.
import { LineCounter, parseDocument, YAMLParseError } from 'yaml';
import { VouchError } from '../core/index.js';
import type { JsonSchema, Operation, OperationLink, Parameter, ParamLocation } from '../core/index.js';
import { GUARDED_MAX, hasNestedQuantifier, patternRegExp } from '../generate/regex.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export interface ParsedSpec {
  version: string;
  operations: Operation[];
  warnings: string[];
  /** `servers[].url` / `host`+`basePath` entries, for the scope guard to check. */
  servers: string[];
}

/** A parsed document and how to name a place in it: `file#/json/pointer (line n)`. */
export interface SpecText {
  doc: Record<string, unknown>;
  /** Line (1-based) of a JSON pointer in the source text, when known. */
  lineOf: (pointer: string) => number | undefined;
}

const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');
const unescapePointer = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

/** `spec.yaml#/paths/~1a/get (line 4)`. */
export function place(location: string, pointer: string, lineOf?: (p: string) => number | undefined): string {
  const line = lineOf?.(pointer);
  return `${location}#${pointer}${line !== undefined ? ` (line ${line})` : ''}`;
}

/** Offset of the first syntax error in JSON text (a small recursive-descent scan), for naming the line. */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    }
    if (c === '"') return str();
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
    if (!m) fail();
    i += m![0].length;
  };
  const str = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (at) {
    return typeof at === 'number' ? at : undefined;
  }
}

/** JSON documents larger than this (characters) get no line numbers in warnings. */
const LINES_MAX = 5_000_000;

/** Parses JSON or YAML text into a plain value, with line lookup; throws VOUCH_SPEC_INVALID naming the line. */
export function parseDataText(text: string, location: string): { value: unknown; lineOf: SpecText['lineOf'] } {
  const counter = new LineCounter();
  // JSON is parsed by JSON.parse; the YAML tree that gives line numbers is then built only when a warning asks for a
  // line, and not at all past LINES_MAX (a 50 MB document would take seconds and gigabytes for line numbers).
  const isJson = text.trimStart().startsWith('{');
  let yamlDoc: ReturnType<typeof parseDocument> | undefined;
  const tree = (): ReturnType<typeof parseDocument> => (yamlDoc ??= parseDocument(text, { lineCounter: counter, uniqueKeys: false, prettyErrors: true }));
  const lineOf = (pointer: string): number | undefined => {
    if (isJson && text.length > LINES_MAX) return undefined;
    const path = pointer === '' ? [] : pointer.slice(1).split('/').map(unescapePointer);
    const node = tree().getIn(path, true) as { range?: [number, number, number] } | undefined;
    return node?.range ? counter.linePos(node.range[0]).line : undefined;
  };
  if (isJson) {
    try {
      return { value: JSON.parse(text), lineOf };
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message)?.[1];
      const offset = at !== undefined ? Number(at) : jsonErrorOffset(text);
      const line = offset !== undefined ? text.slice(0, offset).split('\n').length : undefined;
      throw new VouchError('VOUCH_SPEC_INVALID', `${location}${line ? ` line ${line}` : ''}: not valid JSON: ${(e as Error).message.split('\n')[0]}`, {
        hint: 'Fix the document (a JSON validator names the exact place), or give another document.',
      });
    }
  }
  const err = tree().errors[0];
  if (err) {
    const line = err instanceof YAMLParseError ? err.linePos?.[0]?.line : undefined;
    throw new VouchError('VOUCH_SPEC_INVALID', `${location}${line ? ` line ${line}` : ''}: not valid YAML: ${err.message.split('\n')[0]}`, {
      hint: 'Fix the document, or give another document.',
    });
  }
  return { value: tree().toJS({ maxAliasCount: 1000 }), lineOf };
}

/** Parses and checks the top level of an OpenAPI document; throws VOUCH_SPEC_INVALID naming the place. */
export function parseSpec(text: string, location: string): SpecText {
  const { value, lineOf } = parseDataText(text, location);
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new VouchError('VOUCH_SPEC_INVALID', `${location}: not an OpenAPI document (no top-level object)`);
  const d = value as Record<string, unknown>;
  const hint = 'Give an OpenAPI 2.0, 3.0 or 3.1 document (--spec for scan and gate, the argument of inspect).';
  // An unquoted `openapi: 3.0` / `swagger: 2.0` in YAML (or a number in JSON) is a number: read it as the version.
  if (typeof d.openapi === 'number') d.openapi = Number.isInteger(d.openapi) ? `${d.openapi}.0` : String(d.openapi);
  if (d.swagger === 2) d.swagger = '2.0';
  if (d.swaggerVersion !== undefined || (d.swagger !== undefined && d.swagger !== '2.0' && /^1\./.test(String(d.swagger)))) {
    throw new VouchError('VOUCH_SPEC_INVALID', `${place(location, d.swaggerVersion !== undefined ? '/swaggerVersion' : '/swagger', lineOf)}: Swagger ${String(d.swaggerVersion ?? d.swagger)} — Swagger 1.x is not supported; convert to 2.0/3.x`, {
      hint: 'Convert it (for example with swagger2openapi, or the converter of your API framework) and give the result with --spec.',
    });
  }
  if (typeof d.openapi !== 'string' && d.swagger !== '2.0') {
    throw new VouchError('VOUCH_SPEC_INVALID', `${location}: not an OpenAPI document (no "openapi" or "swagger: 2.0" field)`, { hint });
  }
  if (typeof d.openapi === 'string' && !/^3\.[01](\.|$)/.test(d.openapi)) {
    throw new VouchError('VOUCH_SPEC_INVALID', `${place(location, '/openapi', lineOf)}: OpenAPI version ${d.openapi} is not supported`, { hint });
  }
  const webhooksOnly = d.paths === undefined && typeof d.openapi === 'string' && d.openapi.startsWith('3.1') && (d.webhooks !== undefined || d.components !== undefined);
  if (webhooksOnly) d.paths = {};
  if (!d.paths || typeof d.paths !== 'object' || Array.isArray(d.paths)) {
    throw new VouchError('VOUCH_SPEC_INVALID', `${d.paths === undefined ? `${location}#/paths` : place(location, '/paths', lineOf)}: ${d.paths === undefined ? 'missing' : 'not an object'}`, { hint });
  }
  return { doc: d, lineOf };
}

/** Parses JSON or YAML text; throws VOUCH_SPEC_INVALID naming the location when it is neither or not OpenAPI. */
export function parseSpecText(text: string, location: string): Record<string, unknown> {
  return parseSpec(text, location).doc;
}

// ---- $refs -----------------------------------------------------------------------------------------------------

/** Documents a spec's `$ref`s point into, by absolute location (file path or URL). */
export type RefDocs = Map<string, Record<string, unknown>>;

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** The absolute location of `ref`'s document part, seen from the document at `base`. */
export function resolveRefLocation(base: string, file: string): string {
  if (isUrl(file)) return file;
  if (isUrl(base)) return new URL(file, base).href;
  const dir = base.replace(/[^/\\]*$/, '');
  const joined = file.startsWith('/') ? file : dir + file;
  // normalize ./ and ../ without node:path (keeps this file free of platform paths)
  const out: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '.' || (seg === '' && out.length > 0)) continue;
    if (seg === '..' && out.length > 0 && out[out.length - 1] !== '..' && out[out.length - 1] !== '') out.pop();
    else out.push(seg);
  }
  return out.join('/');
}

/** Every external `$ref` target reachable from `doc`, loaded with `load` (relative files, URLs); cycles stop. */
export async function loadExternalRefs(
  doc: Record<string, unknown>,
  location: string,
  load: (absolute: string) => Promise<string | { problem: string }>,
  warnings: string[],
  maxDocs = 50,
): Promise<RefDocs> {
  const docs: RefDocs = new Map([[location, doc]]);
  const pending: Array<[string, unknown]> = [[location, doc]];
  while (pending.length > 0) {
    const [base, value] = pending.shift()!;
    const refs = new Set<string>();
    const walk = (v: unknown): void => {
      if (!v || typeof v !== 'object') return;
      if (Array.isArray(v)) return v.forEach(walk);
      const o = v as Record<string, unknown>;
      if (typeof o.$ref === 'string' && !o.$ref.startsWith('#')) refs.add(o.$ref.split('#')[0]!);
      for (const x of Object.values(o)) walk(x);
    };
    walk(value);
    for (const file of refs) {
      const abs = resolveRefLocation(base, file);
      if (docs.has(abs)) continue;
      if (docs.size >= maxDocs) {
        warnings.push(`${base}: more than ${maxDocs} referenced documents; $ref ${file} not loaded`);
        continue;
      }
      const text = await load(abs);
      if (typeof text !== 'string') {
        warnings.push(`${base}: $ref ${file} could not be loaded (${text.problem})`);
        docs.set(abs, {});
        continue;
      }
      try {
        const parsed = parseDataText(text, abs).value;
        const obj = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
        docs.set(abs, obj);
        pending.push([abs, obj]);
      } catch (e) {
        warnings.push(`${base}: $ref ${file}: ${(e as Error).message}`);
        docs.set(abs, {});
      }
    }
  }
  return docs;
}

/** Resolves a JSON pointer `/a/b` in a value. */
function pointer(doc: unknown, frag: string): unknown {
  if (frag === '' || frag === '/') return doc;
  if (!frag.startsWith('/')) return undefined;
  let cur: unknown = doc;
  for (const raw of frag.slice(1).split('/')) {
    const key = unescapePointer(decodeURIComponent(raw));
    if (!cur || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

interface DerefCtx {
  docs: RefDocs;
  warnings: string[];
  /** Where the warnings point (spec location). */
  at: string;
  /**
   * Resolved targets by `location#pointer`, shared by the whole document: a target whose resolution met no
   * recursion is the same object wherever it is used (a DAG, not a copy per use: big specs reuse components
   * thousands of times). Resolved schemas are read-only from here on.
   */
  memo?: Map<string, unknown>;
  /** How many recursive `$ref`s were left in place so far (a resolution that adds none is memoizable). */
  cycles?: number;
  /** Objects visited under the current path item; past DEREF_BUDGET, further `$ref`s are left unresolved. */
  work?: number;
  /** Objects visited in the whole document (shared by its path items); past DEREF_TOTAL, likewise. */
  total: { n: number; warned?: boolean };
}

/** Objects a whole document may unfold into (memory: Microsoft Graph beta, 47 MB, ran out of a 3 GB heap). */
const DEREF_TOTAL = 3_000_000;

/**
 * Objects one path item may unfold into. Mutually recursive components (a dozen types that all refer to each other)
 * unfold exponentially even with cycles cut (bungie.net: 46 s); past this, deeper `$ref`s stay unresolved like
 * recursive ones (optional parts left out, required ones a reason), with a warning.
 */
const DEREF_BUDGET = 50_000;

/** Inlines $refs (local and external); a ref met again on its own path is left as `{ $ref }` (recursive schema). */
function deref(ctx: DerefCtx, base: string, value: unknown, seen: string[] = [], depth = 0): unknown {
  if (depth > 60 || !value || typeof value !== 'object') return value;
  ctx.work = (ctx.work ?? 0) + 1;
  ctx.total.n++;
  if (Array.isArray(value)) return value.map((v) => deref(ctx, base, v, seen, depth + 1));
  const obj = value as Record<string, unknown>;
  if (typeof obj.$ref === 'string') {
    const ref = obj.$ref;
    const hash = ref.indexOf('#');
    const file = hash < 0 ? ref : ref.slice(0, hash);
    const frag = hash < 0 ? '' : ref.slice(hash + 1);
    const docLoc = file ? resolveRefLocation(base, file) : base;
    const key = `${docLoc}#${frag}`;
    if (seen.includes(key)) {
      ctx.cycles = (ctx.cycles ?? 0) + 1;
      return { $ref: ref, 'x-vouch-recursive': true };
    }
    if ((ctx.work > DEREF_BUDGET || ctx.total.n > DEREF_TOTAL) && !ctx.memo?.has(key)) {
      if (ctx.work !== Infinity && !(ctx.total.n > DEREF_TOTAL && ctx.total.warned)) {
        if (ctx.total.n > DEREF_TOTAL) ctx.total.warned = true;
        ctx.warnings.push(
          ctx.total.n > DEREF_TOTAL
            ? `${ctx.at}: the document's schemas unfold into more than ${DEREF_TOTAL} objects in all; from here on, $refs not met before are left unresolved, like recursive ones`
            : `${ctx.at}: its schemas unfold into more than ${DEREF_BUDGET} objects (mutually recursive components); deeper $refs are left unresolved, like recursive ones`,
        );
      }
      ctx.work = Infinity;
      ctx.cycles = (ctx.cycles ?? 0) + 1;
      return { $ref: ref, 'x-vouch-recursive': true };
    }
    const rest = Object.fromEntries(Object.entries(obj).filter(([k]) => k !== '$ref'));
    const hit = ctx.memo?.get(key);
    if (hit !== undefined) return Object.keys(rest).length && hit && typeof hit === 'object' && !Array.isArray(hit) ? { ...hit, ...rest } : hit;
    const doc = ctx.docs.get(docLoc);
    const target = doc === undefined ? undefined : pointer(doc, frag);
    if (target === undefined) {
      ctx.warnings.push(`${ctx.at}: unresolved $ref ${ref}`);
      return {};
    }
    // Sibling keys of a $ref (3.1: description, summary) are kept over the target's.
    const cyclesBefore = ctx.cycles ?? 0;
    const resolved = deref(ctx, docLoc, target, [...seen, key], depth + 1);
    if (ctx.memo && (ctx.cycles ?? 0) === cyclesBefore && depth <= 30) ctx.memo.set(key, resolved);
    return Object.keys(rest).length && resolved && typeof resolved === 'object' && !Array.isArray(resolved) ? { ...resolved, ...rest } : resolved;
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, deref(ctx, base, v, seen, depth + 1)]));
}

// ---- operations ------------------------------------------------------------------------------------------------

export interface SpecOptions {
  /** Path prefix from the chosen server (`/api/v1`); default: a relative `servers[0].url` or Swagger's basePath. */
  basePath?: string;
  /** Documents of external $refs (from loadExternalRefs); default: local refs only. */
  refs?: RefDocs;
  lineOf?: SpecText['lineOf'];
  /** Absolute location (file path or URL) relative $refs resolve against. Default `location`. */
  base?: string;
}

/** `/items/0/id` → `items[].id`; `/data/id` → `data.id`. */
function fieldOfPointer(p: string): string {
  return p
    .replace(/^\//, '')
    .split('/')
    .map(unescapePointer)
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[]` : acc ? `${acc}.${seg}` : seg), '');
}

const preferJson = (types: string[]): string | undefined => types.find((t) => /[/+]json\b/.test(t)) ?? types[0];

/** The default base path a document itself gives: a relative first server, or Swagger 2.0's basePath. */
export function defaultBasePath(doc: Record<string, unknown>): string {
  if (doc.swagger === '2.0') return typeof doc.basePath === 'string' && doc.basePath !== '/' ? doc.basePath.replace(/\/$/, '') : '';
  const first = Array.isArray(doc.servers) ? (doc.servers[0] as { url?: unknown } | undefined) : undefined;
  if (first && typeof first.url === 'string' && first.url.startsWith('/')) return first.url.replace(/\/$/, '');
  return '';
}

/**
 * `[pointer, pattern]` of every `pattern` in the document (as written, before $refs are resolved: linear in its size)
 * that no RegExp accepts or that backtracks catastrophically; at most 50.
 */
function riskyPatterns(doc: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (v: unknown, ptr: string): void => {
    if (!v || typeof v !== 'object' || out.length >= 50) return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${ptr}/${i}`));
    for (const [k, x] of Object.entries(v)) {
      if (k === 'pattern' && typeof x === 'string' && (!patternRegExp(x) || hasNestedQuantifier(x))) out.push([`${ptr}/pattern`, x]);
      else if (k !== 'example' && k !== 'examples' && k !== 'enum' && k !== 'default') walk(x, `${ptr}/${escapePointer(k)}`);
    }
  };
  walk(doc, '');
  return out;
}

export function specToOperations(doc: Record<string, unknown>, location: string, opts: SpecOptions = {}): ParsedSpec {
  const warnings: string[] = [];
  const version = typeof doc.openapi === 'string' ? doc.openapi : '2.0';
  const v2 = version === '2.0';
  const servers: string[] = [];
  if (Array.isArray(doc.servers)) for (const s of doc.servers) if (s && typeof s.url === 'string') servers.push(s.url);
  if (v2 && typeof doc.host === 'string') servers.push(`//${doc.host}${typeof doc.basePath === 'string' ? doc.basePath : ''}`);
  const basePath = opts.basePath ?? defaultBasePath(doc);
  const globalSecurity = Array.isArray(doc.security) ? doc.security : [];
  const v2Consumes = Array.isArray(doc.consumes) ? (doc.consumes as string[]) : [];
  const v2Produces = Array.isArray(doc.produces) ? (doc.produces as string[]) : [];
  const operations: Operation[] = [];
  const refs = opts.refs ?? new Map([[opts.base ?? location, doc]]);
  const byOperationId = new Map<string, string>();
  const pendingLinks: Array<{ op: Operation; at: string; links: Record<string, unknown> }> = [];
  const memo = new Map<string, unknown>();
  const total = { n: 0 };
  const where = (p: string): string => place(location, p, opts.lineOf);

  for (const [path, rawItem] of Object.entries(doc.paths as Record<string, unknown>)) {
    const itemPtr = `/paths/${escapePointer(path)}`;
    if (!rawItem || typeof rawItem !== 'object' || Array.isArray(rawItem)) {
      warnings.push(`${where(itemPtr)}: not an object, skipped`);
      continue;
    }
    const ctx: DerefCtx = { docs: refs, warnings, at: where(itemPtr), memo, total };
    const item = deref(ctx, opts.base ?? location, rawItem) as Record<string, unknown>;
    const shared = Array.isArray(item.parameters) ? (item.parameters as Record<string, unknown>[]) : [];
    for (const m of METHODS) {
      const op = item[m] as Record<string, unknown> | undefined;
      if (op === undefined) continue;
      const opPtr = `${itemPtr}/${m}`;
      if (!op || typeof op !== 'object' || Array.isArray(op)) {
        warnings.push(`${where(opPtr)}: the operation is not an object, skipped`);
        continue;
      }
      if (op.parameters !== undefined && !Array.isArray(op.parameters)) {
        warnings.push(`${where(`${opPtr}/parameters`)}: not a list, skipped`);
        continue;
      }
      const params: Parameter[] = [];
      let requestBody: Operation['requestBody'];
      const all = [...shared, ...((op.parameters as Record<string, unknown>[] | undefined) ?? [])];
      all.forEach((p, i) => {
        if (!p || typeof p.name !== 'string' || typeof p.in !== 'string') {
          warnings.push(`${where(`${opPtr}/parameters/${i}`)}: a parameter without name or in, ignored`);
          return;
        }
        if (v2 && p.in === 'body') {
          const consumes = Array.isArray(op.consumes) ? (op.consumes as string[]) : v2Consumes;
          requestBody = { contentType: preferJson(consumes) ?? 'application/json', ...(p.schema ? { schema: p.schema as JsonSchema } : {}) };
          return;
        }
        if (!['query', 'path', 'header', 'cookie', 'formData'].includes(p.in)) {
          warnings.push(`${where(`${opPtr}/parameters/${i}`)}: parameter ${p.name} has an unknown location "${p.in}", ignored`);
          return;
        }
        const loc = (p.in === 'formData' ? 'form' : p.in) as ParamLocation;
        let schema = p.schema as JsonSchema | undefined;
        if (!schema && p.content && typeof p.content === 'object') schema = (Object.values(p.content as Record<string, { schema?: JsonSchema }>)[0]?.schema);
        if (!schema && v2 && p.type) schema = { type: p.type, ...(p.enum ? { enum: p.enum } : {}), ...(p.format ? { format: p.format } : {}), ...(p.items ? { items: p.items } : {}) } as JsonSchema;
        const examples = p.example !== undefined ? [p.example] : p.examples && typeof p.examples === 'object' ? Object.values(p.examples as Record<string, { value?: unknown }>).map((e) => e?.value).filter((v) => v !== undefined) : schema && 'example' in schema ? [schema.example] : undefined;
        const i2 = params.findIndex((q) => q.name === p.name && q.in === loc);
        const param: Parameter = { name: p.name, in: loc, ...(p.required === true || loc === 'path' ? { required: true } : {}), ...(schema ? { schema } : {}), ...(examples?.length ? { examples } : {}) };
        if (i2 >= 0) params[i2] = param; // an operation's parameter overrides the path item's
        else params.push(param);
      });
      if (v2 && !requestBody && params.some((p) => p.in === 'form')) {
        const consumes = Array.isArray(op.consumes) ? (op.consumes as string[]) : v2Consumes;
        requestBody = { contentType: consumes.find((c) => c.includes('form')) ?? 'application/x-www-form-urlencoded' };
      }
      const body = op.requestBody as Record<string, unknown> | undefined;
      if (body && typeof body.content === 'object' && body.content) {
        const content = body.content as Record<string, Record<string, unknown>>;
        const type = preferJson(Object.keys(content));
        if (type) {
          const media = content[type] ?? {};
          const example = media.example !== undefined ? media.example : media.examples && typeof media.examples === 'object' ? Object.values(media.examples as Record<string, { value?: unknown }>)[0]?.value : undefined;
          requestBody = { contentType: type, ...(media.schema ? { schema: media.schema as JsonSchema } : {}), ...(example !== undefined ? { example } : {}) };
        }
      }
      const responses: NonNullable<Operation['responses']> = {};
      const rawResponses = op.responses;
      if (rawResponses !== undefined && (typeof rawResponses !== 'object' || rawResponses === null || Array.isArray(rawResponses))) {
        warnings.push(`${where(`${opPtr}/responses`)}: not an object, ignored`);
      }
      const method = m.toUpperCase();
      const fullPath = basePath + path;
      const operation: Operation = { id: `${method} ${fullPath}`, method, path: fullPath, params, auth: 'unknown', sources: ['spec'] };
      for (const [status, r] of Object.entries(rawResponses && typeof rawResponses === 'object' && !Array.isArray(rawResponses) ? (rawResponses as Record<string, Record<string, unknown>>) : {})) {
        const content = r?.content as Record<string, Record<string, unknown>> | undefined;
        const produces = Array.isArray(op.produces) ? (op.produces as string[]) : v2Produces;
        const type = content ? preferJson(Object.keys(content)) : v2 && r?.schema ? (preferJson(produces) ?? 'application/json') : undefined;
        const schema = content && type ? content[type]?.schema : v2 ? r?.schema : undefined;
        const declared = r?.headers && typeof r.headers === 'object' ? Object.entries(r.headers as Record<string, Record<string, unknown> | undefined>) : [];
        const headers = Object.fromEntries(declared.filter(([, h]) => h && typeof h === 'object').map(([name, h]) => [name, { ...(h!.required === true ? { required: true } : {}), ...(h!.schema ? { schema: h!.schema as JsonSchema } : v2 && h!.type ? { schema: { type: h!.type } } : {}) }]));
        responses[status] = { ...(type ? { contentType: type } : {}), ...(schema ? { schema: schema as JsonSchema } : {}), ...(declared.length ? { headers } : {}) };
        if (r?.links && typeof r.links === 'object') pendingLinks.push({ op: operation, at: `${opPtr}/responses/${escapePointer(status)}/links`, links: r.links as Record<string, unknown> });
      }
      const security = Array.isArray(op.security) ? op.security : globalSecurity;
      operation.auth = security.length === 0 || security.some((s: unknown) => s && typeof s === 'object' && Object.keys(s).length === 0) ? 'none' : 'required';
      if (requestBody) operation.requestBody = requestBody;
      operation.responses = responses;
      if (Array.isArray(op.tags)) operation.tags = op.tags.filter((t): t is string => typeof t === 'string');
      if (typeof op.summary === 'string') operation.summary = op.summary;
      if (typeof op.operationId === 'string') byOperationId.set(op.operationId, operation.id);
      operations.push(operation);
    }
  }
  // Spec links: `$response.body#/id` feeding another operation's parameter.
  for (const { op, at, links } of pendingLinks) {
    for (const [name, raw] of Object.entries(links)) {
      const link = raw as { operationId?: unknown; operationRef?: unknown; parameters?: unknown } | undefined;
      let consumer: string | undefined;
      if (typeof link?.operationId === 'string') consumer = byOperationId.get(link.operationId);
      else if (typeof link?.operationRef === 'string') {
        const m = /^#\/paths\/([^/]+)\/(\w+)$/.exec(link.operationRef);
        if (m) consumer = `${m[2]!.toUpperCase()} ${basePath}${unescapePointer(decodeURIComponent(m[1]!))}`;
      }
      if (!consumer || !operations.some((o) => o.id === consumer)) {
        warnings.push(`${where(`${at}/${escapePointer(name)}`)}: link ${name} names no operation of this document, ignored`);
        continue;
      }
      for (const [parameter, expr] of Object.entries((link?.parameters as Record<string, unknown> | undefined) ?? {})) {
        const m = typeof expr === 'string' ? /^\$response\.body#(\/.*)$/.exec(expr) : null;
        if (!m) continue;
        const entry: OperationLink = { field: fieldOfPointer(m[1]!), operation: consumer, parameter: parameter.replace(/^(?:path|query|header|cookie)\./, ''), source: 'spec' };
        (op.links ??= []).push(entry);
      }
    }
  }
  // Patterns that are no ECMAScript regex or backtrack catastrophically: said once each, where the document has them.
  for (const [ptr, bad] of riskyPatterns(doc)) {
    warnings.push(
      patternRegExp(bad)
        ? `${where(ptr)}: pattern ${JSON.stringify(bad)} has nested quantifiers (catastrophic backtracking): strings longer than ${GUARDED_MAX} characters are not checked against it`
        : `${where(ptr)}: pattern ${JSON.stringify(bad)} is not an ECMAScript regular expression; that constraint is skipped for generation and validation`,
    );
  }
  if (operations.length === 0) warnings.push(`${location}: the document describes no operations`);
  return { version, operations, warnings, servers };
}
