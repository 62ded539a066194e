/** Keeps docs/errors.md in step with the ScimError constructors in src/scim/errors.ts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ScimError } from '../../src/scim/errors.ts';

const root = new URL('../..', import.meta.url).pathname;

test('every ScimError constructor is documented with its status and scimType', () => {
  const doc = readFileSync(`${root}docs/errors.md`, 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const ctor = /^`(\w+)`$/.exec(cells[3] ?? '')?.[1];
    if (ctor) rows.set(ctor, cells);
  }
  const ctors = Object.getOwnPropertyNames(ScimError).filter(
    (name) =>
      typeof (ScimError as unknown as Record<string, unknown>)[name] === 'function' && name !== 'prototype',
  );
  assert.ok(ctors.length >= 20, `expected the named constructors, found ${ctors.join(', ')}`);
  for (const name of ctors) {
    const row = rows.get(name);
    assert.ok(row, `docs/errors.md has no row for ScimError.${name}`);
    const make = (ScimError as unknown as Record<string, (...args: unknown[]) => ScimError>)[name]!;
    const error = make('detail', 1, 'GET');
    assert.equal(row[1], String(error.status), `status of ${name}`);
    assert.equal(row[2], error.scimType ?? '', `scimType of ${name}`);
  }
  for (const name of rows.keys())
    assert.ok(ctors.includes(name), `docs/errors.md documents unknown constructor ${name}`);
});
