// src/cli/progress.ts — turns engine events into progress on stderr: a live view on a terminal, plain lines elsewhere,
// or NDJSON on stdout (--json).
import type { EventSink, VouchEvent } from '../core/index.js';
import { createLiveView, type LiveStream } from './live.js';
import { initialView, reduceView, renderSummary, renderTasksLine } from './live-view.js';

export interface ProgressOptions {
  json: boolean;
  quiet: boolean;
  /** Prefix for lines, e.g. `baseline` / `candidate`. */
  label?: string;
  /** The live view instead of lines. Default: stderr is a terminal and `CI` is not set. */
  live?: boolean;
  /** Where progress goes. Default process.stderr. */
  stream?: LiveStream;
  now?: () => number;
}

/** A plain progress line about the execute stage at most this often (besides every 10 % of tasks), ms. */
const PLAIN_EVERY_MS = 10_000;

/** Whether progress is drawn live: on a terminal, outside CI. */
export function wantsLive(stream: LiveStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !env.CI;
}

export function progressSink(opts: ProgressOptions): EventSink {
  if (opts.json) {
    return (e: VouchEvent) => {
      const { type, ...rest } = e;
      process.stdout.write(JSON.stringify({ type, ...(opts.label ? { label: opts.label } : {}), ...rest }) + '\n');
    };
  }
  if (opts.quiet) return () => undefined;
  const stream = opts.stream ?? process.stderr;
  const plain = plainSink(opts, stream);
  if (!(opts.live ?? wantsLive(stream))) return plain;
  const shared = stream === process.stderr && process.stdout.isTTY ? [process.stdout] : [];
  const extra = { ...(opts.label ? { label: opts.label } : {}), ...(opts.now ? { now: opts.now } : {}) };
  return createLiveView({ stream, shared, after: plain, ...extra }).sink;
}

/** One line per stage, a line every 10 % of tasks or 10 s with done/total, req/s and ETA, and a closing summary. */
function plainSink(opts: ProgressOptions, stream: LiveStream): EventSink {
  const now = opts.now ?? ((): number => Date.now());
  const tag = opts.label ? `[${opts.label}] ` : '';
  const line = (s: string): void => void stream.write(`${tag}${s}\n`);
  let view = initialView();
  let lastStep = -1;
  let lastAt = 0;
  return (e: VouchEvent) => {
    const at = now();
    view = reduceView(view, e, at);
    switch (e.type) {
      case 'scan-started':
        line(`scan ${e.scanId} of ${e.target}`);
        break;
      case 'stage-finished':
        line(`${e.stage.padEnd(10)} ${e.detail ?? ''} (${e.ms} ms)`);
        break;
      case 'stage-progress':
        line(`${e.stage.padEnd(10)} … ${e.detail} (${Math.round(e.ms / 1000)} s)`);
        break;
      case 'stage-deadline':
        line(`${e.stage.padEnd(10)} deadline of ${Math.round(e.deadlineMs / 1000)} s reached: ending with what it has`);
        break;
      case 'task-finished': {
        const step = Math.floor((e.done / e.total) * 10);
        if (step !== lastStep || e.done === e.total || at - lastAt >= PLAIN_EVERY_MS) {
          lastStep = step;
          lastAt = at;
          line(renderTasksLine(view, at));
        }
        if (e.outcome.status === 'crashed') line(`  crashed: ${e.outcome.reason}`);
        break;
      }
      case 'warning':
        line(`warning: ${e.message}`);
        break;
      case 'scan-finished':
        line(renderSummary(view, at));
        break;
      default:
        break;
    }
  };
}
