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
import { REPORT_FORMATS, type ReportFormat } from './formats.js';

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
