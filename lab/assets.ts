// lab/assets.ts — the single-page app's files, embedded so the compiled lab needs nothing beside its .js files.

/** The shell served at /app. Its script is external, so the page's strict CSP holds. */
export const APP_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Lab Shop app</title>
</head>
<body>
<main>
<h1>Lab Shop app</h1>
<section><h2>Products</h2><ul id="products"></ul></section>
<section><h2>You may also like</h2><ul id="recommendations"></ul></section>
<section><h2>Cart</h2><p id="cart">Loading…</p></section>
</main>
<script type="module" src="/app/app.js"></script>
</body>
</html>
`;

/**
 * The app's script. It calls two routes that exist only here (no link, no spec):
 * `GET /api/app/recommendations?productId=` and `POST /api/app/cart` with a JSON body.
 * It renders with textContent only, so it adds no DOM XSS of its own.
 */
export const APP_JS = `// app.js — Lab Shop's single-page part: products, recommendations and a cart kept in localStorage.
const $ = (id) => document.getElementById(id);
const CART_KEY = 'lab-cart';

function item(text, onClick) {
  const li = document.createElement('li');
  li.textContent = text;
  if (onClick) {
    const button = document.createElement('button');
    button.textContent = 'Add to cart';
    button.addEventListener('click', onClick);
    li.append(' ', button);
  }
  return li;
}

function savedCart() {
  try {
    const items = JSON.parse(localStorage.getItem(CART_KEY) || 'null');
    return Array.isArray(items) ? items : null;
  } catch {
    return null;
  }
}

async function getJson(url, init) {
  const response = await fetch(url, { credentials: 'same-origin', ...init });
  if (!response.ok) throw new Error(url + ' answered ' + response.status);
  return response.json();
}

async function syncCart(items) {
  const cart = await getJson('/api/app/cart', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ items }),
  });
  localStorage.setItem(CART_KEY, JSON.stringify(items));
  $('cart').textContent = cart.items.length + ' item(s), total ' + cart.total.toFixed(2);
  return cart;
}

async function addToCart(productId) {
  const items = savedCart() || [];
  const line = items.find((i) => i.productId === productId);
  if (line) line.quantity += 1;
  else items.push({ productId, quantity: 1 });
  await syncCart(items);
}

async function showRecommendations(productId) {
  const list = await getJson('/api/app/recommendations?productId=' + encodeURIComponent(productId));
  $('recommendations').replaceChildren(...list.map((p) => item(p.name + ' — ' + p.price.toFixed(2), () => addToCart(p.id))));
}

async function main() {
  const products = await getJson('/api/products');
  $('products').replaceChildren(...products.map((p) => item(p.name + ' — ' + p.price.toFixed(2), () => addToCart(p.id))));
  if (products.length > 0) await showRecommendations(products[0].id);
  // A first visit starts with the featured product in the cart.
  await syncCart(savedCart() || (products.length > 0 ? [{ productId: products[0].id, quantity: 1 }] : []));
}

main().catch((error) => {
  $('cart').textContent = 'The shop is unavailable: ' + error.message;
});
`;
