// src/checks/security/csrf.ts — active: a state-changing HTML form without an anti-CSRF token that the server accepts
// when sent cross-site with only the session cookie. Password-change forms are submitted harmlessly (the identity's own
// current password as the new one) beside a control that must be refused; other forms are never submitted.
import { z } from 'zod';
import type { Exchange, Identity, Operation } from '../../core/index.js';
import { knownAccounts } from '../authorization/account-enumeration.js';
import { escapeRegExp, excerpt } from '../kit/compare.js';
import { defineCheck, type CandidateInput, type CheckContext, type CheckResult, type Confirmation } from '../kit/define.js';
import { all, notSafeMode, type Guard } from '../kit/guards.js';
import { parseSetCookie, type SetCookie } from './cookie-flags.js';
import { sameAnswer, unreflected } from './support/answers.js';
import { headerAll, isHtml, nonce, textBody } from './support/exchanges.js';
import { formRequest, htmlForms, type HtmlField, type HtmlForm } from './support/forms.js';
import { refusedForCredentials } from './support/signed-in.js';
import { realAnswer } from './support/tally.js';

/** Names of an anti-CSRF token (`csrf_token`, `_token`, `authenticity_token`, `user_token`, `__RequestVerificationToken`). */
const TOKEN = /csrf|xsrf|token|nonce|authenticity|verification|form_?key|__viewstate/i;
const PASSWORD_NAME = /pass(word)?|passwd|pwd/i;
/** The current password a change asks for (`password_current`, `old_password`). */
const CURRENT = /curr|old|existing|present/i;
/** A repeated new password (`password_conf`, `confirm_password`, `password_again`). */
const CONFIRM = /conf|again|repeat|retype|verify/i;
/** What an answer says when a password change went through. */
const SUCCESS = new RegExp(
  [
    String.raw`\bpass(word|code)\b[^<>\n]{0,60}?\b(has been |was |been |is )?(changed|updated|saved|reset|set)\b`,
    String.raw`\b(changed|updated|saved) (your )?pass(word|code)\b`,
    String.raw`\bsuccess(ful(ly)?)?\b`,
  ].join('|'),
  'i',
);
/** At most this many pages are fetched to find an operation's form. */
const MAX_PAGES = 3;

type SameSite = 'strict' | 'lax' | 'none' | 'absent' | 'unseen';
interface Session {
  cookie?: string;
  sameSite: SameSite;
}

const isToken = (f: HtmlField): boolean => f.type !== 'password' && f.type !== 'submit' && TOKEN.test(f.name);
/** A password field by type or by name (a hidden `password_new` too: it gets the current password like the others). */
const isPassword = (f: HtmlField): boolean =>
  f.type === 'password' || (f.type !== 'submit' && PASSWORD_NAME.test(f.name));

/** Whether an identity's credential is a cookie (what a cross-site form carries), not a header a page cannot set. */
function cookieSession(i: Identity): boolean {
  const a = i.auth;
  if (a.kind === 'cookie') return true;
  if (a.kind === 'form-login') return a.token === undefined || a.token.from === 'cookie';
  return a.kind === 'json-login' && a.token?.from === 'cookie';
}

/** The name of an identity's session cookie, when its recipe names one. */
function sessionCookieName(i: Identity): string | undefined {
  const a = i.auth;
  if (a.kind === 'cookie') return a.name;
  if (a.kind !== 'form-login' && a.kind !== 'json-login') return undefined;
  if (a.token?.from === 'cookie' && a.token.name !== undefined) return a.token.name;
  return a.kind === 'form-login' ? a.successCookie : undefined;
}

/** The session cookie's SameSite as the target last set it for this identity (its login included). */
function sessionOf(ctx: CheckContext<unknown>, who: Identity): Session {
  const name = sessionCookieName(who);
  const mine = new Set([who.name, `${who.name}:login`]);
  let seen: SetCookie | undefined;
  for (const x of ctx.recorded()) {
    if (!mine.has(x.identity)) continue;
    for (const raw of headerAll(x.response?.headers, 'set-cookie')) {
      const c = parseSetCookie(raw);
      const session = name === undefined ? /sess|sid|auth|token/i.test(c?.name ?? '') : c?.name === name;
      if (c && c.value !== '' && session) seen = c;
    }
  }
  if (!seen) return { ...(name ? { cookie: name } : {}), sameSite: 'unseen' };
  const v = (seen.attrs.get('samesite') ?? '').toLowerCase();
  return { cookie: seen.name, sameSite: v === 'strict' || v === 'lax' || v === 'none' ? v : 'absent' };
}

