// src/checks/kit/define.ts — the shape of a check: `defineCheck({...})` and the context a check runs in.
import type { z } from 'zod';
import type {
  Candidate,
  Exchange,
  Family,
  Identity,
  Operation,
  Outage,
  PermissionAudit,
  SendRequest,
  Severity,
  Surface,
  Target,
} from '../../core/index.js';

export interface CheckMeta {
  title: string;
  /** What the check looks for, one or two sentences. */
  description: string;
  severity: Severity;
  cwe?: string;
  owasp?: string;
  remediation: string;
  /** What counts as proof for this check (shown in docs and reports). */
  proves: string;
}

/** What a check proposes, before the kit fills in check id, task and identity. */
export type CandidateInput = Omit<Candidate, 'checkId' | 'taskId' | 'identity'> & { identity?: string };

export type CheckResult = (
  | { status: 'found'; candidates: CandidateInput[] }
  | { status: 'clean' }
  | { status: 'inconclusive'; reason: string }
) & {
  /** What identities can actually do, when the check established it (`report.audit`). */
  audit?: PermissionAudit[];
};

export interface Confirmation {
  confirmed: boolean;
  /** Extra exchanges (replays, controls) that prove or disprove it. */
  exchangeIds: string[];
  /** Replaces the candidate's proof summary when set. */
  summary?: string;
  /** Why it stays tentative. */
  reason?: string;
}

/** Attack strength: how many payloads an active check sends per injection point. */
export type Strength = 'low' | 'default' | 'high';

/** The out-of-band listener as a check sees it (`ctx.oob`); undefined when no listener runs. */
export interface CheckOob {
  /** The listener's public origin: the only place payload callbacks may point. */
  readonly origin: string;
  /** A fresh token and the URL carrying it; with `serve`, that URL answers with this body (a key set, a certificate). */
  mint(serve?: { body: string; contentType: string }): { url: string; token: string };
  /**
   * The first callback carrying `token` within `ms`, recorded as an exchange (request = the callback the target
   * made; response notes say when and from where) that a finding cites as proof; undefined when none came.
   */
  waitFor(token: string, ms: number): Promise<Exchange | undefined>;
}

export interface CheckContext<O = unknown> {
  readonly target: Target;
  /** The operation under test; undefined for target-wide checks. */
  readonly operation: Operation | undefined;
  /** The identity this task runs as. */
  readonly identity: Identity;
  readonly identities: readonly Identity[];
  /** Identities whose login failed, with why (their requests would go without credentials). */
  readonly unavailable: ReadonlyMap<string, string>;
  readonly surface: Surface;
  readonly options: O;
  readonly safeMode: boolean;
  /** Attack strength for this scan (`checks.strength` in vouch.yaml, `--strength`); `default` unless set. */
  readonly strength: Strength;
  /** The run's seed for generated data (`--seed`); checks derive per-operation seeds from it. */
  readonly seed?: number;
  readonly signal: AbortSignal;
  /** The out-of-band listener when the scan runs one (checks declaring `needsOob`); else undefined. */
  readonly oob?: CheckOob | undefined;
  /**
   * Send through the engine as this task's identity (or `identity` when given); `account` names the account a write
   * is aimed at through its body (only accounts vouch registered may be: the harm guard refuses the others).
   */
  send(req: SendRequest & { identity?: string; destructive?: boolean; probe?: boolean; account?: string }): Promise<Exchange>;
  /** Exchanges recorded so far in this scan (what passive checks read). */
  recorded(): readonly Exchange[];
  /** Times the target stopped answering during this scan, as the engine recorded them (docs/engine.md#outages). */
  outages(): readonly Outage[];
  /** Absolute URL for a path on the target. */
  url(path: string): string;
  /**
   * Whether `x` is how the target answers a path it does not know: a 404/410, or the same page (or redirect) a random
   * path under the same prefix gets — an SPA's index page, a "soft 404". Learned once per scan and prefix.
   */
  notFound(x: Exchange): Promise<boolean>;
}

/** Which identities an operation-scoped check runs as. */
export type IdentityMode =
  /** The least-privileged identity that can reach the operation (default). */
  | 'least'
  /** Once per configured identity. */
  | 'each';

export interface CheckDefinition<O = unknown> {
  /** Kebab-case id: file name, config key, `--check` value, SARIF ruleId and docs page. */
  id: string;
  family: Family;
  /** Passive checks never send; they read recorded exchanges. */
  kind: 'passive' | 'active';
  /** `operation`: one task per operation; `target`: one task per scan. */
  scope: 'operation' | 'target';
  identities?: IdentityMode;
  meta: CheckMeta;
  options: z.ZodType<O>;
  /**
   * Active checks that mutate injection points: the most requests `run()` sends per injection point at each
   * strength (confirmation excluded). A shared test harness asserts it.
   */
  requestsPerPoint?: Record<Strength, number>;
  /** What the check leaves out in safe mode (payloads not sent, delays capped); the plan records it. */
  safeModeSkips?: string;
  /**
   * The check changes a password only to the identity's own current one (a harmless submission of a password-change
   * form): the plan gives it tasks on operations it leaves out of every other check because they change the caller's
   * password, and the harm guard lets through a request whose new-password fields all carry that password.
   */
  ownPasswordOnly?: boolean;
  /** The check uses `ctx.oob`: a scan that plans it starts the out-of-band listener. */
  needsOob?: boolean;
  /**
   * Preconditions: return undefined when the check applies to this operation, else the skip reason
   * (recorded in the plan).
   */
  appliesTo?: (op: Operation, env: { safeMode: boolean }) => string | undefined;
  run(ctx: CheckContext<O>): Promise<CheckResult>;
  /** Replays and controls that prove a candidate; without it a candidate keeps the confidence it claims. */
  confirm?(candidate: Candidate, ctx: CheckContext<O>): Promise<Confirmation>;
  /** An example finding for the docs page and meta-tests. */
  example: { url: string; summary: string };
}

/** Declares a check; identity function that fixes the type of its options. */
export function defineCheck<O>(def: CheckDefinition<O>): CheckDefinition<O> {
  return def;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCheck = CheckDefinition<any>;
