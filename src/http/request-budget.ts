/**
 * Every request's time budget (REQUEST_TIMEOUT_MS): an AbortSignal per request that aborts
 * when the budget runs out (its reason a TimeoutError) or when the client goes away before its
 * answer is sent. The directory passes it down to the reads that can be long, which stop then
 * (src/store/read-process.ts on SQLite, src/store/pg-long-reads.ts on PostgreSQL); a request
 * whose read was stopped for time gets 503.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Aborts when the request's time budget is spent or its client is gone. */
    budget: AbortSignal;
  }
}

export async function requestBudget(app: FastifyInstance) {
  const ms = app.config.requestTimeoutMs;
  app.decorateRequest('budget', undefined as unknown as AbortSignal);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const controller = new AbortController();
    request.budget = controller.signal;
    const timer = setTimeout(() => {
      controller.abort(new DOMException(`The time budget of ${ms} ms is spent`, 'TimeoutError'));
    }, ms);
    timer.unref();
    // 'close' on the response: either it was sent, or the connection ended before it was.
    reply.raw.once('close', () => {
      clearTimeout(timer);
      if (!reply.raw.writableFinished) controller.abort();
    });
  });
}

// Hooks on the root instance, like fastify-plugin's `skip-override`, so they apply to every route.
(requestBudget as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
