// src/net/scope.ts — the scope guard: decides whether a URL may be requested, and says why not.
import type { Scope } from '../core/index.js';

export type ScopeDecision = { allowed: true } | { allowed: false; reason: string };

/** Normalized `scheme://host:port` of a URL (default ports made explicit). */
export function originOf(url: URL | string): string {
  const u = typeof url === 'string' ? new URL(url) : url;
  const port = u.port || (u.protocol === 'https:' ? '443' : u.protocol === 'http:' ? '80' : '');
  return `${u.protocol}//${u.hostname.toLowerCase()}:${port}`;
}

/**
 * Builds the guard for a scope; origins in the scope may be given with or without an explicit port. Paths are judged
 * after URL normalization (`/api/../admin` is `/admin`), which is what a normalizing server would serve.
 */
export function createScopeGuard(scope: Scope): (url: string | URL) => ScopeDecision {
  const origins = new Set(scope.origins.map((o) => originOf(o)));
  return (raw) => {
    let u: URL;
    if (typeof raw !== 'string') u = raw;
    else if (URL.canParse(raw)) u = new URL(raw);
    else return { allowed: false, reason: `not an absolute URL: ${raw.slice(0, 200)}` };
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return { allowed: false, reason: `scheme ${u.protocol} is not allowed` };
    const origin = originOf(u);
    if (!origins.has(origin)) return { allowed: false, reason: `origin ${origin} is outside the scope (allowed: ${[...origins].join(', ')})` };
    const path = u.pathname;
    if (scope.include.length > 0 && !scope.include.some((p) => path.startsWith(p))) {
      return { allowed: false, reason: `path ${path} is not under an included prefix` };
    }
    const excluded = scope.exclude.find((p) => path === p || path.startsWith(p.endsWith('/') ? p : p + '/') || path.startsWith(p + '?'));
    if (excluded) return { allowed: false, reason: `path ${path} is excluded by scope.exclude ${excluded}` };
    return { allowed: true };
  };
}
