// src/engine/scan.ts — wires the stages for one target: discover → plan → execute → confirm → prioritize → Report.
// It knows no check: checks arrive as a list.
import { join } from 'node:path';
import { addStats, HEARTBEAT_MS, keepsNoSecret, REPORT_SCHEMA_VERSION, VouchError } from '../core/index.js';
import type { BehaviourDiff, Candidate, CreatedAccount, CheckRunStat, Coverage, Deployment, Verdict, VerdictReason, PermissionAudit, Environment, EventSink, Exchange, Plan, Report, ScanJournal, ScanResume, Stage, Surface, TaskOutcome, TaskRecord } from '../core/index.js';
import type { AnyCheck } from '../checks/kit/define.js';
import { checkEntries, type PolicyRule, type ResolvedRun, type VouchConfig } from '../config/index.js';
import { confirm, provable } from '../confirm/index.js';
import { discover } from '../discover/index.js';
import { deploymentReasons, observeDeployment } from './deployment.js';
import { execute } from '../execute/index.js';
import { DEFAULT_SEED } from '../generate/index.js';
import { autoIdentities } from '../identities/auto.js';
import { createIdentitySessions, type IdentitySessions } from '../identities/sessions.js';
import { createAuditLog, createEngine, createRedactor, interruptReason, isSecretName, outageWatch, redactExchange } from '../net/index.js';
import type { Engine, Redactor } from '../net/index.js';
import { startOobListener, type OobListener } from '../oob/listener.js';
import { plan } from '../plan/index.js';
import { createHarmGuard, excludedList } from '../plan/harm.js';
import { latencyByOperation } from './latency.js';
import { VERSION } from '../core/version.js';
import { newScanId } from '../core/ids.js';
import { applyAccepted, buildFindings, computeCoverage, DEFAULT_MIN_COVERAGE, finalVerdict, incompleteCauses, prioritize, type PrioritizeInput } from '../prioritize/index.js';

/** vouch's version (kept in core/version.ts, which the CLI reads without loading the engine). */
export { VERSION };

/** How often a running stage says what is in flight (`stage-progress`), ms: progress never goes quiet longer. */
export const PROGRESS_MS = 10_000;
/** How often a running stage says how many requests were sent (`requests`, when the count changed), ms. */
export const REQUESTS_MS = 1_000;
/** How long a stage whose deadline (or interrupt) fired may take to hand over what it has before it is left behind. */
const STOP_GRACE_MS = 5_000;
/** How long requests still in flight when the scan ends (left behind by a stage at its deadline) may take to finish. */
const CLOSE_GRACE_MS = 2_000;

