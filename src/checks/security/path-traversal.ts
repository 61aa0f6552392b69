// src/checks/security/path-traversal.ts — path traversal and file inclusion: a parameter climbs out of its folder and
// the response carries a known file's content markers; proof is replay plus a control to a file that cannot exist.
import { z } from 'zod';
import type { Exchange } from '../../core/index.js';
import { buildRequest, injectionPoints, pointLabel, type InjectionPoint } from '../../inject/index.js';
import { defineCheck, type CandidateInput } from '../kit/define.js';
import { all, hasInjectionPoints, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';
import { forStrength } from '../kit/strength.js';
import { nonce, textBody } from './support/exchanges.js';
import { Tally } from './support/tally.js';

type FileKind = 'unix-passwd' | 'win-ini' | 'package-json';

/** Content markers of the files asked for: text that only that file holds. */
export const FILE_MARKERS: Record<FileKind, RegExp> = {
  'unix-passwd': /root:[x*!]?:0:0:[^\n]*/,
  'win-ini': /; for 16-bit app support|\[mci extensions\]/i,
  'package-json': /"(?:dependencies|devDependencies|scripts)"\s*:\s*\{/,
};

const up = (n: number, sep = '/'): string => `..${sep}`.repeat(n);

/** Traversal payloads, most useful first; `file` names the file so a control can ask for one that does not exist. */
export const PAYLOADS: ReadonlyArray<{ value: (file?: string) => string; kind: FileKind; how: string }> = [
  { value: (f = 'passwd') => `${up(8)}etc/${f}`, kind: 'unix-passwd', how: 'relative climb' },
  { value: (f = 'win.ini') => `${up(8, '\\')}windows\\${f}`, kind: 'win-ini', how: 'relative climb with backslashes' },
  { value: (f = 'passwd') => `/etc/${f}`, kind: 'unix-passwd', how: 'absolute path' },
  { value: (f = 'passwd') => `${'....//'.repeat(8)}etc/${f}`, kind: 'unix-passwd', how: 'climb that survives one removal of ../' },
  { value: (f = 'package.json') => `../${f}`, kind: 'package-json', how: 'app-relative climb' },
  { value: (f = 'package.json') => `../../${f}`, kind: 'package-json', how: 'app-relative climb' },
  { value: (f = 'passwd') => `${'%2e%2e%2f'.repeat(8)}etc%2f${f}`, kind: 'unix-passwd', how: 'climb encoded twice' },
  { value: (f = 'passwd') => `file:///etc/${f}`, kind: 'unix-passwd', how: 'file:// inclusion' },
];

const COUNTS = { low: 2, default: 5, high: 8 } as const;

/** Words of an operation about files, and of writing one (`PUT /api/file/raw?path=`, `POST /api/upload`). */
const FILE_WORDS = /(^|[^a-z])(files?|path|upload|raw|disk|documents?|attachments?|images?|photos?|avatar|blob)([^a-z]|$)/i;
const WRITE_WORDS = /(^|[^a-z])(write|upload|save|store|put|raw|overwrite|replace|append|import)([^a-z]|$)/i;

/**
 * Do no harm: in a write, a traversal path names the file the write replaces or deletes (`PUT ?path=/etc/passwd`
 * would overwrite the host's user list). PUT, PATCH and DELETE are never tried, nor a POST named like a file write;
 * reading a file through a GET (or a reading POST) proves the flaw as well. A skip of this check only, not of the
 * operation (other checks still run there).
 */
export const notAFileWrite: Guard = (op) => {
  if (['PUT', 'PATCH', 'DELETE'].includes(op.method)) return `never in a ${op.method}: a traversal path there could overwrite or delete a file of the host`;
  const words = `${op.path} ${op.summary ?? ''}`;
  if (op.method === 'POST' && FILE_WORDS.test(words) && WRITE_WORDS.test(words)) return 'never in a POST named like a file write: a traversal path there could overwrite a file of the host';
  return undefined;
};

export default defineCheck({
  id: 'path-traversal',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Path traversal / file inclusion',
    description: 'A parameter names a file and the server opens it without confining it to its folder: ../ (or an absolute path) reads any file the process can.',
    severity: 'high',
    cwe: 'CWE-22',
    owasp: 'A01:2021 Broken Access Control',
    remediation: 'Never build a file path from input: map the input to a fixed list of files (an id → path table), or resolve the path and refuse it unless it stays inside the intended folder.',
    proves: 'The response carries content markers of a known file (/etc/passwd root:x:0:0, win.ini, package.json) absent from the original response; the replay carries them again while the same climb to a file that cannot exist does not.',
  },
  options: z.strictObject({}),
  requestsPerPoint: COUNTS,
  appliesTo: all(hasInjectionPoints, safeMethodOrNotSafeMode, notAFileWrite),
  async run(ctx) {
    const op = ctx.operation!;
    const baseline = await ctx.send(buildRequest(op));
    if (!baseline.response) return { status: 'inconclusive', reason: `the unmodified request failed: ${baseline.error?.message ?? 'no response'}` };
    const already = new Set((Object.keys(FILE_MARKERS) as FileKind[]).filter((k) => FILE_MARKERS[k].test(textBody(baseline.response))));
    const payloads = forStrength(PAYLOADS, COUNTS, ctx.strength).filter((p) => !already.has(p.kind));
    const candidates: CandidateInput[] = [];
    const tally = new Tally();
    for (const point of injectionPoints(op, { inline: true })) {
      for (const p of payloads) {
        const value = p.value();
        const x = tally.note(await ctx.send(buildRequest(op, point, value)));
        const m = FILE_MARKERS[p.kind].exec(textBody(x.response));
        if (!m) continue;
        candidates.push({
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          parameter: pointLabel(point),
          vulnClass: 'path-traversal',
          confidence: 'tentative',
          proof: {
            summary: `${point.location} ${point.name}=${JSON.stringify(value)} (${p.how}) → ${x.response?.status ?? '-'} with ${p.kind} content "${m[0].slice(0, 60)}"; the original value showed none`,
            exchangeIds: [x.id, baseline.id],
            evidence: m[0].slice(0, 200),
            payload: value,
          },
          data: { point, index: PAYLOADS.indexOf(p) },
        });
        break;
      }
    }
    if (candidates.length) return { status: 'found', candidates };
    return tally.result();
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { point: InjectionPoint; index: number } | undefined;
    const p = data ? PAYLOADS[data.index] : undefined;
    if (!ctx.operation || !data || !p) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const replay: Exchange = await ctx.send(buildRequest(ctx.operation, data.point, p.value()));
    const missing = `vouch-${nonce()}`;
    const control: Exchange = await ctx.send(buildRequest(ctx.operation, data.point, p.value(missing)));
    const again = FILE_MARKERS[p.kind].test(textBody(replay.response));
    const inControl = FILE_MARKERS[p.kind].test(textBody(control.response));
    if (again && !inControl) {
      return {
        confirmed: true,
        exchangeIds: [replay.id, control.id],
        summary: `${candidate.proof.summary}; the replay shows it again, the same climb to the missing file ${missing} does not`,
      };
    }
    return { confirmed: false, exchangeIds: [replay.id, control.id], reason: again ? 'the control for a missing file shows the same content (the page always carries it)' : 'the replay did not show the file content' };
  },
  example: { url: 'http://127.0.0.1:8080/api/files?name=..%2F..%2F..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd', summary: 'query name="../../../../../../../../etc/passwd" (relative climb) → 200 with unix-passwd content "root:x:0:0:root:/root:/bin/bash"' },
});
