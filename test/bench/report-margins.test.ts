/** bench/report.ts: a value just past its goal is shown as such, never "3.00×, over by 0.00×". */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { measuredText, shortfall, TARGETS } from '../../bench/report.ts';

const def = (id: string) => {
  const d = TARGETS.find((t) => t.id === id);
  assert.ok(d, id);
  return d;
};

test('a margin that rounds to nothing shows its first significant digit', () => {
  const post = def('post-user');
  assert.equal(
    shortfall({ def: post, measured: 3.004, met: false }),
    'over by 0.004× (under 1 % over the goal)',
  );
  assert.equal(shortfall({ def: post, measured: 3.66, met: false }), 'over by 0.66× (22 % over the goal)');
  const get = def('get-by-id');
  assert.equal(shortfall({ def: get, measured: 0.47, met: false }), 'short by 0.03 (6 % under the goal)');
});

test('a measured value that prints as its goal gets the decimals that tell them apart', () => {
  const post = def('post-user');
  assert.equal(measuredText(post, 3.004), '3.004×');
  // Alike to six decimals: printed as the goal is.
  assert.equal(measuredText(post, 3.0000004), '3.00×');
  assert.equal(measuredText(post, 3), '3.00×');
  assert.equal(measuredText(post, 3.66), '3.66×');
});
