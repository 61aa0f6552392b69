// src/net/supervision.test.ts — redirects hop by hop under scope, back-off on 429/503, the circuit breaker, budgets.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from './audit.js';
import { HOST_UNAVAILABLE } from './breaker.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { httpServer, localTarget, tcpServer, type Running } from '../../test/support/fault-servers.js';
import { parseRetryAfter, TokenBucket } from './limiter.js';
import { createRedactor } from './redact.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(server: Running, extra: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = createEngine({ ...localTarget(server.url), safeMode: false, ratePerSecond: 10_000, ...extra });
  cleanups.push(() => server.close(), () => engine.close());
  return engine;
}

const anon = { identity: 'anonymous' };
const auditFile = (): string => join(mkdtempSync(join(tmpdir(), 'vouch-audit-')), 'audit.jsonl');
const readAudit = (p: string): Array<Record<string, unknown>> =>
  readFileSync(p, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('redirects', () => {
  it('follows hop by hop and notes the chain', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/one') res.writeHead(302, { location: '/two' }).end();
      else if (req.url === '/two') res.writeHead(301, { location: '/three?x=%2E' }).end();
      else res.end(`at ${req.url}`);
    });
    const engine = await setup(server);
    const ex = await engine.send({ method: 'GET', url: '/one', followRedirects: true }, anon);
    expect(ex.response?.body).toBe('at /three?x=%2E');
    expect(engine.exchanges()).toHaveLength(3);
    expect(ex.response?.notes?.join('\n')).toMatch(/redirect chain: x000001 -> x000002 -> x000003/);
  });

  it('detects a redirect loop', async () => {
    const server = await httpServer((req, res) => res.writeHead(302, { location: req.url === '/a' ? '/b' : '/a' }).end());
    const engine = await setup(server);
    const ex = await engine.send({ method: 'GET', url: '/a', followRedirects: true }, anon);
    expect(ex.response?.status).toBe(302);
    expect(ex.response?.notes?.join('\n')).toMatch(/redirect loop/);
    expect(engine.stats().sent).toBe(2);
  });

  it('stops at the hop limit', async () => {
    let n = 0;
    const server = await httpServer((_req, res) => res.writeHead(302, { location: `/n${++n}` }).end());
    const engine = await setup(server, { maxRedirects: 3 });
    const ex = await engine.send({ method: 'GET', url: '/', followRedirects: true }, anon);
    expect(engine.stats().sent).toBe(4);
    expect(ex.response?.notes?.join('\n')).toMatch(/redirect limit of 3 reached/);
  });

  it('refuses a hop to another origin (127.0.0.2), records and audits the refusal, and notes it', async () => {
    const server = await httpServer((_req, res) => res.writeHead(302, { location: 'http://127.0.0.2:9/steal?access_token=abc123' }).end());
    const path = auditFile();
    const engine = await setup(server, { audit: createAuditLog(path, createRedactor()) });
    const ex = await engine.send({ method: 'GET', url: '/go', followRedirects: true }, anon);
    expect(ex.response?.status).toBe(302);
    expect(ex.response?.notes?.join('\n')).toMatch(/not followed: VOUCH_SCOPE_REFUSED .*127\.0\.0\.2/);
    const refused = engine.exchanges().find((x) => x.error?.code === 'VOUCH_SCOPE_REFUSED');
    expect(refused?.request.url).toBe('http://127.0.0.2:9/steal?access_token=abc123');
    await engine.close();
    const lines = readAudit(path);
    expect(lines.map((l) => l['outcome'])).toEqual(['sent', 'refused']);
    expect(lines[1]!['url']).toBe('http://127.0.0.2:9/steal?access_token=[REDACTED]');
    expect(lines[1]!['code']).toBe('VOUCH_SCOPE_REFUSED');
  });

  it('turns a 303 POST into a GET without the body', async () => {
    const seen: string[] = [];
    const server = await httpServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      if (req.url === '/form') res.writeHead(303, { location: '/done' }).end();
      else res.end('done');
    });
    const engine = await setup(server);
    await engine.send({ method: 'POST', url: '/form', body: 'a=1', headers: [['content-type', 'application/x-www-form-urlencoded']], followRedirects: true }, anon);
    expect(seen).toEqual(['POST /form', 'GET /done']);
  });
});

describe('back-off', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-24T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Tue, 24 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('caps the pause and halves the rate, recovering on success', () => {
    const b = new TokenBucket(100, 1_000);
    expect(b.backOff(3_600_000)).toBe(1_000);
    expect(b.currentRate).toBe(50);
    b.ok();
    expect(b.currentRate).toBe(60);
    expect(b.backOff(undefined)).toBe(500);
    expect(b.backOff(undefined)).toBe(1_000);
  });

  it('a 503 with Retry-After pauses the origin before the next request', async () => {
    const times: number[] = [];
    const server = await httpServer((_req, res) => {
      times.push(Date.now());
      if (times.length === 1) res.writeHead(503, { 'retry-after': '1' }).end('busy');
      else res.end('ok');
    });
    const engine = await setup(server);
    const first = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(first.response?.notes?.join('\n')).toMatch(/paused for 1000 ms \(Retry-After: 1\)/);
    const second = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(second.response?.status).toBe(200);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
  });

  it('a 429 with an HTTP-date Retry-After is honoured and capped by maxBackoffMs', async () => {
    const times: number[] = [];
    const server = await httpServer((_req, res) => {
      times.push(Date.now());
      if (times.length === 1) res.writeHead(429, { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() }).end();
      else res.end('ok');
    });
    const engine = await setup(server, { maxBackoffMs: 300 });
    await engine.send({ method: 'GET', url: '/' }, anon);
    await engine.send({ method: 'GET', url: '/' }, anon);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(250);
    expect(times[1]! - times[0]!).toBeLessThan(2_000);
  });
});

