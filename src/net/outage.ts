// src/net/outage.ts — tells a target that stopped answering from one operation's connection errors (a probe of a
// known-good request), pauses sending while it is down, probes with bounded back-off, and records each outage as data.
import { VouchError } from '../core/index.js';
import type { Exchange, Outage } from '../core/index.js';

/** Stable prefix of the reason a scan stops with when the target never answered again (`report.partial.reason`). */
export const TARGET_UNAVAILABLE = 'target-unavailable';

export interface OutageOptions {
  /** Longest wait for the target to answer again after it stopped, ms. Default 60,000. */
  maxWaitMs?: number;
  /** Pause before the first recovery probe, ms; it doubles after each failed probe. Default 250. */
  firstDelayMs?: number;
  /** Longest pause between two recovery probes, ms. Default 5,000. */
  maxDelayMs?: number;
  /** Timeout of one probe, ms. Default 5,000 (or the engine's request timeout when shorter). */
  probeTimeoutMs?: number;
  /** Path of the probe (a GET, anonymous). Default: the target URL. */
  probePath?: string;
}

/** Defaults of the outage options, in one place for the engine, vouch.yaml and the docs. */
export const OUTAGE_DEFAULTS = { maxWaitMs: 60_000, firstDelayMs: 250, maxDelayMs: 5_000, probeTimeoutMs: 5_000 } as const satisfies Required<Omit<OutageOptions, 'probePath'>>;

/**
 * The engine option from `budget.outage` in vouch.yaml: on by default (60 s), `waitMs: 0` turns the watch off (the
 * circuit breaker alone, as before).
 */
export function outageWatch(o: { waitMs?: number; probePath?: string | undefined; probeTimeoutMs?: number } | undefined): { outage?: OutageOptions } {
  if (o?.waitMs === 0) return {};
  return { outage: { maxWaitMs: o?.waitMs ?? OUTAGE_DEFAULTS.maxWaitMs, ...(o?.probePath ? { probePath: o.probePath } : {}), ...(o?.probeTimeoutMs ? { probeTimeoutMs: o.probeTimeoutMs } : {}) } };
}

