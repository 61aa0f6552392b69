// bench/targets/proxy.mjs — a loopback-only HTTP proxy for the third-party scanner (wapiti): forwards requests to
// 127.0.0.1/localhost, refuses every other host (wapiti's SSRF/XXE endpoints and followed redirects point at
// wapiti3.ovh / openbugbounty.org) and the excluded paths (wapiti 3.0.4's own --exclude crashes on Python 3.11),
// counts what it forwarded (wapiti reports no request count), and answers direct requests as wapiti's endpoint.
import { createServer, request } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Starts the proxy on a free loopback port; `exclude` holds path prefixes answered 403 without forwarding. */
export async function startProxy({ exclude = [] } = {}) {
  const stats = { forwarded: 0, refusedHost: 0, refusedPath: 0, refusedHosts: new Set() };
  const server = createServer((req, res) => {
    let url;
    try {
      url = new URL(req.url);
    } catch {
      // A direct request: the proxy stands in for wapiti's SSRF/XXE endpoint (it must answer; it never saw a callback).
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    if (!LOOPBACK.has(url.hostname) || url.protocol !== 'http:') {
      stats.refusedHost++;
      stats.refusedHosts.add(url.host);
      res.writeHead(403).end('proxy: only loopback targets\n');
      return;
    }
    if (exclude.some((p) => url.pathname === p || url.pathname.startsWith(p.endsWith('/') ? p : `${p}/`) || url.pathname.startsWith(`${p}?`))) {
      stats.refusedPath++;
      res.writeHead(403).end('proxy: excluded path\n');
      return;
    }
    stats.forwarded++;
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const up = request({ host: url.hostname, port: url.port || 80, method: req.method, path: url.pathname + url.search, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => {
      if (!res.headersSent) res.writeHead(502);
      res.end(`proxy: ${e.message}\n`);
    });
    req.pipe(up);
  });
  // HTTPS through CONNECT would leave loopback: refused.
  server.on('connect', (req, socket) => {
    stats.refusedHost++;
    stats.refusedHosts.add(req.url);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    stats,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
