/**
 * packages/sdk/src/openapi.ts is generated from the API's OpenAPI document; CI fails when a
 * route or schema changed without regenerating it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { GENERATED_TYPES, generateTypes } from '../../scripts/sdk-generate.ts';

test('the SDK types are generated from the current OpenAPI document', async () => {
  const fresh = await generateTypes();
  const committed = readFileSync(GENERATED_TYPES, 'utf8');
  assert.ok(
    committed === fresh,
    'packages/sdk/src/openapi.ts is stale: run `npm run sdk:generate` and commit the result',
  );
  assert.match(fresh, /listEvents: \{ method: "GET", path: "\/api\/v1\/events" \}/);
});
