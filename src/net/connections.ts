// src/net/connections.ts — one origin's keep-alive connections: an undici Client each, lent to one request at a time.
import { rootCertificates } from 'node:tls';
import { buildConnector, Client } from 'undici';
import type { TlsSettings } from '../core/index.js';

/** What every connection of an engine shares (one connector: one TLS session cache). */
export interface ConnectionOptions {
  /** Most connections open to one origin at once. */
  max: number;
  keepAliveTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  connect: buildConnector.connector;
}

/** Node's bundled roots plus the extra CA certificates of `tls.ca` (undefined: the roots alone, Node's default). */
export function trustedCas(tls: TlsSettings | undefined): string[] | undefined {
  return tls?.ca ? [...rootCertificates, tls.ca] : undefined;
}

/** Builds the connector all of an engine's connections dial through (the connect timeout is its own). */
export function connector(connectTimeoutMs: number, tls?: TlsSettings): buildConnector.connector {
  const ca = trustedCas(tls);
  return buildConnector({ timeout: connectTimeoutMs, rejectUnauthorized: tls?.verify ?? true, ...(ca ? { ca } : {}) });
}

/**
 * A request waiting for a connection. `run` hands it one; a waiter that settled while it waited (its total timeout,
 * an interruption) says so with `done` and is skipped; `abort` ends one that will never get a connection.
 */
export interface Waiter {
  readonly done: boolean;
  run(client: Client): void;
  abort(reason: Error): void;
}

/**
 * The connections to one origin. Each is an undici `Client` with pipelining 1, lent to one request at a time: `take`
 * lends an idle one (or opens one while under `max`); `release` takes it back once its request settled. A released
 * connection rests until the event loop's check phase (one `setImmediate` for all released in the same turn) before
 * it goes to the next waiter in arrival order or back to the idle set: a server that closes a keep-alive connection
 * right after its response has then been seen to (undici waits the same turn before it reuses a socket; reusing it
 * at once sends the next request into the closing socket). The engine does this itself rather than through undici's
 * `Pool`/`Agent`, which dispatch through two more layers and emit events per completed request (docs/benchmarks.md,
 * Engine, fourth pass). A client reconnects by itself after its socket closed or failed.
 */
export class Connections {
  private readonly all: Client[] = [];
  private readonly idle: Client[] = [];
  /** Released this turn: idle again in the check phase. */
  private resting: Client[] = [];
  private waking: NodeJS.Immediate | undefined;
  private waiting: Array<Waiter | undefined> = [];
  private head = 0;
  private closed = false;

  constructor(
    private readonly origin: string,
    private readonly options: ConnectionOptions,
  ) {}

  /** An idle connection, a new one while under the cap, or undefined (then `wait`). */
  take(): Client | undefined {
    if (this.closed) return undefined;
    const idle = this.idle.pop();
    if (idle) return idle;
    if (this.all.length >= this.options.max) return undefined;
    const { keepAliveTimeout, headersTimeout, bodyTimeout, connect } = this.options;
    const client = new Client(this.origin, { pipelining: 1, keepAliveTimeout, headersTimeout, bodyTimeout, connect });
    this.all.push(client);
    return client;
  }

  /**
   * Queues a request until a connection is released to it. True when a resting connection will reach it in this
   * turn of the event loop (so a total-timeout timer is not worth arming for the wait).
   */
  wait(waiter: Waiter): boolean {
    if (this.closed) {
      waiter.abort(new Error(`connections to ${this.origin} are closed`));
      return true;
    }
    this.waiting.push(waiter);
    return this.waiting.length - this.head <= this.resting.length;
  }

  /** Requests waiting for a connection now. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Takes back a connection whose request settled: it rests until the check phase, then serves the queue. */
  release(client: Client): void {
    this.resting.push(client);
    this.waking ??= setImmediate(this.wake);
  }

  private readonly wake = (): void => {
    this.waking = undefined;
    const rested = this.resting;
    this.resting = [];
    for (const client of rested) this.lend(client);
  };

  /** Gives a connection to the next live waiter, or back to the idle set. */
  private lend(client: Client): void {
    if (this.closed) return;
    while (this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = undefined;
      if (this.head === this.waiting.length) this.reset();
      else if (this.head >= 1024 && this.head * 2 >= this.waiting.length) this.compact();
      if (!next.done) return next.run(client);
    }
    this.idle.push(client);
  }

  /** Lets requests in flight finish, then closes every connection; waiters still queued get an error. */
  close(): Promise<void> {
    this.closed = true;
    this.drop(new Error(`connections to ${this.origin} are closing`));
    return Promise.all(this.all.map((c) => c.close())).then(() => undefined);
  }

  /** Ends every request at once: in flight (undici errors them with `reason`) and queued. */
  destroy(reason: Error): Promise<void> {
    this.closed = true;
    this.drop(reason);
    return Promise.all(this.all.map((c) => c.destroy(reason))).then(() => undefined);
  }

  private drop(reason: Error): void {
    if (this.waking) clearImmediate(this.waking);
    this.waking = undefined;
    this.resting = [];
    const left = this.waiting.slice(this.head);
    this.reset();
    for (const w of left) if (w && !w.done) w.abort(reason);
  }

  /** Drops the slots already served (a queue that never empties would otherwise only grow). */
  private compact(): void {
    this.waiting = this.waiting.slice(this.head);
    this.head = 0;
  }

  private reset(): void {
    this.waiting = [];
    this.head = 0;
  }
}
