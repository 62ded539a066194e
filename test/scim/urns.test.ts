/**
 * The schema and message URNs, as the HTTP tests use them (test/helpers/live-client.ts takes them
 * from the source), are the RFC's: the tests' expected values come from src/, so this is where a
 * wrong constant there fails.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as urn from '../helpers/live-client.ts';

test('the URNs the HTTP tests send and expect are those of RFC 7643 §4 and RFC 7644 §3', () => {
  assert.deepEqual(
    {
      USER: urn.USER,
      GROUP: urn.GROUP,
      ENTERPRISE: urn.ENTERPRISE,
      PATCH_OP: urn.PATCH_OP,
      SEARCH: urn.SEARCH,
      BULK_REQUEST: urn.BULK_REQUEST,
      BULK_RESPONSE: urn.BULK_RESPONSE,
      LIST_RESPONSE: urn.LIST_RESPONSE,
      ERROR: urn.ERROR,
    },
    {
      USER: 'urn:ietf:params:scim:schemas:core:2.0:User',
      GROUP: 'urn:ietf:params:scim:schemas:core:2.0:Group',
      ENTERPRISE: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
      PATCH_OP: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
      SEARCH: 'urn:ietf:params:scim:api:messages:2.0:SearchRequest',
      BULK_REQUEST: 'urn:ietf:params:scim:api:messages:2.0:BulkRequest',
      BULK_RESPONSE: 'urn:ietf:params:scim:api:messages:2.0:BulkResponse',
      LIST_RESPONSE: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
      ERROR: 'urn:ietf:params:scim:api:messages:2.0:Error',
    },
  );
});
