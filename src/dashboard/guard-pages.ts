// src/dashboard/guard-pages.ts — the dashboard's /guard page: guard sessions, requests held for a person (approve /
// reject), the latest decisions; pure (data → escaped HTML). The live part is re-fetched by the client script.
import type { GuardHold, GuardRecord } from '../core/index.js';
import { escapeHtml } from '../report/text.js';
import { t } from '../report/views.js';
import { layout, type PageContext } from './pages.js';

export interface GuardSession {
  session: string;
  first: string;
  last: string;
  count: number;
  learn: boolean;
}

export interface GuardFilters {
  session?: string;
  agent?: string;
}

const time = (iso: string): string => t(iso.slice(0, 19).replace('T', ' '), 20);
const query = (f: GuardFilters): string => new URLSearchParams({ ...(f.session ? { session: f.session } : {}), ...(f.agent ? { agent: f.agent } : {}) }).toString();

/** `allowed (approved)`, `denied (rejected)`, `denied`. */
export function decisionWord(r: Pick<GuardRecord, 'decision' | 'approval'>): string {
  return `${r.decision === 'allow' ? 'allowed' : 'denied'}${r.approval ? ` (${r.approval})` : ''}`;
}

function heldRows(ctx: PageContext, held: readonly GuardHold[]): string {
  if (!held.length) return '<p class="meta" id="guard-none-held">No request is waiting for a person.</p>';
  const may = ctx.role === 'maintainer';
  const csrf = `<input type="hidden" name="_csrf" value="${escapeHtml(ctx.csrf)}">`;
  const button = (h: GuardHold, act: 'approve' | 'reject'): string =>
    `<form class="inline" method="post" action="/guard/held/${encodeURIComponent(h.id)}/${act}">${csrf}<button type="submit" data-act="${act}"${may ? '' : ' disabled title="only maintainers decide"'}>${act === 'approve' ? 'Approve' : 'Reject'}</button></form>`;
  const rows = held.map(
    (h) =>
      `<tr data-held="${escapeHtml(h.id)}"><td>${t(h.agent, 80)}</td><td class="mono">${t(h.method, 10)} ${t(h.path, 300)}</td><td class="mono">${t(h.operation ?? '—', 200)}</td><td>${t(h.rule, 200)}</td><td class="num">${h.requestBytes}</td><td>${time(h.heldAt)}</td><td>${time(h.expiresAt)}</td><td>${button(h, 'approve')} ${button(h, 'reject')}</td></tr>`,
  );
  return `<table class="guard-held"><thead><tr><th scope="col">agent</th><th scope="col">request</th><th scope="col">operation</th><th scope="col">rule</th><th scope="col">bytes</th><th scope="col">held (UTC)</th><th scope="col">expires (UTC)</th><th scope="col">decide</th></tr></thead><tbody>${rows.join('')}</tbody></table>${
    may ? '' : '<p class="meta">Only maintainers can approve or reject.</p>'
  }`;
}

function decisionRows(decisions: readonly GuardRecord[]): string {
  if (!decisions.length) return '<p class="meta">No decisions recorded yet.</p>';
  const rows = decisions.map(
    (d) =>
      `<tr><td>${time(d.at)}</td><td>${t(d.agent, 80)}</td><td class="mono">${t(d.operation ?? `${d.method} ${d.path}`, 300)}</td><td class="decision-${d.decision}">${escapeHtml(decisionWord(d))}</td><td>${t(d.rule, 200)}</td><td class="num">${d.status}</td><td class="num">${Math.round(d.ms)}</td></tr>`,
  );
  return `<table class="guard-decisions"><thead><tr><th scope="col">time (UTC)</th><th scope="col">agent</th><th scope="col">operation</th><th scope="col">decision</th><th scope="col">rule</th><th scope="col">status</th><th scope="col">ms</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** The part of /guard the client re-fetches (`/guard/live`): held requests and the latest decisions. */
export function guardLive(ctx: PageContext, held: readonly GuardHold[], decisions: readonly GuardRecord[]): string {
  return [`<h2>Waiting for a person (${held.length})</h2>`, heldRows(ctx, held), '<h2>Latest decisions</h2>', decisionRows(decisions)].join('\n');
}

/**
 * `live`: the live part as `guardLive` rendered it, and its hash (the `X-Live-State` of `/guard/live`), so the client
 * swaps it on change only.
 */
export function guardPage(ctx: PageContext, sessions: readonly GuardSession[], f: GuardFilters, live: { html: string; state: string }): string {
  const options = sessions.map((s) => `<option value="${escapeHtml(s.session)}"${s.session === f.session ? ' selected' : ''}>${t(s.session, 40)}</option>`).join('');
  const filters = `<form class="filters" method="get" action="/guard"><label>session <select name="session"><option value="">all</option>${options}</select></label> <label>agent <input name="agent" value="${escapeHtml(f.agent ?? '')}" maxlength="80"></label> <button type="submit">filter</button></form>`;
  const list = sessions.length
    ? `<table class="guard-sessions"><thead><tr><th scope="col">session</th><th scope="col">first (UTC)</th><th scope="col">last (UTC)</th><th scope="col">decisions</th><th scope="col">mode</th></tr></thead><tbody>${sessions
        .map((s) => `<tr><td><a class="mono" href="/guard?${escapeHtml(query({ session: s.session }))}">${t(s.session, 40)}</a></td><td>${time(s.first)}</td><td>${time(s.last)}</td><td class="num">${s.count}</td><td>${s.learn ? 'learn' : 'enforce'}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="meta">No guard session has recorded a decision in this store yet: start <span class="mono">vouch guard</span> with the same store.</p>';
  return layout(
    ctx,
    'guard',
    [
      '<h1>Guard</h1>',
      '<p class="meta">What <span class="mono">vouch guard</span> decided for the agents it supervises, and the requests it holds for a person. This part updates by itself.</p>',
      filters,
      `<div id="guard-live" data-live="/guard/live${escapeHtml(query(f) ? `?${query(f)}` : '')}" data-live-state="${escapeHtml(live.state)}" aria-live="polite">${live.html}</div>`,
      '<h2>Sessions</h2>',
      list,
    ].join('\n'),
  );
}
