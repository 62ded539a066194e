/**
 * Reads that can be long (a filtered or sorted list over a whole org, its count) on PostgreSQL,
 * stopped with their request. statement_timeout bounds every statement (db.ts), but a read
 * whose client went away, or whose request spent its budget over several statements, would
 * run on until then, holding a connection and a backend's CPU. Such a read runs on a pool
 * client it holds itself; when the request's signal aborts, a connection of its own asks the
 * server to cancel that client's backend (`pg_cancel_backend`, PostgreSQL "Server Signaling
 * Functions"), the same effect as the protocol's cancel request, without handling its TLS or
 * socket set-up here.
 *
 * The cancel can only reach this read's query: the client is not given back to the pool until
 * the cancel has been delivered, and is then discarded (a backend that already finished the
 * read ignores a cancel while it waits for a command, and is closed).
 */
import pg from 'pg';
import { cancelled, type LongReads, throwIfAborted } from './read-process.ts';

export class PgLongReads implements LongReads {
  #running = 0;
  /** Reads cancelled before they finished (their backend told to stop), for tests and operators. */
  stopped = 0;

  get running(): number {
    return this.#running;
  }

  constructor(readonly pool: pg.Pool) {}

  /** Runs a SELECT; rejects with StoreCancelled if `signal` aborts first (the backend cancels it). */
  async all(sql: string, parameters: readonly unknown[], signal?: AbortSignal): Promise<unknown[]> {
    throwIfAborted(signal);
    const client = await this.pool.connect();
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      this.stopped++;
      cancelling = this.#cancel((client as unknown as { processID?: number }).processID);
    };
    this.#running++;
    try {
      throwIfAborted(signal);
      signal?.addEventListener('abort', onAbort, { once: true });
      return (await client.query(sql, [...parameters])).rows;
    } catch (error) {
      // 57014 query_canceled: by this read's signal (the budget or the client gone), else by statement_timeout.
      if ((error as { code?: unknown }).code === '57014')
        throw cancelled(signal?.aborted ? signal : timedOut);
      throw error;
    } finally {
      this.#running--;
      signal?.removeEventListener('abort', onAbort);
      if (cancelling) await cancelling;
      // A client a cancel was sent to is not reused.
      client.release(cancelling ? true : undefined);
    }
  }

  /** Asks the server to cancel what backend `pid` runs; never throws (the read's own error says enough). */
  async #cancel(pid: number | undefined): Promise<void> {
    if (pid === undefined) return;
    // Not a pool client: the pool may be full of the very reads to stop.
    const canceller = new pg.Client(this.pool.options);
    canceller.on('error', () => {});
    try {
      await canceller.connect();
      await canceller.query('select pg_cancel_backend($1)', [pid]);
    } catch {
      // statement_timeout still bounds the read.
    } finally {
      await canceller.end().catch(() => {});
    }
  }
}

/** A signal whose reason says the time budget ran out: what statement_timeout means. */
const timedOut = AbortSignal.abort(new DOMException('statement_timeout', 'TimeoutError'));
