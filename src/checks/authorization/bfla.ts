// src/checks/authorization/bfla.ts — broken function-level authorization: a plain user performs an operation meant for
// admins (per the spec's path, tags or summary, or vouch.yaml); proof is the user's success beside that expectation.
import { z } from 'zod';
import type { Exchange, Identity, Operation } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { excerpt } from '../kit/compare.js';
import { establish, inScope, isAuthDenied, type Probe } from '../kit/capability.js';

const ADMIN_WORDS = /\((admins?|administrators?)( only)?\)|\b(admins?|administrators?) only\b|\bonly (for )?(admins?|administrators?)\b|\badmin[- ]only\b/i;

/** Why the spec says an operation is for admins: an `/admin` path segment, an `admin` tag, or "(admin)" in its summary. */
export function adminSignal(op: Operation): string | undefined {
  if (/(^|\/)(admin|administration|internal-admin)(\/|$)/i.test(op.path)) return `its path has an admin segment`;
  const tag = op.tags?.find((t) => /^admins?$|^administration$/i.test(t));
  if (tag) return `the spec tags it "${tag}"`;
  if (op.summary && ADMIN_WORDS.test(op.summary)) return `the spec's summary says "${op.summary}"`;
  return undefined;
}

const statusOf = (x: Exchange | undefined): string => (x?.response ? String(x.response.status) : (x?.error?.code ?? 'nothing'));

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
    proves: "An operation the spec (an /admin path, an admin tag, \"(admin)\" in its summary) or vouch.yaml (checks.bfla.options.adminOnly) marks admin-only succeeds for a plain user (a read 2xx, or a write probe with an invalid id or body refused for validation, not authorization) while the same request without credentials is refused; a replay as the user answers the same.",
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
    if (!expectations.length) return { status: 'inconclusive', reason: 'no operation is marked admin-only (an /admin path, an admin tag or "(admin)" in the spec, or checks.bfla.options.adminOnly)' };
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
    return candidates.length ? { status: 'found', candidates } : { status: 'clean' };
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { request?: Probe['request']; probe?: boolean; status?: number } | undefined;
    if (!data?.request) return { confirmed: false, exchangeIds: [], reason: 'the request is gone' };
    const replay = await ctx.send({ ...data.request, ...(data.probe ? { probe: true } : {}) });
    const s = replay.response?.status;
    if (s === data.status && !isAuthDenied(s)) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; a replay as ${candidate.identity} → ${s} again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: `the replay as ${candidate.identity} answered ${statusOf(replay)}` };
  },
  example: { url: 'http://127.0.0.1:8080/api/admin/users', summary: 'bob, a plain user, can GET /api/admin/users, admin-only because its path has an admin segment: bob → 200, without credentials → 401; admin (privileged) → 200' },
});
