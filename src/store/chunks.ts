/**
 * Splits a batch into statements of at most `size` items, so that no statement outgrows the
 * databases' bound-parameter limits (SQLite's 32,766; PostgreSQL's 65,535) whatever the batch.
 */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
