/**
 * /healthz: the process is alive and serving HTTP (a container's HEALTHCHECK, a load balancer's
 * liveness probe); it touches nothing else, so a slow database never gets a live process
 * restarted. /readyz: this instance can serve SCIM: the database answers and has run every
 * migration of this build (503 otherwise, with the reason), for readiness probes and for a
 * rolling upgrade to wait on.
 */
import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const { ready, reason } = await app.directory.readiness();
    if (ready) return { status: 'ready' };
    app.log.warn({ reason }, 'not ready');
    return reply.code(503).send({ status: 'unready', reason });
  });
}
