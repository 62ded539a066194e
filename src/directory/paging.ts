/**
 * Cursors of the management API's lists (docs/api.md "Pagination"): an opaque base64url string
 * that carries the position after the last item of a page. The position is the list's own sort
 * key; transports never look inside.
 */
import { DirectoryError } from './errors.ts';

export interface Page<T> {
  items: T[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

export function encodeCursor(position: (string | number)[]): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** The position a cursor carries, checked against the shape the list expects. */
export function decodeCursor<T extends (string | number)[]>(
  cursor: string,
  shape: { [K in keyof T]: T[K] extends number ? 'number' : 'string' },
): T {
  const invalid = () => new DirectoryError('The cursor is not one this list handed out');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length !== shape.length) throw invalid();
  for (const [i, type] of shape.entries()) {
    if (typeof value[i] !== type) throw invalid();
  }
  return value as T;
}

/** Splits one extra row read past `limit` off into the next cursor. */
export function toPage<T>(rows: T[], limit: number, position: (last: T) => (string | number)[]): Page<T> {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  return { items, nextCursor: encodeCursor(position(items[items.length - 1] as T)) };
}
