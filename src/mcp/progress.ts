// src/mcp/progress.ts — a run's events as MCP progress notifications (only when the client sent a progressToken).
import type { EventSink, VouchEvent } from '../core/index.js';

/** A progress notification's params (MCP `notifications/progress`). */
export interface ProgressParams {
  progressToken: string | number;
  progress: number;
  total?: number;
  message: string;
}

/** Task progress is sent at most this often (stage and verdict messages always), ms. */
export const PROGRESS_EVERY_MS = 500;

/** What an event says to a person following the run, or undefined when it is not worth a notification. */
export function progressMessage(e: VouchEvent, label?: string): { message: string; always: boolean } | undefined {
  const tag = label ? `[${label}] ` : '';
  switch (e.type) {
    case 'scan-started':
      return { message: `${tag}scan ${e.scanId} of ${e.target}`, always: true };
    case 'stage-finished':
      return { message: `${tag}${e.stage} done${e.detail ? `: ${e.detail}` : ''} (${e.ms} ms)`, always: true };
    case 'stage-progress':
      return { message: `${tag}${e.stage}: ${e.detail}`, always: false };
    case 'task-finished':
      return { message: `${tag}execute: ${e.done}/${e.total} tasks`, always: e.done === e.total };
    case 'stage-deadline':
      return { message: `${tag}${e.stage}: deadline reached, ending with what it has`, always: true };
    case 'warning':
      return { message: `${tag}warning: ${e.message}`, always: true };
    case 'verdict':
      return { message: `${tag}verdict: ${e.verdict.status}`, always: true };
    default:
      return undefined;
  }
}

/**
 * A sink per run label turning events into progress notifications through `send`. `progress` only grows (one step per
 * notification, as MCP requires); No `total`: a scan's length is not known ahead. Without a token: nothing is sent.
 */
export function progressNotifier(
  token: string | number | undefined,
  send: (p: ProgressParams) => void,
  now: () => number = Date.now,
): (label?: string) => EventSink {
  if (token === undefined) return () => () => undefined;
  let step = 0;
  let last = -Infinity;
  return (label) => (e) => {
    const said = progressMessage(e, label);
    if (!said) return;
    const at = now();
    if (!said.always) {
      if (at - last < PROGRESS_EVERY_MS) return;
      last = at;
    }
    step += 1;
    send({ progressToken: token, progress: step, message: said.message });
  };
}
