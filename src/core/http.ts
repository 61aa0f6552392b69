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
 * (including scope and safe-mode refusals); it rejects only with VOUCH_BUDGET_EXHAUSTED or VOUCH_INTERRUPTED.
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
  /** Lets requests in flight finish (cut after `withinMs` when given), then closes every connection and the audit log. */
  close(opts?: { withinMs?: number }): Promise<void>;
}
