/**
 * `props extensions list|add|remove` and `props list|map|unmap`: an org's custom SCIM
 * extension schemas and how it fills the deployment's custom properties (docs/properties.md),
 * through the directory's PropertyService, like the management API.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { cliAuthor } from '../../directory/deps.ts';
import { DirectoryError } from '../../directory/errors.ts';
import type { ExtensionInput } from '../../directory/properties.ts';
import { type CliContext, table } from '../cli.ts';

/** Largest extension file read: far above what the limits let an extension hold. */
const MAX_FILE_BYTES = 256 * 1024;

function readExtension(path: string): ExtensionInput {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DirectoryError(`Cannot read ${path}: ${(error as Error).message}`);
  }
  if (Buffer.byteLength(text) > MAX_FILE_BYTES) {
    throw new DirectoryError(`${path} is larger than ${MAX_FILE_BYTES} bytes`);
  }
  try {
    return JSON.parse(text) as ExtensionInput;
  } catch (error) {
    throw new DirectoryError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const props = program
    .command('props')
    .description("Custom properties: an org's SCIM extension schemas and property mappings");

  props
    .command('list <org>')
    .description("The deployment's properties and the SCIM attribute each is filled from in the org")
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.properties.listMappings(org));
      if (opts.json) return io.out(`${JSON.stringify(list, null, 2)}\n`);
      if (list.length === 0) return io.out('The deployment declares no properties (PROPERTIES).\n');
      io.out(
        `${table([['KEY', 'TYPE', 'PATH'], ...list.map((p) => [p.key, p.type, p.path ?? '(not mapped)'])])}\n`,
      );
    });

  props
    .command('map <org> <key> <path>')
    .description(
      'Fill a property from a SCIM attribute path (title, urn:…:enterprise:2.0:User:costCenter, …)',
    )
    .option('--json', 'print JSON')
    .action(async (org: string, key: string, path: string, opts: { json?: boolean }) => {
      const mapping = await withDirectory((d) => d.properties.setMapping(org, key, path, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify(mapping, null, 2)}\n`);
      io.out(`Property '${mapping.key}' of '${org}' is filled from ${mapping.path}.\n`);
    });

  props
    .command('unmap <org> <key>')
    .description('Stop filling a property in the org (it reads null)')
    .option('--json', 'print JSON')
    .action(async (org: string, key: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.properties.removeMapping(org, key, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify({ unmapped: key })}\n`);
      io.out(`Property '${key}' of '${org}' is no longer mapped.\n`);
    });

  const extensions = props
    .command('extensions')
    .description("The org's custom extension schemas of its User schema");

  extensions
    .command('list <org>')
    .description('List the extensions: URN and attributes')
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { json?: boolean }) => {
      const list = await withDirectory((d) => d.properties.listExtensions(org));
      if (opts.json) return io.out(`${JSON.stringify(list, null, 2)}\n`);
      if (list.length === 0) return io.out(`Organization '${org}' declares no extensions.\n`);
      io.out(
        `${table([
          ['URN', 'ATTRIBUTES'],
          ...list.map((e) => [
            e.urn,
            e.attributes.map((a) => `${a.name}:${a.type}${a.multiValued ? '[]' : ''}`).join(' '),
          ]),
        ])}\n`,
      );
    });

  extensions
    .command('add <org>')
    .description('Declare an extension from a JSON file: {"urn", "attributes": [{"name", "type", …}]}')
    .requiredOption('--file <path>', 'the extension as JSON (docs/properties.md)')
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { file: string; json?: boolean }) => {
      const input = readExtension(opts.file);
      const extension = await withDirectory((d) => d.properties.declareExtension(org, input, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify(extension, null, 2)}\n`);
      io.out(
        `Declared ${extension.urn} for '${org}' (${extension.attributes.length} attribute${extension.attributes.length === 1 ? '' : 's'}).\n`,
      );
    });

  extensions
    .command('remove <org> <urn>')
    .description('Remove an extension (refused while a property is mapped to it)')
    .option('--json', 'print JSON')
    .action(async (org: string, urn: string, opts: { json?: boolean }) => {
      await withDirectory((d) => d.properties.removeExtension(org, urn, cliAuthor()));
      if (opts.json) return io.out(`${JSON.stringify({ removed: urn })}\n`);
      io.out(`Removed ${urn} from '${org}'.\n`);
    });
}
