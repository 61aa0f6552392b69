// src/checks/security/support/settle.ts — a confirmation re-establishes its baseline right before replaying: the
// original request is sent until it gets a real answer (the target may be restarting, rate limiting or busy since
// the first probe), and a replay that got no answer is tried once more after settling again.
import type { Exchange, SendRequest } from '../../../core/index.js';
import type { Confirmation } from '../../kit/define.js';
import { realAnswer } from './tally.js';
import type { DelayProof } from './timing.js';

export interface Settled {
  /** The last answer to the original request (a real one when `ok`). */
  baseline: Exchange;
  ok: boolean;
  exchangeIds: string[];
}

/** Waits between tries of the original request, ms: 0, then 1 s, then 3 s. */
const WAITS = [0, 1000, 3000];

/** Sends `original()` until it gets a real answer (not 429/503/5xx/no response), at most three times. */
export async function settle(send: (r: SendRequest) => Promise<Exchange>, original: () => SendRequest, waits: readonly number[] = WAITS): Promise<Settled> {
  const ids: string[] = [];
  let last: Exchange | undefined;
  for (const w of waits) {
    if (w) await new Promise((r) => setTimeout(r, w));
    last = await send(original());
    ids.push(last.id);
    if (realAnswer(last)) return { baseline: last, ok: true, exchangeIds: ids };
  }
  return { baseline: last!, ok: false, exchangeIds: ids };
}

/** Why a settle failed, for a confirmation's reason. */
export const unsettled = (s: Settled): string =>
  `the original request got no real answer ${s.exchangeIds.length} times in a row right before the replay (last: ${s.baseline.response?.status ?? s.baseline.error?.message ?? 'no response'}), so the target could not be judged`;

/**
 * Settles, then runs `replay`; when `answered` says the replay got no answer to judge, settles again and runs it
 * once more. `exchangeIds` holds every exchange sent; `result` is absent when the original request never settled.
 */
export async function replaySettled<T extends { exchangeIds: string[] }>(
  send: (r: SendRequest) => Promise<Exchange>,
  original: () => SendRequest,
  replay: (baseline: Exchange) => Promise<T>,
  answered: (result: T) => boolean,
): Promise<{ result?: T; settled: Settled; exchangeIds: string[] }> {
  const ids: string[] = [];
  let result: T | undefined;
  let settled: Settled | undefined;
  for (let round = 0; round < 2 && (result === undefined || !answered(result)); round++) {
    settled = await settle(send, original);
    ids.push(...settled.exchangeIds);
    if (!settled.ok) return { settled, exchangeIds: ids };
    result = await replay(settled.baseline);
    ids.push(...result.exchangeIds);
  }
  return { ...(result ? { result } : {}), settled: settled!, exchangeIds: ids };
}

/** A confirmation that says whether the target answered at all (so replaySettled knows to retry). */
export type Answered = Confirmation & { answered: boolean };

/** A time-based proof as a confirmation: answered unless a payload or control got no response. */
export function delayConfirmation(proof: DelayProof, summary: string): Answered {
  const answered = !proof.summary.startsWith('no response');
  if (proof.proven) return { confirmed: true, exchangeIds: proof.exchangeIds, summary: `${summary}; ${proof.summary}`, answered };
  return { confirmed: false, exchangeIds: proof.exchangeIds, reason: `the delay did not follow the payload (${proof.summary})`, answered };
}
