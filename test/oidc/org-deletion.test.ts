/**
 * Deleting an org deletes the OIDC provider's rows of its users in the deletion's transaction
 * (the `org.deleted` trigger of migration 0171), on both dialects; another org's rows stay.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`OIDC rows and org deletion (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t?.close());

    test("an org's deletion deletes its users' sessions and tokens, not another org's", async () => {
      const other = await t.directory.orgs.create('Other Corp');
      const make = async (who: { orgId: string; token: string }, name: string) => {
        const res = await t.as(who)('POST', 'Users', user(name));
        assert.equal(res.statusCode, 201, res.body);
        const id = res.json().id as string;
        const accountId = `${who.orgId}:${id}`;
        for (const kind of ['Session', 'Grant', 'RefreshToken']) {
          assert.ok(
            await t.directory.oidc.upsert(kind, `${kind}-${id}`, { accountId, clientId: 'app_x' }, 600),
          );
        }
        return id;
      };
      const gone = await make({ orgId: t.orgId, token: t.token }, 'gone@example.com');
      const stays = await make({ orgId: other.org.id, token: other.token.token }, 'stays@example.com');
      await t.directory.orgs.delete(t.orgId, t.orgId);
      assert.equal(await t.directory.oidc.rowsOf(t.orgId, gone), 0);
      assert.equal(await t.directory.oidc.rowsOf(other.org.id, stays), 3);
    });
  });
}