/** `12 s`, `5 min`, `2 h`: a deadline as people read it. */
export function formatMs(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 3_600_000)} h`;
}

/** What a stage is given while it runs: its stop signal (interrupt or deadline) and a way to say what it is doing. */
interface StageRun {
  signal: AbortSignal;
  say(what: string): void;
}

/** Resolves `undefined` once `signal` has fired and `graceMs` more have passed (never, if it does not fire). */
function afterStop(signal: AbortSignal, graceMs: number): { promise: Promise<undefined>; dispose(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<undefined>((resolve) => {
    onAbort = (): void => void (timer = setTimeout(() => resolve(undefined), graceMs));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return {
    promise,
    dispose: () => {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    },
  };
}

export interface ScanOptions {
  run: ResolvedRun;
  config: VouchConfig;
  checks: readonly AnyCheck[];
  /** Only these check ids. */
  only?: readonly string[];
  /** Folder for this scan's audit log. */
  scanDir: string;
  scanId?: string;
  baseline?: PrioritizeInput['baseline'];
  /** Apply the stricter policy profile for AI-influenced changes, with why. */
  aiInfluenced?: { why: string };
  /** The clock for accepted-risk expiry (tests). Default now. */
  now?: Date;
  onEvent?: EventSink;
  signal?: AbortSignal;
  /** The version the deployment must declare (target.version in vouch.yaml says where); another one or none fails the verdict. */
  expectVersion?: string;
  /** The baseline's deployment, to warn when the assets changed but the declared version did not. */
  baselineDeployment?: Deployment;
  /** Where progress is kept (history store) so an interrupted scan can be resumed. */
  journal?: ScanJournal;
  /** The command-line inputs to keep with the plan (what `--resume` needs to rebuild this run). */
  args?: Record<string, unknown>;
  /** Continue this stored scan: its plan, without its finished tasks (scanId must be the same). */
  resume?: ScanResume;
  /** The gate's behaviour comparison, put into `comparison.behaviour` and judged by the policy. */
  behaviour?: BehaviourDiff;
  /** Seed for generated data; the fixed DEFAULT_SEED when absent (same data every run), recorded in the report either way. */
  seed?: number;
  /** How often a running stage emits `stage-progress`, ms. Default PROGRESS_MS. */
  progressMs?: number;
}

/** The configuration as kept with a scan for resume: JSON, secrets redacted. */
export function configSnapshot(config: VouchConfig, redact: Redactor): string {
  // Value by value: a secret with quotes or backslashes would not be found again once JSON-escaped. Accepted risks
  // are left out: they may change between runs (the dashboard), and they only affect the verdict, not what runs.
  const { accepted: _accepted, ...rest } = config;
  return JSON.stringify(rest, (_key, value: unknown) => (typeof value === 'string' ? redact.text(value) : value));
}

/**
 * The surface as kept with a scan for resume: every string masked as the redactor masks URLs and text (configured
 * and issued secrets, secret query values), and no example value of a parameter whose name says secret (a password
 * a recorded HAR form held). A resumed run uses it as it is.
 */
export function surfaceSnapshot(surface: Surface, redact: Redactor): Surface {
  const operations = surface.operations.map((op) => ({
    ...op,
    params: op.params.map(({ examples, ...p }) => ({ ...p, ...(examples && !isSecretName(p.name) ? { examples } : {}) })),
  }));
  return JSON.parse(JSON.stringify({ ...surface, operations }, (_key, value: unknown) => (typeof value === 'string' ? redact.url(value) : value))) as Surface;
}

/** The policy rules for a target's environment: `policy.environments.<env>.rules`, else `policy.rules`, else defaults. */
export function rulesFor(config: VouchConfig, environment: Environment): PolicyRule[] | undefined {
  return config.policy.environments?.[environment]?.rules ?? config.policy.rules;
}

/** A policy rule naming a check that does not exist is a configuration error, not a rule that silently never fires. */
export function checkPolicyChecks(config: VouchConfig, checks: readonly AnyCheck[]): void {
  const known = new Set(checks.map((c) => c.id));
  const rules = [
    ...(config.policy.rules ?? []).map((r, i) => ({ r, at: `policy.rules.${i}` })),
    ...(config.policy.aiInfluenced?.rules ?? []).map((r, i) => ({ r, at: `policy.aiInfluenced.rules.${i}` })),
    ...Object.entries(config.policy.environments ?? {}).flatMap(([env, v]) => (v?.rules ?? []).map((r, i) => ({ r, at: `policy.environments.${env}.rules.${i}` }))),
  ];
  for (const { r, at } of rules) {
    const unknown = (r.when.checks ?? []).filter((id) => !known.has(id));
    if (unknown.length) throw new VouchError('VOUCH_CONFIG_INVALID', `${at}.when.checks: unknown check id ${unknown.join(', ')} in rule ${r.id}`, { hint: 'Run `vouch checks` to list the ids.' });
  }
  for (const [id] of checkEntries(config)) {
    if (!known.has(id)) throw new VouchError('VOUCH_CONFIG_INVALID', `checks.${id}: unknown check id`, { hint: 'Run `vouch checks` to list the ids.' });
  }
}

/** A new scan id (kept in core/ids.ts, which `scan --queue` uses without loading the engine). */
export { newScanId };

/** vouch.yaml's `discovery.browser` as the browser crawl's options. */
const browserBudget = (b: { maxPages: number; maxIdlePages: number; timeLimitMs: number }): { maxPages: number; maxIdlePages: number; timeoutMs: number } => ({ maxPages: b.maxPages, maxIdlePages: b.maxIdlePages, timeoutMs: b.timeLimitMs });

export async function runScan(opts: ScanOptions): Promise<Report> {
  const { run, config } = opts;
  checkPolicyChecks(config, opts.checks);
  const emit = opts.onEvent ?? (() => undefined);
  const resume = opts.resume;
  const scanId = resume?.scanId ?? opts.scanId ?? newScanId();
  const startedAt = resume ? new Date(resume.startedAt) : new Date();
  // A resumed scan keeps the seed its first run drew (stored with its inputs), so generated data is the same.
  const storedSeed = resume?.inputs.args.seed;
  // The default seed is fixed: two scans of an unchanged deployment send the same generated data and find the same.
  const seed = opts.seed ?? (typeof storedSeed === 'number' ? storedSeed : undefined) ?? DEFAULT_SEED;
  const redact = createRedactor(run.secrets);
  const journal = opts.journal;
  // Do no harm: the engine's last guard (dangerous operations, identities' own accounts, objects vouch did not create).
  const guard = createHarmGuard({ allowDangerous: config.scope.allowDangerous, identities: run.identities });
  const engine = createEngine({
    guard,
    safeModeWriteProbes: config.safeMode?.writeProbes ?? false,
    target: run.target,
    scope: run.scope,
    safeMode: run.safeMode,
    safeModeAllow: config.safeMode?.allowMethods ?? [],
    budget: config.budget.requests,
    ...(config.budget.perCheck !== undefined ? { perCheckBudget: config.budget.perCheck } : {}),
    concurrency: config.budget.concurrency,
    ...(config.budget.ratePerSecond !== undefined ? { ratePerSecond: config.budget.ratePerSecond } : {}),
    timeoutMs: config.budget.timeoutMs,
    ...outageWatch(config.budget.outage),
    tls: run.tls,
    audit: createAuditLog(join(opts.scanDir, 'audit.jsonl'), redact),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const sessions = createIdentitySessions(run.identities, engine, (name, reason) => emit({ type: 'warning', message: `identity ${name}: ${reason}; its tasks are skipped` }), (secret) => redact.learn(secret));
  engine.setCredentials((name) => sessions.headers(name));
  engine.setReauthenticate(async (name, why, sentAt) => {
    const ok = await sessions.relogin(name, why, sentAt);
    if (ok) emit({ type: 'warning', message: `identity ${name}: credentials expired (${why}); logged in again and retried` });
    return ok;
  });

  const deadlines = config.deadlines;
  /** Stages that reached their deadline: a run they stopped is incomplete for that reason, not the target's. */
  const deadlineHit: Stage[] = [];
  /**
   * Runs a stage: `stage-started`, a `stage-progress` every PROGRESS_MS saying what is in flight, `stage-finished`.
   * With a deadline, the stage's signal fires when it is reached (a warning and `stage-deadline` say so) and the stage
   * ends with what it has; the scan's interrupt fires it too.
   */
  const timed = async <T>(stage: Stage, fn: (s: StageRun) => Promise<T>, o: { detail?: (r: T) => string; deadlineMs?: number; status?: () => string } = {}): Promise<T> => {
    const target = run.target.url;
    emit({ type: 'stage-started', stage, target });
    const t0 = performance.now();
    const ms = (): number => Math.round(performance.now() - t0);
    let what = '';
    const beat = setInterval(() => {
      const detail = [what, o.status?.() ?? `${engine.stats().sent} requests sent`].filter(Boolean).join('; ');
      emit({ type: 'stage-progress', stage, target, ms: ms(), detail });
    }, opts.progressMs ?? PROGRESS_MS);
    beat.unref();
    let sent = engine.stats().sent;
    const count = setInterval(() => {
      if (engine.stats().sent === sent) return;
      sent = engine.stats().sent;
      emit({ type: 'requests', stage, sent });
    }, REQUESTS_MS);
    count.unref();
    const deadline = new AbortController();
    const deadlineMs = o.deadlineMs;
    const timer =
      deadlineMs === undefined
        ? undefined
        : setTimeout(() => {
            emit({ type: 'stage-deadline', stage, target, deadlineMs });
            emit({ type: 'warning', message: `the ${stage} stage reached its deadline of ${formatMs(deadlineMs)} (deadlines.${stage} in vouch.yaml) and ended with what it had` });
            deadlineHit.push(stage);
            deadline.abort(new Error(`the ${stage} stage reached its deadline of ${formatMs(deadlineMs)}`));
          }, deadlineMs);
    timer?.unref();
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline.signal]) : deadline.signal;
    try {
      const r = await fn({ signal, say: (w) => void (what = w) });
      if (engine.stats().sent !== sent) emit({ type: 'requests', stage, sent: engine.stats().sent });
      emit({ type: 'stage-finished', stage, target, ms: ms(), ...(o.detail ? { detail: o.detail(r) } : {}) });
      return r;
    } finally {
      clearInterval(beat);
      clearInterval(count);
      clearTimeout(timer);
    }
  };
  const interrupted = (): boolean => opts.signal?.aborted === true;

  emit({ type: 'scan-started', scanId, target: run.target.url });
  journal?.started({ scanId, targetName: run.target.name, targetUrl: run.target.url, startedAt: startedAt.getTime() });
  const heartbeat = journal ? setInterval(() => journal.heartbeat(), HEARTBEAT_MS) : undefined;
  heartbeat?.unref();
  const previous = resume?.stats ?? { sent: 0, refused: 0, errors: 0, byStatus: {} };
  let ended: { state: 'done' | 'interrupted' | 'failed'; reason?: string } | undefined;
  let oob: OobListener | undefined;
  try {
    let surface: Surface;
    let thePlan: Plan;
    /** The run's identities, and those `identities: auto` registered. */
    let identities = run.identities;
    const accounts: CreatedAccount[] = [];
    /** Registers `identities: auto`'s users and adds them as identities; the warnings of what it could not do. */
    const registerAuto = async (on: Surface): Promise<string[]> => {
      const auto = await autoIdentities({ engine, surface: on });
      for (const secret of auto.secrets) redact.learn(secret);
      for (const i of auto.identities) {
        sessions.add(i);
        guard.createdIdentity(i.name, ...(i.account ? [i.account.username, ...(i.account.email ? [i.account.email] : [])] : []));
      }
      for (const a of auto.accounts) guard.protect(a.username, `${a.username}@example.com`);
      identities = [...identities, ...auto.identities];
      accounts.push(...auto.accounts);
      return auto.warnings;
    };
    if (resume) {
      // Same surface and plan as the run that stopped; its exchanges come back so proofs and passive checks find them.
      surface = resume.inputs.surface;
      thePlan = resume.inputs.plan;
      engine.restore(resume.exchanges, resume.exchangeCount);
      emit({ type: 'warning', message: `resuming scan ${scanId}: ${resume.done.length} of ${thePlan.tasks.length} tasks already done` });
      // The first run's throwaway users are not kept (their passwords are redacted): new ones take their names.
      if (run.autoIdentities && !run.safeMode && thePlan.tasks.some((t) => /^auto-\d+$/.test(t.identity))) {
        for (const w of await registerAuto(surface)) emit({ type: 'warning', message: w });
      }
      await Promise.all(identities.map((i) => sessions.headers(i.name)));
    } else {
      surface = await timed(
        'discover',
        ({ signal, say }) =>
          discover({
            target: run.target,
            engine,
            scope: run.scope,
            options: config.discovery,
            explore: { identities: run.identities, usable: (name) => sessions.usable(name), browser: browserBudget(config.discovery.browser), safeMode: run.safeMode, allowMethods: config.safeMode?.allowMethods ?? [], browserDeadlines: { launchMs: deadlines.browserLaunch, actionMs: deadlines.browserAction } },
            signal,
            onProgress: say,
          }),
        { detail: (s) => `${s.operations.length} operations`, deadlineMs: deadlines.discover },
      );
      // Unverified TLS is said with the surface's warnings, so every report shows how the target was reached.
      if (!run.tls.verify) surface.warnings.unshift(`TLS certificates are not verified for ${run.target.url} (target.tls.verify: false): an interceptor would go unnoticed`);
      // `identities: auto`: two throwaway users through the target's sign-up, used as two ordinary users.
      if (run.autoIdentities && !run.safeMode && !interrupted()) surface.warnings.push(...(await registerAuto(surface)));
      for (const w of surface.warnings) emit({ type: 'warning', message: w });
      // Log every identity in before planning, so a failed login is planned around rather than discovered mid-scan.
      // Interrupted already: nothing more is sent; the plan is made and reported as not run.
      if (!interrupted()) await Promise.all(identities.map((i) => sessions.headers(i.name))).catch((e: unknown) => {
        if (!interrupted()) throw e;
      });
    }
    // Creates through a collection PUT (the spec says so): the guard lets them through and learns their ids.
    guard.creates(surface.operations);
    // What is deployed now, on fresh and resumed runs alike: a resumed scan reports the deployment it finished against.
    const deployment = interrupted() ? {} : await observeDeployment(engine, run.target.url, surface, config.target.version).catch((e: unknown): Deployment => {
      const why = `not observed: ${e instanceof Error ? e.message : String(e)}`;
      emit({ type: 'warning', message: `deployment ${why}` });
      return config.target.version ? { versionSource: why } : {};
    });
    const enabled = Object.fromEntries(checkEntries(config).map(([id, c]) => [id, c.enabled]));
    const options = Object.fromEntries(checkEntries(config).map(([id, c]) => [id, c.options ?? {}]));
    if (!resume) {
      const discovered = surface;
      thePlan = await timed(
        'plan',
        async () => plan({ surface: discovered, checks: opts.checks, identities, safeMode: run.safeMode, enabled, unavailable: sessions.failures(), allowDangerous: config.scope.allowDangerous, ...(opts.only ? { only: opts.only } : {}) }),
        { detail: (p) => `${p.tasks.length} tasks, ${p.skipped.length} skipped` },
      );
      // A discovery cut short by an interrupt would be a smaller plan: only a complete one is kept for resume.
      if (!opts.signal?.aborted) journal?.planned({ args: { ...opts.args, seed }, config: configSnapshot(config, redact), surface: surfaceSnapshot(surface, redact), plan: thePlan }, engine.exchanges().map((x) => redactExchange(x, redact)));
    }
    // The out-of-band listener runs only when a planned check calls back through it.
    const blind = new Set(opts.checks.filter((c) => c.needsOob).map((c) => c.id));
    if (config.oob.enabled && !interrupted() && thePlan!.tasks.some((t) => blind.has(t.checkId))) {
      try {
        oob = await startOobListener({ ...(config.oob.listen ? { listen: config.oob.listen } : {}), ...(config.oob.publicUrl ? { publicUrl: config.oob.publicUrl } : {}) });
      } catch (e) {
        // Blind checks then report inconclusive with the reason; the rest of the scan goes on.
        emit({ type: 'warning', message: `out-of-band listener not started: ${e instanceof Error ? e.message : String(e)}` });
      }
    }
    const saver = exchangeSaver(engine.exchanges.bind(engine), engine.exchange.bind(engine));
    const doneBefore = new Map((resume?.done ?? []).map((d) => [d.outcome.taskId, d]));
    const todo: Plan = { tasks: thePlan!.tasks.filter((t) => !doneBefore.has(t.id)), skipped: thePlan!.skipped };
    let progress = doneBefore.size;
    const onTaskDone = (outcome: TaskOutcome, found: Candidate[], audits: PermissionAudit[]): void => {
      saver.finished(outcome.taskId);
      // A task that did not run is run by the resume; only finished ones are kept.
      if (!journal || outcome.status === 'not-run') return;
      const result = { outcome, candidates: found, ...(audits.length ? { audits } : {}) };
      const done = ++progress;
      // Results that carry a secret (a token in a candidate's data, a cracked key) are not kept: a resume reruns the task.
      if (!keepsNoSecret(result, redact.url)) return;
      journal.taskDone(result, saver.take(found.flatMap((c) => c.proof.exchangeIds)).map((x) => redactExchange(x, redact)), { done, total: thePlan!.tasks.length, exchangeCount: engine.recordedCount() });
    };
    const common = { checks: opts.checks, identities, unavailable: sessions.failures(), surface, target: run.target, engine, safeMode: run.safeMode, strength: run.strength, options, oob, seed };
    // What finished, as it finishes: a stage left behind at its deadline still reports every task it ended.
    const settled = new Map<string, { outcome: TaskOutcome; found: Candidate[]; audits: PermissionAudit[] }>();
    const ran = await timed(
      'execute',
      async ({ signal }) => {
        /** Set when the stage is left behind: tasks that end later are not this scan's any more (nor its journal's). */
        let abandoned = false;
        const work = execute({
          ...common,
          signal,
          plan: todo,
          onEvent: (e) => void (abandoned || emit(e)),
          onTaskDone: (o, f, a) => {
            if (abandoned) return;
            settled.set(o.taskId, { outcome: o, found: f, audits: a });
            onTaskDone(o, f, a);
          },
        });
        const late = afterStop(signal, STOP_GRACE_MS);
        try {
          const r = await Promise.race([work, late.promise]);
          if (r) return { ...r, ...(signal.aborted && !r.stopped ? { stopped: interruptReason(signal) } : {}) };
        } finally {
          late.dispose();
        }
        // Tasks still running past the grace (a check that does not look at its signal) are reported as not run.
        abandoned = true;
        work.catch(() => undefined);
        const why = interruptReason(signal);
        const done = [...settled.values()];
        const outcomes = todo.tasks.map((t): TaskOutcome => settled.get(t.id)?.outcome ?? { taskId: t.id, status: 'not-run', reason: why });
        return { candidates: done.flatMap((d) => d.found), audits: done.flatMap((d) => d.audits), outcomes, stopped: why };
      },
      { detail: (r) => `${r.candidates.length} candidates`, deadlineMs: deadlines.execute, status: () => `${settled.size}/${todo.tasks.length} tasks done; ${engine.stats().sent} requests sent` },
    );
    const order = new Map(thePlan!.tasks.map((t, i) => [t.id, i]));
    const executed = {
      candidates: [...[...doneBefore.values()].flatMap((d) => d.candidates), ...ran.candidates],
      audits: [...[...doneBefore.values()].flatMap((d) => d.audits ?? []), ...ran.audits],
      outcomes: [...[...doneBefore.values()].map((d) => d.outcome), ...ran.outcomes].sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0)),
      // Interrupted after the last task (while confirming): the findings are not all confirmed, so the scan is partial.
      stopped: ran.stopped ?? (opts.signal?.aborted ? interruptReason(opts.signal) : undefined),
    };
    const taskById = new Map(thePlan!.tasks.map((t) => [t.id, t]));
    const tasks: TaskRecord[] = executed.outcomes.map((o) => {
      const t = taskById.get(o.taskId)!;
      return { checkId: t.checkId, identity: t.identity, status: o.status, ...(t.operationId ? { operationId: t.operationId } : {}), ...('reason' in o ? { reason: o.reason } : {}) };
    });
    let confirmStopped: string | undefined;
    const confirmed = await timed(
      'confirm',
      async ({ signal }) => {
        const late = afterStop(signal, STOP_GRACE_MS);
        try {
          const work = confirm({ ...common, signal, candidates: executed.candidates });
          work.catch(() => undefined);
          // Left behind at its deadline: the candidates stay as execute found them (tentative unless proven there).
          const r = (await Promise.race([work, late.promise])) ?? executed.candidates.map(provable);
          if (signal.aborted) confirmStopped = `${interruptReason(signal)} while candidates were confirmed`;
          return r;
        } finally {
          late.dispose();
        }
      },
      { detail: (c) => `${c.filter((x) => x.confidence === 'confirmed').length} confirmed`, deadlineMs: deadlines.confirm },
    );
    // The target stopped answering for good while confirming: the scan is partial all the same (target-unavailable).
    const stopped = executed.stopped ?? confirmStopped ?? engine.outages().find((o) => !o.recovered)?.reason;
    const findings = buildFindings({ candidates: confirmed, checks: opts.checks, identities, exchange: (id) => engine.exchange(id), redact });
    const { suppressed, accepted } = applyAccepted(config.accepted, findings, opts.now ?? new Date());
    const rules = rulesFor(config, run.target.environment);
    const ai = opts.aiInfluenced ? { why: opts.aiInfluenced.why, ...(config.policy.aiInfluenced?.rules ? { rules: config.policy.aiInfluenced.rules } : {}) } : undefined;
    const prioritized = await timed('prioritize', async () =>
      prioritize({
        findings,
        surface,
        suppressed,
        ...(executed.audits.length ? { audit: executed.audits } : {}),
        ...(opts.baseline ? { baseline: opts.baseline } : {}),
        ...(opts.behaviour ? { behaviour: opts.behaviour } : {}),
        tasks,
        ...(rules ? { rules } : {}),
        ...(ai ? { aiInfluenced: ai } : {}),
      }),
    );
    for (const f of prioritized.findings) emit({ type: 'finding', finding: f });
    const extra = deploymentReasons(deployment, { ...(opts.expectVersion !== undefined ? { expectVersion: opts.expectVersion } : {}), ...(opts.baselineDeployment ? { baseline: opts.baselineDeployment } : {}) });

    const { coverage, verdict } = judge({ config, checks: opts.checks, surface, plan: thePlan!, tasks, stopped, signal: opts.signal, deadlineHit, engine, sessions, verdict: prioritized.verdict, extra, notRetested: prioritized.comparison?.findings.notRetested?.length ?? 0 });
    emit({ type: 'verdict', verdict });
    const perCheck = new Map<string, CheckRunStat>();
    for (const t of tasks) {
      const s = perCheck.get(t.checkId) ?? { checkId: t.checkId, tasks: 0, found: 0, clean: 0, inconclusive: 0, crashed: 0, notRun: 0 };
      s.tasks++;
      if (t.status === 'not-run') s.notRun++;
      else s[t.status]++;
      perCheck.set(t.checkId, s);
    }
    const engineStats = addStats(previous, engine.stats());
    const notRun = tasks.filter((t) => t.status === 'not-run').length;
    const latency = latencyByOperation(engine.exchanges(), thePlan!.tasks);
    const excluded = excludedList(thePlan!.skipped, surface.operations, guard.refusals());
    const created = [...guard.created()].sort();
    const finishedAt = new Date();
    const report: Report = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'vouch', version: VERSION },
      scanId,
      target: run.target,
      scope: run.scope,
      seed,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      ...(stopped ? { partial: { reason: stopped, notRun } } : {}),
      stats: {
        requests: { sent: engineStats.sent, refused: engineStats.refused, byStatus: engineStats.byStatus, errors: engineStats.errors },
        durationMs: finishedAt.getTime() - startedAt.getTime(),
        checks: { run: [...perCheck.values()].sort((a, b) => a.checkId.localeCompare(b.checkId)), skipped: thePlan!.skipped },
        tasks,
      },
      surface,
      findings: prioritized.findings,
      ...(prioritized.comparison ? { comparison: prioritized.comparison } : {}),
      ...(Object.keys(latency).length ? { latency } : {}),
      ...(executed.audits.length ? { audit: executed.audits } : {}),
      ...(accepted.length ? { accepted } : {}),
      ...(excluded.length ? { excluded } : {}),
      ...(accounts.length ? { accounts } : {}),
      ...(created.length ? { created } : {}),
      ...(deployment.version !== undefined || deployment.versionSource !== undefined || deployment.assets ? { deployment } : {}),
      coverage,
      verdict,
    };
    emit({ type: 'scan-finished', scanId, target: run.target.url, partial: Boolean(stopped) });
    if (!stopped) ended = { state: 'done' };
    else ended = { state: opts.signal?.aborted ? 'interrupted' : 'failed', reason: stopped };
    return report;
  } catch (e) {
    ended = { state: opts.signal?.aborted ? 'interrupted' : 'failed', reason: e instanceof Error ? e.message : String(e) };
    throw e;
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    await oob?.close();
    await engine.close({ withinMs: CLOSE_GRACE_MS });
    if (journal) {
      journal.finished(ended?.state ?? 'failed', addStats(previous, engine.stats()), engine.recordedCount(), ended?.reason);
      await journal.flush();
    }
  }
}

interface JudgeInput {
  config: VouchConfig;
  checks: readonly AnyCheck[];
  surface: Surface;
  plan: Plan;
  tasks: TaskRecord[];
  stopped: string | undefined;
  /** Stages that reached their deadline. */
  deadlineHit: readonly Stage[];
  signal: AbortSignal | undefined;
  engine: Pick<Engine, 'stats' | 'unavailableOrigins'>;
  sessions: Pick<IdentitySessions, 'failures' | 'relogins'>;
  verdict: Verdict;
  extra: VerdictReason[];
  /** Baseline findings not re-tested in this scan (a gate's comparison): they count against coverage. */
  notRetested?: number;
}

/** Coverage and the three-outcome verdict, from what this run established (prioritize/completeness.ts decides). */
function judge(i: JudgeInput): { coverage: Coverage; verdict: Verdict } {
  const coverage = computeCoverage({
    tasks: i.tasks,
    skipped: i.plan.skipped,
    operations: i.surface.operations.map((o) => o.id),
    families: Object.fromEntries(i.checks.map((c) => [c.id, c.family])),
    minCoverage: i.config.policy.minCoverage ?? DEFAULT_MIN_COVERAGE,
    ...(i.notRetested ? { notRetested: i.notRetested } : {}),
  });
  const lost = new Set(i.sessions.relogins().filter((r) => !r.ok).map((r) => r.identity));
  const identities = [...i.sessions.failures()].map(([name, reason]) => ({ name, reason, lost: lost.has(name) }));
  const notRun = i.tasks.filter((t) => t.status === 'not-run').length;
  // Why the run stopped: the signal, the request budget spent, else the target (nothing else stops execution).
  const by = i.signal?.aborted
    ? 'interrupted'
    : i.engine.stats().sent >= i.config.budget.requests
      ? 'budget'
      : i.deadlineHit.length
        ? 'deadline'
        : 'target-unavailable';
  const causes = incompleteCauses({ coverage, tasks: i.tasks, identities, unavailable: i.engine.unavailableOrigins(), ...(i.stopped ? { stop: { by, reason: i.stopped, notRun } } : {}) });
  return { coverage, verdict: finalVerdict(i.verdict, causes, i.extra) };
}

/**
 * Hands the journal each exchange once: those of finished tasks (and of no task: discovery, logins) as tasks end, plus
 * any a finished task cites. Exchanges of tasks still running wait in a small pool.
 */
function exchangeSaver(list: () => readonly Exchange[], get: (id: string) => Exchange | undefined): { finished(taskId: string): void; take(cited: string[]): Exchange[] } {
  const saved = new Set<string>();
  const finished = new Set<string>();
  let cursor = 0;
  let pool: Exchange[] = [];
  // Whatever is recorded now (discovery's exchanges, or a resumed scan's restored ones) is already stored.
  for (const x of list()) saved.add(x.id);
  cursor = list().length;
  return {
    finished: (taskId) => void finished.add(taskId),
    take(cited) {
      const all = list();
      for (; cursor < all.length; cursor++) pool.push(all[cursor]!);
      const out: Exchange[] = [];
      const keep: Exchange[] = [];
      for (const x of pool) {
        if (saved.has(x.id)) continue;
        if (x.taskId === undefined || finished.has(x.taskId)) {
          saved.add(x.id);
          out.push(x);
        } else keep.push(x);
      }
      pool = keep;
      for (const id of cited) {
        const x = saved.has(id) ? undefined : get(id);
        if (x) {
          saved.add(id);
          out.push(x);
        }
      }
      return out;
    },
  };
}
