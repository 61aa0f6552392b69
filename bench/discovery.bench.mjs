// bench/discovery.bench.mjs — discovery cost: the lab candidate from its root URL alone (time), and requests spent on
// generated sites of 5 route templates at 2,000 and 20,000 pages (the reference in the same run): the crawl must cost
// the same at both sizes — it grows with templates, not pages.
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
if (!existsSync(join(dist, 'src', 'discover', 'index.js'))) {
  process.stderr.write('bench discovery: dist/ is missing; run `npm run setup` first\n');
  process.exit(2);
}
const { discover } = await import(pathToFileURL(join(dist, 'src', 'discover', 'index.js')).href);
const { createEngine } = await import(pathToFileURL(join(dist, 'src', 'net', 'index.js')).href);
const { startLab } = await import(pathToFileURL(join(dist, 'lab', 'server.js')).href);

async function run(url, options = {}, explore = undefined) {
  const target = { name: 'bench', url, environment: 'local' };
  const engine = createEngine({ target, scope: { origins: [url], include: [], exclude: ['/logout'] }, safeMode: false, ratePerSecond: 10_000 });
  const t0 = performance.now();
  const surface = await discover({ target, engine, options, ...(explore ? { explore } : {}) });
  const ms = performance.now() - t0;
  const stats = engine.stats();
  await engine.close();
  return { ms, surface, sent: stats.sent };
}

// 1. The lab from its root URL alone (no --spec, no config), best of 3.
const lab = await startLab({ variant: 'candidate' });
let best;
for (let i = 0; i < 3; i++) {
  const r = await run(lab.url);
  if (!best || r.ms < best.ms) best = r;
}
const single = await (async () => {
  const target = { name: 'bench', url: lab.url, environment: 'local' };
  const engine = createEngine({ target, scope: { origins: [lab.url], include: [], exclude: [] }, safeMode: false });
  await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous' });
  const t0 = performance.now();
  for (let i = 0; i < 10; i++) await engine.send({ method: 'GET', url: '/' }, { identity: 'anonymous' });
  const ms = (performance.now() - t0) / 10;
  await engine.close();
  return ms;
})();
// The same with what a scan adds (browser crawl in Chromium, observed auth, shadow probing, inferred links), anonymous.
let explored;
for (let i = 0; i < 2; i++) {
  const r = await run(lab.url, {}, { safeMode: false });
  if (!explored || r.ms < explored.ms) explored = r;
}
await lab.close();
console.log(`lab discovery from the root URL: ${best.ms.toFixed(0)} ms, ${best.sent} requests, ${best.surface.operations.length} operations (budget <= 10000 ms)`);
console.log(`lab discovery with browser crawl, auth probes and shadow routes: ${explored.ms.toFixed(0)} ms, ${explored.sent} requests, ${explored.surface.operations.length} operations (target <= 10000 ms)`);
console.log(`reference GET / on the lab: ${single.toFixed(2)} ms; discovery / one request: ${(best.ms / single).toFixed(0)}`);

// 2. Generated sites: 5 templates, pages linking to each other, a sitemap listing every page.
const TEMPLATES = ['product', 'category', 'user', 'article', 'tag'];
async function site(pages) {
  let hits = 0;
  const per = Math.ceil(pages / TEMPLATES.length);
  const page = (t, i) => `/${t}/${i}`;
  const server = createServer((req, res) => {
    hits++;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/sitemap.xml') {
      const locs = [];
      for (const t of TEMPLATES) for (let i = 0; i < per; i++) locs.push(`<url><loc>http://127.0.0.1:${server.address().port}${page(t, i)}</loc></url>`);
      res.writeHead(200, { 'content-type': 'application/xml' }).end(`<urlset>${locs.join('')}</urlset>`);
      return;
    }
    const m = /^\/(\w+)\/(\d+)$/.exec(path);
    if (path !== '/' && !(m && TEMPLATES.includes(m[1]) && Number(m[2]) < per)) return res.writeHead(404).end();
    const n = m ? Number(m[2]) : 0;
    const links = [];
    for (const t of TEMPLATES) for (let k = 1; k <= 4; k++) links.push(`<a href="${page(t, (n * 7 + k * 13) % per)}">${t}</a>`);
    res.writeHead(200, { 'content-type': 'text/html' }).end(`<html><body>${links.join(' ')}</body></html>`);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${server.address().port}`;
  const r = await run(url, { graphql: false });
  await new Promise((res) => server.close(res));
  return { ...r, hits, pages: per * TEMPLATES.length };
}

const small = await site(2_000);
const large = await site(20_000);
for (const s of [small, large]) {
  console.log(`generated site, ${s.pages} pages of ${TEMPLATES.length} templates: ${s.hits} requests received, ${s.surface.operations.length} operations, ${s.ms.toFixed(0)} ms`);
}
console.log(`requests per template (20,000 pages): ${(large.hits / TEMPLATES.length).toFixed(1)}; requests / pages: ${(large.hits / large.pages).toFixed(5)}`);
console.log(`discovery requests ratio (20,000 pages / 2,000 pages): ${(large.hits / small.hits).toFixed(2)} (1.00 = cost grows with templates, not pages)`);
if (large.hits > 100) {
  process.stderr.write(`bench discovery: ${large.hits} requests for ${TEMPLATES.length} templates is not bounded\n`);
  process.exit(1);
}
