// src/inspect/format.ts — pure writers of a SpecAnalysis: the terminal text and the `--json` document.
import type { Parameter } from '../core/index.js';
import type { AnalysedOperation, OperationPlan, SpecAnalysis } from './analyse.js';
import { summariseSchema } from './analyse.js';
import { curlLine, escapeControl, exampleRequest, type ExampleRequest } from './curl.js';

/** Version of the `vouch inspect --json` document (docs/specs.md describes it). */
export const INSPECT_FORMAT = 1;

export interface FormatOptions {
  /** Generated requests shown per operation and sign (positives, then as many negatives). 0 = none. */
  examples: number;
  seed: number;
  /** Scrubs configured secrets out of example values. */
  redact?: (s: string) => string;
}

export interface InspectParameter {
  in: string;
  name: string;
  type: string;
  required: boolean;
}

export interface InspectExample {
  /** `example`, `boundary`, `positive` (valid input) or `negative` (one constraint broken). */
  phase: string;
  label: string;
  valid: boolean;
  breaks?: { keyword: string; path: string };
  request: ExampleRequest;
  curl: string;
}

export interface InspectOperation {
  id: string;
  method: string;
  path: string;
  summary?: string;
  tags: string[];
  /** `none` or `required`, as the spec declares. */
  auth: string;
  security: string[];
  parameters: InspectParameter[];
  body?: { contentType: string; schema: string };
  examples: InspectExample[];
  skipped?: string;
  timedOut?: boolean;
  ms: number;
  /** What a scan would run on this operation (safe mode unless said otherwise). */
  plan?: OperationPlan;
}

export interface InspectDocument {
  format: number;
  location: string;
  specVersion: string;
  title?: string;
  baseUrl: string;
  seed: number;
  summary: { operations: number; tags: number; warnings: number; unusable: number; timedOut: number; withoutExamples: number };
  operations: InspectOperation[];
  warnings: string[];
  unusable: Array<{ where: string; reason: string }>;
}

const UNTAGGED = '(untagged)';

function parameterOf(p: Parameter): InspectParameter {
  return { in: p.in, name: p.name, type: p.schema ? summariseSchema(p.schema, 60) : 'any', required: p.required === true };
}

/** Positives (at most `n`) then negatives (at most `n`), as requests. */
function examplesOf(a: AnalysedOperation, analysis: SpecAnalysis, opts: FormatOptions): InspectExample[] {
  if (opts.examples <= 0) return [];
  const pos = a.cases.filter((c) => c.phase !== 'negative').slice(0, opts.examples);
  const neg = a.cases.filter((c) => c.phase === 'negative').slice(0, opts.examples);
  return [...pos, ...neg].map((c) => {
    const request = exampleRequest(a, c, analysis.baseUrl ?? '{baseUrl}', analysis.schemes ?? {}, opts.redact);
    return { phase: c.phase, label: c.label, valid: c.phase !== 'negative', ...(c.breaks ? { breaks: c.breaks } : {}), request, curl: curlLine(request) };
  });
}

/** The `--json` document (plain data; the CLI stringifies it). */
export function inspectDocument(analysis: SpecAnalysis, opts: FormatOptions): InspectDocument {
  const operations = analysis.operations.map((a): InspectOperation => {
    const op = a.operation;
    return {
      id: op.id,
      method: op.method,
      path: op.path,
      ...(op.summary !== undefined ? { summary: op.summary } : {}),
      tags: a.tags,
      auth: op.auth,
      security: a.security,
      parameters: op.params.map(parameterOf),
      ...(op.requestBody ? { body: { contentType: op.requestBody.contentType, schema: op.requestBody.schema ? summariseSchema(op.requestBody.schema) : 'any' } } : {}),
      examples: examplesOf(a, analysis, opts),
      ...(a.skipped !== undefined ? { skipped: a.skipped } : {}),
      ...(a.timedOut ? { timedOut: true } : {}),
      ms: a.ms,
      ...(a.plan ? { plan: a.plan } : {}),
    };
  });
  const tags = new Set(analysis.operations.map((a) => a.tags[0] ?? UNTAGGED));
  return {
    format: INSPECT_FORMAT,
    location: analysis.location,
    specVersion: analysis.specVersion,
    ...(analysis.title !== undefined ? { title: analysis.title } : {}),
    baseUrl: analysis.baseUrl ?? '{baseUrl}',
    seed: opts.seed,
    summary: {
      operations: operations.length,
      tags: tags.size,
      warnings: analysis.warnings.length,
      unusable: analysis.unusable.length,
      timedOut: analysis.operations.filter((a) => a.timedOut).length,
      withoutExamples: analysis.operations.filter((a) => a.cases.length === 0).length,
    },
    operations,
    warnings: analysis.warnings,
    unusable: analysis.unusable,
  };
}

