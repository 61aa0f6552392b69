// test/support/fault-servers.ts — tiny local servers on 127.0.0.1 (random ports) for the engine's fault tests (test-only: not built into dist).
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import type { Scope, Target } from '../../src/core/index.js';

export interface Running {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Sockets the server accepted so far. */
  connections: () => number;
  close: () => Promise<void>;
}

/** An HTTP server with `handler`; every connection is destroyed on close. */
export async function httpServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Running> {
  const server = createHttpServer(handler);
  let connections = 0;
  server.on('connection', () => connections++);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A TCP server handing each socket to `onSocket` (for stalls, resets and malformed answers). */
export async function tcpServer(onSocket: (socket: Socket, received: () => Buffer) => void): Promise<Running> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => sockets.delete(socket));
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket, () => Buffer.concat(chunks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connections: () => connections,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Target and scope for a local server. */
export function localTarget(url: string): { target: Target; scope: Scope } {
  return { target: { name: 'local', url, environment: 'staging' }, scope: { origins: [url], include: [], exclude: [] } };
}

export interface Falling extends Running {
  /** Times the trigger request brought it down. */
  falls: () => number;
  /** Requests it left unanswered (the trigger ones included). */
  unanswered: () => number;
}

/**
 * An HTTP server that stops answering for `hangMs` (Infinity: for good; a function: per fall, from 1) after a request
 * `trigger` picks, like a hung worker: that request and every one arriving while it hangs get nothing (their sockets
 * stay open until the client gives up or the server closes).
 */
export async function fallingServer(
  trigger: (req: IncomingMessage) => boolean,
  hangMs: number | ((fall: number) => number),
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Falling> {
  let until = 0;
  let falls = 0;
  let unanswered = 0;
  const server = await httpServer((req, res) => {
    const now = Date.now();
    if (now < until) {
      unanswered++;
      return;
    }
    if (trigger(req)) {
      falls++;
      unanswered++;
      until = now + (typeof hangMs === 'number' ? hangMs : hangMs(falls));
      return;
    }
    handler(req, res);
  });
  return { ...server, falls: () => falls, unanswered: () => unanswered };
}
