// src/discover/soft404.ts — how the target answers a path it does not know (a 404, or a "soft 404": the SPA's
// index page, a redirect to the home page), learned lazily once per identity, path prefix and extension from one
// random path, so that such an answer is never taken for a spec, a shadow route, a sensitive file or an operation.
import { createHash, randomBytes } from 'node:crypto';
import type { Exchange, HttpEngine } from '../core/index.js';

/** What a random path under one prefix got: the profile an answer is compared with. */
export interface Soft404Profile {
  /** `/`, `/api/`, `/static/*.js` — the first path segment, and the extension when the path has one. */
  key: string;
  identity: string;
  status: number;
  /** Normalised length of the body (the random path cut out, digits and blanks folded). */
  length: number;
  /** Hash of the normalised body. */
  hash: string;
  /** The redirect target, for a 3xx (the random path cut out). */
  location?: string;
  /** The random path echoed in the body: an answer that names its own path can still be the same page. */
  echoes: boolean;
}

/** A response to judge: an exchange, or the parts of one a caller kept (a URL and the body read from it). */
export type Answer = Exchange | { url: string; status: number; body: string; location?: string; identity?: string };

export interface Soft404 {
  /**
   * Whether `answer` is how the target answers a path it does not know: the status of a random path under the same
   * prefix and, for a 2xx or 3xx, the same page (normalised body hash, or ≥ 90 % of the same words in a length band)
   * or the same redirect. A 404/410 is always "not found". Learns the prefix on first use (one request).
   */
  matches(answer: Answer): Promise<boolean>;
  /** What was learned so far, by key, for the report. */
  profiles(): Soft404Profile[];
}

/** Keys learned at most per identity; past it, paths share the root's profile. */
export const MAX_SOFT404_KEYS = 24;
/** Share of words two pages must have in common to be the same page. */
const SIMILAR = 0.9;

/** `/api/v1/x` → `/api/`, `/x.json` → `/*.json`, `/static/app.js` → `/static/*.js`, `/` → `/`. */
export function soft404Key(path: string): string {
  const segs = path.split('?')[0]!.split('/').filter(Boolean);
  const last = segs.at(-1) ?? '';
  const ext = /\.([A-Za-z0-9]{1,8})$/.exec(last)?.[1]?.toLowerCase();
  const dir = segs.length > 1 ? `/${segs[0]}/` : '/';
  return ext ? `${dir}*.${ext}` : dir;
}

/** The body as compared: the page's own path (and its last segment) cut out, digits and blanks folded. */
export function normalise(body: string, path: string): string {
  let text = body.slice(0, 200_000);
  const cut = (s: string): void => {
    if (s.length >= 3) text = text.split(s).join('¤');
  };
  const clean = path.split('?')[0]!;
  for (const p of [clean, encodeURI(clean), clean.split('/').filter(Boolean).at(-1) ?? '']) cut(p);
  return text.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z¤#]{2,}/g) ?? []);

function similar(a: Set<string>, b: Set<string>): boolean {
  if (a.size === 0 && b.size === 0) return true;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / Math.max(a.size, b.size) >= SIMILAR;
}

const hashOf = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);
const headerOf = (x: Exchange, name: string): string | undefined => x.response?.headers.find(([k]) => k.toLowerCase() === name)?.[1];

interface Parts {
  path: string;
  status: number;
  body: string;
  location?: string;
}

function partsOf(a: Answer): Parts | undefined {
  if ('request' in a) {
    const res = a.response;
    if (!res) return undefined;
    const loc = headerOf(a, 'location');
    return { path: new URL(a.request.url, 'http://x').pathname, status: res.status, body: res.bodyEncoding === 'base64' ? '' : res.body, ...(loc ? { location: loc } : {}) };
  }
  return { path: new URL(a.url, 'http://x').pathname, status: a.status, body: a.body, ...(a.location ? { location: a.location } : {}) };
}

interface Learned extends Soft404Profile {
  words: Set<string>;
}

/** A learner bound to one engine (one scan); `meta` labels its requests in the audit log. */
export function createSoft404(engine: HttpEngine, meta: { checkId: string } = { checkId: 'discover' }): Soft404 {
  const learned = new Map<string, Promise<Learned | undefined>>();
  const settled: Soft404Profile[] = [];
  const learn = (identity: string, key: string): Promise<Learned | undefined> => {
    const perIdentity = [...learned.keys()].filter((k) => k.startsWith(`${identity} `)).length;
    const k = perIdentity >= MAX_SOFT404_KEYS && !learned.has(`${identity} ${key}`) ? '/' : key;
    const id = `${identity} ${k}`;
    let p = learned.get(id);
    if (!p) {
      const random = `vouch-${randomBytes(6).toString('hex')}`;
      const dir = k.replace(/\*\.[^/]*$/, '');
      const ext = /\*(\.[^/]*)$/.exec(k)?.[1] ?? '';
      const path = `${dir}${random}${ext}`;
      p = engine.send({ method: 'GET', url: path }, { identity, checkId: meta.checkId }).then((x) => {
        const parts = partsOf(x);
        if (!parts) return undefined;
        const norm = normalise(parts.body, path);
        const location = parts.location ? normalise(parts.location, path) : undefined;
        const profile: Soft404Profile = { key: k, identity, status: parts.status, length: norm.length, hash: hashOf(norm), echoes: parts.body.includes(random), ...(location ? { location } : {}) };
        settled.push(profile);
        return { ...profile, words: words(norm) };
      });
      learned.set(id, p);
    }
    return p;
  };
  return {
    async matches(answer) {
      const parts = partsOf(answer);
      if (!parts) return false;
      if (parts.status === 404 || parts.status === 410) return true;
      const identity = ('request' in answer ? answer.identity : answer.identity) ?? 'anonymous';
      const profile = await learn(identity, soft404Key(parts.path));
      if (!profile || profile.status !== parts.status) return false;
      if (parts.status >= 300 && parts.status < 400) return parts.location !== undefined && normalise(parts.location, parts.path) === profile.location;
      if (parts.status >= 400) return true; // the same error status as a random path: nothing there
      const norm = normalise(parts.body, parts.path);
      if (hashOf(norm) === profile.hash) return true;
      const band = Math.max(64, profile.length * 0.1);
      return Math.abs(norm.length - profile.length) <= band && similar(words(norm), profile.words);
    },
    profiles: () => [...settled].sort((a, b) => a.identity.localeCompare(b.identity) || a.key.localeCompare(b.key)),
  };
}

const perEngine = new WeakMap<HttpEngine, Soft404>();

/** The scan's learner: one per engine, shared by discovery and the checks (`ctx.notFound`), learned once. */
export function soft404For(engine: HttpEngine): Soft404 {
  let s = perEngine.get(engine);
  if (!s) perEngine.set(engine, (s = createSoft404(engine)));
  return s;
}
