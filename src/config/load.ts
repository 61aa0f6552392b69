// src/config/load.ts — reads vouch.yaml: YAML parse, ${ENV} substitution, zod validation, one clear line per problem.
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { VouchError } from '../core/index.js';
import { configSchema, type VouchConfig } from './schema.js';

/** Replaces `${NAME}` and `${NAME:-default}` in every string; an unset variable without default is an error. */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, where: string, path: string[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/gi, (_m, name: string, def: string | undefined) => {
      const v = env[name];
      if (v !== undefined) return v;
      if (def !== undefined) return def;
      throw new VouchError('VOUCH_CONFIG_INVALID', `${where}: ${path.join('.') || '(root)'}: environment variable ${name} is not set`, {
        hint: `Set ${name}, or write \${${name}:-default} in the file.`,
      });
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, where, [...path, String(i)]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, where, [...path, k])]));
  }
  return value;
}

/** Words zod issues as `file: key.path: message`. */
export function describeIssues(where: string, error: z.ZodError): string {
  return error.issues
    .map((i) => {
      const key = i.path.map(String).join('.') || '(root)';
      const keys = 'keys' in i && Array.isArray(i.keys) ? ` (${i.keys.join(', ')})` : '';
      return `${where}: ${key}: ${i.message}${keys}`;
    })
    .join('\n');
}

/** Parses and validates config text. */
export function parseConfig(text: string, where: string, env: NodeJS.ProcessEnv = process.env): VouchConfig {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0] ? ` line ${e.linePos[0].line}, column ${e.linePos[0].col}` : '';
    throw new VouchError('VOUCH_CONFIG_INVALID', `${where}:${line}: ${e.message.split('\n')[0]}`, { hint: 'Fix the YAML syntax.' });
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new VouchError('VOUCH_CONFIG_INVALID', `${where}: the top level must be a mapping of keys (target, scope, identities, ...)`);
  const parsed = configSchema.safeParse(substituteEnv(raw, env, where));
  if (!parsed.success) {
    throw new VouchError('VOUCH_CONFIG_INVALID', describeIssues(where, parsed.error), { hint: 'See docs/config.md for every key.' });
  }
  return parsed.data;
}

/**
 * Loads a config file. An explicitly given path must exist; without one, `./vouch.yaml` is used when present,
 * else the defaults.
 */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env): { config: VouchConfig; path?: string } {
  const file = path ?? (existsSync('vouch.yaml') ? 'vouch.yaml' : undefined);
  if (!file) return { config: configSchema.parse({}) };
  if (!existsSync(file)) throw new VouchError('VOUCH_CONFIG_INVALID', `${file}: file not found`, { hint: 'Check the --config path.' });
  return { config: parseConfig(readFileSync(file, 'utf8'), file, env), path: file };
}
