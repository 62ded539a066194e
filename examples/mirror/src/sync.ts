/**
 * The two ways the mirror learns of changes, both through @scimitar/sdk only:
 * - webhooks: an HTTP receiver that checks each request with verifyWebhook and applies it
 *   before answering 2xx (a failure answers 500, and Scimitar retries);
 * - the pull feed: events() from the cursor stored in the mirror, the cursor stored after
 *   each page was applied.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ScimitarClient, verifyWebhook, WebhookSignatureError } from '@scimitar/sdk';
import type { Mirror } from './mirror.ts';

/**
 * Starts the webhook receiver on `port` (0: any free one); resolves with the server and its URL.
 * The endpoint's secret is read from the mirror (`webhook_secret`) for each request, so the
 * receiver can listen before the endpoint exists.
 */
export async function serveWebhooks(
  mirror: Mirror,
  options: { port?: number; host?: string; path?: string } = {},
): Promise<{ server: Server; url: string }> {
  const path = options.path ?? '/webhooks/scimitar';
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== path) {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const secret = mirror.get('webhook_secret');
        if (!secret) throw new WebhookSignatureError('no endpoint secret yet');
        // The raw body: the signature covers the exact bytes sent.
        const event = verifyWebhook(Buffer.concat(chunks).toString('utf8'), req.headers, secret);
        mirror.apply(event);
        res.writeHead(204).end();
      } catch (error) {
        res.writeHead(error instanceof WebhookSignatureError ? 401 : 500).end();
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${host}:${port}${path}` };
}

/** Follows the pull feed until `signal` aborts, resuming from the cursor the mirror stored. */
export async function followFeed(mirror: Mirror, client: ScimitarClient, signal: AbortSignal): Promise<void> {
  for await (const event of client.events({
    after: mirror.get('feed_cursor') ?? null,
    wait: 5,
    signal,
    onCursor: (cursor) => {
      if (cursor) mirror.set('feed_cursor', cursor);
    },
  })) {
    mirror.apply(event);
  }
}
