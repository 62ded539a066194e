/** src/scim/json.ts: the deep copy a PATCH works on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloneJson } from '../../src/scim/json.ts';

test('cloneJson copies every level: changing the copy leaves the original as it was', () => {
  const original = {
    userName: 'a',
    active: true,
    n: 1.5,
    none: null,
    emails: [{ value: 'a@x.com', type: 'work' }, 'plain'],
    name: { givenName: 'A', nested: { deep: [1, [2, 3]] } },
  };
  const before = JSON.stringify(original);
  const copy = cloneJson(original);
  assert.deepEqual(copy, original);
  copy.emails[0] = { value: 'changed', type: 'home' };
  (copy.name.nested.deep[1] as number[]).push(4);
  copy.name.givenName = 'B';
  assert.equal(JSON.stringify(original), before);
  assert.notEqual(copy.name, original.name);
  assert.notEqual(copy.emails, original.emails);
});

test('cloneJson keeps an own __proto__ member as a member, never as the prototype', () => {
  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
  const copy = cloneJson(parsed);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.equal((copy as { polluted?: unknown }).polluted, undefined);
  assert.deepEqual(Object.keys(copy), ['__proto__', 'a']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, { polluted: true });
});

test('cloneJson returns primitives as they are', () => {
  for (const v of ['s', 0, -1.25, true, false, null]) assert.equal(cloneJson(v), v);
});
