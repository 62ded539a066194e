/**
 * Keeps docs/events.md in step with the event types the service sends (EVENT_TYPES, which the
 * pull feed's `type` filter, webhook filters and the SDK's types take): each type has its
 * section, and no section names a type the service does not know.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { EVENT_TYPES } from '../../src/directory/webhooks.ts';

const root = new URL('../..', import.meta.url).pathname;

test('every event type has its section in docs/events.md, and nothing else does', () => {
  const doc = readFileSync(`${root}docs/events.md`, 'utf8');
  const types = section(doc, 'Types')
    .split('\n')
    .filter((line) => line.startsWith('### '))
    .flatMap((line) =>
      line
        .slice(4)
        .split(',')
        .map((t) => t.trim()),
    );
  assert.deepEqual([...types].sort(), [...EVENT_TYPES].sort());
});

function section(doc: string, title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `docs/events.md has a section ${title}`);
  const end = doc.indexOf('\n## ', start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}
