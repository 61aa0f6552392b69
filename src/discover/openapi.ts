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
  let depth = 0;
  const value = (): void => {
    ws();
    const c = text[i];
    // Nesting past MAX_NESTING is reported at its place by the caller's refusal; here it ends the scan (no recursion).
    if ((c === '{' || c === '[') && ++depth > MAX_NESTING) fail();
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') return void (i++, depth--);
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
        else if (text[i] === '}') return void (i++, depth--);
        else fail();
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') return void (i++, depth--);
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void (i++, depth--);
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
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message)?.[1];
      const offset = at !== undefined ? Number(at) : jsonErrorOffset(text);
      const line = offset !== undefined ? text.slice(0, offset).split('\n').length : undefined;
      throw new VouchError('VOUCH_SPEC_INVALID', `${location}${line ? ` line ${line}` : ''}: not valid JSON: ${(e as Error).message.split('\n')[0]}`, {
        hint: 'Fix the document (a JSON validator names the exact place), or give another document.',
      });
    }
    refuseDeep(value, location);
    return { value, lineOf };
  }
  const err = tree().errors[0];
  if (err) {
    const line = err instanceof YAMLParseError ? err.linePos?.[0]?.line : undefined;
    // The YAML parser recurses: a document nested thousands of levels deep ends its stack, which it reports as an error.
    const what = /Maximum call stack/.test(err.message) ? TOO_DEEP : `not valid YAML: ${err.message.split('\n')[0]}`;
    throw new VouchError('VOUCH_SPEC_INVALID', `${location}${line ? ` line ${line}` : ''}: ${what}`, {
      hint: 'Fix the document, or give another document.',
    });
  }
  let value: unknown;
  try {
    value = tree().toJS({ maxAliasCount: 1000 });
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    throw new VouchError('VOUCH_SPEC_INVALID', `${location}: ${TOO_DEEP}`, { cause: e });
  }
  refuseDeep(value, location);
  return { value, lineOf };
}

/** Throws VOUCH_SPEC_INVALID with the pointer where `value` nests more than MAX_NESTING levels deep. */
function refuseDeep(value: unknown, location: string): void {
  const at = tooDeep(value);
  if (at === undefined) return;
  throw new VouchError('VOUCH_SPEC_INVALID', `${location}#${at}: ${TOO_DEEP}`, {
    hint: 'Flatten the schema (name the nested parts as components and refer to them with $ref), or give another document.',
  });
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
  /**
   * Resolved targets by `location#pointer`, shared by the whole document: a target whose resolution met no
   * recursion (and no cut) is the same object wherever it is used (a DAG, not a copy per use: big specs reuse
   * components thousands of times), with the size of the tree it stands for. Resolved schemas are read-only.
   */
  memo: Map<string, { value: unknown; size: number }>;
  /** How many $refs were left in place so far, recursive or cut (a resolution that adds none is memoizable). */
  cycles: number;
  /** $refs followed on the current path (cycle detection). */
  seen: Set<string>;
  /** $refs nested deeper than this on one path are left unresolved (iterative deepening, see derefBounded). */
  maxRefs: number;
  /** Whether a $ref was left unresolved because of `maxRefs`. */
  cut: boolean;
  /** Tree size (objects, shared ones counted at each use) unfolded so far for this path item. */
  size: number;
  /** Past this size the attempt stops (OverBudget). */
  budget: number;
  /** $refs whose unfolding overflowed before: an unbounded attempt that meets one stops (OverBudget). */
  heavy?: Set<string>;
}

/** Thrown inside deref when a path item's unfolding passes its budget: the attempt is retried shallower. */
class OverBudget extends Error {}

/** Tree size (objects) a whole document may unfold into: what report.json and every schema walker then hold. */
const DEREF_TOTAL = 1_000_000;

/**
 * Tree size one path item may unfold into. Mutually recursive components (a dozen, or 3,000, types that all refer
 * to each other) unfold exponentially even with cycles cut; past this, the item is unfolded again with $refs
 * nested less deeply, until it fits. Generation draws at most ~400 schema nodes per value, so nothing is lost there.
 */
