// src/report/write.ts — the report writers' only I/O: render the chosen formats and write each file atomically.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../core/index.js';
import { VouchError } from '../core/index.js';
import { toHtml } from './html.js';
import { toJson } from './json.js';
import { toJunit } from './junit.js';
import { toMarkdown } from './markdown.js';
import { toSarif } from './sarif.js';

/** Every file format vouch writes, in the order they are listed and written. */
export const REPORT_FORMATS = ['json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

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
}

/** Other names a format is known by. */
const FORMAT_ALIASES: Readonly<Record<string, ReportFormat>> = { md: 'markdown' };

function isFormat(s: string): s is ReportFormat {
  return (REPORT_FORMATS as readonly string[]).includes(s);
}

/**
 * Parse a `--format` value: comma-separated names, case-insensitive, `all` for every format, `md` for markdown;
 * duplicates dropped, order kept. Throws VOUCH_USAGE naming the unknown format and the valid ones.
 */
export function parseFormats(list: string): ReportFormat[] {
  const names = list.split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '').map((s): string => FORMAT_ALIASES[s] ?? s);
  const valid = `valid formats: ${REPORT_FORMATS.join(', ')} (or all; md for markdown)`;
  if (names.length === 0) throw new VouchError('VOUCH_USAGE', `no report format given in "${list}"; ${valid}`);
  const out: ReportFormat[] = [];
  for (const name of names) {
    const add = name === 'all' ? [...REPORT_FORMATS] : isFormat(name) ? [name] : undefined;
    if (add === undefined) {
      throw new VouchError('VOUCH_USAGE', `unknown report format "${name}"; ${valid}`, { hint: 'e.g. --format json,sarif,html' });
    }
    for (const f of add) if (!out.includes(f)) out.push(f);
  }
  return out;
}

/** Render one format (pure). */
export function renderFormat(report: Report, format: ReportFormat, options: WriteOptions = {}): string {
  switch (format) {
    case 'json':
      return toJson(report);
    case 'sarif':
      return toSarif(report, options.specFile === undefined ? {} : { specFile: options.specFile });
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
