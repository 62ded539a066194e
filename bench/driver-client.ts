/** The load driver (bench/driver.ts) as a child process, one job at a time over its IPC channel. */
import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { entryExecArgv, entryScript } from '../scripts/node-entry.ts';
import { root } from './processes.ts';
import type { DriverReply, Job, LoadResult, WalkResult } from './protocol.ts';

/** The driver process and one job at a time over its IPC channel. */
export class Driver {
  private constructor(private readonly child: ChildProcess) {}

  static start(idsFile: string): Driver {
    const child = fork(join(root, entryScript('bench/driver.ts')), [idsFile], {
      cwd: root,
      execArgv: entryExecArgv,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Driver(child);
  }

  run<R extends LoadResult | WalkResult>(job: Job): Promise<R> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`load driver exited with ${code}`));
      this.child.once('exit', onExit);
      this.child.once('message', (reply: DriverReply) => {
        this.child.off('exit', onExit);
        if (reply.ok) resolve(reply.result as R);
        else reject(new Error(`load driver: ${reply.error}`));
      });
      this.child.send(job);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  stop() {
    if (this.child.connected) this.child.disconnect();
  }
}
