// src/execute/context.ts — builds the CheckContext a check runs in: its operation, identity and a scoped send().
import type { Exchange, HttpEngine, Identity, Operation, Outage, Surface, Target } from '../core/index.js';
import type { AnyCheck, CheckContext, CheckOob, Strength } from '../checks/kit/define.js';
import { soft404For } from '../discover/soft404.js';
import type { OobCallback, OobHandle } from '../oob/listener.js';

/** What every check of one scan shares, whichever stage runs it (execute, then confirm). */
export interface ScanContextInput {
  target: Target;
  surface: Surface;
  identities: readonly Identity[];
  /** Identities whose login failed, with why (checks see them in `ctx.unavailable`). */
  unavailable?: ReadonlyMap<string, string>;
  engine: HttpEngine;
  safeMode: boolean;
  /** Attack strength handed to every check (`default` when absent). */
  strength?: Strength;
  /** Seed for generated data (`--seed`). */
  seed?: number;
  /** The scan's out-of-band listener, when one runs (checks declaring `needsOob`). */
  oob?: OobHandle | undefined;
}

/** What is particular to one task: the check, its operation and identity, its validated options. */
export interface TaskContextInput {
  check: AnyCheck;
  taskId: string;
  operation: Operation | undefined;
  identity: Identity;
  options: unknown;
  signal: AbortSignal;
}

/** The callback as an exchange: its request is what the target sent to the listener. */
export function callbackExchange(cb: OobCallback, meta: { taskId: string; checkId: string }): Omit<Exchange, 'id'> {
  return {
    request: { method: cb.method, url: cb.url, headers: cb.headers, ...(cb.body ? { body: cb.body } : {}) },
    response: { status: 200, headers: [], body: '', notes: [`out-of-band callback received by vouch's listener at ${new Date(cb.receivedAt).toISOString()} from ${cb.from} (token ${cb.token})`] },
    timing: { startedAt: cb.receivedAt, totalMs: 0 },
    identity: 'oob-callback',
    taskId: meta.taskId,
    checkId: meta.checkId,
  };
}

function checkOob(handle: OobHandle, engine: HttpEngine, meta: { taskId: string; checkId: string }): CheckOob {
  return {
    origin: handle.origin,
    mint: (serve) => handle.mint(serve),
    async waitFor(token, ms) {
      const cb = await handle.waitFor(token, ms);
      if (!cb) return undefined;
      const x = callbackExchange(cb, meta);
      return engine.record ? engine.record(x) : { id: `oob-${cb.token}`, ...x };
    },
  };
}

export function createCheckContext(scan: ScanContextInput, task: TaskContextInput): CheckContext<unknown> {
  const input = { ...scan, ...task };
  const origin = new URL(input.target.url);
  return {
    target: input.target,
    operation: input.operation,
    identity: input.identity,
    identities: input.identities,
    unavailable: input.unavailable ?? new Map<string, string>(),
    surface: input.surface,
    options: input.options,
    safeMode: input.safeMode,
    strength: input.strength ?? 'default',
    ...(input.seed !== undefined ? { seed: input.seed } : {}),
    signal: input.signal,
    oob: input.oob ? checkOob(input.oob, input.engine, { taskId: input.taskId, checkId: input.check.id }) : undefined,
    send: ({ identity, destructive, probe, account, ...req }) =>
      input.engine.send(req, {
        identity: identity ?? input.identity.name,
        taskId: input.taskId,
        checkId: input.check.id,
        ...(destructive ? { destructive } : {}),
        ...(probe ? { probe } : {}),
        ...(account !== undefined ? { account } : {}),
      }),
    recorded: (): readonly Exchange[] => input.engine.exchanges(),
    outages: (): readonly Outage[] => input.engine.outages?.() ?? [],
    url: (path: string) => `${origin.protocol}//${origin.host}${path.startsWith('/') ? path : `/${path}`}`,
    notFound: (x: Exchange) => soft404For(input.engine).matches(x),
  };
}
