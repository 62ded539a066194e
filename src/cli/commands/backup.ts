/**
 * `backup <file>` and `restore <file>`: the SQLite database named by DATABASE_URL, through
 * SQLite's online backup (src/store/backup.ts). A backup is safe while servers run; a restore
 * replaces the database and wants every server stopped, so it asks first (or takes --yes).
 */
import type { Command } from 'commander';
import { backupDatabase, restoreDatabase } from '../../directory/backup.ts';
import type { CliContext } from '../cli.ts';
import { confirmed } from '../confirm.ts';

export function register(program: Command, ctx: CliContext) {
  program
    .command('backup <file>')
    .description('Copy the SQLite database to <file>, consistently, while servers keep running')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const result = await backupDatabase(ctx.config.databaseUrl, file);
      if (opts.json) return ctx.io.out(`${JSON.stringify(result)}\n`);
      ctx.io.out(`Backed up ${ctx.config.databaseUrl} to ${result.file} (${result.pages} pages).\n`);
    });

  program
    .command('restore <file>')
    .description('Replace the SQLite database with the backup <file> (stop every server first)')
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { yes?: boolean; json?: boolean }) => {
      await confirmed(
        ctx,
        opts.yes,
        `Replace ${ctx.config.databaseUrl} with ${file}? Every server using it must be stopped. Type 'restore' to go on: `,
        'restore',
      );
      const result = await restoreDatabase(ctx.config.databaseUrl, file);
      if (opts.json) return ctx.io.out(`${JSON.stringify(result)}\n`);
      ctx.io.out(`Restored ${result.file} from ${file} (${result.pages} pages). Start the server again.\n`);
    });
}
