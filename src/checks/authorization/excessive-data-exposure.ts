// src/checks/authorization/excessive-data-exposure.ts — responses that carry password hashes, tokens, secrets or
// card numbers; proof is the response (value redacted in the evidence) and a replay that still carries it.
import { z } from 'zod';
import type { Exchange, Identity, JsonSchema, Operation } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { flatten, isSuccess, jsonBody } from '../kit/compare.js';
import { all, methodIn } from '../kit/guards.js';
import { objectOf, selfRead } from './support/accounts.js';
import { ownPersonalRecord, personalRecord, personalValues, type OwnValues } from './support/owned.js';

/** Field names that must never leave the server, by what they are. */
const SENSITIVE: ReadonlyArray<{ kind: string; name: RegExp }> = [
  { kind: 'password hash', name: /^(password|passwd|pwd)(_?hash(ed)?|_?digest)?$|^(hashed_?password|password_?salt|salt)$/i },
  { kind: 'secret', name: /^(secret|client_?secret|api_?secret|(private|secret|signing)_?key|mfa_?secret|otp_?secret|totp_?secret)$/i },
  { kind: 'token', name: /^(api_?key|access_?token|refresh_?token|reset_?token|session_?(id|token)|auth_?token|password_?reset_?token)$/i },
  { kind: 'payment card', name: /^(card_?number|credit_?card(_?number)?|pan|cvv|cvc|card_?cvv)$/i },
  { kind: 'national id', name: /^(ssn|social_?security_?number|national_?id)$/i },
];

/** Values that are secrets whatever their field is called. */
const SECRET_VALUES: ReadonlyArray<{ kind: string; value: RegExp }> = [
  { kind: 'password hash', value: /^(\$2[aby]?\$\d\d\$[./A-Za-z0-9]{53}|\$argon2(id|i|d)\$\S+|scrypt\$\S+|pbkdf2[_$:]\S+|\$6\$\S+)$/ },
  { kind: 'private key', value: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

export interface Exposed {
  path: string;
  kind: string;
  value: string;
  /** Whether the spec's response schema documents the field. */
  documented: boolean;
}

/** `scry…[redacted, 98 chars]`: enough to recognise, never the secret. */
export const redacted = (v: string): string => `${v.slice(0, 4)}…[redacted, ${v.length} chars]`;

function documentedAt(schema: JsonSchema | undefined, path: string[]): boolean {
  let cur = schema;
  for (const key of path) {
    if (!cur) return false;
    const s = flatten(cur);
    if (/^\d+$/.test(key)) cur = s.items as JsonSchema | undefined;
    else cur = (s.properties as Record<string, JsonSchema> | undefined)?.[key];
  }
  return cur !== undefined;
}

/** Sensitive fields of a JSON value (depth ≤ 6, the first 50 array items), with whether the schema documents them. */
export function findExposed(value: unknown, schema?: JsonSchema): Exposed[] {
  const out: Exposed[] = [];
  const walk = (v: unknown, path: string[], depth: number): void => {
    if (depth > 6 || out.length >= 20) return;
    if (Array.isArray(v)) return v.slice(0, 50).forEach((x, i) => walk(x, [...path, String(i)], depth + 1));
    if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const p = [...path, k];
        const byName = typeof x === 'string' && x.length >= 4 ? SENSITIVE.find((s) => s.name.test(k)) : undefined;
        const byValue = typeof x === 'string' ? SECRET_VALUES.find((s) => s.value.test(x)) : undefined;
        const hit = byName ?? byValue;
        // A `password` field whose value is no hash is the password itself.
        const kind = hit && hit === byName && hit.kind === 'password hash' && !byValue && !/hash|digest|salt/i.test(k) ? 'password' : hit?.kind;
        if (hit && kind) out.push({ path: p.join('.'), kind, value: x as string, documented: documentedAt(schema, p) });
        else walk(x, p, depth + 1);
      }
    }
  };
  walk(value, [], 0);
  return out;
}

const responseSchema = (op: Operation, status: number): JsonSchema | undefined => (op.responses?.[String(status)] ?? op.responses?.['2XX'] ?? op.responses?.default)?.schema;

/**
 * What an answer exposes: secrets to anyone; to an anonymous caller also a personal record (a phone number, an
 * address) of an account a configured identity signs in with — named in the record, or holding a personal value
 * that identity's own account read shows it (`own`) — a stranger reading a known user's personal data.
 */
const exposedIn = (op: Operation, x: Exchange, caller: Identity, identities: readonly Identity[], own: OwnValues = []): Exposed[] => {
  const body = isSuccess(x.response?.status) ? jsonBody(x) : undefined;
  if (!body) return [];
  const found = findExposed(body.value, responseSchema(op, x.response!.status));
  if (found.length || caller.role !== 'anonymous') return found;
  const record = personalRecord(body.value, identities) ?? ownPersonalRecord(body.value, own);
  return record ? [{ path: record.path, kind: `record of ${record.owner}'s account holding personal data (${record.field})`, value: record.value, documented: true }] : [];
};

