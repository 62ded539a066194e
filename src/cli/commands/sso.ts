/**
 * `sso connections|domains|presets` (docs/sso.md): an org's SSO connections and email domains,
 * through the directory's SsoConnectionService, as the management API manages them (docs/api.md
 * "SSO connections"). A client secret is read from `--client-secret-file`, never from argv,
 * which other users of the machine can see.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliActor } from '../../directory/deps.ts';
import type { SsoConnection, SsoConnectionInput } from '../../directory/sso-connections.ts';
import { SSO_PRESETS } from '../../directory/sso-presets.ts';
import { type CliContext, printList } from '../cli.ts';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

interface ConnectionOptions {
  name?: string;
  preset?: string;
  enabled?: boolean;
  jit?: boolean;
  matchBy?: string;
  issuer?: string;
  clientId?: string;
  clientSecretFile?: string;
  scope?: string[];
  idpEntityId?: string;
  idpSsoUrl?: string;
  idpCertFile?: string[];
  allowIdpInitiated?: boolean;
  idpInitiatedUrl?: string;
  clockSkew?: string;
  idpMetadataFile?: string;
  spCertFile?: string;
  spKeyFile?: string;
  idpMetadataUrl?: string;
  json?: boolean;
}

function input(opts: ConnectionOptions): SsoConnectionInput {
  const oidc = {
    issuer: opts.issuer,
    clientId: opts.clientId,
    clientSecret: opts.clientSecretFile ? readFileSync(opts.clientSecretFile, 'utf8').trim() : undefined,
    scopes: opts.scope,
  };
  const saml = {
    idpEntityId: opts.idpEntityId,
    idpSsoUrl: opts.idpSsoUrl,
    idpCertificates: opts.idpCertFile?.map((f) => readFileSync(f, 'utf8')),
    allowIdpInitiated: opts.allowIdpInitiated,
    idpInitiatedUrl: opts.idpInitiatedUrl,
    clockSkewSeconds: opts.clockSkew === undefined ? undefined : Number(opts.clockSkew),
    metadataXml: opts.idpMetadataFile ? readFileSync(opts.idpMetadataFile, 'utf8') : undefined,
    metadataUrl: opts.idpMetadataUrl,
    spCertificate: opts.spCertFile ? readFileSync(opts.spCertFile, 'utf8') : undefined,
    spPrivateKey: opts.spKeyFile ? readFileSync(opts.spKeyFile, 'utf8') : undefined,
  };
  const given = (o: Record<string, unknown>) => Object.values(o).some((v) => v !== undefined);
  return {
    name: opts.name,
    enabled: opts.enabled,
    jit: opts.jit,
    matchBy: opts.matchBy as SsoConnectionInput['matchBy'],
    oidc: given(oidc) ? oidc : undefined,
    saml: given(saml) ? saml : undefined,
  };
}

function describe(c: SsoConnection): string {
  const lines = [
    `  Id:        ${c.id}`,
    `  Protocol:  ${c.protocol} (preset ${c.preset})${c.enabled ? '' : ', disabled'}`,
    `  Users:     ${c.jit ? 'created at first sign-in (JIT)' : 'must be provisioned by SCIM'}, matched by ${c.matchBy}`,
  ];
  if (c.oidc)
    lines.push(
      `  Issuer:    ${c.oidc.issuer}`,
      `  Client id: ${c.oidc.clientId}${c.oidc.clientSecretSet ? ' (secret set)' : ''}`,
    );
  if (c.saml) lines.push(`  IdP:       ${c.saml.idpEntityId}`, `  Sign-on:   ${c.saml.idpSsoUrl}`);
  return `${lines.join('\n')}\n`;
}

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--name <name>', 'a label')
    .option('--jit', 'create users at their first sign-in (source sso)')
    .option('--no-jit', 'only users the directory has (SCIM required)')
    .option('--match-by <key>', 'email, userName or nameId')
    .option('--issuer <url>', 'OIDC: the issuer (discovery at /.well-known/openid-configuration)')
    .option('--client-id <id>', 'OIDC: the client id at the IdP')
    .option('--client-secret-file <file>', 'OIDC: a file holding the client secret')
    .option('--scope <scope>', 'OIDC: a scope (repeatable; default openid email profile)', collect)
    .option(
      '--idp-metadata-file <file>',
      "SAML: the IdP's metadata XML (entity id, sign-on URL, certificates)",
    )
    .option('--idp-metadata-url <url>', "SAML: fetch the IdP's metadata from this URL, once")
    .option('--idp-entity-id <id>', "SAML: the IdP's entity id")
    .option('--idp-sso-url <url>', "SAML: the IdP's sign-on URL")
    .option('--idp-cert-file <file>', "SAML: the IdP's signing certificate (repeat for two)", collect)
    .option('--sp-cert-file <file>', 'SAML: the certificate the IdP encrypts assertions to')
    .option('--sp-key-file <file>', 'SAML: its PEM private key (sealed at rest)')
    .option('--idp-initiated-url <url>', "SAML: the app's URL that starts a sign-in (for IdP-initiated)")
    .option('--allow-idp-initiated', 'SAML: accept IdP-initiated sign-in')
    .option('--clock-skew <seconds>', 'SAML: clock skew allowed (default 60)')
    .option('--json', 'print JSON');
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const sso = program.command('sso').description("An org's SSO connections to its IdP and its email domains");
  const connections = sso.command('connections').description('SAML and OIDC connections');

  connectionOptions(
    connections
      .command('create <orgId>')
      .description('Connect an org to its IdP')
      .requiredOption('--protocol <protocol>', 'saml or oidc')
      .option('--preset <preset>', `one of ${SSO_PRESETS.map((p) => p.key).join(', ')}`, 'generic'),
  ).action(async (orgId: string, opts: ConnectionOptions & { protocol: 'saml' | 'oidc' }) => {
    const c = await withDirectory((d) =>
      d.sso.create(cliActor(orgId), { ...input(opts), protocol: opts.protocol, preset: opts.preset }),
    );
    if (opts.json) return io.out(`${JSON.stringify(c, null, 2)}\n`);
    io.out(`Created SSO connection ${c.name}:\n${describe(c)}`);
  });

  connections
    .command('list <orgId>')
    .option('--json', 'print JSON')
    .action(async (orgId: string, opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.sso.list(orgId));
      printList(io, opts.json, list, ['ID', 'PROTOCOL', 'PRESET', 'NAME', 'ENABLED', 'USERS'], (c) => [
        c.id,
        c.protocol,
        c.preset,
        c.name,
        c.enabled ? 'yes' : 'no',
        c.jit ? 'jit' : 'scim',
      ]);
    });

  connectionOptions(
    connections
      .command('update <orgId> <connectionId>')
      .description('Change settings; options not given stay')
      .option('--enable', 'enable it')
      .option('--disable', 'disable it'),
  ).action(
    async (orgId: string, id: string, opts: ConnectionOptions & { enable?: boolean; disable?: boolean }) => {
      const enabled = opts.enable ? true : opts.disable ? false : undefined;
      const c = await withDirectory((d) => d.sso.update(cliActor(orgId), id, { ...input(opts), enabled }));
      if (opts.json) return io.out(`${JSON.stringify(c, null, 2)}\n`);
      io.out(`Updated SSO connection ${c.name}:\n${describe(c)}`);
    },
  );

  connections
    .command('delete <orgId> <connectionId>')
    .option('--json', 'print JSON')
    .action(async (orgId: string, id: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.sso.delete(cliActor(orgId), id));
      if (opts.json) return io.out(`${JSON.stringify({ deleted: id })}\n`);
      io.out(`Deleted SSO connection ${id}.\n`);
    });

  const domains = sso.command('domains').description('Email domains that route sign-ins to an org');
  domains
    .command('add <orgId> <domain>')
    .option('--connection <connectionId>', 'the connection its sign-ins use (default: the first enabled)')
    .option('--json', 'print JSON')
    .action(async (orgId: string, domain: string, opts: { connection?: string; json?: boolean }) => {
      const d = await withDirectory((dir) =>
        dir.sso.addDomain(cliActor(orgId), { domain, connectionId: opts.connection }),
      );
      if (opts.json) return io.out(`${JSON.stringify(d, null, 2)}\n`);
      io.out(
        `Added ${d.domain} to ${d.orgId}.\nOptional verification: publish a TXT record ${d.verificationRecord.name} = "${d.verificationRecord.value}", then run \`sso domains verify\`.\n`,
      );
    });
  domains
    .command('list <orgId>')
    .option('--json', 'print JSON')
    .action(async (orgId: string, opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.sso.listDomains(orgId));
      printList(io, opts.json, list, ['DOMAIN', 'CONNECTION', 'VERIFIED'], (d) => [
        d.domain,
        d.connectionId ?? '-',
        d.verifiedAt ?? 'no',
      ]);
    });
  domains
    .command('remove <orgId> <domain>')
    .option('--json', 'print JSON')
    .action(async (orgId: string, domain: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.sso.removeDomain(cliActor(orgId), domain));
      if (opts.json) return io.out(`${JSON.stringify({ removed: domain })}\n`);
      io.out(`Removed ${domain}.\n`);
    });
  domains
    .command('verify <orgId> <domain>')
    .option('--json', 'print JSON')
    .action(async (orgId: string, domain: string, opts: { json?: boolean }) => {
      const d = await withDirectory((dir) => dir.sso.verifyDomain(cliActor(orgId), domain));
      if (opts.json) return io.out(`${JSON.stringify(d, null, 2)}\n`);
      io.out(`Verified ${d.domain}.\n`);
    });

  sso
    .command('presets')
    .description('IdP presets: the attribute names each sends and what to set up')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      if (opts.json) return io.out(`${JSON.stringify(SSO_PRESETS, null, 2)}\n`);
      io.out(
        `${SSO_PRESETS.map((p) => `${p.key} (${p.label}; ${p.protocols.join(', ')})\n  ${p.notes}`).join('\n')}\n`,
      );
    });
}