const DEREF_BUDGET = 20_000;

/** Each path item may unfold into at least this many objects, even once the document's total is spent. */
const DEREF_FLOOR = 1_000;

/** $ref nesting depths tried in turn when a path item does not fit its budget (Infinity: only cycles are cut). */
const REF_DEPTHS = [Infinity, 8, 5, 3, 2, 1, 0];

/** Unfolded nesting past which $refs are left unresolved (each document part is itself at most MAX_NESTING deep). */
const UNFOLD_DEPTH = 100;

/** JSON nesting (objects and arrays) beyond which a document is refused: no walker then recurses without bound. */
export const MAX_NESTING = 200;

/** How a document nested too deeply is refused. */
const TOO_DEEP = `nested more than ${MAX_NESTING} levels deep; vouch does not read documents nested this deeply`;

/**
 * Inlines $refs (local and external); a ref met again on its own path is left as `{ $ref, x-vouch-recursive }`
 * (recursive schema), and so is one nested more than `ctx.maxRefs` deep. Throws OverBudget past `ctx.budget`.
 */
function deref(ctx: DerefCtx, base: string, value: unknown, depth: number, warn: (w: string) => void): unknown {
  if (!value || typeof value !== 'object') return value;
  if (++ctx.size > ctx.budget) throw new OverBudget();
  if (Array.isArray(value)) return value.map((v) => deref(ctx, base, v, depth + 1, warn));
  const obj = value as Record<string, unknown>;
  if (typeof obj.$ref !== 'string') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(obj)) out[k] = deref(ctx, base, obj[k], depth + 1, warn);
    return out;
  }
  const ref = obj.$ref;
  const { key, base: docLoc, frag } = refKey(base, ref);
  const withRest = (resolved: unknown): unknown => {
    // Sibling keys of a $ref (3.1: description, summary) are kept over the target's.
    const rest = Object.keys(obj).filter((k) => k !== '$ref');
    if (!rest.length || !resolved || typeof resolved !== 'object' || Array.isArray(resolved)) return resolved;
    return { ...resolved, ...Object.fromEntries(rest.map((k) => [k, obj[k]])) };
  };
  const hit = ctx.memo.get(key);
  if (hit) {
    ctx.size += hit.size;
    if (ctx.size > ctx.budget) throw new OverBudget();
    return withRest(hit.value);
  }
  if (ctx.seen.has(key) || ctx.seen.size >= ctx.maxRefs || depth > UNFOLD_DEPTH) {
    if (!ctx.seen.has(key)) ctx.cut = true;
    ctx.cycles++;
    return { $ref: ref, 'x-vouch-recursive': true };
  }
  const doc = ctx.docs.get(docLoc);
  const target = doc === undefined ? undefined : pointer(doc, frag);
  if (target === undefined) {
    warn(`unresolved $ref ${ref}`);
    return {};
  }
  const cyclesBefore = ctx.cycles;
  const sizeBefore = ctx.size;
  ctx.seen.add(key);
  if (ctx.heavy?.has(key)) throw new OverBudget();
  // On OverBudget, `seen` keeps the path that overflowed (derefBounded remembers it as heavy).
  const resolved = deref(ctx, docLoc, target, depth + 1, warn);
  ctx.seen.delete(key);
  if (ctx.cycles === cyclesBefore) ctx.memo.set(key, { value: resolved, size: ctx.size - sizeBefore });
  return withRest(resolved);
}

/** What unfolding a document part costs: its own objects and the $refs in it (by key), not followed. */
interface Profile {
  own: number;
  refs: Array<{ key: string; base: string; frag: string }>;
}

