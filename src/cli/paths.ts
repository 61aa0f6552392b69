// src/cli/paths.ts — where the package's own files are (lab config, schemas), from src/ or dist/src/ alike.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding vouch's package.json (the nearest one above this file). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('vouch: cannot find its package root (package.json)');
    dir = up;
  }
  return dir;
}
