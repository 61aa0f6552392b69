// src/net/breaker.ts — the host-error circuit breaker: after N consecutive failures an origin is left alone.

export const HOST_UNAVAILABLE = 'VOUCH_HOST_UNAVAILABLE';

export interface BreakerOptions {
  /** Consecutive connection errors/timeouts that open the circuit. Default 5; 0 disables the breaker. */
  threshold?: number;
  /** After this long an open circuit lets one request through (half-open). Default: stays open for the engine's life. */
  cooldownMs?: number;
}

interface OriginState {
  failures: number;
  openedAt: number;
  lastError: string;
  probing: boolean;
}

/** Per-origin consecutive-failure counter. `check()` says whether a request may go; `success`/`failure` feed it. */
export class HostBreaker {
  private readonly states = new Map<string, OriginState>();
  private readonly threshold: number;
  private readonly cooldownMs: number;

  constructor(opts: BreakerOptions = {}) {
    this.threshold = opts.threshold ?? 5;
    this.cooldownMs = opts.cooldownMs ?? Number.POSITIVE_INFINITY;
  }

  /** undefined when the request may be sent, else the reason it may not. */
  check(origin: string): string | undefined {
    if (this.threshold <= 0 || this.states.size === 0) return undefined;
    const s = this.states.get(origin);
    if (!s || s.failures < this.threshold) return undefined;
    if (!s.probing && Date.now() - s.openedAt >= this.cooldownMs) {
      s.probing = true;
      return undefined;
    }
    return `${origin} failed ${s.failures} times in a row (last: ${s.lastError}); vouch stopped sending there`;
  }

  success(origin: string): void {
    if (this.threshold <= 0 || this.states.size === 0) return;
    this.states.delete(origin);
  }

  failure(origin: string, error: string): void {
    if (this.threshold <= 0) return;
    let s = this.states.get(origin);
    if (!s) this.states.set(origin, (s = { failures: 0, openedAt: 0, lastError: '', probing: false }));
    s.failures++;
    s.lastError = error;
    if (s.failures >= this.threshold) {
      s.openedAt = Date.now();
      s.probing = false;
    }
  }

  /** Origins whose circuit is open. */
  open(): string[] {
    return [...this.states.entries()].filter(([, s]) => s.failures >= this.threshold).map(([o]) => o);
  }
}
