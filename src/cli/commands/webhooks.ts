/**
 * `webhooks create|list|update|delete|rotate|deliveries|redeliver` (docs/webhooks.md): the
 * host app's webhook endpoints, through the directory's WebhookService, as the management API
 * manages them (docs/api.md "Webhooks"). A secret is printed by create and rotate only.
 */
import { type Command, CommanderError, InvalidArgumentError } from 'commander';
import { cliAuthor } from '../../directory/deps.ts';
import { DirectoryError } from '../../directory/errors.ts';
import {
  type DeliveryStatus,
  EVENT_TYPES,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../directory/webhooks.ts';
import { type CliContext, table } from '../cli.ts';
import { confirmed } from '../confirm.ts';
import { parseLifetime } from '../duration.ts';

/** `user.created,user.deleted` (or repeated options): known event types only. */
function parseEventTypes(value: string, previous: string[] = []): string[] {
  const types = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const t of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) {
      throw new InvalidArgumentError(`unknown event type '${t}'; one of ${EVENT_TYPES.join(', ')}`);
    }
  }
  return [...previous, ...types];
}

function parseStatus(value: string): DeliveryStatus {
  if (value === 'pending' || value === 'delivered' || value === 'failed') return value;
  throw new InvalidArgumentError('expected pending, delivered or failed');
}

function parsePositive(max: number) {
  return (value: string): number => {
    if (!/^\d{1,16}$/.test(value) || Number(value) < 1 || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    }
    return Number(value);
  };
}

const parseDeliveryId = parsePositive(Number.MAX_SAFE_INTEGER);

function endpointRow(e: WebhookEndpoint): string[] {
  return [
    e.id,
    e.url,
    e.orgId ?? '(every org)',
    e.eventTypes?.join(',') ?? '(every type)',
    e.enabled ? 'enabled' : `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}`,
  ];
}

function describeEndpoint(e: WebhookEndpoint): string {
  return (
    `  URL:         ${e.url}\n` +
    `  Org:         ${e.orgId ?? '(every org)'}\n` +
    `  Event types: ${e.eventTypes?.join(', ') ?? '(every type)'}\n` +
    (e.description ? `  Description: ${e.description}\n` : '') +
    `  State:       ${e.enabled ? 'enabled' : `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}`}\n`
  );
}

function deliveryRow(d: WebhookDelivery): string[] {
  return [
    String(d.id),
    d.eventId,
    d.eventType ?? '',
    d.status,
    String(d.attempts),
    d.lastStatus === null ? (d.lastError ?? '') : String(d.lastStatus),
    d.lastAttemptAt ?? '',
    d.nextAttemptAt ?? '',
  ];
}

