/**
 * Every request's time budget (REQUEST_TIMEOUT_MS): an AbortSignal per request that aborts
 * when the budget runs out (its reason a TimeoutError) or when the client goes away before its
 * answer is sent. The directory passes it down to the reads that can be long, which stop then
 * (src/store/read-process.ts on SQLite, src/store/pg-long-reads.ts on PostgreSQL); a request
 * whose read was stopped for time gets 503.
 *
 * The signal is made when something first reads `request.budget`, not for every request: most
 * requests (a GET by id, a `userName eq` lookup) never run a read that takes it, and an
 * AbortController, a timer and a 'close' listener each cost CPU on the hot path. Made late, it
 * is the same signal: its timer runs for what is left of the budget since the request arrived
 * (aborting at once when nothing is left), and a client already gone aborts it at once.
 */
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /** Aborts when the request's time budget is spent or its client is gone. */
    readonly budget: AbortSignal;
    /** The reply and the budget's signal once made (request-budget.ts); not for other use. */
    budgetState: BudgetState | null;
  }
}

interface BudgetState {
  reply: FastifyReply;
  signal: AbortSignal | undefined;
}

function timedOut(ms: number) {
  return new DOMException(`The time budget of ${ms} ms is spent`, 'TimeoutError');
}

/** The request's budget signal, made on first use. */
function budgetOf(request: FastifyRequest, ms: number): AbortSignal {
  const state = request.budgetState;
  // Read before the onRequest hook ran (not on a route): a budget from now.
  if (!state) return AbortSignal.timeout(ms);
  state.signal ??= budgetSignal(state.reply.raw, state.reply.elapsedTime, ms);
  return state.signal;
}

/**
 * A budget of `ms` for the request answered by `response`, which arrived `elapsedMs` ago:
 * aborted when what is left of it runs out, or when the connection ends before the response
 * is sent. Also the budget of the requests answered before Fastify (fast-reads.ts).
 */
export function budgetSignal(response: ServerResponse, elapsedMs: number, ms: number): AbortSignal {
  const controller = new AbortController();
  if (response.closed) {
    // The connection ended already: sent, or the client went away before it was.
    if (!response.writableFinished) controller.abort();
    return controller.signal;
  }
  const left = ms - elapsedMs;
  if (left <= 0) {
    controller.abort(timedOut(ms));
    return controller.signal;
  }
  const timer = setTimeout(() => controller.abort(timedOut(ms)), left);
  timer.unref();
  // 'close' on the response: either it was sent, or the connection ended before it was.
  response.once('close', () => {
    clearTimeout(timer);
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

export async function requestBudget(app: FastifyInstance) {
  const ms = app.config.requestTimeoutMs;
  app.decorateRequest('budgetState', null);
  app.decorateRequest('budget', {
    getter(this: FastifyRequest) {
      return budgetOf(this, ms);
    },
  });
  app.addHook('onRequest', (request, reply, done) => {
    request.budgetState = { reply, signal: undefined };
    done();
  });
}

// Hooks on the root instance, like fastify-plugin's `skip-override`, so they apply to every route.
(requestBudget as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
