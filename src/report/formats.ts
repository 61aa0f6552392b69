// src/report/formats.ts — the report formats and `--format` parsing, in a module that loads no writer.
import { VouchError } from '../core/errors.js';

/** Every file format vouch writes, in the order they are listed and written. */
export const REPORT_FORMATS = ['json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

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

