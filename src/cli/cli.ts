/**
 * Command line: `npx scimitar <command>` (bin/scimitar.mjs). Manages organizations and their SCIM tokens in the
 * database named by DATABASE_URL (the same one `npm start` serves). Every command takes
 * --json for machine-readable output.
 */
import { Command, CommanderError } from 'commander';
import { type Config, ConfigError, displayOrigin, loadConfig } from '../config.ts';
import { cliAuthor } from '../directory/deps.ts';
import { Directory } from '../directory/directory.ts';
import { DirectoryError, type Organization, type TokenInfo } from '../directory/orgs.ts';
import { explainStartupError } from '../startup-errors.ts';
import { register as registerApiKeys } from './commands/apikeys.ts';
import { register as registerApps } from './commands/apps.ts';
import { register as registerAudit } from './commands/audit.ts';
import { register as registerBackup } from './commands/backup.ts';
import { register as registerConformance } from './commands/conformance.ts';
import { register as registerDeprovisionings } from './commands/deprovisionings.ts';
import { register as registerIdp } from './commands/idp.ts';
import { register as registerLogs } from './commands/logs.ts';
import { register as registerMembers } from './commands/members.ts';
import { register as registerOperators } from './commands/operators.ts';
import { register as registerProps } from './commands/props.ts';
import { register as registerRoles } from './commands/roles.ts';
import { register as registerSetupLinks } from './commands/setup-links.ts';
import { register as registerSso } from './commands/sso.ts';
import { register as registerValves } from './commands/valves.ts';
import { register as registerWebhooks } from './commands/webhooks.ts';
import { confirmed } from './confirm.ts';
import { parseLifetime } from './duration.ts';

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Asks a question at a terminal and returns the line typed; absent when there is none to ask on. */
  ask?: (question: string) => Promise<string>;
}

/** What every command module gets: see src/cli/commands/ for commands beyond orgs and tokens. */
export interface CliContext {
  config: Config;
  io: Io;
  /** Opens the directory (once) on DATABASE_URL and runs `fn` with it; closed when the CLI ends. */
  withDirectory: <T>(fn: (d: Directory) => Promise<T>) => Promise<T>;
}

/** Command modules: each adds its commands to the program (one file per concern). */
const commandModules: ((program: Command, ctx: CliContext) => void)[] = [
  registerLogs,
  registerAudit,
  registerIdp,
  registerConformance,
  registerBackup,
  registerApiKeys,
  registerApps,
  registerSso,
  registerWebhooks,
  registerProps,
  registerRoles,
  registerDeprovisionings,
  registerValves,
  registerMembers,
  registerOperators,
  registerSetupLinks,
];

function scimBaseUrl(config: Config, orgId: string) {
  return `${displayOrigin(config)}/scim/v2/${orgId}`;
}

/** A listing: one JSON array under --json, else a table of `row`s under `header`. */
export function printList<T>(
  io: Io,
  json: boolean | undefined,
  list: readonly T[],
  header: string[],
  row: (item: T) => string[],
): void {
  io.out(json ? `${JSON.stringify(list, null, 2)}\n` : `${table([header, ...list.map(row)])}\n`);
}

export function table(rows: string[][]): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function tokenRow(t: TokenInfo) {
  return [
    t.prefix,
    t.name,
    t.createdAt,
    t.lastUsedAt ?? 'never',
    t.revokedAt
      ? `revoked ${t.revokedAt}`
      : t.expiresAt && Date.parse(t.expiresAt) <= Date.now()
        ? `expired ${t.expiresAt}`
        : t.expiresAt
          ? `live until ${t.expiresAt}`
          : 'live',
    t.id,
  ];
}

