// src/cli/commands/inspect.ts — `vouch inspect <spec>`: what vouch makes of an API description, without testing anything.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { allChecks } from '../../checks/index.js';
import { loadConfig, resolveRun } from '../../config/index.js';
import { VouchError, type TlsSettings } from '../../core/index.js';
import { loadExternalRefs, parseSpec } from '../../discover/openapi.js';
import { newScanId } from '../../engine/scan.js';
import { DEFAULT_SEED } from '../../generate/index.js';
import { analyseSpec, type SpecAnalysis } from '../../inspect/analyse.js';
import { inspectDocument, inspectJson, inspectText, type FormatOptions as InspectFormat } from '../../inspect/format.js';
import { createAuditLog, createEngine, createRedactor, type Engine } from '../../net/index.js';

export interface InspectOpts {
  json?: true;
  examples?: string;
  seed?: string;
  opBudget?: string;
  config?: string;
}

const isUrl = (s: string): boolean => /^https?:\/\//i.test(s);

/** A non-negative integer option, else a clear VOUCH_USAGE. */
function intOption(flag: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d{1,10}$/.test(value) || Number(value) > max) throw new VouchError('VOUCH_USAGE', `${flag} ${value}: expected an integer from 0 to ${max}`);
  return Number(value);
}

/** Fetches documents through the engine (scope: the spec URL's origin and scope.origins of vouch.yaml), audited. */
interface Fetcher {
  fetch(url: string): Promise<string | { problem: string }>;
  close(): Promise<void>;
  auditPath?: string;
}

function fetcher(origins: string[], secrets: readonly string[], target: string | undefined, tls: TlsSettings): Fetcher {
  let engine: Engine | undefined;
  let auditPath: string | undefined;
  const self: Fetcher = {
    async fetch(url) {
      if (!engine) {
        const id = newScanId();
        auditPath = join('.vouch', 'inspect', id, 'audit.jsonl');
        self.auditPath = auditPath;
        const base = target ?? origins[0] ?? new URL(url).origin;
        engine = createEngine({
          target: { name: new URL(base).host, url: base, environment: 'production' },
          scope: { origins, include: [], exclude: [] },
          safeMode: true,
          concurrency: 2,
          maxBodyBytes: 64 * 1024 * 1024,
          timeoutMs: 30_000,
          tls,
          audit: createAuditLog(auditPath, createRedactor(secrets)),
        });
      }
      const ex = await engine.send({ method: 'GET', url, headers: [['accept', 'application/json, application/yaml;q=0.9, */*;q=0.1']], followRedirects: true }, { identity: 'anonymous', checkId: 'inspect' });
      if (!ex.response) return { problem: ex.error?.message ?? 'no response' };
      if (ex.response.status !== 200) return { problem: `status ${ex.response.status}` };
      if (ex.response.truncated) return { problem: 'the document is larger than 64 MiB' };
      if (ex.response.bodyEncoding === 'base64') return { problem: 'binary body' };
      return ex.response.body;
    },
    async close() {
      await engine?.close();
    },
  };
  return self;
}

export async function inspectCommand(spec: string, opts: InspectOpts): Promise<number> {
  const { analysis, fmt, auditPath } = await inspectSpec(spec, opts);
  if (opts.json) process.stdout.write(inspectJson(inspectDocument(analysis, fmt)));
  else process.stdout.write(inspectText(analysis, fmt));
  if (auditPath) process.stderr.write(`fetched through the engine; audit log ${auditPath}\n`);
  return 0;
}

