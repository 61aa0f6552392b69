// src/team/schedule.ts — continuous verification in team mode: a watch interval as a pg-boss cron, and the queue each target's schedule sends its rounds to.
import { createHash } from 'node:crypto';
import { VouchError } from '../core/index.js';
import type { Webhook } from './webhooks.js';

/** What a schedule sends each time its cron fires (and `vouch watch` once at once): enough for any worker to run the round. */
export interface RoundData {
  url: string;
  /** `--check` ids, when the watch was limited to some checks. */
  check?: string;
  webhooks: Webhook[];
  /** The vouch.yaml the watch was started with (its text: a worker may run elsewhere; secrets stay `${ENV}`). */
  config?: { name: string; text: string };
  /** The interval as given (shown in logs). */
  every: string;
  /** discovery.har / discovery.postman of that vouch.yaml, as file contents read where the watch was started. */
  har?: { name: string; text: string }[];
  postman?: { name: string; text: string }[];
}

/** Schedule queues share this prefix; workers take rounds from every queue that has a schedule under it. */
export const ROUND_QUEUE_PREFIX = 'vouch-watch-';

/** One schedule per target URL (pg-boss keys a schedule by its queue's name). */
export function roundQueueName(url: string): string {
  return `${ROUND_QUEUE_PREFIX}${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;
}

const MINUTE = 60_000;

/**
 * The cron that runs every `everyMs` (pg-boss checks cron once a minute: its granularity is one minute).
 * Under a minute, or an interval a cron cannot repeat evenly (90m, 5h), is refused with the intervals that work.
 */
export function cronOf(everyMs: number, given: string, what = '--every'): string {
  const hint = 'In team mode rounds are pg-boss cron schedules: give 1m to 30m dividing an hour (1m, 5m, 10m, 15m, 30m), 1h to 12h dividing a day, or whole days (1d, 2d). Without VOUCH_DATABASE_URL, watch runs an in-process timer that takes any interval from 1s.';
  if (everyMs < MINUTE) throw new VouchError('VOUCH_USAGE', `${what} ${given}: team mode schedules rounds with pg-boss cron, whose granularity is one minute; ${given} is too short`, { hint });
  const m = everyMs / MINUTE;
  if (Number.isInteger(m) && m < 60 && 60 % m === 0) return m === 1 ? '* * * * *' : `*/${m} * * * *`;
  const h = m / 60;
  if (Number.isInteger(h) && h < 24 && 24 % h === 0) return h === 1 ? '0 * * * *' : `0 */${h} * * *`;
  const d = h / 24;
  if (Number.isInteger(d) && d >= 1 && d <= 31) return d === 1 ? '0 0 * * *' : `0 0 */${d} * *`;
  throw new VouchError('VOUCH_USAGE', `${what} ${given}: a cron schedule cannot repeat every ${given} evenly`, { hint });
}
