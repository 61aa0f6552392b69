// src/discover/shadow.ts — shadow routes: paths built from the application's own vocabulary (its path segments,
// property names, enum values, tags, the roles its answers and refusals name) plus a few common internal, debug and
// admin paths, probed with GET (bounded, ranked, deterministic); what answers, unlike a random path, and is in no
// spec, page or script becomes an operation with source `shadow`.
import type { Exchange, HttpEngine, JsonSchema, Operation } from '../core/index.js';
import { soft404For } from './soft404.js';

/** Common paths probed on every target. */
export const COMMON_SHADOW_PATHS: readonly string[] = [
  '/.env',
  '/debug',
  '/debug/env',
  '/debug/vars',
  '/admin',
  '/actuator',
  '/actuator/env',
  '/metrics',
  '/internal',
  '/status',
  '/config',
  '/console',
];

/** Words tried under each API prefix of the spec (`/api` + `/internal/stats`...). */
export const PREFIX_WORDS: readonly string[] = [
  '/internal',
  '/internal/stats',
  '/internal/metrics',
  '/internal/health',
  '/internal/config',
  '/internal/users',
  '/admin',
  '/admin/users',
  '/debug',
  '/stats',
  '/metrics',
  '/health',
  '/status',
  '/config',
  '/test',
];

/** Probes at most this many paths. */
export const MAX_SHADOW_PROBES = 250;

/** Prefixes under which an application keeps what only its staff may call; `admin` is tried when it names none. */
const PRIVILEGED = new Set(['admin', 'internal', 'staff', 'manage', 'management', 'private', 'backoffice', 'backend', 'ops', 'system']);
/** Words too generic to name a part of an application (`first_name` says nothing about a hidden route). */
const GENERIC = new Set(
  ('id ids uuid name names type types number num code codes count total value values data info at by is has of to in on for and or the ' +
    'first last full new old min max created updated deleted modified used date time timestamp url uri path href link src ' +
    'get post put patch delete list create update read set add remove detail details item items page size limit offset skip ' +
    'sort order by query search filter text title description body content message error status result results response request ' +
    'true false yes no api v1 v2 v3 json xml html base64 image img file files format version default key value enabled active ' +
    'final price amount quantity percentage discount grant scope client password username email phone address ' +
    'bearer jwt basic authorization header missing invalid required please sign login').split(' '),
);
/** Words of a segment that make its role variants worth a probe first (`reset-password` → `reset-chef-password`). */
const SENSITIVE_SEGMENT = /password|passwd|token|secret|key|reset|role|admin|credential|session|export|backup/;
/** Properties whose values (enum or observed) are roles. */
const ROLE_PROPERTY = /^(role|roles|user_?role|user_?type|account_?type|group|groups|permission|permissions)$/i;
/** Paths of the caller's own account: an identity's answer there names the roles vouch's identities hold. */
const SELF_READ = /(^|\/)(me|self|whoami|profile|account|current-?user)$/i;

/** Lower-case words of a name: `deliveryAddress`, `delivery_address`, `delivery-address` → `delivery address`. */
export function tokens(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length >= 3 && !/^\d+$/.test(w));
}

/** What the application calls things: the material shadow paths are built from. */
export interface ShadowVocabulary {
  /** API prefixes (`/api`, `/api/v1`) or '' when the API sits at the root. */
  bases: string[];
  /** Top-level segments of the known paths (`orders`, `admin`). */
  firsts: string[];
  /** Collections it lists (`orders`: a GET answering an array, or with an item route beside it). */
  collections: string[];
  /** Privileged prefixes it has (`admin`), else `admin`. */
  privileged: string[];
  /** Qualifiers of its own names, most used first (`delivery` of `delivery_address`). */
  words: string[];
  /** Roles it names (roles in its refusals, role values, role enums), likeliest first; never an identity's own. */
  roles: string[];
  /** Its multi-word path segments (`reset-password`), sensitive ones first. */
  segments: string[];
  /** Enum values of its schemas (`pending`), as path segments. */
  states: string[];
}

/** Input of the vocabulary: the surface so far, discovery's recorded answers, the words never to probe with. */
export interface ShadowInput {
  operations: readonly Operation[];
  /** Answers recorded so far (discovery's): the roles they show and the refusals that name one. */
  exchanges?: readonly Exchange[];
  /** Account names and roles of the identities vouch uses, lower-cased: never put into a probe (do no harm). */
  protectedWords?: ReadonlySet<string>;
}

/** Ordered distinct values, most counted first, then alphabetically. */
function ranked(counts: Map<string, number>): string[] {
  return [...counts.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([w]) => w);
}
const bump = (counts: Map<string, number>, word: string, by = 1): void => void counts.set(word, (counts.get(word) ?? 0) + by);