function describeSession(s: Session): string {
  const what =
    s.sameSite === 'unseen'
      ? '(its Set-Cookie was not seen: SameSite unknown, taken as absent)'
      : s.sameSite === 'absent'
        ? 'has no SameSite'
        : `is SameSite=${s.sameSite[0]!.toUpperCase()}${s.sameSite.slice(1)}`;
  return `${s.cookie ?? 'the session cookie'} ${what}`;
}

/** Who submits the form: the task's identity when its session is a cookie, else the first signed-in one that is. */
function sessionIdentity(ctx: CheckContext<unknown>): Identity | undefined {
  const usable = (i: Identity): boolean =>
    i.role !== 'anonymous' && !ctx.unavailable.has(i.name) && cookieSession(i);
  return usable(ctx.identity) ? ctx.identity : ctx.identities.find(usable);
}

const templateRe = (path: string): RegExp =>
  new RegExp(`^${path.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+')}/?$`);

/** The form of `op` on a page: same method, action on the operation's path. */
function formFor(op: Operation, html: string, url: string): HtmlForm | undefined {
  const re = templateRe(op.path);
  return htmlForms(html, url).find((f) => f.method === op.method && re.test(new URL(f.action).pathname));
}

/**
 * The operation's form, freshly loaded as `who` (a token changes per load): from its own path, then from pages
 * recorded earlier whose HTML carries it.
 */
async function loadForm(
  ctx: CheckContext<unknown>,
  op: Operation,
  who: string,
  first?: string,
): Promise<{ form: HtmlForm; page: Exchange } | { reason: string }> {
  const pages = [first ?? ctx.url(op.path)];
  const origin = new URL(ctx.target.url).origin;
  for (const x of ctx.recorded()) {
    if (pages.length >= MAX_PAGES) break;
    const html = x.request.method === 'GET' && isHtml(x.response) ? textBody(x.response) : '';
    if (!html.includes('<form') || pages.includes(x.request.url) || new URL(x.request.url).origin !== origin) continue;
    if (formFor(op, html, x.request.url)) pages.push(x.request.url);
  }
  const tried: string[] = [];
  for (const url of pages) {
    const page = await ctx.send({ method: 'GET', url, identity: who });
    const answer = page.response?.status ?? page.error?.message ?? 'nothing';
    if (refusedForCredentials(page)) return { reason: `${who} is not signed in: ${url} answered ${answer}` };
    const form = isHtml(page.response) ? formFor(op, textBody(page.response), url) : undefined;
    if (form) return { form, page };
    tried.push(`${new URL(url).pathname} (${page.response?.status ?? page.error?.code ?? '-'})`);
  }
  return { reason: `no ${op.method} form submitting to ${op.path} on the pages that should carry it: ${tried.join(', ')}` };
}

interface Fill {
  control: Array<[string, string]>;
  real: Array<[string, string]>;
  /** What the control changes, for the summary. */
  controlIs: string;
  /** The control's wrong value (removed where the answer reflects it). */
  wrong: string;
}

/**
 * A harmless submission of a password-change form: every password field carries the identity's current password,
 * tokens are left out (a cross-site page has none), other fields keep the values the page gave them. The control
 * gives a wrong current password or, without such a field, a mismatching confirmation: what the server must refuse.
 * Undefined with why when a field would need a value vouch does not have.
 */
function harmlessFill(form: HtmlForm, password: string): Fill | { reason: string } {
  const passwords = form.fields.filter(isPassword);
  const others = form.fields.filter((f) => !isPassword(f) && !isToken(f));
  const blank = others.filter((f) => f.value === '' && !['hidden', 'submit', 'checkbox', 'radio'].includes(f.type));
  const names = blank.map((f) => f.name).join(', ');
  if (blank.length) return { reason: `it has fields vouch cannot keep as they are (${names})` };
  const current = passwords.find((f) => CURRENT.test(f.name));
  const fresh = passwords.filter((f) => f !== current);
  const confirms = current ? [] : fresh.filter((f) => CONFIRM.test(f.name));
  const mismatched = current ? [current] : confirms.length ? confirms : fresh.slice(-1);
  const wrong = `${password}-vouch-${nonce(3)}`;
  const valueOf = (f: HtmlField, control: boolean): string =>
    !isPassword(f) ? f.value : control && mismatched.includes(f) ? wrong : password;
  const values = (control: boolean): Array<[string, string]> =>
    form.fields.filter((f) => !isToken(f)).map((f) => [f.name, valueOf(f, control)]);
  const controlIs = current ? `a wrong ${current.name}` : `a mismatching ${mismatched.map((f) => f.name).join(', ')}`;
  return { control: values(true), real: values(false), wrong, controlIs };
}

