// src/net/engine.ts — the HTTP engine (undici): every request vouch makes passes scope, safe mode, budget, circuit
// breaker and rate limit here, goes out exactly as given, and is recorded as an Exchange and in the audit log.
// The module binding, not the global: `globalThis.performance` is a lazy getter in Node 20, called on every use.
import { performance } from 'node:perf_hooks';
import type { Client } from 'undici';
import { VouchError } from '../core/index.js';
import type { EngineStats, Exchange, HeaderList, HttpEngine, Outage, RequestGuard, ResponseRecord, Scope, SendMeta, SendRequest, Target, TlsSettings } from '../core/index.js';
import { noAudit, type AuditEntry, type AuditLog } from './audit.js';
import { bodyText, encodeBody } from './body.js';
import { HOST_UNAVAILABLE, HostBreaker } from './breaker.js';
import { CookieJar, mergeCookies } from './cookies.js';
import { Gate, MAX_BACKOFF_MS, parseRetryAfter, TokenBucket } from './limiter.js';
import { describeRawRequest, rawExchange } from './raw.js';
import { createRecorder, type RecordMode } from './recorder.js';
import { connectionFailure, OUTAGE_DEFAULTS, OutageWatch, type OutageOptions } from './outage.js';
import { createScopeJudge, originOf } from './scope.js';
import { Connections, connector, trustedCas, type ConnectionOptions, type Waiter } from './connections.js';
import { captureHeaderBytes, WireHandler, type Abortable, type WireDone, type WireRequest, type WireResult } from './wire.js';

