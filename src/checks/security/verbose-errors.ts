// src/checks/security/verbose-errors.ts — passive: stack traces, framework debug pages (Node, Python, Java, PHP,
// ASP.NET, Django, Rails) and absolute file paths in error answers; the recorded response and the line are the proof.
import { z } from 'zod';
import type { Exchange, ResponseRecord, Severity } from '../../core/index.js';
import { defineCheck } from '../kit/define.js';
import { groupSightings, type Sighting } from '../kit/group.js';
import { pathOf, routeOf, targetExchanges, textBody } from './support/exchanges.js';

/**
 * Signatures of debug output, each specific enough that ordinary text ("an error occurred", "Exception handling
 * guide") does not match: a frame with a file and line, or a framework's debug page markers.
 */
export const SIGNATURES: ReadonlyArray<{ name: string; severity: Severity; pattern: RegExp }> = [
  { name: 'Django debug page', severity: 'medium', pattern: /You're seeing this error because you have <code>DEBUG = True<\/code>|^\s*Django Version:\s*\d[^\n]*$/m },
  { name: 'Rails debug page', severity: 'medium', pattern: /<title>Action Controller: Exception caught<\/title>|^\s*Rails\.root: \/\S+$/m },
  { name: 'ASP.NET error page', severity: 'medium', pattern: /Server Error in '[^'\n]*' Application\.|An unhandled exception occurred during the execution of the current web request/ },
  { name: 'Werkzeug debugger', severity: 'medium', pattern: /<title>[^<]*\/\/ Werkzeug Debugger<\/title>|The debugger caught an exception in your WSGI application/ },
  { name: 'Python traceback', severity: 'low', pattern: /Traceback \(most recent call last\):|^\s*File "[^"\n]+\.py", line \d+, in \S+.*$/m },
  { name: 'Java stack trace', severity: 'low', pattern: /Exception in thread "[^"\n]+" [\w.$]+(?:Exception|Error)|^\s*at [\w$]+(?:\.[\w$<>]+)+\((?:[\w$]+\.(?:java|kt|scala|groovy):\d+|Native Method|Unknown Source)\)\s*$/m },
  { name: 'Node.js stack trace', severity: 'low', pattern: /^\s*at (?:async )?(?:(?:new )?[^\s()]+(?: \[as [^\]]+\])? \()?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\s()]*:\d+:\d+\)?\s*$/m },
  { name: '.NET stack trace', severity: 'low', pattern: /^\s*at [\w.`<>$]+\([^)\n]*\) in [^\n]+:line \d+\s*$/m },
  { name: 'PHP error', severity: 'low', pattern: /(?:Fatal error|Parse error|Uncaught \w+|Warning|Notice|Deprecated): .{1,300}? in (?:\/|[A-Za-z]:\\)\S+\.php(?::\d+| on line \d+)/ },
];

/**
 * Body text normalized so debug output embedded in HTML (`<br>`, `&nbsp;`) or in a JSON string (`\n`) is
 * matched line by line.
 */
export function normalize(body: string): string {
  return body
    .replace(/\\r\\n|\\n/g, '\n')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/&nbsp;|&#160;/g, ' ')
    .replace(/&quot;|&#34;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\\"/g, '"')
    .replace(/\\\\/g, '\\')
    .replace(/<\/?b>/g, '');
}

/** Extensions of source, compiled and configuration files: what a path in an error answer must end with. */
const CODE_EXT = 'm?js|cjs|ts|tsx|jsx|py|pyc|php\\d?|inc|phtml|rb|erb|java|class|jar|war|kt|scala|groovy|go|rs|cs|vb|dll|exe|aspx?|ascx|cshtml|jsp|ejs|pug|hbs|twig|ex|exs|pl|pm|lua|sh|json|ya?ml|ini|conf|config|env|xml|properties|lock';
/** Filesystem roots where servers keep their code; an API route (`/api/…`, `/static/…`) starts nowhere here. */
const FS_ROOTS = 'usr|home|var|opt|srv|app|apps|tmp|root|etc|mnt|data|code|src|workspace|builds?|www|Users|private|snap|nix|deploy|service';

/**
 * An absolute filesystem path to a code or config file: `/usr/src/app/dist/x.js` (two folders or more under a
 * known root), `C:\\inetpub\\app\\x.cs`. Not part of a URL (no host, scheme or word right before it).
 */
export const FULL_PATH = new RegExp(
  `(?<![\\w:/.~@%-])/(?:${FS_ROOTS})/(?:[\\w.@+-]+/)+[\\w.@+-]+\\.(?:${CODE_EXT})\\b`
    + `|(?<![\\w/\\\\])[A-Za-z]:\\\\(?:[\\w .@+-]+\\\\)+[\\w.@+-]+\\.(?:${CODE_EXT})\\b`,
);

/** A GraphQL answer carrying errors (`{"errors": [ … ]`), whatever its status. */
const GRAPHQL_ERRORS = /^\s*\{[\s\S]*"errors"\s*:\s*\[\s*\{/;
/** Bounds of the JSON walk: a body larger than this is matched as text only; at most this many strings are read. */
const JSON_MAX_BYTES = 1_000_000;
const JSON_MAX_STRINGS = 5_000;

/**
 * Every string value of a JSON body, one per line (a GraphQL error's `extensions.exception.stacktrace` is an array of
 * frames, one string each, which the text of the body keeps on one line); undefined when the body is not JSON.
 */
export function jsonStrings(body: string): string[] | undefined {
  const head = body.trimStart()[0];
  if (body.length > JSON_MAX_BYTES || (head !== '{' && head !== '[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    if (e instanceof SyntaxError) return undefined; // looks like JSON, is not: matched as text
    throw e;
  }
  const out: string[] = [];
  const stack: unknown[] = [value];
  while (stack.length && out.length < JSON_MAX_STRINGS) {
    const v = stack.pop();
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
    else if (v && typeof v === 'object') stack.push(...Object.values(v).reverse());
  }
  return out;
}

/** The line (or 240 characters from the match, on a long line) that a match at `index` sits on. */
function lineAt(text: string, index: number, length: number): string {
  const start = text.lastIndexOf('\n', index) + 1;
  const end = text.indexOf('\n', index + length);
  const line = text.slice(start, end < 0 ? undefined : end).trim();
  return line.length <= 240 ? line : text.slice(index, index + 240).trim();
}

/** What the answer was to: its status and the text vouch sent (a path it sent and got echoed back is no disclosure). */
export interface Answered {
  status: number;
  sent: string;
}

/**
 * The first debug-output signature in a body: its name, severity and the matching line. Given what the answer was
 * to, an error answer (4xx/5xx) that names an absolute path to a code file the request did not carry is a full
 * path disclosure.
 */
export function debugOutput(body: string, answered?: Answered): { name: string; severity: Severity; line: string } | undefined {
  const strings = jsonStrings(body);
  const text = strings === undefined ? normalize(body) : `${normalize(body)}\n${strings.join('\n')}`;
  for (const s of SIGNATURES) {
    const m = s.pattern.exec(text);
    if (m) return { name: s.name, severity: s.severity, line: lineAt(text, m.index, m[0].length) };
  }
  // A GraphQL answer reports its errors with HTTP 200: an `errors` array makes it an error answer all the same.
  if (!answered || (answered.status < 400 && !(strings !== undefined && GRAPHQL_ERRORS.test(body)))) return undefined;
  for (const m of text.matchAll(new RegExp(FULL_PATH.source, 'g'))) {
    if (answered.sent.includes(m[0])) continue;
    return { name: 'full path disclosure', severity: 'low', line: lineAt(text, m.index, m[0].length) };
  }
  return undefined;
}

/** The text of a request as sent: its URL decoded (when it decodes), its headers (cookies too) and its body. */
function sentText(x: Exchange): string {
  let url = x.request.url;
  try {
    url = decodeURIComponent(url);
  } catch (e) {
    if (!(e instanceof URIError)) throw e; // a lone % stays as sent
  }
  const headers = x.request.headers.map(([k, v]) => `${k}: ${v}`).join('\n');
  return `${url}\n${headers}\n${x.request.body ?? ''}\n${normalize(x.request.body ?? '')}`;
}

export default defineCheck({
  id: 'verbose-errors',
  family: 'security',
  kind: 'passive',
  scope: 'target',
  meta: {
    title: 'Verbose error output (stack trace or debug page)',
    description: 'A response shows a stack trace or a framework debug page, which discloses file paths, code, versions and sometimes settings to anyone who can trigger an error.',
    severity: 'low',
    cwe: 'CWE-209',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Turn debug mode off in deployed environments and answer errors with a generic message and a correlation id; log the details server-side.',
    proves: 'The recorded response contains a stack frame with a file and line, or a framework debug page marker (the matching line is the evidence).',
  },
  options: z.strictObject({
    /** Also read responses to vouch's own attack payloads (an injected quote that crashes the app). Default true. */
    includeCheckTraffic: z.boolean().default(true),
  }),
  async run(ctx) {
    type Hit = { x: Exchange & { response: ResponseRecord }; sig: NonNullable<ReturnType<typeof debugOutput>> };
    const sightings: Array<Sighting<Hit>> = [];
    for (const x of targetExchanges(ctx.recorded(), ctx.target.url)) {
      if (!ctx.options.includeCheckTraffic && x.checkId) continue;
      const sig = debugOutput(textBody(x.response), { status: x.response.status, sent: sentText(x) });
      if (sig) sightings.push({ ...routeOf(x.request.method, x.request.url, ctx.surface), url: x.request.url, hit: { x, sig } });
    }
    // Debug output left on is one root cause of the whole app: one finding, each page path that showed it a location,
    // anchored at the first in order (which requests crashed first, or which pages a run met, change no fingerprint).
    const group = groupSightings(sightings, (s) => `${s.method} ${pathOf(s.url)}`);
    if (!group) return { status: 'clean' };
    const list = group.list.map((s) => s.hit);
    const first = group.first.hit;
    const routes = new Set(group.list.map((s) => `${s.method} ${s.path}`)).size;
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: group.first.method, path: group.first.path },
          url: first.x.request.url,
          grouped: true,
          severity: list.some((h) => h.sig.severity === 'medium') ? 'medium' : 'low',
          vulnClass: 'verbose-error',
          confidence: 'confirmed',
          proof: {
            summary: `${first.x.request.method} ${pathOf(first.x.request.url)} → ${first.x.response.status} shows a ${first.sig.name}: "${first.sig.line.slice(0, 120)}"${routes > 1 ? `; ${routes - 1} more operation(s) alike` : ''}`,
            exchangeIds: list.slice(0, 3).map((h) => h.x.id),
            evidence: first.sig.line,
          },
          locations: group.locations,
        },
      ],
    };
  },
  example: { url: 'http://127.0.0.1:8080/api/orders/abc', summary: 'GET /api/orders/abc → 500 shows a Node.js stack trace: "at getOrder (/app/src/orders.js:42:11)"' },
});
