// src/prioritize/compare.ts — candidate against baseline: findings new / persisting / fixed / not re-tested, and the surface diff.
import { operationKey, operationRef } from '../core/index.js';
import type { Comparison, Finding, JsonSchema, Operation, Parameter, ParamChange, PermissionAudit, PermissionDiff, Surface, SurfaceDiff, TaskRecord } from '../core/index.js';

const routeKey = (method: string, path: string): string => `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, '{}')}`;

/** The key two versions of one operation share: `GRAPHQL query.search` for a GraphQL field, else the route. */
const keyOf = (o: Operation): string => operationKey(operationRef(o));

const typeOf = (p: Parameter): string => {
  const t = p.schema?.type;
  return Array.isArray(t) ? t.join('|') : typeof t === 'string' ? t : '';
};

/** Parameters added, removed or retyped between two versions of one operation (body fields as `in: body`). */
function paramChanges(before: Operation, after: Operation): ParamChange[] {
  const fields = (o: Operation): Parameter[] => {
    const props = (o.requestBody?.schema as { properties?: Record<string, JsonSchema> } | undefined)?.properties ?? {};
    return [...o.params, ...Object.entries(props).map(([name, schema]): Parameter => ({ name, in: 'body', schema }))];
  };
  const key = (p: Parameter): string => `${p.in} ${p.name}`;
  const b = new Map(fields(before).map((p) => [key(p), p]));
  const a = new Map(fields(after).map((p) => [key(p), p]));
  const out: ParamChange[] = [];
  for (const [k, p] of a) {
    const old = b.get(k);
    if (!old) out.push({ operation: after.id, parameter: p.name, in: p.in, change: 'added', ...(typeOf(p) ? { to: typeOf(p) } : {}) });
    else if (typeOf(old) && typeOf(p) && typeOf(old) !== typeOf(p)) out.push({ operation: after.id, parameter: p.name, in: p.in, change: 'retyped', from: typeOf(old), to: typeOf(p) });
    else if (p.schema?.deprecated === true && old.schema?.deprecated !== true) out.push({ operation: after.id, parameter: p.name, in: p.in, change: 'deprecated' });
  }
  for (const [k, p] of b) if (!a.has(k)) out.push({ operation: after.id, parameter: p.name, in: p.in, change: 'removed', ...(typeOf(p) ? { from: typeOf(p) } : {}) });
  return out;
}

/**
 * The surface diff: operations added and removed (a spec operation that no longer answers counts as removed),
 * parameters changed, authentication requirement changed (observed), shadow operations (answer, in no spec, page
 * or script), zombies (in the candidate's spec, gone) and GraphQL fields newly deprecated. A GraphQL field is its own
 * operation here (`GRAPHQL query.search`), its arguments its parameters (`variables.<arg>`).
 */
export function diffSurface(baseline: Surface, candidate: Surface): SurfaceDiff {
  const present = (o: Operation): boolean => o.live !== false;
  const before = new Map(baseline.operations.filter(present).map((o) => [keyOf(o), o]));
  const after = new Map(candidate.operations.filter(present).map((o) => [keyOf(o), o]));
  const added = [...after].filter(([k]) => !before.has(k)).map(([, o]) => o.id).sort();
  const removed = [...before].filter(([k]) => !after.has(k)).map(([, o]) => o.id).sort();
  const authChanged: SurfaceDiff['authChanged'] = [];
  const paramsChanged: ParamChange[] = [];
  const deprecated: string[] = [];
  for (const [k, o] of after) {
    const b = before.get(k);
    if (!b) continue;
    if (o.graphql?.deprecated !== undefined && b.graphql?.deprecated === undefined) deprecated.push(o.id);
    if (b.auth !== o.auth && b.auth !== 'unknown' && o.auth !== 'unknown') authChanged.push({ operation: o.id, from: b.auth, to: o.auth });
    paramsChanged.push(...paramChanges(b, o));
  }
  const shadow = candidate.operations.filter((o) => present(o) && o.sources.includes('shadow') && !o.sources.includes('spec')).map((o) => o.id).sort();
  const zombie = candidate.operations.filter((o) => o.live === false && o.sources.includes('spec')).map((o) => o.id).sort();
  return {
    added,
    removed,
    authChanged: authChanged.sort((a, b) => a.operation.localeCompare(b.operation)),
    paramsChanged: paramsChanged.sort((a, b) => a.operation.localeCompare(b.operation) || a.parameter.localeCompare(b.parameter)),
    shadow,
    zombie,
    ...(deprecated.length ? { deprecated: deprecated.sort() } : {}),
  };
}

