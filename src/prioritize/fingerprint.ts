// src/prioritize/fingerprint.ts — stable finding identity across runs and hosts: check, method, route, parameter, class.
import { createHash } from 'node:crypto';
import { parameterKey } from '../core/index.js';

export interface FingerprintParts {
  checkId: string;
  method: string;
  path: string;
  /** A GraphQL root field (`query.search`): the key is the field's, not the shared endpoint's. */
  graphql?: string | undefined;
  parameter?: string | undefined;
  vulnClass: string;
  /** A root cause of the whole target seen on several operations: the operation is left out of the key. */
  grouped?: boolean | undefined;
}

/**
 * Never includes hosts, ports, times or payload nonces; route parameters are normalized (`{id}` = `{x}`). A grouped
 * finding's key has `*` for method and route: the same root cause keeps its fingerprint whichever operations showed it.
 * A GraphQL field's key is `GRAPHQL query.search`: fields of one endpoint never collide, and the endpoint's path or the
 * HTTP method (GET or POST) does not change it; its argument is keyed the same sent as a variable or inline.
 */
export function fingerprint(p: FingerprintParts): string {
  const route = p.grouped ? '*' : p.graphql ? p.graphql : p.path.replace(/\{[^}]+\}/g, '{}');
  const method = p.grouped ? '*' : p.graphql ? 'GRAPHQL' : p.method.toUpperCase();
  const key = [p.checkId, method, route, parameterKey(p.parameter), p.vulnClass].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 20);
}