/** What a cross-site page's submission carries: its Referer (and Origin for a POST); the cookie comes from the jar. */
function crossSite(method: string): Array<[string, string]> {
  const site = `https://vouch-csrf-${nonce(4)}.example`;
  const headers: Array<[string, string]> = [['referer', `${site}/`], ['sec-fetch-site', 'cross-site']];
  return method === 'POST' ? [['origin', site], ...headers] : headers;
}

interface Attempt {
  /**
   * `accepted`: success the control lacks, still signed in; `signed-out`: accepted, but the page no longer answers
   * signed in; `refused`: answered like the control or refused; `unclear`: another answer without a success message;
   * `unanswered`: no real answer (5xx, 429, failure).
   */
  verdict: 'accepted' | 'signed-out' | 'refused' | 'unclear' | 'unanswered';
  /** Why not, or the proof line. */
  why: string;
  exchangeIds: string[];
  evidence?: string;
  url?: string;
}

const statusOf = (x: Exchange): string => String(x.response?.status ?? x.error?.message ?? 'nothing');
const pathOf = (url: string): string => url.replace(/^[a-z]+:\/\/[^/]+/i, '');

/**
 * The control (a probe), then, only when it got a real answer, the harmless submission, both cross-site; then the
 * form's page again, which must still answer signed in.
 */
async function attempt(
  ctx: CheckContext<unknown>,
  who: string,
  loaded: { form: HtmlForm; page: Exchange },
  fill: Fill,
  password: string,
): Promise<Attempt> {
  const { form, page } = loaded;
  const headers = crossSite(form.method);
  const control = await ctx.send({ ...formRequest(form, fill.control, headers), identity: who, probe: true });
  const unanswered = (x: Exchange, what: string, ids: string[]): Attempt => ({
    verdict: 'unanswered',
    exchangeIds: ids,
    why: `the ${what} got no answer to judge by (${statusOf(x)})`,
  });
  if (!realAnswer(control)) return unanswered(control, 'control', [control.id]);
  const real = await ctx.send({ ...formRequest(form, fill.real, headers), identity: who });
  const ids = [real.id, control.id];
  if (!realAnswer(real)) return unanswered(real, 'submission', ids);
  const refused = (why: string): Attempt => ({ verdict: 'refused', exchangeIds: ids, why });
  if (refusedForCredentials(real)) return refused(`the cross-site submission was refused (${statusOf(real)})`);
  // The success message is the difference that matters: on a large page the rest of the two answers is the same. It
  // must be new: neither the control's answer nor the form's own page says it.
  const said = SUCCESS.exec(unreflected(real, password));
  if (!said || SUCCESS.test(unreflected(control, fill.wrong)) || SUCCESS.test(textBody(page.response))) {
    if (sameAnswer(real, control, password, fill.wrong)) return refused(`answered like the control with ${fill.controlIs} (${statusOf(real)})`);
    const but = !said ? 'says no success' : SUCCESS.test(textBody(page.response)) ? 'the form page says the same' : 'the control says the same';
    return { verdict: 'unclear', exchangeIds: ids, why: `the cross-site submission was answered differently from the control but ${but}` };
  }
  const after = await ctx.send({ method: 'GET', url: page.request.url, identity: who });
  ids.push(after.id);
  const signedIn = realAnswer(after) && !refusedForCredentials(after) && isHtml(after.response);
  const form2 = signedIn ? formFor(ctx.operation!, textBody(after.response), after.request.url) : undefined;
  const evidence = excerpt(textBody(real.response).slice(Math.max(0, said.index - 40)), 160);
  const control1 = `where the control with ${fill.controlIs} got ${statusOf(control)} without it`;
  return {
    verdict: form2 ? 'accepted' : 'signed-out',
    exchangeIds: ids,
    url: real.request.url,
    evidence,
    why: form2
      ? `${statusOf(real)} "${said[0]}" ${control1}; ${pathOf(page.request.url)} still answers signed in afterwards`
      : `accepted ("${said[0]}"), but afterwards ${pathOf(after.request.url)} no longer answered signed in with the form (${statusOf(after)})`,
  };
}

