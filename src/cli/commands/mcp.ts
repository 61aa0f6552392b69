// src/cli/commands/mcp.ts — `vouch mcp`: the MCP server on stdio until stdin closes. Only protocol goes to stdout:
// anything else written there while it runs is sent to stderr.
import { Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from '../../mcp/server.js';
import { guardedInput } from '../../mcp/stdio.js';
import { progressSink } from '../progress.js';

/** How long runs aborted by a closed stdin may take to write and store their partial reports, ms. */
const SETTLE_MS = 8_000;

export interface McpCommandOpts {
  config?: string;
  quiet?: true;
}

export async function mcpCommand(opts: McpCommandOpts): Promise<number> {
  const stdoutWrite = process.stdout.write.bind(process.stdout) as (chunk: string | Uint8Array, cb?: (e?: Error | null) => void) => boolean;
  const protocol = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (stdoutWrite(chunk)) cb();
      else process.stdout.once('drain', () => cb());
    },
  });
  // Everything but the protocol goes to stderr (a stray write would corrupt the client's stream).
  process.stdout.write = process.stderr.write.bind(process.stderr) as typeof process.stdout.write;
  const input = guardedInput(process.stdin, (e) => void protocol.write(JSON.stringify(e) + '\n'));
  const log = (label?: string): ReturnType<typeof progressSink> => progressSink({ json: false, quiet: Boolean(opts.quiet), live: false, ...(label ? { label } : {}) });
  const server = createMcpServer({ ...(opts.config ? { config: opts.config } : {}), log });
  server.server.onerror = (e) => process.stderr.write(`vouch mcp: ${e.message}\n`);
  const transport = new StdioServerTransport(input, protocol);
  const closed = new Promise<void>((resolve) => {
    input.once('end', resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  process.stderr.write(`vouch mcp: ready on stdio${opts.config ? ` (config ${opts.config})` : ''}\n`);
  await closed;
  // Closing aborts the tool calls in flight: each ends as an interrupted run does (partial report written and stored).
  await server.close();
  await Promise.race([server.idle(), new Promise((resolve) => setTimeout(resolve, SETTLE_MS).unref())]);
  return 0;
}
