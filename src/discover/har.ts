// src/discover/har.ts — a HAR file (browser or proxy recording) as a list of recorded requests.
import { readFileSync } from 'node:fs';
import { VouchError } from '../core/index.js';
import type { HeaderList } from '../core/index.js';
import type { RecordedRequest } from './recorded.js';

const bad = (file: string, problem: string): VouchError =>
  new VouchError('VOUCH_CONFIG_INVALID', `${file}: not a usable HAR file: ${problem}`, { hint: 'Export the HAR again from the browser (Network tab → Save all as HAR) or fix the path given to --har.' });

/** Reads a HAR 1.2 file; throws VOUCH_CONFIG_INVALID naming the file and the problem. */
export function readHar(file: string): RecordedRequest[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw bad(file, (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (e as Error).message);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(file, `not JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const entries = (doc as { log?: { entries?: unknown } } | null)?.log?.entries;
  if (!Array.isArray(entries)) throw bad(file, 'no log.entries list');
  return entries.map((e: unknown, i): RecordedRequest => {
    const req = (e as { request?: Record<string, unknown> } | null)?.request;
    if (!req || typeof req.method !== 'string' || typeof req.url !== 'string') throw bad(file, `log.entries[${i}].request has no method or url`);
    const headers: HeaderList = Array.isArray(req.headers) ? (req.headers as Array<{ name?: unknown; value?: unknown }>).filter((h) => typeof h?.name === 'string').map((h) => [String(h.name).toLowerCase(), String(h.value ?? '')]) : [];
    const post = req.postData as { mimeType?: unknown; text?: unknown; params?: Array<{ name?: unknown; value?: unknown }> } | undefined;
    let body: RecordedRequest['body'];
    if (post && typeof post === 'object') {
      const contentType = typeof post.mimeType === 'string' ? post.mimeType : 'application/octet-stream';
      const textBody = typeof post.text === 'string' ? post.text : Array.isArray(post.params) ? new URLSearchParams(post.params.map((p) => [String(p.name ?? ''), String(p.value ?? '')])).toString() : '';
      const fields = Array.isArray(post.params) ? post.params.map((p): [string, string] => [String(p.name ?? ''), String(p.value ?? '')]) : undefined;
      body = { contentType, text: textBody, ...(fields?.length ? { fields } : {}) };
    }
    return { method: req.method, url: req.url, headers, ...(body ? { body } : {}), at: `${file} log.entries[${i}]` };
  });
}
