/**
 * docs/benchmarks.md is written by several scripts: bench/run.ts writes the title and the main
 * sections, and bench/events.ts, bench/revocation.ts, bench/roles.ts, bench/filter-shapes.ts and
 * bench/request-log-overhead.ts each write their own `## ` section(s). Every one of them goes
 * through `mergeSections`: it replaces the sections it writes (and removes those it owns but did
 * not write this time) and keeps every other section where it stands, so no script drops what
 * another one measured.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface Section {
  /** The heading line, e.g. `## Memory`. */
  heading: string;
  /** The heading and its body, without trailing blank lines. */
  text: string;
}

/** A markdown text as what comes before its first `## ` heading and its `## ` sections. */
export function splitSections(markdown: string): { preamble: string; sections: Section[] } {
  const lines = markdown.split('\n');
  const preamble: string[] = [];
  const sections: { heading: string; lines: string[] }[] = [];
  let fence = false;
  for (const line of lines) {
    if (/^(```|~~~)/.test(line)) fence = !fence;
    if (!fence && line.startsWith('## ')) {
      sections.push({ heading: line.trimEnd(), lines: [line] });
    } else {
      (sections.at(-1)?.lines ?? preamble).push(line);
    }
  }
  return {
    preamble: trimEnd(preamble.join('\n')),
    sections: sections.map((s) => ({ heading: s.heading, text: trimEnd(s.lines.join('\n')) })),
  };
}

function trimEnd(text: string): string {
  return text.replace(/\s+$/, '');
}

/**
 * `previous` with the sections of `fresh` in place of the sections of the same headings, the
 * sections `owns` claims that `fresh` no longer has removed, and every other section kept where
 * it was. A section of `fresh` that `previous` lacks goes after the section `fresh` puts before
 * it, or, the first ones, at the top when `fresh` brings its own preamble (a whole report) and at
 * the end when it does not (one section). `fresh`'s preamble, when it has one, replaces the old one.
 */
export function mergeSections(
  previous: string,
  fresh: string,
  owns: (heading: string) => boolean = () => false,
): string {
  const old = splitSections(previous);
  const next = splitSections(fresh);
  const byHeading = new Map(next.sections.map((s) => [s.heading, s]));
  const out: Section[] = [];
  const placed = new Set<string>();
  for (const s of old.sections) {
    const replacement = byHeading.get(s.heading);
    if (replacement) {
      if (!placed.has(s.heading)) out.push(replacement);
      placed.add(s.heading);
    } else if (!owns(s.heading)) {
      out.push(s);
    }
  }
  const wholeReport = next.preamble !== '';
  let after = wholeReport ? -1 : out.length - 1;
  for (const s of next.sections) {
    if (placed.has(s.heading)) {
      after = out.findIndex((o) => o.heading === s.heading);
      continue;
    }
    out.splice(after + 1, 0, s);
    placed.add(s.heading);
    after += 1;
  }
  const preamble = wholeReport ? next.preamble : old.preamble;
  const parts = [preamble, ...out.map((s) => s.text)].filter((p) => p !== '');
  return parts.length === 0 ? '' : `${parts.join('\n\n')}\n`;
}

/**
 * Writes `fresh` into `file` with `mergeSections`, keeping the sections other scripts wrote.
 * `initial` is the text a missing file starts from.
 */
export function writeSections(
  file: string,
  fresh: string,
  owns?: (heading: string) => boolean,
  initial = '# Benchmarks\n',
): void {
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : initial;
  writeFileSync(file, mergeSections(previous, fresh, owns));
}

/** Written by bench/request-log-overhead.ts. */
export const REQUEST_LOG_HEADING = '## Request log overhead';
/** Written by bench/revocation.ts. */
export const REVOCATION_HEADING = '## Revocation';
