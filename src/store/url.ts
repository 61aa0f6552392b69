// src/store/url.ts — a database URL as it may be shown (no password), in a module that loads no database driver.

/** The database URL as it may be shown: password (and any secret query value) redacted. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/?#:@]*:)[^/?#@]*@/i, '$1[REDACTED]@').replace(/([?&]password=)[^&#]*/gi, '$1[REDACTED]');
}
