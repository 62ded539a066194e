/**
 * `apikeys create|list|revoke`: the management API's keys (docs/api.md "Authentication").
 * A key is shown once, when created; listings show its prefix, name, dates and state.
 */
import type { Command } from 'commander';
import type { ApiKeyInfo } from '../../directory/api-keys.ts';
import { cliAuthor } from '../../directory/deps.ts';
import { type CliContext, printList } from '../cli.ts';

function keyRow(k: ApiKeyInfo) {
  return [
    k.prefix,
    k.name,
    k.createdAt,
    k.lastUsedAt ?? 'never',
    k.revokedAt ? `revoked ${k.revokedAt}` : 'live',
    k.id,
  ];
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const apikeys = program.command('apikeys').description('Management API keys (Authorization: Bearer sk_…)');

  apikeys
    .command('create')
    .description('Create an API key (shown once); several may be live at once')
    .option('--name <name>', 'a label for the key', 'api key')
    .option('--json', 'print JSON')
    .action(async (opts: { name: string; json?: boolean }) => {
      const key = await withDirectory((d) => d.apiKeys.create(opts.name, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify(key, null, 2)}\n`);
      io.out(
        `Created API key ${key.prefix}… (${key.name}):\n  ${key.key}\nThe key is shown only this once.\n`,
      );
    });

  apikeys
    .command('list')
    .description('List API keys: prefix, name, created, last used, state')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.apiKeys.list());
      printList(io, opts.json, list, ['PREFIX', 'NAME', 'CREATED', 'LAST USED', 'STATE', 'ID'], keyRow);
    });

  apikeys
    .command('revoke <key>')
    .description('Revoke an API key at once, by its id or prefix')
    .option('--json', 'print JSON')
    .action(async (key: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.apiKeys.revoke(key, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify({ revoked: key })}\n`);
      io.out(`Revoked API key ${key}.\n`);
    });
}
