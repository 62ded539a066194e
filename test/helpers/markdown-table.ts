/** Reading the benchmark reports' Markdown tables in tests. */

/** The cells of the table row whose first cell is `label`. */
export function row(report: string, label: string): string[] | undefined {
  const line = report.split('\n').find((l) => l.startsWith(`| ${label} |`));
  return line
    ?.split('|')
    .slice(1, -1)
    .map((c) => c.trim());
}
