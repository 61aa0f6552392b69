// src/net/redact.ts — removes secrets from headers, URLs and text before anything is logged or stored.
import type { HeaderList } from '../core/index.js';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token']);
const SECRET_QUERY = /^(access_token|token|api_key|apikey|key|secret|password|passwd|auth|session|sig|signature)$/i;
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
      try {
        const parsed = new URL(u);
        let changed = false;
        for (const key of [...parsed.searchParams.keys()]) {
          if (SECRET_QUERY.test(key)) {
            parsed.searchParams.set(key, REDACTED);
            changed = true;
          }
        }
        if (parsed.password) {
          parsed.password = REDACTED;
          changed = true;
        }
        return text(changed ? parsed.toString() : u);
      } catch {
        return text(u);
      }
    },
  };
}
