// src/inspect/analyse.ts — the offline spec pipeline (parse → surface → generate), in-process, sending nothing.
import { VouchError } from '../core/index.js';
import type { Identity, JsonSchema, Operation } from '../core/index.js';
import type { AnyCheck } from '../checks/kit/define.js';
import { plan as planTasks } from '../plan/index.js';
import { defaultBasePath, parseSpec, place, resolveServerUrl, specToOperations, type RefDocs, type SpecText } from '../discover/openapi.js';
import { mergeAllOf, type GeneratedCase } from '../generate/index.js';
import { casesFor, type CaseOptions, type CaseResult } from './cases.js';
import { canIsolate, generateIsolated } from './isolate.js';

export type { GeneratedCase } from '../generate/index.js';
export type { RefDocs } from '../discover/openapi.js';

export interface AnalysedOperation {
  operation: Operation;
  tags: string[];
  /** Security scheme names the operation accepts ([] = none declared). */
  security: string[];
  /** One-line summary of the request body schema (`application/json {name: string, qty?: integer}`). */
  body?: string;
  /** Positive cases first (spec example, boundaries, generated), then negative ones. */
  cases: GeneratedCase[];
  /** Why the generator could not produce (all) cases for this operation. */
  skipped?: string;
  /** Generation stopped at the per-operation time budget (the cases made so far are kept). */
  timedOut?: boolean;
  /** Milliseconds spent generating this operation's cases. */
  ms: number;
  /** What a scan would plan for this operation (opts.plan), with the reason for each check left out. */
  plan?: OperationPlan;
}

export interface OperationPlan {
  safeMode: boolean;
  /** Check ids a scan would run on this operation. */
  checks: string[];
  /** Checks left out, and why (safe mode, method, no parameters, needs a signed-in identity...). */
  skipped: Array<{ checkId: string; reason: string }>;
}

export interface SpecAnalysis {
  location: string;
  specVersion: string;
  title?: string;
  operations: AnalysedOperation[];
  /** Each names the JSON pointer and YAML line, as the parser words them (parts ignored, operation kept). */
  warnings: string[];
  /** Operations, path items and $refs the parser dropped, operations the generator could not make a request for. */
  unusable: Array<{ where: string; reason: string }>;
  /** Where requests would go: the spec's first server (or host), else the spec URL's origin, else `{baseUrl}`. */
  baseUrl?: string;
  /** Declared security schemes by name (3.x components.securitySchemes, 2.0 securityDefinitions). */
  schemes?: Record<string, SecurityScheme>;
}

export interface SecurityScheme {
  /** apiKey, http, oauth2, openIdConnect, mutualTLS, basic (2.0). */
  type: string;
  /** apiKey: header, query or cookie. */
  in?: string;
  /** apiKey: the header, query or cookie name. */
  name?: string;
  /** http: bearer, basic, digest... */
  scheme?: string;
}

export interface AnalyseOptions {
  positives: number;
  negatives: number;
  seed: number;
  /** Per-operation generation budget in ms (checked between generation phases). Default 2000. */
  opBudgetMs?: number;
  /**
   * Generate in a worker thread that is stopped when one operation runs past this (a generation that never ends).
   * Default 2 × opBudgetMs + 1 s. Used when `isolate` (default: when the compiled worker exists, i.e. from dist/).
   */
  opHardLimitMs?: number;
  isolate?: boolean;
  /** Documents of external $refs (loadExternalRefs); default: local refs only. */
  refs?: RefDocs;
  /** Warnings met before analysing (loading external $refs), sorted into warnings and unusable like the parser's. */
  warnings?: readonly string[];
  /**
   * Plan these checks (the registry, passed in like the engine is given it) on each operation as a scan would;
   * identities default to anonymous + one signed-in user. Without it, no plan.
   */
  plan?: { checks: readonly AnyCheck[]; safeMode: boolean; identities?: Identity[] };
  /** Called once the operations are known (done = 0), then after each one (for progress on large specs). */
  onProgress?: (done: number, total: number) => void;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const escapePointer = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Security scheme names per `METHOD path` (path as the document writes it). */
function securityByOperation(doc: Record<string, unknown>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const names = (reqs: unknown): string[] => {
    if (!Array.isArray(reqs)) return [];
    const set = new Set<string>();
    for (const r of reqs) if (r && typeof r === 'object' && !Array.isArray(r)) for (const k of Object.keys(r)) set.add(k);
    return [...set];
  };
  const global = names(doc.security);
  const paths = doc.paths && typeof doc.paths === 'object' ? (doc.paths as Record<string, unknown>) : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!item || typeof item !== 'object') continue;
    for (const m of METHODS) {
      const op = (item as Record<string, unknown>)[m];
      if (!op || typeof op !== 'object') continue;
      const sec = (op as Record<string, unknown>).security;
      out.set(`${m.toUpperCase()} ${path}`, Array.isArray(sec) ? names(sec) : global);
    }
  }
  return out;
}

