/**
 * `audit <org>`: an organization's audit trail (docs/api.md "Audit trail"), newest first, with
 * the API's filters; a table by default, --json a page in the API's form, --jsonl every
 * matching entry as JSON Lines, read and printed a batch at a time. `audit prune --days N`
 * deletes entries older than N days now (AUDIT_RETENTION_DAYS does it hourly).
 */
import { type Command, InvalidArgumentError } from 'commander';
import {
  ACTOR_KINDS,
  AUDIT_ACTIONS,
  AUDIT_RESOURCE_TYPES,
  type AuditEntry,
  type AuditFilter,
  auditView,
} from '../../directory/audit.ts';
import { DirectoryError } from '../../directory/errors.ts';
import { type CliContext, table } from '../cli.ts';
import { parseTime } from './logs.ts';

function oneOf<T extends string>(values: readonly T[]) {
  return (value: string): T => {
    if ((values as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`expected one of ${values.join(', ')}`);
  };
}

function whole(min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    }
    return Number(value);
  };
}

function text(max: number) {
  return (value: string): string => {
    if (value.length === 0 || value.length > max) {
      throw new InvalidArgumentError(`expected 1 to ${max} characters`);
    }
    return value;
  };
}

function row(e: AuditEntry): string[] {
  return [
    e.at,
    e.action,
    `${e.actorKind}${e.tokenId ? `:${e.tokenId}` : ''}`,
    `${e.resourceType ?? ''}${e.resourceId ? ` ${e.resourceId}` : ''}`,
    e.attributes.join(',').slice(0, 80),
    e.requestId ?? '',
  ];
}

interface AuditOptions {
  action?: string;
  actorKind?: AuditFilter['actorKind'];
  actorId?: string;
  resourceType?: string;
  resourceId?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
  json?: boolean;
  jsonl?: boolean;
}

export function register(program: Command, ctx: CliContext) {
  const { io, withDirectory } = ctx;
  const cmd = program
    .command('audit')
    .description(
      "An organization's audit trail, newest first (docs/api.md, Audit trail); `audit prune` deletes old entries",
    )
    .argument('<org>', 'the organization')
    .option('--action <action>', `only this action (${AUDIT_ACTIONS.join(', ')})`, oneOf(AUDIT_ACTIONS))
    .option('--actor-kind <kind>', `only this kind of actor (${ACTOR_KINDS.join(', ')})`, oneOf(ACTOR_KINDS))
    .option('--actor-id <id>', "only this actor: a token's or API key's id, a login, a task", text(200))
    .option(
      '--resource-type <type>',
      `only this type (${AUDIT_RESOURCE_TYPES.join(', ')})`,
      oneOf(AUDIT_RESOURCE_TYPES),
    )
    .option('--resource-id <id>', 'only this resource', text(1024))
    .option('--since <time>', 'from this ISO time, or this long ago (15m, 2h, 3d)', (v) => parseTime(v))
    .option('--until <time>', 'before this ISO time, or this long ago', (v) => parseTime(v))
    .option('--limit <n>', 'most entries shown (not with --jsonl)', whole(1, 200), 50)
    .option('--cursor <cursor>', 'the next page: the cursor the previous one printed', text(512))
    .option('--json', 'print a page as the API does: { data, nextCursor }')
    .option('--jsonl', 'print every matching entry as JSON Lines (one per line), however many')
    .action(async (org: string, opts: AuditOptions) => {
      const filter: AuditFilter = {
        action: opts.action,
        actorKind: opts.actorKind,
        actorId: opts.actorId,
        resourceType: opts.resourceType,
        resourceId: opts.resourceId,
        since: opts.since,
        until: opts.until,
      };
      const page = await withDirectory(async (d) => {
        if (!(await d.orgs.get(org))) throw DirectoryError.notFound(`No organization '${org}'`);
        if (!opts.jsonl) return d.audit.page(org, filter, { limit: opts.limit, cursor: opts.cursor });
        for await (const entry of d.audit.export(org, filter))
          io.out(`${JSON.stringify(auditView(entry))}\n`);
        return undefined;
      });
      if (!page) return;
      if (opts.json) {
        const body = { data: page.items.map(auditView), nextCursor: page.nextCursor };
        return io.out(`${JSON.stringify(body, null, 2)}\n`);
      }
      if (page.items.length === 0) return io.out(`No audit entries for '${org}' match.\n`);
      io.out(
        `${table([['TIME', 'ACTION', 'ACTOR', 'RESOURCE', 'ATTRIBUTES', 'REQUEST'], ...page.items.map(row)])}\n`,
      );
      if (page.nextCursor) io.out(`More: --cursor ${page.nextCursor}\n`);
    });

  cmd
    .command('prune')
    .description('Delete audit entries older than --days, now, in batches (one prune at a time)')
    .requiredOption('--days <n>', 'keep this many days', whole(1, 36_500))
    .option('--json', 'print JSON')
    .action(async (_opts: unknown, command: Command) => {
      // `--json` is the parent's option too, which takes it first.
      const opts = command.optsWithGlobals<{ days: number; json?: boolean }>();
      const deleted = await withDirectory((d) => d.audit.prune(opts.days));
      if (deleted === 'busy') {
        throw DirectoryError.conflict(
          'Another prune of the audit trail is running; try again when it is done',
        );
      }
      if (opts.json) return io.out(`${JSON.stringify({ deleted })}\n`);
      io.out(`Deleted ${deleted} audit entries older than ${opts.days} days.\n`);
    });
}
