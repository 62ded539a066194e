import assert from 'node:assert/strict';
import { test } from 'node:test';
import { uuidv7 } from '../../src/directory/deps.ts';

test('uuidv7: RFC 9562 layout, version 7, variant 10, time-ordered across milliseconds', () => {
  const at = Date.UTC(2026, 10, 23, 12, 0, 0);
  const ids = [uuidv7(at), uuidv7(at + 1), uuidv7(at + 2)];
  for (const id of ids)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(Number.parseInt(ids[0]!.replace(/-/g, '').slice(0, 12), 16), at);
  assert.equal(
    new Set(Array.from({ length: 1000 }, () => uuidv7(at))).size,
    1000,
    'random bits keep ids unique',
  );
});

test('uuidv7: ids of one millisecond are all distinct, across refills of the random pool', () => {
  const at = Date.UTC(2026, 0, 1);
  const ids = Array.from({ length: 5000 }, () => uuidv7(at));
  assert.equal(new Set(ids).size, ids.length);
  // The random tail is not a counter: no two consecutive ids share their last 12 hex digits.
  assert.ok(ids.every((id, i) => i === 0 || id.slice(-12) !== ids[i - 1]?.slice(-12)));
});