/** Every schema node of an operation (bodies, responses, parameters), depth-bounded. */
function schemasOf(op: Operation): JsonSchema[] {
  const out: JsonSchema[] = [];
  const walk = (s: unknown, depth: number): void => {
    if (!s || typeof s !== 'object' || depth > 8 || out.length > 500) return;
    out.push(s as JsonSchema);
    for (const v of Object.values(s as Record<string, unknown>)) {
      if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
      else walk(v, depth + 1);
    }
  };
  walk(op.requestBody?.schema, 0);
  for (const r of Object.values(op.responses ?? {})) walk(r.schema, 0);
  for (const p of op.params) walk(p.schema, 0);
  return out;
}

/** Role-like values of a JSON answer (`"role": "Customer"`), depth ≤ 4. */
function roleValues(value: unknown, out: string[], depth = 0): void {
  if (depth > 4 || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) return value.slice(0, 20).forEach((v) => roleValues(v, out, depth + 1));
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (ROLE_PROPERTY.test(k) && typeof v === 'string' && v.length <= 30) out.push(v);
    else if (ROLE_PROPERTY.test(k) && Array.isArray(v)) out.push(...v.filter((x): x is string => typeof x === 'string' && x.length <= 30));
    else roleValues(v, out, depth + 1);
  }
}

