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

/** How a file came to be known: served at that path, written in a page as a web path, or the tail of a disk path. */
export type Origin = 'served' | 'written' | 'tail';

/**
 * Web paths a mention may stand for: as written (relative ones from the root and from the page's folder), and an
 * absolute path's last one to three segments (a disk path: the web root is somewhere above them).
 */
export function mentionPaths(mention: string, pageUrl: string): Array<{ path: string; origin: Origin }> {
  const m = mention.replace(/^\.\//, '');
  if (m.split('/').includes('..')) return [];
  const segments = m.split('/').filter(Boolean);
  if (m.startsWith('/')) {
    // Under a filesystem root it is a disk path: the whole of it is no likelier a web path than its tails.
    const disk = /^\/(?:usr|var|srv|opt|home|tmp|etc|root|mnt|data|app|Users|private)\//.test(m);
    return [{ path: m, origin: disk ? 'tail' : 'written' }, ...[1, 2, 3].filter((k) => k < segments.length).map((k) => ({ path: `/${segments.slice(-k).join('/')}`, origin: 'tail' as const }))];
  }
  const dir = new URL(pageUrl).pathname.replace(/[^/]*$/, '');
  return [...new Set([`/${m}`, `${dir}${m}`])].map((path) => ({ path, origin: 'written' }));
}

/** Files mentioned in a text body (at most `max`, first seen first: a page listing dozens is a listing, not a hint). */
export function mentions(text: string, max = 20): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(MENTION)) {
    out.add(m[1]!);
    if (out.size >= max) break;
  }
  return [...out];
}

/** A URL decoded, or as it is when it does not decode (a lone `%`). */
function safeDecode(url: string): string {
  try {
    return decodeURIComponent(url);
  } catch (e) {
    if (e instanceof URIError) return url;
    throw e;
  }
}

/** A template's live file: `config.inc.php.dist` → `config.inc.php` (`.dist`, `.sample`, `.example`, `.template`, `.default`). */
const liveOf = (path: string): string => path.replace(/\.(?:dist|sample|example|template|default)$/i, '');

/**
 * The probes derived from the paths a site serves (`served`: request URLs) and the files it mentions (`pages`: URL
 * and text body), at most `max`, most telling first: data files; scripts and configs with a config-like name that
 * the site serves or writes as a web path (every backup suffix); other config files (the file and `.bak`); other
 * scripts (`.bak` and `~`); last, files known only as the tail of a disk path. Shorter paths first within each.
 */
export function derivedProbes(served: readonly string[], pages: ReadonlyArray<{ url: string; text: string }>, max: number, known: ReadonlySet<string>): Derived[] {
  const files = new Map<string, Origin>();
  const note = (path: string, origin: Origin): void => {
    const live = liveOf(path);
    const prior = files.get(live);
    if (!prior || (prior === 'tail' && origin !== 'tail')) files.set(live, origin);
  };
  for (const url of served) note(new URL(url).pathname, 'served');
  for (const p of pages) {
    // A page that names what its own URL carries echoes the request: no hint of the site's files.
    const asked = `${p.url} ${safeDecode(p.url)}`;
    for (const m of mentions(p.text)) if (!asked.includes(m)) for (const { path, origin } of mentionPaths(m, p.url)) note(path, origin);
  }
  const probes: Array<Derived & { rank: number }> = [];
  for (const [file, origin] of files) {
    const ext = extOf(file);
    const name = file.slice(file.lastIndexOf('/') + 1);
    const dir = file.slice(0, file.lastIndexOf('/') + 1);
    const config = CONFIG_NAME.test(`${dir.split('/').slice(-2).join('/')}${name}`);
    const later = origin === 'tail' ? 10 : 0;
    if (DATA_EXT.includes(ext)) probes.push({ path: file, original: file, kind: 'file', rank: later });
    else if (CONFIG_EXT.includes(ext)) {
      for (const [path, kind] of [[file, 'file'], [`${file}.bak`, 'backup']] as const) probes.push({ path, original: file, kind, rank: later + (config ? 1 : 2) });
    } else if (SCRIPT_EXT.includes(ext)) {
      for (const suffix of config ? BACKUP_SUFFIXES : BACKUP_SUFFIXES.slice(0, 2)) probes.push({ path: suffix(dir, name), original: file, kind: 'backup', rank: later + (config ? 1 : 3) });
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
