// src/identities/extract.ts — reading values out of login answers: JSON paths, HTML form fields (CSRF tokens), a
// JWT's expiry.

/** Reads `a.b.0.c` from a JSON value. */
export function jsonPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const key of path.replace(/^\$\.?/, '').split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'", '#47': '/', '#x2F': '/' };

/** Undoes the HTML escaping an attribute value may carry (`&amp;`, `&#39;`, numeric references). */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    const named = ENTITIES[e] ?? ENTITIES[e.toLowerCase()];
    if (named !== undefined) return named;
    if (e.startsWith('#x') || e.startsWith('#X')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(Number(e.slice(1)));
    return m;
  });
}

/** The attributes of one HTML tag (`<input type=hidden name='x' value="y">`), names lower-cased. */
function attributes(tag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of tag.matchAll(/([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!out.has(name)) out.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? ''));
  }
  return out;
}

/**
 * The value of a form field named `name` in an HTML page: an `<input name=…>`'s value, or a `<meta name=…>`'s content
 * (where frameworks put their CSRF token). Undefined when the page has no such field.
 */
export function formValue(html: string, name: string): string | undefined {
  for (const m of html.matchAll(/<(input|meta)\b([^>]*)>/gi)) {
    const attrs = attributes(m[2]!);
    if (attrs.get('name') !== name) continue;
    const v = m[1]!.toLowerCase() === 'meta' ? attrs.get('content') : attrs.get('value');
    if (v !== undefined) return v;
  }
  return undefined;
}

/** A JWT's `exp` as epoch ms, or undefined when the token is no JWT or carries no numeric `exp`. */
export function jwtExpiry(token: string): number | undefined {
  const parts = token.replace(/^\s*\S+\s+(?=\S+\.\S+\.)/, '').trim().split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return undefined; // not a JWT's payload: the token says nothing about its life
  }
  const exp = (payload as { exp?: unknown } | null)?.exp;
  return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
}
