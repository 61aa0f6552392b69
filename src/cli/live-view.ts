// src/cli/live-view.ts — the progress state built from engine events and its pure renderings (live block, plain lines).
import type { Stage, VouchEvent } from '../core/index.js';

/** The stages a scan shows; `logins` is the time between discovery and the plan (identities log in, deployment). */
export type ViewStage = Stage | 'logins';
export const VIEW_STAGES: readonly ViewStage[] = ['discover', 'logins', 'plan', 'execute', 'confirm', 'prioritize', 'report'];

/** How far back requests/s looks, ms. */
const RATE_WINDOW_MS = 5_000;
/** In-flight tasks listed in the live block; the rest are counted. */
const IN_FLIGHT_LINES = 4;

export interface InFlight {
  taskId: string;
  checkId: string;
  operationId?: string;
  identity: string;
  since: number;
}

export interface ViewState {
  scanId?: string;
  target?: string;
  startedAt?: number;
  stage?: ViewStage;
  stageStartedAt?: number;
  /** What the running stage last said it was doing (`stage-progress`). */
  detail?: string;
  /** What the last finished stage ended with (`stage-finished` detail), e.g. `execute: 34 candidates`. */
  previous?: string;
  finishedStages: ViewStage[];
  executeStartedAt?: number;
  done: number;
  total: number;
  inFlight: InFlight[];
  sent: number;
  /** Request counts over time, oldest first, pruned to what requests/s needs. */
  samples: Array<{ at: number; sent: number }>;
  findings: number;
  crashed: number;
  /** Tasks that ended without running (interrupted, budget spent, target gone): in `done`, not in what ran. */
  notRun: number;
  warnings: number;
  verdict?: string;
  finished?: { at: number; partial: boolean };
}

export const initialView = (): ViewState => ({
  finishedStages: [],
  done: 0,
  total: 0,
  inFlight: [],
  sent: 0,
  samples: [],
  findings: 0,
  crashed: 0,
  notRun: 0,
  warnings: 0,
});

function withStage(s: ViewState, stage: ViewStage, now: number): ViewState {
  const { detail: _dropped, ...rest } = s;
  return { ...rest, stage, stageStartedAt: now };
}

function withSent(s: ViewState, sent: number, now: number): ViewState {
  const samples = [...s.samples, { at: now, sent }];
  // Keep the newest sample older than the window (the base of the rate) and everything after it.
  let base = 0;
  for (let i = 0; i < samples.length; i++) if (samples[i]!.at <= now - RATE_WINDOW_MS) base = i;
  return { ...s, sent, samples: samples.slice(base) };
}

/** The state after one event at time `now` (ms). Pure. */
export function reduceView(s: ViewState, e: VouchEvent, now: number): ViewState {
  switch (e.type) {
    case 'scan-started':
      return { ...initialView(), scanId: e.scanId, target: e.target, startedAt: now, samples: [{ at: now, sent: 0 }] };
    case 'stage-started':
      return { ...withStage(s, e.stage, now), ...(e.stage === 'execute' ? { executeStartedAt: now } : {}) };
    case 'stage-finished': {
      const finishedStages = s.finishedStages.includes(e.stage) ? s.finishedStages : [...s.finishedStages, e.stage];
      const previous = e.detail ? { previous: `${e.stage}: ${e.detail}` } : {};
      const next = { ...s, finishedStages, inFlight: e.stage === 'execute' ? [] : s.inFlight, ...previous };
      // After discovery, identities log in and the deployment is observed before the plan starts.
      return e.stage === 'discover' ? withStage(next, 'logins', now) : next;
    }
    case 'stage-progress':
      return { ...s, detail: e.detail };
    case 'requests':
      return withSent(s, e.sent, now);
    case 'task-started': {
      const t = e.task;
      const op = t.operationId ? { operationId: t.operationId } : {};
      const f: InFlight = { taskId: t.id, checkId: t.checkId, identity: t.identity, since: now, ...op };
      return { ...s, total: e.total, inFlight: [...s.inFlight.filter((x) => x.taskId !== t.id), f] };
    }
    case 'task-finished':
      return {
        ...s,
        done: e.done,
        total: e.total,
        inFlight: s.inFlight.filter((x) => x.taskId !== e.outcome.taskId),
        crashed: s.crashed + (e.outcome.status === 'crashed' ? 1 : 0),
        notRun: s.notRun + (e.outcome.status === 'not-run' ? 1 : 0),
      };
    case 'finding':
      return { ...s, findings: s.findings + 1 };
    case 'warning':
      return { ...s, warnings: s.warnings + 1 };
    case 'verdict':
      return { ...s, verdict: e.verdict.status };
    case 'scan-finished':
      return { ...s, inFlight: [], finished: { at: now, partial: e.partial } };
    default:
      return s;
  }
}

