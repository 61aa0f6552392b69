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

  /** The Cookie header for a request to `to`, or undefined. */
  header(to: URL): string | undefined {
    const matching = this.cookies.filter((c) => c.host === to.host && to.pathname.startsWith(c.path));
    return matching.length ? matching.map((c) => `${c.name}=${c.value}`).join('; ') : undefined;
  }

  clear(): void {
    this.cookies = [];
  }
}
