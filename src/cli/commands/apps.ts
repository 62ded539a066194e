/**
 * `apps create|list|update|delete|rotate-secret` (docs/sso.md "Sign-in for your app"): the host
 * app's OIDC clients, through the directory's AppService, as the management API manages them
 * (docs/api.md "Apps"). The client secret is printed by create and rotate-secret only.
 */
import type { Command } from 'commander';
import type { App } from '../../directory/apps.ts';
import { cliAuthor } from '../../directory/deps.ts';
import { type CliContext, printList } from '../cli.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function describeApp(a: App): string {
  return (
    `  Client id:      ${a.id}\n` +
    `  Redirect URIs:  ${a.redirectUris.join(' ')}\n` +
    (a.postLogoutRedirectUris.length ? `  Post-logout:    ${a.postLogoutRedirectUris.join(' ')}\n` : '') +
    (a.backchannelLogoutUri ? `  Back-channel:   ${a.backchannelLogoutUri}\n` : '')
  );
}

interface UriOptions {
  redirectUri?: string[];
  postLogoutRedirectUri?: string[];
  backchannelLogoutUri?: string;
  json?: boolean;
}

function uriInput(opts: UriOptions) {
  return {
    redirectUris: opts.redirectUri,
    postLogoutRedirectUris: opts.postLogoutRedirectUri,
    // An empty string removes it.
    backchannelLogoutUri:
      opts.backchannelLogoutUri === undefined ? undefined : opts.backchannelLogoutUri || null,
  };
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const apps = program.command('apps').description("The host app's OIDC clients (sign-in for your app)");

  apps
    .command('create')
    .description('Register an OIDC client; its secret is shown once')
    .option('--name <name>', 'a label for the app', 'app')
    .requiredOption('--redirect-uri <uri>', 'an exact redirect URI (repeat for several)', collect)
    .option('--post-logout-redirect-uri <uri>', 'an exact post-logout redirect URI (repeatable)', collect)
    .option('--backchannel-logout-uri <uri>', 'where back-channel logout tokens are POSTed')
    .option('--json', 'print JSON')
    .action(async (opts: UriOptions & { name: string }) => {
      const { app, secret } = await withDirectory((d) =>
        d.apps.create({ name: opts.name, ...uriInput(opts) }, cliAuthor()),
      );
      if (opts.json) return io.out(`${JSON.stringify({ ...app, secret }, null, 2)}\n`);
      io.out(
        `Created app ${app.name}:\n${describeApp(app)}  Client secret:  ${secret}\nThe secret is shown only this once.\n`,
      );
    });

  apps
    .command('list')
    .description('List apps: client id, name, redirect URIs')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.apps.list());
      printList(io, opts.json, list, ['CLIENT ID', 'NAME', 'SECRET', 'REDIRECT URIS'], (a) => [
        a.id,
        a.name,
        a.secretPrefix,
        a.redirectUris.join(' '),
      ]);
    });

  apps
    .command('update <clientId>')
    .description('Change the name or URIs; a URI option given replaces that whole list')
    .option('--name <name>', 'a new label')
    .option('--redirect-uri <uri>', 'an exact redirect URI (repeat for several)', collect)
    .option('--post-logout-redirect-uri <uri>', 'an exact post-logout redirect URI (repeatable)', collect)
    .option('--backchannel-logout-uri <uri>', 'where logout tokens are POSTed; "" removes it')
    .option('--json', 'print JSON')
    .action(async (clientId: string, opts: UriOptions & { name?: string }) => {
      const app = await withDirectory((d) =>
        d.apps.update(clientId, { name: opts.name, ...uriInput(opts) }, cliAuthor()),
      );
      if (opts.json) return io.out(`${JSON.stringify(app, null, 2)}\n`);
      io.out(`Updated app ${app.name}:\n${describeApp(app)}`);
    });

  apps
    .command('rotate-secret <clientId>')
    .description('A new client secret (shown once); the old one stops working at once')
    .option('--json', 'print JSON')
    .action(async (clientId: string, opts: { json?: boolean }) => {
      const { app, secret } = await withDirectory((d) => d.apps.rotateSecret(clientId, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify({ ...app, secret }, null, 2)}\n`);
      io.out(`New secret for app ${app.id}:\n  ${secret}\nThe secret is shown only this once.\n`);
    });

  apps
    .command('delete <clientId>')
    .description('Delete an app; its tokens stop working at once')
    .option('--json', 'print JSON')
    .action(async (clientId: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.apps.delete(clientId, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify({ deleted: clientId })}\n`);
      io.out(`Deleted app ${clientId}.\n`);
    });
}
