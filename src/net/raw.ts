// src/net/raw.ts — the raw writer: exact bytes over node:net/node:tls (CR/LF in the request line, conflicting framing)
// and a lenient parser for whatever comes back. The engine wraps it with scope, budget, recording and audit.
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { HeaderList } from '../core/index.js';
import type { Abortable, WireResult } from './wire.js';

export interface RawOptions {
  /** Whole exchange, ms. */
  timeoutMs: number;
  /** Response body cap, bytes. */
  maxBytes: number;
  /** After a complete first response, wait this long for more bytes (a second, smuggled response). Default 50. */
  lingerMs?: number;
  /** Verify the TLS certificate. Default true. */
  verifyTls?: boolean;
  /** Trusted CA certificates (PEM) for TLS; default Node's bundled roots. */
  ca?: string[];
}

/** The parts of raw request bytes that a RequestRecord can hold: first token, header lines, the rest. */
export function describeRawRequest(bytes: Buffer): { method: string; headers: HeaderList; body: Buffer } {
  const end = bytes.indexOf('\r\n\r\n');
  const head = (end < 0 ? bytes : bytes.subarray(0, end)).toString('latin1');
  const body = end < 0 ? Buffer.alloc(0) : bytes.subarray(end + 4);
  const lines = head.split('\r\n');
  const method = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/.exec(lines[0] ?? '')?.[0] ?? 'RAW';
  const headers: HeaderList = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    headers.push(colon > 0 ? [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] : ['', line]);
  }
  return { method: method.toUpperCase(), headers, body };
}

interface Parsed {
  status: number;
  headers: HeaderList;
  body: Buffer;
  /** The response's framing is satisfied (content-length reached, last chunk seen, or no body). */
  complete: boolean;
  /** Bytes of the buffer used by this response (when complete). */
  used: number;
  truncated: boolean;
  notes: string[];
}

/** Parses the first response in `buf`; undefined while the head is incomplete. Informational 1xx heads are skipped. */
export function parseResponse(buf: Buffer, maxBytes: number, headRequest = false): Parsed | 'garbage' | undefined {
  let start = 0;
  for (;;) {
    const crlf = buf.indexOf('\r\n\r\n', start);
    const lf = buf.indexOf('\n\n', start);
    const end = crlf >= 0 && (lf < 0 || crlf <= lf) ? crlf : lf;
    if (end < 0) return /^HTTP\/\d/.test(buf.subarray(start, start + 6).toString('latin1')) || buf.length - start < 6 ? undefined : 'garbage';
    const sep = end === crlf ? 4 : 2;
    const lines = buf.subarray(start, end).toString('latin1').split(/\r?\n/);
    const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})(?:\s|$)/.exec(lines[0] ?? '');
    if (!m) return 'garbage';
    const status = Number(m[1]);
    const headers: HeaderList = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
    }
    const bodyStart = end + sep;
    if (status >= 100 && status < 200 && status !== 101) {
      start = bodyStart;
      continue;
    }
    const notes: string[] = [];
    const rest = buf.subarray(bodyStart);
    const get = (n: string): string[] => headers.filter(([k]) => k === n).map(([, v]) => v);
    const te = get('transfer-encoding');
    const cl = get('content-length');
    if (te.length && cl.length) notes.push(`response has both Transfer-Encoding (${te.join(', ')}) and Content-Length (${cl.join(', ')})`);
    if (new Set(cl).size > 1) notes.push(`response has conflicting Content-Length values: ${cl.join(', ')}`);
    if (headRequest || status === 204 || status === 304 || status === 101) {
      return { status, headers, body: Buffer.alloc(0), complete: true, used: bodyStart, truncated: false, notes };
    }
    if (te.length && /(^|,)\s*chunked\s*$/i.test(te.join(','))) {
      const chunked = dechunk(rest, maxBytes);
      return { status, headers, body: chunked.body, complete: chunked.complete, used: bodyStart + chunked.used, truncated: chunked.truncated, notes };
    }
    if (cl.length && /^\d+$/.test(cl[0]!)) {
      const len = Number(cl[0]);
      const have = Math.min(rest.length, len);
      const truncated = have > maxBytes;
      return { status, headers, body: rest.subarray(0, Math.min(have, maxBytes)), complete: rest.length >= len, used: bodyStart + have, truncated, notes };
    }
    // No framing: the body runs to the end of the connection.
    return { status, headers, body: rest.subarray(0, maxBytes), complete: false, used: buf.length, truncated: rest.length > maxBytes, notes };
  }
}

