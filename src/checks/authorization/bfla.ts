// src/checks/authorization/bfla.ts — broken function-level authorization: a plain user performs an operation meant for
// admins (per the spec's path, tags or summary, or vouch.yaml); proof is the user's success beside that expectation,
// or, for a delete no spec marks, the user deleting an object only the privileged identity could create (support/created.ts).
import { z } from 'zod';
import type { Exchange, Identity, Operation } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { excerpt } from '../kit/compare.js';
import { establish, inScope, isAuthDenied, type Probe } from '../kit/capability.js';
import { buildRequest } from '../../inject/index.js';
import { graphqlField, operationKey, operationRef } from '../../core/operation-key.js';
import { fieldData, refusal } from './support/graphql.js';
import { acrossRoles, boundaries, confirmAcross } from './support/created.js';

const ADMIN_WORDS = /\((admins?|administrators?)( only)?\)|\b(admins?|administrators?) only\b|\bonly (for )?(admins?|administrators?)\b|\badmin[- ]only\b/i;

/** Why the spec says an operation is for admins: an `/admin` path segment, an `admin` tag, or "(admin)" in its summary. */
export function adminSignal(op: Operation): string | undefined {
  if (/(^|\/)(admin|administration|internal-admin)(\/|$)/i.test(op.path)) return `its path has an admin segment`;
  const tag = op.tags?.find((t) => /^admins?$|^administration$/i.test(t));
  if (tag) return `the spec tags it "${tag}"`;
  if (op.summary && ADMIN_WORDS.test(op.summary)) return `the spec's summary says "${op.summary}"`;
  return undefined;
}

/** Why a GraphQL field is for admins: the same signals (endpoint path, description), or a field name led by `admin`. */
export function graphqlAdminSignal(op: Operation): string | undefined {
  const name = op.graphql?.field ?? '';
  if (/^(admins?|administration)([A-Z_]|$)/.test(name)) return `its field name ${name} starts with "admin"`;
  if (/(^|\/)(admin|administration|internal-admin)(\/|$)/i.test(op.path)) return `its endpoint ${op.path} has an admin segment`;
  if (op.summary && ADMIN_WORDS.test(op.summary)) return `its description says "${op.summary}"`;
  return undefined;
}

const statusOf = (x: Exchange | undefined): string => (x?.response ? String(x.response.status) : (x?.error?.code ?? 'nothing'));

/** `GRAPHQL query.adminStats` in checks.bfla.options.adminOnly names a GraphQL field (its stable key). */
const listedField = (adminOnly: readonly string[], op: Operation): boolean => adminOnly.some((p) => p.trim() === operationKey(operationRef(op)));

/**
 * A GraphQL query field marked admin-only that a plain user gets data from (an `errors` array with null data is a
 * refusal) while the anonymous identity does not; the admin's answer is the reference. Mutations are not sent: a
 * GraphQL server validates a whole document before any authorization, so no invalid document can show how far a
 * mutation would get, and a valid one would run it. Returns the candidates and the reasons fields were not judged.
 */
