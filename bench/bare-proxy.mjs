// bench/bare-proxy.mjs — the reference for bench/guard.bench.mjs: the least a Node reverse proxy does (node:http in
// front, an undici pool behind, the body streamed back), with no token, policy, record or header hygiene. What it
// costs on this machine is the floor any Node proxy starts from; its URL is sent over IPC.
import { createServer } from 'node:http';
import { Pool } from 'undici';

const pool = new Pool(process.argv[2], { connections: 64 });
const server = createServer(async (req, res) => {
  try {
    const up = await pool.request({ method: req.method, path: req.url, headers: { 'content-type': req.headers['content-type'] ?? 'text/plain' } });
    res.writeHead(up.statusCode, up.headers);
    for await (const chunk of up.body) res.write(chunk);
    res.end();
  } catch {
    res.writeHead(502).end();
  }
});
server.listen(0, '127.0.0.1', () => process.send?.({ url: `http://127.0.0.1:${server.address().port}` }));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
