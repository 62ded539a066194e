/** Entry point of `npx scimitar <command>` (bin/scimitar.mjs) and `npm run cli -- <command>`; see cli.ts. */
import { createInterface } from 'node:readline/promises';
import { runCli } from './cli.ts';

/**
 * Resolves once everything written to the stream so far has been handed to the OS. On a pipe
 * Node writes asynchronously: process.exit() before that drops whatever is still queued, which
 * cut piped `--json` output at 65,536 bytes (the pipe's buffer).
 */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed || !stream.writable) return resolve();
    stream.write('', () => resolve());
  });
}

async function exit(code: number): Promise<never> {
  await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
  process.exit(code);
}

// A reader that goes away early (`scimitar logs … | head`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
});

/** A question on stderr (stdout stays the command's output), answered on a terminal's stdin. */
async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

runCli(process.argv.slice(2), process.env, {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  ...(process.stdin.isTTY && process.stderr.isTTY ? { ask } : {}),
}).then(exit, (error) => {
  console.error(error);
  return exit(1);
});
