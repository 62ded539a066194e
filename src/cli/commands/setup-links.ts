/**
 * `setup-links create|list|revoke`: links for a customer's IT admin to connect their IdP
 * (docs/console.md "Setup links"). A link is shown once, when created.
 */
import type { Command } from 'commander';
import { displayOrigin } from '../../config.ts';
import { cliAuthor } from '../../directory/deps.ts';
import { DirectoryError } from '../../directory/errors.ts';
import type { SetupLinkInfo } from '../../directory/setup-links.ts';
import { type CliContext, printList } from '../cli.ts';

function linkRow(l: SetupLinkInfo) {
  const state = l.revokedAt
    ? `revoked ${l.revokedAt}`
    : Date.parse(l.expiresAt) <= Date.now()
      ? 'expired'
      : 'live';
  return [l.prefix, l.createdAt, l.expiresAt, l.lastUsedAt ?? 'never', state, l.id];
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory, config } = ctx;
  const links = program.command('setup-links').description("Setup links for an org's IT admin (/setup/…)");

  links
    .command('create <org>')
    .description('Create a setup link for the org (shown once)')
    .option('--days <n>', 'how many days it works (1 to 90)', '7')
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { days: string; json?: boolean }) => {
      const days = Number(opts.days);
      if (!Number.isInteger(days) || days < 1 || days > 90)
        throw new DirectoryError('--days must be a whole number from 1 to 90');
      const link = await withDirectory(async (d) => {
        if (!(await d.orgs.exists(org))) throw DirectoryError.notFound(`No organization '${org}'`);
        return d.setupLinks.create(org, { expiresInSeconds: days * 86400 }, cliAuthor());
      });
      const url = `${displayOrigin(config)}/setup/${link.token}`;
      const { token: _secret, ...info } = link;
      if (opts.json) return io.out(`${JSON.stringify({ ...info, url }, null, 2)}\n`);
      io.out(`Setup link for '${org}' (works until ${link.expiresAt}; shown only this once):\n  ${url}\n`);
    });

  links
    .command('list <org>')
    .description("List the org's setup links")
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.setupLinks.list(org));
      printList(io, opts.json, list, ['PREFIX', 'CREATED', 'EXPIRES', 'LAST USED', 'STATE', 'ID'], linkRow);
    });

  links
    .command('revoke <org> <id>')
    .description('Revoke a setup link at once')
    .option('--json', 'print JSON')
    .action(async (org: string, id: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.setupLinks.revoke(org, id, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify({ revoked: id })}\n`);
      io.out(`Revoked setup link ${id}.\n`);
    });
}
