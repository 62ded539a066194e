/**
 * /metrics in the Prometheus text format (prom-client), on a registry of this app's own:
 * requests by org, route, method, status and detected IdP; latency histograms by route; the
 * database pool (PostgreSQL) or WAL sizes and checkpoint failures (SQLite); the request log's
 * queue; and the process's own figures (CPU, memory, event-loop lag). With METRICS_TOKEN set,
 * scrapers must send it as a bearer token. docs/deployment.md lists every series.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AttemptResult } from '../events/dispatcher.ts';
import { detectIdp } from './request-log-format.ts';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** A constant-time comparison of the presented bearer token with METRICS_TOKEN. */
function authorized(request: FastifyRequest, token: string | undefined): boolean {
  if (token === undefined) return true;
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), digest(token));
}

export async function metricsRoutes(app: FastifyInstance) {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'scimitar' });
  collectDefaultMetrics({ register: registry, prefix: 'scimitar_' });

  const requests = new Counter({
    name: 'scimitar_http_requests_total',
    help: 'HTTP requests answered, by organization (authenticated SCIM requests only), route, method, status and the IdP detected from the headers',
    labelNames: ['org', 'route', 'method', 'status', 'idp'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'scimitar_http_request_duration_seconds',
    help: 'Time from the request to its response, by route and method',
    labelNames: ['route', 'method'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const unknownOrg = new Counter({
    name: 'scimitar_unknown_org_requests_total',
    help: 'Requests to /scim/v2/<org> naming an organization that does not exist (a wrong base URL at an IdP)',
    registers: [registry],
  });
  app.decorate('countUnknownOrg', () => unknownOrg.inc());

  // Webhooks: this process's attempts (the dispatcher reports them, main.ts), and the queue
  // of pending deliveries, which is the database's and so the same on every instance.
  const attempts = new Counter({
    name: 'scimitar_webhook_attempts_total',
    help: 'Webhook delivery attempts made by this process, by outcome: delivered (2xx), retried (failed, to be tried again), failed (given up)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  for (const outcome of ['delivered', 'retried', 'failed'] as const) attempts.inc({ outcome }, 0);
  const attemptDuration = new Histogram({
    name: 'scimitar_webhook_attempt_duration_seconds',
    help: "Time from a webhook request to its receiver's answer (or the timeout, or the connection failure)",
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  app.decorate('countWebhookAttempt', (outcome: AttemptResult, latencyMs: number | undefined) => {
    attempts.inc({ outcome });
    if (latencyMs !== undefined) attemptDuration.observe(latencyMs / 1000);
  });
  const queue = async () => {
    try {
      return await app.directory.webhooks.queue();
    } catch {
      return undefined; // the database is down: /readyz says so; the scrape still answers
    }
  };
  new Gauge({
    name: 'scimitar_webhook_queue_deliveries',
    help: 'Webhook deliveries pending (not yet delivered nor given up), all endpoints, all instances',
    registers: [registry],
    async collect() {
      const q = await queue();
      if (q) this.set(q.pending);
    },
  });
  new Gauge({
    name: 'scimitar_webhook_oldest_pending_age_seconds',
    help: 'Age of the oldest pending webhook delivery (0 when none); one that keeps growing means a receiver is down or deliveries are not keeping up',
    registers: [registry],
    async collect() {
      const q = await queue();
      if (q) this.set(q.oldestAgeSeconds);
    },
  });

  const directory = app.directory;
  new Gauge({
    name: 'scimitar_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting: requests queued for a connection)',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const pool = directory.databaseStats().pool;
      if (!pool) return;
      this.set({ state: 'total' }, pool.total);
      this.set({ state: 'idle' }, pool.idle);
      this.set({ state: 'waiting' }, pool.waiting);
    },
  });
  new Gauge({
    name: 'scimitar_sqlite_wal_bytes',
    help: 'Size of each SQLite WAL file; one that keeps growing means checkpoints are not keeping up',
    labelNames: ['file'] as const,
    registers: [registry],
    collect() {
      for (const { file, bytes } of directory.databaseStats().wal ?? []) {
        this.set({ file: file.endsWith('.requests.db') ? 'requests' : 'directory' }, bytes);
      }
    },
  });
  new Gauge({
    name: 'scimitar_sqlite_checkpoint_failures',
    help: 'SQLite WAL checkpoints that failed since start',
    registers: [registry],
    collect() {
      this.set(directory.databaseStats().checkpointFailures ?? 0);
    },
  });
  new Gauge({
    name: 'scimitar_request_log_queue',
    help: 'Requests captured for the request log and not yet written',
    registers: [registry],
    collect() {
      this.set(app.requestLog.queued);
    },
  });
  new Gauge({
    name: 'scimitar_request_log_rows',
    help: 'Request-log rows since start: written, dropped (queue full), failed (write failed), skipped (unknown org)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      for (const [outcome, n] of Object.entries(app.requestLog.stats)) this.set({ outcome }, n);
    },
  });

  /** Counts an answered request (here, and for the reads answered before Fastify: fast-reads.ts). */
  const countRequest: CountRequest = (request, route, status, elapsedMs) => {
    const method = request.method;
    // The org label only for requests that authenticated: names sent by anyone else are
    // unbounded (a label per typo, or per attacker's guess).
    const org = request.scimActor?.orgId ?? '';
    const idp = route.startsWith('/scim/') ? detectIdp(request.headers) : '';
    requests.inc({ org, route, method, status: String(status), idp });
    duration.observe({ route, method }, elapsedMs / 1000);
  };
  app.decorate('countRequest', countRequest);
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return done();
    countRequest(request, route, reply.statusCode, reply.elapsedTime);
    done();
  });

  app.get('/metrics', async (request, reply) => {
    if (!authorized(request, app.config.metricsToken)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="metrics"')
        .send({ status: 401, detail: 'METRICS_TOKEN required' });
    }
    return reply.type(registry.contentType).send(await registry.metrics());
  });
}
// Hooks on the root instance, so they see every route (as fastify-plugin's skip-override).
(metricsRoutes as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;

type CountRequest = (
  request: {
    method: string;
    headers: FastifyRequest['headers'];
    scimActor: { orgId: string } | null;
  },
  route: string,
  status: number,
  elapsedMs: number,
) => void;

declare module 'fastify' {
  interface FastifyInstance {
    countUnknownOrg: () => void;
    /** Counts an answered request in the request metrics, by its route pattern. */
    countRequest: CountRequest;
    /** Counts a webhook attempt of this process's dispatcher (src/events/start.ts `onAttempt`). */
    countWebhookAttempt: (outcome: AttemptResult, latencyMs: number | undefined) => void;
  }
}
