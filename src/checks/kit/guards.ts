// src/checks/kit/guards.ts — composable preconditions for `appliesTo`: each returns a skip reason or undefined.
import type { Operation } from '../../core/index.js';
import { injectionPoints } from '../../inject/index.js';

export type Guard = (op: Operation, env: { safeMode: boolean }) => string | undefined;

/** All guards must pass; the first reason wins. */
export const all =
  (...guards: Guard[]): Guard =>
  (op, env) => {
    for (const g of guards) {
      const r = g(op, env);
      if (r) return r;
    }
    return undefined;
  };

export const hasInjectionPoints: Guard = (op) => (injectionPoints(op).length > 0 ? undefined : 'no parameters to inject into');

export const methodIn =
  (...methods: string[]): Guard =>
  (op) =>
    methods.includes(op.method) ? undefined : `method ${op.method} is not one of ${methods.join(', ')}`;

export const safeMethodOrNotSafeMode: Guard = (op, env) =>
  env.safeMode && !['GET', 'HEAD', 'OPTIONS'].includes(op.method) ? `safe mode: ${op.method} not sent` : undefined;

export const requiresAuth: Guard = (op) => (op.auth === 'required' ? undefined : 'the operation is not declared as requiring authentication');

export const noPathParams: Guard = (op) => (op.path.includes('{') ? 'the path has parameters' : undefined);
