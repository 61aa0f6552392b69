// src/checks/authorization/mass-assignment.ts — privileged fields the request schema does not offer (`role`, `isAdmin`,
// `price`, ...) accepted on create or update; proof is the field taking effect next to a control request without it.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Exchange, JsonSchema, SendRequest } from '../../core/index.js';
import { buildRequest } from '../../inject/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { excerpt, flatten, isSuccess, jsonBody, parseJson } from '../kit/compare.js';
import { all, methodIn, notSafeMode } from '../kit/guards.js';

/** Fields that grant privilege or set what only the server should, with the value that would show it took effect. */
export const PRIVILEGED: ReadonlyArray<readonly [string, unknown]> = [
  ['role', 'admin'],
  ['isAdmin', true],
  ['is_admin', true],
  ['admin', true],
  ['isSuperuser', true],
  ['verified', true],
  ['emailVerified', true],
  ['owner', 1],
  ['ownerId', 1],
  ['userId', 1],
  ['price', 0.01],
  ['balance', 1_000_000],
  ['credits', 1_000_000],
  ['discount', 100],
];

/** Names of fields whose value must be unique (a second sign-up with the same username is refused). */
const UNIQUE = /^(user(name)?|login|email|handle|slug|nick(name)?|account)$/i;

/** The body with unique-looking fields made unique, so the control and the attack both create something. */
export function uniquified(body: Record<string, unknown>, schema: JsonSchema | undefined): Record<string, unknown> {
  const props = (schema ? (flatten(schema).properties as Record<string, JsonSchema> | undefined) : undefined) ?? {};
  const out = { ...body };
  for (const [k, v] of Object.entries(body)) {
    if (typeof v !== 'string' || !UNIQUE.test(k)) continue;
    const tag = `v${randomBytes(3).toString('hex')}`;
    if (v.includes('@')) {
      const [local, domain] = v.split('@') as [string, string];
      out[k] = `${local}+${tag}@${domain}`;
      continue;
    }
    const max = typeof props[k]?.maxLength === 'number' ? (props[k].maxLength as number) : 64;
    out[k] = `${v.slice(0, Math.max(1, max - tag.length - 1))}_${tag}`;
  }
  return out;
}