const TYPE_WORDS = (s: JsonSchema): string => {
  if (Array.isArray(s.type)) return (s.type as unknown[]).map(String).join('|');
  if (typeof s.type === 'string') return s.type;
  if (s.properties) return 'object';
  if (s.items) return 'array';
  if (Array.isArray(s.oneOf)) return 'oneOf';
  if (Array.isArray(s.anyOf)) return 'anyOf';
  return 'any';
};

/** A schema in a few words: `{id: integer, name: string, tags?: string[]}`; cut at `max` characters. */
export function summariseSchema(schema: JsonSchema | undefined, max = 160): string {
  const one = (s0: unknown, depth: number): string => {
    if (!s0 || typeof s0 !== 'object') return 'any';
    const s = mergeAllOf(s0 as JsonSchema);
    if (s['x-vouch-recursive']) return `(recursive ${String(s.$ref ?? '')})`;
    if (Array.isArray(s.enum)) return `enum(${(s.enum as unknown[]).slice(0, 4).map((v) => JSON.stringify(v)).join('|')}${s.enum.length > 4 ? '|…' : ''})`;
    const alt = (Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined) as unknown[] | undefined;
    if (alt && !s.properties) return depth > 2 ? (s.oneOf ? 'oneOf' : 'anyOf') : alt.slice(0, 3).map((x) => one(x, depth + 1)).join(' | ') + (alt.length > 3 ? ' | …' : '');
    const t = TYPE_WORDS(s);
    if (t === 'array') return `${depth > 2 ? 'any' : one(s.items, depth + 1)}[]`;
    if (t === 'object' || s.properties) {
      const props = Object.entries((s.properties ?? {}) as Record<string, unknown>);
      if (props.length === 0) return 'object';
      if (depth > 1) return '{…}';
      const req = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
      return `{${props.map(([k, v]) => `${k}${req.has(k) ? '' : '?'}: ${one(v, depth + 1)}`).join(', ')}}`;
    }
    return `${t}${typeof s.format === 'string' ? `(${s.format})` : ''}`;
  };
  const text = one(schema, 0);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `location#/pointer (line n): message` → where + reason. */
function splitWarning(w: string): { where: string; reason: string } {
  const m = /^(.*?#[^\s]*(?: \(line \d+\))?): (.*)$/s.exec(w) ?? /^(.*?): (.*)$/s.exec(w);
  return m ? { where: m[1]!, reason: m[2]! } : { where: '', reason: w };
}

/**
 * Parser warnings that mean a whole operation, path item or referenced document was left out ("unusable"); the
 * others (a parameter, `responses` or a link ignored) leave the operation in, tested without that part.
 */
const DROPPED = /skipped|unresolved \$ref|not loaded|could not be loaded/;

const now = (): number => performance.now();

/** `{var}` in a server URL → the variable's default. */
function expandServer(url: string, variables: unknown): string {
  const vars = (variables && typeof variables === 'object' ? variables : {}) as Record<string, { default?: unknown }>;
  return url.replace(/\{([^}]+)\}/g, (_, name: string) => String(vars[name]?.default ?? `{${name}}`));
}

/**
 * Where operations live, as a scan with no other hint would place them (discover/spec.ts chooseBasePath falls back
 * to the first server's path): the first server (variables at their defaults; 2.0: host + basePath), its path the
 * operations' base path (so operation ids, and the per-operation seeds derived from them, match a scan's), its
 * origin the base URL. A relative server resolves against a spec URL; from a file the origin is `{baseUrl}`.
 */
export function serverOf(doc: Record<string, unknown>, location: string): { basePath: string; baseUrl: string } {
  const specUrl = /^https?:\/\//i.test(location) && URL.canParse(location) ? location : undefined;
  let raw: string | undefined;
  if (doc.swagger === '2.0') {
    const scheme = Array.isArray(doc.schemes) && typeof doc.schemes[0] === 'string' ? doc.schemes[0] : specUrl ? new URL(specUrl).protocol.slice(0, -1) : 'https';
    const basePath = typeof doc.basePath === 'string' ? doc.basePath : '';
    raw = typeof doc.host === 'string' && doc.host ? `${scheme}://${doc.host}${basePath}` : basePath || undefined;
  } else {
    const first = Array.isArray(doc.servers) ? (doc.servers[0] as { url?: unknown; variables?: unknown } | undefined) : undefined;
    if (first && typeof first.url === 'string') raw = expandServer(first.url, first.variables);
  }
  const fallback = specUrl ? new URL(specUrl).origin : '{baseUrl}';
  if (raw === undefined) return { basePath: '', baseUrl: fallback };
  const absolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  const base = specUrl ?? 'http://placeholder.invalid/';
  let u: URL;
  try {
    u = resolveServerUrl(raw, base);
  } catch {
    return { basePath: defaultBasePath(doc), baseUrl: fallback };
  }
  let basePath = u.pathname;
  try {
    basePath = decodeURI(basePath);
  } catch {
    // keep it encoded
  }
  basePath = basePath.replace(/\/+$/, '');
  return { basePath, baseUrl: absolute || specUrl ? u.origin : '{baseUrl}' };
}

function schemesOf(doc: Record<string, unknown>): Record<string, SecurityScheme> {
  const comps = doc.components && typeof doc.components === 'object' ? (doc.components as Record<string, unknown>).securitySchemes : undefined;
  const raw = (doc.swagger === '2.0' ? doc.securityDefinitions : comps) as Record<string, unknown> | undefined;
  const out: Record<string, SecurityScheme> = {};
  if (!raw || typeof raw !== 'object') return out;
  for (const [name, v] of Object.entries(raw)) {
    if (!v || typeof v !== 'object') continue;
    const o = v as Record<string, unknown>;
    if (typeof o.type !== 'string') continue;
    out[name] = { type: o.type, ...(typeof o.in === 'string' ? { in: o.in } : {}), ...(typeof o.name === 'string' ? { name: o.name } : {}), ...(typeof o.scheme === 'string' ? { scheme: o.scheme.toLowerCase() } : {}) };
  }
  return out;
}

/** The top-level checks parseSpec makes, for a document given already parsed. */
function checkedDoc(value: unknown, location: string): Record<string, unknown> {
  const hint = 'Give an OpenAPI 2.0, 3.0 or 3.1 document.';
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new VouchError('VOUCH_SPEC_INVALID', `${location}: not an OpenAPI document (no top-level object)`, { hint });
  const d = value as Record<string, unknown>;
  if (typeof d.openapi !== 'string' && d.swagger !== '2.0') throw new VouchError('VOUCH_SPEC_INVALID', `${location}: not an OpenAPI document (no "openapi" or "swagger: 2.0" field)`, { hint });
  if (typeof d.openapi === 'string' && !/^3\.[01](\.|$)/.test(d.openapi)) throw new VouchError('VOUCH_SPEC_INVALID', `${location}#/openapi: OpenAPI version ${d.openapi} is not supported`, { hint });
  if (d.paths === undefined && typeof d.openapi === 'string' && d.openapi.startsWith('3.1')) return { ...d, paths: {} };
  if (!d.paths || typeof d.paths !== 'object' || Array.isArray(d.paths)) throw new VouchError('VOUCH_SPEC_INVALID', `${location}#/paths: ${d.paths === undefined ? 'missing' : 'not an object'}`, { hint });
  return d;
}

/** Parse → operations → generated cases per operation; sends nothing. Throws VOUCH_SPEC_INVALID when unusable. */
export async function analyseSpec(
  input: { text: string; location: string } | { doc: Record<string, unknown>; location: string; lineOf?: SpecText['lineOf'] },
  opts: AnalyseOptions,
): Promise<SpecAnalysis> {
  let doc: Record<string, unknown>;
  let lineOf: SpecText['lineOf'] | undefined;
  if ('text' in input) ({ doc, lineOf } = parseSpec(input.text, input.location));
  else {
    doc = checkedDoc(input.doc, input.location);
    lineOf = input.lineOf;
  }
  const location = input.location;
  const { basePath, baseUrl } = serverOf(doc, location);
  const parsed = specToOperations(doc, location, { basePath, ...(opts.refs ? { refs: opts.refs } : {}), ...(lineOf ? { lineOf } : {}) });
  const security = securityByOperation(doc);
  const rawPathOf = (op: Operation): string => (basePath && op.path.startsWith(basePath) ? op.path.slice(basePath.length) : op.path);
  const info = doc.info && typeof doc.info === 'object' ? (doc.info as Record<string, unknown>) : {};
  const warnings: string[] = [];
  const unusable: SpecAnalysis['unusable'] = [];
  for (const w of [...(opts.warnings ?? []), ...parsed.warnings]) {
    if (DROPPED.test(w)) unusable.push(splitWarning(w));
    else warnings.push(w);
  }
  const budget = opts.opBudgetMs ?? 2000;
  const total = parsed.operations.length;
  const operations: AnalysedOperation[] = parsed.operations.map((op) => {
    const a: AnalysedOperation = { operation: op, tags: op.tags ?? [], security: security.get(`${op.method} ${rawPathOf(op)}`) ?? [], cases: [], ms: 0 };
    if (op.requestBody) a.body = `${op.requestBody.contentType}${op.requestBody.schema ? ` ${summariseSchema(op.requestBody.schema)}` : ''}`;
    return a;
  });
  opts.onProgress?.(0, total);
  const caseOptions: CaseOptions = { positives: opts.positives, negatives: opts.negatives, seed: opts.seed, specVersion: parsed.version, budgetMs: budget };
  let done = 0;
  const record = (i: number, r: CaseResult): void => {
    const a = operations[i]!;
    a.cases = r.cases;
    a.ms = r.ms;
    if (r.skipped !== undefined) a.skipped = r.skipped;
    if (r.timedOut) a.timedOut = true;
    for (const w of r.warnings ?? []) if (!warnings.includes(w)) warnings.push(w);
    opts.onProgress?.(++done, total);
  };
  const wantsCases = opts.positives > 0 || opts.negatives > 0;
  // A worker stops a generation that never ends (hard limit); without the compiled worker, in-process with the soft budget.
  let from = 0;
  if (wantsCases && (opts.isolate ?? canIsolate())) from = await generateIsolated(parsed.operations, caseOptions, opts.opHardLimitMs ?? budget * 2 + 1000, record);
  let lastYield = now();
  for (let i = from; i < total; i++) {
    record(i, wantsCases ? casesFor(parsed.operations[i]!, caseOptions) : { cases: [], ms: 0 });
    // Let timers (progress, signals) run on large specs.
    if (now() - lastYield > 100) {
      await new Promise((r) => setImmediate(r));
      lastYield = now();
    }
  }
  for (const a of operations) {
    if (opts.plan) a.plan = planOperation(a.operation, opts.plan);
    if (a.skipped && a.cases.length === 0) unusable.push({ where: place(location, `/paths/${escapePointer(rawPathOf(a.operation))}/${a.operation.method.toLowerCase()}`, lineOf), reason: `no request could be generated: ${a.skipped}` });
  }
  return { location, specVersion: parsed.version, ...(typeof info.title === 'string' ? { title: info.title } : {}), operations, warnings, unusable, baseUrl, schemes: schemesOf(doc) };
}

/** A user that stands for "a signed-in identity" when none is configured: plans only, it is never used to send. */
const HYPOTHETICAL: Identity[] = [
  { name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } },
  { name: 'user', role: 'user', auth: { kind: 'none' } },
];

/** The operation-scoped tasks and skips a scan would plan for one operation. */
export function planOperation(op: Operation, o: { checks: readonly AnyCheck[]; safeMode: boolean; identities?: Identity[] }): OperationPlan {
  const checks0 = o.checks.filter((c) => c.scope === 'operation');
  const p = planTasks({ surface: { target: '', operations: [op], warnings: [] }, checks: checks0, identities: o.identities ?? HYPOTHETICAL, safeMode: o.safeMode });
  const checks = [...new Set(p.tasks.map((t) => t.checkId))];
  const skipped = new Map<string, string>();
  for (const s of p.skipped) if (s.operationId === op.id && !checks.includes(s.checkId) && !skipped.has(s.checkId)) skipped.set(s.checkId, s.reason);
  return { safeMode: o.safeMode, checks, skipped: [...skipped].map(([checkId, reason]) => ({ checkId, reason })) };
}
