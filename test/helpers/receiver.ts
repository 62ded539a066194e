/**
 * A webhook receiver on loopback, for tests and the bench, as a host app runs one. It keeps
 * every request in arrival order (`got`) and answers as `respond` says. Once `secret` is set,
 * every request's signature is checked with the reference Standard Webhooks library
 * (`standardwebhooks`): one that does not verify is answered 400 and kept in `rejected` only.
 * It can hold requests unanswered (`holding`), to catch the sender mid-delivery.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The event's id (`evt_…`, the `webhook-id` header) and type. */
  id: string;
  type: string;
  /** performance.now() when the body was read. */
  at: number;
  event: {
    id: string;
    type: string;
    timestamp: string;
    data: { id?: string; userName?: string; member?: { id: string } };
  };
}

export class Receiver {
  /** Every request kept (verified, once `secret` is set), in arrival order. */
  readonly got: Received[] = [];
  /** Requests whose signature did not verify (answered 400, not in `got`). */
  readonly rejected: string[] = [];
  /** Requests read and not answered (while `holding`). */
  readonly held: ServerResponse[] = [];
  /** When true, requests are read and kept but not answered until release(). */
  holding = false;
  /** The answer: a status (200 `ok`; 3xx-5xx with a body of 2 KB), or 'hang' (never answers). */
  respond: (r: Received) => number | 'hang' = () => 200;
  /** Called for every request kept (tests and the bench wait on it). */
  onArrival: ((r: Received) => void) | undefined;
  private server: Server | undefined;
  private webhook: Webhook | undefined;
  url = '';

  /** The endpoint's secret (`whsec_…`): from now on, signatures are checked. */
  set secret(secret: string) {
    this.webhook = new Webhook(secret);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  }

  private handle(headers: IncomingHttpHeaders, body: string, res: ServerResponse) {
    let event: Received['event'];
    try {
      event = this.webhook
        ? (this.webhook.verify(body, signatureHeaders({ headers })) as Received['event'])
        : JSON.parse(body);
    } catch (error) {
      this.rejected.push(`${headers['webhook-id']}: ${String(error)}`);
      res.writeHead(400).end();
      return;
    }
    const r: Received = { headers, body, id: event.id, type: event.type, at: performance.now(), event };
    this.got.push(r);
    this.onArrival?.(r);
    if (this.holding) {
      this.held.push(res);
      return;
    }
    const status = this.respond(r);
    if (status === 'hang') return;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status >= 300 ? `no thanks ${'x'.repeat(2000)}` : 'ok');
  }

  /** Answers the held requests (whose senders may be gone) and stops holding. */
  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) {
      if (!res.destroyed) res.writeHead(200).end('ok');
    }
  }

  /** The distinct event ids received. */
  ids(): Set<string> {
    return new Set(this.got.map((r) => r.id));
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

/** The Standard Webhooks headers of a received request, for `new Webhook(secret).verify`. */
export function signatureHeaders(r: Pick<Received, 'headers'>): {
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
