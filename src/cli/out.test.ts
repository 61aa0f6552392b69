// src/cli/out.test.ts — `--out` checked before any work: folders pass (existing or creatable), anything else is one line.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VouchError } from '../core/errors.js';
import { checkOutDir, outWriteError } from './out.js';

const tmp = mkdtempSync(join(tmpdir(), 'vouch-out-'));

function refusal(dir: string): VouchError {
  try {
    checkOutDir(dir);
  } catch (e) {
    if (e instanceof VouchError) return e;
    throw e;
  }
  throw new Error(`${dir} was not refused`);
}

describe('checkOutDir', () => {
  it('accepts an existing folder and a missing one (creating nothing)', () => {
    expect(() => checkOutDir(tmp)).not.toThrow();
    const missing = join(tmp, 'a', 'b', 'c');
    expect(() => checkOutDir(missing)).not.toThrow();
    expect(existsSync(join(tmp, 'a'))).toBe(false);
  });

  it('refuses a file, and a folder that would have to be made under a file, naming both', () => {
    const file = join(tmp, 'file.txt');
    writeFileSync(file, 'x');
    const e = refusal(file);
    expect(e.code).toBe('VOUCH_USAGE');
    expect(e.message).toBe(`--out ${file}: is a file, not a folder; give --out a folder vouch may write to (it is created when missing)`);
    expect(refusal(join(file, 'sub')).message).toBe(`--out ${join(file, 'sub')}: cannot be created: ${file} is a file; give --out a folder vouch may write to (it is created when missing)`);
  });

  it.skipIf(process.getuid?.() === 0)('refuses a folder it may not write to (not as root, who may write anywhere)', () => {
    const ro = join(tmp, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    expect(refusal(ro).message).toMatch(/: is not writable; /);
    expect(refusal(join(ro, 'new')).message).toMatch(/cannot be created: .*ro is not writable; /);
  });
});

describe('outWriteError', () => {
  it('words a file-system error as one line naming the folder; anything else is left alone', () => {
    const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(outWriteError('/r/out', err)?.message).toBe('--out /r/out: the reports could not be written (ENOSPC: no space left on device, write); give --out a folder vouch may write to (it is created when missing)');
    expect(outWriteError('/r/out', new Error('writing the reports did not answer within 5 ms'))).toBeUndefined();
  });
});
