/**
 * The "Request log overhead" section of docs/benchmarks.md is written by
 * bench/request-log-overhead.ts, not by `npm run bench`: the main run keeps it when it
 * rewrites the file, and the overhead run replaces only it. Other sections written by a run of
 * their own (bench/events.ts) are kept the same way.
 */
import { existsSync, readFileSync } from 'node:fs';

export const REQUEST_LOG_HEADING = '## Request log overhead';
/** Written by bench/revocation.ts. */
export const REVOCATION_HEADING = '## Revocation';

/** The section (heading to the next `## ` heading or the end), or undefined. */
export function extractSection(markdown: string, heading = REQUEST_LOG_HEADING): string | undefined {
  const start = markdown.indexOf(`\n${heading}\n`);
  const at = markdown.startsWith(`${heading}\n`) ? 0 : start < 0 ? -1 : start + 1;
  if (at < 0) return undefined;
  const next = markdown.indexOf('\n## ', at + heading.length);
  return markdown.slice(at, next < 0 ? undefined : next + 1).replace(/\n+$/, '\n');
}

/** `markdown` with `section` in place of its own section of that heading, or appended. */
export function replaceSection(markdown: string, section: string, heading = REQUEST_LOG_HEADING): string {
  const old = extractSection(markdown, heading);
  const body = section.replace(/\n+$/, '\n');
  if (old !== undefined) return markdown.replace(old, body);
  return `${markdown.replace(/\n+$/, '')}\n\n${body}`;
}

/** A freshly rendered report with the request-log section of the file it replaces kept. */
export function keepRequestLogSection(file: string, report: string): string {
  return keepSection(file, report, REQUEST_LOG_HEADING);
}

/** A freshly rendered report with the section `heading` of the file it replaces kept. */
export function keepSection(file: string, report: string, heading: string): string {
  if (!existsSync(file)) return report;
  const kept = extractSection(readFileSync(file, 'utf8'), heading);
  return kept === undefined || extractSection(report, heading) !== undefined
    ? report
    : replaceSection(report, kept, heading);
}
