// lab/files.ts — the fake file tree behind GET /api/files, made fresh in a temp dir so no traversal reaches real files.
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix, sep } from 'node:path';

/** Text planted outside the downloads folder; seeing it in a response proves a traversal. */
export const SECRET_MARKER = 'LAB-SECRET-MARKER';

/**
 * The lab's own little file system. `root` plays `/` for the app: downloads live in `root/files`, and beside them
 * sit decoys a traversal would reach (`/secret.txt`, `/etc/passwd`, `/windows/win.ini`), all fake and all here.
 */
export interface FileTree {
  root: string;
  filesDir: string;
}

const TREE: Record<string, string> = {
  'files/catalog.txt': 'Lab Shop catalogue, spring edition.\nPens, notebooks, lamps, games and tools.\n',
  'files/terms.txt': 'Terms of sale: returns are accepted within 30 days.\n',
  'files/shipping.txt': 'We ship within 2 working days.\n',
  'secret.txt': `${SECRET_MARKER}: shop database password is hunter2 (fake, lab only)\n`,
  'etc/passwd': `root:x:0:0:root:/root:/bin/bash\nshop:x:1000:1000:Lab Shop:/srv/shop:/bin/sh\n# ${SECRET_MARKER} (fake file in the lab's temp dir)\n`,
  'windows/win.ini': `; for 16-bit app support\n[fonts]\n[extensions]\n[mci extensions]\n[files]\n; ${SECRET_MARKER}\n`,
};

export function createFileTree(): FileTree {
  const root = mkdtempSync(join(tmpdir(), 'vouch-lab-'));
  for (const [path, text] of Object.entries(TREE)) {
    const full = join(root, ...path.split('/'));
    mkdirSync(join(full, '..'), { recursive: true });
    writeFileSync(full, text);
  }
  return { root, filesDir: join(root, 'files') };
}

export function removeFileTree(tree: FileTree): void {
  rmSync(tree.root, { recursive: true, force: true });
}

/** The download names on offer. */
export const DOWNLOADS = Object.keys(TREE)
  .filter((p) => p.startsWith('files/'))
  .map((p) => p.slice('files/'.length));

export type FileLookup = { ok: true; text: string } | { ok: false; status: 400 | 404; message: string };

/**
 * Reads a download by name.
 * - `joined` (baseline): the name is joined onto `/files` and normalised, so `../secret.txt` climbs out
 *   (path-traversal). The climb stops at the lab's temp root, which plays `/`: real files are never read.
 * - otherwise (candidate): only a plain file name is accepted.
 */
export function readDownload(tree: FileTree, name: string, joined: boolean): FileLookup {
  let virtual: string;
  if (joined) {
    virtual = posix.normalize(`/files/${name.replaceAll('\\', '/')}`);
  } else {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name) || name.includes('..')) {
      return { ok: false, status: 400, message: 'name must be a plain file name' };
    }
    virtual = `/files/${name}`;
  }
  const full = join(tree.root, ...virtual.split('/').filter(Boolean));
  if (!full.startsWith(tree.root + sep) || name.includes('\0')) {
    return { ok: false, status: 404, message: 'file not found' };
  }
  try {
    return { ok: true, text: readFileSync(full, 'utf8') };
  } catch {
    return { ok: false, status: 404, message: 'file not found' }; // missing, a folder, or unreadable
  }
}
