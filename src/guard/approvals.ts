// src/guard/approvals.ts — requests held for a person: each waits for approve / reject through the approval API, or
// times out to a denial. The pending list is what the API (and later the dashboard) shows.
import { randomUUID } from 'node:crypto';

/** A held request as the approval API lists it. */
export interface PendingApproval {
  id: string;
  agent: string;
  method: string;
  path: string;
  operation?: string;
  /** The approval rule that held it (`approval: POST /api/orders`). */
  rule: string;
  requestBytes: number;
  /** ISO times. */
  heldAt: string;
  expiresAt: string;
}

export type ApprovalOutcome = 'approved' | 'rejected' | 'timeout';

export class Approvals {
  private readonly pending = new Map<string, { entry: PendingApproval; settle: (o: ApprovalOutcome) => void }>();

  constructor(private readonly timeoutMs: number) {}

  /** Holds a request; resolves when a person decides, the hold times out, or `signal` aborts (the agent left). */
  hold(what: Omit<PendingApproval, 'id' | 'heldAt' | 'expiresAt'>, signal: AbortSignal, onHeld?: (p: PendingApproval) => void): Promise<ApprovalOutcome> {
    const id = randomUUID();
    const now = Date.now();
    const entry: PendingApproval = { id, ...what, heldAt: new Date(now).toISOString(), expiresAt: new Date(now + this.timeoutMs).toISOString() };
    return new Promise((resolve) => {
      const done = (o: ApprovalOutcome): void => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', abandon);
        resolve(o);
      };
      const abandon = (): void => done('timeout');
      const timer = setTimeout(() => done('timeout'), this.timeoutMs);
      this.pending.set(id, { entry, settle: done });
      signal.addEventListener('abort', abandon, { once: true });
      onHeld?.(entry);
    });
  }

  list(): PendingApproval[] {
    return [...this.pending.values()].map((p) => p.entry);
  }

  /** Approves or rejects a held request; false when no such request is waiting. */
  decide(id: string, approve: boolean): boolean {
    const p = this.pending.get(id);
    if (!p) return false;
    p.settle(approve ? 'approved' : 'rejected');
    return true;
  }

  /** Denies everything still waiting (shutdown). */
  rejectAll(): void {
    for (const p of [...this.pending.values()]) p.settle('timeout');
  }
}
