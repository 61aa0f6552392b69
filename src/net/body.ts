// src/net/body.ts — collects a response body under a byte cap, decoding gzip/deflate/br as a stream with its own cap.
import { constants, createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Transform } from 'node:stream';
import { isAscii, isUtf8 } from 'node:buffer';

const EMPTY = Buffer.alloc(0);
const DECODABLE = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/** The content-encoding the engine will decode, or undefined (identity, unknown, or several stacked codings). */
export function decodableEncoding(contentEncoding: string | undefined): string | undefined {
  if (!contentEncoding) return undefined;
  const e = contentEncoding.trim().toLowerCase();
  return DECODABLE.has(e) ? e : undefined;
}

/**
 * Body collector. `push` takes wire bytes and returns false once reading should stop (a cap was reached);
 * `finish` waits for the decoder. Memory is bounded by about twice `maxBytes` (raw bytes are kept until decoding
 * succeeds, so a body that fails to decode is still recorded as it came).
 */
export class BodySink {
  /** The first wire chunk; later ones go to `more` (most bodies come in one chunk: no array for them). */
  private first: Buffer | undefined;
  private more: Buffer[] | undefined;
  private rawSize = 0;
  private out: Buffer[] | undefined;
  private outSize = 0;
  private decoder: Transform | undefined;
  private decoderDone: Promise<void> | undefined;
  private decodeFailed = false;
  private stopped = false;
  truncated = false;
  notes: string[] | undefined;

  constructor(
    private readonly maxBytes: number,
    private readonly encoding: string | undefined,
    /** Called when decoded output hits the cap, so the caller stops the download. */
    private readonly onCap: () => void = () => undefined,
  ) {}

  note(s: string): void {
    (this.notes ??= []).push(s);
  }

  /** Wire bytes received so far (capped). */
  get wireBytes(): number {
    return this.rawSize;
  }

  push(chunk: Buffer): boolean {
    if (this.stopped) return false;
    let keep = chunk;
    let more = true;
    if (this.rawSize + chunk.length > this.maxBytes) {
      keep = chunk.subarray(0, this.maxBytes - this.rawSize);
      this.truncated = true;
      this.stopped = true;
      more = false;
      this.note(`body cut at ${this.maxBytes} bytes (response size cap)`);
    }
    if (this.first === undefined) this.first = keep;
    else (this.more ??= []).push(keep);
    this.rawSize += keep.length;
    if (this.encoding && !this.decodeFailed) {
      if (!this.decoder) this.startDecoder(keep);
      if (this.decoder && !this.decoder.destroyed) this.decoder.write(keep);
    }
    return more;
  }

  private startDecoder(first: Buffer): void {
    const e = this.encoding;
    const flush = { finishFlush: constants.Z_SYNC_FLUSH };
    let d: Transform;
    if (e === 'br') d = createBrotliDecompress({ finishFlush: constants.BROTLI_OPERATION_FLUSH });
    else if (e === 'deflate') {
      // "deflate" is meant to be zlib-wrapped (RFC 9110) but many servers send raw deflate: look at the header.
      const zlibWrapped = first.length >= 2 && (first[0]! & 0x0f) === 8 && ((first[0]! << 8) | first[1]!) % 31 === 0;
      d = zlibWrapped ? createInflate(flush) : createInflateRaw(flush);
    } else d = createGunzip(flush);
    this.decoder = d;
    const out: Buffer[] = (this.out = []);
    this.decoderDone = new Promise<void>((resolve) => {
      d.on('data', (buf: Buffer) => {
        if (this.outSize + buf.length > this.maxBytes) {
          out.push(buf.subarray(0, this.maxBytes - this.outSize));
          this.outSize = this.maxBytes;
          this.truncated = true;
          this.note(`decoded body cut at ${this.maxBytes} bytes after ${this.rawSize} ${e} bytes on the wire: possible decompression bomb`);
          this.stopped = true;
          d.destroy();
          this.onCap();
          resolve();
          return;
        }
        out.push(buf);
        this.outSize += buf.length;
      });
      d.on('end', resolve);
      d.on('close', resolve);
      d.on('error', (err: Error) => {
        this.decodeFailed = true;
        this.note(`could not decode ${e} body (${err.message}); recorded as received`);
        resolve();
      });
    });
  }

  /** Ends decoding (if any) and resolves when the body is final. Returns undefined when there is nothing to wait for. */
  finish(): Promise<void> | undefined {
    if (!this.decoder) return undefined;
    if (!this.decoder.destroyed) this.decoder.end();
    return this.decoderDone;
  }

  /** Stops the decoder without waiting (the request failed). */
  abort(): void {
    if (this.decoder && !this.decoder.destroyed) this.decoder.destroy();
  }

  /** The body as recorded: decoded when decoding worked, else the wire bytes. */
  body(): Buffer {
    if (this.decoder && !this.decodeFailed && this.out) {
      if (!this.truncated || this.outSize > 0) this.note(`body decoded from ${this.encoding} (${this.rawSize} bytes on the wire)`);
      return this.out.length === 1 ? this.out[0]! : Buffer.concat(this.out, this.outSize);
    }
    if (this.first === undefined) return EMPTY;
    if (this.more === undefined) return this.first;
    return Buffer.concat([this.first, ...this.more], this.rawSize);
  }
}

type Latin1Slicer = Buffer & { latin1Slice?: (start: number, end: number) => string };
/**
 * Buffer → latin1 string. `latin1Slice` is the method `toString('latin1')` ends in (undici itself calls its sibling
 * `utf8Slice`); calling it directly skips the encoding dispatch. Falls back to `toString` where it is missing.
 */
export const latin1: (b: Buffer | string) => string =
  typeof (Buffer.prototype as Latin1Slicer).latin1Slice === 'function'
    ? (b) => (typeof b === 'string' ? b : (b as Latin1Slicer).latin1Slice!(0, b.length))
    : (b) => (typeof b === 'string' ? b : b.toString('latin1'));

/** The bytes as text when they are UTF-8, else undefined (they are then recorded as base64). */
export function bodyText(b: Buffer): string | undefined {
  if (b.length === 0) return '';
  // ASCII fast path: latin1 decodes plain ASCII exactly and faster than the UTF-8 decoder.
  if (isAscii(b)) return latin1(b);
  if (isUtf8(b)) return b.toString('utf8');
  return undefined;
}

/** Text when the bytes are UTF-8, else base64 (marked). */
export function encodeBody(buf: Uint8Array): { body: string; bodyEncoding?: 'base64' } {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const text = bodyText(b);
  return text !== undefined ? { body: text } : { body: b.toString('base64'), bodyEncoding: 'base64' };
}
