// src/checks/security/file-upload.ts — upload operations that store a file vouch sends (an HTML page, a PHP script)
// and serve it back from the target's origin as active content: HTML as text/html, PHP evaluated.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, JsonSchema, Operation } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { escapeRegExp, flatten } from '../kit/compare.js';
import { defineCheck, type CheckContext, type CheckResult, type Confirmation } from '../kit/define.js';
import { all, methodIn, type Guard } from '../kit/guards.js';

/** Names of form fields that take a file, for crawled forms whose `type=file` is not kept. */
const FILE_NAME = /^(file|files|upload|uploaded|uploadedfile|image|img|photo|picture|avatar|attachment|document|doc|media)$/i;

interface FileField {
  name: string;
  /** Other fields sent beside the file with their example values (a submit button, MAX_FILE_SIZE). */
  others: Array<[string, string]>;
}

/** The file field of a multipart upload: a spec property of `format: binary`, or a form field named like one. */
export function fileField(op: Operation): FileField | undefined {
  const body = op.requestBody;
  if (body?.schema && /multipart\/form-data/i.test(body.contentType)) {
    const props = (flatten(body.schema).properties ?? {}) as Record<string, JsonSchema>;
    const file = Object.entries(props).find(([, s]) => s.format === 'binary' || s.format === 'base64' || (s.type === 'array' && (s.items as JsonSchema | undefined)?.format === 'binary'));
    if (!file) return undefined;
    const required = new Set(Array.isArray(flatten(body.schema).required) ? (flatten(body.schema).required as string[]) : []);
    const others = Object.entries(props).filter(([n, s]) => n !== file[0] && required.has(n) && s.example !== undefined).map(([n, s]) => [n, String(s.example)] as [string, string]);
    return { name: file[0], others };
  }
  const form = op.params.filter((p) => p.in === 'form');
  const file = form.find((p) => FILE_NAME.test(p.name));
  if (!file) return undefined;
  const others = form.filter((p) => p !== file && p.examples?.length).map((p) => [p.name, String(p.examples![0])] as [string, string]);
  return { name: file.name, others };
}

const hasFileField: Guard = (op) => (fileField(op) ? undefined : 'no file field (multipart `format: binary`, or a form field named file, upload, image, photo…)');
const noPathParams: Guard = (op) => (/\{[^}]+\}/.test(op.path) ? 'its path takes parameters (an object vouch did not create): not uploaded to' : undefined);
const notInSafeMode: Guard = (_op, env) => (env.safeMode ? 'safe mode: no file is uploaded' : undefined);

type Ext = 'html' | 'php';

/** The file for one extension, its marker, and how its served form proves it ran or renders. */
function fileFor(ext: Ext, marker: string): { type: string; content: string } {
  if (ext === 'php') return { type: 'application/x-php', content: `<?php echo "${marker}-" . (7*6); ?>\n` };
  return { type: 'text/html', content: `<!doctype html><html><body><p id="${marker}">${marker}</p></body></html>\n` };
}

