/**
 * The real server as separate processes (`npm start`; the CLI's process is in process.ts), for tests of what
 * only separate processes show: start-up output, several processes on one database.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { nodeEntry } from '../../scripts/node-entry.ts';
import type { Dialect } from '../../src/store/db.ts';
import { openTestDatabase } from './dialects.ts';

const root = new URL('../..', import.meta.url).pathname;

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  /** `http://127.0.0.1:<port>`, read from the line the server prints once it listens. */
  origin: string;
}

/**
 * `npm start`'s command line, read from package.json (`node <flags> --import tsx src/main.ts`):
 * the arguments after `node`.
 */
export function npmStartArgs(): string[] {
  const start = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  const [node, ...args] = start.split(/\s+/);
  if (node !== 'node') throw new Error(`npm start is not a node command: ${start}`);
  return args;
}

/**
 * Starts src/main.ts on a free loopback port; resolves once it listens. Compiled under
 * `npm test` (scripts/node-entry.ts); with `npmStart`, exactly as `npm start` runs it.
 */
export function startServer(
  env: Record<string, string>,
  options: { npmStart?: boolean } = {},
): Promise<ServerProcess> {
  const args = options.npmStart ? npmStartArgs() : nodeEntry('src/main.ts');
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // Test receivers listen on loopback (events/address-policy.ts).
      WEBHOOK_ALLOW_PRIVATE: 'true',
      // Replayed lifecycles deactivate most of a small org; the valve has its own suite.
      VALVE_DEPROVISIONING: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 120_000);
    const check = () => {
      const origin = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (origin) {
        clearTimeout(timer);
        resolve({ child, output: () => out, origin });
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

/** Stops a server started by startServer (SIGTERM, as an operator would) and waits for it. */
export async function stop(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * For a suite of server-process tests: a fresh database URL of the dialect (a SQLite file in a
 * temp directory, or a fresh PostgreSQL schema) and servers started on it, all stopped and
 * removed after the suite.
 */
export function useServerProcesses(dialect: Dialect) {
  const dir = mkdtempSync(join(tmpdir(), 'scim-processes-'));
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups.reverse()) await c();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    async databaseUrl(): Promise<string> {
      if (dialect === 'sqlite') return `sqlite:${join(dir, `scim-${cleanups.length}.db`)}`;
      const pg = await openTestDatabase('postgres');
      await pg.database.close();
      cleanups.push(pg.cleanup);
      return pg.url;
    },
    async start(env: Record<string, string>, options: { npmStart?: boolean } = {}): Promise<ServerProcess> {
      const server = await startServer(env, options);
      cleanups.push(() => stop(server.child));
      return server;
    },
  };
}
