// lab/pages.ts — the server-rendered HTML part: home, products, search, help, sign-in with a session cookie, notes.
import { clearedSessionCookie, SESSION_COOKIE, sessionCookie, sessionUser, verifyPassword } from './auth.js';
import type { UserRow } from './db.js';
import type { Ctx, Route } from './http.js';
import { escapeHtml, HttpError, parseCookies, readForm, redirect, sendHtml } from './http.js';

// Both variants: no page sets Content-Security-Policy or X-Content-Type-Options (security-headers); only the
// single-page shell at /app does (see spa.ts).

const NAV: ReadonlyArray<[string, string]> = [
  ['/', 'Home'],
  ['/products', 'Products'],
  ['/search', 'Search'],
  ['/notes', 'My notes'],
  ['/app', 'Shop app'],
  ['/help', 'Help'],
];

export function layout(title: string, main: string, user?: UserRow): string {
  const nav = NAV.map(([href, label]) => `<a href="${href}">${label}</a>`).join(' | ');
  const who = user
    ? `Signed in as ${escapeHtml(user.display_name)} — <a href="/logout">Sign out</a>`
    : '<a href="/login?next=%2Fnotes">Sign in</a>';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)} · Lab Shop</title></head>
<body>
<header><nav>${nav}</nav><p>${who}</p></header>
<main>
<h1>${escapeHtml(title)}</h1>
${main}
</main>
<footer><p>Lab Shop — the vouch lab. <a href="/openapi.json">API description</a></p></footer>
</body>
</html>
`;
}

function page(ctx: Ctx, status: number, title: string, main: string, headers: Record<string, string | string[]> = {}): void {
  ctx.res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers });
  ctx.res.end(layout(title, main, sessionUser(ctx)));
}

const searchForm = (value: string): string =>
  `<form action="/search" method="get"><label>Search products <input name="q" value="${escapeHtml(value)}"></label> <button>Search</button></form>`;

function home(ctx: Ctx): void {
  page(
    ctx,
    200,
    'Welcome',
    `<p>Pens, lamps, games and tools. Browse the <a href="/products">products</a>, keep <a href="/notes">notes</a>,
or try the <a href="/app">shop app</a>.</p>
${searchForm('')}`,
  );
}

// ---- products, search, help, outbound links --------------------------------------------------------------

const SORTS: Record<string, string> = { name: 'name', price: 'price' };

/** `?sort=` is reflected, escaped (the safe twin of the search page's reflection). */
function products(ctx: Ctx): void {
  const sort = ctx.url.searchParams.get('sort') ?? 'name';
  const known = SORTS[sort];
  const rows = ctx.lab.db.products().sort((a, b) => (known === 'price' ? a.price - b.price : a.name.localeCompare(b.name)));
  const items = rows
    .map((p) => {
      const maker = `https://maker.example/${p.name.toLowerCase().replaceAll(' ', '-')}`;
      return `<tr><td>${escapeHtml(p.name)}</td><td>${escapeHtml(p.category)}</td><td>${p.price.toFixed(2)}</td><td><a href="/go?to=${encodeURIComponent(maker)}">maker's site</a></td></tr>`;
    })
    .join('\n');
  const note = known ? `Sorted by ${known}.` : `Unknown sort order <code>${escapeHtml(sort)}</code>; sorted by name.`;
  page(
    ctx,
    200,
    'Products',
    `<p>${note} Sort by <a href="/products?sort=name">name</a> or <a href="/products?sort=price">price</a>.</p>
<table><thead><tr><th>Name</th><th>Category</th><th>Price</th><th></th></tr></thead>
<tbody>
${items}
</tbody></table>`,
  );
}

/** `?q=` is echoed into the page: escaped in the baseline, raw in the candidate (xss-reflected). */
function search(ctx: Ctx): void {
  const q = ctx.url.searchParams.get('q') ?? '';
  let results = '';
  if (q !== '') {
    const echo = ctx.lab.traits.rawSearchEcho ? q : escapeHtml(q);
    const rows = q.length <= 100 ? ctx.lab.db.searchProducts(q) : [];
    const list = rows.map((p) => `<li>${escapeHtml(p.name)} — ${p.price.toFixed(2)}</li>`).join('\n');
    results = `<p>Results for <b>${echo}</b>: ${rows.length}</p>\n<ul>\n${list}\n</ul>`;
  }
  page(ctx, 200, 'Search', `${searchForm(q)}\n${results}`);
}

const HELP: Record<string, string> = {
  shipping: 'We ship within two working days.',
  returns: 'Return anything within 30 days for a refund.',
  privacy: 'We keep your orders and notes, and nothing else.',
};

/** `?topic=` picks from a fixed table, never the file system (the safe twin of GET /api/files). */
function help(ctx: Ctx): void {
  const topic = ctx.url.searchParams.get('topic');
  if (topic === null) {
    const links = Object.keys(HELP)
      .map((t) => `<li><a href="/help?topic=${t}">${t}</a></li>`)
      .join('');
    return page(ctx, 200, 'Help', `<ul>${links}</ul>`);
  }
  const text = Object.hasOwn(HELP, topic) ? HELP[topic] : undefined;
  if (text === undefined) return page(ctx, 404, 'Help', `<p>No help topic named <code>${escapeHtml(topic)}</code>.</p>`);
  page(ctx, 200, `Help: ${topic}`, `<p>${escapeHtml(text)}</p>`);
}

