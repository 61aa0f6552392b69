// src/discover/gate.ts — where a URL found while discovering may go: the target, another in-scope origin, or refused.
import type { HttpEngine, Scope } from '../core/index.js';
import { createScopeGuard, originOf } from '../net/scope.js';

/** The kind of source a URL came from; refusals are logged with `checkId: discover:<kind>`. */
export type FoundVia = 'link' | 'form' | 'redirect' | 'sitemap' | 'robots' | 'script' | 'spec' | 'spec-server' | 'har' | 'postman' | 'graphql' | 'spa';

export type Verdict = 'target' | 'other' | 'refused';

export interface UrlGate {
  /**
   * Judges a URL found by discovery. Out of scope: the engine records a refusal (audit log, stats) the first time
   * this URL is met — it is never contacted. `other`: in scope but on another origin (discovery stays on the target).
   */
  judge(url: URL, via: FoundVia, method?: string): Promise<Verdict>;
  /** URLs refused so far. */
  refused(): number;
}

export function createUrlGate(engine: HttpEngine, targetUrl: string, scope?: Scope): UrlGate {
  const guard = createScopeGuard(scope ?? { origins: [new URL(targetUrl).origin], include: [], exclude: [] });
  const target = originOf(targetUrl);
  const seen = new Map<string, Verdict>();
  let refused = 0;
  return {
    async judge(url, via, method = 'GET') {
      const href = url.href.replace(/#.*$/, '');
      const known = seen.get(href);
      if (known) return known;
      const decision = guard(url);
      let verdict: Verdict;
      if (decision.allowed) verdict = originOf(url) === target ? 'target' : 'other';
      else {
        verdict = 'refused';
        seen.set(href, verdict);
        refused++;
        // The engine's scope guard refuses it again and records the refusal; nothing leaves the machine.
        await engine.send({ method: method.toUpperCase(), url: href }, { identity: 'anonymous', checkId: `discover:${via}` });
      }
      seen.set(href, verdict);
      return verdict;
    },
    refused: () => refused,
  };
}
