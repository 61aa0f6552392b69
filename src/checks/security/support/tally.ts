// src/checks/security/support/tally.ts — what an active check's payloads got back: real answers, rate limits (429,
// 503), server errors, failures. A check whose payloads got no real answer is inconclusive and says why, not clean.
import type { Exchange } from '../../../core/index.js';
import type { CheckContext, CheckResult } from '../../kit/define.js';

/** A response a payload can be judged by: not a rate limit, not a server error, not a failure. */
export const realAnswer = (x: Exchange): boolean => x.response !== undefined && x.response.status !== 429 && x.response.status !== 503 && x.response.status < 500;

export class Tally {
  private real = 0;
  private limited = 0;
  private serverErrors = 0;
  private failed = 0;

  note(x: Exchange): Exchange {
    const s = x.response?.status;
    if (s === undefined) this.failed++;
    else if (s === 429 || s === 503) this.limited++;
    else if (s >= 500) this.serverErrors++;
    else this.real++;
    return x;
  }

  /** `clean` when some payload got a real answer, else `inconclusive` with the counts. */
  result(): CheckResult {
    if (this.real > 0) return { status: 'clean' };
    const parts = [this.limited && `${this.limited} rate-limited (429/503)`, this.serverErrors && `${this.serverErrors} server errors (5xx)`, this.failed && `${this.failed} without a response`].filter(Boolean);
    return { status: 'inconclusive', reason: `no payload got an answer it could be judged by: ${parts.join(', ') || 'nothing was sent'}` };
  }
}

/** The same context whose send() also hands every exchange to `notes` (a tally, a timing reference). */
export function watched<C extends Pick<CheckContext<unknown>, 'send'>>(ctx: C, ...notes: Array<(x: Exchange) => unknown>): C {
  return {
    ...ctx,
    send: async (req: Parameters<CheckContext<unknown>['send']>[0]) => {
      const x = await ctx.send(req);
      for (const n of notes) n(x);
      return x;
    },
  };
}
