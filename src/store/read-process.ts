/**
 * Reads that can be long (a filtered or sorted list over a whole org, its count) run in a child
 * process with its own read-only connection to the SQLite file, never on the event loop: a
 * 5-second scan no longer holds every other request for 5 seconds. And they can be stopped:
 * better-sqlite3 has no interrupt, and a worker thread cannot be stopped inside a native call
 * (Worker.terminate waits for JavaScript to run again, which a scan never does until it ends),
 * but a process can be killed at once. A stopped read (its request's time budget spent, or its
 * client gone) kills its process; a new one starts for the next read.
 *
 * At most READ_PROCESSES run at once; reads beyond them wait their turn (and may be stopped
 * while they wait). The processes start on the first long read and stay for the next ones.
 * In WAL mode a child sees every committed transaction and nothing uncommitted, like the
 * reader connection (sqlite-driver.ts); a killed reader holds no lock that outlives it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { traceQuery } from '../tracing.ts';
import { StoreCancelled } from './errors.ts';

/** Children at most: two cores here, and the event loop keeps one. */
export const READ_PROCESSES = 2;

// CommonJS, run with `node -e`: the child needs no TypeScript loader.
const CHILD_SOURCE = `
const Database = require(process.env.SCIMITAR_SQLITE_DRIVER);
const db = new Database(process.env.SCIMITAR_SQLITE_PATH, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('cache_size = -16384');
db.pragma('temp_store = MEMORY');
const statements = new Map();
process.on('message', (m) => {
  try {
    let s = statements.get(m.sql);
    if (!s) {
      s = db.prepare(m.sql);
      if (statements.size > 200) statements.delete(statements.keys().next().value);
      statements.set(m.sql, s);
    }
    process.send({ id: m.id, rows: s.all(m.parameters) });
  } catch (error) {
    process.send({ id: m.id, error: String((error && error.message) || error), code: error && error.code });
  }
});
process.on('disconnect', () => process.exit(0));
`;

interface Reply {
  id: number;
  rows?: unknown[];
  error?: string;
  code?: string;
}

interface Child {
  process: ChildProcess;
  /** The read it runs, if any. */
  busy: ((reply: Reply) => void) | undefined;
}

/** Where a database runs its reads that can be long: stopped when their request's signal aborts. */
export interface LongReads {
  /** Runs a SELECT; rejects with StoreCancelled if `signal` aborts first. */
  all(sql: string, parameters: readonly unknown[], signal?: AbortSignal): Promise<unknown[]>;
  /** Reads running now, for tests and operators. */
  readonly running: number;
  /** Reads stopped before they finished, for tests and operators. */
  readonly stopped: number;
}

export class ReadProcesses implements LongReads {
  readonly #idle: Child[] = [];
  readonly #all = new Set<Child>();
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  #ids = 0;
  #closed = false;
  /** Reads stopped before they finished (their process killed), for tests and operators. */
  stopped = 0;

  /** Reads running in a child now (not those waiting their turn), for tests and operators. */
  get running(): number {
    return this.#running;
  }

  constructor(readonly path: string) {}

  /** Runs a SELECT in a child; rejects with StoreCancelled if `signal` aborts first (the child is killed). */
  async all(sql: string, parameters: readonly unknown[], signal?: AbortSignal): Promise<unknown[]> {
    throwIfAborted(signal);
    await this.#turn(signal);
    let child: Child | undefined;
    try {
      child = this.#idle.pop() ?? this.#spawn();
      const asked = child;
      return await traceQuery('sqlite', sql, () => this.#ask(asked, sql, parameters, signal));
    } catch (error) {
      // A child that failed or was stopped mid-read is not reused.
      if (error instanceof StoreCancelled) this.stopped++;
      if (child) this.#kill(child);
      child = undefined;
      throw error;
    } finally {
      if (child) {
        child.process.channel?.unref();
        this.#idle.push(child);
      }
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  /** Waits until fewer than READ_PROCESSES reads run, then counts this one. */
  async #turn(signal: AbortSignal | undefined): Promise<void> {
    while (this.#running >= READ_PROCESSES) {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.#waiting.indexOf(go);
          if (i >= 0) this.#waiting.splice(i, 1);
          reject(cancelled(signal));
        };
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.#waiting.push(go);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    if (this.#closed) throw new Error('the database is closed');
    this.#running++;
  }

  #spawn(): Child {
    const child: Child = {
      process: spawn(process.execPath, ['-e', CHILD_SOURCE], {
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        serialization: 'advanced',
        env: {
          SCIMITAR_SQLITE_DRIVER: createRequire(import.meta.url).resolve('better-sqlite3'),
          SCIMITAR_SQLITE_PATH: this.path,
        },
      }),
      busy: undefined,
    };
    this.#all.add(child);
    child.process.on('message', (reply: Reply) => child.busy?.(reply));
    child.process.on('exit', (code, signalName) => {
      this.#all.delete(child);
      child.busy?.({ id: -1, error: `the read process ended (${signalName ?? code})` });
      const i = this.#idle.indexOf(child);
      if (i >= 0) this.#idle.splice(i, 1);
    });
    child.process.on('error', (error) => child.busy?.({ id: -1, error: String(error) }));
    // An idle child never keeps the server's process alive.
    child.process.unref();
    return child;
  }

  #ask(child: Child, sql: string, parameters: readonly unknown[], signal?: AbortSignal): Promise<unknown[]> {
    const id = ++this.#ids;
    return new Promise<unknown[]>((resolve, reject) => {
      const onAbort = () => {
        child.busy = undefined;
        reject(cancelled(signal));
      };
      child.busy = (reply) => {
        if (reply.id !== id && reply.id !== -1) return;
        child.busy = undefined;
        signal?.removeEventListener('abort', onAbort);
        if (reply.rows) resolve(reply.rows);
        else reject(Object.assign(new Error(reply.error ?? 'read failed'), { code: reply.code }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      child.process.channel?.ref();
      child.process.send({ id, sql, parameters });
    });
  }

  #kill(child: Child) {
    child.busy = undefined;
    child.process.kill('SIGKILL');
  }

  /** Kills every child; reads still running fail. */
  close() {
    this.#closed = true;
    this.#idle.length = 0;
    for (const child of this.#all) this.#kill(child);
  }
}

const registry = new WeakMap<object, LongReads>();

/**
 * Makes `reads` where the root Kysely instance `db` runs its long reads (db.ts): SQLite's read
 * processes, PostgreSQL's cancellable reads (pg-long-reads.ts).
 */
export function registerLongReads(db: object, reads: LongReads): void {
  registry.set(db, reads);
}

/** The long reads of a root Kysely instance; undefined for a transaction and SQLite `:memory:`. */
export function longReads(db: object): LongReads | undefined {
  return registry.get(db);
}

/**
 * Why a read was stopped: the signal's reason is a TimeoutError when the request's time budget
 * ran out; any other abort means its client went away.
 */
export function cancelled(signal: AbortSignal | undefined): StoreCancelled {
  const reason = signal?.reason as { name?: unknown } | undefined;
  return new StoreCancelled(reason?.name === 'TimeoutError' ? 'timeout' : 'disconnect');
}

/** Throws the signal's StoreCancelled if it has aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelled(signal);
}
