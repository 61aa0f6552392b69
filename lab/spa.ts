// lab/spa.ts — the single-page part: the /app shell, its script, and the two API routes only that script calls.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { productJson } from './api.js';
import { APP_HTML, APP_JS } from './assets.js';
import type { Ctx, Route } from './http.js';
import { HttpError, parseCookies, parseId, readJson, sendJson } from './http.js';

/** The shell is the one page that sends the security headers (the safe twin of the other pages). */
const SHELL_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function shell(ctx: Ctx): void {
  ctx.res.writeHead(200, SHELL_HEADERS);
  ctx.res.end(APP_HTML);
}

function script(ctx: Ctx): void {
  ctx.res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'x-content-type-options': 'nosniff' });
  // The build line differs per variant, so the two deployments' assets differ as real builds would.
  ctx.res.end(`${APP_JS}// lab build: ${ctx.lab.variant}\n`);
}

/** Other products of the same category. */
function recommendations(ctx: Ctx): void {
  const id = parseId(ctx.url.searchParams.get('productId'));
  if (id === undefined) throw new HttpError(400, 'productId must be a positive integer');
  const product = ctx.lab.db.productById(id);
  if (!product) throw new HttpError(404, 'product not found');
  const others = ctx.lab.db.products(product.category).filter((p) => p.id !== id);
  sendJson(ctx.res, 200, others.map(productJson));
}

const Cart = z.object({
  items: z.array(z.object({ productId: z.number().int().min(1), quantity: z.number().int().min(1).max(100) })).max(50),
});

/** Prices a cart; the `cart` cookie it sets carries every flag (the safe twin of the session cookie). */
async function cart(ctx: Ctx): Promise<void> {
  const { items } = await readJson(ctx, Cart);
  const lines = items.map(({ productId, quantity }) => {
    const product = ctx.lab.db.productById(productId);
    if (!product) throw new HttpError(400, `unknown product ${productId}`);
    return { productId, name: product.name, quantity, lineTotal: Math.round(product.price * quantity * 100) / 100 };
  });
  const total = Math.round(lines.reduce((sum, l) => sum + l.lineTotal, 0) * 100) / 100;
  const cartId = parseCookies(ctx.req).get('cart') ?? randomBytes(12).toString('hex');
  const safeId = /^[0-9a-f]{24}$/.test(cartId) ? cartId : randomBytes(12).toString('hex');
  sendJson(ctx.res, 200, { items: lines, total }, {
    'set-cookie': `cart=${safeId}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=86400`,
  });
}

export function spaRoutes(): Route[] {
  return [
    { method: 'GET', path: '/app', handler: shell },
    { method: 'GET', path: '/app/app.js', handler: script },
    { method: 'GET', path: '/api/app/recommendations', handler: recommendations },
    { method: 'POST', path: '/api/app/cart', handler: cart },
  ];
}
