/** store/turns.ts: at most `limit` at once per key, in arrival order, nothing left behind. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Turns } from '../../src/store/turns.ts';

/** A piece of work that ends when told to, recording when it started. */
function pending(log: string[], name: string) {
  let finish: (fail?: Error) => void = () => {};
  const done = new Promise<string>((resolve, reject) => {
    finish = (fail) => (fail ? reject(fail) : resolve(name));
  });
  return {
    work: () => {
      log.push(name);
      return done;
    },
    finish: (fail?: Error) => finish(fail),
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('turns', () => {
  test('runs at most `limit` under one key, the rest in arrival order', async () => {
    const turns = new Turns(2);
    const log: string[] = [];
    const jobs = ['a', 'b', 'c', 'd', 'e'].map((n) => pending(log, n));
    const results = jobs.map((j) => turns.run('k', j.work));
    await tick();
    assert.deepEqual(log, ['a', 'b']);
    assert.deepEqual(turns.size('k'), { running: 2, waiting: 3 });
    jobs[1]?.finish();
    await tick();
    assert.deepEqual(log, ['a', 'b', 'c']);
    jobs[0]?.finish();
    await tick();
    assert.deepEqual(log, ['a', 'b', 'c', 'd']);
    assert.deepEqual(turns.size('k'), { running: 2, waiting: 1 });
    for (const j of jobs) j.finish();
    assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(turns.size('k'), { running: 0, waiting: 0 });
    assert.equal(turns.keys(), 0);
  });

  test('keys do not wait for each other', async () => {
    const turns = new Turns(1);
    const log: string[] = [];
    const a = pending(log, 'a');
    const b = pending(log, 'b');
    const ra = turns.run('x', a.work);
    const rb = turns.run('y', b.work);
    await tick();
    assert.deepEqual(log, ['a', 'b']);
    a.finish();
    b.finish();
    await Promise.all([ra, rb]);
    assert.equal(turns.keys(), 0);
  });

  test('a failure is the caller’s and hands the turn on', async () => {
    const turns = new Turns(1);
    const log: string[] = [];
    const a = pending(log, 'a');
    const b = pending(log, 'b');
    const ra = turns.run('k', a.work);
    const rb = turns.run('k', b.work);
    await tick();
    assert.deepEqual(log, ['a']);
    a.finish(new Error('boom'));
    await assert.rejects(ra, /boom/);
    await tick();
    assert.deepEqual(log, ['a', 'b']);
    b.finish();
    assert.equal(await rb, 'b');
    assert.equal(turns.keys(), 0);
  });

  test('a limit below one is refused', () => {
    assert.throws(() => new Turns(0), /limit/);
    assert.throws(() => new Turns(1.5), /limit/);
  });
});
