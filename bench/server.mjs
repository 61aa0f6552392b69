// bench/server.mjs — the minimal HTTP server the engine benchmark measures against, run in its own process (fork).
import { createServer } from 'node:http';

const body = Buffer.from('{"ok":true}');
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else process.stdout.write(`listening on http://127.0.0.1:${port}\n`);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
