// src/mcp/stdio.test.ts — stdin lines: JSON-RPC passes on whole, anything else is answered with a protocol error.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { guardedInput, lineError, MAX_LINE_BYTES, type ProtocolError } from './stdio.js';

const run = async (chunks: Array<string | Buffer>): Promise<{ passed: string; replies: ProtocolError[] }> => {
  const input = new PassThrough();
  const replies: ProtocolError[] = [];
  const out = guardedInput(input, (e) => replies.push(e));
  let passed = '';
  out.on('data', (d: Buffer) => (passed += d.toString()));
  const ended = new Promise((resolve) => out.on('end', resolve));
  for (const c of chunks) input.write(c);
  input.end();
  await ended;
  return { passed, replies };
};

describe('guardedInput', () => {
  const ping = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' });

  it('passes JSON-RPC messages on, also when split across chunks or ended without a newline', async () => {
    const r = await run([ping.slice(0, 10), ping.slice(10) + '\n', `${ping}\r\n`, ping]);
    expect(r.replies).toEqual([]);
    expect(r.passed).toBe(`${ping}\n${ping}\n${ping}\n`);
  });

  it('answers a line that is not JSON with -32700 and one that is not JSON-RPC with -32600, keeping its id', async () => {
    const r = await run(['{not json\n', JSON.stringify({ id: 7, hello: 'x' }) + '\n', '\n', ping + '\n']);
    expect(r.replies.map((x) => [x.error.code, x.id])).toEqual([[-32700, null], [-32600, 7]]);
    expect(r.passed).toBe(`${ping}\n`);
  });

  it('refuses an over-long line once and goes on with the next one', async () => {
    const big = Buffer.alloc(MAX_LINE_BYTES + 10, 0x61);
    const r = await run([big, Buffer.from('aaa\n'), ping + '\n']);
    expect(r.replies.map((x) => x.error.code)).toEqual([-32600]);
    expect(r.passed).toBe(`${ping}\n`);
  });
});

describe('lineError', () => {
  it('accepts requests, notifications and responses', () => {
    expect(lineError('{"jsonrpc":"2.0","method":"notifications/initialized"}')).toBeUndefined();
    expect(lineError('{"jsonrpc":"2.0","id":"a","result":{}}')).toBeUndefined();
    expect(lineError('[1,2]')?.error.code).toBe(-32600);
    expect(lineError('null')?.error.code).toBe(-32600);
  });
});
