// test/meta/checks.test.ts — meta-tests of the check kit: every check registered, id = file name, docs, example, test.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allChecks, checkFiles } from '../../src/checks/index.js';

const root = join(import.meta.dirname, '..', '..');

describe('check registry', () => {
  it('is up to date with the check files', () => {
    expect(() => execFileSync(process.execPath, [join(root, 'scripts', 'gen-checks.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('has unique kebab-case ids', () => {
    const ids = allChecks.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  describe.each(allChecks.map((c, i) => [c.id, c, checkFiles[i]!] as const))('%s', (_id, check, file) => {
    it('has the id and family of its file', () => {
      expect(check.id).toBe(file.id);
      expect(check.family).toBe(file.family);
    });
    it('has a test beside it', () => {
      expect(existsSync(join(root, 'src', 'checks', file.family, `${file.id}.test.ts`))).toBe(true);
    });
    it('has a docs page that names it', () => {
      const doc = join(root, 'docs', 'checks', `${check.id}.md`);
      expect(existsSync(doc)).toBe(true);
      expect(readFileSync(doc, 'utf8')).toContain(check.id);
    });
    it('has complete metadata and an example finding', () => {
      expect(check.meta.title.length).toBeGreaterThan(3);
      expect(check.meta.remediation.length).toBeGreaterThan(10);
      expect(check.meta.proves.length).toBeGreaterThan(10);
      expect(check.example.summary.length).toBeGreaterThan(10);
      expect(() => new URL(check.example.url)).not.toThrow();
    });
    it('accepts empty options', () => {
      expect(check.options.safeParse({}).success).toBe(true);
    });
  });
});