/** A form that is not a password change: never submitted; tentative at most when a cross-site POST carries the cookie. */
function unsubmitted(op: Operation, loaded: { form: HtmlForm; page: Exchange }, session: Session, tokens: HtmlField[]): CheckResult {
  const { form, page } = loaded;
  if (tokens.length) return { status: 'clean' };
  const passwords = form.fields.filter(isPassword).length;
  // A sign-in (one password), a search: nothing of the user's to change. A Lax/Strict cookie is not sent cross-site.
  const notSent = session.sameSite === 'lax' || session.sameSite === 'strict';
  if (form.method === 'GET' || passwords === 1 || notSent) return { status: 'clean' };
  const names = form.fields.map((f) => f.name).join(', ') || 'no fields';
  const html = textBody(page.response);
  return {
    status: 'found',
    candidates: [
      {
        operation: { method: op.method, path: op.path },
        url: form.action,
        vulnClass: 'csrf-no-token',
        title: 'Form without anti-CSRF token (not submitted)',
        severity: 'medium',
        confidence: 'tentative',
        proof: {
          summary:
            `POST form on ${pathOf(page.request.url)} (${names}) carries no anti-CSRF token and ${describeSession(session)}: ` +
            'a cross-site page could submit it with the session; not submitted: vouch submits only password-change forms ' +
            'it can make harmless',
          exchangeIds: [page.id],
          evidence: excerpt(html.slice(Math.max(0, html.search(/<form\b/i))), 200),
        },
        data: { unsubmitted: true },
      },
    ],
  };
}

const htmlForm: Guard = (op) =>
  op.sources.includes('html') ? undefined : 'not an HTML form (a cross-site page submits forms; this operation came from another source)';
const stateChanging: Guard = (op) => {
  const passwordFields = op.params.filter((p) => (p.in === 'form' || p.in === 'query') && PASSWORD_NAME.test(p.name)).length;
  if (op.method === 'POST') {
    return passwordFields === 1 ? 'a sign-in form (one password field): signing the user in to another account (login CSRF) is not tested' : undefined;
  }
  if (op.method !== 'GET') return `method ${op.method}: an HTML form sends GET or POST`;
  return passwordFields >= 2 ? undefined : 'a GET form without two password fields: taken for a search or a link, not a change of state';
};