const jsonOf = (x: Exchange): unknown => {
  const body = x.response?.body;
  if (!body || body.length > 100_000 || x.response?.bodyEncoding === 'base64' || !/^\s*[[{]/.test(body)) return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined; // not JSON after all: nothing to learn from it
  }
};

/** Strings of a JSON value (a refusal's `detail`, `message`, `error`), depth ≤ 3. */
function strings(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (depth > 3 || !value || typeof value !== 'object') return [];
  return Object.values(value as Record<string, unknown>).flatMap((v) => strings(v, depth + 1));
}

/**
 * Roles a refusal names: capitalised words inside its sentences ("Only Chef is authorized…" → `chef`), the word
 * before "role" ("requires the manager role") — not a sentence's first word, which is capitalised anyway.
 */
export function refusalRoles(message: string): string[] {
  const out: string[] = [];
  for (const sentence of message.slice(0, 300).split(/[.!?]\s+/)) {
    const ws = sentence.split(/\s+/).map((w) => w.replace(/^[^A-Za-z]+|[^A-Za-z]+$/g, ''));
    ws.forEach((w, i) => {
      if (w.length < 3 || GENERIC.has(w.toLowerCase())) return;
      if ((i > 0 && /^[A-Z][a-z]+$/.test(w)) || /^roles?$/i.test(ws[i + 1] ?? '')) out.push(w.toLowerCase());
    });
  }
  return out;
}

/** The application's vocabulary, from its operations and recorded answers. Pure and deterministic. */
export function shadowVocabulary(input: ShadowInput): ShadowVocabulary {
  const ops = input.operations.filter((o) => !o.graphql);
  const blocked = input.protectedWords ?? new Set<string>();
  const bases = new Set<string>();
  const firsts = new Set<string>();
  const segments = new Map<string, number>();
  const known = new Set<string>();
  for (const op of ops) {
    const segs = op.path.split('/').filter(Boolean);
    if (op.sources.includes('spec')) {
      const two = segs.slice(0, 2);
      if (two.length === 2 && /^v\d+$/.test(two[1]!)) bases.add(`/${two.join('/')}`);
      else if (segs[0] === 'api' || segs[0] === 'rest') bases.add(`/${segs[0]}`);
    }
    for (const s of segs) if (!s.includes('{')) known.add(s.toLowerCase());
  }
  if (!bases.size) bases.add('');
  const baseOf = (path: string): string => [...bases].find((b) => b && path.startsWith(`${b}/`)) ?? '';
  const collections = new Map<string, number>();
  for (const op of ops) {
    const rest = op.path.slice(baseOf(op.path).length).split('/').filter(Boolean);
    if (!rest[0] || rest[0].includes('{') || rest[0].includes('.')) continue;
    firsts.add(rest[0]);
    for (const s of rest) if (!s.includes('{') && /[-_]/.test(s) && tokens(s).length >= 2) bump(segments, s, SENSITIVE_SEGMENT.test(s) ? 10 : 1);
    if (op.method !== 'GET' || rest.length !== 1) continue;
    const schema = op.responses?.['200']?.schema;
    const lists = schema?.type === 'array' || ops.some((o) => o.path.startsWith(`${op.path}/{`));
    if (lists) bump(collections, rest[0]);
  }
  const privileged = [...firsts].filter((f) => PRIVILEGED.has(f.toLowerCase())).sort();
  if (!privileged.length) privileged.push('admin');

  // Qualifiers: the first word of a compound property or parameter name; tags and operation words count once.
  const words = new Map<string, number>();
  const roles = new Map<string, number>();
  const states = new Map<string, number>();
  const names = new Set<string>();
  for (const op of ops) {
    for (const p of op.params) names.add(p.name);
    for (const t of op.tags ?? []) for (const w of tokens(t)) bump(words, w);
    for (const s of schemasOf(op)) {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      for (const [k, v] of Object.entries(props)) {
        names.add(k);
        const items = (v?.items ?? {}) as JsonSchema;
        const values = Array.isArray(v?.enum) ? v.enum : Array.isArray(items.enum) ? items.enum : [];
        for (const e of values) if (typeof e === 'string' && e.length <= 30) bump(ROLE_PROPERTY.test(k) ? roles : states, e.toLowerCase(), ROLE_PROPERTY.test(k) ? 2 : 1);
      }
      if (Array.isArray(s.enum) && !s.properties) for (const e of s.enum) if (typeof e === 'string' && e.length <= 30) bump(states, e.toLowerCase());
    }
  }
  for (const n of names) {
    const t = tokens(n);
    if (t.length >= 2) bump(words, t[0]!, 2);
  }
  // What the answers showed: role values (a profile's `"role": "Customer"`) and roles named in refusals (401/403).
  for (const x of input.exchanges ?? []) {
    const status = x.response?.status ?? 0;
    if (status !== 401 && status !== 403 && (status < 200 || status >= 300)) continue;
    const value = jsonOf(x);
    if (value === undefined) continue;
    if (status >= 400) for (const s of strings(value)) for (const r of refusalRoles(s)) if (!known.has(r)) bump(roles, r, 3);
    const seen: string[] = [];
    roleValues(value, seen);
    for (const r of seen) bump(roles, r.toLowerCase(), 2);
  }
  bump(roles, 'admin', 0);
  const slug = (w: string): string => w.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const usable = (w: string): boolean => w.length >= 3 && !blocked.has(w) && !GENERIC.has(w);
  return {
    bases: [...bases].sort(),
    firsts: [...firsts].sort(),
    collections: ranked(collections),
    privileged,
    words: ranked(words).filter((w) => usable(w) && !known.has(w) && !PRIVILEGED.has(w) && !roles.has(w)),
    roles: ranked(roles).map(slug).filter((r) => usable(r) && !blocked.has(r.replace(/-/g, ''))),
    segments: ranked(segments),
    states: ranked(states).map(slug).filter((s) => s.length >= 3 && !blocked.has(s)),
  };
}

/** A role put inside a multi-word segment at each inner position: `reset-password` + `chef` → `reset-chef-password`. */
export function withRole(segment: string, role: string): string[] {
  const sep = segment.includes('-') ? '-' : '_';
  const parts = segment.split(/[-_]/);
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push([...parts.slice(0, i), role, ...parts.slice(i)].join(sep));
  return out;
}

/** Takes from each list in turn (the first of each, then the second of each…): every family gets its likeliest in. */
function interleave(lists: ReadonlyArray<readonly string[]>): string[] {
  const out: string[] = [];
  const longest = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < longest; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

/**
 * The probes for a surface, likeliest first, at most MAX_SHADOW_PROBES, none a known GET path. Families, taken in
 * turn: the common paths; role variants of the app's multi-word segments under its privileged prefixes and at the
 * root (`/admin/reset-chef-password`); its qualifiers and roles before its collections (`/delivery/orders`,
 * `/chef/orders`); its privileged prefixes before its collections and first segments (`/admin/orders`); each spec
 * prefix × PREFIX_WORDS (`/api/internal/stats`); its collections' states (`/orders/pending`).
 */
export function shadowWordlist(input: ShadowInput | readonly Operation[]): string[] {
  const given: ShadowInput = Array.isArray(input) ? { operations: input as readonly Operation[] } : (input as ShadowInput);
  const v = shadowVocabulary(given);
  // Prefixes of the spec: a first segment with paths under it (`/api`, `/admin` of `/admin/stats`).
  const specFirsts = new Set<string>();
  for (const op of given.operations) {
    const segs = op.path.split('/').filter(Boolean);
    if (op.sources.includes('spec') && segs.length > 1 && !segs[0]!.includes('{')) specFirsts.add(`/${segs[0]}`);
  }
  const prefixes = [...new Set([...v.bases.filter(Boolean), ...[...specFirsts].sort()])];
  const legacy = prefixes.flatMap((p) => PREFIX_WORDS.map((w) => p + w));
  const under = (fn: (base: string) => string[]): string[] => v.bases.flatMap(fn);
  const roleVariants = under((b) =>
    v.segments.flatMap((s) => v.roles.flatMap((r) => withRole(s, r).flatMap((m) => [...v.privileged.map((p) => `${b}/${p}/${m}`), `${b}/${m}`]))),
  );
  const qualified = under((b) => [...v.words, ...v.roles].flatMap((w) => v.collections.map((c) => `${b}/${w}/${c}`)));
  const privileged = under((b) => v.privileged.flatMap((p) => [...v.collections, ...v.firsts.filter((f) => !v.collections.includes(f) && !PRIVILEGED.has(f))].map((c) => `${b}/${p}/${c}`)));
  const states = under((b) => v.collections.flatMap((c) => v.states.map((s) => `${b}/${c}/${s}`)));
  const known = new Set(given.operations.filter((o) => o.method === 'GET').map((o) => o.path));
  // A path a known template covers (`/orders/pending` of `/orders/{id}`) is that route with an odd id, not a hidden one.
  const templates = [...new Set(given.operations.filter((o) => o.path.includes('{')).map((o) => o.path))].map(
    (t) => new RegExp(`^${t.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')).join('[^/]+')}$`),
  );
  const all = interleave([COMMON_SHADOW_PATHS, roleVariants, qualified, privileged, legacy, states]);
  return [...new Set(all)].filter((p) => !known.has(p) && !templates.some((t) => t.test(p))).slice(0, MAX_SHADOW_PROBES);
}

/** Who vouch signs in as, for the shadow probes: its name and the account names its login sends. */
export interface ShadowIdentity {
  name: string;
  accounts: readonly string[];
}

export interface ShadowOptions {
  /** Discovery's recorded answers (the vocabulary's roles). */
  exchanges?: readonly Exchange[];
  /** Signed-in identities: their accounts, and the roles their own account read shows, are never probed with. */
  identities?: readonly ShadowIdentity[];
  concurrency?: number;
}

/**
 * The words never to probe with: the identities' account names and the roles their own account reads (`/me`,
 * `/profile`, read once per identity, at most three) show — a `reset-<role>-password` of a role vouch signs in
 * with could lock vouch out.
 */
async function protectedWords(engine: HttpEngine, operations: readonly Operation[], identities: readonly ShadowIdentity[]): Promise<{ words: Set<string>; reads: number }> {
  const out = new Set<string>();
  let reads = 0;
  const self = operations.find((o) => o.method === 'GET' && !o.path.includes('{') && !o.graphql && SELF_READ.test(o.path));
  for (const who of identities.slice(0, 3)) {
    for (const a of who.accounts) for (const t of [a.toLowerCase(), ...tokens(a)]) out.add(t);
    if (!self) continue;
    const x = await engine.send({ method: 'GET', url: self.path }, { identity: who.name, checkId: 'discover' });
    reads++;
    const seen: string[] = [];
    if (x.response && x.response.status < 300) roleValues(jsonOf(x), seen);
    for (const r of seen) out.add(r.toLowerCase()).add(r.toLowerCase().replace(/[^a-z0-9]+/g, ''));
  }
  return { words: out, reads };
}

/**
 * GET each word; keep what answers 2xx (or 401/403) unlike a random path under the same prefix (soft404.ts).
 * `probed`: paths probed; `requests`: those plus the identities' own account reads.
 */
export async function probeShadow(engine: HttpEngine, operations: readonly Operation[], opts: ShadowOptions = {}): Promise<{ operations: Operation[]; probed: number; requests: number }> {
  const blocked = await protectedWords(engine, operations, opts.identities ?? []);
  const words = shadowWordlist({ operations, exchanges: opts.exchanges ?? [], protectedWords: blocked.words });
  const meta = { identity: 'anonymous', checkId: 'discover' };
  const notFound = soft404For(engine);
  const found: Operation[] = [];
  const queue = [...words];
  await Promise.all(
    Array.from({ length: opts.concurrency ?? 6 }, async () => {
      for (let path = queue.shift(); path; path = queue.shift()) {
        const x = await engine.send({ method: 'GET', url: path }, meta);
        const s = x.response?.status;
        if (s === undefined || !(s < 300 || s === 401 || s === 403)) continue;
        if (await notFound.matches(x)) continue; // a catch-all answers this way for anything
        const type = x.response!.headers.find(([k]) => k === 'content-type')?.[1]?.split(';')[0]?.trim();
        found.push({
          id: `GET ${path}`,
          method: 'GET',
          path,
          params: [],
          auth: s < 300 ? 'none' : 'unknown',
          sources: ['shadow'],
          live: true,
          ...(s < 300 ? { responses: { [String(s)]: type ? { contentType: type } : {} } } : {}),
        });
      }
    }),
  );
  return { operations: found.sort((a, b) => a.path.localeCompare(b.path)), probed: words.length, requests: words.length + blocked.reads };
}
