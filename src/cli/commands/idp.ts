/**
 * `orgs set-idp <org> <profile>`: chooses which IdP an organization's SCIM connection is set up
 * for. A profile would turn on quirks bound to it (src/scim/quirks.ts, docs/idp-quirks.md);
 * none are today, since no two IdPs conflict (docs/idp-notes.md): every rule is always on.
 */
import type { Command } from 'commander';
import { cliAuthor } from '../../directory/deps.ts';
import { IDP_PROFILES, profileQuirks } from '../../scim/quirks.ts';
import type { CliContext } from '../cli.ts';

export function register(program: Command, ctx: CliContext): void {
  const orgs = program.commands.find((c) => c.name() === 'orgs');
  if (!orgs) throw new Error('the orgs command must be registered before the idp command');
  orgs
    .command('set-idp <org> <profile>')
    .description(`Set the IdP profile of an organization's SCIM connection: ${IDP_PROFILES.join(', ')}`)
    .option('--json', 'print JSON')
    .action(async (orgId: string, profile: string, opts: { json?: boolean }) => {
      const org = await ctx.withDirectory((d) => d.orgs.setIdpProfile(orgId, profile, cliAuthor()));
      const rules = profileQuirks(org.idpProfile);
      if (opts.json) return ctx.io.out(`${JSON.stringify({ ...org, profileQuirks: rules }, null, 2)}\n`);
      ctx.io.out(
        `Organization '${org.id}' now uses IdP profile '${org.idpProfile}'.\n` +
          (rules.length > 0
            ? `  Profile rules on: ${rules.join(', ')}\n`
            : '  Profile rules on: none (always-on rules only)\n'),
      );
    });
}
