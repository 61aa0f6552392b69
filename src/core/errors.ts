// src/core/errors.ts — the one error class of vouch, with stable codes the CLI maps to exit codes.

export const ERROR_CODES = {
  VOUCH_USAGE: 'a command, option or argument is wrong',
  VOUCH_CONFIG_INVALID: 'vouch.yaml (or another config input) is invalid',
  VOUCH_TARGET_UNREACHABLE: 'the target could not be reached',
  VOUCH_SPEC_INVALID: 'the API description is not usable',
  VOUCH_SCOPE_REFUSED: 'a request was outside the allowed scope',
  VOUCH_SAFE_MODE_REFUSED: 'a request was refused by safe mode',
  VOUCH_HARM_REFUSED: 'a request that could harm the target or an identity was refused (do no harm)',
  VOUCH_BUDGET_EXHAUSTED: 'the request budget is spent',
  VOUCH_REQUEST_FAILED: 'a request failed (timeout, reset, refused)',
  VOUCH_REPORT_INVALID: 'a report or baseline could not be read',
  VOUCH_STORE_ERROR: 'the history store could not be used',
  VOUCH_INTERRUPTED: 'the scan was interrupted',
  VOUCH_TARGET_UNAVAILABLE: 'the target stopped answering during the scan and did not recover',
  VOUCH_INTERNAL: 'a bug in vouch',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error vouch expected and can word for the user: what went wrong, where, and what to do. */
export class VouchError extends Error {
  override readonly name = 'VouchError';
  readonly code: ErrorCode;
  /** What the user can do about it. */
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

export function isVouchError(e: unknown): e is VouchError {
  return e instanceof VouchError;
}

/** Exit code for an error: every expected error is a usage, config or tool error (2). */
export function exitCodeFor(_e: unknown): 2 {
  return 2;
}

/** One line for the terminal: `error VOUCH_CODE: message (hint)`. */
export function formatError(e: unknown): string {
  if (isVouchError(e)) return `error ${e.code}: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`;
  const msg = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return `error VOUCH_INTERNAL: ${msg}\n  This is a bug in vouch; please report it with the command you ran.`;
}
