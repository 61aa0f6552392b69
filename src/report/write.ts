// src/report/write.ts — the report stage's only I/O: each chosen format written atomically; the spec read for SARIF.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Report } from '../core/index.js';
import { VouchError } from '../core/index.js';
import { toHtml } from './html.js';
import { toJson } from './json.js';
import { toJunit } from './junit.js';
import { toMarkdown } from './markdown.js';
import { toSarif } from './sarif.js';
import { REPORT_FORMATS, type ReportFormat } from './formats.js';
import { specLines } from './spec-lines.js';

export { parseFormats, REPORT_FORMATS, type ReportFormat } from './formats.js';

/** File name of each format inside the output folder. */
export const REPORT_FILES = {
  json: 'report.json',
  sarif: 'report.sarif',
  junit: 'junit.xml',
  markdown: 'summary.md',
  html: 'report.html',
} as const satisfies Record<ReportFormat, string>;

export interface WriteOptions {
  /** Repository-relative OpenAPI file for SARIF locations (see SarifOptions.specFile). */
  specFile?: string;
  /** Line of each operation in `specFile` (see SarifOptions.specLines; `specSource()` reads both). */
  specLines?: ReadonlyMap<string, number>;
}

/** The repository a run belongs to: GITHUB_WORKSPACE in a GitHub job, else the nearest folder above `cwd` with `.git`. */
export function repositoryRoot(cwd: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GITHUB_WORKSPACE) return resolve(env.GITHUB_WORKSPACE);
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * SARIF locations for a run whose spec came from the repository: `spec` (the target's `--spec` / `target.spec`) when
 * it is a local file inside `root`, as a root-relative path, with the line of each of its operations. Empty (results
 * get pseudo-paths) for a URL, a path on the target, a file outside the repository or one that cannot be read.
 */
export function specSource(spec: string | undefined, root: string | undefined = repositoryRoot()): WriteOptions {
  if (spec === undefined || root === undefined || /^https?:\/\//iu.test(spec)) return {};
  const file = resolve(spec);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || !existsSync(file)) return {};
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // Discovery read it moments ago; a file unreadable since costs the SARIF lines (pseudo-paths), never the reports.
    return {};
  }
  return { specFile: rel.split(sep).join('/'), specLines: specLines(text) };
}

/** Render one format (pure). */
export function renderFormat(report: Report, format: ReportFormat, options: WriteOptions = {}): string {
  switch (format) {
    case 'json':
      return toJson(report);
    case 'sarif':
      return toSarif(report, {
        ...(options.specFile === undefined ? {} : { specFile: options.specFile }),
        ...(options.specLines === undefined ? {} : { specLines: options.specLines }),
      });
    case 'junit':
      return toJunit(report);
    case 'markdown':
      return toMarkdown(report);
    case 'html':
      return toHtml(report);
  }
}

/** Write `text` to `path` through a temporary file in the same folder and a rename, so readers never see half a file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Write the chosen formats into `dir` (created when missing), in REPORT_FORMATS order. Resolves with
 * format → file path (joined onto `dir`).
 */
export async function writeReports(
  report: Report,
  dir: string,
  formats: readonly ReportFormat[],
  options: WriteOptions = {},
): Promise<Record<string, string>> {
  await mkdir(dir, { recursive: true });
  const written: Record<string, string> = {};
  for (const format of REPORT_FORMATS.filter((f) => formats.includes(f))) {
    const path = join(dir, REPORT_FILES[format]);
    try {
      await writeAtomic(path, renderFormat(report, format, options));
    } catch (e) {
      throw new VouchError('VOUCH_INTERNAL', `could not write the ${format} report to ${path}: ${e instanceof Error ? e.message : String(e)}`, {
        hint: 'Check that the output folder (--out) is writable and the disk is not full.',
        cause: e,
      });
    }
    written[format] = path;
  }
  return written;
}
