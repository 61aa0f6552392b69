// src/cli/progress.ts — turns engine events into progress on stderr (one line per event) or NDJSON on stdout (--json).
import type { EventSink, VouchEvent } from '../core/index.js';

export interface ProgressOptions {
  json: boolean;
  quiet: boolean;
  /** Prefix for lines, e.g. `baseline` / `candidate`. */
  label?: string;
}

export function progressSink(opts: ProgressOptions): EventSink {
  let lastPct = -1;
  const tag = opts.label ? `[${opts.label}] ` : '';
  const line = (s: string): void => {
    if (!opts.quiet) process.stderr.write(`${tag}${s}\n`);
  };
  return (e: VouchEvent) => {
    if (opts.json) {
      const { type, ...rest } = e;
      process.stdout.write(JSON.stringify({ type, ...(opts.label ? { label: opts.label } : {}), ...rest }) + '\n');
      return;
    }
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
        const pct = Math.floor((e.done / e.total) * 10) * 10;
        if (pct !== lastPct && (pct % 20 === 0 || e.done === e.total)) {
          lastPct = pct;
          line(`execute    ${e.done}/${e.total} tasks (${pct}%)`);
        }
        if (e.outcome.status === 'crashed') line(`  crashed: ${e.outcome.reason}`);
        break;
      }
      case 'warning':
        line(`warning: ${e.message}`);
        break;
      case 'scan-finished':
        if (e.partial) line('the scan stopped early: the report says which tasks did not run');
        break;
      default:
        break;
    }
  };
}