/** ` (reason)` for the most frequent reason, or ''. */
function mostCommon(reasons: string[]): string {
  const n = new Map<string, number>();
  for (const r of reasons) n.set(r, (n.get(r) ?? 0) + 1);
  const top = [...n].sort((a, b) => b[1] - a[1])[0];
  return top ? ` (${escapeControl(top[0])})` : '';
}

/**
 * The `--json` text: JSON.stringify escapes C0 controls; DEL, C1, line separators and bidi overrides (which can
 * only occur inside strings) are escaped too, so `cat` of the output cannot drive a terminal either.
 */
export function inspectJson(doc: InspectDocument): string {
  return JSON.stringify(doc, null, 2).replace(/[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) + '\n';
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Operations grouped by their first tag (in order of first appearance), each with parameters, body, security, examples. */
export function inspectText(analysis: SpecAnalysis, opts: FormatOptions): string {
  const doc = inspectDocument(analysis, opts);
  const e = escapeControl;
  const lines: string[] = [];
  const s = doc.summary;
  lines.push(`${doc.title !== undefined ? `${e(doc.title)} — ` : ''}${e(doc.location)} (${doc.specVersion === '2.0' ? 'Swagger 2.0' : `OpenAPI ${e(doc.specVersion)}`})`);
  lines.push(`${plural(s.operations, 'operation')} in ${plural(s.tags, 'tag')}, ${plural(s.warnings, 'warning')}, ${s.unusable} not usable; base URL ${e(doc.baseUrl)}${opts.examples > 0 ? `; seed ${doc.seed}` : ''}`);
  const groups = new Map<string, InspectOperation[]>();
  for (const op of doc.operations) {
    const tag = op.tags[0] ?? UNTAGGED;
    groups.set(tag, [...(groups.get(tag) ?? []), op]);
  }
  for (const [tag, ops] of groups) {
    lines.push('', `${e(tag)} (${ops.length})`);
    for (const op of ops) {
      lines.push(`  ${op.method.padEnd(7)} ${e(op.path)}${op.summary ? `  — ${e(op.summary)}` : ''}`);
      const rows: string[][] = op.parameters.map((p) => [p.in, p.name, p.type, p.required ? 'required' : 'optional']);
      const w = [0, 1, 2].map((i) => Math.min(32, Math.max(0, ...rows.map((r) => r[i]!.length))));
      for (const r of rows) lines.push(`      ${e(r[0]!.padEnd(w[0]!))}  ${e(r[1]!.padEnd(w[1]!))}  ${e(r[2]!.padEnd(w[2]!))}  ${r[3]}`);
      if (op.body) lines.push(`      body  ${e(op.body.contentType)} ${e(op.body.schema)}`);
      lines.push(`      auth  ${op.security.length ? e(op.security.join(' | ')) : op.auth === 'none' ? 'none' : 'required'}${op.tags.length > 1 ? `; also tagged ${e(op.tags.slice(1).join(', '))}` : ''}`);
      if (op.plan) lines.push(`      plan  ${plural(op.plan.checks.length, 'check')} would run${op.plan.safeMode ? ' in safe mode' : ''}${op.plan.checks.length ? `: ${op.plan.checks.join(', ')}` : mostCommon(op.plan.skipped.map((x) => x.reason))}`);
      if (op.timedOut) lines.push(`      generation stopped at its time budget after ${op.ms} ms`);
      if (op.skipped && opts.examples > 0) lines.push(`      not generated: ${e(op.skipped)}`);
      for (const x of op.examples) lines.push(`      ${x.valid ? '+' : '-'} ${e(x.label)}`, `        ${x.curl}`);
    }
  }
  if (doc.warnings.length) {
    lines.push('', `warnings (${doc.warnings.length})`);
    for (const w of doc.warnings) lines.push(`  ${e(w)}`);
  }
  if (doc.unusable.length) {
    lines.push('', `not usable (${doc.unusable.length})`);
    for (const u of doc.unusable) lines.push(`  ${e(u.where)}: ${e(u.reason)}`);
  }
  return lines.join('\n') + '\n';
}