function attemptRow(a: WebhookAttempt): string[] {
  const answer = (a.responseStart ?? '').replace(/\s+/g, ' ');
  return [
    a.at,
    a.status === null ? '-' : String(a.status),
    String(a.latencyMs),
    // An answer says more than its status; without one, the error says why (refused, timed out).
    a.status === null ? (a.error ?? '') : answer.length > 80 ? `${answer.slice(0, 79)}…` : answer,
  ];
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const webhooks = program
    .command('webhooks')
    .description('Webhook endpoints: events POSTed to the host app, signed (docs/webhooks.md)');

  webhooks
    .command('create <url>')
    .description('Create an endpoint; its signing secret is shown only this once')
    .option('--org <id>', "only this org's events (default: every org's)")
    .option(
      '--events <types>',
      'only these event types, comma-separated (default: every type)',
      parseEventTypes,
    )
    .option('--description <text>', 'a note for people')
    .option('--json', 'print JSON')
    .action(
      async (
        url: string,
        opts: { org?: string; events?: string[]; description?: string; json?: boolean },
      ) => {
        const { endpoint, secret } = await withDirectory((d) =>
          d.webhooks.create(
            { url, orgId: opts.org, eventTypes: opts.events, description: opts.description },
            cliAuthor(),
          ),
        );
        if (opts.json) return io.out(json({ ...endpoint, secret }));
        io.out(
          `Created webhook endpoint ${endpoint.id}.\n${describeEndpoint(endpoint)}` +
            `  Secret:      ${secret}\nThe secret is shown only this once.\n`,
        );
      },
    );

  webhooks
    .command('list')
    .description('List endpoints (never their secrets)')
    .option('--org <id>', 'only the endpoints filtering on this org')
    .option('--json', 'print JSON')
    .action(async (opts: { org?: string; json?: boolean }) => {
      const list = await withDirectory(async (d) => {
        if (opts.org !== undefined && !(await d.orgs.get(opts.org))) {
          throw DirectoryError.notFound(`No organization '${opts.org}'`);
        }
        return d.webhooks.list(opts.org);
      });
      if (opts.json) return io.out(json(list));
      if (list.length === 0) return io.out('No webhook endpoints.\n');
      io.out(`${table([['ID', 'URL', 'ORG', 'EVENT TYPES', 'STATE'], ...list.map(endpointRow)])}\n`);
    });

  webhooks
    .command('update <endpoint>')
    .description('Change the URL, filters or description, or disable and enable an endpoint')
    .option('--url <url>', 'a new URL')
    .option('--org <id>', "only this org's events")
    .option('--every-org', "every org's events")
    .option('--events <types>', 'only these event types, comma-separated', parseEventTypes)
    .option('--every-event', 'every event type')
    .option('--description <text>', 'a note for people ("" clears it)')
    .option('--enable', 'deliver again (also after a 410 Gone disabled it)')
    .option('--disable', 'hold deliveries back (they stay pending)')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        opts: {
          url?: string;
          org?: string;
          everyOrg?: boolean;
          events?: string[];
          everyEvent?: boolean;
          description?: string;
          enable?: boolean;
          disable?: boolean;
          json?: boolean;
        },
      ) => {
        const exclusive: [keyof typeof opts, keyof typeof opts][] = [
          ['org', 'everyOrg'],
          ['events', 'everyEvent'],
          ['enable', 'disable'],
        ];
        for (const [a, b] of exclusive) {
          if (opts[a] !== undefined && opts[b] !== undefined) {
            usageError(io, `give --${flag(a)} or --${flag(b)}, not both`);
          }
        }
        const changes = {
          ...(opts.url !== undefined ? { url: opts.url } : {}),
          ...(opts.org !== undefined ? { orgId: opts.org } : opts.everyOrg ? { orgId: null } : {}),
          ...(opts.events !== undefined
            ? { eventTypes: opts.events }
            : opts.everyEvent
              ? { eventTypes: null }
              : {}),
          ...(opts.description !== undefined ? { description: opts.description || null } : {}),
          ...(opts.enable ? { enabled: true } : opts.disable ? { enabled: false } : {}),
        };
        if (Object.keys(changes).length === 0) {
          usageError(io, 'nothing to change: see `webhooks update --help`');
        }
        const endpoint = await withDirectory((d) => d.webhooks.update(id, changes, cliAuthor()));
        if (opts.json) return io.out(json(endpoint));
        io.out(`Updated webhook endpoint ${endpoint.id}.\n${describeEndpoint(endpoint)}`);
      },
    );

  webhooks
    .command('delete <endpoint>')
    .description('Delete an endpoint with its deliveries and attempts')
    .option('--yes', 'do not ask for confirmation')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { yes?: boolean; json?: boolean }) => {
      await withDirectory((d) => d.webhooks.get(id));
      await confirmed(
        ctx,
        opts.yes,
        `Delete webhook endpoint ${id} and its delivery history? Type its id: `,
        id,
      );
      await withDirectory((d) => d.webhooks.delete(id, cliAuthor()));
      if (opts.json) return io.out(json({ deleted: id }));
      io.out(`Deleted webhook endpoint ${id}.\n`);
    });

  webhooks
    .command('rotate <endpoint>')
    .description('A new signing secret (shown once); the previous one keeps signing beside it for a while')
    .option(
      '--grace <duration>',
      'how long the previous secret still signs (30m, 24h, 7d)',
      parseGrace,
      86_400,
    )
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { grace: number; json?: boolean }) => {
      const { endpoint, secret } = await withDirectory((d) =>
        d.webhooks.rotateSecret(id, opts.grace, cliAuthor()),
      );
      if (opts.json) return io.out(json({ ...endpoint, secret }));
      io.out(
        `New secret for webhook endpoint ${endpoint.id}:\n  ${secret}\n` +
          `The previous secret signs beside it until ${endpoint.previousSecretExpiresAt}.\n` +
          'The secret is shown only this once.\n',
      );
    });

  webhooks
    .command('deliveries')
    .description("An endpoint's deliveries, newest first; with a delivery id, that one with every attempt")
    .argument('<endpoint>', 'the endpoint id')
    .argument('[delivery]', 'a delivery id', parseDeliveryId)
    .option('--status <status>', 'only pending, delivered or failed', parseStatus)
    .option('--limit <n>', 'most rows shown', parsePositive(200), 50)
    .option('--cursor <cursor>', 'the page after the one that printed this cursor')
    .option('--json', 'print JSON')
    .action(
      async (
        id: string,
        delivery: number | undefined,
        opts: { status?: DeliveryStatus; limit: number; cursor?: string; json?: boolean },
      ) => {
        if (delivery !== undefined) {
          const one = await withDirectory((d) => d.webhooks.delivery(id, delivery));
          if (opts.json) return io.out(json(one));
          const { attemptLog, ...rest } = one;
          io.out(
            `${table([
              ['ID', 'EVENT', 'TYPE', 'STATUS', 'TRIES', 'LAST ANSWER', 'LAST TRY', 'NEXT TRY'],
              deliveryRow(rest),
            ])}\n\n` +
              (attemptLog.length === 0
                ? 'No attempts yet.\n'
                : `${table([['TIME', 'HTTP', 'MS', 'ANSWER OR ERROR'], ...attemptLog.map(attemptRow)])}\n`),
          );
          return;
        }
        const page = await withDirectory((d) =>
          d.webhooks.deliveryPage(id, { status: opts.status, limit: opts.limit, cursor: opts.cursor }),
        );
        if (opts.json) return io.out(json({ data: page.items, nextCursor: page.nextCursor }));
        if (page.items.length === 0) return io.out(`No deliveries of ${id} match.\n`);
        io.out(
          `${table([
            ['ID', 'EVENT', 'TYPE', 'STATUS', 'TRIES', 'LAST ANSWER', 'LAST TRY', 'NEXT TRY'],
            ...page.items.map(deliveryRow),
          ])}\n` + (page.nextCursor ? `More: --cursor ${page.nextCursor}\n` : ''),
        );
      },
    );

  webhooks
    .command('redeliver')
    .description('Send a delivery again now, whatever its state (the running service sends it)')
    .argument('<endpoint>', 'the endpoint id')
    .argument('<delivery>', 'the delivery id', parseDeliveryId)
    .option('--json', 'print JSON')
    .action(async (id: string, deliveryId: number, opts: { json?: boolean }) => {
      const { attemptLog: _log, ...again } = await withDirectory(async (d) => {
        await d.webhooks.redeliver(id, deliveryId);
        return d.webhooks.delivery(id, deliveryId);
      });
      if (opts.json) return io.out(json(again));
      io.out(
        `Delivery ${deliveryId} of ${id} (${again.eventId}) is due now; the running service sends it.\n`,
      );
    });
}

/** The grace period of `rotate --grace`, in seconds (0 allowed: the old secret stops at once). */
function parseGrace(value: string): number {
  if (value.trim() === '0') return 0;
  const seconds = parseLifetime(value);
  if (seconds > 7 * 86_400) throw new InvalidArgumentError('at most 7d');
  return seconds;
}

/** A usage mistake commander's parser cannot see: said on stderr, exit code 2. */
function usageError(io: CliContext['io'], message: string): never {
  io.err(`error: ${message}\n`);
  throw new CommanderError(2, 'webhooks.usage', message);
}

/** `everyOrg` -> `every-org` */
function flag(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
