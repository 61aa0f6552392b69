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

/** Required as observed, or as the spec declares it (an operation that lost its guard still counts: ignored-auth). */
export const requiresAuth: Guard = (op) => (op.auth === 'required' || op.declaredAuth === 'required' ? undefined : 'the operation is not declared as requiring authentication');

export const noPathParams: Guard = (op) => (op.path.includes('{') ? 'the path has parameters' : undefined);

const hasExample = (p: Operation['params'][number]): boolean =>
  (p.examples?.some((e) => e !== undefined && e !== null) ?? false) || p.schema?.example !== undefined || p.schema?.default !== undefined || (Array.isArray(p.schema?.enum) && p.schema.enum.length > 0);

/** Every path parameter has an example, default or enum value (so the request names a real object). */
export const pathParamsHaveExamples: Guard = (op) => {
  for (const name of op.path.match(/\{([^}]+)\}/g) ?? []) {
    const p = op.params.find((x) => x.in === 'path' && x.name === name.slice(1, -1));
    if (!p || !hasExample(p)) return `path parameter ${name} has no example value`;
  }
  return undefined;
};

/** The path is an item route: exactly one parameter, as its last segment (`/orders/{id}`). */
export const singleTrailingPathParam: Guard = (op) =>
  /^[^{}]*\/\{[^}/]+\}$/.test(op.path) ? undefined : 'the path is not an item route with one trailing parameter (/x/{id})';

const is2xx = (status: string): boolean => /^2(\d\d|XX)$/i.test(status);

/** Some 2xx response declares a JSON schema. */
export const hasJsonResponseSchema: Guard = (op) =>
  Object.entries(op.responses ?? {}).some(([status, r]) => is2xx(status) && r.schema !== undefined && (r.contentType === undefined || r.contentType.includes('json')))
    ? undefined
    : 'no 2xx response with a JSON schema';

/** The request body is JSON and declares a schema. */
export const hasJsonRequestSchema: Guard = (op) =>
  op.requestBody?.contentType.includes('json') && op.requestBody.schema ? undefined : 'no JSON request body schema';

/** Never in safe mode (the check sends data meant to be stored or rejected). */
export const notSafeMode: Guard = (_op, env) => (env.safeMode ? 'safe mode: this check sends payloads that may change data' : undefined);
