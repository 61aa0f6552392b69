// lab/api.ts — the documented JSON API under /api: sign-in, products, orders, notes, users, reports and files.
import { z } from 'zod';
import { SCOPES, hasScope, isAdmin, requireAuth, requireUser, signJwt, verifyPassword, JWT_LIFETIME_S } from './auth.js';
import type { NoteRow, OrderRow, ProductRow, UserRow } from './db.js';
import { readDownload } from './files.js';
import type { Ctx, Route } from './http.js';
import { HttpError, parseId, pause, readJson, sendEmpty, sendJson, sendText } from './http.js';
import type { VariantTraits } from './variants.js';

// ---- JSON shapes (the spec's schemas) ---------------------------------------------------------------------

export function productJson(p: ProductRow): Record<string, unknown> {
  return { id: p.id, name: p.name, description: p.description, category: p.category, price: p.price, stock: p.stock };
}

function orderJson(o: OrderRow): Record<string, unknown> {
  return {
    id: o.id,
    userId: o.user_id,
    productId: o.product_id,
    quantity: o.quantity,
    total: o.total,
    status: o.status,
    createdAt: o.created_at,
  };
}

function noteJson(n: NoteRow): Record<string, unknown> {
  return { id: n.id, userId: n.user_id, title: n.title, body: n.body, createdAt: n.created_at };
}

function userJson(u: UserRow): Record<string, unknown> {
  return { id: u.id, username: u.username, displayName: u.display_name, role: u.role };
}

function pathId(ctx: Ctx, what: string): number {
  const id = parseId(ctx.params.id);
  if (id === undefined) throw new HttpError(400, `${what} id must be a positive integer`);
  return id;
}

const forbidden = (): HttpError => new HttpError(403, 'not allowed');

// ---- sign-in and accounts ---------------------------------------------------------------------------------

const Credentials = z.object({ username: z.string().min(1).max(100), password: z.string().min(1).max(200) });

async function login(ctx: Ctx): Promise<void> {
  const { username, password } = await readJson(ctx, Credentials);
  const user = ctx.lab.db.userByName(username);
  if (!user || !verifyPassword(password, user.password_hash)) throw new HttpError(401, 'wrong username or password');
  sendJson(ctx.res, 200, { token: signJwt(user), tokenType: 'Bearer', expiresIn: JWT_LIFETIME_S });
}

/** Candidate only: self-registration, whose schema takes `role` from the client (mass-assignment). */
const Registration = z.object({
  username: z.string().regex(/^[a-z0-9_]{3,20}$/),
  password: z.string().min(6).max(200),
  displayName: z.string().min(1).max(50).optional(),
  role: z.enum(['user', 'admin']).optional(),
});

async function register(ctx: Ctx): Promise<void> {
  const input = await readJson(ctx, Registration);
  if (ctx.lab.db.userByName(input.username)) throw new HttpError(409, 'username taken');
  const user = ctx.lab.db.createUser({
    username: input.username,
    password: input.password,
    displayName: input.displayName ?? input.username,
    role: input.role ?? 'user',
  });
  sendJson(ctx.res, 201, userJson(user), { location: `/api/users/${user.id}` });
}

// ---- products ---------------------------------------------------------------------------------------------

function listProducts(ctx: Ctx): void {
  const category = ctx.url.searchParams.get('category');
  if (category !== null && category.length > 50) throw new HttpError(400, 'category is too long');
  sendJson(ctx.res, 200, ctx.lab.db.products(category ?? undefined).map(productJson));
}

function searchProducts(ctx: Ctx): void {
  const q = ctx.url.searchParams.get('q');
  if (!q || q.length > 100) throw new HttpError(400, 'q is required (1 to 100 characters)');
  const rows = ctx.lab.traits.concatenatedSearch ? ctx.lab.db.searchProductsConcatenated(q) : ctx.lab.db.searchProducts(q);
  sendJson(ctx.res, 200, rows.map(productJson));
}

function getProduct(ctx: Ctx): void {
  const { traits, db } = ctx.lab;
  if (traits.uncheckedProductId) {
    // The candidate's "price formatting" rewrite: no id validation and no not-found branch, so a bad or unknown
    // id reaches productJson(undefined) and throws a TypeError (a 500).
    const row = db.productById(Number(ctx.params.id)) as ProductRow;
    const product = productJson(row);
    sendJson(ctx.res, 200, traits.priceAsString ? { ...product, price: row.price.toFixed(2) } : product);
    return;
  }
  const row = db.productById(pathId(ctx, 'product'));
  if (!row) throw new HttpError(404, 'product not found');
  sendJson(ctx.res, 200, productJson(row));
}

