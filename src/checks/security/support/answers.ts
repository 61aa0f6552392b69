// src/checks/security/support/answers.ts — whether two answers show the same thing (status, body, list size), and
// the error-signature probe shared by the query-language injection checks (a breaker errors, its balanced twin not).
import type { Exchange, SendRequest } from '../../../core/index.js';
import { jsonBody, listItems, similarBodies } from '../../kit/compare.js';
import { textBody } from './exchanges.js';

export const bodyOf = (x: Exchange): string => textBody(x.response);

/** The number of items of a JSON list answer, when it is one. */
function itemCount(x: Exchange): number | undefined {
  const body = jsonBody(x);
  return body ? listItems(body.value)?.length : undefined;
}

/** Same status, bodies at least 95% similar and, for JSON lists, as many items (a wider result is another answer). */
export function sameAnswer(a: Exchange, b: Exchange): boolean {
  if (!a.response || !b.response || a.response.status !== b.response.status) return false;
  if (!similarBodies(bodyOf(a), bodyOf(b), 0.95).similar) return false;
  return itemCount(a) === itemCount(b);
}

/** How two answers differ, for proof summaries. */
export function howDiffer(a: Exchange, b: Exchange): string {
  const sa = a.response?.status ?? '-';
  const sb = b.response?.status ?? '-';
  const [na, nb] = [itemCount(a), itemCount(b)];
  if (na !== undefined && nb !== undefined && na !== nb) return `${sa} with ${na} items vs ${sb} with ${nb}`;
  return `${sa} (${bodyOf(a).length} bytes) vs ${sb} (${bodyOf(b).length} bytes), ${similarBodies(bodyOf(a), bodyOf(b)).why}`;
}

/** An error probe: the breaker value and its balanced control (same characters, valid syntax). */
export interface ErrorProbe {
  breaker: string;
  control: string;
}

export interface ErrorHit {
  probe: ErrorProbe;
  x: Exchange;
  control: Exchange;
  match: string;
}

/**
 * Sends each breaker; one whose answer shows `signature` (absent from the original answer) is a hit only when its
 * balanced control does not show it. Undefined when no breaker errors that way.
 */
export async function errorProbe(
  send: (r: SendRequest) => Promise<Exchange>,
  probes: readonly ErrorProbe[],
  request: (value: string) => SendRequest,
  signature: (text: string) => string | undefined,
): Promise<ErrorHit | undefined> {
  for (const probe of probes) {
    const x = await send(request(probe.breaker));
    const match = signature(bodyOf(x));
    if (!match) continue;
    const control = await send(request(probe.control));
    if (!signature(bodyOf(control))) return { probe, x, control, match };
  }
  return undefined;
}
