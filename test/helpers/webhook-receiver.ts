/**
 * A webhook receiver on loopback, as a host app runs one: every request's signature is checked
 * with the reference Standard Webhooks library (`standardwebhooks`), and every arrival is kept
 * in order. It can hold requests unanswered (to catch the sender mid-delivery).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Arrival {
  id: string;
  type: string;
  /** performance.now() when the body was read. */
  at: number;
  event: { id: string; type: string; timestamp: string; data: unknown };
}

export class WebhookReceiver {
  readonly arrivals: Arrival[] = [];
  /** Requests whose signature did not verify (answered 400, not kept as arrivals). */
  readonly rejected: string[] = [];
  /** Answered requests (kept arrivals), counted as they are answered. */
  answered = 0;
  /** Requests read and not answered (while `holding`). */
  readonly held: ServerResponse[] = [];
  /** When true, requests are read and kept but not answered. */
  holding = false;
  /** Called for every verified arrival (tests wait on it). */
  onArrival: ((a: Arrival) => void) | undefined;
  private server: Server | undefined;
  private webhook: Webhook | undefined;
  url = '';

  /** The endpoint's secret (`whsec_…`), known once the endpoint exists. */
  set secret(secret: string) {
    this.webhook = new Webhook(secret);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      let event: Arrival['event'];
      try {
        if (!this.webhook) throw new Error('no secret yet');
        event = this.webhook.verify(body, headers) as Arrival['event'];
      } catch (error) {
        this.rejected.push(`${headers['webhook-id']}: ${String(error)}`);
        res.writeHead(400).end();
        return;
      }
      const arrival = { id: event.id, type: event.type, at: performance.now(), event };
      this.arrivals.push(arrival);
      this.onArrival?.(arrival);
      if (this.holding) {
        this.held.push(res);
        return;
      }
      this.answered++;
      res.writeHead(204).end();
    });
  }

  /** Answers the held requests (whose senders may be gone) and stops holding. */
  release(): void {
    this.holding = false;
    for (const res of this.held.splice(0)) {
      if (!res.destroyed) res.writeHead(204).end();
    }
  }

  /** The distinct event ids received. */
  ids(): Set<string> {
    return new Set(this.arrivals.map((a) => a.id));
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}
