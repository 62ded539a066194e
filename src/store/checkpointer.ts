/**
 * WAL checkpoints of a SQLite file on a thread of their own. SQLite runs a checkpoint inside
 * the commit that crosses `wal_autocheckpoint`: copying thousands of pages into the database
 * file and syncing it, on the event loop, while every request waits (the p99 of writes). Here a
 * worker thread with its own connection runs `wal_checkpoint(PASSIVE)` (which never blocks
 * readers or the writer) every CHECKPOINT_INTERVAL_MS, and the writer's own automatic
 * checkpoint stays only as a backstop, far above what the worker lets the WAL reach. The
 * worker's connection ATTACHes the other files of the database (the request log's, db.ts), and
 * a checkpoint without a schema name covers every attached file.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints (a PASSIVE checkpoint of an empty WAL costs microseconds). */
export const CHECKPOINT_INTERVAL_MS = 100;

/** The writer's own automatic checkpoint, in WAL pages (~160 MB): reached only if the worker stalls. */
export const BACKSTOP_AUTOCHECKPOINT_PAGES = 40_000;

// CommonJS, run with `eval`: a worker needs no loader for TypeScript this way.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const [main, ...attached] = workerData.paths;
const db = new Database(main);
db.pragma('busy_timeout = 5000');
attached.forEach((path, i) => db.prepare('attach database ? as a' + i).run(path));
let timer;
let checkpoints = 0;
function checkpoint() {
  try {
    const [result] = db.pragma('wal_checkpoint(PASSIVE)');
    if (result && result.checkpointed > 0) checkpoints++;
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
}
function tick() {
  checkpoint();
  timer = setTimeout(tick, workerData.intervalMs);
}
tick();
parentPort.on('message', (message) => {
  if (message === 'checkpoint') {
    checkpoint();
    parentPort.postMessage({ checkpoints });
  } else if (message === 'stop') {
    clearTimeout(timer);
    checkpoint();
    db.close();
    parentPort.postMessage({ stopped: true, checkpoints });
  }
});
`;

export interface Checkpointer {
  /** Runs a checkpoint now; resolves with how many checkpoints have copied pages so far. */
  checkpoint(): Promise<number>;
  /** A last checkpoint, then the worker's connection closes and the thread ends. */
  stop(): Promise<void>;
}

/** `paths`: the database file, then the files its connections attach. */
export function startCheckpointer(
  paths: readonly string[],
  onError: (message: string) => void = () => {},
): Checkpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      paths,
      driver: createRequire(import.meta.url).resolve('better-sqlite3'),
      intervalMs: CHECKPOINT_INTERVAL_MS,
    },
  });
  // The thread never keeps the process alive.
  worker.unref();
  const waiting: ((m: { checkpoints?: number; stopped?: boolean }) => void)[] = [];
  worker.on('message', (m: { error?: string; checkpoints?: number; stopped?: boolean }) => {
    if (m.error !== undefined) onError(m.error);
    else waiting.shift()?.(m);
  });
  worker.on('error', (error) => onError(String(error)));
  const ask = (message: 'checkpoint' | 'stop') =>
    new Promise<{ checkpoints?: number; stopped?: boolean }>((resolve, reject) => {
      if (worker.threadId === -1) {
        reject(new Error('the checkpoint thread has ended'));
        return;
      }
      waiting.push(resolve);
      worker.postMessage(message);
    });
  let stopped: Promise<void> | undefined;
  return {
    async checkpoint() {
      return (await ask('checkpoint')).checkpoints ?? 0;
    },
    stop() {
      stopped ??= ask('stop')
        .catch(() => undefined)
        .then(() => worker.terminate())
        .then(() => undefined);
      return stopped;
    },
  };
}
