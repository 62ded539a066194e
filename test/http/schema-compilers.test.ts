/**
 * src/http/schema-compilers.ts: every app a process builds shares the compiled request
 * validators and response serializers of the same schema objects, and two apps answer alike.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilersFactory } from '../../src/http/schema-compilers.ts';
import { startApiTestApp } from '../helpers/api.ts';
import { dialects } from '../helpers/dialects.ts';

const schema = {
  type: 'object',
  properties: { name: { type: 'string', maxLength: 3 } },
  required: ['name'],
  additionalProperties: false,
};

test('the same schema object is compiled once, whichever app asks', () => {
  const options = { customOptions: { removeAdditional: false } };
  const validate1 = compilersFactory.buildValidator(
    {},
    options,
  )({ schema, method: 'POST', url: '/a', httpPart: 'body' });
  const validate2 = compilersFactory.buildValidator(
    {},
    options,
  )({ schema, method: 'POST', url: '/b', httpPart: 'body' });
  assert.equal(validate1, validate2);
  assert.equal(validate1({ name: 'abc' }), true);
  assert.equal(validate1({ name: 'abcd' }), false);
  assert.equal(validate1({ name: 'abc', more: 1 }), false);

  const route = { schema, method: 'GET', url: '/a', httpStatus: '200' };
  const serialize1 = compilersFactory.buildSerializer({}, {})(route);
  const serialize2 = compilersFactory.buildSerializer({}, {})({ ...route, url: '/b' });
  assert.equal(serialize1, serialize2);
  assert.equal(serialize1({ name: 'abc', secret: 'x' }), '{"name":"abc"}');
  // Other options: compiled apart.
  assert.notEqual(compilersFactory.buildSerializer({}, { rounding: 'floor' })(route), serialize1);
});

test('two apps in one process validate and serialize the management API alike', async () => {
  const dialect = dialects[0] ?? 'sqlite';
  const first = await startApiTestApp(dialect);
  const second = await startApiTestApp(dialect);
  try {
    for (const t of [first, second]) {
      const bad = await t.api('POST', '/orgs', { title: 'no name' });
      assert.equal(bad.statusCode, 400, bad.body);
      // A JSON body's types are not coerced: 42 is no name (querystrings still are).
      const number = await t.api('POST', '/orgs', { name: 42 });
      assert.equal(number.statusCode, 400, number.body);
      const page = await t.api('GET', '/orgs?limit=1');
      assert.equal(page.statusCode, 200, page.body);
      const made = await t.api('POST', '/orgs', { name: 'Twice Corp' });
      assert.equal(made.statusCode, 201, made.body);
      assert.equal(made.json().name, 'Twice Corp');
    }
  } finally {
    await first.close();
    await second.close();
  }
});
