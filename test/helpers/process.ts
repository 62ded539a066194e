/**
 * Runs one of the project's real entry points (the server, `npx scimitar`) as a child process
 * with its output on real pipes, as a script or an operator's shell sees it.
 */
import { spawn } from 'node:child_process';
import { compiled, nodeEntry } from '../../scripts/node-entry.ts';

export const root = new URL('../..', import.meta.url).pathname;

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The CLI as `npx scimitar …` runs it (bin/scimitar.mjs: src/cli/bin.ts through tsx), with
 * DATABASE_URL and friends from `env`. Under `npm test` it is src/cli/bin.ts compiled
 * (scripts/node-entry.ts), unless `options.bin` asks for bin/scimitar.mjs itself.
 */
export function runCliProcess(
  argv: string[],
  env: Record<string, string>,
  options: RunOptions & { bin?: boolean } = {},
) {
  const entry = compiled && !options.bin ? nodeEntry('src/cli/bin.ts') : [`${root}bin/scimitar.mjs`];
  return runProcess([...entry, ...argv], env, options);
}

/** The server (src/main.ts, as `npm start` runs it; compiled under `npm test`), until it exits. */
export function runServerProcess(env: Record<string, string>, options: RunOptions = {}) {
  return runProcess(nodeEntry('src/main.ts'), { PORT: '0', HOST: '127.0.0.1', ...env }, options);
}

export interface RunOptions {
  timeoutMs?: number;
  /** Run as this user (the caller must be root), e.g. to meet a permission the root user would bypass. */
  uid?: number;
  gid?: number;
}

/** `node <args>` in the repository, stdout and stderr on pipes, read to the end. */
export function runProcess(
  args: string[],
  env: Record<string, string>,
  options: RunOptions = {},
): Promise<Finished> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(process.execPath, args, {
    cwd: root,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid ?? options.uid } : {}),
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => stdout.push(d));
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`node ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${Buffer.concat(stderr)}`),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}
