// src/checks/security/sensitive-files.ts — active: probes a short list of files and endpoints that should never be
// public (.env, .git, debug/env dumps, backups, consoles), backups and data files derived from the paths the site
// serves and names, again as a signed-in identity where anonymous is sent away, and reads the pages the scan already
// recorded (any identity) for them; proof is a 200 with a marker specific to that file, unlike a not-found control,
// reproduced on replay.
import { z } from 'zod';
import type { Exchange, Identity, ResponseRecord, Severity } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { isHtml, nonce, pathOf, targetExchanges, textBody } from './support/exchanges.js';
import { CONFIG_EXT, DATA_EXT, derivedProbes, extOf, type Derived } from './support/sensitive-paths.js';
import { Tally } from './support/tally.js';

type Marker = (text: string, bytes: Buffer, res: ResponseRecord) => string | undefined;

export interface Probe {
  path: string;
  severity: Severity;
  /** What the file is, for the title. */
  what: string;
  marker: Marker;
  /** Exposed only when an anonymous caller gets it (an admin page is fine for an admin). */
  anonymousOnly?: boolean;
}

const first = (re: RegExp): Marker => (text) => re.exec(text)?.[0].trim().slice(0, 120);
const notHtml = (m: Marker): Marker => (text, bytes, res) => (isHtml(res) || /^\s*<(!doctype|html)/i.test(text) ? undefined : m(text, bytes, res));
const magic = (hex: string, label: string): Marker => (_t, bytes) => (bytes.subarray(0, hex.length / 2).toString('hex') === hex ? label : undefined);

/** Names that mark an environment or configuration dump as holding secrets. */
const SECRET_KEY = /\b[A-Z0-9_]*(?:SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_KEY|DATABASE_URL|ACCESS_KEY|CREDENTIALS?)[A-Z0-9_]*\b/;

/** A dotenv file: at least two `KEY=value` lines. */
const dotenv: Marker = notHtml((text) => {
  const lines = text.match(/^[A-Z][A-Z0-9_]*=.*$/gm) ?? [];
  return lines.length >= 2 ? (lines.find((l) => SECRET_KEY.test(l)) ?? lines[0]!).replace(/=.*/, '=…') : undefined;
});

/** An environment dump (JSON or text) naming secret-like keys. */
const envDump: Marker = (text, _b, res) => {
  if (isHtml(res) && !/phpinfo|Environment/i.test(text)) return undefined;
  const m = new RegExp(`["']?(${SECRET_KEY.source})["']?\\s*[:=]`).exec(text);
  return m ? `${m[1]} present` : undefined;
};

const jsonWithSecret: Marker = notHtml((text) => {
  try {
    JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = /"([^"]*(?:secret|password|passwd|private_?key|api_?key|token|credentials|connection_?string)[^"]*)"\s*:\s*"[^"]+"/i.exec(text);
  return m ? `"${m[1]}" present` : undefined;
});