/** Personal values (phone, address…) the signed-in identities' own account reads show them (≤ 3 identities). */
async function ownValues(ctx: CheckContext<unknown>): Promise<OwnValues> {
  const self = selfRead(ctx.surface.operations);
  if (!self) return [];
  const out: Array<{ owner: string; values: string[] }> = [];
  for (const who of ctx.identities.filter((i) => i.role !== 'anonymous' && !ctx.unavailable.has(i.name)).slice(0, 3)) {
    const x = await ctx.send({ ...buildRequest(self), identity: who.name });
    const values = isSuccess(x.response?.status) ? personalValues(objectOf(x)) : [];
    if (values.length) out.push({ owner: who.name, values });
  }
  return out;
}

/** A spec, HAR, Postman or GraphQL operation, or an API call a page made, a script names or a probe found. */
const API_SOURCES = new Set(['spec', 'graphql', 'postman', 'har', 'spa', 'script', 'shadow']);
/** The vulnClass of an exposure: `exposure:password-hash`, `exposure:personal-data`. */
const classOf = (kind: string): string => `exposure:${kind.includes('personal data') ? 'personal-data' : kind.replace(/ /g, '-')}`;

export default defineCheck({
  id: 'excessive-data-exposure',
  family: 'authorization',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Excessive data exposure',
    description: 'A response carries data the client must never get — password hashes, secrets, tokens, card numbers — usually because the server serialises whole records instead of the fields the client needs.',
    severity: 'high',
    cwe: 'CWE-213',
    owasp: 'API3:2023 Broken Object Property Level Authorization',
    remediation: 'Serialise responses from an explicit allow-list of fields (a response DTO or schema), never whole database rows; keep hashes, secrets and tokens out of every read model.',
    proves: "A 2xx JSON response has a field named like a password hash, secret, token or card number (or a value shaped like a password hash or private key), or, without credentials, a record naming the account a configured identity signs in with — or holding a personal value that identity's own account read (/me, /profile) shows it — and carrying its phone number, address or birth date; a replay carries it again. The value is redacted in the evidence.",
  },
  options: z.strictObject({}),
  // API reads, documented or not (a page's own calls, a script's literals, a shadow route); pages are sensitive-files'.
  appliesTo: all(methodIn('GET'), (op) => (op.sources.some((s) => API_SOURCES.has(s)) ? undefined : 'a page, not an API operation (found by no spec, HAR, Postman, page call, script or probe)')),
  async run(ctx) {
    const op = ctx.operation!;
    const x = await ctx.send(buildRequest(op));
    if (!x.response) return { status: 'inconclusive', reason: `no response: ${x.error?.message ?? 'nothing'}` };
    if (!isSuccess(x.response.status)) return { status: 'inconclusive', reason: `${op.method} ${op.path} as ${ctx.identity.name} answered ${x.response.status}` };
    let exposed = exposedIn(op, x, ctx.identity, ctx.identities);
    // A stranger's answer holding personal fields: whose are they? The signed-in identities' own reads say.
    const personal = ctx.identity.role === 'anonymous' && !exposed.length && personalValues(jsonBody(x)?.value, 4).length > 0;
    if (personal) exposed = exposedIn(op, x, ctx.identity, ctx.identities, await ownValues(ctx));
    if (!exposed.length) return { status: 'clean' };
    const candidates: CandidateInput[] = exposed.slice(0, 5).map((e) => ({
      operation: { method: op.method, path: op.path },
      url: x.request.url,
      parameter: `response:${e.path.replace(/^\d+(?=\.|$)/, '[]').replace(/\.\d+(?=\.|$)/g, '[]')}`,
      vulnClass: classOf(e.kind),
      confidence: 'tentative',
      proof: {
        summary: `${op.method} ${op.path} as ${ctx.identity.name} → ${x.response!.status} with a ${e.kind} in ${e.path} (${redacted(e.value)})${e.documented ? '' : ', a field the spec does not document'}`,
        exchangeIds: [x.id],
        evidence: `"${e.path}": "${redacted(e.value)}"`,
      },
      // The personal value matched (kept for the replay to match, redacted in the report like the rest).
      data: { path: e.path, ...(personal ? { value: e.value } : {}) },
      // The report masks the value in the proof's bodies too: it must not spread further than it already has.
      redact: [e.value],
    }));
    return { status: 'found', candidates };
  },
  async confirm(candidate, ctx) {
    const op = ctx.operation;
    const data = candidate.data as { path?: string; value?: string } | undefined;
    const path = data?.path;
    if (!op || !path) return { confirmed: false, exchangeIds: [], reason: 'the operation is gone' };
    const replay = await ctx.send(buildRequest(op));
    // A personal value matched against an identity's own read: the replay must hold that same value at that path.
    const own: OwnValues = data?.value !== undefined ? [{ owner: 'the same account', values: [data.value] }] : [];
    const again = exposedIn(op, replay, ctx.identity, ctx.identities, own);
    if (again.some((e) => e.path === path && (data?.value === undefined || e.value === data.value))) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; a replay → ${replay.response!.status} carries it again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: `the replay answered ${replay.response?.status ?? replay.error?.code ?? 'nothing'} without ${path}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/users/me', summary: 'GET /api/users/me as alice → 200 with a password hash in passwordHash (scry…[redacted, 125 chars]), a field the spec does not document' },
});
