// src/checks/kit/capability.ts — what a credential can actually do on one operation: reads by a real request, writes
// by a probe that validation rejects (no side effect), each against an anonymous control; plus intended-scope globs.
import type { Capability, Exchange, Identity, Operation, SendRequest } from '../../core/index.js';
import { buildRequest, injectionPoints } from '../../inject/index.js';
import type { CheckContext } from './define.js';
import { harvestIds, isSuccess } from './compare.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isRead = (method: string): boolean => READ_METHODS.has(method.toUpperCase());
export const isAuthDenied = (status: number | undefined): boolean => status === 401 || status === 403;
export const isValidationRejected = (status: number | undefined): boolean => status === 400 || status === 422;

/** The value a write probe puts in an integer path parameter: invalid by type, so no object is ever touched. */
export const INVALID_ID = 'vouch-invalid';

/**
 * Whether an intended-scope pattern covers an operation. Patterns are `METHOD /path` globs: `*` or `{name}` matches
 * one path segment, `**` any rest, method `*` any method (`GET /api/orders/*`, `* /api/reports/**`).
 */
export function scopeCovers(pattern: string, method: string, path: string): boolean {
  const c = compiled(pattern);
  if (!c) return false;
  if (c.method !== '*' && c.method !== method.toUpperCase()) return false;
  return c.rx.test(path);
}

/** Patterns compiled once (the guard matches every request against them); at most 10,000 kept. */
const COMPILED = new Map<string, { method: string; rx: RegExp } | null>();

function compiled(pattern: string): { method: string; rx: RegExp } | null {
  const hit = COMPILED.get(pattern);
  if (hit !== undefined) return hit;
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(pattern);
  let out: { method: string; rx: RegExp } | null = null;
  if (m) {
    const [, pm, pp] = m as unknown as [string, string, string];
    const segment = '[^/]+';
    const rx = pp
      .split(/(\*\*|\*|\{[^}]+\})/)
      .map((part) => (part === '**' ? '.*' : part === '*' || /^\{[^}]+\}$/.test(part) ? segment : part.replace(/[.+?^$()[\]\\|]/g, '\\$&')))
      .join('');
    out = { method: pm === '*' ? '*' : pm.toUpperCase(), rx: new RegExp(`^${rx}/?$`) };
  }
  if (COMPILED.size < 10_000) COMPILED.set(pattern, out);
  return out;
}

export const inScope = (intended: readonly string[], op: { method: string; path: string }): boolean => intended.some((p) => scopeCovers(p, op.method, op.path));

/** A pattern that is not `METHOD /path` (it could never match): the reason, for a clear configuration error. */
export function badPattern(pattern: string): string | undefined {
  return /^\s*(\*|[A-Za-z]+)\s+\/\S*\s*$/.test(pattern) ? undefined : `"${pattern}" is not "METHOD /path" (e.g. "GET /api/orders/*")`;
}

export interface Probe {
  /** allowed: the credential can do it; denied: 401/403; public: anonymous can too; unknown: nothing tells. */
  outcome: 'allowed' | 'denied' | 'public' | 'unknown';
  established?: 'executed' | 'read' | 'validation-rejected';
  whose: Capability['whose'];
  request: SendRequest;
  /** The credential's exchange, then the anonymous control when one was sent. */
  exchange: Exchange;
  control?: Exchange;
  /** Whether the request is a probe built to be rejected (invalid body or id). */
  probe: boolean;
  why: string;
}

const statusOf = (x: Exchange): string => (x.response ? String(x.response.status) : (x.error?.code ?? 'no response'));

/** The request that asks for a write without performing it: an invalid id in the path, else a body missing its required fields. */
export function writeProbe(op: Operation): SendRequest | undefined {
  const idParam = op.params.find((p) => p.in === 'path' && ['integer', 'number'].includes(String(p.schema?.type)));
  const base = buildRequest(op);
  if (idParam) {
    const point = injectionPoints(op).find((p) => p.location === 'path' && p.name === idParam.name);
    const req = buildRequest(op, point, INVALID_ID);
    return op.requestBody?.contentType.includes('json') ? { ...req, body: '{}' } : req;
  }
  if (op.requestBody?.contentType.includes('json')) {
    const required = op.requestBody.schema?.required;
    // `{}` misses the required fields; without any, a body of the wrong type (a string, not an object).
    return { ...base, body: Array.isArray(required) && required.length > 0 ? '{}' : JSON.stringify(INVALID_ID) };
  }
  if (op.requestBody?.contentType.includes('form') || op.params.some((p) => p.in === 'form')) return { ...base, body: '' };
  return undefined;
}

