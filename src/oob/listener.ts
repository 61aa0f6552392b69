// src/oob/listener.ts — the out-of-band listener: a small HTTP server that records callbacks carrying per-payload
// tokens, so blind checks (SSRF, XXE, blind injection) can prove the target reached out.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HeaderList } from '../core/index.js';
import { VouchError } from '../core/index.js';

/** One request the listener received. */
export interface OobCallback {
  token: string;
  method: string;
  /** Absolute URL as seen through the listener's public origin. */
  url: string;
  headers: HeaderList;
  body: string;
  /** Epoch ms when it arrived. */
  receivedAt: number;
  /** `address:port` of the peer that called. */
  from: string;
}

/** What checks see: mint a token URL, then wait for its callback. */
export interface OobHandle {
  /** The listener's public origin (`http://host:port`); payload URLs point only here. */
  readonly origin: string;
  /**
   * A fresh token and the URL that carries it (`<origin>/v/<token>`). With `serve`, requests carrying the token are
   * answered with that body and content type (a key set a forged token points at) instead of a short text.
   */
  mint(serve?: OobContent): { url: string; token: string };
  /** The first callback carrying `token`, or undefined when none arrives within `ms`. */
  waitFor(token: string, ms: number): Promise<OobCallback | undefined>;
}

/** What the listener answers for one token. */
export interface OobContent {
  body: string;
  contentType: string;
}

export interface OobListener extends OobHandle {
  /** Every callback so far (tokenless requests included, with token ''). */
  callbacks(): readonly OobCallback[];
  close(): Promise<void>;
}

export interface OobOptions {
  /** Where to listen. Default 127.0.0.1, port 0 (a free port). */
  listen?: { host?: string; port?: number };
  /** The URL the target must call (a tunnel or public address for remote targets). Default the listen address. */
  publicUrl?: string;
}

const TOKEN = /[a-f0-9]{16}/;
const BODY_CAP = 16 * 1024;

/** Starts a listener; the caller closes it. */
export async function startOobListener(opts: OobOptions = {}): Promise<OobListener> {
  const seen: OobCallback[] = [];
  const waiters = new Map<string, Array<(cb: OobCallback) => void>>();
  const served = new Map<string, OobContent>();
  let origin = '';
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= BODY_CAP) chunks.push(c);
    });
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: HeaderList = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) headers.push([req.rawHeaders[i]!.toLowerCase(), req.rawHeaders[i + 1]!]);
      const token = TOKEN.exec(path)?.[0] ?? TOKEN.exec(body)?.[0] ?? '';
      const cb: OobCallback = { token, method: req.method ?? 'GET', url: `${origin}${path}`, headers, body, receivedAt: Date.now(), from: `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}` };
      seen.push(cb);
      for (const w of waiters.get(token) ?? []) w(cb);
      waiters.delete(token);
      // Content minted for the token; an XML parser fetching an external DTD gets an empty, valid one; else a text.
      const content = served.get(token);
      const dtd = path.endsWith('.dtd');
      res.writeHead(200, { 'content-type': content?.contentType ?? (dtd ? 'application/xml-dtd' : 'text/plain') });
      res.end(content?.body ?? (dtd ? '' : `vouch-oob ${token}`));
    });
  });
  const host = opts.listen?.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(new VouchError('VOUCH_CONFIG_INVALID', `oob.listen: cannot listen on ${host}:${opts.listen?.port ?? 0} (${e.code ?? e.message})`, { hint: 'Pick a free port (or 0) and an address of this machine in oob.listen.' })),
    );
    server.listen(opts.listen?.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = opts.publicUrl ? new URL(opts.publicUrl).origin : `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const base = opts.publicUrl ? opts.publicUrl.replace(/\/+$/, '') : origin;
  return {
    origin,
    mint(serve) {
      const token = randomBytes(8).toString('hex');
      if (serve) served.set(token, serve);
      return { token, url: `${base}/v/${token}` };
    },
    waitFor(token, ms) {
      const hit = seen.find((c) => c.token === token);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          const list = waiters.get(token)?.filter((w) => w !== done);
          if (list?.length) waiters.set(token, list);
          else waiters.delete(token);
          resolve(undefined);
        }, ms);
        const done = (cb: OobCallback): void => {
          clearTimeout(timer);
          resolve(cb);
        };
        waiters.set(token, [...(waiters.get(token) ?? []), done]);
      });
    },
    callbacks: () => seen,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