export default defineCheck({
  id: 'csrf',
  family: 'security',
  kind: 'active',
  scope: 'operation',
  ownPasswordOnly: true,
  meta: {
    title: 'Cross-site request forgery',
    description: "A state-changing form carries no anti-CSRF token and the server accepts it from another site with only the session cookie, so any page the user visits can act in the user's name.",
    severity: 'high',
    cwe: 'CWE-352',
    owasp: 'A01:2021 Broken Access Control',
    remediation: 'Require a per-session (or per-request) anti-CSRF token in every state-changing form and check it on the server; set session cookies SameSite=Lax or Strict; never change state on GET; ask for the current password before changing it.',
    proves: "A password-change form, sent cross-site (another site's Referer/Origin, no token, only the session cookie) with the identity's own current password as the new one, answers with a success message that a control with a wrong current password or a mismatching confirmation lacks, replayed once more in confirmation; the form's page still answers signed in afterwards. Other forms are never submitted: a form without a token whose session cookie a cross-site POST carries is tentative.",
  },
  options: z.strictObject({}),
  safeModeSkips: 'every form (it loads and submits forms as a signed-in user)',
  appliesTo: all(htmlForm, stateChanging, notSafeMode),
  async run(ctx) {
    const op = ctx.operation!;
    const who = sessionIdentity(ctx);
    if (!who) {
      const why = 'no signed-in identity whose session is a cookie (a cross-site page can only make the browser send cookies)';
      return { status: 'inconclusive', reason: `${why}: configure one with a form login` };
    }
    const loaded = await loadForm(ctx, op, who.name);
    if ('reason' in loaded) return { status: 'inconclusive', reason: loaded.reason };
    const { form, page } = loaded;
    const session = sessionOf(ctx, who);
    const tokens = form.fields.filter(isToken);
    if (form.fields.filter(isPassword).length < 2) return unsubmitted(op, loaded, session, tokens);
    // A Strict cookie is never sent cross-site; a Lax one only with a top-level GET.
    if (session.sameSite === 'strict' || (form.method === 'POST' && session.sameSite === 'lax')) return { status: 'clean' };
    const password = knownAccounts(ctx).find((a) => a.identity === who.name)?.password;
    if (!password) {
      const why = `the password of ${who.name} is not known (no password field in its login recipe)`;
      return { status: 'inconclusive', reason: `${why}: the password-change form is not submitted` };
    }
    const fill = harmlessFill(form, password);
    if ('reason' in fill) {
      return tokens.length ? { status: 'clean' } : { status: 'inconclusive', reason: `no anti-CSRF token, not submitted: ${fill.reason}` };
    }
    const a = await attempt(ctx, who.name, loaded, fill, password);
    if (a.verdict === 'unanswered' || a.verdict === 'unclear') return { status: 'inconclusive', reason: a.why };
    if (a.verdict === 'refused') return { status: 'clean' };
    const token = tokens.length ? ` (its ${tokens.map((t) => t.name).join(', ')} left out)` : ' (it carries no anti-CSRF token)';
    const link = form.method === 'GET' ? ': a link or an image sends it' : '';
    const candidate: CandidateInput = {
      operation: { method: op.method, path: op.path },
      url: a.url ?? form.action,
      parameter: form.fields.filter(isPassword).map((f) => f.name).join(', '),
      vulnClass: 'csrf',
      confidence: 'tentative',
      proof: {
        summary:
          `${form.method} ${new URL(form.action).pathname} sent cross-site${token}, with only the session cookie ` +
          `(${describeSession(session)}${link}) and ${who.name}'s current password as the new one → ${a.why}. ` +
          'Nothing changed: the new password was the current one',
        exchangeIds: a.exchangeIds,
        ...(a.evidence ? { evidence: a.evidence } : {}),
      },
      data: { page: page.request.url, identity: who.name },
      // As sent in a URL or a form body, too.
      redact: [...new Set([password, encodeURIComponent(password), new URLSearchParams({ p: password }).toString().slice(2)])],
    };
    return { status: 'found', candidates: [candidate] };
  },
  async confirm(candidate, ctx): Promise<Confirmation> {
    const data = candidate.data as { page?: string; identity?: string; unsubmitted?: boolean } | undefined;
    if (data?.unsubmitted) return { confirmed: false, exchangeIds: [], reason: 'a form vouch does not submit stays tentative' };
    const op = ctx.operation;
    const who = ctx.identities.find((i) => i.name === data?.identity);
    const password = who ? knownAccounts(ctx).find((a) => a.identity === who.name)?.password : undefined;
    if (!op || !who || !password || !data?.page) {
      return { confirmed: false, exchangeIds: [], reason: 'the form, its identity or its password is no longer known' };
    }
    const loaded = await loadForm(ctx, op, who.name, data.page);
    if ('reason' in loaded) return { confirmed: false, exchangeIds: [], reason: loaded.reason };
    const fill = harmlessFill(loaded.form, password);
    if ('reason' in fill) return { confirmed: false, exchangeIds: [loaded.page.id], reason: fill.reason };
    const a = await attempt(ctx, who.name, loaded, fill, password);
    if (a.verdict !== 'accepted') return { confirmed: false, exchangeIds: a.exchangeIds, reason: `the replay: ${a.why}` };
    return { confirmed: true, exchangeIds: a.exchangeIds, summary: `${candidate.proof.summary}; replayed with a fresh control: ${a.why}` };
  },
  example: {
    url: 'http://127.0.0.1:8080/account/password?password_new=%E2%80%A6&password_conf=%E2%80%A6&Change=Change',
    summary: "GET /account/password sent cross-site (it carries no anti-CSRF token), with only the session cookie (sid has no SameSite: a link or an image sends it) and alice's current password as the new one → 200 \"Password Changed\" where the control with a mismatching password_conf got 200 without it; /account/password still answers signed in afterwards",
  },
});
