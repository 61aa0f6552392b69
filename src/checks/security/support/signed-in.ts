// src/checks/security/support/signed-in.ts — an anonymous task whose request the target refuses for lack of
// credentials (401, 403, a redirect to a sign-in page) is retried as a signed-in identity: an operation the
// surface calls open (a spec that declares no security, a form with a password field) may still be guarded.
import type { Exchange } from '../../../core/index.js';
import type { CheckContext } from '../../kit/define.js';

/** Where a redirect to a sign-in page goes (the same words discovery's auth probe knows). */
const SIGN_IN = /log[-_]?in|sign[-_]?in|auth|sso|session\/new/i;

/** The path of a URL (relative ones against a placeholder origin), or the text itself when it is no URL. */
const pathOf = (url: string, base?: string): string => {
  try {
    return new URL(url, base ?? 'http://x').pathname;
  } catch {
    return url; // an unusable URL: judged by its text
  }
};

/**
 * Whether an answer refuses the caller for lack of credentials: 401, 403, or a redirect to a sign-in page. Never
 * for a request to a sign-in page itself (a failed login answers like that; it is not asking for a session).
 */
export function refusedForCredentials(x: Exchange): boolean {
  if (SIGN_IN.test(pathOf(x.request.url))) return false;
  const status = x.response?.status ?? 0;
  if (status === 401 || status === 403) return true;
  if (status < 300 || status >= 400) return false;
  const location = x.response!.headers.find(([k]) => k.toLowerCase() === 'location')?.[1];
  return location !== undefined && SIGN_IN.test(pathOf(location, x.request.url));
}

/** The least-privileged signed-in identity whose login worked, when the task runs anonymously; else undefined. */
export function signedInFallback<O>(ctx: CheckContext<O>): string | undefined {
  if (ctx.identity.role !== 'anonymous') return undefined;
  const usable = ctx.identities.filter((i) => i.role !== 'anonymous' && !ctx.unavailable.has(i.name));
  return (usable.find((i) => i.role === 'user' && !i.intended) ?? usable.find((i) => i.role === 'user') ?? usable[0])?.name;
}

/** The same context, sending as another identity. */
export const asIdentity = <O>(ctx: CheckContext<O>, identity: string): CheckContext<O> => ({ ...ctx, send: (req) => ctx.send({ ...req, identity }) });

/**
 * Sends through `ctx` until the first answer refused for lack of credentials; from then on (that request again
 * included) as the signed-in fallback, when there is one. `who` names it once switched.
 */
export class SignedInRetry<O> {
  who: string | undefined;
  private ctx: CheckContext<O>;

  constructor(private readonly base: CheckContext<O>) {
    this.ctx = base;
  }

  async send(req: Parameters<CheckContext<O>['send']>[0]): Promise<Exchange> {
    const x = await this.ctx.send(req);
    if (this.who !== undefined || !refusedForCredentials(x)) return x;
    const fallback = signedInFallback(this.base);
    if (!fallback) return x;
    this.who = fallback;
    this.ctx = asIdentity(this.base, fallback);
    return this.ctx.send(req);
  }

  /** The context in use (the fallback's once switched). */
  get context(): CheckContext<O> {
    return this.ctx;
  }
}
