// src/checks/security/support/sensitive-paths.ts — paths worth probing that a site names itself: backups of the
// server-side scripts and config files it serves or mentions (x.php.bak, x.php~, .x.php.swp) and data files it
// mentions (database/app.db). Pure functions over recorded URLs and bodies; sensitive-files sends the probes.

/** Server-side scripts: their source is never meant to be served, so a copy with another extension leaks it. */
export const SCRIPT_EXT = ['php', 'php3', 'php4', 'php5', 'php7', 'phtml', 'inc', 'asp', 'aspx', 'ascx', 'jsp', 'jspx', 'py', 'rb', 'pl', 'cgi'];
/** Configuration files: read by the server, never served. */
export const CONFIG_EXT = ['config', 'conf', 'cfg', 'ini', 'env', 'yml', 'yaml', 'properties', 'toml'];
/** Data files: a database or a dump served as a file is the whole database. */
export const DATA_EXT = ['db', 'sqlite', 'sqlite3', 'sql', 'mdb'];

/** Names that say a file holds settings or credentials: their backups are probed first, with every suffix. */
const CONFIG_NAME = /conf|setting|secret|credential|passw|database|(?:^|[._-])db(?:[._-]|$)|(?:^|[._-])env(?:[._-]|$)|local|parameters|wp-config/i;

/** Backup names editors, admins and deploy scripts leave beside a file (vim's swap file is `.name.swp`). */
export const BACKUP_SUFFIXES: ReadonlyArray<(dir: string, name: string) => string> = [
  (d, n) => `${d}${n}.bak`,
  (d, n) => `${d}${n}~`,
  (d, n) => `${d}${n}.old`,
  (d, n) => `${d}.${n}.swp`,
  (d, n) => `${d}${n}.orig`,
];

const EXT = [...SCRIPT_EXT, ...CONFIG_EXT, ...DATA_EXT].join('|');
/**
 * A file path in text: relative (`config/app.ini`) or absolute (`/var/www/html/config/app.php`), ending in one of
 * the extensions above. Not part of a URL (no scheme, host or word right before it) and not followed by more path
 * (a full stop ending the sentence is fine).
 */
const MENTION = new RegExp(`(?<![\\w/:.%~@-])((?:\\.{0,2}/)?(?:[\\w@+-][\\w.@+-]*/)*[\\w@+-][\\w.@+-]*\\.(?:${EXT}))(?![\\w/-]|\\.\\w)`, 'g');

export const extOf = (path: string): string => /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase() ?? '';

/** A probe derived from a site's own paths: the path to ask, the file it stands for, and whether it is a backup. */
export interface Derived {
  path: string;
  /** The file the probe stands for (the original of a backup, or the mentioned file itself). */
  original: string;
  kind: 'backup' | 'file';
}

/** Web paths a mention may stand for: as written (relative ones from the root and from the page's folder), and
 * an absolute filesystem path's last one to three segments (the web root is somewhere above them). */
export function mentionPaths(mention: string, pageUrl: string): string[] {
  const m = mention.replace(/^\.\//, '');
  if (m.split('/').includes('..')) return [];
  const segments = m.split('/').filter(Boolean);
  if (m.startsWith('/')) {
    return [m, ...[1, 2, 3].filter((k) => k < segments.length).map((k) => `/${segments.slice(-k).join('/')}`)];
  }
  const dir = new URL(pageUrl).pathname.replace(/[^/]*$/, '');
  return [...new Set([`/${m}`, `${dir}${m}`])];
}

/** Files mentioned in a text body (at most `max`, first seen first). */
export function mentions(text: string, max = 200): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    out.add(m[1]!);
    if (out.size >= max) break;
  }
  return [...out];
}

/**
 * The probes derived from the paths a site serves (`served`: request URLs) and the files it mentions (`pages`: URL
 * and text body), at most `max`, most telling first: data files, then config-like names (every backup suffix),
 * then other scripts (`.bak` and `~` only); shorter paths first within each.
 */
export function derivedProbes(served: readonly string[], pages: ReadonlyArray<{ url: string; text: string }>, max: number, known: ReadonlySet<string>): Derived[] {
  const files = new Set<string>();
  for (const url of served) files.add(new URL(url).pathname);
  for (const p of pages) for (const m of mentions(p.text)) for (const path of mentionPaths(m, p.url)) files.add(path);
  const probes: Array<Derived & { rank: number }> = [];
  for (const file of files) {
    const ext = extOf(file);
    const name = file.slice(file.lastIndexOf('/') + 1);
    const dir = file.slice(0, file.lastIndexOf('/') + 1);
    if (DATA_EXT.includes(ext)) probes.push({ path: file, original: file, kind: 'file', rank: 0 });
    else if (CONFIG_EXT.includes(ext)) {
      probes.push({ path: file, original: file, kind: 'file', rank: 1 });
      probes.push({ path: `${file}.bak`, original: file, kind: 'backup', rank: 1 });
    } else if (SCRIPT_EXT.includes(ext)) {
      const config = CONFIG_NAME.test(name);
      for (const suffix of config ? BACKUP_SUFFIXES : BACKUP_SUFFIXES.slice(0, 2)) probes.push({ path: suffix(dir, name), original: file, kind: 'backup', rank: config ? 1 : 2 });
    }
  }
  const depth = (p: string): number => p.split('/').length;
  // Stable: rank, then the original's depth and path, then the suffix order above (the sort keeps it).
  probes.sort((a, b) => a.rank - b.rank || depth(a.original) - depth(b.original) || (a.original < b.original ? -1 : a.original > b.original ? 1 : 0));
  const out: Derived[] = [];
  for (const { path, original, kind } of probes) {
    if (known.has(path) || out.some((d) => d.path === path)) continue;
    out.push({ path, original, kind });
    if (out.length >= max) break;
  }
  return out;
}
