/**
 * An org's request log and audit trail through the management API, on both dialects: filters,
 * cursor paging that neither repeats nor skips, one request with its redacted bodies and hint,
 * and that one org never sees another's rows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ApiTestApp, problemOf, startApiTestApp } from '../../helpers/api.ts';
import { PATCH_OP, user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';

// biome-ignore lint/suspicious/noExplicitAny: API JSON bodies are read as loose JSON
type Json = any;

const PASSWORD = 'Sw0rdfish-and-chips-42';

for (const dialect of dialects) {
  describe(`API request log and audit trail (${dialect})`, () => {
    let t: ApiTestApp;
    let otherOrg = '';
    let adaId = '';
    let otherUserId = '';

    /** Every page of a list, following nextCursor with `limit`. */
    async function allPages(path: string, limit: number): Promise<Json[]> {
      const items: Json[] = [];
      let cursor: string | null = null;
      const join = path.includes('?') ? '&' : '?';
      do {
        const response = await t.api(
          'GET',
          `${path}${join}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        );
        assert.equal(response.statusCode, 200, response.body);
        const body = response.json();
        assert.ok(body.data.length <= limit);
        items.push(...body.data);
        cursor = body.nextCursor;
      } while (cursor);
      return items;
    }

    before(async () => {
      t = await startApiTestApp(dialect);
      const created = await t.request('POST', 'Users', user('ada@example.com', { password: PASSWORD }));
      assert.equal(created.statusCode, 201);
      adaId = created.json().id;
      assert.equal((await t.request('POST', 'Users', user('ADA@example.com'))).statusCode, 409);
      assert.equal((await t.request('GET', 'Users?filter=userName%20zz%20%22x%22')).statusCode, 400);
      assert.equal((await t.request('GET', 'Users/no-such-user')).statusCode, 404);
      const patch = {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: 'Countess' }],
      };
      assert.equal((await t.request('PATCH', `Users/${adaId}`, patch)).statusCode, 200);
      assert.equal(
        (
          await t.request('POST', 'Groups', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
            displayName: 'Analysts',
          })
        ).statusCode,
        201,
      );

      // Another org with its own traffic and changes.
      const other = await t.directory.orgs.create('Other Corp');
      otherOrg = other.org.id;
      const response = await t.request('POST', `/scim/v2/${otherOrg}/Users`, user('other@example.com'), {
        authorization: `Bearer ${other.token.token}`,
      });
      assert.equal(response.statusCode, 201);
      otherUserId = response.json().id;
      await t.app.requestLog.flush();
    });
    after(async () => t?.close());

    test('the request log: newest first, filters, paging, never another org', async () => {
      const all = await allPages(`/orgs/${t.orgId}/requests`, 2);
      assert.equal(all.length, 6);
      assert.equal(new Set(all.map((r) => r.id)).size, 6, 'no row twice');
      assert.deepEqual(
        all.map((r) => r.status),
        [201, 200, 404, 400, 409, 201],
        'newest first',
      );
      for (const row of all) {
        assert.ok(row.path.startsWith(`/scim/v2/${t.orgId}/`), row.path);
        assert.equal('requestBody' in row, false, 'the list has no bodies');
      }

      const fours = (await t.api('GET', `/orgs/${t.orgId}/requests?status=4xx`)).json().data;
      assert.deepEqual(
        fours.map((r: Json) => r.status),
        [404, 400, 409],
      );
      const conflicts = (await t.api('GET', `/orgs/${t.orgId}/requests?status=409`)).json().data;
      assert.equal(conflicts.length, 1);
      assert.equal(conflicts[0].method, 'POST');
      const groups = (await t.api('GET', `/orgs/${t.orgId}/requests?path=/Groups`)).json().data;
      assert.deepEqual(
        groups.map((r: Json) => r.status),
        [201],
      );
      const future = new Date(Date.now() + 3600_000).toISOString();
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/requests?since=${future}`)).json().data.length, 0);
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/requests?until=${future}`)).json().data.length, 6);

      const others = (await t.api('GET', `/orgs/${otherOrg}/requests`)).json().data;
      assert.equal(others.length, 1);
      assert.ok(others[0].path.startsWith(`/scim/v2/${otherOrg}/`));
      assert.equal(
        (await t.api('GET', `/orgs/${t.orgId}/requests/${others[0].id}`)).statusCode,
        404,
        "another org's row is not found under this one",
      );
    });

    test('one request: redacted bodies and its failure hint', async () => {
      const [conflict] = (await t.api('GET', `/orgs/${t.orgId}/requests?status=409`)).json().data;
      const one = await t.api('GET', `/orgs/${t.orgId}/requests/${conflict.id}`);
      assert.equal(one.statusCode, 200, one.body);
      const row = one.json();
      assert.equal(row.id, conflict.id);
      assert.match(row.requestBody, /ADA@example\.com/);
      assert.match(row.responseBody, /uniqueness/);
      assert.equal(typeof row.hint, 'string');
      assert.ok(row.hint.includes(adaId), row.hint);

      const [created] = (await t.api('GET', `/orgs/${t.orgId}/requests?status=201&path=/Users`)).json().data;
      const withPassword = (await t.api('GET', `/orgs/${t.orgId}/requests/${created.id}`)).body;
      assert.equal(withPassword.includes(PASSWORD), false, 'the password is redacted');
      assert.equal(withPassword.includes(t.token), false);
    });

    test('the audit trail: filters, paging, never another org', async () => {
      const all = await allPages(`/orgs/${t.orgId}/audit`, 1);
      assert.deepEqual(
        all.map((e) => [e.action, e.resourceType]),
        [
          ['create', 'Group'],
          ['patch', 'User'],
          ['create', 'User'],
          // The org's creation and its first token, before any SCIM request.
          ['scim_token.create', 'ScimToken'],
          ['org.create', 'Org'],
        ],
      );
      const patched = all[1];
      assert.equal(patched.resourceId, adaId);
      assert.deepEqual(patched.attributes, ['title']);
      assert.ok(patched.tokenId, 'the SCIM token that made it');
      assert.equal(JSON.stringify(all).includes(PASSWORD), false);

      const q = (query: string) => t.api('GET', `/orgs/${t.orgId}/audit?${query}`);
      assert.deepEqual(
        (await q('action=patch')).json().data.map((e: Json) => e.id),
        [patched.id],
      );
      assert.equal((await q('resourceType=Group')).json().data.length, 1);
      assert.equal((await q(`resourceId=${adaId}`)).json().data.length, 2);
      assert.equal((await q(`resourceId=${otherUserId}`)).json().data.length, 0, "another org's change");
      assert.equal((await q(`since=${new Date(Date.now() + 60_000).toISOString()}`)).json().data.length, 0);

      const others = (await t.api('GET', `/orgs/${otherOrg}/audit?resourceType=User`)).json().data;
      assert.deepEqual(
        others.map((e: Json) => e.resourceId),
        [otherUserId],
      );
    });

    test('bad input is a 4xx problem document', async () => {
      const cases: [string, number, string][] = [
        [`/orgs/${t.orgId}/requests?status=6xx`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/requests?status=abc`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/requests?since=yesterday`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/requests?cursor=bogus`, 400, 'invalid_request'],
        [`/orgs/${t.orgId}/requests?limit=0`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/requests/abc`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/requests/99999999`, 404, 'not_found'],
        ['/orgs/no-such-org/requests', 404, 'not_found'],
        ['/orgs/no-such-org/requests/1', 404, 'not_found'],
        [`/orgs/${t.orgId}/audit?action=explode`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/audit?resourceType=Robot`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/audit?until=soon`, 400, 'validation_failed'],
        [`/orgs/${t.orgId}/audit?cursor=WyJ4Il0`, 400, 'invalid_request'],
        ['/orgs/no-such-org/audit', 404, 'not_found'],
      ];
      for (const [path, status, code] of cases) {
        const response = await t.api('GET', path);
        assert.equal(response.statusCode, status, `${path}: ${response.body}`);
        assert.equal(problemOf(response).code, code, path);
      }
    });
  });
}
