/**
 * `operators create|reset|list`: the people who sign in to the console (docs/console.md). Create
 * and reset print a one-time link (24 hours) that sets the operator's password; nothing else
 * ever shows a password or a link again.
 */
import type { Command } from 'commander';
import { displayOrigin } from '../../config.ts';
import { cliAuthor } from '../../directory/deps.ts';
import type { Operator } from '../../directory/operators.ts';
import { type CliContext, printList } from '../cli.ts';

function operatorRow(o: Operator) {
  return [o.email, o.active ? 'active' : 'no password yet', o.createdAt, o.id];
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory, config } = ctx;
  const operators = program.command('operators').description('Console operators and their sign-in links');
  const linkUrl = (token: string) => `${displayOrigin(config)}/console/set-password/${token}`;

  operators
    .command('create <email>')
    .description('Create an operator; prints a one-time link that sets the password')
    .option('--json', 'print JSON')
    .action(async (email: string, opts: { json?: boolean }) => {
      const { operator, link } = await withDirectory((d) => d.operators.create(email, cliAuthor()));
      const url = linkUrl(link.token);
      if (opts.json)
        return io.out(
          `${JSON.stringify({ ...operator, link: url, linkExpiresAt: link.expiresAt }, null, 2)}\n`,
        );
      io.out(
        `Created operator ${operator.email}. Send them this link; it sets their password, works once, until ${link.expiresAt}:\n  ${url}\n`,
      );
    });

  operators
    .command('reset <email>')
    .description('A new one-time link that sets an operator’s password (their sessions end when it is used)')
    .option('--json', 'print JSON')
    .action(async (email: string, opts: { json?: boolean }) => {
      const link = await withDirectory((d) => d.operators.reset(email, cliAuthor()));
      const url = linkUrl(link.token);
      if (opts.json)
        return io.out(`${JSON.stringify({ email, link: url, linkExpiresAt: link.expiresAt }, null, 2)}\n`);
      io.out(
        `A link that sets the password of ${email.trim().toLowerCase()}, works once, until ${link.expiresAt}:\n  ${url}\n`,
      );
    });

  operators
    .command('list')
    .description('List operators')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.operators.list());
      printList(io, opts.json, list, ['EMAIL', 'STATE', 'CREATED', 'ID'], operatorRow);
    });
}