/** What `vouch inspect` makes of a spec (and the MCP `inspect` tool): the analysis, how to show it, the audit log of fetches. */
export async function inspectSpec(spec: string, opts: Omit<InspectOpts, 'json'>): Promise<{ analysis: SpecAnalysis; fmt: InspectFormat; auditPath?: string }> {
  const examples = intOption('--examples', opts.examples, 0, 100);
  const seed = intOption('--seed', opts.seed, DEFAULT_SEED, 2 ** 31 - 1);
  const opBudgetMs = intOption('--op-budget', opts.opBudget, 2000, 600_000);
  const { config, path: configPath } = loadConfig(opts.config);
  // Only the identities' secrets are wanted here (to scrub them from examples); the URL is a stand-in when none is configured.
  const { secrets, identities, safeMode, tls } = resolveRun(config, { url: config.target.url ?? 'http://127.0.0.1' });
  const redactor = createRedactor(secrets);
  const configOrigins = [...(config.target.url && URL.canParse(config.target.url) ? [new URL(config.target.url).origin] : []), ...config.scope.origins];
  let text: string;
  let location = spec;
  let net: Fetcher;
  if (isUrl(spec)) {
    if (!URL.canParse(spec)) throw new VouchError('VOUCH_USAGE', `${spec}: not a URL`, { hint: 'Write it like http://127.0.0.1:8080/openapi.json, or give a file.' });
    location = new URL(spec).href;
    net = fetcher([new URL(spec).origin, ...configOrigins], secrets, new URL(spec).origin, tls);
    const got = await net.fetch(location);
    if (typeof got !== 'string') {
      await net.close();
      throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: the spec could not be fetched (${got.problem})`, { hint: `Check the URL, or download it and give the file. Audit log: ${net.auditPath ?? '-'}` });
    }
    text = got;
  } else {
    if (!existsSync(spec)) throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: spec file not found`, { hint: 'Check the path, or give a URL.' });
    if (statSync(spec).isDirectory()) throw new VouchError('VOUCH_SPEC_INVALID', `${spec}: a directory, not a spec file`, { hint: 'Give the OpenAPI document itself (JSON or YAML).' });
    text = readFileSync(spec, 'utf8');
    // A file's URL $refs may go only to origins vouch.yaml allows (target.url, scope.origins).
    net = fetcher(configOrigins, secrets, configOrigins[0], tls);
  }
  const started = performance.now();
  let lastProgress = started;
  /** A progress line on stderr once the work has taken over 1.5 s, at most one a second unless `force`. */
  const progress = (msg: string, force = false): void => {
    const t = performance.now();
    if (t - started < 1500 || (!force && t - lastProgress < 1000)) return;
    lastProgress = t;
    process.stderr.write(`inspect: ${msg} (${((t - started) / 1000).toFixed(1)} s)\n`);
  };
  try {
    const { doc, lineOf } = parseSpec(text, location);
    progress(`parsed ${(text.length / 1e6).toFixed(1)} MB`, true);
    const refWarnings: string[] = [];
    const refs = await loadExternalRefs(doc, location, async (abs) => {
      if (isUrl(abs)) {
        if (!configOrigins.length && !isUrl(spec)) return { problem: 'a URL $ref of a spec file: not fetched (allow its origin with scope.origins in vouch.yaml and --config)' };
        return net.fetch(abs);
      }
      return existsSync(abs) && !statSync(abs).isDirectory() ? readFileSync(abs, 'utf8') : { problem: 'file not found' };
    }, refWarnings);
    const analysis = await analyseSpec({ doc, location, lineOf }, {
      positives: examples,
      negatives: examples,
      seed,
      opBudgetMs,
      refs,
      warnings: refWarnings,
      // Plans as a scan would: safe mode unless vouch.yaml says the target is not production; its identities when it has signed-in ones.
      plan: { checks: allChecks, safeMode: configPath ? safeMode : true, ...(identities.length > 1 ? { identities } : {}) },
      onProgress: (done, total) => progress(done === 0 ? `${total} operations found; generating requests` : `${done}/${total} operations`, done === 0 || done === total),
    });
    if (analysis.operations.length === 0) {
      const why = analysis.unusable[0] ? `; first problem: ${analysis.unusable[0].where}: ${analysis.unusable[0].reason}` : '';
      throw new VouchError('VOUCH_SPEC_INVALID', `${location}: no usable operation${why}`, { hint: 'vouch needs at least one path with an operation (get, post, ...).' });
    }
    const fmt = { examples, seed, redact: redactor.text };
    return { analysis, fmt, ...(net.auditPath ? { auditPath: net.auditPath } : {}) };
  } finally {
    await net.close();
  }
}
