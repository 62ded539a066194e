/**
 * `roles list`, `roles rules list|add|update|remove`, `roles default`, `roles mode`, `roles access`:
 * roles from IdP groups (docs/roles.md), through the directory's RoleService like the API.
 */
import type { Command } from 'commander';
import { cliActor } from '../../directory/deps.ts';
import { DirectoryError } from '../../directory/errors.ts';
import type { RoleRule, RuleMatch } from '../../directory/roles.ts';
import { type CliContext, table } from '../cli.ts';

function ruleRow(r: RoleRule) {
  return [r.id, r.match, r.value, r.role, r.createdAt];
}

interface GroupOptions {
  groupId?: string;
  externalId?: string;
  displayName?: string;
  allowUnknownGroup?: boolean;
}

const ALLOW_UNKNOWN =
  'accept an --external-id or --display-name that matches no group yet: the rule applies when the IdP pushes one';

/** The group a rule names, from exactly one of the three options; undefined otherwise. */
function groupOption(opts: GroupOptions): [RuleMatch, string] | undefined {
  const given: [RuleMatch, string | undefined][] = [
    ['id', opts.groupId],
    ['externalId', opts.externalId],
    ['displayName', opts.displayName],
  ];
  const chosen = given.filter((g): g is [RuleMatch, string] => g[1] !== undefined);
  return chosen.length === 1 ? chosen[0] : undefined;
}

const moved = (n: number) => (n === 1 ? "1 user's roles changed." : `${n} users' roles changed.`);

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const print = (json: boolean | undefined, value: unknown, text: string) =>
    io.out(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
  const roles = program
    .command('roles')
    .description('Roles from IdP groups: rules, default role, mode (docs/roles.md)');

  roles
    .command('list')
    .description("The deployment's roles (ROLES), highest priority first")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withDirectory(async (d) => d.roles.definitions());
      print(
        opts.json,
        list,
        table([['KEY', 'NAME', 'PRIORITY'], ...list.map((r) => [r.key, r.name, String(r.priority)])]),
      );
    });

  const rules = roles.command('rules').description("An org's rules: an IdP group gives a role");

  rules
    .command('list <org>')
    .description("List the org's rules, oldest first")
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.roles.listRules(org));
      print(opts.json, list, table([['ID', 'MATCH', 'VALUE', 'ROLE', 'CREATED'], ...list.map(ruleRow)]));
    });

  rules
    .command('add <org>')
    .description('Add a rule: members of the group (nested ones too) get the role')
    .option('--group-id <id>', 'the group by its id (must exist)')
    .option('--external-id <externalId>', "the group by its IdP's externalId")
    .option('--display-name <name>', 'the group by its displayName, exact')
    .option('--allow-unknown-group', ALLOW_UNKNOWN)
    .requiredOption('--role <key>', 'the role (see `roles list`)')
    .option('--json', 'print JSON')
    .action(async (org: string, opts: GroupOptions & { role: string; json?: boolean }) => {
      const group = groupOption(opts);
      if (!group)
        throw new DirectoryError(
          'Name the group by exactly one of --group-id, --external-id, --display-name',
        );
      const [match, value] = group;
      const rule = await withDirectory((d) =>
        d.roles.addRule(
          org,
          { match, value, role: opts.role, allowUnknownGroup: opts.allowUnknownGroup === true },
          cliActor(org),
        ),
      );
      const note = rule.groupExists ? '' : ' No group matches it yet: it applies when the IdP pushes one.';
      print(
        opts.json,
        rule,
        `Added rule ${rule.id}: ${match} '${value}' → ${rule.role}. ${moved(rule.usersChanged)}${note}`,
      );
    });

  rules
    .command('update <org> <ruleId>')
    .description('Change a rule in place: its group, its role, or both')
    .option('--group-id <id>', 'the group by its id (must exist)')
    .option('--external-id <externalId>', "the group by its IdP's externalId")
    .option('--display-name <name>', 'the group by its displayName, exact')
    .option('--allow-unknown-group', ALLOW_UNKNOWN)
    .option('--role <key>', 'the role (see `roles list`)')
    .option('--json', 'print JSON')
    .action(async (org: string, ruleId: string, opts: GroupOptions & { role?: string; json?: boolean }) => {
      const group = groupOption(opts);
      const given = [opts.groupId, opts.externalId, opts.displayName].filter((v) => v !== undefined);
      if (given.length > 1 || (!group && opts.role === undefined))
        throw new DirectoryError(
          'Give --role, or the group by one of --group-id, --external-id, --display-name, or both',
        );
      const rule = await withDirectory((d) =>
        d.roles.updateRule(
          org,
          ruleId,
          {
            ...(group ? { match: group[0], value: group[1] } : {}),
            ...(opts.role !== undefined ? { role: opts.role } : {}),
            allowUnknownGroup: opts.allowUnknownGroup === true,
          },
          cliActor(org),
        ),
      );
      const note = rule.groupExists ? '' : ' No group matches it yet: it applies when the IdP pushes one.';
      print(
        opts.json,
        rule,
        `Updated rule ${rule.id}: ${rule.match} '${rule.value}' → ${rule.role}. ${moved(rule.usersChanged)}${note}`,
      );
    });

  rules
    .command('remove <org> <ruleId>')
    .description("Remove a rule; its group's users are recomputed")
    .option('--json', 'print JSON')
    .action(async (org: string, ruleId: string, opts: { json?: boolean }) => {
      const rule = await withDirectory((d) => d.roles.removeRule(org, ruleId, cliActor(org)));
      print(opts.json, rule, `Removed rule ${rule.id}. ${moved(rule.usersChanged)}`);
    });

  roles
    .command('default <org> [role]')
    .description('Show or set the role of users matched by no rule (`none` clears it)')
    .option('--json', 'print JSON')
    .action(async (org: string, role: string | undefined, opts: { json?: boolean }) => {
      if (role === undefined) {
        const settings = await withDirectory((d) => d.roles.settings(org));
        return print(opts.json, settings, `Default role: ${settings.defaultRole ?? 'none'}`);
      }
      const defaultRole = role === 'none' ? null : role;
      const result = await withDirectory((d) => d.roles.updateSettings(org, { defaultRole }, cliActor(org)));
      print(
        opts.json,
        result,
        `Default role: ${result.defaultRole ?? 'none'}. ${moved(result.usersChanged)}`,
      );
    });

  roles
    .command('mode <org> [mode]')
    .description('Show or set the mode: `highest` (one role, highest priority) or `all` (every matched role)')
    .option('--json', 'print JSON')
    .action(async (org: string, mode: string | undefined, opts: { json?: boolean }) => {
      if (mode === undefined) {
        const settings = await withDirectory((d) => d.roles.settings(org));
        return print(opts.json, settings, `Mode: ${settings.mode}`);
      }
      const result = await withDirectory((d) => d.roles.updateSettings(org, { mode }, cliActor(org)));
      print(opts.json, result, `Mode: ${result.mode}. ${moved(result.usersChanged)}`);
    });

  roles
    .command('access <org> <userId>')
    .description('The access check: may the user use the app in the org, with which roles')
    .option('--json', 'print JSON')
    .action(async (org: string, userId: string, opts: { json?: boolean }) => {
      const answer = await withDirectory(async (d) => {
        if (!(await d.orgs.get(org))) throw DirectoryError.notFound(`No organization '${org}'`);
        return d.roles.access(org, userId);
      });
      print(
        opts.json,
        answer,
        `${answer.allowed ? 'allowed' : 'not allowed'} (${answer.reason}); roles: ${answer.roles.join(', ') || 'none'}`,
      );
    });
}
