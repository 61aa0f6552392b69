// src/net/limiter.ts — politeness: a concurrency gate, a token-bucket rate limit per origin, and back-off on 429/503.

/** Limits how many requests run at once. `acquire()` returns undefined when a slot was free (no promise, no tick). */
export class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly max: number) {}

  acquire(): Promise<void> | undefined {
    if (this.active < this.max) {
      this.active++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiter, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const wait = this.acquire();
    if (wait) await wait;
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/** Longest pause any server can ask of vouch, ms. */
export const MAX_BACKOFF_MS = 60_000;
/** Pause after a 429/503 without Retry-After, doubled on each consecutive one. */
export const BASE_BACKOFF_MS = 500;

/**
 * Token bucket: `rate` requests per second with a burst of `rate` (at least 1), plus adaptive back-off:
 * a 429/503 pauses the origin (Retry-After, or exponential from BASE_BACKOFF_MS) and halves the rate;
 * each success gives back 10% of the configured rate (AIMD).
 */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private pausedUntil = 0;
  private current: number;
  private streak = 0;
  constructor(
    private readonly rate: number,
    private readonly maxBackoffMs = MAX_BACKOFF_MS,
  ) {
    this.current = rate;
    this.tokens = Math.max(1, rate);
  }

  /** Requests per second currently allowed (lower than configured while backing off). */
  get currentRate(): number {
    return this.current;
  }

  /** Stops handing out tokens until `until` (epoch ms). */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /** Epoch ms until which the origin is paused (0 when not). */
  get pausedUntilMs(): number {
    return this.pausedUntil;
  }

  /** The server said "slow down" (429/503). `retryAfterMs` from the header when it gave one. Returns the pause, ms. */
  backOff(retryAfterMs: number | undefined): number {
    this.streak++;
    const ms = Math.min(this.maxBackoffMs, retryAfterMs ?? BASE_BACKOFF_MS * 2 ** Math.min(this.streak - 1, 16));
    this.pause(Date.now() + ms);
    this.current = Math.max(1, this.current / 2);
    return ms;
  }

  /** A normal answer: recover the rate additively. */
  ok(): void {
    this.streak = 0;
    if (this.current < this.rate) this.current = Math.min(this.rate, this.current + this.rate / 10);
  }

  /** Takes a token; returns undefined when one was there (the hot path), else a promise that resolves when one is. */
  take(now = Date.now()): Promise<void> | undefined {
    if (now >= this.pausedUntil) {
      this.tokens = Math.min(Math.max(1, this.current), this.tokens + ((now - this.last) / 1000) * this.current);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return undefined;
      }
    }
    return this.wait();
  }

  private async wait(): Promise<void> {
    for (;;) {
      const now = Date.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now);
        continue;
      }
      this.tokens = Math.min(Math.max(1, this.current), this.tokens + ((now - this.last) / 1000) * this.current);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.ceil(((1 - this.tokens) / this.current) * 1000));
    }
  }
}

/**
 * Retry-After as ms: delta-seconds (`120`) or an HTTP date; undefined when absent or unreadable.
 * Negative or past values give 0.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
