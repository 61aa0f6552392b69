// src/config/load.ts — reads vouch.yaml: YAML parse, ${ENV} substitution, zod validation, one clear line per problem.
import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { VouchError } from '../core/index.js';
import { z } from 'zod';
import { acceptedRiskSchema, configSchema, type AcceptedRiskConfig, type VouchConfig } from './schema.js';

const acceptedListSchema = z.array(acceptedRiskSchema);

/** Names a key path keeps as `${name}` (a login's own variables, filled by its steps): none by default. */
type Kept = (path: readonly string[]) => ReadonlySet<string> | undefined;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string; an unset variable without default is an error. Under
 * `identities.<name>.login`, the variables its steps extract are left for the login to fill.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, where: string, path: string[] = [], kept: Kept = () => undefined): unknown {
  if (typeof value === 'string') {
    const own = kept(path);
    return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::-([^}]*))?\}/gi, (m: string, name: string, def: string | undefined) => {
      if (own?.has(name)) return m;
      const v = env[name];
      if (v !== undefined) return v;
      if (def !== undefined) return def;
      throw new VouchError('VOUCH_CONFIG_INVALID', `${where}: ${path.join('.') || '(root)'}: environment variable ${name} is not set`, {
        hint: `Set ${name}, or write \${${name}:-default} in the file.`,
      });
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, where, [...path, String(i)], kept));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, where, [...path, k], kept)]));
  }
  return value;
}

/** The variables each identity's login steps extract, by identity name (for `substituteEnv` to leave alone). */
function loginVariables(raw: Record<string, unknown>): Kept {
  const byIdentity = new Map<string, Set<string>>();
  const ids = raw['identities'];
  if (ids && typeof ids === 'object') {
    for (const [name, cfg] of Object.entries(ids as Record<string, unknown>)) {
      const steps = (cfg as { login?: { steps?: unknown } } | null)?.login?.steps;
      if (!Array.isArray(steps)) continue;
      const names = steps.flatMap((s) => Object.keys((s as { extract?: object } | null)?.extract ?? {}));
      byIdentity.set(name, new Set(names));
    }
  }
  return (path) => (path[0] === 'identities' && path[2] === 'login' ? byIdentity.get(path[1] ?? '') : undefined);
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
  const parsed = configSchema.safeParse(substituteEnv(raw, env, where, [], loginVariables(raw as Record<string, unknown>)));
  if (!parsed.success) {
    throw new VouchError('VOUCH_CONFIG_INVALID', describeIssues(where, parsed.error), { hint: 'See docs/config.md for every key.' });
  }
  return parsed.data;
}

/**
 * Loads a config file. An explicitly given path must exist; without one, `./vouch.yaml` is used when present,
 * else the defaults.
 */
export function loadConfig(path: string | undefined, env: NodeJS.ProcessEnv = process.env, acceptedFile = ACCEPTED_FILE): { config: VouchConfig; path?: string } {
  const file = path ?? (existsSync('vouch.yaml') ? 'vouch.yaml' : undefined);
  if (file && !existsSync(file)) throw new VouchError('VOUCH_CONFIG_INVALID', `${file}: file not found`, { hint: 'Check the --config path.' });
  const config = file ? parseConfig(readFileSync(file, 'utf8'), file, env) : configSchema.parse({});
  config.accepted = [...config.accepted, ...loadAccepted(acceptedFile)];
  return { config, ...(file ? { path: file } : {}) };
}

/** Accepted risks kept apart from vouch.yaml (e.g. written by the dashboard). */
export const ACCEPTED_FILE = '.vouch/accepted.yaml';

/** Reads a list of accepted risks; an absent file is an empty list. */
export function loadAccepted(file: string): AcceptedRiskConfig[] {
  if (!existsSync(file)) return [];
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors.length > 0) throw new VouchError('VOUCH_CONFIG_INVALID', `${file}: ${doc.errors[0]!.message.split('\n')[0]}`);
  const parsed = acceptedListSchema.safeParse(doc.toJS() ?? []);
  if (!parsed.success) throw new VouchError('VOUCH_CONFIG_INVALID', describeIssues(file, parsed.error), { hint: 'Each entry needs fingerprint, reason and expires (YYYY-MM-DD).' });
  return parsed.data;
}
