// src/net/redact.ts — removes secrets from headers, URLs and text before anything is logged or stored.
import type { Exchange, HeaderList } from '../core/index.js';

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'api-key', 'x-auth-token']);
const SECRET_NAMES = 'access_token|refresh_token|id_token|token|api_key|apikey|api-key|key|secret|client_secret|password|passwd|pwd|auth|session|sessionid|sid|sig|signature|jwt|x-amz-signature|x-amz-credential|x-amz-security-token';
/** `?name=value` / `&name=value` pairs whose name says secret (case-insensitive); the value runs to `&` or `#`. */
const SECRET_QUERY_PAIR = new RegExp(`([?&](?:${SECRET_NAMES})=)[^&#]*`, 'gi');
/** `scheme://user:password@` */
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*:)[^/?#@]*@/i;
export const REDACTED = '[REDACTED]';
const SECRET_NAME = new RegExp(`^(?:${SECRET_NAMES})$`, 'i');

/** Whether a parameter or field name says its value is a secret (the names whose query values `url()` masks). */
export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

export interface Redactor {
  headers(h: HeaderList): HeaderList;
  url(u: string): string;
  text(s: string): string;
  /** Adds a secret learned during the scan (a token a login returned, a session cookie it set). */
  learn(secret: string): void;
}

/** A redactor for well-known secret places plus configured secret values (passwords, tokens). */
export function createRedactor(secrets: readonly string[] = []): Redactor {
  let values: string[] = [];
  const learn = (...more: readonly string[]): void => {
    values = [...new Set([...values, ...more.filter((v) => v.length >= 4)])].sort((a, b) => b.length - a.length);
  };
  learn(...secrets);
  const text = (s: string): string => {
    let out = s;
    for (const v of values) if (out.includes(v)) out = out.split(v).join(REDACTED);
    return out;
  };
  return {
    text,
    learn: (secret) => learn(secret),
    headers: (h) =>
      h.map(([k, v]) => {
        const name = k.toLowerCase();
        if (name === 'cookie') return [k, v.replace(/(^|;\s*)([^=;]+)=([^;]*)/g, (_m, sep: string, n: string) => `${sep}${n}=${REDACTED}`)];
        // A Set-Cookie's value is the secret; its attributes (Path, SameSite, Secure…) are what cookie checks read.
        if (name === 'set-cookie') return [k, v.replace(/^(\s*[^=;]+)=([^;]*)/, (_m, n: string) => `${n}=${REDACTED}`)];
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

/** An exchange with every secret place redacted (request line, headers, bodies, error); `cut` shortens bodies first. */
export function redactExchange(x: Exchange, redact: Redactor, cut: (body: string) => string = (b) => b): Exchange {
  return {
    ...x,
    request: {
      ...x.request,
      url: redact.url(x.request.url),
      headers: redact.headers(x.request.headers),
      ...(x.request.body !== undefined ? { body: redact.text(cut(x.request.body)) } : {}),
    },
    ...(x.response ? { response: { ...x.response, headers: redact.headers(x.response.headers), body: redact.text(cut(x.response.body)) } } : {}),
    ...(x.error ? { error: { ...x.error, message: redact.text(x.error.message) } } : {}),
  };
}
