// src/config/credentials.ts — target URLs may not carry credentials (user:password@host): they belong in identities.
import { VouchError } from '../core/errors.js';

/** Whether `url` has a user or password before its host (`http://user:pass@host`, `http://token@host`). */
export function hasUrlCredentials(url: string): boolean {
  try {
    const u = new URL(url);
    return u.username !== '' || u.password !== '';
  } catch {
    return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url);
  }
}

/** What to do instead, worded once for the command line and vouch.yaml alike. */
export const URL_CREDENTIALS_ADVICE =
  'vouch would copy them into its output, reports and history; remove them from the URL and declare them as an identity in vouch.yaml (identities:, see docs/config.md#identities)';

/** `url` with whatever stands before the host's `@` masked, so an error never shows a password. */
export const maskUrlCredentials = (url: string): string => url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');

/**
 * Refuses a target URL with credentials in it (VOUCH_CONFIG_INVALID, one line, the credentials masked). `where` names
 * the input: `the target URL`, `--candidate`, `--baseline`.
 */
export function refuseUrlCredentials(url: string, where: string): void {
  if (!hasUrlCredentials(url)) return;
  throw new VouchError('VOUCH_CONFIG_INVALID', `${where} ${maskUrlCredentials(url)} has credentials in it: ${URL_CREDENTIALS_ADVICE}`);
}
