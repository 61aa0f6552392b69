// src/prioritize/fingerprint.ts — stable finding identity across runs and hosts: check, method, route, parameter, class.
import { createHash } from 'node:crypto';

export interface FingerprintParts {
  checkId: string;
  method: string;
  path: string;
  parameter?: string | undefined;
  vulnClass: string;
  /** A root cause of the whole target seen on several operations: the operation is left out of the key. */
  grouped?: boolean | undefined;
}

/**
 * Never includes hosts, ports, times or payload nonces; route parameters are normalized (`{id}` = `{x}`). A grouped
 * finding's key has `*` for method and route: the same root cause keeps its fingerprint whichever operations showed it.
 */
export function fingerprint(p: FingerprintParts): string {
  const route = p.grouped ? '*' : p.path.replace(/\{[^}]+\}/g, '{}');
  const key = [p.checkId, p.grouped ? '*' : p.method.toUpperCase(), route, p.parameter ?? '', p.vulnClass].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 20);
}
