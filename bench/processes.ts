/**
 * The processes the orchestrator runs: the SCIM server under test and the floor server, each
 * spawned with node directly (so the child's pid is the server's, for its peak RSS), ready
 * when it prints its listening line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { nodeEntry } from '../scripts/node-entry.ts';

export const root = new URL('..', import.meta.url).pathname;

export interface Started {
  child: ChildProcess;
  pid: number;
  /** Everything the process printed so far (stdout and stderr). */
  output(): string;
  /** The first capture group of `ready` in the output. */
  ready: string;
  stop(): Promise<void>;
}

/**
 * The node flags `npm start` gives the server (package.json's start script; the bench smoke
 * test checks that they agree); docs/config.md says why.
 */
export const SERVER_NODE_FLAGS = ['--max-semi-space-size=16', '--max-old-space-size=512'];

/**
 * Spawns `node <nodeFlags> --import tsx <script>` and waits for `ready` (whose group 1 is
 * returned) in its output.
 */
export function startNodeProcess(
  script: string,
  env: Record<string, string>,
  ready: RegExp,
  timeoutMs = 60_000,
  nodeFlags: string[] = [],
): Promise<Started> {
  const child = spawn(process.execPath, [...nodeFlags, ...nodeEntry(script)], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = () => {
      const match = ready.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      resolve({ child, pid: child.pid ?? -1, output: () => out, ready: match[1] ?? match[0], stop });
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code} before it was ready:\n${out}`));
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS' | 'RssAnon' | 'RssFile'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

/** Peak resident set size of a live process, in bytes: VmHWM from /proc/<pid>/status (Linux). */
export function peakRssBytes(pid: number): number | undefined {
  return statusBytes(pid, 'VmHWM');
}

/**
 * Current resident set of a live process, in bytes (Linux): in all, anonymous (heap, stacks:
 * what the process itself allocated) and file-backed (mapped files: code, and SQLite's mmap
 * window, which the kernel can drop at will).
 */
export function rssBytes(pid: number): { total?: number; anon?: number; file?: number } {
  return {
    total: statusBytes(pid, 'VmRSS'),
    anon: statusBytes(pid, 'RssAnon'),
    file: statusBytes(pid, 'RssFile'),
  };
}

/** CPU ticks of the whole machine (all CPUs) from /proc/stat: busy and total (Linux). */
export function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc CPU figures (USER_HZ: 100 on every Linux that matters). */
export const TICKS_PER_SECOND = 100;

/** CPU ticks (user + system) a process has used, from /proc/<pid>/stat (Linux), in the same unit. */
export function processTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Share of the machine's CPU that processes other than `pids` used between two calls: on a
 * machine shared with other work every figure is low and noisy, and the report says so.
 * `retired` adds the ticks of our own processes that have already exited.
 */
export function otherCpuMeter(
  pids: () => number[],
  retired: () => number = () => 0,
): () => number | undefined {
  const ours = () => pids().reduce((sum, pid) => sum + (processTicks(pid) ?? 0), retired());
  const start = machineTicks();
  const startOurs = ours();
  return () => {
    const end = machineTicks();
    if (!start || !end || end.total === start.total) return undefined;
    const others = end.busy - start.busy - (ours() - startOurs);
    return Math.max(0, others / (end.total - start.total));
  };
}
