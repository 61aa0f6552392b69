// src/guard/held.ts — held requests mirrored into the store, and decisions made there (the dashboard) settled here:
// every hold is written as pending; while anything is held the store is polled for approvals and rejections.
import type { GuardHold } from '../core/index.js';
import type { Approvals, PendingApproval } from './approvals.js';

/** What the mirror needs of the store (`GuardStore` of src/store/guard.ts has it). */
export interface HeldStore {
  hold(entry: Omit<GuardHold, 'state' | 'decidedBy' | 'decidedAt'>): Promise<void>;
  settled(ids: readonly string[]): Promise<Array<Pick<GuardHold, 'id' | 'state' | 'decidedBy'>>>;
  close(id: string, state: Exclude<GuardHold['state'], 'pending'>, by?: string): Promise<void>;
}

export interface HeldMirrorOptions {
  session: string;
  /** Poll interval while something is held, ms. Default 300. */
  pollMs?: number;
  /** Applied to the path and rule before they are stored (secrets the guard knows). */
  redact?: (s: string) => string;
  /** One line when the store fails (the hold itself goes on: the approval API still decides it). */
  warn?: (message: string) => void;
}

export interface HeldMirror {
  /** Writes still queued, then stops polling. */
  close(): Promise<void>;
}

/** Watches `approvals`: mirrors holds into `store` and settles holds the store says were decided elsewhere. */
export function mirrorHolds(approvals: Approvals, store: HeldStore, o: HeldMirrorOptions): HeldMirror {
  const pollMs = o.pollMs ?? 300;
  const redact = o.redact ?? ((s: string): string => s);
  /** Holds written to the store and not yet settled. */
  const open = new Set<string>();
  let writes: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let warned = false;
  const fail = (e: unknown): void => {
    if (!warned) o.warn?.(`vouch guard: held requests could not be mirrored to the store (${(e as Error).message}); the approval API still decides them`);
    warned = true;
  };
  // Writes run one after another, so a hold's close never overtakes its insert.
  const write = (fn: () => Promise<void>): void => {
    writes = writes.then(fn).catch(fail);
  };
  const poll = async (): Promise<void> => {
    if (polling || !open.size) return;
    polling = true;
    try {
      await writes;
      const ids = [...open];
      if (!ids.length) return;
      for (const s of await store.settled(ids)) {
        if (!open.delete(s.id)) continue;
        approvals.decide(s.id, s.state === 'approved', s.decidedBy ?? 'store');
      }
    } catch (e) {
      fail(e);
    } finally {
      polling = false;
      if (!open.size && timer) {
        clearInterval(timer);
        timer = undefined;
      }
    }
  };
  approvals.watch({
    held(p: PendingApproval) {
      open.add(p.id);
      write(() => store.hold({ ...p, session: o.session, path: redact(p.path), rule: redact(p.rule) }));
      timer ??= setInterval(() => void poll(), pollMs);
    },
    settled(p, outcome, by) {
      // Settled from the store: already decided there. Otherwise the guard decided: say so in the store.
      if (!open.delete(p.id)) return;
      write(() => store.close(p.id, outcome, by));
    },
  });
  return {
    close: async () => {
      if (timer) clearInterval(timer);
      timer = undefined;
      await writes;
    },
  };
}