const NewProduct = z.object({
  name: z.string().min(1).max(100),
  description: z.string().max(500).optional(),
  category: z.string().min(1).max(50),
  price: z.number().min(0).max(100000),
  stock: z.number().int().min(0).max(100000).optional(),
});

async function createProduct(ctx: Ctx): Promise<void> {
  if (!isAdmin(requireAuth(ctx))) throw forbidden();
  const input = await readJson(ctx, NewProduct);
  const product = ctx.lab.db.createProduct({
    name: input.name,
    description: input.description ?? '',
    category: input.category,
    price: input.price,
    stock: input.stock ?? 0,
  });
  sendJson(ctx.res, 201, productJson(product), { location: `/api/products/${product.id}` });
}

/** Admins may delete; so may the agent token, whose `products:delete` scope it was never meant to have. */
function deleteProduct(ctx: Ctx): void {
  const principal = requireAuth(ctx);
  if (!isAdmin(principal) && !hasScope(principal, SCOPES.productsDelete)) throw forbidden();
  if (!ctx.lab.db.deleteProduct(pathId(ctx, 'product'))) throw new HttpError(404, 'product not found');
  sendEmpty(ctx.res, 204);
}

// ---- orders -----------------------------------------------------------------------------------------------

function listOrders(ctx: Ctx): void {
  const principal = requireAuth(ctx);
  let rows: OrderRow[];
  if (principal.kind === 'agent') {
    if (!hasScope(principal, SCOPES.ordersRead)) throw forbidden();
    rows = ctx.lab.db.orders();
  } else {
    rows = ctx.lab.db.orders(principal.user.role === 'admin' ? undefined : principal.user.id);
  }
  sendJson(ctx.res, 200, rows.map(orderJson));
}

function getOrder(ctx: Ctx): void {
  const principal = requireAuth(ctx);
  if (principal.kind === 'agent' && !hasScope(principal, SCOPES.ordersRead)) throw forbidden();
  const order = ctx.lab.db.orderById(pathId(ctx, 'order'));
  if (!order) throw new HttpError(404, 'order not found');
  const ownerCheck = principal.kind === 'user' && principal.user.role !== 'admin' && !ctx.lab.traits.noOrderOwnerCheck;
  if (ownerCheck && principal.user.id !== order.user_id) throw new HttpError(404, 'order not found');
  sendJson(ctx.res, 200, orderJson(order));
}

const NewOrder = z.object({ productId: z.number().int().min(1), quantity: z.number().int().min(1).max(100) });
/** The candidate's looser schema: any integer quantity; the database's `quantity <> 0` check is all that is left. */
const NewOrderLoose = z.object({ productId: z.number().int().min(1), quantity: z.number().int() });

async function createOrder(ctx: Ctx): Promise<void> {
  const user = requireUser(ctx);
  const input = await readJson(ctx, ctx.lab.traits.looseOrderValidation ? NewOrderLoose : NewOrder);
  const product = ctx.lab.db.productById(input.productId);
  if (!product) throw new HttpError(400, 'unknown product');
  const order = ctx.lab.db.createOrder(user.id, product, input.quantity);
  sendJson(ctx.res, 201, orderJson(order), { location: `/api/orders/${order.id}` });
}

// ---- notes (owner only, in both variants) -----------------------------------------------------------------

function listNotes(ctx: Ctx): void {
  const user = requireUser(ctx);
  sendJson(ctx.res, 200, ctx.lab.db.notes(user.id).map(noteJson));
}

const NewNote = z.object({ title: z.string().trim().min(1).max(100), body: z.string().max(2000) });

async function createNote(ctx: Ctx): Promise<void> {
  const user = requireUser(ctx);
  const input = await readJson(ctx, NewNote);
  const note = ctx.lab.db.createNote(user.id, input.title, input.body);
  sendJson(ctx.res, 201, noteJson(note), { location: `/api/notes/${note.id}` });
}

function ownNote(ctx: Ctx): NoteRow {
  const user = requireUser(ctx);
  const note = ctx.lab.db.noteById(pathId(ctx, 'note'));
  // Someone else's note is "not found", exactly like a missing one.
  if (!note || note.user_id !== user.id) throw new HttpError(404, 'note not found');
  return note;
}

function getNote(ctx: Ctx): void {
  sendJson(ctx.res, 200, noteJson(ownNote(ctx)));
}

