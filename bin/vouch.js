#!/usr/bin/env node
// bin/vouch.js — the `vouch` command: runs the compiled CLI, or says how to build it.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const main = join(root, 'dist', 'src', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('vouch: the compiled CLI is missing (dist/). Run `npm run setup` (or `npm run build`) in ' + root + '\n');
  process.exit(2);
}
await import(pathToFileURL(main).href);
