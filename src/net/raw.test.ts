// src/net/raw.test.ts — the raw writer: exact bytes out, lenient parsing in, same supervision as send().
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuditLog } from './audit.js';
import { createEngine, type Engine, type EngineOptions } from './engine.js';
import { localTarget, tcpServer, type Running } from '../../test/support/fault-servers.js';
import { parseResponse } from './raw.js';
import { createRedactor } from './redact.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(server: Running, extra: Partial<EngineOptions> = {}): Promise<Engine> {
  const engine = createEngine({ ...localTarget(server.url), safeMode: false, ratePerSecond: 10_000, rawLingerMs: 20, ...extra });
  cleanups.push(() => server.close(), () => engine.close());
  return engine;
}

const anon = { identity: 'anonymous' };

/** A server that records what arrived and answers `answer` once it has seen a blank line. */
async function echoServer(answer: string | Buffer): Promise<{ server: Running; got: () => Buffer }> {
  let last: Buffer = Buffer.alloc(0);
  const server = await tcpServer((socket, received) =>
    socket.on('data', () => {
      last = received();
      if (last.includes('\r\n\r\n')) socket.write(answer);
    }),
  );
  return { server, got: () => last };
}

describe('sendRaw', () => {
  it('writes CR/LF inside the request line and conflicting framing exactly', async () => {
    const { server, got } = await echoServer('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const engine = await setup(server);
    const bytes = 'GET /a\r\nX-Injected: 1 HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    const ex = await engine.sendRaw(bytes, '/a', anon);
    expect(got().toString('latin1')).toBe(bytes);
    expect(ex.response?.status).toBe(200);
    expect(ex.response?.body).toBe('ok');
    expect(ex.request.method).toBe('GET');
    expect(ex.request.headers).toContainEqual(['transfer-encoding', 'chunked']);
    expect(ex.response?.notes?.[0]).toMatch(/^raw request: \d+ bytes written verbatim/);
  });

  it('parses chunked answers and reports bytes after the first response', async () => {
    const { server } = await echoServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
    const engine = await setup(server);
    const ex = await engine.sendRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), '/', anon);
    expect(ex.response?.body).toBe('abc');
    expect(ex.response?.notes?.join('\n')).toMatch(/more bytes after the first response: "HTTP\/1.1 404/);
  });

  it('a response without framing is read to the end of the connection', async () => {
    const server = await tcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.0 299 Odd\r\nX: y\r\n\r\nuntil close')));
    const engine = await setup(server);
    const ex = await engine.sendRaw('GET / HTTP/1.0\r\n\r\n', '/', anon);
    expect(ex.response).toMatchObject({ status: 299, body: 'until close', headers: [['x', 'y']] });
  });

  it('times out on a stalling server, and records garbage as an error', async () => {
    const stall = await tcpServer(() => undefined);
    const engine = await setup(stall);
    const t0 = Date.now();
    const ex = await engine.sendRaw('GET / HTTP/1.1\r\n\r\n', '/', anon, { timeoutMs: 200 });
    expect(ex.error?.code).toBe('TIMEOUT');
    expect(Date.now() - t0).toBeLessThan(1_000);

    const junk = await tcpServer((socket) => socket.once('data', () => socket.end('\x00\x01garbage\n\n')));
    const e2 = await setup(junk);
    expect((await e2.sendRaw('GET / HTTP/1.1\r\n\r\n', '/', anon)).error?.code).toBe('BAD_RESPONSE');
  });

  it('is scope-checked, safe-mode-checked and audited', async () => {
    const { server } = await echoServer('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    const path = join(mkdtempSync(join(tmpdir(), 'vouch-raw-')), 'audit.jsonl');
    const engine = await setup(server, { safeMode: true, audit: createAuditLog(path, createRedactor(['hunter22'])) });
    expect((await engine.sendRaw('GET / HTTP/1.1\r\n\r\n', 'http://127.0.0.2:80/', anon)).error?.code).toBe('VOUCH_SCOPE_REFUSED');
    expect((await engine.sendRaw('DELETE / HTTP/1.1\r\n\r\n', '/', anon)).error?.code).toBe('VOUCH_SAFE_MODE_REFUSED');
    const ok = await engine.sendRaw('GET /?password=hunter22 HTTP/1.1\r\n\r\n', '/?password=hunter22', anon);
    expect(ok.response?.status).toBe(200);
    await engine.close();
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l['outcome'])).toEqual(['refused', 'refused', 'sent']);
    expect(lines[2]).toMatchObject({ via: 'raw', url: `${server.url}/?password=[REDACTED]` });
    expect(readFileSync(path, 'utf8')).not.toContain('hunter22');
  });
});

describe('parseResponse', () => {
  it('skips 1xx heads and flags conflicting framing', () => {
    const r = parseResponse(Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n\r\n'), 1000);
    expect(r).toMatchObject({ status: 200, complete: true });
    if (r && r !== 'garbage') {
      expect(r.body.toString()).toBe('a');
      expect(r.notes[0]).toMatch(/both Transfer-Encoding/);
    }
  });

  it('waits for an incomplete head and caps the body', () => {
    expect(parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'), 10)).toBeUndefined();
    const r = parseResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n' + 'x'.repeat(20)), 10);
    expect(r).toMatchObject({ truncated: true, complete: true });
  });
});
