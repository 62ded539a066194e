/** Confirmation of a destructive command: `--yes`, or the expected word typed at a terminal. */
import { CommanderError } from 'commander';
import type { CliContext } from './cli.ts';

export async function confirmed(
  ctx: CliContext,
  yes: boolean | undefined,
  question: string,
  expected: string,
) {
  if (yes) return;
  if (!ctx.io.ask) {
    const message = 'this command changes data for good: add --yes to confirm (no terminal to ask on)';
    ctx.io.err(`error: ${message}\n`);
    throw new CommanderError(2, 'confirm.missing', message);
  }
  const answer = (await ctx.io.ask(question)).trim();
  if (answer !== expected) {
    ctx.io.err('Cancelled: nothing was changed.\n');
    throw new CommanderError(1, 'confirm.cancelled', 'cancelled');
  }
}