/** Document-wide state of the bounded unfolding, shared by its path items. */
interface Unfolding {
  docs: RefDocs;
  memo: DerefCtx['memo'];
  /** Profiles of $ref targets by key (null: unresolved). */
  profiles: Map<string, Profile | null>;
  /** Estimated tree sizes by `depth key`, capped (see estimate). */
  sizes: Map<string, number>;
  /** $refs that were being unfolded when an unbounded attempt overflowed: met again, the attempt gives up at once. */
  heavy: Set<string>;
}

/** The key of a $ref seen from the document at `base`: `location#pointer`. */
function refKey(base: string, ref: string): { key: string; base: string; frag: string } {
  const hash = ref.indexOf('#');
  const file = hash < 0 ? ref : ref.slice(0, hash);
  const frag = hash < 0 ? '' : ref.slice(hash + 1);
  const docLoc = file ? resolveRefLocation(base, file) : base;
  return { key: `${docLoc}#${frag}`, base: docLoc, frag };
}

/** Objects in `value` and the $refs it holds, without following them (iterative). */
function profileOf(base: string, value: unknown): Profile {
  const out: Profile = { own: 0, refs: [] };
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    out.own++;
    const ref = Array.isArray(v) ? undefined : (v as Record<string, unknown>).$ref;
    if (typeof ref === 'string') out.refs.push(refKey(base, ref));
    else for (const x of Object.values(v)) stack.push(x);
  }
  return out;
}

/**
 * An upper bound of the tree size of a $ref's target when `left` more $refs may be followed inside it (cycles not
 * cut, so it only over-estimates); capped at `cap`. Memoized per document; recursion depth is `left` (≤ 8).
 */
function estimate(u: Unfolding, ref: { key: string; base: string; frag: string }, left: number, cap: number): number {
  const id = `${left} ${ref.key}`;
  const known = u.sizes.get(id);
  if (known !== undefined) return known;
  let profile = u.profiles.get(ref.key);
  if (profile === undefined) {
    const doc = u.docs.get(ref.base);
    const target = doc === undefined ? undefined : pointer(doc, ref.frag);
    u.profiles.set(ref.key, (profile = target === undefined ? null : profileOf(ref.base, target)));
  }
  let n = profile?.own ?? 1;
  for (const r of profile?.refs ?? []) {
    if (n > cap) break;
    n += left > 0 ? estimate(u, r, left - 1, cap) : 1;
  }
  n = Math.min(n, cap + 1);
  u.sizes.set(id, n);
  return n;
}

/**
 * A path item with its $refs inlined, within `budget` objects: unfolded with only cycles cut first; when that does
 * not fit, with $refs nested at most as deep as the size estimate allows, then less deep while it still does not
 * fit (REF_DEPTHS). The work of one item is bounded by a few budgets; the result is no larger than `budget` (or the
 * item itself, at depth 0).
 */
function derefBounded(
  u: Unfolding,
  base: string,
  item: unknown,
  budget: number,
  warn: (w: string) => void,
): { value: unknown; size: number; maxRefs: number } {
  const own = profileOf(base, item);
  const fits = (depth: number): boolean => {
    let n = own.own;
    for (const r of own.refs) if (n <= budget) n += depth > 0 ? estimate(u, r, depth - 1, budget) : 1;
    return n <= budget;
  };
  // Only cycles cut first when even the deepest bounded unfolding fits; else straight to the deepest that fits.
  const first = REF_DEPTHS.findIndex((d) => d !== Infinity && fits(d));
  const depths = first === 1 ? REF_DEPTHS : REF_DEPTHS.slice(Math.max(first, 1));
  for (const maxRefs of depths) {
    const ctx: DerefCtx = {
      ...{ docs: u.docs, memo: u.memo, cycles: 0, seen: new Set<string>(), maxRefs, cut: false, size: 0 },
      budget: maxRefs === 0 ? Infinity : budget,
      ...(maxRefs === Infinity ? { heavy: u.heavy } : {}),
    };
    const said: string[] = [];
    try {
      const value = deref(ctx, base, item, 0, (w) => said.push(w));
      for (const w of new Set(said)) warn(w);
      return { value, size: ctx.size, maxRefs: ctx.cut ? maxRefs : Infinity };
    } catch (e) {
      if (!(e instanceof OverBudget)) throw e;
      if (maxRefs === Infinity) for (const k of ctx.seen) u.heavy.add(k);
    }
  }
  throw new Error('unreachable: depth 0 has no budget');
}

