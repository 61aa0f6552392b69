// src/net/wire.ts — one request through undici's dispatch API: body caps, decoding, a total timeout; the result to a callback.
import { subscribe } from 'node:diagnostics_channel';
// The module binding, not the global: `globalThis.performance` is a lazy getter in Node 20, called on every use.
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { HeaderList } from '../core/index.js';
import { BodySink, decodableEncoding, latin1 } from './body.js';

export interface WireRequest {
  origin: string;
  /** Request target sent byte for byte (undici only refuses bytes outside 0x21-0xff: use the raw writer for those). */
  path: string;
  method: string;
  /** Flat `[name, value, name, value, ...]`: duplicates and order are kept. */
  headers: string[];
  body?: string | Buffer;
  /** Time to response headers, ms, when shorter than the dispatcher's own. */
  headersTimeout?: number;
  /** Longest silence between two body chunks, ms, when shorter than the dispatcher's own. */
  bodyTimeout?: number;
  /** Whole request, ms, including waiting for a connection. */
  totalTimeout: number;
  maxBytes: number;
  /** Decode gzip/deflate/br bodies (the caller sent accept-encoding). */
  decode: boolean;
}

let capturing = false;
/** The handler whose request undici is writing right now (onConnect and sendHeaders run in one synchronous call). */
let writing: ((head: string) => void) | undefined;

/** Subscribes (once) to undici's `undici:client:sendHeaders` so handlers can note the exact request-head bytes. */
export function captureHeaderBytes(): void {
  if (capturing) return;
  capturing = true;
  subscribe('undici:client:sendHeaders', (message) => {
    const m = message as { headers?: unknown };
    if (writing && typeof m.headers === 'string') writing(m.headers);
    writing = undefined;
  });
}

export interface WireResult {
  status?: number;
  headers?: HeaderList;
  body?: Buffer;
  truncated?: boolean;
  notes?: string[];
  headersMs?: number;
  totalMs: number;
  /** No (complete) response: TIMEOUT, ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET, ... With a status, the body is partial. */
  error?: { code: string; message: string };
}

/** Our own total-timeout abort. */
class TotalTimeout extends Error {
  readonly code = 'TIMEOUT';
}
/** Our own abort when the body cap is reached: the exchange is complete (truncated), not failed. */
class CapReached extends Error {}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'TIMEOUT']);

export function errorCode(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') return TIMEOUT_CODES.has(code) ? 'TIMEOUT' : code;
  return 'REQUEST_FAILED';
}

/** Something that can stop in-flight requests (the engine keeps a set of them for interruption). */
export interface Abortable {
  abort(reason: Error): void;
}

/** undici's abort function for a request it has started writing. */
type AbortFn = (err?: Error) => void;

/**
 * undici handler in the callback style (onConnect/onHeaders/onData/onComplete/onError). This is what undici 7's own
 * client calls: a controller-style handler (onRequestStart/onResponse*) is wrapped in an adapter that allocates a
 * controller and parses the raw headers into an object for every response, which costs about 1-2 µs a request here
 * (see docs/benchmarks.md, Engine). Response headers are taken from the raw list (name case, order and duplicates as
 * sent). The total timeout runs from hand-over (`t0`), so it counts the time spent waiting for a connection as well
 * as connecting, writing and reading. For speed its timer is armed only when needed: by the engine when every
 * connection to the origin is busy (the request queues), when the request starts more than 1 ms after dispatch (it waited for a
 * connect; the connect timeout bounded that), or when a body comes in more than one chunk (a trickle). Otherwise
 * undici's headers and body timers, both capped by the total, bound a stall.
 */
export class WireHandler implements Dispatcher.DispatchHandler, Abortable {
  /** Set once undici starts the request (onConnect). */
  private abortFn: AbortFn | undefined;
  private sink: BodySink | undefined;
  /** The body while it is one chunk and needs no decoding (no sink yet). */
  private first: Buffer | undefined;
  private status = 0;
  private headers: HeaderList | undefined;
  private headersMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chunks = 0;
  private settled = false;
  private pendingAbort: Error | undefined;
  private cut = false;
  /** The request head as undici wrote it (only when capturing). */
  headBytes: string | undefined;

