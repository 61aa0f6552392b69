// src/net/cookies.ts — a small per-identity cookie jar (name, value, domain, path; expiry by Max-Age=0 only).

interface Cookie {
  name: string;
  value: string;
  host: string;
  path: string;
}

export class CookieJar {
  private cookies: Cookie[] = [];

  /** Stores one Set-Cookie header value received from `from`. */
  store(setCookie: string, from: URL): void {
    const [pair = '', ...attrs] = setCookie.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = '/';
    let expired = false;
    for (const a of attrs) {
      const [k = '', v = ''] = a.split('=').map((s) => s.trim());
      if (k.toLowerCase() === 'path' && v.startsWith('/')) path = v;
      if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
    }
    this.cookies = this.cookies.filter((c) => !(c.name === name && c.host === from.host && c.path === path));
    if (!expired) this.cookies.push({ name, value, host: from.host, path });
  }

  set(name: string, value: string, host: string): void {
    this.cookies = this.cookies.filter((c) => !(c.name === name && c.host === host));
    this.cookies.push({ name, value, host, path: '/' });
  }

  /** Copies every cookie of `other` into this jar (same name, host and path: `other`'s wins). */
  absorb(other: CookieJar): void {
    for (const c of other.cookies) {
      this.cookies = this.cookies.filter((k) => !(k.name === c.name && k.host === c.host && k.path === c.path));
      this.cookies.push({ ...c });
    }
  }

  /** Whether a cookie of this name is held (for any host). */
  has(name: string): boolean {
    return this.cookies.some((c) => c.name === name);
  }

  /** The cookies held, as name and value (to tell the redactor the session's). */
  pairs(): Array<[string, string]> {
    return this.cookies.map((c) => [c.name, c.value]);
  }

  /** The Cookie header for a request to `to`, or undefined. */
  header(to: URL): string | undefined {
    const matching = this.cookies.filter((c) => c.host === to.host && to.pathname.startsWith(c.path));
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  clear(): void {
    this.cookies = [];
  }
}

/**
 * One Cookie header from an identity's own (`name=value; …`) and its jar's: a name in both keeps the identity's value
 * (a configured session cookie is not replaced by one the target handed out), the rest of the jar follows.
 */
export function mergeCookies(own: string, jar: string): string {
  const pairs = (h: string): Array<[string, string]> =>
    h.split(';').flatMap((p) => {
      const eq = p.indexOf('=');
      return eq > 0 ? [[p.slice(0, eq).trim(), p.slice(eq + 1).trim()] as [string, string]] : [];
    });
  const mine = pairs(own);
  const names = new Set(mine.map(([n]) => n));
  return [...mine, ...pairs(jar).filter(([n]) => !names.has(n))].map(([n, v]) => `${n}=${v}`).join('; ');
}