/** Requests per second over the last few seconds (0 before any request). */
export function requestRate(s: ViewState, now: number): number {
  const base = s.samples[0];
  if (!base || now - base.at < 1) return 0;
  return ((s.sent - base.sent) * 1000) / (now - base.at);
}

/** Time left in the execute stage at the rate tasks finished so far; undefined until that can be said, and once all are. */
export function etaMs(s: ViewState, now: number): number | undefined {
  if (s.stage !== 'execute' || s.executeStartedAt === undefined || s.done === 0 || s.done >= s.total) return undefined;
  const elapsed = now - s.executeStartedAt;
  if (elapsed < 1_000) return undefined;
  return (elapsed / s.done) * (s.total - s.done);
}

/** 42s, 3m05s, 1h02m. */
export function formatDuration(ms: number): string {
  const sec = Math.max(0, Math.round(ms / 1000));
  if (sec < 60) return `${sec}s`;
  const min = Math.floor(sec / 60);
  if (min < 60) return `${min}m${String(sec % 60).padStart(2, '0')}s`;
  return `${Math.floor(min / 60)}h${String(min % 60).padStart(2, '0')}m`;
}

const formatRate = (r: number): string => (r >= 100 ? r.toFixed(0) : r.toFixed(1));
const fit = (line: string, width: number): string => {
  const chars = [...line];
  return chars.length > width ? `${chars.slice(0, Math.max(1, width - 1)).join('')}…` : line;
};
const pct = (s: ViewState): number => (s.total ? Math.floor((s.done / s.total) * 100) : 0);

function bar(fraction: number, cells: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * cells);
  return `[${'█'.repeat(full)}${'░'.repeat(cells - full)}]`;
}

function stagesLine(s: ViewState): string {
  const shown = VIEW_STAGES.filter((st) => st !== 'prioritize' || s.stage === 'prioritize');
  return shown
    .map((st) => {
      if (st === s.stage && !s.finishedStages.includes(st)) return `▶ ${st}`;
      // Logins count as done once a later stage started.
      const later = s.stage !== undefined && VIEW_STAGES.indexOf(st) < VIEW_STAGES.indexOf(s.stage);
      return s.finishedStages.includes(st) || later ? `✓ ${st}` : `· ${st}`;
    })
    .join('  ');
}

/** `label` prefixes the header (a gate's baseline / candidate). */
export interface RenderOptions {
  width: number;
  label?: string;
}

