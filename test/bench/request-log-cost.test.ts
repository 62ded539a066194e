/**
 * bench/report.ts requestLogCost: the request log's cost is the median of the rounds' own
 * shares, so that the machine's drift between rounds stays out of it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LoadResult } from '../../bench/protocol.ts';
import { requestLogCost } from '../../bench/report.ts';
import type { BenchResults } from '../../bench/results.ts';

const load = (cpu: number, db: number): LoadResult =>
  ({ cpuMsPerRequest: cpu, dbCpuMsPerRequest: db }) as unknown as LoadResult;

// The last PostgreSQL run of 2026-12-07, per round (node + database, each the mean of two
// servers): the machine sped up by a third between rounds.
const rounds = [
  { on: 0.7715, off: 0.7065 },
  { on: 0.681, off: 0.4865 },
  { on: 0.548, off: 0.477 },
];
const results = (withRounds: boolean) =>
  ({
    requests: { 'get-by-id': load(0.5, 0.138) },
    // The medians of the six runs of each, pooled over the rounds.
    logOn: load(0.47, 0.206),
    logOff: load(0.35, 0.128),
    ...(withRounds ? { logRounds: rounds } : {}),
  }) as unknown as BenchResults;

test("the log's cost is the median of the rounds' shares, not of pooled medians", () => {
  const cost = requestLogCost(results(true));
  assert.ok(cost);
  assert.deepEqual(
    cost.rounds.map((r) => Number(r.toFixed(1))),
    [8.4, 28.6, 13.0],
  );
  assert.equal(Number(cost.share.toFixed(1)), 13.0);
  // The pooled medians are still what the report shows as "on" and "off".
  assert.equal(Number(cost.on.toFixed(3)), 0.676);
  assert.equal(Number(cost.off.toFixed(3)), 0.478);
});

test('results without rounds fall back to the two medians', () => {
  const cost = requestLogCost(results(false));
  assert.ok(cost);
  assert.deepEqual(cost.rounds, []);
  assert.equal(Number(cost.share.toFixed(1)), 29.3);
});
