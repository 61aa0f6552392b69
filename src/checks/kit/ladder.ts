// src/checks/kit/ladder.ts — what the bounded ladders (redos, unbounded-work) measure on each rung: time and body
// size of an answer, whether our own timeout cut it (slowness too), the median of repeated rounds, and the safe-mode
// guard they share.
import type { Exchange } from '../../core/index.js';
import type { Guard } from './guards.js';

/** An answer's total time, whole ms. */
export const ms = (x: Exchange): number => Math.round(x.timing.totalMs);

/** No answer because our own timeout cut the request: it took at least that long. */
export const timedOut = (x: Exchange): boolean =>
  x.response === undefined && /timeout|timed out/i.test(`${x.error?.code ?? ''} ${x.error?.message ?? ''}`);

/** An answer whose time can be judged: any response, or our own timeout. */
export const timed = (x: Exchange): boolean => x.response !== undefined || timedOut(x);

/** Body bytes of an answer (decoded); a body cut at the engine's cap counts as at least its declared length. */
export function bodyBytes(x: Exchange): number {
  const res = x.response;
  if (!res) return 0;
  const got = res.bodyEncoding === 'base64' ? Buffer.from(res.body, 'base64').length : Buffer.byteLength(res.body, 'utf8');
  const declared = Number(res.headers.find(([k]) => k.toLowerCase() === 'content-length')?.[1]);
  return res.truncated && Number.isFinite(declared) ? Math.max(got, declared) : got;
}

/** The middle value (the mean of the two middle ones for an even count): a rung's usual time, one slow answer aside. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Never in safe mode: a ladder is built to make the server work harder at every rung. */
export const notUnderSafeMode =
  (what: string): Guard =>
  (_op, env) =>
    env.safeMode ? `safe mode: ${what}` : undefined;