/**
 * The first place where `value` nests (objects and arrays) more than `max` levels deep, as a JSON pointer; undefined
 * when it does not. Iterative: it is what keeps the recursive walkers after it within the stack.
 */
export function tooDeep(value: unknown, max = MAX_NESTING): string | undefined {
  if (!value || typeof value !== 'object') return undefined;
  // Depth-first with an explicit stack of frames (children left to visit) and the keys of the current path.
  type Frame = { keys: string[]; of: Record<string, unknown>; next: number };
  const frames: Frame[] = [{ keys: Object.keys(value), of: value as Record<string, unknown>, next: 0 }];
  const path: string[] = [];
  while (frames.length > 0) {
    const top = frames[frames.length - 1]!;
    if (top.next >= top.keys.length) {
      frames.pop();
      path.pop();
      continue;
    }
    const k = top.keys[top.next++]!;
    const child = top.of[k];
    if (!child || typeof child !== 'object') continue;
    path.push(k);
    if (frames.length >= max) return `/${path.map(escapePointer).join('/')}`;
    frames.push({ keys: Object.keys(child), of: child as Record<string, unknown>, next: 0 });
  }
  return undefined;
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

/**
 * A server URL resolved as API tooling does: relative to the directory of the document's URL, never onto the
 * document itself (`""` beside `/openapi.json` is `/`, `v1` beside `/docs/openapi.json` is `/docs/v1`). Throws a
 * TypeError when it is no URL.
 */
export function resolveServerUrl(raw: string, documentUrl: string): URL {
  const r = raw.trim();
  return new URL(r === '' || r.startsWith('?') || r.startsWith('#') ? `./${r}` : r, documentUrl);
}

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
  const unfolding: Unfolding = { docs: refs, memo: new Map(), profiles: new Map(), sizes: new Map(), heavy: new Set() };
  let total = 0;
  /** Path items whose $refs were cut to fit their budget, with the depth kept. */
  const cut: Array<[string, number]> = [];
  const where = (p: string): string => place(location, p, opts.lineOf);

  for (const [path, rawItem] of Object.entries(doc.paths as Record<string, unknown>)) {
    const itemPtr = `/paths/${escapePointer(path)}`;
    if (!rawItem || typeof rawItem !== 'object' || Array.isArray(rawItem)) {
      warnings.push(`${where(itemPtr)}: not an object, skipped`);
      continue;
    }
    const budget = Math.max(DEREF_FLOOR, Math.min(DEREF_BUDGET, DEREF_TOTAL - total));
    const warn = (w: string): number => warnings.push(`${where(itemPtr)}: ${w}`);
    const unfolded = derefBounded(unfolding, opts.base ?? location, rawItem, budget, warn);
    total += unfolded.size;
    if (unfolded.maxRefs !== Infinity) cut.push([path, unfolded.maxRefs]);
    const item = unfolded.value as Record<string, unknown>;
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
  if (cut.length) {
    const few = cut.slice(0, 3).map(([p, n]) => `${p} (${n} levels)`).join(', ');
    warnings.push(
      `${location}: the schemas of ${cut.length} path item${cut.length === 1 ? '' : 's'} unfold into more objects ` +
        `than vouch keeps (${DEREF_BUDGET} per path item, ${DEREF_TOTAL} in all: mutually recursive or very large ` +
        `components), so $refs nested deeper were left unresolved there, like recursive ones: ${few}` +
        `${cut.length > 3 ? ', …' : ''}`,
    );
  }
  if (operations.length === 0) warnings.push(`${location}: the document describes no operations`);
  return { version, operations, warnings, servers };
}
