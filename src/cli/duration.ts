/** Durations on the command line: `30s`, `15m`, `2h`, `3d`, `12w`. */
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a duration such as `90d`, or undefined when the text is not one. */
export function durationMs(value: string): number | undefined {
  const match = /^(\d{1,9})\s*([smhdw])$/i.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNITS[match[2]!.toLowerCase()]!;
}

/** commander parser of `--expires-in`: whole seconds, at least one. */
export function parseLifetime(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined || ms < 1000) {
    throw new InvalidArgumentError('expected a duration such as 30m, 12h, 90d or 52w');
  }
  return ms / 1000;
}
