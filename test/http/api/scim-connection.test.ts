/** An org's SCIM connection through the management API, on both dialects. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ApiTestApp, startApiTestApp } from '../../helpers/api.ts';
import { dialects } from '../../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`API SCIM connection (${dialect})`, () => {
    let t: ApiTestApp;
    before(async () => {
      t = await startApiTestApp(dialect);
    });
    after(async () => t?.close());

    test('the base URL and IdP profile, and setting the profile', async () => {
      const got = (await t.api('GET', `/orgs/${t.orgId}/scim`)).json();
      assert.deepEqual(got, { scimBaseUrl: `https://scim.test/scim/v2/${t.orgId}`, idpProfile: 'generic' });
      const set = await t.api('PATCH', `/orgs/${t.orgId}/scim`, { idpProfile: 'entra' });
      assert.equal(set.json().idpProfile, 'entra');
      assert.equal((await t.directory.orgs.get(t.orgId))?.idpProfile, 'entra');
      assert.equal((await t.api('PATCH', `/orgs/${t.orgId}/scim`, { idpProfile: 'x' })).statusCode, 400);
    });

    test('a token is shown once, works at once, is listed without its secret, and is revoked at once', async () => {
      const created = await t.api('POST', `/orgs/${t.orgId}/scim/tokens`, {
        name: 'okta',
        expiresInSeconds: 3600,
      });
      assert.equal(created.statusCode, 201, created.body);
      const token = created.json();
      assert.match(token.token, /^scim_/);
      assert.equal(Date.parse(token.expiresAt) - Date.parse(token.createdAt), 3600_000);
      const scim = () => t.request('GET', 'Users', undefined, { authorization: `Bearer ${token.token}` });
      assert.equal((await scim()).statusCode, 200);

      const list = await t.api('GET', `/orgs/${t.orgId}/scim/tokens`);
      assert.ok(!list.body.includes(token.token));
      assert.ok(list.json().data.some((x: { id: string }) => x.id === token.id));

      const revoked = await t.api('DELETE', `/orgs/${t.orgId}/scim/tokens/${token.id}`);
      assert.equal(revoked.statusCode, 204);
      assert.equal((await scim()).statusCode, 401);
      assert.equal(
        (await t.api('DELETE', `/orgs/${t.orgId}/scim/tokens/${token.id}`)).json().code,
        'not_found',
      );
      assert.equal(
        (await t.api('POST', `/orgs/${t.orgId}/scim/tokens`, { expiresInSeconds: 0 })).statusCode,
        400,
      );
      assert.equal((await t.api('POST', '/orgs/no-such-org/scim/tokens', {})).statusCode, 404);
    });
  });
}
