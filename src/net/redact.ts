// src/net/redact.ts — removes secrets from headers, URLs and text before anything is logged or stored.
import type { HeaderList } from '../core/index.js';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token']);
const SECRET_NAMES = 'access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|secret|client_secret|password|passwd|pwd|auth|session|sessionid|sid|sig|signature|jwt|x-amz-signature|x-amz-credential|x-amz-security-token';
/** `?name=value` / `&name=value` pairs whose name says secret (case-insensitive); the value runs to `&` or `#`. */
const SECRET_QUERY_PAIR = new RegExp(`([?&](?:${SECRET_NAMES})=)[^&#]*`, 'gi');
/** `scheme://user:password@` */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*:)[^/?#@]*@/i;
export const REDACTED = '[REDACTED]';

export interface Redactor {
  headers(h: HeaderList): HeaderList;
  url(u: string): string;
  text(s: string): string;
}

/** A redactor for well-known secret places plus configured secret values (passwords, tokens). */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  const values = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  const text = (s: string): string => {
    let out = s;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
  return {
    text,
    headers: (h) =>
      h.map(([k, v]) => {
        const name = k.toLowerCase();
        if (name === 'cookie' || name === 'set-cookie') return [k, v.replace(/(^|;\s*)([^=;]+)=([^;]*)/g, (_m, sep: string, n: string) => `${sep}${n}=${REDACTED}`)];
        if (SECRET_HEADERS.has(name)) {
          const scheme = /^(Bearer|Basic|Token)\s+/i.exec(v);
          return [k, scheme ? `${scheme[1]} ${REDACTED}` : REDACTED];
        }
        return [k, text(v)];
      }),
    url: (u) => {
      // Rewrites only the secret parts, leaving every other byte of the URL as it was (no re-encoding).
      let out = u;
      if (out.includes('?')) out = out.replace(SECRET_QUERY_PAIR, (_m, lead: string) => `${lead}${REDACTED}`);
      const at = out.indexOf('@');
      if (at >= 0) out = out.replace(USERINFO_PASSWORD, (_m, lead: string) => `${lead}${REDACTED}@`);
      return values.length ? text(out) : out;
    },
  };
}
