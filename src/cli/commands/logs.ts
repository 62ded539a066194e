/**
 * `logs <org>`: an organization's request log (src/http/request-log.ts), newest first, with
 * filters by status, path and time. A table by default; --json prints the rows.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { DirectoryError } from '../../directory/orgs.ts';
import {
  parseStatusFilter,
  REQUEST_LOG_MAX_LIMIT,
  type RequestLogRecord,
  type StatusFilter,
} from '../../directory/request-log.ts';
import { type CliContext, table } from '../cli.ts';
import { durationMs } from '../duration.ts';

/** `2xx`/`4xx`/`5xx` (any class 1–5) or an exact status code. */
export function parseStatus(value: string): StatusFilter {
  const status = parseStatusFilter(value);
  if (status) return status;
  throw new InvalidArgumentError('expected 2xx, 4xx, 5xx or a status code such as 409');
}

/** An ISO-8601 time, or a duration before `now` such as `15m`, `2h`, `3d`, `30s`. */
export function parseTime(value: string, now: Date = new Date()): string {
  const ago = durationMs(value);
  if (ago !== undefined) return new Date(now.getTime() - ago).toISOString();
  const time = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time.getTime())) {
    throw new InvalidArgumentError(
      'expected an ISO-8601 time (2025-01-31T12:00:00Z) or a duration such as 15m, 2h, 3d',
    );
  }
  return time.toISOString();
}

function parseLimit(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > REQUEST_LOG_MAX_LIMIT) {
    throw new InvalidArgumentError(`expected a number from 1 to ${REQUEST_LOG_MAX_LIMIT}`);
  }
  return Number(value);
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function row(r: RequestLogRecord): string[] {
  return [
    r.at,
    r.method,
    cut(r.path, 70),
    String(r.status),
    r.durationMs.toFixed(1),
    r.idp ?? '',
    cut(r.hint ?? '', 100),
  ];
}

interface LogsOptions {
  status?: StatusFilter;
  path?: string;
  since?: string;
  until?: string;
  limit: number;
  showBodies?: boolean;
  json?: boolean;
}

export function register(program: Command, ctx: CliContext) {
  program
    .command('logs <org>')
    .description("An organization's SCIM request log, newest first (see README, Request log)")
    .option('--status <status>', 'only 2xx, 4xx, 5xx or one status code', parseStatus)
    .option('--path <text>', 'only paths (with query string) containing this text')
    .option('--since <time>', 'from this ISO time, or this long ago (15m, 2h, 3d)', (v) => parseTime(v))
    .option('--until <time>', 'before this ISO time, or this long ago', (v) => parseTime(v))
    .option('--limit <n>', 'most rows shown', parseLimit, 50)
    .option('--show-bodies', 'print the (redacted) request and response bodies under each row')
    .option('--json', 'print the rows as JSON')
    .action(async (org: string, opts: LogsOptions) => {
      const rows = await ctx.withDirectory(async (d) => {
        if (!(await d.orgs.get(org))) throw new DirectoryError(`No organization '${org}'`);
        return d.requestLog.query(org, {
          status: opts.status,
          pathContains: opts.path,
          since: opts.since,
          until: opts.until,
          limit: opts.limit,
          withBodies: opts.showBodies === true,
        });
      });
      if (opts.json) {
        const out = opts.showBodies ? rows : rows.map(({ requestBody, responseBody, ...rest }) => rest);
        return ctx.io.out(`${JSON.stringify(out, null, 2)}\n`);
      }
      if (rows.length === 0) return ctx.io.out(`No requests logged for '${org}' match.\n`);
      const head = ['TIME', 'METHOD', 'PATH', 'STATUS', 'MS', 'IDP', 'HINT'];
      if (!opts.showBodies) return ctx.io.out(`${table([head, ...rows.map(row)])}\n`);
      const lines = table([head, ...rows.map(row)]).split('\n');
      const out = [lines[0]];
      rows.forEach((r, i) => {
        out.push(lines[i + 1]);
        if (r.quirks) out.push(`    quirks:   ${r.quirks.join(', ')}`);
        out.push(`    request:  ${r.requestBody ?? '(none)'}`, `    response: ${r.responseBody ?? '(none)'}`);
      });
      ctx.io.out(`${out.join('\n')}\n`);
    });
}
