// src/core/version.ts — vouch's own version (report.json tool.version, `vouch --version`), in a module that loads nothing.
export const VERSION = '0.1.0';
