/**
 * `npm start`: mirrors the directory into MIRROR_DB (default mirror.db).
 *
 *   SCIMITAR_URL, SCIMITAR_API_KEY   the service and a management API key
 *   MIRROR_MODE=webhooks|feed        default webhooks
 *   PUBLIC_URL                       webhooks: the URL Scimitar posts to (default http://127.0.0.1:PORT/webhooks/scimitar)
 *   PORT                             webhooks: where the receiver listens (default 4000)
 *
 * In webhook mode the first start creates the endpoint and keeps its secret in the mirror's
 * own database; later starts reuse it.
 */
import { ScimitarClient } from '@scimitar/sdk';
import { Mirror } from './mirror.ts';
import { followFeed, serveWebhooks } from './sync.ts';

const env = process.env;
if (!env.SCIMITAR_URL || !env.SCIMITAR_API_KEY) {
  console.error('Set SCIMITAR_URL and SCIMITAR_API_KEY');
  process.exit(2);
}
const client = new ScimitarClient({ baseUrl: env.SCIMITAR_URL, apiKey: env.SCIMITAR_API_KEY });
const mirror = new Mirror(env.MIRROR_DB ?? 'mirror.db');
const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

if ((env.MIRROR_MODE ?? 'webhooks') === 'feed') {
  console.log('following the event feed');
  await followFeed(mirror, client, stop.signal);
} else {
  const port = Number(env.PORT ?? 4000);
  const url = env.PUBLIC_URL ?? `http://127.0.0.1:${port}/webhooks/scimitar`;
  const { server } = await serveWebhooks(mirror, { port, host: '0.0.0.0' });
  if (!mirror.get('webhook_secret')) {
    const created = await client.createWebhookEndpoint({ url, description: 'example mirror' });
    mirror.set('webhook_secret', created.secret);
  }
  console.log(`receiving webhooks on port ${port} (endpoint ${url})`);
  await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve()));
  server.close();
}
mirror.close();
