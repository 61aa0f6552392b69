// src/report/write.test.ts — writing report files: format parsing, atomic writes, every file valid, and how long it takes.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VouchError } from '../core/index.js';
import { makeLargeReport, makeReport } from './fixture.js';
import { validateReport } from './schema.js';
import { REPORT_FILES, REPORT_FORMATS, parseFormats, writeReports } from './write.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'vouch-report-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('parseFormats', () => {
  it('parses a comma list, case-insensitive, dropping duplicates and keeping order; all means every format', () => {
    expect(parseFormats('html, JSON,html')).toEqual(['html', 'json']);
    expect(parseFormats('all')).toEqual([...REPORT_FORMATS]);
    expect(parseFormats('sarif,all')).toEqual(['sarif', 'json', 'junit', 'markdown', 'html']);
  });

  it('takes md for markdown (once, however it is spelled)', () => {
    expect(parseFormats('md')).toEqual(['markdown']);
    expect(parseFormats('json,MD,markdown')).toEqual(['json', 'markdown']);
  });

  it('throws VOUCH_USAGE naming the unknown format and the valid ones', () => {
    let error: unknown;
    try {
      parseFormats('json,pdf');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VouchError);
    expect((error as VouchError).code).toBe('VOUCH_USAGE');
    expect((error as VouchError).message).toBe('unknown report format "pdf"; valid formats: json, sarif, junit, markdown, html (or all; md for markdown)');
    expect(() => parseFormats(' , ')).toThrow(/no report format given/u);
  });
});

describe('writeReports', () => {
  it('creates the folder and writes every format under its file name, leaving no temporary files', async () => {
    const dir = join(await tempDir(), 'nested', 'out');
    const report = makeReport();
    const paths = await writeReports(report, dir, [...REPORT_FORMATS]);
    expect(paths).toEqual(Object.fromEntries(REPORT_FORMATS.map((f) => [f, join(dir, REPORT_FILES[f])])));
    expect((await readdir(dir)).sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.sarif', 'summary.md']);
    expect(validateReport(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')))).toEqual({ valid: true });
    expect(JSON.parse(await readFile(join(dir, 'report.sarif'), 'utf8'))).toMatchObject({ version: '2.1.0' });
  });

  it('writes only the formats asked for, replacing an older file in place', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'summary.md'), 'old');
    const paths = await writeReports(makeReport(), dir, ['markdown']);
    expect(Object.keys(paths)).toEqual(['markdown']);
    expect(await readdir(dir)).toEqual(['summary.md']);
    expect(await readFile(join(dir, 'summary.md'), 'utf8')).toContain('vouch: **FAIL**');
  });

  it('passes the spec file to SARIF', async () => {
    const dir = await tempDir();
    await writeReports(makeReport(), dir, ['sarif'], { specFile: 'lab/openapi.yaml' });
    expect(await readFile(join(dir, 'report.sarif'), 'utf8')).toContain('"uri": "lab/openapi.yaml"');
  });

  it('fails with a VouchError naming the path when the folder cannot be written', async () => {
    const file = join(await tempDir(), 'not-a-dir');
    await writeFile(file, 'x');
    await expect(writeReports(makeReport(), file, ['json'])).rejects.toThrow(/not-a-dir/u);
  });

  it('writes all formats for a 1,000-finding report quickly', async () => {
    const report = makeLargeReport(1000);
    const dir = await tempDir();
    const started = performance.now();
    await writeReports(report, dir, [...REPORT_FORMATS]);
    const ms = performance.now() - started;
    const sizes = await Promise.all(REPORT_FORMATS.map(async (f) => `${f} ${((await readFile(join(dir, REPORT_FILES[f]))).length / 1024).toFixed(0)} kB`));
    console.log(`writing all formats for 1,000 findings: ${ms.toFixed(0)} ms (${sizes.join(', ')})`);
    expect(ms).toBeLessThan(10_000);
    expect(validateReport(JSON.parse(await readFile(join(dir, 'report.json'), 'utf8')))).toEqual({ valid: true });
  });
});
