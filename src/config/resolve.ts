// src/config/resolve.ts — turns a validated config plus command-line input into the core shapes a scan runs on.
import { readFileSync } from 'node:fs';
import { VouchError } from '../core/index.js';
import type { Environment, Identity, IdentityAuth, LoginRecipe, LoginStep, LoginToken, Scope, Target, TlsSettings } from '../core/index.js';
import { refuseUrlCredentials } from './credentials.js';
import type { CheckEntryConfig, IdentityConfig, LoginConfig, StrengthConfig, VouchConfig } from './schema.js';

export interface ResolvedRun {
  target: Target;
  scope: Scope;
  identities: Identity[];
  safeMode: boolean;
  /** Attack strength: `--strength`, else `checks.strength` in vouch.yaml, else `default`. */
  strength: StrengthConfig;
  /** Secret values from the config (tokens, passwords) that must be redacted everywhere. */
  secrets: string[];
  /** TLS to the target: `target.tls` (verify by default). */
  tls: TlsSettings;
  /**
   * Register two throwaway users when the surface has a sign-up operation (`identities: auto`, the default for a
   * target that is not production when no identities are named; `accounts: auto` besides named identities).
   */
  autoIdentities: boolean;
}

/** `target.tls` with its CA file read; a file that cannot be read or holds no PEM certificate is a config error. */
function tlsSettings(config: VouchConfig): TlsSettings {
  const t = config.target.tls;
  if (!t?.ca) return { verify: t?.verify ?? true };
  let pem: string;
  try {
    pem = readFileSync(t.ca, 'utf8');
  } catch (e) {
    throw new VouchError('VOUCH_CONFIG_INVALID', `target.tls.ca: cannot read ${t.ca} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { hint: 'Give the path of a PEM file with the CA certificate, relative to the working directory.' });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new VouchError('VOUCH_CONFIG_INVALID', `target.tls.ca: ${t.ca} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`, { hint: 'Convert a DER file with `openssl x509 -inform der -in ca.der -out ca.pem`.' });
  }
  return { verify: t.verify, ca: pem };
}

type RecipeConfig = NonNullable<LoginConfig['json'] | LoginConfig['form']>;

/** The parts of a login recipe shared by JSON and form logins, in core shape. */
function recipe(login: LoginConfig, r: RecipeConfig): LoginRecipe {
  const t = r.token;
  const token: LoginToken | undefined = !t ? undefined : 'path' in t ? { from: 'body', path: t.path } : 'header' in t ? { from: 'header', name: t.header } : { from: 'cookie', name: t.cookie };
  const steps: LoginStep[] | undefined = login.steps?.map((s) => ({
    method: s.get !== undefined ? 'GET' : 'POST',
    url: s.get ?? s.post ?? '',
    extract: s.extract,
    ...(s.form ? { form: s.form } : {}),
    ...(s.json ? { json: s.json } : {}),
  }));
  const scheme = r.send?.scheme;
  return {
    ...(steps?.length ? { steps } : {}),
    ...(token ? { token } : {}),
    ...(r.send ? { send: { header: r.send.header, ...(scheme && scheme.toLowerCase() !== 'none' ? { scheme } : {}) } } : {}),
    ...(r.lifetime !== undefined ? { lifetimeMs: r.lifetime * 1000 } : {}),
    ...(r.minInterval !== undefined ? { minIntervalMs: r.minInterval * 1000 } : {}),
  };
}

function identityAuth(cfg: IdentityConfig): IdentityAuth {
  if (cfg.bearer !== undefined) return { kind: 'bearer', token: cfg.bearer };
  if (cfg.header) return { kind: 'header', name: cfg.header.name, value: cfg.header.value };
  if (cfg.cookie) return { kind: 'cookie', name: cfg.cookie.name, value: cfg.cookie.value };
  const login = cfg.login;
  if (login?.json) {
    const j = login.json;
    return { kind: 'json-login', url: j.url, body: j.body, ...(j.tokenPath !== undefined ? { tokenPath: j.tokenPath } : {}), ...recipe(login, j) };
  }
  if (login?.form) {
    const f = login.form;
    const status = f.success?.status ?? f.successStatus;
    return {
      kind: 'form-login',
      url: f.url,
      fields: f.fields,
      ...(status !== undefined ? { successStatus: status } : {}),
      ...(f.success?.cookie !== undefined ? { successCookie: f.success.cookie } : {}),
      ...(f.success?.location !== undefined ? { successLocation: f.success.location } : {}),
      ...recipe(login, f),
    };
  }
  return { kind: 'none' };
}

const SECRET_KEY = /pass|secret|token|key/i;

/** Keys and values of a body or form at any depth, the values split by whether their key looks secret. */
function walk(fields: Record<string, unknown>, out = { secret: [] as string[], plain: new Set<string>() }): typeof out {
  for (const [k, v] of Object.entries(fields)) {
    out.plain.add(k);
    if (v && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, out);
    else if (typeof v !== 'string' || /^\$\{\w+\}$/.test(v)) continue;
    else if (SECRET_KEY.test(k)) out.secret.push(v);
    else out.plain.add(v);
  }
  return out;
}

/**
 * Values under secret-looking keys (password, token, key) of a login's bodies and forms. A value that is also a key
 * or a plain value there (`user: user, password: user`, `password: password`) is left out: masked by value, it
 * would hide every path, field name and word that spells it, and it says nothing the recipe does not show.
 */
function loginSecrets(...bodies: Array<Record<string, unknown> | undefined>): string[] {
  const all = { secret: [] as string[], plain: new Set<string>() };
  for (const b of bodies) if (b) walk(b, all);
  return all.secret.filter((v) => !all.plain.has(v));
}

function secretsOf(auth: IdentityAuth): string[] {
  switch (auth.kind) {
    case 'bearer':
      return [auth.token];
    case 'header':
    case 'cookie':
      return [auth.value];
    case 'json-login':
      return loginSecrets(auth.body, ...(auth.steps ?? []).flatMap((s) => [s.form, s.json]));
    case 'form-login':
      return loginSecrets(auth.fields, ...(auth.steps ?? []).flatMap((s) => [s.form, s.json]));
    default:
      return [];
  }
}

export function resolveRun(config: VouchConfig, input: { url?: string; spec?: string; environment?: Environment; strength?: StrengthConfig }): ResolvedRun {
  const url = input.url ?? config.target.url;
  if (!url) throw new VouchError('VOUCH_USAGE', 'no target URL: give it on the command line or as target.url in vouch.yaml');
  refuseUrlCredentials(url, 'the target URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VouchError('VOUCH_USAGE', `target URL is not a URL: ${url}`, { hint: 'Write it like http://127.0.0.1:8080' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new VouchError('VOUCH_USAGE', `target URL must be http or https: ${url}`);
  const environment = input.environment ?? config.target.environment;
  const spec = input.spec ?? config.target.spec;
  const target: Target = { name: config.target.name ?? parsed.host, url: parsed.toString().replace(/\/$/, ''), environment, ...(spec ? { spec } : {}) };
  const scope: Scope = { origins: [parsed.origin, ...config.scope.origins], include: config.scope.include, exclude: config.scope.exclude };
  const identities: Identity[] = [{ name: 'anonymous', role: 'anonymous', auth: { kind: 'none' } }];
  for (const [name, cfg] of Object.entries(config.identities)) {
    if (name === 'anonymous') continue;
    identities.push({ name, role: cfg.role, auth: identityAuth(cfg), ...(cfg.intended ? { intended: cfg.intended } : {}) });
  }
  return {
    target,
    scope,
    identities,
    safeMode: environment === 'production',
    strength: input.strength ?? config.strength ?? 'default',
    secrets: identities.flatMap((i) => secretsOf(i.auth)),
    tls: tlsSettings(config),
    autoIdentities: config.identityMode === 'auto' || config.accounts === 'auto' || (config.identityMode === undefined && config.accounts === undefined && Object.keys(config.identities).length === 0 && environment !== 'production'),
  };
}

/** The per-check entries of `checks:` (enabled, options); `checks.strength` is lifted out to `config.strength`. */
export function checkEntries(config: VouchConfig): Array<[string, CheckEntryConfig]> {
  return Object.entries(config.checks);
}
