// src/net/outages.test.ts — the engine under its outage watch against fault servers: a hang after one request pauses
// sending and resumes it with retries; one route's resets or short bodies pause nothing; a target that never answers.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from './audit.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { createRedactor } from './redact.js';
import { fallingServer, httpServer, localTarget, type Running } from '../../test/support/fault-servers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const anon = { identity: 'anonymous' };
const fast = { maxWaitMs: 10_000, firstDelayMs: 100, maxDelayMs: 400, probeTimeoutMs: 250 };

async function setup(server: Running, extra: Partial<EngineOptions> = {}, watch = true): Promise<Engine> {
  const engine = createEngine({ ...localTarget(server.url), safeMode: false, ratePerSecond: 10_000, timeoutMs: 400, ...(watch ? { outage: fast } : {}), ...extra });
  cleanups.push(() => server.close(), () => engine.close());
  return engine;
}

const ok = (_req: unknown, res: { end: (s: string) => void }): void => res.end('ok');

describe('engine outage watch', () => {
  it('a hang after POST /crash: sending pauses, probes back off, the others are sent again, the crash is the suspect', async () => {
    const server = await fallingServer((req) => req.url === '/crash', 2_000, ok);
    const path = join(mkdtempSync(join(tmpdir(), 'vouch-outage-')), 'audit.jsonl');
    const engine = await setup(server, { audit: createAuditLog(path, createRedactor()) });
    expect((await engine.send({ method: 'GET', url: '/before' }, anon)).response?.status).toBe(200);
    const crash = engine.send({ method: 'POST', url: '/crash', body: '{}' }, anon);
    await new Promise((r) => setTimeout(r, 50));
    const during = await Promise.all(['/c', '/d'].map((url) => engine.send({ method: 'GET', url }, anon)));
    const crashed = await crash;
    expect(crashed.error?.code).toBe('TIMEOUT');
    expect(crashed.error?.message).toMatch(/suspected cause, not retried/);
    // The requests that fell into the outage got real answers once it was over.
    expect(during.map((x) => x.response?.status)).toEqual([200, 200]);
    expect(during[0]!.response?.notes?.join('\n')).toMatch(/sent again after outage-1/);
    const [o] = engine.outages();
    expect(o).toMatchObject({ id: 'outage-1', recovered: true, suspects: [crashed.id, expect.any(String)] });
    expect(engine.exchange(o!.suspects[1]!)?.request.url).toMatch(/\/before$/);
    expect(o!.endedAt! - o!.startedAt).toBeGreaterThanOrEqual(1_900);
    expect(o!.probes.length).toBeGreaterThanOrEqual(3);
    expect(o!.retried).toHaveLength(2);
    expect((await engine.send({ method: 'GET', url: '/after' }, anon)).response?.status).toBe(200);
    await engine.close();
    // Probes went through the engine: audited like any request.
    const audit = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { exchange: string });
    for (const id of o!.probes) expect(audit.some((e) => e.exchange === id)).toBe(true);
  });

  it('resets and short bodies on one route while the others answer: no pause, no outage, that request only', async () => {
    const server = await httpServer((req, res) => {
      if (req.url === '/reset') return req.socket.destroy();
      if (req.url === '/short') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('only part of it');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.end('ok');
    });
    const engine = await setup(server);
    const t0 = performance.now();
    const xs = [];
    for (let i = 0; i < 8; i++) xs.push(await engine.send({ method: 'GET', url: i % 2 ? '/short' : '/reset' }, anon));
    expect(performance.now() - t0).toBeLessThan(3_000);
    const resets = xs.filter((_x, i) => i % 2 === 0);
    expect(resets.every((x) => !x.response && /the target kept answering/.test(x.error?.message ?? ''))).toBe(true);
    // A body shorter than its Content-Length is an answer (partial, noted): no probe at all.
    const shorts = xs.filter((_x, i) => i % 2 === 1);
    expect(shorts.every((x) => x.response?.status === 200 && x.response.truncated === true)).toBe(true);
    expect(engine.outages()).toEqual([]);
    // Not the circuit breaker's "stopped sending there" either: more than five failures in a row, all sent.
    expect(resets.some((x) => x.error?.code === 'VOUCH_HOST_UNAVAILABLE')).toBe(false);
    expect((await engine.send({ method: 'GET', url: '/fine' }, anon)).response?.status).toBe(200);
    // Each reset cost one probe: 4 resets + 4 probes + 4 short bodies + 1.
    expect(engine.stats().sent).toBe(13);
  });

  it('a target that hangs from the very first request and recovers: that request is the only suspect, sent again', async () => {
    let first = true;
    const server = await fallingServer(() => {
      const was = first;
      first = false;
      return was;
    }, 1_500, ok);
    const engine = await setup(server);
    // Nothing answered before it, so the target may have been down already: the first request is sent again.
    const x = await engine.send({ method: 'GET', url: '/first' }, anon);
    expect(x.response?.status).toBe(200);
    const [o] = engine.outages();
    expect(o).toMatchObject({ recovered: true, retried: o!.suspects });
    expect(o!.suspects).toHaveLength(1);
    expect(engine.exchange(o!.suspects[0]!)?.error?.code).toBe('TIMEOUT');
    expect((await engine.send({ method: 'GET', url: '/second' }, anon)).response?.status).toBe(200);
  });

  it('a target that never answers again: the send rejects with target-unavailable after the wait, later ones at once', async () => {
    const server = await fallingServer((req) => req.url === '/crash', Number.POSITIVE_INFINITY, ok);
    const engine = await setup(server, { outage: { ...fast, maxWaitMs: 800 } });
    await engine.send({ method: 'GET', url: '/before' }, anon);
    await expect(engine.send({ method: 'GET', url: '/crash' }, anon)).rejects.toMatchObject({ code: 'VOUCH_TARGET_UNAVAILABLE', message: expect.stringMatching(/^target-unavailable: .* \(first failure: GET .*\/crash/) as string });
    const t0 = performance.now();
    await expect(engine.send({ method: 'GET', url: '/later' }, anon)).rejects.toMatchObject({ code: 'VOUCH_TARGET_UNAVAILABLE' });
    expect(performance.now() - t0).toBeLessThan(50);
    expect(engine.outages()).toMatchObject([{ recovered: false }]);
    expect(engine.outages()[0]!.endedAt).toBeUndefined();
  });

  it('an interruption while the target is down ends the wait at once: every waiting send rejects with VOUCH_INTERRUPTED', async () => {
    const server = await fallingServer(() => true, Number.POSITIVE_INFINITY, ok);
    const controller = new AbortController();
    const engine = await setup(server, { outage: { ...fast, maxWaitMs: 60_000 }, signal: controller.signal });
    const t0 = performance.now();
    const first = engine.send({ method: 'GET', url: '/a' }, anon);
    const waiting = (async () => {
      await new Promise((r) => setTimeout(r, 700));
      return engine.send({ method: 'GET', url: '/b' }, anon);
    })();
    setTimeout(() => controller.abort(new Error('interrupted by SIGTERM')), 1_000);
    // Both handled at once: whichever rejects first must not count as unhandled.
    await Promise.all([expect(first).rejects.toMatchObject({ code: 'VOUCH_INTERRUPTED' }), expect(waiting).rejects.toMatchObject({ code: 'VOUCH_INTERRUPTED' })]);
    expect(performance.now() - t0).toBeLessThan(3_000);
  });

  it('a target that never answered and refuses the connection is unreachable: no probe, no wait', async () => {
    const server = await httpServer(ok);
    const engine = await setup(server);
    await server.close();
    const t0 = performance.now();
    const x = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(x.error?.code).toBe('ECONNREFUSED');
    expect(performance.now() - t0).toBeLessThan(200);
    expect(engine.stats().sent).toBe(1);
    expect(engine.outages()).toEqual([]);
  });

  it('without the watch the circuit breaker still applies (benchmarks, tools that opt out)', async () => {
    const server = await httpServer((req) => req.socket.destroy());
    const engine = await setup(server, { hostErrorThreshold: 2 }, false);
    await engine.send({ method: 'GET', url: '/' }, anon);
    await engine.send({ method: 'GET', url: '/' }, anon);
    expect((await engine.send({ method: 'GET', url: '/' }, anon)).error?.code).toBe('VOUCH_HOST_UNAVAILABLE');
    expect(engine.outages()).toEqual([]);
  });
});
