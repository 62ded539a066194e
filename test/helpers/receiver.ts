/** A webhook receiver on loopback for tests: records every request, answers as told. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; data: { id?: string; userName?: string; member?: { id: string } } };
}

/** Records every request and answers with `respond` (200 by default; 'hang' never answers). */
export class Receiver {
  readonly got: Received[] = [];
  respond: (r: Received) => number | 'hang' = () => 200;
  private server: Server | undefined;
  url = '';

  async start() {
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const r: Received = { headers: req.headers, body, event: JSON.parse(body) };
        this.got.push(r);
        const status = this.respond(r);
        if (status === 'hang') return;
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status >= 300 ? `no thanks ${'x'.repeat(2000)}` : 'ok');
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

/** The Standard Webhooks headers of a received request, for `new Webhook(secret).verify`. */
export function signatureHeaders(r: Received): {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
} {
  return {
    'webhook-id': String(r.headers['webhook-id']),
    'webhook-timestamp': String(r.headers['webhook-timestamp']),
    'webhook-signature': String(r.headers['webhook-signature']),
  };
}

/** Polls `check` until it holds; fails after `ms` (a bound on a hang, not a timing assertion). */
export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
