// src/checks/security/sensitive-files.ts — active: probes a short list of files and endpoints that should never be
// public (.env, .git, debug/env dumps, backups, consoles); proof is a 200 with a marker specific to that file,
// different from a not-found control, reproduced on replay.
import { z } from 'zod';
import type { Exchange, ResponseRecord, Severity } from '../../core/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { isHtml, nonce } from './support/exchanges.js';
import { Tally } from './support/tally.js';

type Marker = (text: string, bytes: Buffer, res: ResponseRecord) => string | undefined;

export interface Probe {
  path: string;
  severity: Severity;
  /** What the file is, for the title. */
  what: string;
  marker: Marker;
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

/** The files probed: each must show its own marker, a 200 alone proves nothing. ≤ 25 requests. */
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
  { path: '/phpinfo.php', severity: 'medium', what: 'phpinfo() page', marker: first(/<title>phpinfo\(\)<\/title>|PHP Version \d+\.\d+/) },
  { path: '/backup.zip', severity: 'high', what: 'backup archive', marker: magic('504b0304', 'ZIP archive (PK\\x03\\x04)') },
  { path: '/backup.tar.gz', severity: 'high', what: 'backup archive', marker: magic('1f8b', 'gzip archive (\\x1f\\x8b)') },
  { path: '/dump.sql', severity: 'high', what: 'database dump', marker: notHtml(first(/^(?:-- (?:MySQL|PostgreSQL) (?:database )?dump|CREATE TABLE [`"\w]+|INSERT INTO [`"\w]+ )/m)) },
  { path: '/.DS_Store', severity: 'low', what: 'macOS folder index', marker: magic('0000000142756431', '.DS_Store header (Bud1)') },
  { path: '/console', severity: 'medium', what: 'interactive console', marker: first(/Werkzeug (?:Debugger|powered traceback interpreter)|Interactive Console|H2 Console|Rails\.application\.console|<title>[^<]*Console[^<]*<\/title>/) },
  { path: '/admin', severity: 'medium', what: 'administration console reachable without signing in', marker: (text, _b, res) => adminPanel(text, res) },
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

export default defineCheck({
  id: 'sensitive-files',
  family: 'security',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Sensitive file or endpoint exposed',
    description: 'A file or endpoint that should never be public answers: environment files, the .git folder, environment or debug dumps, backups, consoles.',
    severity: 'high',
    cwe: 'CWE-538',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Remove the file from the web root (or block the path at the proxy), turn debug and actuator endpoints off in deployed environments, and rotate every secret that was exposed.',
    proves: 'A 200 carrying a marker specific to that file (e.g. `[core]` for .git/config, KEY= lines for .env), unlike the answer to a random path, again on replay.',
  },
  options: z.strictObject({
    /** Paths not to probe (exact). Default none. */
    skip: z.array(z.string()).default([]),
  }),
  async run(ctx) {
    const control = await ctx.send({ method: 'GET', url: `/vouch-${nonce()}` });
    if (!control.response) return { status: 'inconclusive', reason: `the not-found control failed: ${control.error?.message ?? 'no response'}` };
    const candidates: CandidateInput[] = [];
    // A 5xx or 429 to a probe says nothing about whether the file is there.
    const tally = new Tally();
    for (const probe of PROBES) {
      if (ctx.options.skip.includes(probe.path)) continue;
      const x = tally.note(await ctx.send({ method: 'GET', url: probe.path }));
      const evidence = shows(probe, x, control);
      // A marker in the page any unknown path gets (an SPA's index page) is no file.
      if (!evidence || (await ctx.notFound(x))) continue;
      candidates.push({
        operation: { method: 'GET', path: probe.path },
        url: x.request.url,
        title: `Exposed ${probe.what}: ${probe.path}`,
        severity: probe.severity,
        vulnClass: `exposed:${probe.path}`,
        confidence: 'tentative',
        proof: {
          summary: `GET ${probe.path} → 200 with ${evidence}; a random path gave ${control.response.status}${control.response.status === 200 ? ' with a different body' : ''}`,
          exchangeIds: [x.id, control.id],
          evidence,
        },
        data: { path: probe.path },
      });
    }
    if (candidates.length) return { status: 'found', candidates };
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const probe = PROBES.find((p) => p.path === (candidate.data as { path?: string } | undefined)?.path);
    if (!probe) return { confirmed: false, exchangeIds: [], reason: 'unknown probe path' };
    const control = await ctx.send({ method: 'GET', url: `/vouch-${nonce()}` });
    const replay = await ctx.send({ method: 'GET', url: probe.path });
    const evidence = shows(probe, replay, control);
    if (evidence && !(await ctx.notFound(replay))) return { confirmed: true, exchangeIds: [replay.id, control.id], summary: `${candidate.proof.summary}; the replay shows it again against a fresh random-path control` };
    return { confirmed: false, exchangeIds: [replay.id, control.id], reason: 'the replay did not show the marker' };
  },
  example: { url: 'http://127.0.0.1:8080/.env', summary: 'GET /.env → 200 with DATABASE_URL=…; a random path gave 404' },
});