describe('host-error circuit breaker', () => {
  it('after 5 consecutive failures the origin gets VOUCH_HOST_UNAVAILABLE at once, audited', async () => {
    const server = await tcpServer((socket) => socket.destroy());
    const path = auditFile();
    const engine = await setup(server, { audit: createAuditLog(path, createRedactor()) });
    for (let i = 0; i < 5; i++) expect((await engine.send({ method: 'GET', url: '/' }, anon)).error?.code).not.toBe(HOST_UNAVAILABLE);
    const t0 = performance.now();
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(performance.now() - t0).toBeLessThan(20);
    expect(ex.error?.code).toBe(HOST_UNAVAILABLE);
    expect(ex.error?.message).toMatch(/failed 5 times in a row/);
    expect(server.connections()).toBe(5);
    expect(engine.unavailableOrigins()).toHaveLength(1);
    expect(engine.stats().sent).toBe(5);
    await engine.close();
    expect(readAudit(path).at(-1)).toMatchObject({ outcome: 'refused', code: HOST_UNAVAILABLE });
  });

  it('a response resets the count; timeouts count too', async () => {
    let n = 0;
    const server = await tcpServer((socket) => {
      n++;
      if (n === 3) socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
      else if (n > 3) return; // stall: a timeout
      else socket.destroy();
    });
    const engine = await setup(server, { hostErrorThreshold: 3, timeoutMs: 100 });
    const codes: string[] = [];
    for (let i = 0; i < 7; i++) codes.push((await engine.send({ method: 'GET', url: '/' }, anon)).error?.code ?? 'ok');
    expect(codes.slice(2)).toEqual(['ok', 'TIMEOUT', 'TIMEOUT', 'TIMEOUT', HOST_UNAVAILABLE]);
  });

  it('half-opens after the cool-down when configured', async () => {
    let n = 0;
    const server = await tcpServer((socket) => {
      n++;
      if (n <= 2) socket.destroy();
      else socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n'));
    });
    const engine = await setup(server, { hostErrorThreshold: 2, hostErrorCooldownMs: 100 });
    await engine.send({ method: 'GET', url: '/' }, anon);
    await engine.send({ method: 'GET', url: '/' }, anon);
    expect((await engine.send({ method: 'GET', url: '/' }, anon)).error?.code).toBe(HOST_UNAVAILABLE);
    await new Promise((r) => setTimeout(r, 150));
    expect((await engine.send({ method: 'GET', url: '/' }, anon)).response?.status).toBe(200);
    expect(engine.unavailableOrigins()).toEqual([]);
  });
});

describe('budgets', () => {
  it('the scan budget stops sending with VOUCH_BUDGET_EXHAUSTED', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    const engine = await setup(server, { budget: 3 });
    for (let i = 0; i < 3; i++) await engine.send({ method: 'GET', url: '/' }, anon);
    await expect(engine.send({ method: 'GET', url: '/' }, anon)).rejects.toMatchObject({ code: 'VOUCH_BUDGET_EXHAUSTED' });
    await expect(engine.sendRaw('GET / HTTP/1.1\r\nHost: x\r\n\r\n', '/', anon)).rejects.toMatchObject({ code: 'VOUCH_BUDGET_EXHAUSTED' });
    expect(server.connections()).toBeGreaterThan(0);
    expect(engine.stats().sent).toBe(3);
  });

  it('the per-check budget stops one check and leaves the others', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    const engine = await setup(server, { perCheckBudget: 2 });
    const a = { identity: 'anonymous', checkId: 'check-a' };
    await engine.send({ method: 'GET', url: '/' }, a);
    await engine.sendRaw('GET / HTTP/1.1\r\nHost: x\r\n\r\n', '/', a);
    await expect(engine.send({ method: 'GET', url: '/' }, a)).rejects.toThrow(/check-a spent its budget of 2/);
    expect((await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous', checkId: 'check-b' })).response?.status).toBe(200);
    expect((await engine.send({ method: 'GET', url: '/' }, anon)).response?.status).toBe(200);
  });

  it('refusals (scope, safe mode) spend no budget', async () => {
    const server = await httpServer((_req, res) => res.end('ok'));
    const engine = await setup(server, { budget: 1, safeMode: true });
    expect((await engine.send({ method: 'DELETE', url: '/' }, anon)).error?.code).toBe('VOUCH_SAFE_MODE_REFUSED');
    expect((await engine.send({ method: 'GET', url: 'http://127.0.0.2:1/' }, anon)).error?.code).toBe('VOUCH_SCOPE_REFUSED');
    expect((await engine.send({ method: 'GET', url: '/' }, { ...anon, destructive: true })).error?.code).toBe('VOUCH_SAFE_MODE_REFUSED');
    expect((await engine.send({ method: 'GET', url: '/' }, anon)).response?.status).toBe(200);
    expect(engine.stats()).toMatchObject({ sent: 1, refused: 3 });
  });
});

describe('interruption', () => {
  it('aborting the scan signal ends in-flight requests with VOUCH_INTERRUPTED', async () => {
    const server = await tcpServer(() => undefined);
    const ac = new AbortController();
    const engine = await setup(server, { signal: ac.signal, timeoutMs: 10_000 });
    const pending = engine.send({ method: 'GET', url: '/' }, anon);
    setTimeout(() => ac.abort(), 50);
    await expect(pending).rejects.toMatchObject({ code: 'VOUCH_INTERRUPTED' });
  });
});
