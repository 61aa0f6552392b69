// src/net/faults.test.ts — the engine against misbehaving servers: stalls, trickles, huge bodies, bombs, resets, crowds.
import { afterEach, describe, expect, it } from 'vitest';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { httpServer, localTarget, tcpServer, type Running } from '../../test/support/fault-servers.js';

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

describe('timeouts', () => {
  it('the total timeout counts the time spent waiting for a connection', async () => {
    // One connection, held by a request the server never answers: the second request waits in the queue.
    const server = await tcpServer(() => undefined);
    const engine = await setup(server, { timeoutMs: 5_000, concurrency: 2, connectionsPerOrigin: 1 });
    const first = engine.send({ method: 'GET', url: '/held', timeoutMs: 1_500 }, anon);
    const t0 = Date.now();
    const second = await engine.send({ method: 'GET', url: '/queued', timeoutMs: 300 }, anon);
    expect(Date.now() - t0).toBeLessThan(1_200); // without the queue counted it would end after the first (1.5 s) at least
    expect(second.error?.code).toBe('TIMEOUT');
    expect(second.error?.message).toMatch(/while waiting for a connection/);
    expect(server.connections()).toBe(1);
    expect((await first).error?.code).toBe('TIMEOUT');
  });

  it('a server that never answers ends in TIMEOUT within the timeout', async () => {
    const server = await tcpServer(() => undefined);
    const engine = await setup(server, { timeoutMs: 400 });
    const t0 = Date.now();
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(Date.now() - t0).toBeLessThan(1_500);
    expect(ex.error?.code).toBe('TIMEOUT');
    expect(ex.response).toBeUndefined();
  });

  it('a server trickling one byte per second ends at the total timeout, partial body noted', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('x');
      const t = setInterval(() => res.write('y'), 1_000);
      res.on('close', () => clearInterval(t));
    });
    const engine = await setup(server, { timeoutMs: 1_200, bodyTimeoutMs: 5_000 });
    const t0 = Date.now();
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(ex.error?.code).toBe('TIMEOUT');
    expect(ex.response?.status).toBe(200);
    expect(ex.response?.truncated).toBe(true);
    expect(ex.response?.body.startsWith('x')).toBe(true);
    expect(ex.response?.notes?.join('\n')).toMatch(/ended early: TIMEOUT/);
  });

  it('a per-request timeout overrides the engine default', async () => {
    const server = await tcpServer(() => undefined);
    const engine = await setup(server, { timeoutMs: 10_000 });
    const t0 = Date.now();
    const ex = await engine.send({ method: 'GET', url: '/', timeoutMs: 200 }, anon);
    expect(ex.error?.code).toBe('TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(1_000);
  });
});

describe('size caps', () => {
  it('a 300 MB body is cut at the cap, the stream destroyed, memory bounded', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const total = 300 * 1024 * 1024;
    let written = 0;
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(total) });
      const pump = (): void => {
        while (written < total && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('error', () => undefined);
      pump();
    });
    const engine = await setup(server, { maxBodyBytes: 8 * 1024 * 1024, timeoutMs: 10_000 });
    global.gc?.();
    const before = process.memoryUsage().rss;
    const t0 = Date.now();
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    const growth = process.memoryUsage().rss - before;
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(ex.response?.truncated).toBe(true);
    expect(ex.response?.body.length).toBe(8 * 1024 * 1024);
    expect(ex.response?.notes?.join('\n')).toMatch(/body cut at 8388608 bytes/);
    expect(growth).toBeLessThan(100 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 100));
    expect(written).toBeLessThan(total / 2);
  });

  it('a gzip bomb is cut off while decoding, noted, and marked truncated', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0)); // ~64 KB on the wire, 64 MB decoded
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
      res.end(bomb);
    });
    const engine = await setup(server, { maxBodyBytes: 1024 * 1024 });
    const before = process.memoryUsage().rss;
    const ex = await engine.send({ method: 'GET', url: '/', headers: [['accept-encoding', 'gzip']] }, anon);
    expect(ex.response?.truncated).toBe(true);
    expect(ex.response?.notes?.join('\n')).toMatch(/decompression bomb/);
    expect(Buffer.from(ex.response!.body).length).toBeLessThanOrEqual(1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['deflate', deflateRawSync],
    ['br', brotliCompressSync],
  ] as const)('decodes %s when the request asked for it', async (coding, compress) => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': coding });
      res.end(compress(Buffer.from('hello '.repeat(100))));
    });
    const engine = await setup(server);
    const ex = await engine.send({ method: 'GET', url: '/', headers: [['accept-encoding', 'gzip, deflate, br']] }, anon);
    expect(ex.response?.body).toBe('hello '.repeat(100));
    expect(ex.response?.notes?.join('\n')).toMatch(new RegExp(`decoded from ${coding}`));
  });

  it('leaves the body encoded when the request did not ask for compression', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end(gzipSync(Buffer.from('hello')));
    });
    const engine = await setup(server);
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(ex.response?.bodyEncoding).toBe('base64');
  });

  it('a body that fails to decode is recorded as received, with a note', async () => {
    const server = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip' });
      res.end('not gzip at all');
    });
    const engine = await setup(server);
    const ex = await engine.send({ method: 'GET', url: '/', headers: [['accept-encoding', 'gzip']] }, anon);
    expect(ex.response?.body).toBe('not gzip at all');
    expect(ex.response?.notes?.join('\n')).toMatch(/could not decode gzip/);
  });
});

describe('broken connections', () => {
  it('a reset mid-body gives the partial body and the error', async () => {
    const server = await tcpServer((socket) =>
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100000\r\n\r\npartial');
        setTimeout(() => socket.resetAndDestroy(), 50);
      }),
    );
    const engine = await setup(server);
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(ex.response?.status).toBe(200);
    expect(ex.response?.body).toBe('partial');
    expect(ex.response?.truncated).toBe(true);
    expect(ex.error?.code).toBeTruthy();
  });

  it('a refused connection is an error exchange, not a throw', async () => {
    const server = await tcpServer(() => undefined);
    await server.close();
    const engine = createEngine({ ...localTarget(server.url), safeMode: false });
    cleanups.push(() => engine.close());
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(ex.error?.code).toBe('ECONNREFUSED');
    expect(engine.stats().errors).toBe(1);
  });

  it('garbage instead of HTTP is an error exchange', async () => {
    const server = await tcpServer((socket) => socket.once('data', () => socket.end(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x0a]))));
    const engine = await setup(server);
    const ex = await engine.send({ method: 'GET', url: '/' }, anon);
    expect(ex.response).toBeUndefined();
    expect(ex.error?.code).toBeTruthy();
  });
});

describe('many connections', () => {
  it('keeps to the per-origin connection cap under 200 concurrent sends', async () => {
    let active = 0;
    let peak = 0;
    const server = await httpServer((_req, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.end('ok');
      }, 2);
    });
    const engine = await setup(server, { concurrency: 16, connectionsPerOrigin: 4 });
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => engine.send({ method: 'GET', url: `/${i}` }, anon)));
    expect(all.every((x) => x.response?.status === 200)).toBe(true);
    expect(server.connections()).toBeLessThanOrEqual(4);
    expect(peak).toBeLessThanOrEqual(4);
    expect(new Set(all.map((x) => x.id)).size).toBe(200);
  });
});