/** Both variants: the outbound-link hop redirects to any URL it is given (open-redirect). */
function go(ctx: Ctx): void {
  const to = ctx.url.searchParams.get('to');
  if (!to) throw new HttpError(400, 'to is required');
  redirect(ctx.res, to);
}

// ---- sign-in (cookie session) and notes ------------------------------------------------------------------

/** A same-site path only: `/x` yes; `//host`, `/\host`, `https://host` no. */
export function localPath(value: string | null, fallback: string): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : fallback;
}

function loginForm(next: string, error = ''): string {
  return `${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form action="/login" method="post">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<p><label>Username <input name="username" autocomplete="username"></label></p>
<p><label>Password <input name="password" type="password" autocomplete="current-password"></label></p>
<p><button>Sign in</button></p>
</form>`;
}

/**
 * `?next=` is honoured only as a local path (the safe twin of /go). Like many session middlewares, the page opens
 * a session before sign-in; its cookie carries the same missing flags as the signed-in one (cookie-flags).
 */
function loginPage(ctx: Ctx): void {
  const next = localPath(ctx.url.searchParams.get('next'), '/notes');
  if (sessionUser(ctx)) return redirect(ctx.res, next);
  const sid = parseCookies(ctx.req).get(SESSION_COOKIE);
  const headers: Record<string, string> = ctx.lab.sessions.has(sid) ? {} : { 'set-cookie': sessionCookie(ctx.lab.sessions.create(null)) };
  page(ctx, 200, 'Sign in', loginForm(next), headers);
}

async function loginSubmit(ctx: Ctx): Promise<void> {
  const form = await readForm(ctx);
  const next = localPath(form.get('next'), '/notes');
  const user = ctx.lab.db.userByName(form.get('username') ?? '');
  if (!user || !verifyPassword(form.get('password') ?? '', user.password_hash)) {
    return page(ctx, 401, 'Sign in', loginForm(next, 'Wrong username or password.'));
  }
  ctx.lab.sessions.delete(parseCookies(ctx.req).get(SESSION_COOKIE));
  redirect(ctx.res, next, { 'set-cookie': sessionCookie(ctx.lab.sessions.create(user.id)) });
}

function logout(ctx: Ctx): void {
  ctx.lab.sessions.delete(parseCookies(ctx.req).get(SESSION_COOKIE));
  redirect(ctx.res, localPath(ctx.url.searchParams.get('next'), '/'), { 'set-cookie': clearedSessionCookie() });
}

function notesMain(user: UserRow, ctx: Ctx, error = ''): string {
  const list = ctx.lab.db
    .notes(user.id)
    .map((n) => `<li><b>${escapeHtml(n.title)}</b>: ${escapeHtml(n.body)}</li>`)
    .join('\n');
  return `<ul>
${list}
</ul>
<h2>New note</h2>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form action="/notes" method="post">
<p><label>Title <input name="title" maxlength="100"></label></p>
<p><label>Text <textarea name="body" maxlength="2000"></textarea></label></p>
<p><button>Save</button></p>
</form>`;
}

function notesPage(ctx: Ctx): void {
  const user = sessionUser(ctx);
  if (!user) return redirect(ctx.res, '/login?next=%2Fnotes');
  page(ctx, 200, 'My notes', notesMain(user, ctx));
}

async function notesSubmit(ctx: Ctx): Promise<void> {
  const user = sessionUser(ctx);
  if (!user) return redirect(ctx.res, '/login?next=%2Fnotes');
  const form = await readForm(ctx);
  const title = (form.get('title') ?? '').trim();
  const body = form.get('body') ?? '';
  if (title === '' || title.length > 100 || body.length > 2000) {
    return page(ctx, 400, 'My notes', notesMain(user, ctx, 'A note needs a title (up to 100 characters) and at most 2000 characters of text.'));
  }
  ctx.lab.db.createNote(user.id, title, body);
  redirect(ctx.res, '/notes');
}

/** HTML error page for the non-API part. */
export function errorPage(ctx: Ctx, status: number, message: string): void {
  sendHtml(ctx.res, status, layout(`Error ${status}`, `<p>${escapeHtml(message)}</p>`));
}

export function pageRoutes(): Route[] {
  return [
    { method: 'GET', path: '/', handler: home },
    { method: 'GET', path: '/products', handler: products },
    { method: 'GET', path: '/search', handler: search },
    { method: 'GET', path: '/help', handler: help },
    { method: 'GET', path: '/go', handler: go },
    { method: 'GET', path: '/login', handler: loginPage },
    { method: 'POST', path: '/login', handler: loginSubmit },
    { method: 'GET', path: '/logout', handler: logout },
    { method: 'GET', path: '/notes', handler: notesPage },
    { method: 'POST', path: '/notes', handler: notesSubmit },
  ];
}