/** A top-level field of a JSON object body (or of its `data` / `user` wrapper). */
function fieldOf(x: Exchange | undefined, field: string): unknown {
  const v = x ? jsonBody(x)?.value : undefined;
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (field in o) return o[field];
  for (const wrap of ['data', 'user', 'item', 'result']) {
    const w = o[wrap];
    if (w && typeof w === 'object' && field in (w as object)) return (w as Record<string, unknown>)[field];
  }
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

interface Sent {
  write: Exchange;
  readBack?: Exchange;
}

export default defineCheck({
  id: 'mass-assignment',
  family: 'authorization',
  kind: 'active',
  scope: 'operation',
  meta: {
    title: 'Mass assignment of a privileged field',
    description: 'A create or update operation binds fields the client should not set (a role, an admin flag, an owner, a price) because the server copies the request body into the object.',
    severity: 'high',
    cwe: 'CWE-915',
    owasp: 'API3:2023 Broken Object Property Level Authorization',
    remediation: 'Bind only an allow-list of fields per operation (a strict input schema or DTO); set roles, owners and prices on the server from the caller and the catalogue, never from the body.',
    proves: 'The same request with the privileged field added (a field the request schema does not offer) creates or updates an object whose response or read-back carries the sent value, while the control request without it shows a different server-set value.',
  },
  options: z.strictObject({
    /** Privileged fields to try, replacing the defaults: `{ "tier": "gold" }`. */
    fields: z.record(z.string(), z.unknown()).optional(),
  }),
  appliesTo: all(methodIn('POST', 'PUT', 'PATCH'), (op) => (op.requestBody?.contentType.includes('json') ? undefined : 'no JSON request body'), notSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const base = buildRequest(op);
    const body = parseJson(typeof base.body === 'string' ? base.body : undefined)?.value;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return { status: 'inconclusive', reason: 'the request body is not a JSON object' };
    const schema = op.requestBody?.schema;
    const declared = (schema ? (flatten(schema).properties as Record<string, JsonSchema> | undefined) : undefined) ?? {};
    const offered = (k: string): boolean => k in declared && !declared[k]!.readOnly;
    const fields = (ctx.options.fields ? Object.entries(ctx.options.fields) : PRIVILEGED).filter(([k]) => !offered(k) && !(k in body));
    if (!fields.length) return { status: 'inconclusive', reason: 'the request schema offers every privileged field already' };

    const send = async (extra: Record<string, unknown>): Promise<Sent> => {
      const req: SendRequest = { ...base, body: JSON.stringify({ ...uniquified(body as Record<string, unknown>, schema), ...extra }) };
      const write = await ctx.send(req);
      return { write, ...(isSuccess(write.response?.status) ? await readBack(ctx, write) : {}) };
    };
    const control = await send({});
    if (!isSuccess(control.write.response?.status)) return { status: 'inconclusive', reason: `the request without extra fields answered ${control.write.response?.status ?? control.write.error?.code ?? 'nothing'}, so there is nothing to compare with` };
    let attack = await send(Object.fromEntries(fields));
    let tried = fields;
    if (!isSuccess(attack.write.response?.status)) {
      // All at once was refused (a strict schema may refuse any unknown field): the likeliest one alone.
      tried = fields.slice(0, 1);
      attack = await send(Object.fromEntries(tried));
      if (!isSuccess(attack.write.response?.status)) return { status: 'clean' };
    }

    const candidates: CandidateInput[] = [];
    for (const [field, value] of tried) {
      const viaRead = attack.readBack && control.readBack;
      const got = fieldOf(viaRead ? attack.readBack : attack.write, field);
      const before = fieldOf(viaRead ? control.readBack : control.write, field);
      if (!same(got, value) || (before !== undefined && same(before, value))) continue;
      // The control must show a different, server-set value; a field absent from it may just be echoed back.
      const proven = before !== undefined && !same(before, value);
      const shown = viaRead ? 'the read-back' : 'the response';
      const exchanges = [attack.write, ...(attack.readBack ? [attack.readBack] : []), control.write, ...(control.readBack ? [control.readBack] : [])];
      candidates.push({
        operation: { method: op.method, path: op.path },
        url: attack.write.request.url,
        parameter: `json:${field}`,
        vulnClass: 'mass-assignment',
        confidence: proven ? 'confirmed' : 'tentative',
        proof: {
          summary: `${op.method} ${op.path} with ${JSON.stringify({ [field]: value })} added (not in the request schema) → ${attack.write.response!.status}, ${shown} says ${field} ${JSON.stringify(got)}; without it ${field} is ${before === undefined ? 'absent (the value may only be echoed)' : JSON.stringify(before)}`,
          exchangeIds: exchanges.map((x) => x.id),
          evidence: excerpt((viaRead ? attack.readBack : attack.write)?.response?.body, 200),
          payload: JSON.stringify({ [field]: value }),
        },
      });
    }
    if (op.method !== 'POST' && candidates.length) await restore(ctx, base, body as Record<string, unknown>, control, tried);
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  example: { url: 'http://127.0.0.1:8080/api/register', summary: 'POST /api/register with {"role":"admin"} added (not in the request schema) → 201, the response says role "admin"; without it role is "user"' },
});

/** The object as stored: GET of the Location header, else GET of the same path when the surface has it. */
async function readBack(ctx: CheckContext<unknown>, write: Exchange): Promise<{ readBack?: Exchange }> {
  const op = ctx.operation!;
  const location = write.response?.headers.find(([k]) => k.toLowerCase() === 'location')?.[1];
  const samePath = op.method !== 'POST' && ctx.surface.operations.some((o) => o.method === 'GET' && o.path === op.path);
  const url = location ?? (samePath ? write.request.url : undefined);
  if (!url) return {};
  const x = await ctx.send({ method: 'GET', url });
  return isSuccess(x.response?.status) ? { readBack: x } : {};
}

/** An update that took the field is sent again with the control's values, so the scan's identity is not left changed. */
async function restore(ctx: CheckContext<unknown>, base: SendRequest, body: Record<string, unknown>, control: Sent, fields: ReadonlyArray<readonly [string, unknown]>): Promise<void> {
  const original = Object.fromEntries(fields.map(([f]) => [f, fieldOf(control.readBack ?? control.write, f)]).filter(([, v]) => v !== undefined));
  if (Object.keys(original).length) await ctx.send({ ...base, body: JSON.stringify({ ...body, ...original }) });
}