async function graphqlFields(ctx: CheckContext<{ adminOnly: string[] }>, who: { users: Identity[]; anonymous: Identity; admin: Identity | undefined }): Promise<{ candidates: CandidateInput[]; judged: number; notes: string[] }> {
  const out = { candidates: [] as CandidateInput[], judged: 0, notes: [] as string[] };
  for (const op of ctx.surface.operations.filter((o) => o.graphql)) {
    const why = listedField(ctx.options.adminOnly, op) ? `vouch.yaml lists it admin-only (checks.bfla.options.adminOnly)` : graphqlAdminSignal(op);
    if (!why) continue;
    const key = graphqlField(op)!;
    if (op.graphql!.kind !== 'query') {
      out.notes.push(`${key} (admin-only because ${why}) is a mutation: it is not run as a plain user`);
      continue;
    }
    if (ctx.safeMode && op.method !== 'GET') {
      out.notes.push(`${key}: safe mode, GraphQL is sent by ${op.method}`);
      continue;
    }
    out.judged++;
    const request = buildRequest(op);
    const field = op.graphql!.field;
    for (const user of who.users) {
      const x = await ctx.send({ ...request, identity: user.name });
      if (fieldData(x, field) === undefined) continue;
      const control = await ctx.send({ ...request, identity: who.anonymous.name });
      // The anonymous identity gets it too: a public field, not a role check that is missing.
      if (fieldData(control, field) !== undefined) break;
      const byAdmin = who.admin ? await ctx.send({ ...request, identity: who.admin.name }) : undefined;
      const adminSays = who.admin ? `; ${who.admin.name} (privileged) → ${fieldData(byAdmin!, field) === undefined ? refusal(byAdmin) : 'data'}` : '';
      out.candidates.push({
        operation: operationRef(op),
        url: x.request.url,
        identity: user.name,
        vulnClass: 'bfla',
        confidence: 'tentative',
        proof: {
          summary: `${user.name}, a plain user, gets data from GraphQL ${key}, admin-only because ${why}: ${user.name} → ${x.response!.status} with data, without credentials → ${refusal(control)}${adminSays}`,
          exchangeIds: [x.id, control.id, ...(byAdmin ? [byAdmin.id] : [])],
          evidence: excerpt(x.response?.body, 200),
        },
        data: { request, status: x.response?.status ?? 0, field },
      });
      break;
    }
  }
  return out;
}

