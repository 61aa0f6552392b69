// src/guard/server.ts — the guard's HTTP server: authenticates the agent, normalises and matches its request, decides,
// holds for a person, and forwards what is allowed through undici with the identity's real credential; plus the
// approval API under /_vouch/guard/. Every request ends in exactly one GuardRecord.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, request as undiciRequest, type Dispatcher } from 'undici';
import type { Operation, TlsSettings } from '../core/index.js';
import { connector } from '../net/connections.js';
import { Approvals, type PendingApproval } from './approvals.js';
import { bodyOverride, isRefusal, normalise } from './normalise.js';
import { Budgets, judge, OperationIndex, type AgentPolicy, type Judgement } from './policy.js';
import type { GuardRecord, RecordSink } from './records.js';

/** An agent the guard knows: its policy, its token (hashed), and the upstream credential sent on its behalf. */
export interface GuardAgent extends AgentPolicy {
  token: string;
  /** Epoch ms after which the token is refused. */
  expiresAt?: number;
  /**
   * Headers carrying the identity's real credential upstream (none: anonymous upstream); a function for an identity
   * that signs in (it logs in on first use and renews before expiry).
   */
  credential: Array<[string, string]> | (() => Promise<Array<[string, string]>>);
  /** For an identity that signs in: after a 401, sign in again (rate-limited); true when there is a new credential. */
  relogin?: (why: string, sentAt: number) => Promise<boolean>;
}

export interface GuardOptions {
  host: string;
  port: number;
  /** Upstream origin, e.g. `http://127.0.0.1:3000`. */
  upstream: string;
  agents: readonly GuardAgent[];
  operations: readonly Operation[];
  learn: boolean;
  limits: { bodyBytes: number; bodyTimeoutMs: number; upstreamTimeoutMs: number };
  approval: { token?: string; timeoutMs: number; webhook?: string };
  tls: TlsSettings;
  session: string;
  sink: RecordSink;
  /** Told of each webhook failure (a warning line). */
  warn?: (message: string) => void;
}

export interface RunningGuard {
  url: string;
  approvals: Approvals;
  /** The last decisions, newest last (at most 1,000): what the approval API's /decisions lists. */
  recent(): GuardRecord[];
  close(): Promise<void>;
}

/** A decision's own fields; `end` adds the request's (time, session, method, path, learn mode, duration). */
type Outcome = Omit<GuardRecord, 'at' | 'session' | 'learn' | 'ms' | 'method' | 'path'>;

/** The approval API's prefix; never forwarded. */
export const API_PREFIX = '/_vouch/guard/';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
/** Request headers the agent may not pass on: its own credentials, the guard token, hop and forwarding headers. */
const AGENT_ONLY = new Set(['host', 'content-length', 'expect', 'authorization', 'cookie', 'x-vouch-guard-token', 'forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip']);
/**
 * Response headers never returned to the agent: sessions and credentials of the identity. The body goes back byte for
 * byte (undici decodes nothing), so the upstream's Content-Length stays: the answer then leaves in one write, without
 * a chunked terminator after it.
 */
const UPSTREAM_ONLY = new Set(['set-cookie', 'set-cookie2', 'authorization', 'proxy-authorization', 'x-api-key', 'api-key', 'x-auth-token', 'x-access-token', 'x-refresh-token']);

const sha = (s: string): Buffer => createHash('sha256').update(s).digest();
const sameSecret = (a: Buffer, b: Buffer): boolean => timingSafeEqual(a, b);

/** The time as an ISO string, made once per millisecond: at thousands of requests a second most share one. */
let lastMs = 0;
let lastIso = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** The token an agent presents: `Authorization: Bearer <token>` or `X-Vouch-Guard-Token`. */
function presentedToken(req: IncomingMessage): string | undefined {
  const h = req.headers['x-vouch-guard-token'];
  if (typeof h === 'string' && h) return h;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/** Headers named in a Connection header are hop-by-hop too. */
const NONE_NAMED: ReadonlySet<string> = new Set();

function connectionNamed(value: string | string[] | undefined): ReadonlySet<string> {
  // The usual values name no header of their own.
  if (value === undefined || value === 'keep-alive' || value === 'close') return NONE_NAMED;
  const v = Array.isArray(value) ? value.join(',') : value;
  return new Set(v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
}

/** The request headers sent upstream, flat (`[name, value, name, value…]`): the agent's, filtered, then the credential. */
function forwardHeaders(req: IncomingMessage, credential: Array<[string, string]>): string[] {
  const named = connectionNamed(req.headers.connection);
  const out: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const k = req.rawHeaders[i]!;
    const name = k.toLowerCase();
    if (HOP_BY_HOP.has(name) || AGENT_ONLY.has(name) || named.has(name) || credential.some(([c]) => c.toLowerCase() === name)) continue;
    out.push(k, req.rawHeaders[i + 1]!);
  }
  for (const [k, v] of credential) out.push(k, v);
  return out;
}

function backHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const named = connectionNamed(headers['connection']);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    const name = k.toLowerCase();
    if (v === undefined || HOP_BY_HOP.has(name) || UPSTREAM_ONLY.has(name) || named.has(name)) continue;
    out[k] = v;
  }
  return out;
}