export interface EngineOptions {
  target: Target;
  scope: Scope;
  /** Only GET/HEAD/OPTIONS and no destructive payloads (default for production targets). */
  safeMode: boolean;
  /** Methods allowed in safe mode besides GET/HEAD/OPTIONS. Default none. */
  safeModeAllow?: string[];
  /**
   * Let write probes (`SendMeta.probe`: a write built to be rejected) through safe mode. Default false: safe mode sends
   * no POST/PUT/PATCH/DELETE at all, except a login's requests (`SendMeta.login`), which are how a user signs in.
   */
  safeModeWriteProbes?: boolean;
  /** Do no harm (src/plan/harm.ts): asked about every request after scope and safe mode; learns from every answer. */
  guard?: RequestGuard;
  /** Total requests a scan may send. Default 20,000. */
  budget?: number;
  /** Requests one check may send. Default: no per-check cap. */
  perCheckBudget?: number;
  /** Requests in flight at once, all origins together. Default 8. */
  concurrency?: number;
  /** Open connections per origin. Default: `concurrency`. */
  connectionsPerOrigin?: number;
  /** Requests per second per origin. Default 200 (20 in safe mode). */
  ratePerSecond?: number;
  /** Longest back-off after a 429/503 (Retry-After is capped to it), ms. Default 60,000. */
  maxBackoffMs?: number;
  /** Total timeout per request (queueing, connect, headers, body), ms. Default 15,000. */
  timeoutMs?: number;
  /** TCP/TLS connect timeout, ms. Default min(5,000, timeoutMs). */
  connectTimeoutMs?: number;
  /** Time to response headers, ms. Default timeoutMs. */
  headersTimeoutMs?: number;
  /** Longest silence between two body chunks, ms. Default timeoutMs. */
  bodyTimeoutMs?: number;
  /** Response bodies are cut (and marked truncated) beyond this, before and after decoding. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Redirect hops followed when a request asks for it. Default 5. */
  maxRedirects?: number;
  /** Consecutive connection errors/timeouts after which an origin gets VOUCH_HOST_UNAVAILABLE. Default 5; 0 = off. */
  hostErrorThreshold?: number;
  /** Let one request through an open circuit after this long, ms. Default: never (the origin stays closed). */
  hostErrorCooldownMs?: number;
  /**
   * Watch for outages (docs/engine.md#outages): a request that gets no response makes the engine probe the target;
   * when the probe fails too, all sending pauses, probes back off until it answers (then failed requests are sent
   * again) or `maxWaitMs` passes (then every send rejects with VOUCH_TARGET_UNAVAILABLE). Replaces the circuit
   * breaker. Default: off (the scan turns it on from `budget.outage`).
   */
  outage?: OutageOptions;
  /** What the recorder keeps: 'all' (default), `{ ring: n }` or 'counts' (benchmarks, soaks). */
  record?: RecordMode;
  /** Add the exact request-head bytes undici wrote as a response note (`request head: ...`). Default false. */
  captureHeaderBytes?: boolean;
  /** TLS to every origin: verify certificates (default) and trust extra CAs (`target.tls` in vouch.yaml). */
  tls?: TlsSettings;
  /** Raw writer: wait this long after a complete response for more bytes, ms. Default 50. */
  rawLingerMs?: number;
  audit?: AuditLog;
  /** Credentials for an identity (headers to add); resolved per request, may log in lazily. */
  credentials?: (identity: string) => Promise<HeaderList>;
  /**
   * Called when a request that carried an identity's credentials got 401: true when the identity logged in again,
   * and the request is then retried once (the retry's response notes say so).
   */
  reauthenticate?: (identity: string, why: string, sentAt: number) => Promise<boolean>;
  signal?: AbortSignal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const USER_AGENT = 'vouch/0.1 (+https://github.com/vouch)';

export interface Engine extends HttpEngine {
  setCredentials(fn: (identity: string) => Promise<HeaderList>): void;
  setReauthenticate(fn: (identity: string, why: string, sentAt: number) => Promise<boolean>): void;
  /** Cookie jar of an identity (login recipes read and seed it). */
  jar(identity: string): CookieJar;
  /**
   * Writes `bytes` exactly as given to the URL's origin over a fresh TCP/TLS connection (CR/LF anywhere, conflicting
   * framing) and records what comes back. Same scope, safe mode, budget, breaker, rate limit, recorder and audit as
   * `send`; no credentials or cookies are added.
   */
  sendRaw(bytes: string | Uint8Array, url: string, meta: SendMeta, options?: { timeoutMs?: number; lingerMs?: number }): Promise<Exchange>;
  /** Origins whose circuit breaker is open. */
  unavailableOrigins(): string[];
  /** Times the target stopped answering (with `outage` set; else always empty). */
  outages(): readonly Outage[];
  /** Puts back the exchanges of an earlier run of the same scan (resume): ids kept, new ids continue after them. */
  restore(exchanges: readonly Exchange[], after?: number): void;
  /** Exchange ids handed out so far (the last id's number). */
  recordedCount(): number;
}

/** Why a scan's signal fired, as one line: its reason's message (e.g. "interrupted by SIGINT"). */
export function interruptReason(signal: AbortSignal | undefined): string {
  const r: unknown = signal?.reason;
  if (r instanceof Error && r.name !== 'AbortError') return r.message;
  if (typeof r === 'string' && r) return r;
  return 'the scan was interrupted';
}


const NO_HEADERS: HeaderList = [];
const UA_HEADER: [string, string] = ['user-agent', USER_AGENT];
const UA_ONLY: HeaderList = [UA_HEADER];
const UA_FLAT: string[] = ['user-agent', USER_AGENT];
const EMPTY = Buffer.alloc(0);
/** Path characters the URL parser leaves as they are (no dot segments checked here, no escapes). */
const PLAIN_PATH = /^\/[A-Za-z0-9/_~!$&'()*+,;=:@.-]*$/;

/** An origin's rate bucket and its connections (opened on its first request that goes through undici). */
interface OriginState {
  bucket: TokenBucket;
  conns: Connections | undefined;
}

const noop = (): void => undefined;
/** `new Promise(capture)` hands its resolvers over without a closure per promise (read them right after). */
const captured: { resolve: (v: unknown) => void; reject: (e: unknown) => void } = { resolve: noop, reject: noop };
const capture = (resolve: (v: never) => void, reject: (e: unknown) => void): void => {
  captured.resolve = resolve as (v: unknown) => void;
  captured.reject = reject;
};

/** Upper-case methods as given or in lower case, without a case conversion (which goes through ICU). */
const METHODS = new Map<string, string>();
for (const m of ['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE', 'TRACE', 'CONNECT']) {
  METHODS.set(m, m);
  METHODS.set(m.toLowerCase(), m);
}
const upperMethod = (m: string): string => METHODS.get(m) ?? m.toUpperCase();
/** A request body as the harm guard reads it: text up to 100 kB; a larger or binary one as a NUL (it cannot tell). */
const guardBody = (b: string | Uint8Array | undefined): string | undefined => {
  if (b === undefined || typeof b === 'string') return b === undefined || b.length <= 100_000 ? b : '\0';
  return (b.byteLength <= 100_000 ? bodyText(Buffer.from(b.buffer, b.byteOffset, b.byteLength)) : undefined) ?? '\0';
};

/** Where a request goes: normalized origin key (scope, breaker, rate limit), the bytes to send, the URL on demand. */
class Where {
  constructor(
    readonly href: string,
    readonly protocol: string,
    readonly key: string,
    /** `scheme://host[:port]` for undici. */
    readonly origin: string,
    /** Normalized path, for the scope guard. */
    readonly pathname: string,
    /** Request target sent byte for byte. */
    readonly target: string,
    private parsed?: URL,
  ) {}

  url(): URL {
    return (this.parsed ??= new URL(this.href));
  }
}

export function createEngine(opts: EngineOptions): Engine {
  const judge = createScopeJudge(opts.scope);
  const concurrency = opts.concurrency ?? 8;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const headersTimeoutMs = opts.headersTimeoutMs ?? timeoutMs;
  const bodyTimeoutMs = opts.bodyTimeoutMs ?? timeoutMs;
  // The headers and body timeouts are the connections' own: a request names them only when its total timeout is
  // shorter (undici then re-arms its parser timer per request, which costs about 0.4 µs a request).
  const connectionOptions: ConnectionOptions = {
    max: opts.connectionsPerOrigin ?? concurrency,
    keepAliveTimeout: 10_000,
    headersTimeout: headersTimeoutMs,
    bodyTimeout: bodyTimeoutMs,
    connect: connector(opts.connectTimeoutMs ?? Math.min(5_000, timeoutMs), opts.tls),
  };
  const rawCa = trustedCas(opts.tls);
  const rawTls = { verifyTls: opts.tls?.verify ?? true, ...(rawCa ? { ca: rawCa } : {}) };
  const gate = new Gate(concurrency);
  const breaker = new HostBreaker({ threshold: opts.outage ? 0 : (opts.hostErrorThreshold ?? 5), ...(opts.hostErrorCooldownMs !== undefined ? { cooldownMs: opts.hostErrorCooldownMs } : {}) });
  const rate = opts.ratePerSecond ?? (opts.safeMode ? 20 : 200);
  const maxBackoff = opts.maxBackoffMs ?? MAX_BACKOFF_MS;
  const budget = opts.budget ?? 20_000;
  const audit = opts.audit ?? noAudit;
  const auditing = audit !== noAudit;
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const allowInSafe = new Set((opts.safeModeAllow ?? []).map((m) => m.toUpperCase()));
  const guard = opts.guard;
  const recorder = createRecorder(opts.record ?? 'all');
  const perCheck = new Map<string, number>();
  const jars = new Map<string, CookieJar>();
  const inFlight = new Set<Abortable>();
  /** Per origin: its rate bucket and its connections. */
  const origins = new Map<string, OriginState>();
  const stats: EngineStats = { sent: 0, refused: 0, errors: 0, byStatus: {} };
  let credentials = opts.credentials;
  let reauthenticate = opts.reauthenticate;
  /** Exchanges whose request carried the identity's own credentials (header or jar cookie). */
  const carried = new WeakSet<Exchange>();
  let closing: Promise<void> | undefined;
  const base = new URL(opts.target.url);
  const baseOrigin = `${base.protocol}//${base.host}`;
  const baseKey = originOf(base);
  if (opts.captureHeaderBytes) captureHeaderBytes();
  const watch = opts.outage ? new OutageWatch(opts.outage, { origin: baseOrigin, probe: () => probe(), sleep: (ms) => pause(ms) }) : undefined;
  const probeTimeout = Math.min(opts.outage?.probeTimeoutMs ?? OUTAGE_DEFAULTS.probeTimeoutMs, timeoutMs);
  const probeUrl = opts.outage?.probePath !== undefined ? baseOrigin + opts.outage.probePath : opts.target.url;
  /** Every origin's connections, closed gently (`close`) or at once (interruption). */
  const eachConnections = (fn: (c: Connections) => Promise<void>): Promise<void> =>
    Promise.all([...origins.values()].map((o) => (o.conns ? fn(o.conns) : undefined))).then(() => undefined);
  // Interruption ends every request at once: undici's by destroying the connections (the engine is done anyway), raw
  // ones through the set they register in. (No per-request registry for undici requests: it costs ~6 µs a request.)
  let destroyed: Promise<void> | undefined;
  const interrupted = (): VouchError => new VouchError('VOUCH_INTERRUPTED', interruptReason(opts.signal));
  opts.signal?.addEventListener('abort', () => {
    const reason = new Error(interruptReason(opts.signal));
    destroyed = eachConnections((c) => c.destroy(reason));
    for (const h of [...inFlight]) h.abort(new Error(interruptReason(opts.signal)));
  });

  const jar = (identity: string): CookieJar => {
    let j = jars.get(identity);
    if (!j) jars.set(identity, (j = new CookieJar()));
    return j;
  };

  const originState = (origin: string): OriginState => {
    let o = origins.get(origin);
    if (!o) origins.set(origin, (o = { bucket: new TokenBucket(rate, maxBackoff), conns: undefined }));
    return o;
  };

  const metaFields = (meta: SendMeta): Pick<Exchange, 'identity' | 'taskId' | 'checkId'> => ({
    identity: meta.identity,
    ...(meta.taskId ? { taskId: meta.taskId } : {}),
    ...(meta.checkId ? { checkId: meta.checkId } : {}),
  });

  let isoMs = 0;
  let iso = '';
  /** ISO time of an epoch ms, cached: at thousands of requests per second most share their millisecond. */
  const isoOf = (ms: number): string => {
    if (ms !== isoMs) {
      isoMs = ms;
      iso = new Date(ms).toISOString();
    }
    return iso;
  };

  /** One audit line for an exchange (built by assignment: this runs once per request). */
  const auditEntry = (ex: Exchange, outcome: AuditEntry['outcome'], code?: string, reason?: string, via?: 'raw'): void => {
    if (!auditing) return;
    const e: AuditEntry = { at: isoOf(ex.timing.startedAt), exchange: ex.id, identity: ex.identity, method: ex.request.method, url: ex.request.url, outcome };
    if (ex.checkId) e.checkId = ex.checkId;
    if (ex.taskId) e.taskId = ex.taskId;
    if (ex.response) e.status = ex.response.status;
    if (code !== undefined) e.code = code;
    if (reason !== undefined) e.reason = reason;
    if (outcome !== 'refused') e.ms = ex.timing.totalMs;
    if (via) e.via = via;
    if (audit.wantsHeaders) e.headers = ex.request.headers;
    audit.write(e);
  };

  const refuse = (method: string, url: string, headers: HeaderList, meta: SendMeta, code: string, reason: string): Exchange => {
    stats.refused++;
    const ex = recorder.add({ request: { method, url, headers }, error: { code, message: reason }, timing: { startedAt: Date.now(), totalMs: 0 }, ...metaFields(meta) });
    auditEntry(ex, 'refused', code, reason);
    return ex;
  };

  /** Absolute URL without normalizing the path: a path is appended to the target origin byte for byte. */
  const absolute = (u: string): string => (u.startsWith('/') ? baseOrigin + u : u);

  /**
   * Splits an absolute URL into what the engine needs. The common case (a plain path on the target's own origin) is
   * split by hand; anything with dot segments, escapes or another origin goes through the URL parser, so the scope
   * guard always judges the normalized path. Returns a reason string when the URL is unusable.
   */
  function locate(url: string, rel: string | undefined): Where | string {
    // `rel`: the path the caller gave when `url` is it appended to the target origin (no search in the joined string).
    if (rel !== undefined || (url.startsWith(baseOrigin) && url.charCodeAt(baseOrigin.length) === 0x2f)) {
      let target = rel ?? url.slice(baseOrigin.length);
      const hash = target.indexOf('#');
      if (hash >= 0) target = target.slice(0, hash);
      const q = target.indexOf('?');
      const pathname = q < 0 ? target : target.slice(0, q);
      if (PLAIN_PATH.test(pathname) && !pathname.includes('/.')) return new Where(url, base.protocol, baseKey, baseOrigin, pathname, target);
    }
    let u: URL;
    try {
      u = new URL(url);
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
      return `not an absolute URL: ${url.slice(0, 200)}`;
    }
    const target = requestTarget(url) ?? '/' + u.search;
    return new Where(url, u.protocol, originOf(u), `${u.protocol}//${u.host}`, u.pathname, target, u);
  }

  /**
   * The checks every request passes before it may leave: scope, safe mode, interruption, breaker, budgets.
   * Returns the refusal exchange, or where to send. Throws on budget and interruption.
   */
  function admit(method: string, url: string, headers: HeaderList, meta: SendMeta, rel?: string, body?: string): Exchange | Where {
    const where = locate(url, rel);
    if (typeof where === 'string') return refuse(method, url, headers, meta, 'VOUCH_SCOPE_REFUSED', where);
    const decision = judge(where.protocol, where.key, where.pathname);
    if (!decision.allowed) return refuse(method, url, headers, meta, 'VOUCH_SCOPE_REFUSED', decision.reason);
    // Safe mode sends no write, with two explicit exemptions: a login's requests (signing in is what a user does) and,
    // when `safeMode.writeProbes` says so, writes built to be rejected.
    if (opts.safeMode && !SAFE_METHODS.has(method) && !allowInSafe.has(method) && !meta.login && !(meta.probe && opts.safeModeWriteProbes)) {
      const why = meta.probe ? ' (a write probe: safeMode.writeProbes is off)' : '';
      return refuse(method, url, headers, meta, 'VOUCH_SAFE_MODE_REFUSED', `safe mode: ${method} is not allowed on a ${opts.target.environment} target${why}`);
    }
    if (opts.safeMode && meta.destructive) return refuse(method, url, headers, meta, 'VOUCH_SAFE_MODE_REFUSED', 'safe mode: destructive payload not sent');
    const harm = guard?.refuse(method, where.target, meta, body);
    if (harm !== undefined) return refuse(method, url, headers, meta, 'VOUCH_HARM_REFUSED', harm);
    if (opts.signal?.aborted) throw interrupted();
    const open = breaker.check(where.key);
    if (open) return refuse(method, url, headers, meta, HOST_UNAVAILABLE, open);
    if (stats.sent >= budget) throw new VouchError('VOUCH_BUDGET_EXHAUSTED', `the request budget of ${budget} is spent`, { hint: 'Raise budget.requests in vouch.yaml.' });
    if (meta.checkId && opts.perCheckBudget !== undefined) {
      const n = perCheck.get(meta.checkId) ?? 0;
      if (n >= opts.perCheckBudget) {
        throw new VouchError('VOUCH_BUDGET_EXHAUSTED', `check ${meta.checkId} spent its budget of ${opts.perCheckBudget} requests`, { hint: 'Raise budget.perCheck in vouch.yaml.' });
      }
      perCheck.set(meta.checkId, n + 1);
    }
    stats.sent++;
    return where;
  }

  /** Waits for a concurrency slot and a rate token; undefined (no promise, no tick) when both are free now. */
  function slot(bucket: TokenBucket, now: number): Promise<void> | undefined {
    const g = gate.acquire();
    if (g) return g.then(() => bucket.take());
    return bucket.take(now);
  }

  /** Turns a wire result into a recorded exchange, feeding stats, breaker, back-off and audit. Hot path: no spreads. */
  function settle(result: WireResult, request: Exchange['request'], meta: SendMeta, origin: string, bucket: TokenBucket, startedAt: number, via?: 'raw'): Exchange {
    if (opts.signal?.aborted) throw interrupted();
    const timing: Exchange['timing'] = { startedAt, totalMs: round(result.totalMs) };
    if (result.headersMs !== undefined) timing.headersMs = round(result.headersMs);
    const pending: Exchange = { id: '', request, timing, identity: meta.identity };
    if (meta.taskId) pending.taskId = meta.taskId;
    if (meta.checkId) pending.checkId = meta.checkId;
    let response: ResponseRecord | undefined;
    if (result.status !== undefined) {
      const status = result.status;
      const bytes = result.body ?? EMPTY;
      const text = bodyText(bytes);
      response = { status, headers: result.headers ?? [], body: text ?? bytes.toString('base64') };
      if (text === undefined) response.bodyEncoding = 'base64';
      if (result.truncated) response.truncated = true;
      if (result.notes && result.notes.length) response.notes = result.notes;
      pending.response = response;
      // A number index: no status string made per request (object keys are strings all the same).
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      if (status === 429 || status === 503) {
        const after = response.headers.find(([k]) => k === 'retry-after')?.[1];
        const ms = bucket.backOff(parseRetryAfter(after));
        (response.notes ??= []).push(`${status}: ${origin} paused for ${ms} ms${after !== undefined ? ` (Retry-After: ${after})` : ''}`);
      } else bucket.ok();
    }
    if (result.error) {
      pending.error = result.error;
      stats.errors++;
      breaker.failure(origin, result.error.code);
    } else breaker.success(origin);
    const ex = recorder.add(pending);
    if (guard && response) guard.learn(ex, meta);
    if (auditing) {
      if (result.error) auditEntry(ex, 'error', result.error.code, result.error.message, via);
      else auditEntry(ex, 'sent', undefined, undefined, via);
    }
    return ex;
  }

  /**
   * One request, no redirects. Hot path: no async frame; a bare request costs one promise (the one returned), settled
   * from undici's completion callback. Budget and interruption errors come back as rejections.
   */
  function sendOnce(req: SendRequest, url: string, meta: SendMeta, rel?: string): Promise<Exchange> {
    const method = upperMethod(req.method);
    const given = req.headers ?? NO_HEADERS;
    let where: Exchange | Where;
    try {
      where = admit(method, url, given, meta, rel, guard ? guardBody(req.body) : undefined);
    } catch (e) {
      return Promise.reject(e);
    }
    if (!(where instanceof Where)) return Promise.resolve(where);
    if (!credentials) return dispatchOne(req, url, method, given, meta, where, undefined);
    const w = where;
    return credentials(meta.identity).then((auth) => dispatchOne(req, url, method, given, meta, w, auth));
  }

  /** Builds the request as sent and recorded (credentials, jar cookie, user agent), waits for a slot, dispatches. */
  function dispatchOne(req: SendRequest, url: string, method: string, given: HeaderList, meta: SendMeta, where: Where, auth: HeaderList | undefined): Promise<Exchange> {
    let headers: HeaderList = given;
    let decode = false;
    let hasCookie = false;
    let hasUa = false;
    for (let i = 0; i < given.length; i++) {
      const n = given[i]![0].toLowerCase();
      if (n === 'accept-encoding') decode = true;
      else if (n === 'cookie') hasCookie = true;
      else if (n === 'user-agent') hasUa = true;
    }
    let cookie = hasCookie || jars.size === 0 ? undefined : jars.get(meta.identity)?.header(where.url());
    let withCredentials = false;
    let flat: string[];
    if (given.length === 0 && !(auth && auth.length) && !cookie) {
      // The common bare request: shared, never mutated lists (the recorded headers are read-only by contract).
      headers = UA_ONLY;
      flat = UA_FLAT;
    } else {
      if ((auth && auth.length) || cookie || !hasUa) {
        headers = [];
        if (auth) {
          for (const h of auth) {
            if (given.some(([k]) => k.toLowerCase() === h[0].toLowerCase())) continue;
            // One Cookie header: the identity's own cookie and its jar's, merged (its own wins for the same name).
            if (cookie !== undefined && h[0].toLowerCase() === 'cookie') {
              cookie = mergeCookies(h[1], cookie);
              continue;
            }
            headers.push(h);
            withCredentials = true;
          }
        }
        if (cookie) {
          headers.push(['cookie', cookie]);
          withCredentials = true;
        }
        if (!hasUa) headers.push(UA_HEADER);
        for (const h of given) headers.push(h);
      }
      flat = new Array<string>(headers.length * 2);
      for (let i = 0; i < headers.length; i++) {
        flat[2 * i] = headers[i]![0];
        flat[2 * i + 1] = headers[i]![1];
      }
    }
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? req.body : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength);
    const request: Exchange['request'] = { method, url, headers };
    if (body !== undefined) {
      const enc = encodeBody(typeof body === 'string' ? Buffer.from(body) : body);
      request.body = enc.body;
      if (enc.bodyEncoding) request.bodyEncoding = enc.bodyEncoding;
    }
    const total = req.timeoutMs ?? timeoutMs;
    const wr: WireRequest = {
      origin: where.origin,
      path: where.target,
      method,
      headers: flat,
      totalTimeout: total,
      maxBytes: maxBody,
      decode,
    };
    if (body !== undefined) wr.body = body;
    if (total < headersTimeoutMs) wr.headersTimeout = total;
    if (total < bodyTimeoutMs) wr.bodyTimeout = total;
    const state = originState(where.key);
    const conns = (state.conns ??= new Connections(where.origin, connectionOptions));
    const flight = new Flight(where, state.bucket, conns, wr, request, meta, withCredentials);
    const now = Date.now();
    const wait = slot(state.bucket, now);
    return wait ? wait.then(() => flight.start(Date.now())) : flight.start(now);
  }

  /**
   * One request on its way: sent by `start` on a free connection (or by `run` when one is released to it), settled by
   * `wireDone` (undici's completion). A class rather than closures: per request it is one object, and its methods are
   * compiled once.
   */
  class Flight implements WireDone, Waiter {
    private resolve: (ex: Exchange) => void = noop;
    private reject: (e: unknown) => void = noop;
    private startedAt = 0;
    private handler: WireHandler | undefined;
    /** The connection lent to this request, given back when it is done. */
    private client: Client | undefined;

    constructor(
      private readonly where: Where,
      private readonly bucket: TokenBucket,
      private readonly conns: Connections,
      private readonly wr: WireRequest,
      private readonly request: Exchange['request'],
      private readonly meta: SendMeta,
      private readonly withCredentials: boolean,
    ) {}

    start(startedAt: number): Promise<Exchange> {
      const promise = new Promise<Exchange>(capture);
      this.resolve = captured.resolve as (ex: Exchange) => void;
      this.reject = captured.reject;
      this.startedAt = startedAt;
      const handler = (this.handler = new WireHandler(this.wr, performance.now(), this));
      const client = this.conns.take();
      if (client) {
        this.client = client;
        handler.send(client);
      } else {
        // Every connection to the origin is busy: a wait beyond this turn counts against the total timeout.
        if (!this.conns.wait(this)) handler.arm();
      }
      return promise;
    }

    /** Settled while waiting for a connection (total timeout, interruption): the queue skips it. */
    get done(): boolean {
      return this.handler?.settledYet ?? false;
    }

    run(client: Client): void {
      this.client = client;
      this.handler?.send(client);
    }

    abort(reason: Error): void {
      this.handler?.abort(reason);
    }

    wireDone(result: WireResult): void {
      if (this.client) this.conns.release(this.client);
      this.client = undefined;
      gate.release();
      try {
        const meta = this.meta;
        // The anonymous identity keeps no cookies: a check that happens to post a login form must not turn every
        // later "anonymous" request into a signed-in one (a false ignored-auth on every protected operation).
        if (result.headers && meta.identity !== 'anonymous') for (const [k, v] of result.headers) if (k === 'set-cookie') jar(meta.identity).store(v, this.where.url());
        const ex = settle(result, this.request, meta, this.where.key, this.bucket, this.startedAt);
        if (this.withCredentials) carried.add(ex);
        this.resolve(ex);
      } catch (e) {
        this.reject(e);
      }
    }
  }

  /**
   * A GET of the target (or `outage.probePath`), anonymous, past the pause but through scope, budget, recorder and
   * audit like any request. Over a fresh connection of its own (the raw writer): it never waits for a slot or a
   * connection held by requests that hang. Its response (or error) notes that it was an outage probe.
   */
  async function probe(): Promise<Exchange> {
    const meta: SendMeta = { identity: 'anonymous' };
    const where = admit('GET', probeUrl, NO_HEADERS, meta);
    if (!(where instanceof Where)) return where;
    const host = where.url().host;
    const headers: HeaderList = [['host', host], UA_HEADER, ['accept', '*/*'], ['connection', 'close']];
    const bytes = Buffer.from(`GET ${where.target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1');
    const startedAt = Date.now();
    const result = await rawExchange(bytes, where.url(), { timeoutMs: probeTimeout, maxBytes: maxBody, lingerMs: 0, ...rawTls }, inFlight);
    if (result.status !== undefined) (result.notes ??= []).push('outage probe: does the target answer?');
    else if (result.error) result.error.message = `outage probe: ${result.error.message}`;
    return settle(result, { method: 'GET', url: probeUrl, headers }, meta, where.key, originState(where.key).bucket, startedAt, 'raw');
  }

  /** Waits between recovery probes; an interruption ends the wait at once (the next probe is then refused). */
  function pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(t);
        opts.signal?.removeEventListener('abort', done);
        resolve();
      };
      const t = setTimeout(done, ms);
      opts.signal?.addEventListener('abort', done, { once: true });
    });
  }

  /** `send` under the outage watch: waits while sending is paused, hands failures to the watch, retries once. */
  async function watched(w: OutageWatch, req: SendRequest, meta: SendMeta, mayRetry: boolean): Promise<Exchange> {
    const wait = w.gate();
    if (wait) await wait;
    const ex = await plainSend(req, meta);
    w.note(ex);
    if (!connectionFailure(ex) || (await w.failed(ex)) === 'keep' || !mayRetry) return ex;
    const again = await watched(w, req, meta, false);
    w.retried(ex, again);
    return again;
  }

  function send(req: SendRequest, meta: SendMeta): Promise<Exchange> {
    return watch ? watched(watch, req, meta, true) : plainSend(req, meta);
  }

  function plainSend(req: SendRequest, meta: SendMeta): Promise<Exchange> {
    // No async frame of its own when there is nothing to follow (the common case).
    const u = req.url;
    const sent = req.followRedirects ? follow(req, meta) : u.startsWith('/') ? sendOnce(req, baseOrigin + u, meta, u) : sendOnce(req, u, meta);
    return reauthenticate && meta.identity !== 'anonymous' ? sent.then((ex) => retryExpired(ex, req, meta)) : sent;
  }

  /** Re-login on expiry: a 401 on a request that carried the identity's credentials → log in again once, retry. */
  async function retryExpired(ex: Exchange, req: SendRequest, meta: SendMeta): Promise<Exchange> {
    if (ex.response?.status !== 401 || !carried.has(ex) || !reauthenticate) return ex;
    if (!(await reauthenticate(meta.identity, `401 on ${ex.request.method} ${ex.request.url} (exchange ${ex.id})`, ex.timing.startedAt))) return ex;
    const again = await (req.followRedirects ? follow(req, meta) : sendOnce(req, absolute(req.url), meta));
    if (again.response) (again.response.notes ??= []).push(`retried after re-login as ${meta.identity} (exchange ${ex.id} got 401)`);
    return again;
  }

  async function follow(req: SendRequest, meta: SendMeta): Promise<Exchange> {
    let url = absolute(req.url);
    let ex = await sendOnce(req, url, meta);
    const limit = opts.maxRedirects ?? 5;
    const seen = new Set<string>([`${req.method.toUpperCase()} ${url}`]);
    let current: SendRequest = req;
    const chain: string[] = [];
    for (let hop = 0; ex.response && ex.response.status >= 300 && ex.response.status < 400; hop++) {
      const res: ResponseRecord = ex.response;
      const loc = res.headers.find(([k]) => k === 'location')?.[1];
      if (!loc) break;
      if (hop >= limit) {
        (res.notes ??= []).push(`redirect limit of ${limit} reached; not following ${loc}`);
        break;
      }
      let next: string;
      try {
        next = new URL(Buffer.from(loc, 'latin1').toString('utf8'), url).toString();
      } catch (e) {
        (res.notes ??= []).push(`redirect to an unusable Location (${loc}): ${(e as Error).message}`);
        break;
      }
      const keepMethod = res.status === 307 || res.status === 308 || current.method.toUpperCase() === 'HEAD';
      const method = keepMethod ? current.method : 'GET';
      if (seen.has(`${method.toUpperCase()} ${next}`)) {
        (res.notes ??= []).push(`redirect loop: ${next} was already visited in this chain`);
        break;
      }
      seen.add(`${method.toUpperCase()} ${next}`);
      const sameOrigin = originOf(next) === originOf(url);
      const headers = (current.headers ?? []).filter(([k]) => {
        const n = k.toLowerCase();
        if (!sameOrigin && (n === 'authorization' || n === 'cookie' || n === 'proxy-authorization')) return false;
        if (!keepMethod && (n === 'content-type' || n === 'content-length' || n === 'transfer-encoding')) return false;
        return n !== 'host';
      });
      current = {
        method,
        url: next,
        headers,
        ...(keepMethod && current.body !== undefined ? { body: current.body } : {}),
        ...(current.timeoutMs !== undefined ? { timeoutMs: current.timeoutMs } : {}),
      };
      const hopEx = await sendOnce(current, next, meta);
      chain.push(ex.id);
      if (!hopEx.response) {
        // A refused (out of scope) or failed hop: the 3xx is the final answer, and says why it went no further.
        (res.notes ??= []).push(`redirect to ${next} not followed: ${hopEx.error?.code ?? 'ERROR'} ${hopEx.error?.message ?? ''} (exchange ${hopEx.id})`.trim());
        break;
      }
      (hopEx.response.notes ??= []).push(`reached by redirect from ${url} (exchange ${ex.id})`);
      url = next;
      ex = hopEx;
    }
    if (chain.length > 0 && ex.response && !(ex.response.notes ?? []).some((n) => n.startsWith('redirect chain'))) {
      (ex.response.notes ??= []).push(`redirect chain: ${[...chain, ex.id].join(' -> ')}`);
    }
    return ex;
  }

  async function sendRaw(bytes: string | Uint8Array, url: string, meta: SendMeta, options: { timeoutMs?: number; lingerMs?: number } = {}): Promise<Exchange> {
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const abs = absolute(url);
    const described = describeRawRequest(buf);
    const request: Exchange['request'] = { method: described.method, url: abs, headers: described.headers, ...(described.body.length ? encodeBody(described.body) : {}) };
    // Raw requests wait out a pause, but their failures are not judged: malformed bytes are often answered by a reset.
    const paused = watch?.gate();
    if (paused) await paused;
    const where = admit(described.method, abs, described.headers, meta, undefined, guardBody(described.body));
    if (!(where instanceof Where)) return where;
    const origin = where.key;
    const bucket = originState(origin).bucket;
    const wait = slot(bucket, Date.now());
    if (wait) await wait;
    const startedAt = Date.now();
    let result: WireResult;
    try {
      result = await rawExchange(buf, where.url(), { timeoutMs: options.timeoutMs ?? timeoutMs, maxBytes: maxBody, lingerMs: options.lingerMs ?? opts.rawLingerMs ?? 50, ...rawTls }, inFlight);
    } finally {
      gate.release();
    }
    if (result.status !== undefined) (result.notes ??= []).unshift(`raw request: ${buf.length} bytes written verbatim: ${JSON.stringify(buf.subarray(0, 2048).toString('latin1'))}`);
    return settle(result, request, meta, origin, bucket, startedAt, 'raw');
  }

  return {
    send,
    sendRaw,
    exchange: (id) => recorder.get(id),
    exchanges: () => recorder.list(),
    restore: (list, after) => recorder.restore(list, after),
    recordedCount: () => recorder.count,
    record: (x) => recorder.add(x),
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    setCredentials(fn) {
      credentials = fn;
    },
    setReauthenticate(fn) {
      reauthenticate = fn;
    },
    jar,
    unavailableOrigins: () => breaker.open(),
    outages: () => watch?.outages() ?? [],
    close(o) {
      closing ??= (async () => {
        const gentle = destroyed ?? eachConnections((c) => c.close());
        // A request left in flight by a stage that ended at its deadline (a target that never answers) is cut.
        const late = o?.withinMs === undefined ? undefined : new Promise<'late'>((r) => setTimeout(r, o.withinMs, 'late').unref());
        if ((await (late ? Promise.race([gentle, late]) : gentle)) === 'late') {
          await eachConnections((c) => c.destroy(new Error('the scan ended with this request still in flight')));
        }
        await audit.close();
      })();
      return closing;
    },
  };
}

/** The bytes of an absolute URL after its authority, without the fragment; undefined when it has no path. */
export function requestTarget(url: string): string | undefined {
  let i = url.indexOf('//');
  i = i < 0 ? 0 : i + 2;
  for (; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x2f /* / */) break;
    if (c === 0x3f /* ? */ || c === 0x23 /* # */) return undefined;
  }
  if (i >= url.length) return undefined;
  const hash = url.indexOf('#', i);
  return hash < 0 ? url.slice(i) : url.slice(i, hash);
}

const round = (n: number): number => Math.round(n * 10) / 10;
