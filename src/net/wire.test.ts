// src/net/wire.test.ts — the lean response path keeps responses exact: header names, values and order across responses
// (shared pairs for repeated headers), one-chunk and many-chunk bodies, the cap on a first chunk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from './engine.js';
import { headerPair } from './wire.js';
import { localTarget, tcpServer, type Running } from '../../test/support/fault-servers.js';

describe('response header pairs', () => {
  it('lower-cases names in any case and shares a pair only while its bytes are the same', () => {
    const a = headerPair(Buffer.from('Content-TYPE'), Buffer.from('text/plain'));
    expect(a).toEqual(['content-type', 'text/plain']);
    const b = headerPair(Buffer.from('content-type'), Buffer.from('text/plain'));
    expect(b).toBe(a);
    const c = headerPair(Buffer.from('content-type'), Buffer.from('text/plaiN'));
    expect(c).toEqual(['content-type', 'text/plaiN']);
    expect(c).not.toBe(a);
    // Same length, one byte apart at the start: not the same value.
    expect(headerPair(Buffer.from('content-type'), Buffer.from('Text/plaiN'))[1]).toBe('Text/plaiN');
  });

  it('keeps latin1 bytes and unknown names exactly (names lower-cased)', () => {
    expect(headerPair(Buffer.from('X-Odd-Name'), Buffer.from([0x61, 0xe9, 0xff]))).toEqual(['x-odd-name', 'a\u00e9\u00ff']);
    // A name that is a known one's length but not it.
    expect(headerPair(Buffer.from('Dave'), Buffer.from('1'))).toEqual(['dave', '1']);
    expect(headerPair(Buffer.from('dat\u00c5', 'latin1'), Buffer.from('1'))).toEqual(['dat\u00e5', '1']);
  });
});

describe('responses on the lean path', () => {
  let server: Running;
  let engine: Engine;
  let n = 0;

  beforeAll(async () => {
    // Raw HTTP so header case, order, duplicates and body chunking are exactly what the test says.
    server = await tcpServer((socket) => {
      let buffered = '';
      socket.on('data', (d: Buffer) => {
        buffered += d.toString('latin1');
        for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
          const head = buffered.slice(0, end);
          buffered = buffered.slice(end + 4);
          const path = head.split(' ')[1] ?? '/';
          n++;
          if (path === '/chunks') {
            socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n5\r\nhello\r\n');
            setTimeout(() => socket.write('6\r\n world\r\n0\r\n\r\n'), 20);
          } else if (path === '/big') {
            socket.write(`HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n${'x'.repeat(100)}`);
          } else {
            const body = `n=${n}`;
            socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Count: ${n}\r\nSet-Cookie: a=1\r\nset-cookie: b=${n}\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
          }
        }
      });
    });
    engine = createEngine({ ...localTarget(server.url), safeMode: false, ratePerSecond: 10_000, maxBodyBytes: 64 });
  });
  afterAll(async () => {
    await engine.close();
    await server.close();
  });

  it('records each response its own header values, in order, with duplicates', async () => {
    const one = await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous' });
    const two = await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous' });
    const count = (ex: typeof one): string => ex.response!.headers.find(([k]) => k === 'x-count')![1];
    expect(Number(count(two))).toBe(Number(count(one)) + 1);
    expect(two.response!.headers.map(([k]) => k)).toEqual(['content-type', 'x-count', 'set-cookie', 'set-cookie', 'content-length']);
    expect(two.response!.headers.filter(([k]) => k === 'set-cookie').map(([, v]) => v)).toEqual(['a=1', `b=${count(two)}`]);
    expect(one.response!.body).toBe(`n=${count(one)}`);
    expect(two.response!.body).toBe(`n=${count(two)}`);
    // The first exchange's headers did not change when the second came in.
    expect(one.response!.headers.find(([k, v]) => k === 'set-cookie' && v.startsWith('b='))![1]).toBe(`b=${count(one)}`);
  });

  it('joins a body that comes in several chunks', async () => {
    const ex = await engine.send({ method: 'GET', url: '/chunks' }, { identity: 'anonymous' });
    expect(ex.response?.body).toBe('hello world');
    expect(ex.response?.truncated).toBeUndefined();
  });

  it('cuts a one-chunk body over the cap and says so', async () => {
    const ex = await engine.send({ method: 'GET', url: '/big' }, { identity: 'anonymous' });
    expect(ex.response?.body).toBe('x'.repeat(64));
    expect(ex.response?.truncated).toBe(true);
    expect(ex.response?.notes?.join(' ')).toContain('body cut at 64 bytes');
  });
});
