// src/checks/security/support/exchanges.ts — helpers the security checks share for reading recorded exchanges:
// header lookup, content type, target-origin filter, URL → operation route, nonces.
import { randomBytes } from 'node:crypto';
import type { Exchange, HeaderList, Operation, ResponseRecord, Surface } from '../../../core/index.js';

/** The first value of a header (names compared case-insensitively). */
export function header(headers: HeaderList | undefined, name: string): string | undefined {
  const n = name.toLowerCase();
  return headers?.find(([k]) => k.toLowerCase() === n)?.[1];
}

/** Every value of a header (Set-Cookie comes as several). */
export function headerAll(headers: HeaderList | undefined, name: string): string[] {
  const n = name.toLowerCase();
  return (headers ?? []).filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

/** The media type of a response, lower case without parameters (`text/html`). */
export function mediaType(res: ResponseRecord | undefined): string {
  return (header(res?.headers, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

export const isHtml = (res: ResponseRecord | undefined): boolean => ['text/html', 'application/xhtml+xml'].includes(mediaType(res));

/** Text of a response body, or '' when it is binary (base64) or absent. */
export const textBody = (res: ResponseRecord | undefined): string => (res && res.bodyEncoding !== 'base64' ? res.body : '');

/** Recorded exchanges with a response, sent to the target's origin (passive checks judge only the target). */
export function targetExchanges(recorded: readonly Exchange[], targetUrl: string): Array<Exchange & { response: ResponseRecord }> {
  const origin = new URL(targetUrl).origin;
  return recorded.filter((x): x is Exchange & { response: ResponseRecord } => {
    if (!x.response) return false;
    try {
      return new URL(x.request.url).origin === origin;
    } catch {
      return false; // an unparsable URL cannot be attributed to the target
    }
  });
}

const escapeRe = (s: string): string => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');

/** Matches a concrete path against an operation's template (`/users/{id}`). */
function matches(op: Operation, path: string): boolean {
  const re = new RegExp(`^${op.path.split(/\{[^}]+\}/).map(escapeRe).join('[^/]+')}/?$`);
  return re.test(path);
}

/**
 * The operation route of a recorded request: the surface operation whose template matches (exact paths before
 * templates), else the concrete path.
 */
export function routeOf(method: string, url: string, surface: Surface): { method: string; path: string } {
  const path = new URL(url).pathname;
  const same = surface.operations.filter((o) => o.method === method && matches(o, path));
  const best = same.find((o) => o.path === path) ?? same.sort((a, b) => b.path.length - a.path.length)[0];
  return { method, path: best?.path ?? path };
}

export const pathOf = (url: string): string => new URL(url).pathname;

/** A random lower-case hex nonce (unguessable by the target). */
export const nonce = (bytes = 5): string => randomBytes(bytes).toString('hex');
