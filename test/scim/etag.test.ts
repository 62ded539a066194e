/**
 * scim/etag.ts: weak comparison of If-Match / If-None-Match values (RFC 9110 §8.8.3.2,
 * §13.1) and the order in which a request's preconditions are evaluated (RFC 9110 §13.2.2).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScimError } from '../../src/scim/errors.ts';
import { etagMatches, evaluatePreconditions, type Preconditions } from '../../src/scim/etag.ts';

describe('etagMatches: weak comparison', () => {
  const cases: [header: string, etag: string, matches: boolean][] = [
    ['W/"3"', 'W/"3"', true],
    ['"3"', 'W/"3"', true],
    ['W/"3"', '"3"', true],
    ['*', 'W/"3"', true],
    [' * ', 'W/"3"', true],
    ['W/"2", W/"3"', 'W/"3"', true],
    ['W/"2"', 'W/"3"', false],
    ['"3-abc"', 'W/"3"', false],
    ['3', 'W/"3"', false],
    ['', 'W/"3"', false],
  ];
  for (const [header, etag, matches] of cases) {
    it(`${JSON.stringify(header)} ${matches ? 'matches' : 'does not match'} ${etag}`, () => {
      assert.equal(etagMatches(header, etag), matches);
    });
  }
});

describe('evaluatePreconditions: RFC 9110 §13.2.2 order', () => {
  const etag = 'W/"3"';
  type Outcome = 'proceed' | 'notModified' | 412;
  const cases: [name: string, pre: Preconditions, read: Outcome, write: Outcome][] = [
    ['no precondition', {}, 'proceed', 'proceed'],
    ['If-Match matches', { ifMatch: 'W/"3"' }, 'proceed', 'proceed'],
    ['If-Match does not match', { ifMatch: 'W/"2"' }, 412, 412],
    ['If-None-Match does not match', { ifNoneMatch: 'W/"2"' }, 'proceed', 'proceed'],
    ['If-None-Match matches', { ifNoneMatch: '"3"' }, 'notModified', 412],
    ['If-None-Match: *', { ifNoneMatch: '*' }, 'notModified', 412],
    // If-Match is evaluated first: its failure is a 412 even where If-None-Match would be a 304.
    ['If-Match fails before If-None-Match', { ifMatch: 'W/"2"', ifNoneMatch: 'W/"3"' }, 412, 412],
    ['both match', { ifMatch: 'W/"3"', ifNoneMatch: 'W/"3"' }, 'notModified', 412],
  ];
  const outcome = (pre: Preconditions, method: 'read' | 'write'): Outcome => {
    try {
      return evaluatePreconditions(etag, pre, 'User 1', method);
    } catch (error) {
      assert.ok(error instanceof ScimError);
      assert.equal(error.status, 412);
      assert.match(error.detail, /If-(None-)?Match .* W\/"3" of User 1$/);
      return 412;
    }
  };
  for (const [name, pre, read, write] of cases) {
    it(`${name}: read ${read}, write ${write}`, () => {
      assert.equal(outcome(pre, 'read'), read);
      assert.equal(outcome(pre, 'write'), write);
    });
  }

  it('names which header failed', () => {
    assert.throws(
      () => evaluatePreconditions(etag, { ifMatch: 'W/"2"', ifNoneMatch: '*' }, 'User 1', 'write'),
      (e: ScimError) => e.detail.startsWith('If-Match does not match'),
    );
  });
});
