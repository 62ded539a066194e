/**
 * `valves show|set <org>` and `held list|release|discard <org>`: an org's safety valves
 * (docs/safety-valves.md) and the deprovisionings the valve held.
 */
import type { Command } from 'commander';
import { cliActor, cliAuthor } from '../../directory/deps.ts';
import { DirectoryError } from '../../directory/errors.ts';
import type { HeldChange, HeldOutcome, ValveSettings, ValveSettingsChange } from '../../directory/valves.ts';
import { type CliContext, table } from '../cli.ts';

/** A whole number, or `default` (back to the deployment's default) / `none` (no seat cap): null. */
function numberOrDefault(name: string, raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default' || raw === 'none') return null;
  if (!/^\d+$/.test(raw))
    throw new DirectoryError(`--${name} must be a whole number or 'default', got '${raw}'`);
  return Number(raw);
}

function onOff(raw: string | undefined): boolean | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default') return null;
  if (['on', 'true', 'yes'].includes(raw)) return true;
  if (['off', 'false', 'no'].includes(raw)) return false;
  throw new DirectoryError(`--deprovisioning must be on, off or default, got '${raw}'`);
}

function describe(s: ValveSettings): string {
  const d = s.deprovisioning;
  const mark = (v: unknown) => (v === null ? ' (default)' : '');
  const lines = [
    `Safety valves of '${s.orgId}':`,
    `  Mass deprovisioning: ${d.enabled ? 'on' : 'off'}${mark(s.overrides.enabled)}; holds beyond ` +
      `${d.percent} %${mark(s.overrides.percent)} of active users, at least ${d.minUsers}${mark(s.overrides.minUsers)}, ` +
      `per ${d.windowSeconds} s${mark(s.overrides.windowSeconds)}`,
    `  Seat cap: ${s.seatCap ?? 'none'} (${s.activeUsers} active users)`,
    `  Contact: ${s.contact ?? 'the administrator of this app'}${mark(s.overrides.contact)}`,
    s.window
      ? `  Window since ${s.window.start}: ${s.window.deprovisioned} of ${s.window.threshold} deprovisionings used (${s.window.activeUsers} active at its start)`
      : '  Window: none open',
    `  Held changes: ${s.held}`,
  ];
  return `${lines.join('\n')}\n`;
}

function heldRow(h: HeldChange) {
  return [String(h.id), h.kind, h.userId, h.userName ?? '', h.heldAt, h.requestId ?? ''];
}

function ids(raw: string[] | undefined): number[] | undefined {
  if (!raw || raw.length === 0) return undefined;
  return raw.map((v) => {
    if (!/^\d+$/.test(v)) throw new DirectoryError(`--id must be a held change's number, got '${v}'`);
    return Number(v);
  });
}

export function register(program: Command, ctx: CliContext): void {
  const { io, withDirectory } = ctx;
  const valves = program
    .command('valves')
    .description("An org's safety valves: mass-deprovisioning hold, seat cap");

  valves
    .command('show <org>')
    .description('Show the settings in force, what the org overrides, and the current window')
    .option('--json', 'print JSON')
    .action(async (orgId: string, opts: { json?: boolean }) => {
      const s = await withDirectory((d) => d.valves.settings(orgId));
      io.out(opts.json ? `${JSON.stringify(s, null, 2)}\n` : describe(s));
    });

  valves
    .command('set <org>')
    .description("Override the deployment's settings for one org ('default' resets one)")
    .option('--deprovisioning <on|off|default>', 'switch the mass-deprovisioning valve')
    .option('--percent <n>', 'share of active users deprovisioned per window before holding')
    .option('--min-users <n>', 'deprovisionings a window always lets through')
    .option('--window-seconds <n>', "the window's length")
    .option('--seat-cap <n|none>', 'most active users')
    .option('--contact <text|default>', "whom the seat cap's error names")
    .option('--json', 'print JSON')
    .action(
      async (
        orgId: string,
        opts: {
          deprovisioning?: string;
          percent?: string;
          minUsers?: string;
          windowSeconds?: string;
          seatCap?: string;
          contact?: string;
          json?: boolean;
        },
      ) => {
        const change: ValveSettingsChange = {
          enabled: onOff(opts.deprovisioning),
          percent: numberOrDefault('percent', opts.percent),
          minUsers: numberOrDefault('min-users', opts.minUsers),
          windowSeconds: numberOrDefault('window-seconds', opts.windowSeconds),
          seatCap: numberOrDefault('seat-cap', opts.seatCap),
          contact: opts.contact === 'default' ? null : opts.contact,
        };
        const s = await withDirectory((d) => d.valves.update(orgId, change, cliAuthor()));
        io.out(opts.json ? `${JSON.stringify(s, null, 2)}\n` : describe(s));
      },
    );

  const held = program
    .command('held')
    .description('Deprovisionings the mass-deprovisioning valve held (docs/safety-valves.md)');

  held
    .command('list <org>')
    .description('List held changes, oldest first (the order a release applies them in)')
    .option('--json', 'print JSON')
    .action(async (orgId: string, opts: { json?: boolean }) => {
      const all: HeldChange[] = [];
      await withDirectory(async (d) => {
        let cursor: string | undefined;
        do {
          const page = await d.valves.held(orgId, { limit: 200, cursor });
          all.push(...page.items);
          cursor = page.nextCursor ?? undefined;
        } while (cursor);
      });
      if (opts.json) return io.out(`${JSON.stringify(all, null, 2)}\n`);
      if (all.length === 0) return io.out(`No held changes in '${orgId}'.\n`);
      io.out(`${table([['ID', 'KIND', 'USER', 'USERNAME', 'HELD AT', 'REQUEST'], ...all.map(heldRow)])}\n`);
    });

  const act = (verb: 'release' | 'discard', past: string, summary: string) =>
    held
      .command(`${verb} <org>`)
      .description(summary)
      .option('--id <n...>', 'only these held changes (default: all)')
      .option('--json', 'print JSON')
      .action(async (orgId: string, opts: { id?: string[]; json?: boolean }) => {
        const outcome: HeldOutcome = await withDirectory((d) =>
          d.valves[verb](cliActor(orgId), { ids: ids(opts.id) }),
        );
        if (opts.json)
          return io.out(`${JSON.stringify({ [past]: outcome.done, gone: outcome.gone }, null, 2)}\n`);
        io.out(
          `${past[0]?.toUpperCase()}${past.slice(1)} ${outcome.done.length} held change(s) in '${orgId}'` +
            (outcome.gone.length > 0 ? `; ${outcome.gone.length} dropped (user gone)` : '') +
            '.\n',
        );
      });

  act('release', 'released', 'Apply held changes in order, each with its events and audit');
  act('discard', 'discarded', "Drop held changes: the users keep access; the IdP's next sync decides again");
}
