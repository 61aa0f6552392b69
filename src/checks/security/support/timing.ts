// src/checks/security/support/timing.ts — time-based proof: a payload asking for d seconds of delay is slower than
// a control sent in the same run by about d, twice the delay doubles it, and the same payload with 0 s is not slow.
// Never an absolute threshold alone, so a uniformly slow target proves nothing.
import type { Exchange, SendRequest } from '../../../core/index.js';
import type { CheckContext } from '../../kit/define.js';

/** Delays asked for, in seconds: the first for probing, both for proof. Capped in safe mode (no long sleeps). */
export function delays(ctx: CheckContext<{ delaySeconds: number }>): [number, number] {
  const d = ctx.safeMode ? Math.min(ctx.options.delaySeconds, 1) : ctx.options.delaySeconds;
  return [d, 2 * d];
}

const ms = (x: Exchange): number => x.timing.totalMs;

/** A probe worth proving: slower than its control by at least 80 % of the delay asked for. */
export function slowerBy(probe: Exchange, control: Exchange, seconds: number): boolean {
  return Boolean(probe.response) && Boolean(control.response) && ms(probe) - ms(control) >= 0.8 * seconds * 1000;
}

/**
 * The fastest answered exchange of an operation so far: the reference a time probe must beat. Every quick answer
 * (the original request, error and boolean probes) is a natural control, so one slow cold start hides nothing.
 */
export class FastestAnswer {
  constructor(private best: Exchange) {}
  note(x: Exchange): Exchange {
    if (x.response && x.timing.totalMs < this.best.timing.totalMs) this.best = x;
    return x;
  }
  get exchange(): Exchange {
    return this.best;
  }
}

export interface DelayProof {
  proven: boolean;
  exchangeIds: string[];
  /** One line: the measured delays against their controls. */
  summary: string;
}

/**
 * Sends, in this order: control, payload(0), control, payload(d1), control, payload(d2). Proven when payload(0) is
 * within half of d1 of its control, payload(d1) is ≥ 80 % of d1 slower than its control, payload(d2) ≥ 80 % of d2
 * slower than its own, and d2's extra exceeds d1's by at least half the difference (delay follows the payload).
 */
export async function proveDelay(
  send: (req: SendRequest) => Promise<Exchange>,
  payload: (seconds: number) => SendRequest,
  control: () => SendRequest,
  [d1, d2]: [number, number],
): Promise<DelayProof> {
  const ids: string[] = [];
  const extra: number[] = [];
  for (const d of [0, d1, d2]) {
    const c = await send(control());
    const p = await send(payload(d));
    ids.push(p.id, c.id);
    if (!c.response || !p.response) return { proven: false, exchangeIds: ids, summary: `no response to the ${d} s ${!p.response ? 'payload' : 'control'}` };
    extra.push(ms(p) - ms(c));
  }
  const [e0, e1, e2] = extra as [number, number, number];
  const summary = `extra delay over same-run controls: ${Math.round(e0)} ms for 0 s, ${Math.round(e1)} ms for ${d1} s, ${Math.round(e2)} ms for ${d2} s`;
  const proven = e0 < 500 * d1 && e1 >= 800 * d1 && e2 >= 800 * d2 && e2 - e1 >= 500 * (d2 - d1);
  return { proven, exchangeIds: ids, summary };
}