  /** `t0`: when the request was handed over (`performance.now()`); its total timeout runs from there. */
  constructor(
    private readonly req: WireRequest,
    private readonly t0: number,
    private readonly done: WireDone,
  ) {}

  /** The result has been handed to `done` (completed, failed, timed out or aborted). */
  get settledYet(): boolean {
    return this.settled;
  }

  /**
   * Sends the request on `dispatcher` (a connection lent to it alone, or any undici dispatcher). Never throws:
   * undici validates synchronously (invalid path, method or header), and that is an error exchange, not a crash.
   */
  send(dispatcher: Dispatcher): void {
    if (this.settled) return;
    try {
      // WireRequest carries undici's own option names (origin, path, method, headers, body, headersTimeout,
      // bodyTimeout), so it is passed as is: no second object per request. undici ignores the other fields.
      dispatcher.dispatch(this.req as unknown as Dispatcher.DispatchOptions, this);
    } catch (e) {
      this.onError(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** Arms the total-timeout timer for what is left of the deadline (expiring now when nothing is). */
  arm(): void {
    if (this.timer || this.settled) return;
    const left = this.t0 + this.req.totalTimeout - performance.now();
    if (left <= 0) return this.expire();
    this.timer = setTimeout(() => this.expire(), left);
  }

  expire(): void {
    this.abort(new TotalTimeout(`total timeout of ${this.req.totalTimeout} ms reached${this.abortFn ? '' : ' while waiting for a connection'}`));
  }

  abort(reason: Error): void {
    if (this.settled) return;
    if (this.abortFn) this.abortFn(reason);
    else {
      // Still queued for a connection: undici has not started the request yet. Settle now, abort when it does.
      this.pendingAbort = reason;
      this.onError(reason);
    }
  }

  onConnect(abort: AbortFn): void {
    this.abortFn = abort;
    if (!this.timer && performance.now() - this.t0 > 1) this.arm();
    if (capturing) writing = (head) => (this.headBytes = head);
    if (this.pendingAbort) abort(this.pendingAbort);
  }

  onHeaders(statusCode: number, raw: Buffer[] | string[] | null): boolean {
    if (this.settled || (statusCode < 200 && statusCode !== 101)) return true;
    this.status = statusCode;
    this.headersMs = performance.now() - this.t0;
    const list: HeaderList = [];
    let encoding: string | undefined;
    if (raw) {
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const pair = headerPair(raw[i]!, raw[i + 1]!);
        list.push(pair);
        if (pair[0] === 'content-encoding') encoding = pair[1];
      }
    }
    this.headers = list;
    const decode = this.req.decode ? decodableEncoding(encoding) : undefined;
    // Only a decoder can hit the cap on its own (raw bytes are capped in push): no closure otherwise. Without a decoder
    // the sink is made only when a second chunk comes (or the first one is over the cap): one-chunk bodies need none.
    if (decode) this.sink = new BodySink(this.req.maxBytes, decode, () => this.stop());
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled || !this.status) return true;
    if (!this.sink) {
      if (this.chunks === 0 && chunk.length <= this.req.maxBytes) {
        this.chunks = 1;
        this.first = chunk;
        return true;
      }
      this.sink = new BodySink(this.req.maxBytes, undefined);
      if (this.first) this.sink.push(this.first);
      this.first = undefined;
    }
    const more = this.sink.push(chunk);
    // A body in several chunks may be a trickle: bound it by the total timeout (one-chunk bodies never need it).
    if (++this.chunks === 2) this.arm();
    if (!more) this.stop();
    return true;
  }

  onComplete(): void {
    this.complete(undefined);
  }

  onError(err: Error): void {
    if (this.settled) return;
    if (err instanceof CapReached || (this.cut && this.status)) return this.complete(undefined);
    const error = { code: errorCode(err), message: err.message || String(err) };
    if (this.status) {
      const sink = (this.sink ??= this.sinkOfFirst());
      sink.note(`response ended early: ${error.code} (${error.message}); body is partial`);
      sink.truncated = true;
      return this.complete(error);
    }
    this.sink?.abort();
    this.settle(undefined, error);
  }

  /** A sink holding the one chunk kept so far (when a note or a flag must go with the body). */
  private sinkOfFirst(): BodySink {
    const sink = new BodySink(this.req.maxBytes, undefined);
    if (this.first) sink.push(this.first);
    this.first = undefined;
    return sink;
  }

  private stop(): void {
    if (this.cut) return;
    this.cut = true;
    this.abortFn?.(new CapReached());
  }

  private complete(error: WireResult['error']): void {
    if (this.settled) return;
    const wait = this.sink?.finish();
    if (wait) void wait.then(() => this.settle(this.sink, error));
    else this.settle(this.sink, error);
  }

  private settle(sink: BodySink | undefined, error: WireResult['error']): void {
    if (this.settled) return;
    this.settled = true;
    if (this.timer) clearTimeout(this.timer);
    const totalMs = performance.now() - this.t0;
    const r: WireResult = { totalMs };
    if (error) r.error = error;
    if (!this.status) return this.done.wireDone(r);
    r.status = this.status;
    r.headers = this.headers ?? [];
    r.body = sink ? sink.body() : (this.first ?? EMPTY);
    if (this.headBytes !== undefined) {
      const note = `request head: ${JSON.stringify(this.headBytes)}`;
      if (sink) sink.note(note);
      else r.notes = [note];
    }
    if (sink?.truncated) r.truncated = true;
    if (sink?.notes) r.notes = sink.notes;
    if (this.headersMs !== undefined) r.headersMs = this.headersMs;
    this.done.wireDone(r);
  }
}

const EMPTY = Buffer.alloc(0);

/** A common response header name and the last pair recorded under it. */
interface KnownName {
  name: string;
  last: [string, string] | undefined;
}

/** Header names most responses carry, by length: matched byte by byte (ASCII case-insensitive) without a new string. */
const KNOWN_NAMES: KnownName[][] = [];
for (const name of ['date', 'etag', 'vary', 'server', 'expires', 'location', 'connection', 'keep-alive', 'set-cookie', 'content-type', 'cache-control', 'last-modified', 'accept-ranges', 'content-length', 'content-encoding', 'transfer-encoding', 'x-content-type-options', 'strict-transport-security', 'access-control-allow-origin']) {
  (KNOWN_NAMES[name.length] ??= []).push({ name, last: undefined });
}

function knownName(b: Buffer): KnownName | undefined {
  const list = KNOWN_NAMES[b.length];
  if (!list) return undefined;
  for (const known of list) {
    const name = known.name;
    let i = 0;
    for (; i < name.length; i++) {
      const c = name.charCodeAt(i);
      const x = b[i]!;
      if (x !== c && !(c >= 0x61 && c <= 0x7a && x === c - 0x20)) break;
    }
    if (i === name.length) return known;
  }
  return undefined;
}

/** Whether the bytes are exactly the latin1 string. */
function sameLatin1(b: Buffer, s: string): boolean {
  if (b.length !== s.length) return false;
  for (let i = b.length - 1; i >= 0; i--) if (b[i] !== s.charCodeAt(i)) return false;
  return true;
}

/** A response header name, lower-cased: a shared string for the common names, else decoded (latin1) and lowered. */
function headerName(b: Buffer | string): string {
  if (typeof b === 'string') return b.toLowerCase();
  return knownName(b)?.name ?? latin1(b).toLowerCase();
}

/**
 * One recorded response header `[name, value]`. A server repeats most of its headers byte for byte from one response
 * to the next (content-type, connection, keep-alive, server, ...): for the common names the last pair is kept and
 * shared when the bytes match, so a scan that keeps every exchange holds one copy of it (recorded headers are
 * read-only by contract). The value is compared from its end, where changing values (date, length) differ.
 */
export function headerPair(name: Buffer | string, value: Buffer | string): [string, string] {
  if (typeof name === 'string' || typeof value === 'string') return [headerName(name), latin1(value)];
  const known = knownName(name);
  if (!known) return [latin1(name).toLowerCase(), latin1(value)];
  const last = known.last;
  if (last && sameLatin1(value, last[1])) return last;
  return (known.last = [known.name, latin1(value)]);
}

/** Receives a request's result (an object with a method, not a closure: the engine passes its per-request state). */
export interface WireDone {
  wireDone(r: WireResult): void;
}