export default defineCheck({
  id: 'bfla',
  family: 'authorization',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Broken function-level authorization',
    description: 'A plain user can perform an operation meant only for administrators: the server checks that the caller is signed in, not that their role may use the function.',
    severity: 'high',
    cwe: 'CWE-285',
    owasp: 'API5:2023 Broken Function Level Authorization',
    remediation: 'Deny by default and check the role (or permission) in every admin operation, ideally in one middleware for the whole admin router; answer 403 to other roles.',
    proves: "An operation the spec (an /admin path, an admin tag, \"(admin)\" in its summary) or vouch.yaml (checks.bfla.options.adminOnly) marks admin-only succeeds for a plain user (a read 2xx, or a write probe with an invalid id or body refused for validation, not authorization) while the same request without credentials is refused; a replay as the user answers the same. A GraphQL query field named admin… (or so described, or listed as GRAPHQL query.field) gives a plain user non-null data where the anonymous identity gets none (an errors array with null data is a refusal), and a replay gives data again. A delete of an item (DELETE /c/{id}) whose collection's create the privileged identity may use and a plain user is refused (401/403): the privileged identity creates an object and reads it, the user deletes it (2xx), the privileged identity reads it gone (404, or no longer listed); the whole test again on a fresh object confirms it.",
  },
  options: z.strictObject({
    /** Operations only admins may use, as `METHOD /path` globs (`DELETE /api/products/*`), besides what the spec says. */
    adminOnly: z.array(z.string()).default([]),
  }),
  async run(ctx) {
    const expectations = ctx.surface.operations
      .filter((op) => op.auth !== 'none' && !op.graphql)
      .map((op) => ({ op, why: inScope(ctx.options.adminOnly, op) ? `vouch.yaml lists it admin-only (checks.bfla.options.adminOnly)` : adminSignal(op) }))
      .filter((e): e is { op: Operation; why: string } => e.why !== undefined);
    const gqlMarked = ctx.surface.operations.some((o) => o.graphql && (listedField(ctx.options.adminOnly, o) || graphqlAdminSignal(o)));
    // Deletes no spec marks: a boundary is inferred on an object vouch creates (support/created.ts). Not in safe mode.
    const across = boundaries(ctx.surface.operations).filter((b) => !expectations.some((e) => e.op.id === b.del.id));
    const tests = ctx.safeMode ? [] : across;
    if (!expectations.length && !gqlMarked && !tests.length) {
      const why = across.length ? `; safe mode: ${across.map((b) => `${b.del.method} ${b.del.path}`).join(', ')} not tested on an object vouch creates` : '';
      return { status: 'inconclusive', reason: `no operation is marked admin-only (an /admin path, an admin tag or "(admin)" in the spec, a GraphQL field named admin…, or checks.bfla.options.adminOnly), and no delete of an item its collection's create makes${why}` };
    }
    const users = ctx.identities.filter((i) => i.role === 'user' && !i.intended && !ctx.unavailable.has(i.name)).slice(0, 2);
    if (!users.length) return { status: 'inconclusive', reason: 'needs a plain user identity (role user, without intended) that can sign in' };
    const anonymous = ctx.identities.find((i) => i.role === 'anonymous' && i.auth.kind === 'none');
    if (!anonymous) return { status: 'inconclusive', reason: 'needs an anonymous identity (role anonymous, auth none) for the controls' };
    const admin = ctx.identities.find((i) => i.role === 'privileged' && !ctx.unavailable.has(i.name));

    const candidates: CandidateInput[] = [];
    for (const { op, why } of expectations) {
      let hit: { user: Identity; probe: Probe } | undefined;
      for (const user of users) {
        const probe = (await establish(ctx as CheckContext<unknown>, { op, subject: user, anonymous })).find((p) => p.outcome === 'allowed');
        if (probe) {
          hit = { user, probe };
          break;
        }
      }
      if (!hit) continue;
      const { user, probe } = hit;
      const byAdmin = admin ? await ctx.send({ ...probe.request, identity: admin.name, probe: probe.probe }) : undefined;
      const adminSays = admin ? `; ${admin.name} (privileged) → ${statusOf(byAdmin)}` : '';
      candidates.push({
        operation: { method: op.method, path: op.path },
        url: probe.exchange.request.url,
        identity: user.name,
        vulnClass: 'bfla',
        confidence: 'tentative',
        proof: {
          summary: `${user.name}, a plain user, can ${op.method} ${op.path}, admin-only because ${why}: ${probe.why}${adminSays}`,
          exchangeIds: [probe.exchange.id, ...(probe.control ? [probe.control.id] : []), ...(byAdmin ? [byAdmin.id] : [])],
          evidence: excerpt(probe.exchange.response?.body, 200),
        },
        data: { request: probe.request, probe: probe.probe, status: probe.exchange.response?.status ?? 0 },
      });
    }
    const gql = await graphqlFields(ctx, { users, anonymous, admin });
    candidates.push(...gql.candidates);
    const created = await acrossRoles(ctx as CheckContext<unknown>, tests, users[0]!, admin);
    candidates.push(...created.candidates);
    if (candidates.length) return { status: 'found', candidates };
    if (!expectations.length && !gql.judged && !created.judged) return { status: 'inconclusive', reason: [...gql.notes, ...created.notes].join('; ') };
    return { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { request?: Probe['request']; probe?: boolean; status?: number; field?: string; across?: { del: string; upper: string } } | undefined;
    if (data?.across) {
      const r = await confirmAcross(ctx as CheckContext<unknown>, data.across, candidate.identity);
      return r.confirmed ? { ...r, summary: `${candidate.proof.summary}; ${r.summary!}` } : r;
    }
    if (!data?.request) return { confirmed: false, exchangeIds: [], reason: 'the request is gone' };
    if (data.field) {
      const again = await ctx.send(data.request);
      if (fieldData(again, data.field) !== undefined) return { confirmed: true, exchangeIds: [again.id], summary: `${candidate.proof.summary}; a replay as ${candidate.identity} got data again` };
      return { confirmed: false, exchangeIds: [again.id], reason: `the replay as ${candidate.identity} answered ${refusal(again)}` };
    }
    const replay = await ctx.send({ ...data.request, ...(data.probe ? { probe: true } : {}) });
    const s = replay.response?.status;
    if (s === data.status && !isAuthDenied(s)) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; a replay as ${candidate.identity} → ${s} again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: `the replay as ${candidate.identity} answered ${statusOf(replay)}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/admin/users', summary: 'bob, a plain user, can GET /api/admin/users, admin-only because its path has an admin segment: bob → 200, without credentials → 401; admin (privileged) → 200' },
});
