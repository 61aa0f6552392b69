// src/net/exact.test.ts — requests leave exactly as given: paths, query strings, methods, duplicate headers, raw bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { createEngine, requestTarget, type Engine } from './engine.js';
import { httpServer, localTarget, tcpServer, type Running } from '../../test/support/fault-servers.js';

interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

describe('exact requests', () => {
  let server: Running;
  let engine: Engine;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = await httpServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body: Buffer.concat(chunks) });
        if (req.url === '/binary') {
          res.end(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]));
        } else if (req.url === '/badjson') {
          res.setHeader('content-type', 'application/json');
          res.end('{"a": [1, 2,');
        } else if (req.url?.startsWith('/status/')) {
          res.statusCode = Number(req.url.slice(8));
          res.end('odd');
        } else res.end('ok');
      });
    });
    engine = createEngine({ ...localTarget(server.url), safeMode: false, ratePerSecond: 10_000 });
  });
  afterAll(async () => {
    await engine.close();
    await server.close();
  });

  it('sends /a/../b?x=%2e%2E&y verbatim', async () => {
    const ex = await engine.send({ method: 'GET', url: '/a/../b?x=%2e%2E&y' }, { identity: 'anonymous' });
    expect(ex.response?.status).toBe(200);
    expect(seen.at(-1)?.url).toBe('/a/../b?x=%2e%2E&y');
    expect(ex.request.url).toBe(`${server.url}/a/../b?x=%2e%2E&y`);
  });

  it('sends an absolute URL with dot segments and odd escapes verbatim', async () => {
    await engine.send({ method: 'GET', url: `${server.url}/./x/%2f/../y;p=1?q=%zz&&=#frag` }, { identity: 'anonymous' });
    expect(seen.at(-1)?.url).toBe('/./x/%2f/../y;p=1?q=%zz&&=');
  });

  it('sends arbitrary methods', async () => {
    const ex = await engine.send({ method: 'PROPFIND', url: '/m' }, { identity: 'anonymous' });
    expect(ex.response?.status).toBe(200);
    expect(seen.at(-1)?.method).toBe('PROPFIND');
    // node:http refuses methods it does not know, so a plain TCP server shows what left vouch.
    let got = '';
    const tcp = await tcpServer((socket, received) =>
      socket.on('data', () => {
        got = received().toString('latin1');
        if (got.includes('\r\n\r\n')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      }),
    );
    const e = createEngine({ ...localTarget(tcp.url), safeMode: false });
    const custom = await e.send({ method: 'X-CUSTOM', url: '/m' }, { identity: 'anonymous' });
    await e.close();
    await tcp.close();
    expect(custom.response?.status).toBe(200);
    expect(got.startsWith('X-CUSTOM /m HTTP/1.1\r\n')).toBe(true);
  });

  it('keeps duplicate headers, their order, and a spoofed Host', async () => {
    await engine.send(
      { method: 'GET', url: '/h', headers: [['X-Dup', 'one'], ['x-dup', 'two'], ['Host', 'evil.example'], ['X-Forwarded-For', '10.0.0.1']] },
      { identity: 'anonymous' },
    );
    const raw = seen.at(-1)!.rawHeaders;
    const dups = raw.flatMap((v, i) => (i % 2 === 0 && v.toLowerCase() === 'x-dup' ? [raw[i + 1]] : []));
    expect(dups).toEqual(['one', 'two']);
    expect(raw[raw.findIndex((v, i) => i % 2 === 0 && v.toLowerCase() === 'host') + 1]).toBe('evil.example');
  });

  it('sends raw (non-UTF-8) bodies byte for byte and records them as base64', async () => {
    const bytes = new Uint8Array([0x00, 0xff, 0x0d, 0x0a, 0x80, 0x7f]);
    const ex = await engine.send({ method: 'POST', url: '/body', body: bytes, headers: [['content-type', 'application/octet-stream']] }, { identity: 'anonymous' });
    expect([...seen.at(-1)!.body]).toEqual([...bytes]);
    expect(ex.request.bodyEncoding).toBe('base64');
    expect(Buffer.from(ex.request.body ?? '', 'base64')).toEqual(Buffer.from(bytes));
  });

  it('records binary garbage as base64 and broken JSON as text', async () => {
    const bin = await engine.send({ method: 'GET', url: '/binary' }, { identity: 'anonymous' });
    expect(bin.response?.bodyEncoding).toBe('base64');
    expect(Buffer.from(bin.response!.body, 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x41]));
    const json = await engine.send({ method: 'GET', url: '/badjson' }, { identity: 'anonymous' });
    expect(json.response?.body).toBe('{"a": [1, 2,');
    expect(json.response?.bodyEncoding).toBeUndefined();
  });

  it('records odd status codes (299, 999)', async () => {
    expect((await engine.send({ method: 'GET', url: '/status/299' }, { identity: 'anonymous' })).response?.status).toBe(299);
    expect((await engine.send({ method: 'GET', url: '/status/999' }, { identity: 'anonymous' })).response?.status).toBe(999);
    expect(engine.stats().byStatus['999']).toBe(1);
  });

  it('records the timing breakdown', async () => {
    const ex = await engine.send({ method: 'GET', url: '/t' }, { identity: 'anonymous' });
    expect(ex.timing.headersMs).toBeGreaterThanOrEqual(0);
    expect(ex.timing.totalMs).toBeGreaterThanOrEqual(ex.timing.headersMs ?? 0);
  });

  it('notes the exact request head bytes when asked to', async () => {
    const e = createEngine({ ...localTarget(server.url), safeMode: false, captureHeaderBytes: true });
    const ex = await e.send({ method: 'GET', url: '/head?z=%2E', headers: [['X-Case', 'Kept']] }, { identity: 'anonymous' });
    await e.close();
    const note = ex.response?.notes?.find((n) => n.startsWith('request head: '));
    expect(note).toContain('GET /head?z=%2E HTTP/1.1\\r\\n');
    expect(note).toContain('X-Case: Kept');
  });
});

describe('requestTarget', () => {
  it.each([
    ['http://h:1/a/../b?x#f', '/a/../b?x'],
    ['http://h:1', undefined],
    ['http://h:1?x=/y', undefined],
    ['https://h/%2e%2e/', '/%2e%2e/'],
  ])('%s -> %s', (url, want) => expect(requestTarget(url)).toBe(want));
});
