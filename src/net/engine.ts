// src/net/engine.ts — the HTTP engine (undici): every request vouch makes passes scope, safe mode, budget and rate
// limit here, and is recorded as an Exchange and in the audit log.
import { Agent, type Dispatcher } from 'undici';
import { VouchError } from '../core/index.js';
import type { EngineStats, Exchange, HeaderList, HttpEngine, Scope, SendMeta, SendRequest, Target } from '../core/index.js';
import { noAudit, type AuditLog } from './audit.js';
import { CookieJar } from './cookies.js';
import { Gate, TokenBucket } from './limiter.js';
import { createScopeGuard, originOf } from './scope.js';

export interface EngineOptions {
  target: Target;
  scope: Scope;
  /** Only GET/HEAD/OPTIONS and no destructive payloads (default for production targets). */
  safeMode: boolean;
  /** Methods allowed in safe mode besides GET/HEAD/OPTIONS. Default none. */
  safeModeAllow?: string[];
  /** Total requests a scan may send. Default 20,000. */
  budget?: number;
  /** Requests one check may send. Default: no per-check cap. */
  perCheckBudget?: number;
  /** Requests in flight at once. Default 8. */
  concurrency?: number;
  /** Requests per second per origin. Default 200 (20 in safe mode). */
  ratePerSecond?: number;
  /** Total timeout per request, ms. Default 15,000. */
  timeoutMs?: number;
  /** Response bodies are cut (and marked truncated) beyond this. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Redirect hops followed when a request asks for it. Default 5. */
  maxRedirects?: number;
  audit?: AuditLog;
  /** Credentials for an identity (headers to add); resolved per request, may log in lazily. */
  credentials?: (identity: string) => Promise<HeaderList>;
  signal?: AbortSignal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Engine extends HttpEngine {
  setCredentials(fn: (identity: string) => Promise<HeaderList>): void;
  /** Cookie jar of an identity (login recipes read and seed it). */
  jar(identity: string): CookieJar;
}

export function createEngine(opts: EngineOptions): Engine {
  const inScope = createScopeGuard(opts.scope);
  const agent = new Agent({ connections: opts.concurrency ?? 8, pipelining: 1, keepAliveTimeout: 10_000, connect: { timeout: 5_000 } });
  const gate = new Gate(opts.concurrency ?? 8);
  const buckets = new Map<string, TokenBucket>();
  const rate = opts.ratePerSecond ?? (opts.safeMode ? 20 : 200);
  const budget = opts.budget ?? 20_000;
  const audit = opts.audit ?? noAudit;
  const maxBody = opts.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const allowInSafe = new Set((opts.safeModeAllow ?? []).map((m) => m.toUpperCase()));
  const recorded: Exchange[] = [];
  const byId = new Map<string, Exchange>();
  const perCheck = new Map<string, number>();
  const jars = new Map<string, CookieJar>();
  const stats: EngineStats = { sent: 0, refused: 0, errors: 0, byStatus: {} };
  let credentials = opts.credentials ?? (async () => []);
  const base = new URL(opts.target.url);

  const jar = (identity: string): CookieJar => {
    let j = jars.get(identity);
    if (!j) jars.set(identity, (j = new CookieJar()));
    return j;
  };

  const record = (x: Omit<Exchange, 'id'>): Exchange => {
    const ex: Exchange = { id: `x${String(recorded.length + 1).padStart(6, '0')}`, ...x };
    recorded.push(ex);
    byId.set(ex.id, ex);
    return ex;
  };

  const refuse = (req: SendRequest, url: string, meta: SendMeta, code: string, reason: string): Exchange => {
    stats.refused++;
    const ex = record({
      request: { method: req.method, url, headers: req.headers ?? [] },
      error: { code, message: reason },
      timing: { startedAt: Date.now(), totalMs: 0 },
      identity: meta.identity,
      ...(meta.taskId ? { taskId: meta.taskId } : {}),
      ...(meta.checkId ? { checkId: meta.checkId } : {}),
    });
    audit.write({ at: new Date().toISOString(), exchange: ex.id, identity: meta.identity, method: req.method, url, outcome: 'refused', reason, ...(meta.checkId ? { checkId: meta.checkId } : {}) });
    return ex;
  };

  /** Absolute URL without normalizing the path: a path is appended to the target origin byte for byte. */
  const absolute = (u: string): string => (u.startsWith('/') ? `${base.protocol}//${base.host}${u}` : u);

  async function sendOnce(req: SendRequest, url: string, meta: SendMeta): Promise<Exchange> {
    const method = req.method.toUpperCase();
    const decision = inScope(url);
    if (!decision.allowed) return refuse(req, url, meta, 'VOUCH_SCOPE_REFUSED', decision.reason);
    if (opts.safeMode && !SAFE_METHODS.has(method) && !allowInSafe.has(method)) {
      return refuse(req, url, meta, 'VOUCH_SAFE_MODE_REFUSED', `safe mode: ${method} is not allowed on a ${opts.target.environment} target`);
    }
    if (opts.safeMode && meta.destructive) return refuse(req, url, meta, 'VOUCH_SAFE_MODE_REFUSED', 'safe mode: destructive payload not sent');
    if (opts.signal?.aborted) throw new VouchError('VOUCH_INTERRUPTED', 'the scan was interrupted');
    if (stats.sent >= budget) throw new VouchError('VOUCH_BUDGET_EXHAUSTED', `the request budget of ${budget} is spent`, { hint: 'Raise budget.requests in vouch.yaml.' });
    if (meta.checkId && opts.perCheckBudget !== undefined) {
      const n = perCheck.get(meta.checkId) ?? 0;
      if (n >= opts.perCheckBudget) throw new VouchError('VOUCH_BUDGET_EXHAUSTED', `check ${meta.checkId} spent its budget of ${opts.perCheckBudget} requests`);
      perCheck.set(meta.checkId, n + 1);
    }
    stats.sent++;

    const u = new URL(url);
    const origin = originOf(u);
    let bucket = buckets.get(origin);
    if (!bucket) buckets.set(origin, (bucket = new TokenBucket(rate)));
    const pathStart = url.indexOf('/', url.indexOf('//') + 2);
    const rawPath = pathStart < 0 ? '/' : url.slice(pathStart).split('#')[0] ?? '/';

    const headers: HeaderList = [];
    const given = req.headers ?? [];
    const has = (name: string): boolean => given.some(([k]) => k.toLowerCase() === name);
    const auth = await credentials(meta.identity);
    for (const h of auth) if (!has(h[0].toLowerCase())) headers.push(h);
    const cookie = jar(meta.identity).header(u);
    if (cookie && !has('cookie')) headers.push(['cookie', cookie]);
    if (!has('user-agent')) headers.push(['user-agent', 'vouch/0.1 (+https://github.com/vouch)']);
    headers.push(...given);
    const flat = headers.flatMap(([k, v]) => [k, v]);

    return gate.run(async () => {
      await bucket.take();
      const startedAt = Date.now();
      const t0 = performance.now();
      const body = typeof req.body === 'string' ? req.body : req.body ? Buffer.from(req.body) : undefined;
      const requestRecord = {
        method,
        url,
        headers,
        ...(body !== undefined ? encodeBody(typeof body === 'string' ? Buffer.from(body) : body) : {}),
      };
      try {
        const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(req.timeoutMs ?? timeoutMs)]) : AbortSignal.timeout(req.timeoutMs ?? timeoutMs);
        const res = await agent.request({
          origin: `${u.protocol}//${u.host}`,
          method: method as Dispatcher.HttpMethod,
          path: rawPath,
          headers: flat,
          ...(body !== undefined ? { body } : {}),
          signal,
          headersTimeout: req.timeoutMs ?? timeoutMs,
          bodyTimeout: req.timeoutMs ?? timeoutMs,
        });
        const headersMs = performance.now() - t0;
        const chunks: Buffer[] = [];
        let size = 0;
        let truncated = false;
        for await (const chunk of res.body) {
          const buf = chunk as Buffer;
          if (size + buf.length > maxBody) {
            chunks.push(buf.subarray(0, maxBody - size));
            size = maxBody;
            truncated = true;
            res.body.destroy();
            break;
          }
          chunks.push(buf);
          size += buf.length;
        }
        const resHeaders = toHeaderList(res.headers);
        for (const [k, v] of resHeaders) if (k === 'set-cookie') jar(meta.identity).store(v, u);
        if (res.statusCode === 429 || res.statusCode === 503) {
          const after = resHeaders.find(([k]) => k === 'retry-after')?.[1];
          const secs = after && /^\d+$/.test(after) ? Number(after) : 1;
          bucket.pause(Date.now() + Math.min(secs, 60) * 1000);
        }
        stats.byStatus[String(res.statusCode)] = (stats.byStatus[String(res.statusCode)] ?? 0) + 1;
        const totalMs = performance.now() - t0;
        const ex = record({
          request: requestRecord,
          response: { status: res.statusCode, headers: resHeaders, ...encodeBody(Buffer.concat(chunks)), ...(truncated ? { truncated: true, notes: [`body cut at ${maxBody} bytes`] } : {}) },
          timing: { startedAt, totalMs: round(totalMs), headersMs: round(headersMs) },
          identity: meta.identity,
          ...(meta.taskId ? { taskId: meta.taskId } : {}),
          ...(meta.checkId ? { checkId: meta.checkId } : {}),
        });
        audit.write({ at: new Date(startedAt).toISOString(), exchange: ex.id, identity: meta.identity, method, url, outcome: 'sent', status: res.statusCode, ms: round(totalMs), ...(meta.checkId ? { checkId: meta.checkId } : {}), ...(meta.taskId ? { taskId: meta.taskId } : {}) });
        return ex;
      } catch (e) {
        if (opts.signal?.aborted) throw new VouchError('VOUCH_INTERRUPTED', 'the scan was interrupted', { cause: e });
        stats.errors++;
        const err = e as { code?: string; name?: string; message?: string };
        const code = err.name === 'TimeoutError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT' ? 'TIMEOUT' : (err.code ?? 'REQUEST_FAILED');
        const message = `${method} ${url}: ${err.message ?? String(e)}`;
        const ex = record({
          request: requestRecord,
          error: { code, message },
          timing: { startedAt, totalMs: round(performance.now() - t0) },
          identity: meta.identity,
          ...(meta.taskId ? { taskId: meta.taskId } : {}),
          ...(meta.checkId ? { checkId: meta.checkId } : {}),
        });
        audit.write({ at: new Date(startedAt).toISOString(), exchange: ex.id, identity: meta.identity, method, url, outcome: 'error', reason: message, ...(meta.checkId ? { checkId: meta.checkId } : {}) });
        return ex;
      }
    });
  }

  return {
    async send(req, meta) {
      let url = absolute(req.url);
      let ex = await sendOnce(req, url, meta);
      const limit = req.followRedirects ? (opts.maxRedirects ?? 5) : 0;
      for (let hop = 0; hop < limit && ex.response && ex.response.status >= 300 && ex.response.status < 400; hop++) {
        const loc = ex.response.headers.find(([k]) => k === 'location')?.[1];
        if (!loc) break;
        url = new URL(loc, url).toString();
        const method = ex.response.status === 307 || ex.response.status === 308 ? req.method : 'GET';
        ex = await sendOnce({ method, url, ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}) }, url, meta);
      }
      return ex;
    },
    exchange: (id) => byId.get(id),
    exchanges: () => recorded,
    stats: () => ({ ...stats, byStatus: { ...stats.byStatus } }),
    setCredentials(fn) {
      credentials = fn;
    },
    jar,
    async close() {
      await agent.close();
      await audit.close();
    },
  };
}

function toHeaderList(h: Record<string, string | string[] | undefined>): HeaderList {
  const out: HeaderList = [];
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.push([k.toLowerCase(), one]);
  }
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function encodeBody(buf: Buffer): { body: string; bodyEncoding?: 'base64' } {
  try {
    return { body: utf8.decode(buf) };
  } catch {
    return { body: buf.toString('base64'), bodyEncoding: 'base64' };
  }
}

const round = (n: number): number => Math.round(n * 10) / 10;
