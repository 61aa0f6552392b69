// src/core/events.ts — typed events the engine emits while a scan runs; reporters and progress displays consume them.
import type { Finding, SkippedTask, Task, TaskOutcome, Verdict } from './types.js';

export type Stage = 'discover' | 'plan' | 'execute' | 'confirm' | 'prioritize' | 'report';

export type VouchEvent =
  | { type: 'scan-started'; scanId: string; target: string }
  | { type: 'stage-started'; stage: Stage; target: string }
  | { type: 'stage-finished'; stage: Stage; target: string; ms: number; detail?: string }
  /** While a stage runs, every few seconds: what is in flight (`detail`), how long the stage has run. */
  | { type: 'stage-progress'; stage: Stage; target: string; ms: number; detail: string }
  /** A stage reached its deadline and ended with what it had (`deadlineMs`, vouch.yaml `deadlines`). */
  | { type: 'stage-deadline'; stage: Stage; target: string; deadlineMs: number }
  /** A task's check starts running (what is in flight: its check, operation and identity). */
  | { type: 'task-started'; task: Task; total: number }
  | { type: 'task-finished'; outcome: TaskOutcome; done: number; total: number }
  /** While a stage runs, at most once a second and only when it changed: requests sent so far this run. */
  | { type: 'requests'; stage: Stage; sent: number }
  | { type: 'skipped'; skipped: SkippedTask }
  | { type: 'finding'; finding: Finding }
  | { type: 'warning'; message: string }
  | { type: 'verdict'; verdict: Verdict }
  | { type: 'scan-finished'; scanId: string; target: string; partial: boolean };

export type EventSink = (event: VouchEvent) => void;

export const noEvents: EventSink = () => undefined;
