// src/prioritize/fingerprint.ts — stable finding identity across runs and hosts: check, method, route, parameter, class.
import { createHash } from 'node:crypto';

export interface FingerprintParts {
  checkId: string;
  method: string;
  path: string;
  parameter?: string | undefined;
  vulnClass: string;
}

/** Never includes hosts, ports, times or payload nonces; route parameters are normalized (`{id}` = `{x}`). */
export function fingerprint(p: FingerprintParts): string {
  const route = p.path.replace(/\{[^}]+\}/g, '{}');
  const key = [p.checkId, p.method.toUpperCase(), route, p.parameter ?? '', p.vulnClass].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 20);
}