/** An item route's request for a given id (the single trailing path parameter). */
export function itemRequest(op: Operation, id: string): SendRequest {
  const name = op.path.match(/\{([^}]+)\}$/)?.[1];
  const point = injectionPoints(op).find((p) => p.location === 'path' && p.name === name);
  return buildRequest(op, point, id);
}

export interface ProbeInput {
  op: Operation;
  subject: Identity;
  /** The identity sent as the control (no credentials). */
  anonymous: Identity;
  /** Ids known to be the subject's own, and ids of other identities' objects (item reads only). */
  ids?: { own?: string; others?: string };
}

async function judgeRead(ctx: CheckContext<unknown>, input: ProbeInput, request: SendRequest, whose: Capability['whose']): Promise<Probe> {
  const x = await ctx.send({ ...request, identity: input.subject.name });
  const base = { whose, request, exchange: x, probe: false };
  if (isAuthDenied(x.response?.status)) return { ...base, outcome: 'denied', why: `${input.subject.name} → ${statusOf(x)}` };
  if (!isSuccess(x.response?.status)) return { ...base, outcome: 'unknown', why: `${input.subject.name} → ${statusOf(x)}` };
  const control = await ctx.send({ ...request, identity: input.anonymous.name });
  if (isSuccess(control.response?.status)) return { ...base, control, outcome: 'public', why: `without credentials → ${statusOf(control)} too` };
  return { ...base, control, outcome: 'allowed', established: 'read', why: `${input.subject.name} → ${statusOf(x)}, without credentials → ${statusOf(control)}` };
}

/**
 * What the subject can do on one operation. Reads: the real request (own and others' objects when ids are known).
 * Writes: a probe that validation must reject; a 400/422 where the anonymous control gets 401/403 shows that
 * authorization let it through. Safe mode lets probes through (`probe: true`); they change nothing.
 */
export async function establish(ctx: CheckContext<unknown>, input: ProbeInput): Promise<Probe[]> {
  const { op, subject } = input;
  if (isRead(op.method)) {
    const out: Probe[] = [];
    if (input.ids?.others !== undefined) out.push(await judgeRead(ctx, input, itemRequest(op, input.ids.others), 'others'));
    if (input.ids?.own !== undefined) out.push(await judgeRead(ctx, input, itemRequest(op, input.ids.own), 'own'));
    if (!out.length) out.push(await judgeRead(ctx, input, buildRequest(op), 'any'));
    return out;
  }
  const request = writeProbe(op);
  // No id or body to make invalid: nothing can be sent without effect, so nothing is established.
  if (!request) return [];
  const x = await ctx.send({ ...request, identity: subject.name, probe: true });
  const base = { whose: 'any' as const, request, exchange: x, probe: true };
  const s = x.response?.status;
  if (isAuthDenied(s)) return [{ ...base, outcome: 'denied', why: `${subject.name} → ${statusOf(x)}` }];
  if (!isValidationRejected(s) && !isSuccess(s)) return [{ ...base, outcome: 'unknown', why: `the invalid request as ${subject.name} → ${statusOf(x)}: neither refused for authorization nor for validation` }];
  const control = await ctx.send({ ...request, identity: input.anonymous.name, probe: true });
  if (!isAuthDenied(control.response?.status)) {
    return [{ ...base, control, outcome: isSuccess(control.response?.status) || s === control.response?.status ? 'public' : 'unknown', why: `without credentials the same request → ${statusOf(control)}: validation is not behind authorization here` }];
  }
  const established = isSuccess(s) ? 'executed' : 'validation-rejected';
  return [{ ...base, control, outcome: 'allowed', established, why: `the invalid request as ${subject.name} → ${statusOf(x)} (${established === 'executed' ? 'accepted' : 'refused for validation, past authorization'}), without credentials → ${statusOf(control)}` }];
}

/** The GET collection of an item route (`GET /orders` for `/orders/{id}`). */
export function collectionOf(op: Operation, ops: readonly Operation[]): Operation | undefined {
  if (!/^[^{}]*\/\{[^}/]+\}$/.test(op.path)) return undefined;
  const path = op.path.replace(/\/\{[^}]+\}$/, '');
  return ops.find((o) => o.method === 'GET' && (o.path === path || o.path === `${path}/`));
}

/** The ids an identity's GET of a collection lists; empty when it is refused or not a list of objects with ids. */
export async function listedIds(ctx: CheckContext<unknown>, collection: Operation, identity: string): Promise<string[]> {
  const x = await ctx.send({ ...buildRequest(collection), identity });
  return isSuccess(x.response?.status) ? (harvestIds(x) ?? []) : [];
}
