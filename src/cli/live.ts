// src/cli/live.ts — the live progress view on a terminal: a block redrawn in place (log-update), lines kept above it.
import { createLogUpdate } from 'log-update';
import type { EventSink, VouchEvent } from '../core/index.js';
import { initialView, reduceView, renderLive, renderSummary, type ViewState } from './live-view.js';

/** What the view needs of a terminal stream (process.stderr, or a fake one in tests). */
export type LiveStream = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number; rows?: number };

export interface LiveOptions {
  /** Where the block is drawn. Default process.stderr. */
  stream?: LiveStream;
  /**
   * Other streams on the same terminal (stdout when it is one): what anything writes to them or to `stream` while the
   * block is shown goes above the block (the block is cleared first and drawn again at the next frame).
   */
  shared?: LiveStream[];
  label?: string;
  now?: () => number;
  /** Time between frames, ms: at most 1000 / frameMs redraws a second. Default 100. */
  frameMs?: number;
  /** Takes the events that come after the scan finished (the report stage), once the block is gone. */
  after?: EventSink;
}

export interface LiveView {
  sink: EventSink;
  /** Draws a frame now (the timer does it every `frameMs`). */
  draw(): void;
  /**
   * Ends the view before the scan finished (an exit, an error): a block on screen is replaced by the summary line;
   * the streams are given back. Idempotent.
   */
  close(): void;
  state(): ViewState;
}

const HIDE_CURSOR = '\u001B[?25l';
const SHOW_CURSOR = '\u001B[?25h';

export function createLiveView(o: LiveOptions = {}): LiveView {
  const stream = o.stream ?? process.stderr;
  const now = o.now ?? ((): number => Date.now());
  const streams = [stream, ...(o.shared ?? []).filter((s) => s !== stream)];
  // The view itself writes with the streams' own `write`, saved before anything else's writes are routed around it.
  const own = stream.write.bind(stream) as (chunk: string) => boolean;
  const terminal = {
    write: (chunk: string): boolean => own(chunk),
    get isTTY() { return stream.isTTY; },
    // A terminal that says 0 × 0 (a pseudo-terminal nobody sized) is drawn as 80 × 24.
    get columns() { return stream.columns || 80; },
    get rows() { return stream.rows || 24; },
  };
  const block = createLogUpdate(terminal as unknown as NodeJS.WritableStream, { showCursor: true });
  let view = initialView();
  let phase: 'idle' | 'live' | 'closed' = 'idle';
  let shown = false;
  /** Something else wrote to the terminal: the block waits for the next event (an error's message stays the last word). */
  let held = false;
  let timer: NodeJS.Timeout | undefined;
  const restore: Array<() => void> = [];

  const clear = (): void => {
    if (!shown) return;
    block.clear();
    shown = false;
  };
  const draw = (): void => {
    if (phase !== 'live' || held) return;
    block(renderLive(view, now(), { width: terminal.columns, ...(o.label ? { label: o.label } : {}) }));
    shown = true;
  };
  /** A line kept in the scrollback, above the block. */
  const above = (line: string): void => {
    clear();
    own(`${o.label ? `[${o.label}] ` : ''}${line}\n`);
    draw();
  };
  const onExit = (): void => close();

  function start(): void {
    phase = 'live';
    for (const s of streams) {
      const original = s.write;
      const routed = (...args: unknown[]): boolean => {
        if (shown) held = true;
        clear();
        return (original as (...a: unknown[]) => boolean).apply(s, args);
      };
      s.write = routed as typeof s.write;
      restore.push(() => void (s.write = original));
    }
    own(HIDE_CURSOR);
    timer = setInterval(draw, o.frameMs ?? 100);
    timer.unref();
    process.once('exit', onExit);
  }

  /** `summary`: always at the end of the scan; otherwise (an exit, an error) only in place of a block on screen. */
  function close(summary = false): void {
    if (phase !== 'live') {
      phase = 'closed';
      return;
    }
    clearInterval(timer);
    process.off('exit', onExit);
    if (summary || shown) block.persist(renderSummary(view, now(), o.label ? { label: o.label } : {}));
    block.done();
    shown = false;
    own(SHOW_CURSOR);
    for (const r of restore.splice(0)) r();
    phase = 'closed';
  }

  const sink = (e: VouchEvent): void => {
    if (phase === 'closed') return o.after?.(e);
    if (phase === 'idle') start();
    held = false;
    view = reduceView(view, e, now());
    if (e.type === 'warning') above(`warning: ${e.message}`);
    else if (e.type === 'task-finished' && e.outcome.status === 'crashed') above(`crashed: ${e.outcome.reason}`);
    else if (e.type === 'scan-finished') close(true);
    else if (e.type === 'scan-started') draw();
  };
  return { sink, draw, close: () => close(), state: () => view };
}
