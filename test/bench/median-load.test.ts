/** bench/results.ts medianLoad: a scenario measured in rounds, reported as one result. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadResult } from '../../bench/protocol.ts';
import { median, medianLoad } from '../../bench/results.ts';

const round = (rps: number, cpu: number, extra: Partial<LoadResult> = {}): LoadResult => ({
  type: 'load',
  requestsPerSecond: rps,
  p50: rps / 1000,
  p99: rps / 100,
  ok: 100,
  non2xx: 0,
  errors: 0,
  seconds: 8,
  statuses: {},
  warmupResponses: 10,
  cpuMsPerRequest: cpu,
  ...extra,
});

test('median: the middle value, the lower middle for an even count', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2);
  assert.ok(Number.isNaN(median([])));
});

test('each figure is the median of its rounds on its own; counts are summed', () => {
  const m = medianLoad([
    round(3000, 0.2, { dbCpuMsPerRequest: 0.3, non2xx: 1, statuses: { '500': 1 } }),
    round(1000, 0.4, { dbCpuMsPerRequest: 0.1 }),
    round(2000, 0.1, { dbCpuMsPerRequest: 0.2, errors: 2, statuses: { '500': 2, '404': 1 } }),
  ]);
  assert.equal(m.requestsPerSecond, 2000);
  assert.equal(m.p50, 2);
  assert.equal(m.p99, 20);
  assert.equal(m.cpuMsPerRequest, 0.2);
  assert.equal(m.dbCpuMsPerRequest, 0.2);
  assert.equal(m.ok, 300);
  assert.equal(m.non2xx, 1);
  assert.equal(m.errors, 2);
  assert.equal(m.seconds, 24);
  assert.equal(m.warmupResponses, 30);
  assert.deepEqual(m.statuses, { '500': 3, '404': 1 });
});

test('a CPU figure missing from a round is missing from the median; one round is itself', () => {
  const { cpuMsPerRequest: _, ...noCpu } = round(1000, 0);
  const m = medianLoad([round(3000, 0.2), noCpu, round(2000, 0.1)]);
  assert.equal(m.cpuMsPerRequest, undefined);
  const one = round(1234, 0.5);
  assert.equal(medianLoad([one]), one);
  assert.throws(() => medianLoad([]), /no rounds/);
});
