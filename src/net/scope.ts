// src/net/scope.ts — the scope guard: decides whether a URL may be requested, and says why not.
import type { Scope } from '../core/index.js';

export type ScopeDecision = { allowed: true } | { allowed: false; reason: string };

/** Normalized `scheme://host:port` of a URL (default ports made explicit). */
export function originOf(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
  return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
}

const ALLOWED: ScopeDecision = { allowed: true };

/** The scope decision for a request already split into scheme, normalized origin and normalized path. */
export type ScopeJudge = (protocol: string, origin: string, pathname: string) => ScopeDecision;

export function createScopeJudge(scope: Scope): ScopeJudge {
  const origins = new Set(scope.origins.map((o) => originOf(o)));
  const include = scope.include;
  const exclude = scope.exclude.map((p) => ({ p, dir: p.endsWith('/') ? p : p + '/', query: p + '?' }));
  return (protocol, origin, path) => {
    if (protocol !== 'http:' && protocol !== 'https:') return { allowed: false, reason: `scheme ${protocol} is not allowed` };
    if (!origins.has(origin)) return { allowed: false, reason: `origin ${origin} is outside the scope (allowed: ${[...origins].join(', ')})` };
    if (include.length > 0 && !include.some((p) => path.startsWith(p))) return { allowed: false, reason: `path ${path} is not under an included prefix` };
    for (const x of exclude) {
      if (path === x.p || path.startsWith(x.dir) || path.startsWith(x.query)) return { allowed: false, reason: `path ${path} is excluded by scope.exclude ${x.p}` };
    }
    return ALLOWED;
  };
}

/**
 * Builds the guard for a scope; origins in the scope may be given with or without an explicit port. Paths are judged
 * after URL normalization (`/api/../admin` is `/admin`), which is what a normalizing server would serve.
 */
export function createScopeGuard(scope: Scope): (url: string | URL) => ScopeDecision {
  const judge = createScopeJudge(scope);
  return (raw) => {
    let u: URL;
    if (typeof raw !== 'string') u = raw;
    else if (URL.canParse(raw)) u = new URL(raw);
    else return { allowed: false, reason: `not an absolute URL: ${raw.slice(0, 200)}` };
    return judge(u.protocol, originOf(u), u.pathname);
  };
}