/** The live block: header, stages, bar with rate and ETA, what runs now. Pure; every line fits `width`. */
export function renderLive(s: ViewState, now: number, o: RenderOptions): string {
  const w = Math.max(20, o.width - 1);
  const lines: string[] = [];
  const tag = o.label ? `[${o.label}] ` : '';
  const elapsed = s.startedAt === undefined ? '' : `  ${formatDuration(now - s.startedAt)}`;
  lines.push(`${tag}vouch scan ${s.scanId ?? ''}  ${s.target ?? ''}${elapsed}`);
  lines.push(stagesLine(s));
  if (s.total > 0) {
    const eta = etaMs(s, now);
    const left = s.stage !== 'execute' ? '' : `  ETA ${eta === undefined ? '…' : formatDuration(eta)}`;
    const text = `${s.done}/${s.total} tasks ${String(pct(s)).padStart(3)}%${left}`;
    lines.push(`${bar(s.done / s.total, Math.max(5, Math.min(30, w - text.length - 3)))} ${text}`);
  }
  const extra = [...(s.findings ? [`${s.findings} findings`] : []), ...(s.warnings ? [`${s.warnings} warnings`] : [])];
  lines.push([`${s.sent} requests`, `${formatRate(requestRate(s, now))} req/s`, ...extra].join('  '));
  const since = s.stageStartedAt === undefined ? '' : ` (${formatDuration(now - s.stageStartedAt)})`;
  // A stage that says nothing while it runs (confirm): what the one before handed it.
  const what = s.detail ?? (s.previous && !s.previous.startsWith(`${s.stage}:`) ? `after ${s.previous}` : undefined);
  if (s.stage && s.stage !== 'execute') lines.push(`${s.stage}${since}${what ? `: ${what}` : ''}`);
  if (s.inFlight.length) {
    const shown = [...s.inFlight].sort((a, b) => a.since - b.since).slice(0, IN_FLIGHT_LINES);
    const checkW = Math.max(...shown.map((f) => f.checkId.length));
    const opW = Math.max(...shown.map((f) => (f.operationId ?? '(whole target)').length));
    const idW = Math.max(...shown.map((f) => f.identity.length));
    lines.push(`in flight (${s.inFlight.length}):`);
    for (const f of shown) {
      const op = (f.operationId ?? '(whole target)').padEnd(opW);
      lines.push(`  ${f.checkId.padEnd(checkW)}  ${op}  as ${f.identity.padEnd(idW)}  ${formatDuration(now - f.since)}`);
    }
    if (s.inFlight.length > shown.length) lines.push(`  … and ${s.inFlight.length - shown.length} more`);
  }
  return lines.map((l) => fit(l, w)).join('\n');
}

/** The one line a finished (or abandoned) scan leaves in the scrollback. */
export function renderSummary(s: ViewState, now: number, o: { label?: string } = {}): string {
  const tag = o.label ? `[${o.label}] ` : '';
  const end = s.finished?.at ?? now;
  const took = s.startedAt === undefined ? 0 : end - s.startedAt;
  const avg = took > 0 ? (s.sent * 1000) / took : 0;
  const parts = [
    s.notRun ? `${s.done - s.notRun}/${s.total} tasks run (${s.notRun} not run)` : `${s.done}/${s.total} tasks`,
    `${s.sent} requests (${formatRate(avg)}/s)`,
    `${s.findings} finding${s.findings === 1 ? '' : 's'}`,
    ...(s.crashed ? [`${s.crashed} crashed`] : []),
    ...(s.warnings ? [`${s.warnings} warning${s.warnings === 1 ? '' : 's'}`] : []),
    ...(s.verdict ? [`verdict ${s.verdict}`] : []),
  ];
  if (s.finished?.partial) return `${tag}■ scan stopped early after ${formatDuration(took)}: ${parts.join(', ')}`;
  if (s.finished) return `${tag}✔ scan done in ${formatDuration(took)}: ${parts.join(', ')}`;
  return `${tag}■ scan ended during ${s.stage ?? 'start-up'} after ${formatDuration(took)}: ${parts.join(', ')}`;
}

/** The plain progress line of the execute stage: done/total, req/s, ETA. */
export function renderTasksLine(s: ViewState, now: number): string {
  const eta = etaMs(s, now);
  const left = eta === undefined ? '' : `, ETA ${formatDuration(eta)}`;
  return `execute    ${s.done}/${s.total} tasks (${pct(s)}%), ${formatRate(requestRate(s, now))} req/s${left}`;
}