export function buildCli(
  config: Config,
  io: Io,
  withDirectory: <T>(fn: (d: Directory) => Promise<T>) => Promise<T>,
) {
  const program = new Command('scim')
    .description('Manage organizations and SCIM tokens')
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  const orgView = (o: Organization) => ({ ...o, scimBaseUrl: scimBaseUrl(config, o.id) });

  const orgs = program.command('orgs').description('Organizations');
  orgs
    .command('create <name>')
    .description('Create an organization and its first SCIM token (shown once)')
    .option('--id <id>', 'URL id of the organization (default: derived from the name)')
    .option('--idp <profile>', 'IdP profile of its SCIM connection (see `orgs set-idp`)', 'generic')
    .option(
      '--expires-in <duration>',
      'the first token stops working after this long (90d, 12h)',
      parseLifetime,
    )
    .option('--json', 'print JSON')
    .action(async (name: string, opts: { id?: string; idp: string; expiresIn?: number; json?: boolean }) => {
      const { org, token } = await withDirectory((d) =>
        d.orgs.create(name, {
          ...(opts.id ? { id: opts.id } : {}),
          idpProfile: opts.idp,
          expiresInSeconds: opts.expiresIn,
          by: cliAuthor(),
        }),
      );
      const view = { ...orgView(org), token };
      if (opts.json) return io.out(`${JSON.stringify(view, null, 2)}\n`);
      io.out(
        `Created organization '${org.id}' (${org.name}).\n` +
          `  SCIM base URL: ${view.scimBaseUrl}\n` +
          `  IdP profile:   ${org.idpProfile}\n` +
          `  Bearer token:  ${token.token}\n` +
          (token.expiresAt ? `  Expires:       ${token.expiresAt}\n` : '') +
          'The token is shown only this once.\n',
      );
    });

  orgs
    .command('list')
    .description('List organizations')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = (await withDirectory((d) => d.orgs.list())).map(orgView);
      printList(io, opts.json, list, ['ID', 'NAME', 'IDP', 'CREATED', 'SCIM BASE URL'], (o) => [
        o.id,
        o.name,
        o.idpProfile,
        o.createdAt,
        o.scimBaseUrl,
      ]);
    });

  orgs
    .command('rename <id> <name>')
    .description('Rename an organization (its id and SCIM base URL stay)')
    .option('--json', 'print JSON')
    .action(async (id: string, name: string, opts: { json?: boolean }) => {
      const org = orgView(await withDirectory((d) => d.orgs.rename(id, name, cliAuthor())));
      if (opts.json) return io.out(`${JSON.stringify(org, null, 2)}\n`);
      io.out(`Renamed organization '${org.id}' to ${org.name}.\n`);
    });

  orgs
    .command('delete <id>')
    .description(
      'Delete an organization with all its data (users, groups, tokens, audit trail, request log); asks first',
    )
    .option('--confirm <id>', "confirm without a prompt by repeating the organization's id (scripts)")
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { confirm?: string; yes?: boolean; json?: boolean }) => {
      const org = await withDirectory((d) => d.orgs.get(id));
      if (!org) throw DirectoryError.notFound(`No organization '${id}'`);
      // --confirm goes to the directory as it is: a wrong id is refused there, nothing deleted.
      if (opts.confirm === undefined) {
        await confirmed(
          { config, io, withDirectory },
          opts.yes,
          `Delete organization '${id}' (${org.name}) and all its data, for good? Type its id to confirm: `,
          id,
        );
      }
      const counts = await withDirectory((d) => d.orgs.delete(id, opts.confirm ?? id, cliAuthor()));
      const result = {
        id,
        deleted: { users: counts.users, groups: counts.groups, scimTokens: counts.tokens },
      };
      if (opts.json) return io.out(`${JSON.stringify(result, null, 2)}\n`);
      io.out(
        `Deleted organization '${id}': ${counts.users} users, ${counts.groups} groups, ${counts.tokens} SCIM tokens.\n`,
      );
    });

  const tokens = program.command('tokens').description('SCIM bearer tokens of an organization');
  tokens
    .command('create <org>')
    .description('Create another token for an organization (shown once); several may be live at once')
    .option('--name <name>', 'a label for the token', 'token')
    .option('--expires-in <duration>', 'the token stops working after this long (90d, 12h)', parseLifetime)
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { name: string; expiresIn?: number; json?: boolean }) => {
      const token = await withDirectory((d) =>
        d.orgs.createToken(org, opts.name, { expiresInSeconds: opts.expiresIn, by: cliAuthor() }),
      );
      if (opts.json)
        return io.out(`${JSON.stringify({ ...token, scimBaseUrl: scimBaseUrl(config, org) }, null, 2)}\n`);
      io.out(
        `Created token ${token.prefix}… for '${org}':\n  ${token.token}\n` +
          (token.expiresAt ? `It stops working at ${token.expiresAt}.\n` : '') +
          'The token is shown only this once.\n',
      );
    });

  tokens
    .command('list <org>')
    .description('List tokens: prefix, name, created, last used, state')
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.orgs.listTokens(org));
      printList(io, opts.json, list, ['PREFIX', 'NAME', 'CREATED', 'LAST USED', 'STATE', 'ID'], tokenRow);
    });

  tokens
    .command('revoke <org> <token>')
    .description('Revoke a token at once, by its id or prefix')
    .option('--json', 'print JSON')
    .action(async (org: string, token: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.orgs.revokeToken(org, token, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify({ revoked: token, org })}\n`);
      io.out(`Revoked token ${token} of '${org}'.\n`);
    });

  for (const register of commandModules) register(program, { config, io, withDirectory });
  return program;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Io,
): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(`Configuration error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let directory: Directory | undefined;
  const withDirectory = async <T>(fn: (d: Directory) => Promise<T>) => {
    directory ??= await Directory.open(config.databaseUrl, {
      secretKey: config.secretKey,
      ssoAllowPrivate: config.ssoAllowPrivate,
      properties: config.properties,
      webhookAllowPrivate: config.events.allowPrivate,
      roles: config.roles,
      valves: config.valves,
    });
    return fn(directory);
  };
  const program = buildCli(config, io, withDirectory);
  const json = argv.includes('--json');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof DirectoryError) {
      io.err(json ? `${JSON.stringify({ error: error.message })}\n` : `Error: ${error.message}\n`);
      return 1;
    }
    // The database cannot be opened: the same one line as the server prints (src/main.ts).
    const line = explainStartupError(error, config);
    if (line) {
      io.err(json ? `${JSON.stringify({ error: line })}\n` : `Error: ${line}\n`);
      return 2;
    }
    throw error;
  } finally {
    await directory?.close();
  }
}