/** A phpinfo() page: its title, or its header table (`PHP Version` beside the PHP logo's class). */
const phpinfo: Marker = first(/<title>phpinfo\(\)<\/title>|<h1 class="p">PHP Version \d+\.\d+[^<]*/);
const sqlite = magic('53514c69746520666f726d6174203300', 'SQLite database header (SQLite format 3)');
const sqlDump = notHtml(first(/^(?:-- (?:MySQL|PostgreSQL|MariaDB) (?:database )?dump|CREATE TABLE [`"\w]+|INSERT INTO [`"\w]+ )/m));

/** Source code markers by the original file's extension: what a script looks like when it is not run. */
const SOURCE: ReadonlyArray<[RegExp, RegExp]> = [
  [/^(?:php\d?|phtml|inc)$/, /^\s*<\?(?:php\b|=)/m],
  [/^(?:aspx?|ascx)$/, /<%@\s*(?:Page|Control|Import|Language|Assembly)\b|<script[^>]+runat=["']?server/i],
  [/^jspx?$/, /<%@\s*(?:page|include|taglib)\b|<jsp:(?:directive|root)/],
  [/^py$/, /^(?:from\s+[\w.]+\s+import\s|import\s+[\w.]+\s*$|def\s+\w+\(|class\s+\w+[(:])/m],
  [/^(?:rb|pl|cgi)$/, /^(?:require\s+['"]|use\s+[\w:]+;|def\s+\w+|class\s+\w+|module\s+\w+|#!\/usr\/bin\/(?:env )?(?:ruby|perl))/m],
];

/** A secret assigned in source or config (`$db_password = '…'`, `'password' => …`, `DB_PASS=…`): its name. */
const SECRET_ASSIGN = /([\w$'"[\] -]{0,40}?(?:pass(?:word|wd)?|secret|api_?key|token|private_?key|credential)[\w'" \]]{0,20}?)\s*(?:=>?|:)\s*\S/i;

/** A setting's name without the list dash or spaces around it. */
const bare = (name: string): string => name.trim().replace(/^[-\s]+/, '');

/** The source of a script with extension `ext` served as text: a source marker (a secret assignment named first). */
function source(ext: string): Marker {
  const marker = SOURCE.find(([e]) => e.test(ext))?.[1];
  return (text) => {
    if (!marker) return undefined;
    const m = marker.exec(text);
    if (!m) return undefined;
    const secret = SECRET_ASSIGN.exec(text);
    return secret ? `source code assigning ${bare(secret[1]!)} (value hidden)` : `source code: ${m[0].trim().slice(0, 60)}`;
  };
}

/** A config file: a setting with a secret-like name (`password:`, `SECRET_KEY=`). */
const configSecrets: Marker = notHtml((text) => {
  const m = SECRET_ASSIGN.exec(text);
  return m ? `configuration assigning ${bare(m[1]!)} (value hidden)` : undefined;
});

/** A vim swap file (`b0VIM`) holds the edited file's text. */
const vimSwap = magic('6230564d', 'vim swap file header (b0VIM)');

/**
 * The probe for a path derived from the site's own (a backup of a script or config it serves or names, a data
 * file it names), with the marker of what that file is; undefined for a file no marker tells apart.
 */
export function derivedProbe(d: Pick<Derived, 'path' | 'original' | 'kind'>): Probe | undefined {
  const ext = extOf(d.original);
  if (d.kind === 'file') {
    if (ext === 'sql') return { path: d.path, severity: 'high', what: 'database dump', marker: sqlDump };
    if (DATA_EXT.includes(ext)) return { path: d.path, severity: 'high', what: 'database file', marker: sqlite };
    if (CONFIG_EXT.includes(ext)) return { path: d.path, severity: 'high', what: 'configuration file', marker: ext === 'env' ? dotenv : configSecrets };
    return undefined;
  }
  if (d.path.endsWith('.swp')) return { path: d.path, severity: 'high', what: 'editor swap file of server-side source', marker: vimSwap };
  if (CONFIG_EXT.includes(ext)) return { path: d.path, severity: 'high', what: 'backup of a configuration file', marker: configSecrets };
  return SOURCE.some(([e]) => e.test(ext)) ? { path: d.path, severity: 'high', what: 'backup of server-side source', marker: source(ext) } : undefined;
}

/** The files probed: each must show its own marker, a 200 alone proves nothing. ≤ 30 requests. */
export const PROBES: readonly Probe[] = [
  { path: '/.env', severity: 'high', what: 'environment file', marker: dotenv },
  { path: '/.env.production', severity: 'high', what: 'environment file', marker: dotenv },
  { path: '/.git/config', severity: 'high', what: 'Git repository configuration', marker: notHtml(first(/^\[core\][\s\S]{0,200}?(?:repositoryformatversion|bare|filemode)/m)) },
  { path: '/.git/HEAD', severity: 'high', what: 'Git repository HEAD', marker: notHtml(first(/^(?:ref: refs\/\S+|[0-9a-f]{40})\s*$/)) },
  { path: '/config.json', severity: 'high', what: 'configuration file with secrets', marker: jsonWithSecret },
  { path: '/.aws/credentials', severity: 'high', what: 'AWS credentials file', marker: notHtml(first(/^\s*aws_access_key_id\s*=/m)) },
  { path: '/.npmrc', severity: 'high', what: 'npm credentials file', marker: notHtml(first(/_auth(?:Token)?\s*=/)) },
  { path: '/.htpasswd', severity: 'high', what: 'password file', marker: notHtml(first(/^[\w.-]+:(?:\$apr1\$|\$2[aby]\$|\{SHA\}|\$[156]\$)/m)) },
  { path: '/id_rsa', severity: 'high', what: 'private key', marker: first(/-----BEGIN (?:RSA |OPENSSH |EC |DSA )?PRIVATE KEY-----/) },
  { path: '/debug', severity: 'high', what: 'debug endpoint dumping the environment', marker: envDump },
  { path: '/debug/env', severity: 'high', what: 'debug endpoint dumping the environment', marker: envDump },
  { path: '/debug/vars', severity: 'medium', what: 'Go expvar dump', marker: notHtml(first(/"(?:cmdline|memstats)"\s*:/)) },
  { path: '/debug/pprof/', severity: 'medium', what: 'Go pprof profiles', marker: first(/Types of profiles available|\/debug\/pprof\/goroutine/) },
  { path: '/actuator/env', severity: 'high', what: 'Spring Boot actuator environment', marker: notHtml(first(/"(?:propertySources|activeProfiles)"\s*:/)) },
  { path: '/actuator/heapdump', severity: 'high', what: 'Spring Boot heap dump', marker: magic('4a4156412050524f46494c45', 'JAVA PROFILE heap dump header') },
  { path: '/server-status', severity: 'medium', what: 'Apache server status', marker: first(/Apache Server Status for|Server uptime:/) },
  { path: '/phpinfo.php', severity: 'medium', what: 'phpinfo() page', marker: phpinfo },
  { path: '/backup.zip', severity: 'high', what: 'backup archive', marker: magic('504b0304', 'ZIP archive (PK\\x03\\x04)') },
  { path: '/backup.tar.gz', severity: 'high', what: 'backup archive', marker: magic('1f8b', 'gzip archive (\\x1f\\x8b)') },
  { path: '/dump.sql', severity: 'high', what: 'database dump', marker: sqlDump },
  { path: '/db.sqlite3', severity: 'high', what: 'database file', marker: sqlite },
  { path: '/database/database.sqlite', severity: 'high', what: 'database file', marker: sqlite },
  { path: '/wp-config.php.bak', severity: 'high', what: 'backup of server-side source', marker: source('php') },
  { path: '/config.php.bak', severity: 'high', what: 'backup of server-side source', marker: source('php') },
  { path: '/.DS_Store', severity: 'low', what: 'macOS folder index', marker: magic('0000000142756431', '.DS_Store header (Bud1)') },
  { path: '/console', severity: 'medium', what: 'interactive console', marker: first(/Werkzeug (?:Debugger|powered traceback interpreter)|Interactive Console|H2 Console|Rails\.application\.console|<title>[^<]*Console[^<]*<\/title>/) },
  { path: '/admin', severity: 'medium', what: 'administration console reachable without signing in', marker: (text, _b, res) => adminPanel(text, res), anonymousOnly: true },
];

/** An admin page that is already signed in: admin wording, a sign-out link and no password field. */
function adminPanel(text: string, res: ResponseRecord): string | undefined {
  if (!isHtml(res) || /type=["']?password/i.test(text)) return undefined;
  const title = /<title>([^<]*admin[^<]*)<\/title>|<h1[^>]*>([^<]*admin[^<]*)<\/h1>/i.exec(text);
  return title && /log ?out|sign ?out/i.test(text) ? `admin page "${(title[1] ?? title[2] ?? '').trim()}" with a sign-out link and no login form` : undefined;
}

const bytesOf = (res: ResponseRecord): Buffer => Buffer.from(res.body, res.bodyEncoding === 'base64' ? 'base64' : 'utf8');
const textOf = (res: ResponseRecord): string => (res.bodyEncoding === 'base64' ? '' : res.body);

/** The marker evidence when `x` shows `probe`'s file: a 200, the marker, and a body unlike the not-found control. */
export function shows(probe: Probe, x: Exchange, control: Exchange | undefined): string | undefined {
  const res = x.response;
  if (!res || res.status !== 200) return undefined;
  const c = control?.response;
  if (c && c.status === 200 && c.body.trim() === res.body.trim()) return undefined; // catch-all answer
  return probe.marker(textOf(res), bytesOf(res), res);
}

/** What a candidate keeps to be replayed: the path, who saw it, and how its probe is rebuilt. */
type Seen = {
  path: string;
  identity?: string;
  derived?: Pick<Derived, 'original' | 'kind'>;
  /** A phpinfo() page seen at a path of the site's own (not one of PROBES). */
  phpinfo?: boolean;
};

/** The probe a candidate stands for, rebuilt from its data. */
function probeOf(seen: Seen): Probe | undefined {
  if (seen.derived) return derivedProbe({ path: seen.path, ...seen.derived });
  if (seen.phpinfo) return { path: seen.path, severity: 'medium', what: 'phpinfo() page', marker: phpinfo };
  return PROBES.find((p) => p.path === seen.path);
}

/** The least-privileged signed-in identity whose login worked: who asks again where anonymous is sent away. */
function signedIn(ctx: CheckContext<unknown>): Identity | undefined {
  const usable = ctx.identities.filter((i) => i.role !== 'anonymous' && i.name !== ctx.identity.name && !ctx.unavailable.has(i.name));
  return usable.find((i) => i.role === 'user') ?? usable[0];
}

/** An answer that sends the caller away (a redirect to sign in, 401, 403): the file may be there for a user. */
const sentAway = (x: Exchange): boolean => x.response !== undefined && ([401, 403].includes(x.response.status) || (x.response.status >= 300 && x.response.status < 400));

function candidate(probe: Probe, x: Exchange, control: Exchange, evidence: string, seen: Seen, how: string): CandidateInput {
  const status = control.response?.status;
  return {
    operation: { method: 'GET', path: probe.path },
    url: x.request.url,
    ...(seen.identity ? { identity: seen.identity } : {}),
    title: `Exposed ${probe.what}: ${probe.path}`,
    severity: probe.severity,
    vulnClass: `exposed:${probe.path}`,
    confidence: 'tentative',
    proof: {
      summary: `GET ${probe.path}${how} → 200 with ${evidence}; a random path gave ${status ?? '-'}${status === 200 ? ' with a different body' : ''}`,
      exchangeIds: [x.id, control.id],
      evidence,
    },
    data: seen,
  };
}

export default defineCheck({
  id: 'sensitive-files',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Sensitive file or endpoint exposed',
    description: 'A file or endpoint that should never be public answers: environment files, the .git folder, environment or debug dumps, phpinfo, backups of source and config files, database files, consoles.',
    severity: 'high',
    cwe: 'CWE-538',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Remove the file from the web root (or block the path at the proxy), turn debug and actuator endpoints off in deployed environments, and rotate every secret that was exposed.',
    proves: 'A 200 carrying a marker specific to that file (e.g. `[core]` for .git/config, KEY= lines for .env, `<?php` source in a .bak, the SQLite header), unlike the answer to a random path, again on replay.',
  },
  options: z.strictObject({
    /** Paths not to probe (exact). Default none. */
    skip: z.array(z.string()).default([]),
    /** Most probes derived from the site's own paths (backups of its scripts and configs, data files it names). Default 40. */
    derived: z.number().int().min(0).max(200).default(40),
  }),
  async run(ctx) {
    const control = await ctx.send({ method: 'GET', url: `/vouch-${nonce()}` });
    if (!control.response) return { status: 'inconclusive', reason: `the not-found control failed: ${control.error?.message ?? 'no response'}` };
    const candidates: CandidateInput[] = [];
    const found = new Set<string>();
    const recorded = targetExchanges(ctx.recorded(), ctx.target.url).filter((x) => x.request.method === 'GET');
    // What the scan already saw, as any identity (the crawl signed in): one of these files, or a phpinfo() page anywhere.
    for (const x of [...recorded].sort((a, b) => (a.request.url < b.request.url ? -1 : a.request.url > b.request.url ? 1 : 0))) {
      const path = pathOf(x.request.url);
      if (found.has(path) || ctx.options.skip.includes(path)) continue;
      const anonymous = ctx.identities.find((i) => i.name === x.identity)?.role === 'anonymous';
      const known = PROBES.find((p) => p.path === path && (anonymous || !p.anonymousOnly));
      const probe = known ?? { path, severity: 'medium' as const, what: 'phpinfo() page', marker: phpinfo };
      const evidence = shows(probe, x, control);
      if (!evidence || (await ctx.notFound(x))) continue;
      found.add(path);
      const seen: Seen = { path, identity: x.identity, ...(known ? {} : { phpinfo: true }) };
      candidates.push(candidate(probe, x, control, evidence, seen, ` (recorded as ${x.identity})`));
    }
    // Paths the site serves (answered, not 404) and the files its pages name (2xx pages, not an echo of the request).
    const served = recorded.filter((x) => x.response.status < 400);
    const pages = served.filter((x) => x.response.status < 300).map((x) => ({ url: x.request.url, text: textBody(x.response) }));
    const derived = derivedProbes(served.map((x) => x.request.url), pages, ctx.options.derived, new Set(PROBES.map((p) => p.path)));
    const probes: Array<[Probe, Seen]> = [
      ...PROBES.map((p): [Probe, Seen] => [p, { path: p.path }]),
      ...derived.flatMap((d): Array<[Probe, Seen]> => {
        const p = derivedProbe(d);
        return p ? [[p, { path: d.path, derived: { original: d.original, kind: d.kind } }]] : [];
      }),
    ];
    const user = signedIn(ctx);
    // A 5xx or 429 to a probe says nothing about whether the file is there.
    const tally = new Tally();
    for (const [probe, seen] of probes) {
      if (ctx.options.skip.includes(probe.path) || found.has(probe.path)) continue;
      let x = tally.note(await ctx.send({ method: 'GET', url: probe.path }));
      let evidence = shows(probe, x, control);
      let who: Seen = seen;
      // Sent away (to sign in, 401/403): a file a signed-in user gets is exposed to every account holder.
      if (!evidence && user && sentAway(x) && !probe.anonymousOnly) {
        const again = tally.note(await ctx.send({ method: 'GET', url: probe.path, identity: user.name }));
        evidence = shows(probe, again, control);
        if (evidence) [x, who] = [again, { ...seen, identity: user.name }];
      }
      // A marker in the page any unknown path gets (an SPA's index page) is no file.
      if (!evidence || (await ctx.notFound(x))) continue;
      found.add(probe.path);
      const how = who.identity ? ` as ${who.identity} (anonymous was sent away)` : seen.derived ? ` (${seen.derived.kind === 'backup' ? 'a backup name' : 'a file'} of ${seen.derived.original}, which the site serves or names)` : '';
      candidates.push(candidate(probe, x, control, evidence, who, how));
    }
    if (candidates.length) return { status: 'found', candidates };
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const seen = candidate.data as Seen | undefined;
    const probe = seen && probeOf(seen);
    if (!seen || !probe) return { confirmed: false, exchangeIds: [], reason: 'unknown probe path' };
    const control = await ctx.send({ method: 'GET', url: `/vouch-${nonce()}` });
    const replay = await ctx.send({ method: 'GET', url: probe.path, ...(seen.identity ? { identity: seen.identity } : {}) });
    const evidence = shows(probe, replay, control);
    if (evidence && !(await ctx.notFound(replay))) return { confirmed: true, exchangeIds: [replay.id, control.id], summary: `${candidate.proof.summary}; the replay shows it again against a fresh random-path control` };
    return { confirmed: false, exchangeIds: [replay.id, control.id], reason: 'the replay did not show the marker' };
  },
  example: { url: 'http://127.0.0.1:8080/.env', summary: 'GET /.env → 200 with DATABASE_URL=…; a random path gave 404' },
});
