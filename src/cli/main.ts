// src/cli/main.ts — entry point of the `vouch` command (bin/vouch.js imports it).
import { main } from './program.js';

process.exitCode = await main(process.argv);
