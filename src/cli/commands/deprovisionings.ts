/**
 * `deprovisionings list|acknowledge <org>` (docs/deprovisioning.md): the deactivations and
 * deletions the host app has not acknowledged yet, oldest first, with their age; and the
 * explicit acknowledgement, as the CLI (audited with the OS login).
 */
import { type Command, InvalidArgumentError } from 'commander';
import { DEPROVISIONING_STATES, type Deprovisioning } from '../../directory/deprovisionings.ts';
import { cliActor } from '../../directory/deps.ts';
import { DirectoryError } from '../../directory/errors.ts';
import { type CliContext, table } from '../cli.ts';

type State = (typeof DEPROVISIONING_STATES)[number];

function parseState(value: string): State {
  if ((DEPROVISIONING_STATES as readonly string[]).includes(value)) return value as State;
  throw new InvalidArgumentError(`expected one of ${DEPROVISIONING_STATES.join(', ')}`);
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000) {
    throw new InvalidArgumentError('expected a number from 1 to 10000');
  }
  return Number(value);
}

/** `3d 4h`, `12m`, `40s`: an age a person reads at a glance. */
export function formatAge(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${seconds}s`;
}

function row(d: Deprovisioning): string[] {
  return [d.id, d.type, d.userId, d.at, formatAge(d.ageSeconds), d.acknowledgedBy ?? 'pending'];
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const cmd = program
    .command('deprovisionings')
    .description('Deactivations and deletions the app has to acknowledge (docs/deprovisioning.md)');

  cmd
    .command('list <org>')
    .description('Those not yet acknowledged, oldest first, with their age')
    .option('--state <state>', 'pending (default), acknowledged or all', parseState, 'pending' as State)
    .option('--limit <n>', 'most rows shown', parseLimit, 1000)
    .option('--json', 'print JSON')
    .action(async (org: string, opts: { state: State; limit: number; json?: boolean }) => {
      const items = await withDirectory(async (d) => {
        if (!(await d.orgs.get(org))) throw DirectoryError.notFound(`No organization '${org}'`);
        const out: Deprovisioning[] = [];
        let cursor: string | undefined;
        do {
          const page = await d.deprovisionings.page(
            org,
            { state: opts.state },
            { limit: Math.min(200, opts.limit - out.length), cursor },
          );
          out.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor && out.length < opts.limit);
        return out;
      });
      if (opts.json) return io.out(`${JSON.stringify(items, null, 2)}\n`);
      if (items.length === 0)
        return io.out(`No ${opts.state === 'all' ? '' : `${opts.state} `}deprovisionings in '${org}'.\n`);
      io.out(`${table([['ID', 'TYPE', 'USER', 'AT', 'AGE', 'ACKNOWLEDGED BY'], ...items.map(row)])}\n`);
    });

  cmd
    .command('acknowledge <org> <id>')
    .description('Acknowledge one, by its id (dpv_…) or its event id (evt_…); idempotent')
    .option('--json', 'print JSON')
    .action(async (org: string, id: string, opts: { json?: boolean }) => {
      const done = await withDirectory(async (d) => {
        if (!(await d.orgs.get(org))) throw DirectoryError.notFound(`No organization '${org}'`);
        return d.deprovisionings.acknowledge(cliActor(org), id);
      });
      if (opts.json) return io.out(`${JSON.stringify(done, null, 2)}\n`);
      io.out(`Acknowledged ${done.id} (${done.type} of ${done.userId}) at ${done.acknowledgedAt}.\n`);
    });
}
