// src/checks/conformance/content-type-conformance.ts — a response's Content-Type differs from the media type the
// spec declares for that status (or is missing on a body); proof is the response and an exact replay.
import { z } from 'zod';
import type { Exchange, Operation, SendRequest } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck } from '../kit/define.js';
import { all, safeMethodOrNotSafeMode } from '../kit/guards.js';

const header = (x: Exchange, name: string): string | undefined => x.response?.headers.find(([k]) => k.toLowerCase() === name)?.[1];

/** The declared media type for a status (exact, range, default), when one is declared. */
export function declaredType(op: Operation, status: number): string | undefined {
  const r = op.responses ?? {};
  const s = String(status);
  return (r[s] ?? r[`${s[0]}XX`] ?? r[`${s[0]}xx`] ?? r.default)?.contentType;
}

/** `application/json; charset=utf-8` matches `application/json`, `application/*` and `*\/*`; `+json` suffixes match JSON. */
export function mediaMatches(actual: string, expected: string): boolean {
  const a = actual.split(';')[0]!.trim().toLowerCase();
  const e = expected.split(';')[0]!.trim().toLowerCase();
  if (e === '*/*' || a === e) return true;
  const [at, as] = a.split('/');
  const [et, es] = e.split('/');
  if (es === '*') return at === et;
  return at === et && es === 'json' && (as?.endsWith('+json') ?? false);
}

type Verdict = { kind: 'differs'; status: number; actual: string; expected: string } | { kind: 'ok' } | { kind: 'unknown'; reason: string };

function judge(op: Operation, x: Exchange): Verdict {
  if (!x.response) return { kind: 'unknown', reason: `the request failed: ${x.error?.message ?? 'no response'}` };
  const status = x.response.status;
  const expected = declaredType(op, status);
  if (!expected) return { kind: 'unknown', reason: `no media type declared for ${status}` };
  if (status === 204 || status === 304 || x.response.body === '') return { kind: 'ok' };
  const actual = header(x, 'content-type');
  if (!actual) return { kind: 'differs', status, actual: '(none)', expected };
  return mediaMatches(actual, expected) ? { kind: 'ok' } : { kind: 'differs', status, actual, expected };
}

const hasDeclaredMedia = (op: Operation): string | undefined => (Object.values(op.responses ?? {}).some((r) => r.contentType) ? undefined : 'no response media type declared');

export default defineCheck({
  id: 'content-type-conformance',
  family: 'conformance',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Response media type differs from the spec',
    description: "The response's Content-Type is not the media type the OpenAPI document declares for that status (or a body comes without one), so clients parse it wrongly.",
    severity: 'low',
    cwe: 'CWE-436',
    remediation: 'Send the declared Content-Type (e.g. application/json for JSON bodies), or declare the media type actually sent.',
    proves: 'The Content-Type header of the response differs from the declared media type, the same on an exact replay.',
  },
  options: z.strictObject({}),
  appliesTo: all(hasDeclaredMedia, safeMethodOrNotSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const req = buildRequest(op);
    const x = await ctx.send(req);
    const v = judge(op, x);
    if (v.kind === 'unknown') return { status: 'inconclusive', reason: v.reason };
    if (v.kind === 'ok') return { status: 'clean' };
    return {
      status: 'found',
      candidates: [
        {
          operation: { method: op.method, path: op.path },
          url: x.request.url,
          vulnClass: `content-type:${v.status}`,
          confidence: 'tentative',
          proof: { summary: `${op.method} ${op.path} → ${v.status} with Content-Type ${v.actual}; the spec declares ${v.expected}`, exchangeIds: [x.id], evidence: `content-type: ${v.actual}` },
          data: { request: req },
        },
      ],
    };
  },
  async confirm(candidate, ctx) {
    const req = (candidate.data as { request?: SendRequest } | undefined)?.request;
    if (!req || !ctx.operation) return { confirmed: false, exchangeIds: [], reason: 'no request to replay' };
    const replay = await ctx.send(req);
    const v = judge(ctx.operation, replay);
    if (v.kind === 'differs') return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; the exact replay sends ${v.actual} again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: v.kind === 'ok' ? 'the replay sent the declared media type' : v.reason };
  },
  example: { url: 'http://127.0.0.1:8080/api/reports/summary', summary: 'GET /api/reports/summary → 200 with Content-Type text/html; the spec declares application/json; the exact replay sends text/html again' },
});