/** Errors that say nothing answered at all: refused, reset, closed, timed out. A partial body (with a status) is not one. */
const CONNECTION_CODES = new Set(['TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** True when a request got no response because the connection failed or timed out. */
export const connectionFailure = (x: Exchange): boolean => !x.response && x.error !== undefined && CONNECTION_CODES.has(x.error.code);

/** The connection was never accepted: refused, no route, or the TCP connect itself timed out. */
const neverConnected = (x: Exchange): boolean => /^(ECONNREFUSED|EHOSTUNREACH|ENETUNREACH)$/.test(x.error?.code ?? '') || /connect timeout/i.test(x.error?.message ?? '');

/** What the engine does with a request that failed to connect: give it back as it is, or send it once more. */
export type AfterFailure = 'keep' | 'retry';

export interface OutageWatchDeps {
  /** Sends one probe (GET of a known-good URL, bypassing the pause); an exchange with a response means it answers. */
  probe: () => Promise<Exchange>;
  /** The origin watched, for records and messages. */
  origin: string;
  now?: () => number;
  /** Waits `ms` (interruptible by the scan's signal: it then resolves early and the next probe is refused). */
  sleep?: (ms: number) => Promise<void>;
}

/** One run of failures being judged: a probe decides whether the target is down, then recovery is waited for. */
interface Episode {
  joined: Exchange[];
  result: Promise<'up' | 'recovered' | 'down'>;
  record?: Outage;
  /** Nothing had answered before the first failure: the target may have been down already, so it is retried too. */
  retryFirst?: boolean;
}

const RING = 16;
const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const clock = (t: number): string => new Date(t).toISOString().slice(11, 19) + 'Z';

/**
 * The engine's outage watch. `gate()` before a request (a promise while sending is paused), `note()` after every
 * request, `failed()` for a request that got no response: it probes once (the operation's own problem when the probe
 * answers), else pauses, probes with back-off up to `maxWaitMs`, and says whether to send the request again.
 */
export class OutageWatch {
  private readonly opts: Required<Omit<OutageOptions, 'probePath'>>;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly list: Outage[] = [];
  /** The last requests that settled (probes excluded), oldest first: where suspects come from. */
  private readonly recent: Exchange[] = [];
  private episode: Episode | undefined;
  private paused: Promise<void> | undefined;
  private down: VouchError | undefined;
  /** The target answered at least once: from then on, a connection it refuses is an outage, not a wrong URL. */
  private answered = false;

  constructor(
    options: OutageOptions,
    private readonly deps: OutageWatchDeps,
  ) {
    this.opts = {
      maxWaitMs: options.maxWaitMs ?? OUTAGE_DEFAULTS.maxWaitMs,
      firstDelayMs: options.firstDelayMs ?? OUTAGE_DEFAULTS.firstDelayMs,
      maxDelayMs: options.maxDelayMs ?? OUTAGE_DEFAULTS.maxDelayMs,
      probeTimeoutMs: options.probeTimeoutMs ?? OUTAGE_DEFAULTS.probeTimeoutMs,
    };
    this.now = deps.now ?? Date.now;
    this.sleep = deps.sleep ?? defaultSleep;
  }

  /** undefined when a request may go now; else a promise settled when sending resumes (rejected: the target is gone). */
  gate(): Promise<void> | undefined {
    if (this.down) return Promise.reject(this.down);
    return this.paused?.then(() => {
      if (this.down) throw this.down;
    });
  }

  /** Every request that settled (not probes): the most recent ones sent become suspects when an outage begins. */
  note(x: Exchange): void {
    if (x.response) this.answered = true;
    // Refusals (scope, safe mode) never left: they cannot have brought anything down.
    else if (!connectionFailure(x)) return;
    this.recent.push(x);
    if (this.recent.length > RING) this.recent.shift();
  }

  /** The outages so far, in order. */
  outages(): readonly Outage[] {
    return this.list;
  }

  /** A request that got no response (`connectionFailure`): keep it, or retry it once the target answers again. */
  async failed(x: Exchange): Promise<AfterFailure> {
    if (this.down) throw this.down;
    // It was sent before a recovered outage ended (it was in flight, waiting for its timeout): retry it.
    const past = this.list.find((o) => o.recovered && o.endedAt !== undefined && x.timing.startedAt >= o.startedAt && x.timing.startedAt <= o.endedAt);
    if (past) {
      if (past.suspects.includes(x.id)) return 'keep';
      past.failed.push(x.id);
      return 'retry';
    }
    // Nothing ever answered and nothing accepted the connection: the target is unreachable (a wrong URL, not started),
    // which the caller reports at once. A timeout or reset after connecting is a target that hangs: that is waited for.
    if (!this.answered && neverConnected(x)) return 'keep';
    const episode = (this.episode ??= this.begin());
    episode.joined.push(x);
    const result = await episode.result;
    if (result === 'down') throw this.down!;
    if (result === 'up') {
      if (x.error) x.error.message += ' (the target kept answering: a probe got a response, so this is the operation’s own failure)';
      return 'keep';
    }
    if (episode.record?.suspects[0] === x.id && !episode.retryFirst) {
      if (x.error) x.error.message += ` (the first request that failed in ${episode.record.id}: a suspected cause, not retried)`;
      return 'keep';
    }
    return 'retry';
  }

  /** A failed request was sent again after recovery (`again` is the retry's exchange). */
  retried(x: Exchange, again: Exchange): void {
    const o = this.list.find((r) => r.failed.includes(x.id));
    if (o) o.retried.push(x.id);
    if (again.response) (again.response.notes ??= []).push(`sent again after ${o?.id ?? 'an outage'}: exchange ${x.id} got no response (${x.error?.code ?? 'error'}) while the target was not answering`);
  }

  private begin(): Episode {
    const episode: Episode = { joined: [], result: Promise.resolve('up') };
    episode.result = this.judge(episode).finally(() => {
      if (this.episode === episode) this.episode = undefined;
    });
    return episode;
  }

  /** Pause, and probe once: an answer means the failures are their operations' own. Else wait for recovery. */
  private async judge(episode: Episode): Promise<'up' | 'recovered' | 'down'> {
    // Sending waits from the first failure on: while the target is judged, more requests would only fail too.
    let release: () => void = () => undefined;
    this.paused = new Promise<void>((resolve) => (release = resolve));
    try {
      const first = await this.deps.probe();
      if (first.response) return 'up';
      const detectedAt = this.now();
      const earliest = episode.joined.reduce((a, b) => (b.timing.startedAt < a.timing.startedAt ? b : a));
      const record: Outage = { id: `outage-${this.list.length + 1}`, origin: this.deps.origin, suspects: [], failed: [], probes: [first.id], retried: [], startedAt: earliest.timing.startedAt, detectedAt, recovered: false };
      this.list.push(record);
      episode.record = record;
      let delay = this.opts.firstDelayMs;
      let answered: Exchange | undefined;
      while (!answered) {
        const left = this.opts.maxWaitMs - (this.now() - detectedAt);
        if (left <= 0) break;
        await this.sleep(Math.min(delay, left));
        delay = Math.min(delay * 2, this.opts.maxDelayMs);
        const p = await this.deps.probe();
        record.probes.push(p.id);
        if (p.response) answered = p;
      }
      // Everything that failed while the probes ran has joined by now: the earliest of them starts the suspects.
      const failedNow = [...episode.joined].sort((a, b) => a.timing.startedAt - b.timing.startedAt);
      const prime = failedNow[0]!;
      record.startedAt = prime.timing.startedAt;
      record.failed = failedNow.map((x) => x.id);
      const before = this.recent.filter((x) => x !== prime && x.timing.startedAt <= prime.timing.startedAt && !record.failed.includes(x.id));
      record.suspects = [prime.id, ...before.reverse().slice(0, 2).map((x) => x.id)];
      episode.retryFirst = !before.some((x) => x.response !== undefined);
      if (answered) {
        record.endedAt = this.now();
        record.recovered = true;
        return 'recovered';
      }
      const waited = Math.round(this.opts.maxWaitMs / 1000);
      this.down = new VouchError(
        'VOUCH_TARGET_UNAVAILABLE',
        `${TARGET_UNAVAILABLE}: ${this.deps.origin} stopped answering at ${clock(record.startedAt)} (first failure: ${prime.request.method} ${prime.request.url}, exchange ${prime.id}, ${prime.error?.code ?? 'no response'}) and did not answer ${record.probes.length} probes within ${waited} s; vouch stopped sending`,
        { hint: 'Look at the target’s logs around that request; budget.outage.waitMs in vouch.yaml sets how long vouch waits.' },
      );
      record.reason = this.down.message;
      return 'down';
    } finally {
      this.paused = undefined;
      release();
    }
  }
}