function dechunk(buf: Buffer, maxBytes: number): { body: Buffer; complete: boolean; used: number; truncated: boolean } {
  const parts: Buffer[] = [];
  let size = 0;
  let pos = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', pos);
    if (eol < 0) break;
    const len = parseInt(buf.subarray(pos, eol).toString('latin1').split(';')[0]!.trim(), 16);
    if (Number.isNaN(len)) break;
    if (len === 0) {
      const trailerEnd = buf.indexOf('\r\n\r\n', eol);
      const done = buf.subarray(eol, eol + 2).equals(Buffer.from('\r\n')) && buf.length >= eol + 4 && buf.subarray(eol + 2, eol + 4).toString() === '\r\n';
      if (done) return { body: Buffer.concat(parts), complete: true, used: eol + 4, truncated: false };
      if (trailerEnd >= 0) return { body: Buffer.concat(parts), complete: true, used: trailerEnd + 4, truncated: false };
      break;
    }
    const dataStart = eol + 2;
    if (buf.length < dataStart + len + 2) {
      const partial = buf.subarray(dataStart, Math.min(buf.length, dataStart + len));
      parts.push(partial);
      size += partial.length;
      pos = buf.length;
      break;
    }
    parts.push(buf.subarray(dataStart, dataStart + len));
    size += len;
    pos = dataStart + len + 2;
    if (size > maxBytes) break;
  }
  const body = Buffer.concat(parts);
  return { body: body.subarray(0, maxBytes), complete: false, used: pos, truncated: size > maxBytes };
}

/**
 * Writes `bytes` to the URL's host and port as they are and reads the answer. Never rejects: a failure comes back as
 * `error` (TIMEOUT, ECONNREFUSED, BAD_RESPONSE, ...), a partial answer as a truncated response with a note.
 */
export function rawExchange(bytes: Buffer, url: URL, opts: RawOptions, track?: Set<Abortable>): Promise<WireResult> {
  return new Promise<WireResult>((resolve) => {
    const t0 = performance.now();
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const tls = url.protocol === 'https:';
    const port = Number(url.port || (tls ? 443 : 80));
    const headRequest = /^HEAD[ \t]/i.test(bytes.subarray(0, 5).toString('latin1'));
    const limit = opts.maxBytes + 64 * 1024;
    const chunks: Buffer[] = [];
    let size = 0;
    let headersMs: number | undefined;
    let settled = false;
    let linger: NodeJS.Timeout | undefined;
    let overflow = false;

    const socket: Socket = tls
      ? tlsConnect({ host, port, ...(isIP(host) ? {} : { servername: host }), ALPNProtocols: ['http/1.1'], rejectUnauthorized: opts.verifyTls ?? true, ...(opts.ca ? { ca: opts.ca } : {}) })
      : netConnect({ host, port });
    const tracker: Abortable = { abort: (reason) => finish({ code: 'INTERRUPTED', message: reason.message }) };
    track?.add(tracker);
    const timer = setTimeout(() => finish({ code: 'TIMEOUT', message: `raw exchange: timeout of ${opts.timeoutMs} ms reached` }), opts.timeoutMs);

    function finish(error: WireResult['error']): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (linger) clearTimeout(linger);
      track?.delete(tracker);
      socket.destroy();
      const totalMs = performance.now() - t0;
      const buf = Buffer.concat(chunks, size);
      const parsed = buf.length ? parseResponse(buf, opts.maxBytes, headRequest) : undefined;
      if (parsed === undefined || parsed === 'garbage') {
        const shown = JSON.stringify(buf.subarray(0, 200).toString('latin1'));
        const e = error ?? { code: buf.length ? 'BAD_RESPONSE' : 'EMPTY_RESPONSE', message: buf.length ? `not an HTTP response: ${shown}` : 'the connection closed without a response' };
        resolve({ totalMs, error: buf.length && parsed === 'garbage' ? { code: e.code, message: `${e.message}; received ${shown}` } : e });
        return;
      }
      const notes = [...parsed.notes];
      const extra = buf.length - parsed.used;
      if (parsed.complete && extra > 0) notes.push(`${extra} more bytes after the first response: ${JSON.stringify(buf.subarray(parsed.used, parsed.used + 2048).toString('latin1'))}`);
      const truncated = parsed.truncated || overflow || (!parsed.complete && error !== undefined);
      if (parsed.truncated || overflow) notes.push(`body cut at ${opts.maxBytes} bytes (response size cap)`);
      if (!parsed.complete && error) notes.push(`response ended early: ${error.code} (${error.message}); body is partial`);
      resolve({
        status: parsed.status,
        headers: parsed.headers,
        body: parsed.body,
        ...(truncated ? { truncated: true } : {}),
        notes,
        ...(headersMs !== undefined ? { headersMs } : {}),
        totalMs,
        ...(error && !parsed.complete ? { error } : {}),
      });
    }

    socket.once(tls ? 'secureConnect' : 'connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      if (settled) return;
      if (headersMs === undefined) headersMs = performance.now() - t0;
      const room = limit - size;
      if (chunk.length > room) {
        chunks.push(chunk.subarray(0, room));
        size += room;
        overflow = true;
        return finish(undefined);
      }
      chunks.push(chunk);
      size += chunk.length;
      if (linger) return;
      const parsed = parseResponse(Buffer.concat(chunks, size), opts.maxBytes, headRequest);
      if (parsed === 'garbage' || (parsed && parsed.complete)) {
        const wait = opts.lingerMs ?? 50;
        if (wait <= 0) return finish(undefined);
        linger = setTimeout(() => finish(undefined), wait);
      }
    });
    socket.on('end', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('error', (err: NodeJS.ErrnoException) => finish({ code: err.code ?? 'REQUEST_FAILED', message: err.message }));
  });
}
