// src/guard/approvals.ts — requests held for a person: each waits for approve / reject through the approval API, or
// times out to a denial. The pending list is what the API shows; a watcher (held.ts) mirrors holds for the dashboard.
import { randomUUID } from 'node:crypto';
import type { GuardHold } from '../core/index.js';

/** A held request as the approval API lists it: core's `GuardHold` without the store's session and state. */
export type PendingApproval = Omit<GuardHold, 'session' | 'state' | 'decidedBy' | 'decidedAt'>;

export type ApprovalOutcome = 'approved' | 'rejected' | 'timeout';

/** Told of every hold and how it ended (the CLI mirrors holds into the store for the dashboard with it). */
export interface ApprovalWatcher {
  held(p: PendingApproval): void;
  /** `by`: who decided (`approval API`, or the `by` given to `decide`), `timeout`, or `agent gone`. */
  settled(p: PendingApproval, outcome: ApprovalOutcome, by: string): void;
}

export class Approvals {
  private readonly pending = new Map<string, { entry: PendingApproval; settle: (o: ApprovalOutcome, by: string) => void }>();
  private watcher: ApprovalWatcher | undefined;

  constructor(private readonly timeoutMs: number) {}

  /** Holds a request; resolves when a person decides, the hold times out, or `signal` aborts (the agent left). */
  hold(what: Omit<PendingApproval, 'id' | 'heldAt' | 'expiresAt'>, signal: AbortSignal, onHeld?: (p: PendingApproval) => void): Promise<ApprovalOutcome> {
    const id = randomUUID();
    const now = Date.now();
    const entry: PendingApproval = { id, ...what, heldAt: new Date(now).toISOString(), expiresAt: new Date(now + this.timeoutMs).toISOString() };
    return new Promise((resolve) => {
      const done = (o: ApprovalOutcome, by: string): void => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', abandon);
        this.watcher?.settled(entry, o, by);
        resolve(o);
      };
      const abandon = (): void => done('timeout', 'agent gone');
      const timer = setTimeout(() => done('timeout', 'timeout'), this.timeoutMs);
      this.pending.set(id, { entry, settle: done });
      signal.addEventListener('abort', abandon, { once: true });
      this.watcher?.held(entry);
      onHeld?.(entry);
    });
  }

  /** Sets the one watcher told of holds and their ends. */
  watch(w: ApprovalWatcher): void {
    this.watcher = w;
  }

  list(): PendingApproval[] {
    return [...this.pending.values()].map((p) => p.entry);
  }

  /** Approves or rejects a held request; false when no such request is waiting. */
  decide(id: string, approve: boolean, by = 'approval API'): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    p.settle(approve ? 'approved' : 'rejected', by);
    return true;
  }

  /** Denies everything still waiting (shutdown). */
  rejectAll(): void {
    for (const p of [...this.pending.values()]) p.settle('timeout', 'guard closed');
  }
}
