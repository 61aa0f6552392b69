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
  return ctx.identity.role === 'anonymous' ? escalation(ctx)[0] : undefined;
}

/**
 * Who to try, in order, when the task's identity is refused: from anonymous the least-privileged signed-in user, then a
 * privileged identity; from a user a privileged identity (a role-gated operation: `PUT /menu` for employees only);
 * none from a privileged one. Only identities whose login worked.
 */
export function escalation<O>(ctx: Pick<CheckContext<O>, 'identity' | 'identities' | 'unavailable'>): string[] {
  const usable = ctx.identities.filter((i) => i.name !== ctx.identity.name && i.role !== 'anonymous' && !ctx.unavailable.has(i.name));
  const user = usable.find((i) => i.role === 'user' && !i.intended) ?? usable.find((i) => i.role === 'user');
  const privileged = usable.find((i) => i.role === 'privileged' && !i.intended) ?? usable.find((i) => i.role === 'privileged');
  if (ctx.identity.role === 'anonymous') return [user ?? privileged, user ? privileged : undefined].filter((i) => i !== undefined).map((i) => i.name);
  return ctx.identity.role === 'user' && privileged ? [privileged.name] : [];
}

/** The same context, sending as another identity. */
export const asIdentity = <O>(ctx: CheckContext<O>, identity: string): CheckContext<O> => ({ ...ctx, send: (req) => ctx.send({ ...req, identity }) });

/**
 * Sends through `ctx`; while no answer has got past authorization yet, an answer refused for lack of credentials (or of
 * a role) makes it climb the `escalation` ladder: that request again, and the rest, as the next identity. `who` names
 * the identity in use once switched; once one answer was not refused, it stays.
 */
export class SignedInRetry<O> {
  who: string | undefined;
  private ctx: CheckContext<O>;
  private settled = false;
  private rest: string[] | undefined;

  constructor(private readonly base: CheckContext<O>) {
    this.ctx = base;
  }

  async send(req: Parameters<CheckContext<O>['send']>[0]): Promise<Exchange> {
    let x = await this.ctx.send(req);
    while (!this.settled && refusedForCredentials(x)) {
      const next = (this.rest ??= escalation(this.base)).shift();
      if (next === undefined) break;
      this.who = next;
      this.ctx = asIdentity(this.base, next);
      x = await this.ctx.send(req);
    }
    if (x.response && !refusedForCredentials(x)) this.settled = true;
    return x;
  }

  /** The context in use (the last identity tried once switched). */
  get context(): CheckContext<O> {
    return this.ctx;
  }
}
