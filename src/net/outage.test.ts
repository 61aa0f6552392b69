// src/net/outage.test.ts — the outage watch on a fake clock: one probe tells an operation's failure from an outage,
// back-off probes until recovery (30 s here, instantly), suspects, retries, and a target that never answers again.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../core/index.js';
import { parseConfig } from '../config/index.js';
import { OutageWatch, outageWatch, TARGET_UNAVAILABLE, type OutageOptions } from './outage.js';

let n = 0;
const ex = (startedAt: number, ok: boolean, extra: Partial<Exchange> = {}): Exchange => ({
  id: `x${String(++n).padStart(6, '0')}`,
  request: { method: 'GET', url: 'http://127.0.0.1:1/a', headers: [] },
  timing: { startedAt, totalMs: 10 },
  identity: 'anonymous',
  ...(ok ? { response: { status: 200, headers: [], body: '' } } : { error: { code: 'TIMEOUT', message: 'timeout' } }),
  ...extra,
});

/** A watch whose probes answer from `upAt` on (fake ms), with a clock that sleeps instantly. */
function setup(upAt: number | ((t: number) => boolean), options: OutageOptions = {}): { watch: OutageWatch; sleeps: number[]; probes: Exchange[]; clock: { t: number } } {
  const clock = { t: 1_000 };
  const sleeps: number[] = [];
  const probes: Exchange[] = [];
  const watch = new OutageWatch(options, {
    origin: 'http://127.0.0.1:1',
    now: () => clock.t,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
    probe: () => {
      const p = ex(clock.t, typeof upAt === 'number' ? clock.t >= upAt : upAt(clock.t));
      probes.push(p);
      return Promise.resolve(p);
    },
  });
  return { watch, sleeps, probes, clock };
}

describe('outage watch', () => {
  it('a failure while a probe answers is the operation’s own: kept, no pause, no outage', async () => {
    const { watch, probes } = setup(0);
    const failed = ex(900, false);
    expect(await watch.failed(failed)).toBe('keep');
    expect(probes).toHaveLength(1);
    expect(watch.outages()).toEqual([]);
    expect(watch.gate()).toBeUndefined();
    expect(failed.error?.message).toMatch(/the target kept answering/);
  });

  it('pauses, backs off until the target answers again 30 s later, keeps the first failure, retries the others', async () => {
    const { watch, sleeps, probes, clock } = setup(31_000);
    const before = [ex(800, true), ex(850, true, { request: { method: 'POST', url: 'http://127.0.0.1:1/crash', headers: [] } })];
    for (const x of before) watch.note(x);
    const crash = before[1]!;
    const first = ex(860, false);
    const second = ex(870, false);
    const a = watch.failed(second);
    const b = watch.failed(first);
    // While the probes run, sending waits at the gate.
    const gate = watch.gate();
    expect(gate).toBeInstanceOf(Promise);
    expect(await a).toBe('retry');
    expect(await b).toBe('keep');
    await gate;
    expect(watch.gate()).toBeUndefined();
    const [o] = watch.outages();
    expect(o).toMatchObject({ id: 'outage-1', recovered: true, startedAt: 860, detectedAt: 1_000, suspects: [first.id, crash.id, before[0]!.id], failed: [first.id, second.id] });
    expect(o!.endedAt).toBe(clock.t);
    expect(o!.endedAt! - o!.detectedAt).toBeGreaterThanOrEqual(30_000);
    expect(o!.probes).toEqual(probes.map((p) => p.id));
    // Bounded exponential back-off: doubling from 250 ms, capped at 5 s.
    expect(sleeps.slice(0, 6)).toEqual([250, 500, 1_000, 2_000, 4_000, 5_000]);
    expect(Math.max(...sleeps)).toBe(5_000);
    expect(first.error?.message).toMatch(/suspected cause, not retried/);
  });

  it('a request in flight during a recovered outage that fails later is retried', async () => {
    const { watch } = setup(2_000);
    await watch.failed(ex(900, false));
    const late = ex(1_500, false);
    expect(await watch.failed(late)).toBe('retry');
    expect(watch.outages()[0]!.failed).toContain(late.id);
  });

  it('a target that never answers again: every failure and every later send reject with target-unavailable', async () => {
    const { watch, sleeps } = setup(Number.POSITIVE_INFINITY, { maxWaitMs: 10_000 });
    const failure = watch.failed(ex(900, false));
    await expect(failure).rejects.toMatchObject({ code: 'VOUCH_TARGET_UNAVAILABLE', message: expect.stringMatching(new RegExp(`^${TARGET_UNAVAILABLE}: http://127.0.0.1:1 stopped answering`)) as string });
    // The wait is bounded by maxWaitMs: the last pause is cut to what is left.
    expect(sleeps.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(watch.outages()[0]).toMatchObject({ recovered: false, reason: expect.stringMatching(/^target-unavailable: /) as string });
    expect(watch.outages()[0]!.endedAt).toBeUndefined();
    await expect(watch.gate()).rejects.toMatchObject({ code: 'VOUCH_TARGET_UNAVAILABLE' });
    await expect(watch.failed(ex(20_000, false))).rejects.toMatchObject({ code: 'VOUCH_TARGET_UNAVAILABLE' });
  });

  it('a second outage after recovery is recorded on its own; a failure between them is kept', async () => {
    const { watch, clock } = setup((t) => (t >= 1_500 && t < 9_000) || t >= 12_000);
    await watch.failed(ex(900, false));
    clock.t = 5_000;
    expect(await watch.failed(ex(4_990, false))).toBe('keep');
    clock.t = 10_000;
    watch.note(ex(9_980, true));
    expect(await watch.failed(ex(9_990, false))).toBe('keep');
    expect(watch.outages().map((o) => [o.id, o.recovered, o.startedAt])).toEqual([
      ['outage-1', true, 900],
      ['outage-2', true, 9_990],
    ]);
  });
});

describe('budget.outage → the engine option', () => {
  it('on by default with a 60 s wait; waitMs 0 turns it off; vouch.yaml values pass through and are checked', () => {
    expect(outageWatch(undefined)).toEqual({ outage: { maxWaitMs: 60_000 } });
    expect(outageWatch({ waitMs: 0 })).toEqual({});
    const config = parseConfig('budget:\n  outage: { waitMs: 5000, probePath: /health, probeTimeoutMs: 300 }\n', 'vouch.yaml', {});
    expect(outageWatch(config.budget.outage)).toEqual({ outage: { maxWaitMs: 5_000, probePath: '/health', probeTimeoutMs: 300 } });
    expect(() => parseConfig('budget:\n  outage: { waitMs: -1 }\n', 'vouch.yaml', {})).toThrow(/budget\.outage\.waitMs/);
    expect(() => parseConfig('budget:\n  outage: { probePath: health }\n', 'vouch.yaml', {})).toThrow(/budget\.outage\.probePath/);
  });
});