function deleteNote(ctx: Ctx): void {
  ctx.lab.db.deleteNote(ownNote(ctx).id);
  sendEmpty(ctx.res, 204);
}

// ---- users ------------------------------------------------------------------------------------------------

function listUsers(ctx: Ctx): void {
  // The candidate dropped this guard while refactoring the users router (ignored-auth).
  if (!ctx.lab.traits.openUserList && !isAdmin(requireAuth(ctx))) throw forbidden();
  sendJson(ctx.res, 200, ctx.lab.db.users().map(userJson));
}

function getProfile(ctx: Ctx): void {
  const user = requireUser(ctx);
  const profile = userJson(user);
  // The candidate added the hash "to debug the login flow" (excessive-data-exposure).
  sendJson(ctx.res, 200, ctx.lab.traits.profileIncludesHash ? { ...profile, passwordHash: user.password_hash } : profile);
}

/** Only `displayName` is read; `role` and anything else in the body are dropped by the schema. */
const ProfileChange = z.object({ displayName: z.string().trim().min(1).max(50) });

async function updateProfile(ctx: Ctx): Promise<void> {
  const user = requireUser(ctx);
  const { displayName } = await readJson(ctx, ProfileChange);
  ctx.lab.db.setDisplayName(user.id, displayName);
  sendJson(ctx.res, 200, userJson({ ...user, display_name: displayName }));
}

/** Admins, the user themself, and the agent token (its `users:lookup` scope is more than it needs). */
function getUser(ctx: Ctx): void {
  const principal = requireAuth(ctx);
  const id = pathId(ctx, 'user');
  const self = principal.kind === 'user' && principal.user.id === id;
  if (!self && !isAdmin(principal) && !hasScope(principal, SCOPES.usersLookup)) throw forbidden();
  const user = ctx.lab.db.userById(id);
  if (!user) throw new HttpError(404, 'user not found');
  sendJson(ctx.res, 200, userJson(user));
}

// ---- reports and files ------------------------------------------------------------------------------------

/** Slow in the candidate (~1.5 s): stands in for its per-category query loop (max-response-time). */
async function getSummary(ctx: Ctx): Promise<void> {
  const counts = ctx.lab.db.counts();
  const summary = { products: counts.products, orders: counts.orders, categories: ctx.lab.db.categorySummary() };
  if (ctx.lab.traits.slowSummary) await pause(1500, ctx.lab.signal);
  sendJson(ctx.res, 200, summary);
}

function downloadFile(ctx: Ctx): void {
  const name = ctx.url.searchParams.get('name');
  if (!name || name.length > 100) throw new HttpError(400, 'name is required (1 to 100 characters)');
  const found = readDownload(ctx.lab.files, name, ctx.lab.traits.fileNameJoined);
  if (!found.ok) throw new HttpError(found.status, found.message);
  sendText(ctx.res, 200, found.text, { 'x-content-type-options': 'nosniff' });
}

/** The documented API of a variant (the candidate adds `POST /api/register`). */
export function apiRoutes(traits: Readonly<VariantTraits>): Route[] {
  const routes: Route[] = [
    { method: 'POST', path: '/api/login', handler: login },
    { method: 'GET', path: '/api/products', handler: listProducts },
    { method: 'POST', path: '/api/products', handler: createProduct },
    { method: 'GET', path: '/api/products/search', handler: searchProducts },
    { method: 'GET', path: '/api/products/{id}', handler: getProduct },
    { method: 'DELETE', path: '/api/products/{id}', handler: deleteProduct },
    { method: 'GET', path: '/api/orders', handler: listOrders },
    { method: 'POST', path: '/api/orders', handler: createOrder },
    { method: 'GET', path: '/api/orders/{id}', handler: getOrder },
    { method: 'GET', path: '/api/notes', handler: listNotes },
    { method: 'POST', path: '/api/notes', handler: createNote },
    { method: 'GET', path: '/api/notes/{id}', handler: getNote },
    { method: 'DELETE', path: '/api/notes/{id}', handler: deleteNote },
    { method: 'GET', path: '/api/users', handler: listUsers },
    { method: 'GET', path: '/api/users/me', handler: getProfile },
    { method: 'PATCH', path: '/api/users/me', handler: updateProfile },
    { method: 'GET', path: '/api/users/{id}', handler: getUser },
    { method: 'GET', path: '/api/reports/summary', handler: getSummary },
    { method: 'GET', path: '/api/files', handler: downloadFile },
  ];
  if (traits.selfRegistration) routes.push({ method: 'POST', path: '/api/register', handler: register });
  return routes;
}