/** A task of the candidate as the comparison needs it: its check, its operation (absent: target-wide), its status. */
export type RetestTask = Pick<TaskRecord, 'checkId' | 'operationId' | 'status'>;

/**
 * Whether the candidate re-tested a baseline finding: the same check got a real answer (found or clean) either in a
 * target-wide task (a passive or whole-target check looks at the whole target at once) or on the finding's operation
 * (route templates compared as fingerprints do: `{id}` = `{x}`). Operation ids are resolved through the candidate's
 * surface; an id the surface lacks is read as `METHOD /path`.
 */
export function retestedBy(tasks: readonly RetestTask[], surface: Surface): (f: Finding) => boolean {
  const ops = new Map(surface.operations.map((o) => [o.id, keyOf(o)]));
  const whole = new Set<string>();
  const onRoute = new Set<string>();
  for (const t of tasks) {
    if (t.status !== 'found' && t.status !== 'clean') continue;
    if (t.operationId === undefined) {
      whole.add(t.checkId);
      continue;
    }
    const [method = '', path = ''] = t.operationId.split(' ', 2);
    onRoute.add(`${t.checkId}\u0000${ops.get(t.operationId) ?? routeKey(method, path)}`);
  }
  return (f) => whole.has(f.checkId) || onRoute.has(`${f.checkId}\u0000${operationKey(f.operation)}`);
}

/**
 * Marks each candidate finding new or persisting. A baseline finding the candidate no longer has is `fixed` only when
 * `retested` says the candidate tested it again with a real answer; otherwise it is `not-retested` (the check did not
 * run there, or ran without an answer): nothing is known about it.
 */
export function compareFindings(
  baselineFindings: readonly Finding[],
  candidateFindings: readonly Finding[],
  retested: (f: Finding) => boolean,
): { findings: Finding[]; fixed: Finding[]; notRetested: Finding[]; ids: Comparison['findings'] } {
  const before = new Set(baselineFindings.map((f) => f.fingerprint));
  const after = new Set(candidateFindings.map((f) => f.fingerprint));
  const findings = candidateFindings.map((f) => ({ ...f, status: before.has(f.fingerprint) ? ('persisting' as const) : ('new' as const) }));
  const gone = baselineFindings.filter((f) => !after.has(f.fingerprint));
  const fixed = gone.filter(retested).map((f) => ({ ...f, status: 'fixed' as const }));
  const notRetested = gone.filter((f) => !retested(f)).map((f) => ({ ...f, status: 'not-retested' as const }));
  return {
    findings,
    fixed,
    notRetested,
    ids: {
      new: findings.filter((f) => f.status === 'new').map((f) => f.fingerprint),
      persisting: findings.filter((f) => f.status === 'persisting').map((f) => f.fingerprint),
      fixed: fixed.map((f) => f.fingerprint),
      notRetested: notRetested.map((f) => f.fingerprint),
    },
  };
}

/**
 * Per identity audited on both sides: operations (`METHOD /path`) it can do in the candidate and not in the baseline
 * (gained, and those of them its intended scope does not cover), and the reverse (lost).
 */
export function diffPermissions(baseline: readonly PermissionAudit[], candidate: readonly PermissionAudit[]): PermissionDiff {
  const ops = (a: PermissionAudit): Map<string, boolean> => new Map(a.capabilities.map((c) => [routeKey(...(c.operation.split(' ', 2) as [string, string])), c.intended]));
  const label = (a: PermissionAudit): Map<string, string> => new Map(a.capabilities.map((c) => [routeKey(...(c.operation.split(' ', 2) as [string, string])), c.operation]));
  const out: PermissionDiff['identities'] = [];
  for (const after of candidate) {
    const before = baseline.find((b) => b.identity === after.identity);
    if (!before || before.unavailable || after.unavailable) continue;
    const [b, a] = [ops(before), ops(after)];
    const [lb, la] = [label(before), label(after)];
    const gainedKeys = [...a.keys()].filter((k) => !b.has(k));
    const gained = [...new Set(gainedKeys.map((k) => la.get(k)!))].sort();
    const lost = [...new Set([...b.keys()].filter((k) => !a.has(k)).map((k) => lb.get(k)!))].sort();
    const beyond = [...new Set(gainedKeys.filter((k) => a.get(k) === false).map((k) => la.get(k)!))].sort();
    out.push({ identity: after.identity, gained, lost, ...(beyond.length ? { gainedBeyondIntended: beyond } : {}) });
  }
  return { identities: out };
}
