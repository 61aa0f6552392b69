// src/core/http.ts — the contract between checks/stages and the HTTP engine (implemented in src/net/).
import type { Exchange, HeaderList } from './types.js';

export interface SendRequest {
  method: string;
  /** Absolute URL, or a path (starting with `/`) resolved against the target's origin. Sent byte for byte. */
  url: string;
  headers?: HeaderList;
  body?: string | Uint8Array;
  /** Follow redirects hop by hop, each hop checked against scope. Default false: checks see the 3xx. */
  followRedirects?: boolean;
  /** Total timeout for this request, ms (engine default otherwise). */
  timeoutMs?: number;
}

export interface SendMeta {
  /** Identity name whose credentials and cookie jar are used. */
  identity: string;
  taskId?: string;
  checkId?: string;
  /** Marks a payload that changes or deletes data, or sleeps long: refused in safe mode. */
  destructive?: boolean;
  /**
   * A write built to be rejected by validation (an invalid id or body) to learn whether authorization lets it
   * through (permission audit). It changes nothing, so safe mode lets it pass; `destructive` still wins.
   */
  probe?: boolean;
  /**
   * A request of a login recipe (or the sign-up of `identities: auto`): how a user signs in, so safe mode lets it
   * through and the harm guard does not judge it. Set by src/identities only.
   */
  login?: boolean;
  /**
   * The account a write names in its body (`{"username": "…"}`), for a cross-user test: the harm guard lets the write
   * through only when vouch registered that account, and refuses it otherwise.
   */
  account?: string;
}

/**
 * A last guard the engine asks about every request after scope and safe mode (do no harm, src/plan/harm.ts): the
 * reason to refuse it (`VOUCH_HARM_REFUSED`), or undefined. It learns from every answer (ids vouch created, an
 * identity's own account, a page that reported a reset).
 */
export interface RequestGuard {
  /**
   * `target` is the request target as sent: the path and query (`/users/7?x=1`); `body` the request body as text,
   * when it has one (a create through a collection PUT is told from a write to an object by what its body names).
   */
  refuse(method: string, target: string, meta: SendMeta, body?: string): string | undefined;
  learn(ex: Exchange, meta: SendMeta): void;
}

/**
 * The target stopped answering during the scan (connection refused or reset, timeouts) while a probe of a known-good
 * request failed too: the engine paused all sending, probed with back-off and resumed when it answered again
 * (`HttpEngine.outages()`, docs/engine.md#outages). Data only: a check turns it into a finding.
 */
export interface Outage {
  /** `outage-1`, `outage-2`, … in the order they began. */
  id: string;
  /** The origin that stopped answering (`scheme://host:port`). */
  origin: string;
  /**
   * Exchange ids of the requests sent last before the target stopped answering, the most likely cause first: the
   * earliest-started failed request, then up to two that started before it. Never retried automatically.
   */
  suspects: string[];
  /** Exchange ids of the requests that failed because of the outage. */
  failed: string[];
  /** Exchange ids of the probes sent to tell whether it answers again, in order. */
  probes: string[];
  /** Exchange ids of the failed requests that were sent again once it answered (their tasks got the retry). */
  retried: string[];
  /** Epoch ms: when the first failed request was sent. */
  startedAt: number;
  /** Epoch ms: when the first probe failed too (sending paused from then on). */
  detectedAt: number;
  /** Epoch ms: when a probe got an answer again (recovered only). */
  endedAt?: number;
  recovered: boolean;
  /** Not recovered: why sending stopped, the VOUCH_TARGET_UNAVAILABLE message (it begins `target-unavailable:`). */
  reason?: string;
}

export interface EngineStats {
  sent: number;
  refused: number;
  errors: number;
  byStatus: Record<string, number>;
}

/**
 * Every request vouch makes goes through one of these: scope guard, safe mode, budget, rate limit, recording and
 * audit log are its job. `send` resolves with an Exchange whose `error` is set when no response came
 * (including scope and safe-mode refusals); it rejects only with VOUCH_BUDGET_EXHAUSTED, VOUCH_INTERRUPTED or (the
 * target stopped answering and did not recover) VOUCH_TARGET_UNAVAILABLE.
 */
export interface HttpEngine {
  send(req: SendRequest, meta: SendMeta): Promise<Exchange>;
  /** Look up a recorded exchange. */
  exchange(id: string): Exchange | undefined;
  /** All exchanges recorded so far, in order. */
  exchanges(): readonly Exchange[];
  /** Records an exchange vouch did not send (an out-of-band callback) so findings can cite it; not audited. */
  record?(x: Omit<Exchange, 'id'>): Exchange;
  stats(): EngineStats;
  /** Times the target stopped answering during the scan (empty when the engine does not watch for outages). */
  outages?(): readonly Outage[];
  /** Lets requests in flight finish (cut after `withinMs` when given), then closes every connection and the audit log. */
  close(opts?: { withinMs?: number }): Promise<void>;
}