function multipart(f: FileField, filename: string, file: { type: string; content: string }): { boundary: string; body: string } {
  const boundary = `----vouch${randomBytes(8).toString('hex')}`;
  const parts = f.others.map(([n, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`);
  parts.push(`--${boundary}\r\nContent-Disposition: form-data; name="${f.name}"; filename="${filename}"\r\nContent-Type: ${file.type}\r\n\r\n${file.content}\r\n`);
  return { boundary, body: `${parts.join('')}--${boundary}--\r\n` };
}

type Ctx = CheckContext<Options>;
interface Options {
  /** Extensions tried, in order (default php, then html). */
  extensions: Ext[];
}

const header = (x: Exchange, name: string): string => x.response?.headers.find(([k]) => k.toLowerCase() === name)?.[1] ?? '';
/** URLs where the upload answer says the file is: a path or URL ending in its name, resolved against the request. */
function revealed(x: Exchange, filename: string): string[] {
  const body = x.response?.body ?? '';
  const found = new Set<string>();
  for (const m of body.matchAll(new RegExp(`[\\w./:%~-]*${escapeRegExp(filename)}`, 'g'))) {
    try {
      found.add(new URL(m[0], x.request.url).href);
    } catch {
      continue; // not a URL after all
    }
  }
  const location = header(x, 'location');
  if (location.includes(filename)) found.add(new URL(location, x.request.url).href);
  return [...found].slice(0, 3);
}

/** Whether the served file is active: the HTML page as text/html, or the PHP script evaluated (42, no source). */
function active(ext: Ext, x: Exchange, marker: string): string | undefined {
  const r = x.response;
  if (!r || r.status !== 200) return undefined;
  const type = header(x, 'content-type').toLowerCase();
  if (ext === 'php') return r.body.includes(`${marker}-42`) && !r.body.includes('<?php') ? `the PHP script ran: the page says "${marker}-42", not its source` : undefined;
  return type.startsWith('text/html') && r.body.includes(`id="${marker}"`) ? `served as ${type.split(';')[0]} with the uploaded markup` : undefined;
}

interface Data {
  ext: Ext;
  url: string;
  marker: string;
}

async function probe(ctx: Ctx): Promise<CheckResult> {
  const op = ctx.operation!;
  const f = fileField(op)!;
  const notes: string[] = [];
  /** What a safe upload did: refused the file, or kept it inert. */
  const safe: string[] = [];
  for (const ext of ctx.options.extensions) {
    const marker = `vouch-${randomBytes(6).toString('hex')}`;
    const filename = `${marker}.${ext}`;
    const file = fileFor(ext, marker);
    const { boundary, body } = multipart(f, filename, file);
    const base = buildRequest({ ...op, params: op.params.filter((p) => p.in !== 'form') });
    const headers = (base.headers ?? []).filter(([k]) => k.toLowerCase() !== 'content-type');
    const up = await ctx.send({ method: op.method, url: base.url, headers: [...headers, ['content-type', `multipart/form-data; boundary=${boundary}`]], body });
    const status = up.response?.status;
    if (status === undefined || status >= 500 || [401, 403, 429].includes(status)) {
      notes.push(`${filename}: no answer to judge by (${status ?? up.error?.code ?? 'no answer'})`);
      continue;
    }
    if (status >= 400) {
      safe.push(`${filename} refused (${status})`);
      continue;
    }
    const urls = revealed(up, filename);
    if (!urls.length) {
      notes.push(`${filename}: accepted (${status}), but the answer names no URL for it`);
      continue;
    }
    for (const url of urls) {
      const got = await ctx.send({ method: 'GET', url });
      const why = active(ext, got, marker);
      if (!why) continue;
      return {
        status: 'found',
        candidates: [
          {
            operation: { method: op.method, path: op.path },
            url: up.request.url,
            parameter: `multipart:${f.name}`,
            title: ext === 'php' ? 'Uploaded script runs on the server' : 'Uploaded HTML served from the origin',
            ...(ext === 'php' ? { severity: 'critical' as const } : {}),
            vulnClass: `file-upload:${ext}`,
            confidence: 'tentative',
            proof: {
              summary: `${op.method} ${op.path} took ${filename} (${file.type}); GET ${new URL(url).pathname}: ${why}`,
              exchangeIds: [up.id, got.id],
              evidence: (got.response?.body ?? '').slice(0, 120),
              payload: file.content.trim(),
            },
            data: { ext, url, marker } satisfies Data,
          },
        ],
      };
    }
    safe.push(`${filename} not served as active content at ${urls.join(', ')}`);
  }
  return notes.length ? { status: 'inconclusive', reason: notes.join('; ') } : { status: 'clean' };
}

async function replay(ctx: Ctx, data: Data, summary: string): Promise<Confirmation> {
  const got = await ctx.send({ method: 'GET', url: data.url });
  const control = await ctx.send({ method: 'GET', url: data.url.replace(data.marker, `vouch-${randomBytes(6).toString('hex')}`) });
  const ids = [got.id, control.id];
  const why = active(data.ext, got, data.marker);
  if (!why) return { confirmed: false, exchangeIds: ids, reason: `the file is no longer served as active content (${got.response?.status ?? 'no answer'})` };
  if ((control.response?.body ?? '').includes(data.marker)) return { confirmed: false, exchangeIds: ids, reason: 'a name vouch never uploaded gets the same page: the marker is echoed, not stored' };
  return { confirmed: true, exchangeIds: ids, summary: `${summary}; fetched again: the same, while a name vouch never uploaded gets ${control.response?.status ?? 'no answer'}` };
}

export default defineCheck({
  id: 'file-upload',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Unrestricted file upload',
    description: 'An upload stores any file it is given and serves it back from the target\'s own origin as active content: an HTML page as text/html (script runs with the site\'s cookies) or a PHP script that the server executes.',
    severity: 'high',
    cwe: 'CWE-434',
    owasp: 'A04:2021 Insecure Design',
    remediation: 'Accept only the types the feature needs (check the content, not the name or the declared type), store uploads outside the web root or on another origin, give them random names, and serve them with `Content-Disposition: attachment` and a fixed safe content type.',
    proves: 'A file vouch created (vouch-<random>.html, .php) is served, at the URL the upload answer names, as text/html with its marker, or as the PHP script\'s evaluated output (7*6 printed as 42, no source); fetched again, while a name vouch never uploaded does not show the marker.',
  },
  options: z.strictObject({
    /** Extensions tried, in order (default php, then html). */
    extensions: z.array(z.enum(['html', 'php'])).min(1).default(['php', 'html']),
  }),
  safeModeSkips: 'no file is uploaded in safe mode',
  appliesTo: all(methodIn('POST'), hasFileField, noPathParams, notInSafeMode),
  run: probe,
  async confirm(candidate, ctx) {
    const data = candidate.data as Data | undefined;
    if (!data?.url) return { confirmed: false, exchangeIds: [], reason: 'no stored URL to fetch again' };
    return replay(ctx, data, candidate.proof.summary);
  },
  example: {
    url: 'http://127.0.0.1:4280/vulnerabilities/upload/',
    summary: 'POST /vulnerabilities/upload/ took vouch-3f2a9c1b7d4e.html (text/html); GET /hackable/uploads/vouch-3f2a9c1b7d4e.html: served as text/html with the uploaded markup',
  },
});
