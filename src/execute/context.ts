// src/execute/context.ts — builds the CheckContext a check runs in: its operation, identity and a scoped send().
import type { Exchange, HttpEngine, Identity, Operation, Surface, Target } from '../core/index.js';
import type { AnyCheck, CheckContext, Strength } from '../checks/kit/define.js';

export interface ContextInput {
  check: AnyCheck;
  taskId: string;
  target: Target;
  operation: Operation | undefined;
  identity: Identity;
  identities: readonly Identity[];
  /** Identities whose login failed, with why. */
  unavailable?: ReadonlyMap<string, string>;
  surface: Surface;
  engine: HttpEngine;
  safeMode: boolean;
  options: unknown;
  signal: AbortSignal;
  strength?: Strength;
}

export function createCheckContext(input: ContextInput): CheckContext<unknown> {
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
    signal: input.signal,
    send: ({ identity, destructive, probe, ...req }) =>
      input.engine.send(req, {
        identity: identity ?? input.identity.name,
        taskId: input.taskId,
        checkId: input.check.id,
        ...(destructive ? { destructive } : {}),
        ...(probe ? { probe } : {}),
      }),
    recorded: (): readonly Exchange[] => input.engine.exchanges(),
    url: (path: string) => `${origin.protocol}//${origin.host}${path.startsWith('/') ? path : `/${path}`}`,
  };
}
