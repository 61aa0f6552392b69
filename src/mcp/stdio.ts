// src/mcp/stdio.ts — what reaches the MCP transport from stdin: whole JSON-RPC lines; a line that is not JSON or
// not JSON-RPC is answered with a protocol error (-32700 / -32600) instead of being dropped in silence.
import { PassThrough, type Readable } from 'node:stream';
import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

/** A line longer than this is refused (Invalid Request) and skipped, bytes. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

export interface ProtocolError {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string };
}

/** The protocol error for one line, or undefined when it is a JSON-RPC message the server can take. */
export function lineError(line: string): ProtocolError | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return { jsonrpc: '2.0', id: null, error: { code: -32700, message: `Parse error: ${(e as Error).message}` } };
  }
  if (JSONRPCMessageSchema.safeParse(value).success) return undefined;
  const raw = (value as { id?: unknown } | null)?.id;
  const id = typeof raw === 'string' || typeof raw === 'number' ? raw : null;
  return { jsonrpc: '2.0', id, error: { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 request, notification or response' } };
}

/**
 * Splits `input` into lines; passes JSON-RPC lines on (newline-terminated) and answers the others through `reply`.
 * The returned stream ends when `input` ends.
 */
export function guardedInput(input: Readable, reply: (e: ProtocolError) => void): PassThrough {
  const out = new PassThrough();
  let pending = Buffer.alloc(0);
  let skipping = false;
  const take = (line: Buffer): void => {
    const text = line.toString('utf8').replace(/\r$/, '');
    if (!text.trim()) return;
    const problem = lineError(text);
    if (problem) reply(problem);
    else out.write(text + '\n');
  };
  input.on('data', (chunk: Buffer) => {
    let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a)) {
      if (skipping) skipping = false;
      else take(buf.subarray(0, i));
      buf = buf.subarray(i + 1);
    }
    if (buf.length > MAX_LINE_BYTES && !skipping) {
      skipping = true;
      reply({ jsonrpc: '2.0', id: null, error: { code: -32600, message: `Invalid Request: a message longer than ${MAX_LINE_BYTES} bytes` } });
    }
    pending = skipping ? Buffer.alloc(0) : Buffer.from(buf);
  });
  input.on('end', () => {
    if (pending.length && !skipping) take(pending);
    out.end();
  });
  input.on('error', (e) => out.destroy(e));
  return out;
}
