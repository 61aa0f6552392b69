// src/team/schedule.test.ts — a watch interval as a pg-boss cron: minute granularity, even repeats only, clear refusals.
import { expect, it } from 'vitest';
import { parseInterval } from './drift.js';
import { cronOf, roundQueueName } from './schedule.js';

const cron = (s: string): string => cronOf(parseInterval(s), s);

it('turns intervals a cron can repeat evenly into crons (UTC)', () => {
  expect(['1m', '5m', '10m', '30m', '60m', '1h', '2h', '12h', '1d', '24h', '2d'].map(cron)).toEqual(['* * * * *', '*/5 * * * *', '*/10 * * * *', '*/30 * * * *', '0 * * * *', '0 * * * *', '0 */2 * * *', '0 */12 * * *', '0 0 * * *', '0 0 * * *', '0 0 */2 * *']);
});

it('refuses under a minute and uneven repeats, saying which intervals work', () => {
  expect(() => cron('30s')).toThrow(/--every 30s: team mode schedules rounds with pg-boss cron, whose granularity is one minute/);
  expect(() => cron('90s')).toThrow(/cannot repeat every 90s evenly/);
  expect(() => cron('7m')).toThrow(/cannot repeat every 7m evenly/);
  expect(() => cron('5h')).toThrow(/cannot repeat every 5h evenly/);
  expect(() => cronOf(parseInterval('40d'), '40d', 'schedules.0.every')).toThrow(/schedules.0.every 40d/);
});

it('names one schedule queue per target URL', () => {
  expect(roundQueueName('http://a')).toMatch(/^vouch-watch-[0-9a-f]{16}$/);
  expect(roundQueueName('http://a')).not.toBe(roundQueueName('http://b'));
});
