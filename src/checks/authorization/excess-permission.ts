// src/checks/authorization/excess-permission.ts — the permission audit: what each credential that declares an
// `intended` scope can actually do; every capability beyond that scope is a finding with its proving exchanges.
import { z } from 'zod';
import type { Capability, Exchange, Identity, Operation, PermissionAudit } from '../../core/index.js';
import { defineCheck, type CandidateInput, type CheckContext } from '../kit/define.js';
import { excerpt, isSuccess } from '../kit/compare.js';
import { badPattern, collectionOf, establish, inScope, isAuthDenied, isRead, listedIds, type Probe } from '../kit/capability.js';

interface Options {
  identities?: string[] | undefined;
  concurrency: number;
}

const statusOf = (x: Exchange | undefined): string => (x?.response ? String(x.response.status) : (x?.error?.code ?? 'nothing'));
const opKey = (op: { method: string; path: string }): string => `${op.method} ${op.path}`;

/** Operations worth asking about: not declared public, not GraphQL fields (one path, many operations). */
const auditable = (ops: readonly Operation[]): Operation[] => ops.filter((o) => o.auth !== 'none' && !o.graphql);

async function inPool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * Ids to ask for, from GETs of the item's collection: another user's object (preferably one the first plain user,
 * the reference, does not list, so its control is meaningful), and the subject's own, only when the subject's list
 * is scoped to it (it shares no id with the others' lists).
 */
async function idsFor(ctx: CheckContext<Options>, op: Operation, subject: Identity, others: readonly Identity[]): Promise<{ own?: string; others?: string } | undefined> {
  const collection = collectionOf(op, ctx.surface.operations);
  if (!collection) return undefined;
  const lists = await Promise.all(others.map((o) => listedIds(ctx, collection, o.name)));
  const theirs = [...new Set(lists.flat())];
  const mine = await listedIds(ctx, collection, subject.name);
  const reference = new Set(lists[0] ?? []);
  const other = theirs.find((id) => !reference.has(id)) ?? theirs[theirs.length - 1];
  const scoped = theirs.length > 0 && !mine.some((id) => theirs.includes(id));
  const own = scoped ? mine[0] : undefined;
  return { ...(own !== undefined ? { own } : {}), ...(other !== undefined ? { others: other } : {}) };
}

/** The audit of one identity, with the probes that established each capability. */
async function auditOne(ctx: CheckContext<Options>, subject: Identity, anonymous: Identity): Promise<{ audit: PermissionAudit; proofs: Map<Capability, Probe> }> {
  const intended = subject.intended ?? [];
  const others = ctx.identities.filter((i) => i.role === 'user' && i.name !== subject.name && !i.intended && !ctx.unavailable.has(i.name)).slice(0, 2);
  const capabilities: Capability[] = [];
  const undetermined: string[] = [];
  const proofs = new Map<Capability, Probe>();
  const results = await inPool(auditable(ctx.surface.operations), ctx.options.concurrency, async (op) => {
    const ids = isRead(op.method) ? await idsFor(ctx, op, subject, others) : undefined;
    return { op, probes: await establish(ctx as CheckContext<unknown>, { op, subject, anonymous, ...(ids ? { ids } : {}) }) };
  });
  for (const { op, probes } of results) {
    if (!probes.length) undetermined.push(`${opKey(op)}: no way to ask without effect (no id or body to make invalid)`);
    for (const p of probes) {
      if (p.outcome === 'unknown') undetermined.push(`${opKey(op)}${p.whose === 'any' ? '' : ` (${p.whose})`}: ${p.why}`);
      if (p.outcome !== 'allowed') continue;
      const cap: Capability = { operation: opKey(op), whose: p.whose, established: p.established!, exchangeId: p.exchange.id, intended: inScope(intended, op) };
      capabilities.push(cap);
      proofs.set(cap, p);
    }
  }
  capabilities.sort((a, b) => a.operation.localeCompare(b.operation) || a.whose.localeCompare(b.whose));
  return { audit: { identity: subject.name, intended, capabilities, ...(undetermined.length ? { undetermined } : {}) }, proofs };
}

/** A plain user sends the same request, to show what the role is meant to get (`alice → 403`). */
const referenceOf = (ctx: CheckContext<Options>, subject: Identity): Identity | undefined =>
  ctx.identities.find((i) => i.role === 'user' && !i.intended && i.name !== subject.name && !ctx.unavailable.has(i.name));

export default defineCheck<Options>({
  id: 'excess-permission',
  family: 'authorization',
  kind: 'active',
  scope: 'target',
  meta: {
    title: 'Credential can do more than its intended scope',
    description: "An identity that declares what it is meant to do (`intended` in vouch.yaml, e.g. an agent's or a service's token) can perform operations beyond that scope: its blast radius is larger than intended.",
    severity: 'high',
    cwe: 'CWE-250',
    owasp: 'API5:2023 Broken Function Level Authorization',
    remediation: 'Mint the credential with only the scopes it needs (least privilege), and enforce those scopes on every operation; review the listed capabilities and revoke the ones outside the intended scope.',
    proves: 'The credential succeeds on an operation outside its intended scope (a read answering 2xx, or a write probe with an invalid id or body refused for validation, 400/422, not for authorization) while the same request without credentials is refused (401/403); a replay as the credential answers the same.',
  },
  options: z.strictObject({
    /** Audit these identities even if they declare no `intended` (their scope is then empty). Default: those that declare one. */
    identities: z.array(z.string()).optional(),
    /** Operations probed at once. Default 4. */
    concurrency: z.number().int().min(1).max(16).default(4),
  }),
  async run(ctx) {
    const named = ctx.options.identities;
    const subjects = named ? ctx.identities.filter((i) => named.includes(i.name)) : ctx.identities.filter((i) => i.intended !== undefined);
    if (named) {
      const missing = named.filter((n) => !ctx.identities.some((i) => i.name === n));
      if (missing.length) return { status: 'inconclusive', reason: `no identity named ${missing.join(', ')}` };
    }
    if (!subjects.length) return { status: 'inconclusive', reason: 'no identity declares an intended scope (identities.<name>.intended in vouch.yaml)' };
    const anonymous = ctx.identities.find((i) => i.role === 'anonymous' && i.auth.kind === 'none');
    if (!anonymous) return { status: 'inconclusive', reason: 'needs an anonymous identity (role anonymous, auth none) for the controls' };
    for (const s of subjects) {
      const bad = (s.intended ?? []).map(badPattern).find(Boolean);
      if (bad) return { status: 'inconclusive', reason: `identities.${s.name}.intended: ${bad}` };
    }

    const audits: PermissionAudit[] = [];
    const candidates: CandidateInput[] = [];
    const reasons: string[] = [];
    for (const subject of subjects) {
      const down = ctx.unavailable.get(subject.name);
      if (down) {
        audits.push({ identity: subject.name, intended: subject.intended ?? [], capabilities: [], unavailable: down });
        reasons.push(`identity ${subject.name} could not be audited: ${down}`);
        continue;
      }
      const { audit, proofs } = await auditOne(ctx, subject, anonymous);
      audits.push(audit);
      const reference = referenceOf(ctx, subject);
      const reported = new Set<string>();
      for (const cap of audit.capabilities) {
        if (cap.intended || reported.has(cap.operation)) continue;
        reported.add(cap.operation);
        const p = proofs.get(cap)!;
        const ref = reference ? await ctx.send({ ...p.request, identity: reference.name, probe: p.probe }) : undefined;
        const refSays = ref ? `; ${reference!.name} (a plain user) → ${statusOf(ref)}` : '';
        const scope = audit.intended.length ? `its intended scope (${audit.intended.join(', ')})` : 'its intended scope (none declared)';
        const [method, path] = cap.operation.split(' ') as [string, string];
        candidates.push({
          operation: { method, path },
          url: p.exchange.request.url,
          identity: subject.name,
          vulnClass: `excess-permission:${subject.name}`,
          title: `${subject.name} can ${cap.operation} beyond its intended scope`,
          confidence: cap.established === 'executed' ? 'confirmed' : 'tentative',
          proof: {
            summary: `${subject.name} can ${cap.operation}${cap.whose === 'any' ? '' : cap.whose === 'own' ? ' on its own objects' : " on other users' objects"}, outside ${scope}: ${p.why}${refSays}`,
            exchangeIds: [p.exchange.id, ...(p.control ? [p.control.id] : []), ...(ref ? [ref.id] : [])],
            evidence: excerpt(p.exchange.response?.body, 200),
          },
          data: { request: p.request, probe: p.probe, established: cap.established, status: p.exchange.response?.status ?? 0 },
        });
      }
    }
    if (candidates.length) return { status: 'found', candidates, audit: audits };
    if (reasons.length) return { status: 'inconclusive', reason: reasons.join('; '), audit: audits };
    return { status: 'clean', audit: audits };
  },
  async confirm(candidate, ctx) {
    const data = candidate.data as { request?: Probe['request']; probe?: boolean; status?: number; established?: string } | undefined;
    if (!data?.request) return { confirmed: false, exchangeIds: [], reason: 'the request is gone' };
    // An accepted write is its own proof (with the refused control); it is not sent again.
    if (data.established === 'executed') return { confirmed: true, exchangeIds: [] };
    // The confirm context runs as the candidate's identity: the audited credential.
    const replay = await ctx.send({ ...data.request, ...(data.probe ? { probe: true } : {}) });
    const s = replay.response?.status;
    const same = s === data.status || (isSuccess(s) && isSuccess(data.status));
    if (same && !isAuthDenied(s)) return { confirmed: true, exchangeIds: [replay.id], summary: `${candidate.proof.summary}; a replay as ${candidate.identity} → ${s} again` };
    return { confirmed: false, exchangeIds: [replay.id], reason: `the replay as ${candidate.identity} answered ${statusOf(replay)}` };
  },
  example: {
    url: 'http://127.0.0.1:8080/api/products/vouch-invalid',
    summary: 'agent can DELETE /api/products/{id}, outside its intended scope (GET /api/orders, GET /api/orders/{id}): the invalid request as agent → 400 (refused for validation, past authorization), without credentials → 401; alice (a plain user) → 403',
  },
});
