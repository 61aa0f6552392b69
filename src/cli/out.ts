// src/cli/out.ts — `--out` checked before any work: a folder vouch can write to (or create), else one line saying why.
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { VouchError } from '../core/errors.js';

const refuse = (dir: string, why: string): VouchError =>
  new VouchError('VOUCH_USAGE', `--out ${dir}: ${why}; give --out a folder vouch may write to (it is created when missing)`);

/** The file's kind, or undefined when nothing is there; other errors (no permission) throw. */
function kindOf(path: string): 'dir' | 'other' | undefined {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    // Missing, or under a file (ENOTDIR): the walk up finds out which.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EACCES' || (e as NodeJS.ErrnoException).code === 'EROFS') return false;
    throw e;
  }
}

/**
 * Checks, without writing anything, that `dir` is a writable folder or can be created: not a file, no parent that is a
 * file, and the folder (or its nearest existing parent) writable. Throws VOUCH_USAGE naming the path.
 */
export function checkOutDir(dir: string): void {
  try {
    let at = resolve(dir);
    for (;;) {
      const kind = kindOf(at);
      if (kind === 'other') throw refuse(dir, at === resolve(dir) ? 'is a file, not a folder' : `cannot be created: ${at} is a file`);
      if (kind === 'dir') {
        if (!writable(at)) throw refuse(dir, at === resolve(dir) ? 'is not writable' : `cannot be created: ${at} is not writable`);
        return;
      }
      const up = dirname(at);
      if (up === at) return;
      at = up;
    }
  } catch (e) {
    if (e instanceof VouchError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw refuse(dir, `cannot be used (${err.code ?? err.message})`);
  }
}

/** An error from writing into the output folder, as one line naming it (a full disk, a folder removed meanwhile). */
export function outWriteError(dir: string, e: unknown): VouchError | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return undefined;
  const msg = (e as Error).message.split('\n')[0] ?? '';
  return refuse(dir, `the reports could not be written (${msg.startsWith(code) ? msg : `${code}: ${msg}`})`);
}
