// src/prioritize/curl.ts — a curl command line that replays a recorded request (secrets already redacted).
import type { RequestRecord } from '../core/index.js';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const SKIP = new Set(['host', 'content-length', 'connection', 'user-agent']);

export function toCurl(req: RequestRecord): string {
  const parts = ['curl', '-i', '--path-as-is'];
  if (req.method !== 'GET' || req.body !== undefined) parts.push('-X', req.method);
  parts.push(quote(req.url));
  for (const [k, v] of req.headers) if (!SKIP.has(k.toLowerCase())) parts.push('-H', quote(`${k}: ${v}`));
  if (req.body !== undefined) parts.push(req.bodyEncoding === 'base64' ? '--data-binary' : '--data-raw', quote(req.bodyEncoding === 'base64' ? '@body.bin' : req.body));
  return parts.join(' ');
}
