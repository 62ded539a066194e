/**
 * `members add|remove`: members added outside SCIM (docs/api.md "Members"), through the same
 * directory calls as the management API, audited with the OS login (actor `cli`). The org's
 * IdP links such a member when it creates the same person.
 */
import type { Command } from 'commander';
import { cliActor } from '../../directory/deps.ts';
import { DirectoryError } from '../../directory/errors.ts';
import { ScimError } from '../../scim/errors.ts';
import type { CliContext } from '../cli.ts';

/** The directory's SCIM-shaped refusals (a seat cap, a taken name) as the CLI prints errors. */
async function asDirectoryError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof ScimError && error.status < 500) throw new DirectoryError(error.detail);
    throw error;
  }
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const members = program
    .command('members')
    .description("Members added outside SCIM, by email; linked when the org's IdP creates them");

  members
    .command('add <org> <email>')
    .description('Add a member by email (source api); its userName is the email unless --user-name')
    .option('--name <name>', 'its display name')
    .option('--user-name <userName>', 'its userName (default: the email)')
    .option('--json', 'print JSON')
    .action(
      async (org: string, email: string, opts: { name?: string; userName?: string; json?: boolean }) => {
        const user = await withDirectory(async (d) => {
          if (!(await d.orgs.get(org))) throw DirectoryError.notFound(`No organization '${org}'`);
          const record = await asDirectoryError(
            d.resources.addMember(cliActor(org), { email, name: opts.name, userName: opts.userName }),
          );
          return d.views.user(org, record);
        });
        if (opts.json) return io.out(`${JSON.stringify(user, null, 2)}\n`);
        io.out(`Added member ${user.id} (${user.userName}) to '${org}'.\n`);
      },
    );

  members
    .command('remove <org> <id>')
    .description('Remove a member added outside SCIM; one the IdP owns must be removed in the IdP')
    .option('--json', 'print JSON')
    .action(async (org: string, id: string, opts: { json?: boolean }) => {
      await withDirectory((d) => asDirectoryError(d.resources.removeMember(cliActor(org), id)));
      if (opts.json) return io.out(`${JSON.stringify({ removed: id, org })}\n`);
      io.out(`Removed member ${id} from '${org}'.\n`);
    });
}