class BodyError extends Error {
  constructor(
    readonly status: 408 | 413 | 400,
    readonly rule: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the whole request body within the size cap and the time limit. */
const EMPTY = Buffer.alloc(0);

function readBody(req: IncomingMessage, maxBytes: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  // No body declared and none chunked (most reads): nothing to wait for, no timer to set.
  if (declared === 0 && req.headers['transfer-encoding'] === undefined) return Promise.resolve(EMPTY);
  if (declared > maxBytes) return Promise.reject(new BodyError(413, 'limit:body-size', `the body declares ${declared} bytes, more than the ${maxBytes} allowed`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => fail(new BodyError(408, 'limit:slow-body', `the body did not arrive within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error): void => {
      clearTimeout(timer);
      req.removeAllListeners('data');
      req.pause();
      reject(e);
    };
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) return fail(new BodyError(413, 'limit:body-size', `the body is larger than the ${maxBytes} bytes allowed`));
      chunks.push(c);
    });
    req.on('end', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => fail(new BodyError(400, 'limit:body-aborted', e.message)));
  });
}

/** What `forward` got: the status and body bytes written to the agent, or a 401 kept back for a new sign-in. */
interface Forwarded {
  status: number;
  bytes: number;
  /** A 401 that a new sign-in may cure: nothing was written to the agent. */
  retry: boolean;
}

/**
 * Sends one request upstream and writes the answer into `res` as it arrives: undici's handler calls, with no stream
 * between (a Readable and its async iterator per request cost more than the policy). The upstream is paused while
 * `res` is full, and aborted if the agent leaves then. A 401 that a new sign-in may cure (`retryable`) is not written.
 */
function forward(pool: Pool, req: { method: string; path: string; headers: string[]; body: Buffer }, res: ServerResponse, retryable: boolean): Promise<Forwarded> {
  return new Promise((resolve, reject) => {
    const got: Forwarded = { status: 0, bytes: 0, retry: false };
    let abort: (e?: Error) => void = () => undefined;
    let resume: () => void = () => undefined;
    // undici 7's Pool still takes the handler shape with onConnect/onHeaders/onData/onComplete/onError.
    const handler: Dispatcher.DispatchHandler = {
      onConnect(a) {
        abort = a;
      },
      onHeaders(statusCode, raw, r) {
        if (statusCode < 200) return true; // an interim answer: the final one follows
        got.status = statusCode;
        resume = r;
        if (statusCode === 401 && retryable) got.retry = true;
        else res.writeHead(statusCode, backHeaders(headersOf(raw)));
        return true;
      },
      onData(chunk) {
        if (got.retry) return true;
        got.bytes += chunk.length;
        if (res.write(chunk)) return true;
        const wake = (): void => {
          res.off('close', gone);
          resume();
        };
        const gone = (): void => {
          res.off('drain', wake);
          abort(new Error('the agent left'));
        };
        res.once('drain', wake);
        res.once('close', gone);
        return false;
      },
      onComplete() {
        if (!got.retry) res.end();
        resolve(got);
      },
      onError: reject,
    };
    pool.dispatch({ method: req.method as Dispatcher.HttpMethod, path: req.path, headers: req.headers, body: req.body.length ? req.body : null }, handler);
  });
}

/** Raw response headers (`[name, value…]` as bytes) as an object: names lower-cased, repeated ones in an array. */
function headersOf(raw: Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!.toString('latin1').toLowerCase();
    const v = raw[i + 1]!.toString('latin1');
    const had = out[k];
    out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
  }
  return out;
}

export async function startGuard(o: GuardOptions): Promise<RunningGuard> {
  const upstream = new URL(o.upstream);
  const pool = new Pool(upstream.origin, {
    connections: 64,
    connect: connector(10_000, o.tls),
    headersTimeout: o.limits.upstreamTimeoutMs,
    bodyTimeout: o.limits.upstreamTimeoutMs,
  });
  const basePath = upstream.pathname.replace(/\/$/, '');
  const index = new OperationIndex(o.operations);
  const budgets = new Budgets();
  const approvals = new Approvals(o.approval.timeoutMs);
  const tokens = o.agents.map((a) => ({ agent: a, hash: sha(a.token) }));
  const approverHash = o.approval.token ? sha(o.approval.token) : undefined;
  // The last 1,000 records in a ring (a shift per request would copy the array), kept only when the approval API that
  // lists them is on: records kept that long outlive the young generation, and the collector pays for each.
  const ring: GuardRecord[] = [];
  let next = 0;
  const record = (r: GuardRecord): void => {
    if (approverHash) {
      ring[next] = r;
      next = (next + 1) % 1000;
    }
    o.sink(r);
  };
  const recent = (): GuardRecord[] => (ring.length < 1000 ? [...ring] : [...ring.slice(next), ...ring.slice(0, next)]);

  const sendJson = (res: ServerResponse, status: number, body: unknown): number => {
    const text = JSON.stringify(body);
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(text);
    return Buffer.byteLength(text);
  };

  const notify = (p: PendingApproval): void => {
    const hook = o.approval.webhook;
    if (!hook) return;
    undiciRequest(hook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'guard-approval-pending', ...p }), headersTimeout: 5000, bodyTimeout: 5000 })
      .then((r) => r.body.dump())
      .catch((e: unknown) => o.warn?.(`guard: the approval webhook could not be told of ${p.id} (${(e as Error).message})`));
  };

  async function api(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!approverHash || !m || !sameSecret(sha(m[1]!), approverHash)) {
      sendJson(res, 401, { error: approverHash ? 'the approval API needs the approval token (Authorization: Bearer …)' : 'no guard.approval.token is configured: the approval API is off' });
      return;
    }
    const rest = path.slice(API_PREFIX.length);
    if (req.method === 'GET' && rest === 'pending') return void sendJson(res, 200, { pending: approvals.list() });
    if (req.method === 'GET' && rest === 'decisions') return void sendJson(res, 200, { decisions: recent() });
    const act = /^pending\/([0-9a-f-]{36})\/(approve|reject)$/.exec(rest);
    if (req.method === 'POST' && act) {
      const ok = approvals.decide(act[1]!, act[2] === 'approve');
      return void sendJson(res, ok ? 200 : 404, ok ? { id: act[1], decision: act[2] === 'approve' ? 'approved' : 'rejected' } : { error: `no held request ${act[1]} (decided, timed out, or never held)` });
    }
    sendJson(res, 404, { error: `no such approval API route: ${req.method} ${path}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const at = isoNow();
    const rawPath = (req.url ?? '').split('?')[0] ?? '';
    if (rawPath.startsWith(API_PREFIX)) return api(req, res, rawPath);
    const base = { method: (req.method ?? '').toUpperCase(), path: rawPath };
    // The outcome completed in place (no spread: copying objects of varying shape was the guard's costliest line).
    const end = (r: Outcome): void => {
      const full = r as GuardRecord;
      full.at = at;
      full.session = o.session;
      full.method = base.method;
      full.path = base.path;
      full.learn = o.learn;
      full.ms = Math.round((performance.now() - started) * 100) / 100;
      record(full);
    };

    // 1. Who is asking.
    const presented = presentedToken(req);
    const hit = presented === undefined ? undefined : tokens.find((t) => sameSecret(sha(presented), t.hash));
    if (!hit) {
      const rule = presented === undefined ? 'auth:no-token' : 'auth:unknown-token';
      const bytes = sendJson(res, 401, { decision: 'deny', rule, reason: presented === undefined ? 'present your guard token (Authorization: Bearer … or X-Vouch-Guard-Token)' : 'the guard token is not one this guard knows' });
      req.resume();
      return end({ agent: '-', decision: 'deny', rule, status: 401, requestBytes: 0, responseBytes: bytes });
    }
    const agent = hit.agent;
    if (agent.expiresAt !== undefined && Date.now() > agent.expiresAt) {
      const bytes = sendJson(res, 401, { decision: 'deny', rule: 'auth:expired-token', reason: `the guard token of ${agent.name} expired at ${new Date(agent.expiresAt).toISOString()}` });
      req.resume();
      return end({ agent: agent.name, decision: 'deny', rule: 'auth:expired-token', status: 401, requestBytes: 0, responseBytes: bytes });
    }

    // 2. What it asks, made canonical.
    const n = normalise(req.method, req.url, req.headers);
    if (isRefusal(n)) {
      const bytes = sendJson(res, 400, { decision: 'deny', rule: n.rule, reason: n.reason });
      req.resume();
      return end({ agent: agent.name, decision: 'deny', rule: n.rule, status: 400, requestBytes: 0, responseBytes: bytes });
    }
    base.path = n.path;
    let body: Buffer;
    try {
      body = await readBody(req, o.limits.bodyBytes, o.limits.bodyTimeoutMs);
    } catch (e) {
      const b = e instanceof BodyError ? e : new BodyError(400, 'limit:body-aborted', String(e));
      const bytes = sendJson(res, b.status, { decision: 'deny', rule: b.rule, reason: b.message });
      if (b.status !== 400) res.once('finish', () => req.destroy());
      return end({ agent: agent.name, decision: 'deny', rule: b.rule, status: b.status, requestBytes: 0, responseBytes: bytes });
    }
    const override = bodyOverride(req.headers['content-type'], body);
    if (override) {
      const bytes = sendJson(res, 400, { decision: 'deny', rule: override.rule, reason: override.reason });
      return end({ agent: agent.name, decision: 'deny', rule: override.rule, status: 400, requestBytes: body.length, responseBytes: bytes });
    }

    // 3. Which operation, and what the policy says.
    const op = index.match(n.method, n.path);
    let j: Judgement = judge(agent, n.method, n.path, op, o.learn);
    const opFields = j.operation ? { operation: j.operation } : {};
    if (j.decision !== 'deny') {
      const over = budgets.take(agent, n.method);
      if (over) j = { decision: 'deny', rule: `budget: ${over}`, ...opFields };
    }
    if (j.decision === 'deny') {
      const status = j.rule.startsWith('budget:') ? 429 : 403;
      const bytes = sendJson(res, status, { decision: 'deny', rule: j.rule, operation: j.operation ?? null, method: n.method, path: n.path });
      return end({ agent: agent.name, decision: 'deny', rule: j.rule, ...opFields, status, requestBytes: body.length, responseBytes: bytes });
    }
    let approval: GuardRecord['approval'];
    if (j.decision === 'hold') {
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      approval = await approvals.hold({ agent: agent.name, method: n.method, path: n.path, ...opFields, rule: j.rule, requestBytes: body.length }, gone.signal, notify);
      if (approval !== 'approved') {
        const rule = approval === 'rejected' ? `${j.rule} (rejected)` : `${j.rule} (timed out)`;
        const bytes = sendJson(res, 403, { decision: 'deny', rule, operation: j.operation ?? null, method: n.method, path: n.path });
        return end({ agent: agent.name, decision: 'deny', rule, ...opFields, approval, status: 403, requestBytes: body.length, responseBytes: bytes });
      }
    }

    // 4. Forward with the identity's credential; nothing of the identity's session comes back.
    const rule = approval ? `${j.rule} (approved)` : j.rule;
    const after: Outcome = { agent: agent.name, decision: 'allow', rule, requestBytes: body.length, status: 0, responseBytes: 0 };
    if (j.operation) after.operation = j.operation;
    if (approval === 'approved') after.approval = approval;
    const finish = (status: number, responseBytes: number, upstreamStatus?: number): void => {
      after.status = status;
      after.responseBytes = responseBytes;
      if (upstreamStatus !== undefined) after.upstreamStatus = upstreamStatus;
      end(after);
    };
    let credential: Array<[string, string]>;
    try {
      credential = typeof agent.credential === 'function' ? await agent.credential() : agent.credential;
    } catch (e) {
      const bytes = sendJson(res, 502, { decision: 'allow', rule, error: `the identity of ${agent.name} could not sign in (${(e as Error).message})` });
      return finish(502, bytes);
    }
    try {
      const target = { method: n.method, path: basePath + n.target, body };
      const retryable = agent.relogin !== undefined && typeof agent.credential === 'function';
      const sentAt = Date.now();
      let got = await forward(pool, { ...target, headers: forwardHeaders(req, credential) }, res, retryable);
      // A signed-in identity's credential may have expired: one new sign-in, one resend (the body is buffered).
      if (got.retry) {
        const fresh = await agent.relogin!(`${n.method} ${n.path} answered 401`, sentAt);
        if (fresh) credential = await (agent.credential as () => Promise<Array<[string, string]>>)();
        got = await forward(pool, { ...target, headers: forwardHeaders(req, credential) }, res, false);
      }
      finish(got.status, got.bytes, got.status);
    } catch (e) {
      const code = (e as { code?: string }).code ?? 'ERROR';
      if (res.headersSent) {
        res.destroy();
        return finish(502, 0);
      }
      const bytes = sendJson(res, 502, { decision: 'allow', rule, error: `the upstream did not answer (${code})` });
      finish(502, bytes);
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.warn?.(`guard: ${(e as Error).message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'the guard failed on this request' });
      else res.destroy();
    });
  });
  server.requestTimeout = 0;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  // Closed once, however many times asked (a signal and a disconnect may both ask).
  let closing: Promise<void> | undefined;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${host}:${addr.port}`,
    approvals,
    recent,
    close: () => (closing ??= shutdown()),
  };
  async function shutdown(): Promise<void> {
    approvals.rejectAll();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await pool.close();
  }
}
