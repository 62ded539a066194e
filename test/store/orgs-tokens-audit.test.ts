import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertAudit, listAudit } from '../../src/store/audit.ts';
import { StoreConflict } from '../../src/store/errors.ts';
import { countOrgs, getOrg, insertOrg, listOrgs, renameOrg } from '../../src/store/orgs.ts';
import { findTokenByHash, insertToken, listTokens, revokeToken, touchToken } from '../../src/store/tokens.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { T0 } from './store-fixtures.ts';

const T1 = '2024-01-02T00:00:00.000Z';
const T2 = '2024-01-03T00:00:00.000Z';

for (const dialect of dialects) {
  describe(`orgs, tokens, audit (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(t.database.db, { id: 'acme', name: 'Acme', createdAt: T0 });
      await insertOrg(t.database.db, { id: 'beta', name: 'Beta', createdAt: T1 });
    });
    after(async () => {
      await t?.cleanup();
    });

    test('orgs: get, list in id order, count, rename', async () => {
      const db = t.database.db;
      assert.deepEqual(await getOrg(db, 'acme'), {
        id: 'acme',
        name: 'Acme',
        createdAt: T0,
        idpProfile: 'generic',
      });
      assert.equal(await getOrg(db, 'nope'), undefined);
      assert.deepEqual(
        (await listOrgs(db)).map((o) => o.id),
        ['acme', 'beta'],
      );
      assert.equal(await countOrgs(db), 2);
      assert.equal(await renameOrg(db, 'beta', 'Beta Inc'), true);
      assert.equal((await getOrg(db, 'beta'))?.name, 'Beta Inc');
      assert.equal(await renameOrg(db, 'nope', 'x'), false);
    });

    test('orgs: a taken id is a StoreConflict on id', async () => {
      await assert.rejects(
        insertOrg(t.database.db, { id: 'acme', name: 'Again', createdAt: T0 }),
        (e: unknown) => e instanceof StoreConflict && e.field === 'id' && e.table === 'orgs',
      );
    });

    test('tokens: insert, find by hash, list per org, touch', async () => {
      const db = t.database.db;
      const created = await insertToken(db, {
        id: 'tok-1',
        orgId: 'acme',
        name: 'okta',
        prefix: 'scim_aaaa',
        hash: 'a'.repeat(64),
        createdAt: T0,
      });
      assert.deepEqual(created, {
        id: 'tok-1',
        orgId: 'acme',
        name: 'okta',
        prefix: 'scim_aaaa',
        hash: 'a'.repeat(64),
        createdAt: T0,
        lastUsedAt: null,
        revokedAt: null,
        expiresAt: null,
      });
      await insertToken(db, {
        id: 'tok-2',
        orgId: 'acme',
        name: 'entra',
        prefix: 'scim_bbbb',
        hash: 'b'.repeat(64),
        createdAt: T1,
      });
      await insertToken(db, {
        id: 'tok-3',
        orgId: 'beta',
        name: 'okta',
        prefix: 'scim_cccc',
        hash: 'c'.repeat(64),
        createdAt: T0,
      });

      assert.equal((await findTokenByHash(db, 'b'.repeat(64)))?.orgId, 'acme');
      assert.equal(await findTokenByHash(db, 'd'.repeat(64)), undefined);
      assert.deepEqual(
        (await listTokens(db, 'acme')).map((x) => x.id),
        ['tok-1', 'tok-2'],
      );
      await touchToken(db, 'tok-1', T2);
      assert.equal((await findTokenByHash(db, 'a'.repeat(64)))?.lastUsedAt, T2);
    });

    test('tokens: a duplicate hash is a StoreConflict on hash', async () => {
      await assert.rejects(
        insertToken(t.database.db, {
          id: 'tok-9',
          orgId: 'acme',
          name: 'x',
          prefix: 'p',
          hash: 'a'.repeat(64),
          createdAt: T0,
        }),
        (e: unknown) => e instanceof StoreConflict && e.field === 'hash' && e.table === 'tokens',
      );
    });

    test('tokens: revoke by prefix or id, only within the org, only once', async () => {
      const db = t.database.db;
      assert.equal(await revokeToken(db, 'beta', 'scim_aaaa', T2), false, "another org's token");
      assert.equal(await revokeToken(db, 'acme', 'scim_aaaa', T2), true);
      assert.equal((await findTokenByHash(db, 'a'.repeat(64)))?.revokedAt, T2);
      assert.equal(await revokeToken(db, 'acme', 'tok-1', T2), false, 'already revoked');
      assert.equal(await revokeToken(db, 'acme', 'tok-2', T2), true);
      assert.equal(await revokeToken(db, 'acme', 'nope', T2), false);
      assert.equal((await findTokenByHash(db, 'c'.repeat(64)))?.revokedAt, null);
    });

    test('audit: insert, list newest first with limit, per org', async () => {
      const db = t.database.db;
      const base = {
        requestId: 'req',
        actorKind: 'scim_token' as const,
        tokenId: 'tok-1',
        resourceType: 'User',
        resourceId: 'u1',
      };
      const id1 = await insertAudit(db, {
        ...base,
        orgId: 'acme',
        at: T0,
        action: 'create',
        attributes: ['userName'],
      });
      const id2 = await insertAudit(db, {
        ...base,
        orgId: 'acme',
        at: T1,
        action: 'patch',
        attributes: ['active', 'emails'],
      });
      await insertAudit(db, { ...base, orgId: 'acme', at: T2, action: 'delete', attributes: [] });
      await insertAudit(db, { ...base, orgId: 'beta', at: T2, action: 'create', attributes: [] });
      assert.equal(typeof id1, 'number');
      assert.ok(id2 > id1);
      const list = await listAudit(db, 'acme', { limit: 2 });
      assert.deepEqual(
        list.map((e) => [e.action, e.at]),
        [
          ['delete', T2],
          ['patch', T1],
        ],
      );
      assert.deepEqual(list[1], {
        ...base,
        id: id2,
        orgId: 'acme',
        at: T1,
        action: 'patch',
        attributes: ['active', 'emails'],
      });
      assert.equal((await listAudit(db, 'beta', { limit: 10 })).length, 1);
    });
  });
}
