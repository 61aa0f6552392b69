// test/support/webhook-receiver.ts — a loopback server that keeps every JSON POST it receives (webhook tests).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  received: Array<{ path: string; body: Record<string, unknown> }>;
  close(): void;
}

export async function webhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server: Server = createServer((req, res) => {
    let b = '';
    req.on('data', (d: Buffer) => (b += d.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(b) as Record<string, unknown> });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received, close: () => void server.close() };
}
