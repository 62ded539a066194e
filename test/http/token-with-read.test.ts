/**
 * GET by id reads its token in the same statement as the resource (Directory.getAuthenticated):
 * nothing about a token is remembered between requests, so a revocation, an expiry or an org's
 * deletion made through one instance stops the token on another at once, with no wait. The
 * second instance is a second app with its own database connection(s) over the same database.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import { buildApp } from '../../src/http/app.ts';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`GET by id with its token in the same read (${dialect})`, () => {
    let t: TestApp;
    let other: Directory;
    let second: FastifyInstance;
    let clock = Date.now();
    before(async () => {
      t = await startTestApp(dialect);
      other = await Directory.open(t.env.DATABASE_URL as string, {
        now: () => new Date(clock),
        newId: () => randomUUID(),
      });
      second = await buildApp(loadConfig(t.env), { directory: other, logger: false });
    });
    after(async () => {
      await second.close();
      await other.database.close();
      await t.close();
    });

    const get = (org: string, token: string, id: string, app = second) =>
      app.inject({
        method: 'GET',
        url: `/scim/v2/${org}/Users/${id}`,
        headers: { authorization: `Bearer ${token}` },
      });

    async function newUser(request: TestApp['request'], name: string) {
      const res = await request('POST', 'Users', user(name));
      assert.equal(res.statusCode, 201, res.body);
      return JSON.parse(res.body).id as string;
    }

    test('a token revoked through one instance fails on the other at once', async () => {
      const token = await t.directory.orgs.createToken(t.orgId, 'to revoke');
      const id = await newUser(t.request, 'revoked-reader@example.com');
      const ok = await get(t.orgId, token.token, id);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(JSON.parse(ok.body).userName, 'revoked-reader@example.com');
      await t.directory.orgs.revokeToken(t.orgId, token.id);
      const res = await get(t.orgId, token.token, id);
      assert.equal(res.statusCode, 401, res.body);
      // The org's other token still reads it.
      assert.equal((await get(t.orgId, t.token, id)).statusCode, 200);
    });

    test('the userName eq lookup, read with its token, stops a revoked token at once', async () => {
      const token = await t.directory.orgs.createToken(t.orgId, 'lookup');
      await newUser(t.request, 'Looked-Up@example.com');
      const lookup = (org: string, bearer: string) =>
        second.inject({
          method: 'GET',
          url: `/scim/v2/${org}/Users?filter=${encodeURIComponent('userName eq "looked-up@EXAMPLE.com"')}`,
          headers: { authorization: `Bearer ${bearer}` },
        });
      const ok = await lookup(t.orgId, token.token);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(JSON.parse(ok.body).Resources[0].userName, 'Looked-Up@example.com');
      const { org, token: nosy } = await t.directory.orgs.create('Lookup Nosy Corp');
      const theirs = await lookup(t.orgId, nosy.token);
      assert.equal(theirs.statusCode, 401, theirs.body);
      assert.equal(JSON.parse((await lookup(org.id, nosy.token)).body).totalResults, 0);
      await t.directory.orgs.revokeToken(t.orgId, token.id);
      assert.equal((await lookup(t.orgId, token.token)).statusCode, 401);
      // A bad filter from a bad token: 401 first.
      const bad = await second.inject({
        method: 'GET',
        url: `/scim/v2/${t.orgId}/Users?filter=${encodeURIComponent('userName eq')}`,
        headers: { authorization: `Bearer ${token.token}` },
      });
      assert.equal(bad.statusCode, 401);
    });

    // An unfiltered listing reads the org's live count with its token (store/resources.ts
    // listWithToken): another org's token or a revoked one gets 401, never the count.
    test('an unfiltered listing, read with its token, stops a revoked or foreign token at once', async () => {
      const token = await t.directory.orgs.createToken(t.orgId, 'lister');
      await newUser(t.request, 'listed@example.com');
      const listing = (org: string, bearer: string) =>
        second.inject({
          method: 'GET',
          url: `/scim/v2/${org}/Users?startIndex=1&count=1`,
          headers: { authorization: `Bearer ${bearer}` },
        });
      const ok = await listing(t.orgId, token.token);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.ok(JSON.parse(ok.body).totalResults >= 1);
      const { org, token: nosy } = await t.directory.orgs.create('Listing Nosy Corp');
      const theirs = await listing(t.orgId, nosy.token);
      assert.equal(theirs.statusCode, 401, theirs.body);
      assert.doesNotMatch(theirs.body, /totalResults/);
      assert.equal(JSON.parse((await listing(org.id, nosy.token)).body).totalResults, 0);
      await t.directory.orgs.revokeToken(t.orgId, token.id);
      assert.equal((await listing(t.orgId, token.token)).statusCode, 401);
      assert.equal((await listing(t.orgId, `scim_${'A'.repeat(43)}`)).statusCode, 401);
    });

    // A PATCH or PUT of a user reads it in its token's statement too (Directory.readAuthenticated).
    test('a PATCH or PUT read with its token: revoked or foreign tokens get 401 and write nothing', async () => {
      const token = await t.directory.orgs.createToken(t.orgId, 'writer');
      const id = await newUser(t.request, 'written@example.com');
      const write = (method: 'PATCH' | 'PUT', org: string, bearer: string, target: string, title: string) =>
        second.inject({
          method,
          url: `/scim/v2/${org}/Users/${target}`,
          headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/scim+json' },
          payload: JSON.stringify(
            method === 'PATCH'
              ? { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: title }] }
              : { ...user('written@example.com'), title },
          ),
        });
      const title = async () => JSON.parse((await get(t.orgId, t.token, id)).body).title;
      assert.equal((await write('PATCH', t.orgId, token.token, id, 'patched')).statusCode, 200);
      assert.equal(await title(), 'patched');
      assert.equal((await write('PUT', t.orgId, token.token, id, 'put')).statusCode, 200);
      assert.equal(await title(), 'put');
      const { org, token: nosy } = await t.directory.orgs.create('Writer Nosy Corp');
      for (const method of ['PATCH', 'PUT'] as const) {
        const theirs = await write(method, t.orgId, nosy.token, id, 'nosy');
        assert.equal(theirs.statusCode, 401, theirs.body);
        assert.doesNotMatch(theirs.body, /written@example\.com/);
        // Its own URL with this org's id: 404, the row is not found within its org.
        assert.equal((await write(method, org.id, nosy.token, id, 'nosy')).statusCode, 404);
      }
      await t.directory.orgs.revokeToken(t.orgId, token.id);
      assert.equal((await write('PATCH', t.orgId, token.token, id, 'revoked')).statusCode, 401);
      assert.equal((await write('PUT', t.orgId, token.token, id, 'revoked')).statusCode, 401);
      assert.equal(await title(), 'put');
      // An unknown id: 404 with a good token, 401 with a bad one; a PATCH's bad body first.
      const missing = randomUUID();
      const wrong = `scim_${'A'.repeat(43)}`;
      for (const method of ['PATCH', 'PUT'] as const) {
        assert.equal((await write(method, t.orgId, t.token, missing, 'x')).statusCode, 404);
        assert.equal((await write(method, t.orgId, wrong, missing, 'x')).statusCode, 401);
        assert.equal((await write(method, t.orgId, t.token, '%00', 'x')).statusCode, 404);
      }
      const badBody = await second.inject({
        method: 'PATCH',
        url: `/scim/v2/${t.orgId}/Users/${missing}`,
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'frobnicate' }] }),
      });
      assert.equal(badBody.statusCode, 400, badBody.body);
    });

    test('an expired token fails as soon as the clock passes its expiry', async () => {
      const token = await t.directory.orgs.createToken(t.orgId, 'short', { expiresInSeconds: 60 });
      const id = await newUser(t.request, 'expiring-reader@example.com');
      clock = Date.now();
      assert.equal((await get(t.orgId, token.token, id)).statusCode, 200);
      clock = Date.now() + 61_000;
      try {
        assert.equal((await get(t.orgId, token.token, id)).statusCode, 401);
      } finally {
        clock = Date.now();
      }
    });

    test("a deleted org's token fails on the other instance at once", async () => {
      const { org, token } = await t.directory.orgs.create('Doomed Corp');
      const id = await newUser(t.as({ orgId: org.id, token: token.token }), 'doomed@example.com');
      assert.equal((await get(org.id, token.token, id)).statusCode, 200);
      await t.directory.orgs.delete(org.id, org.id);
      assert.equal((await get(org.id, token.token, id)).statusCode, 401);
    });

    test("another org's token gets 401 for this org's resource, not the resource or a 404", async () => {
      const { org, token } = await t.directory.orgs.create('Nosy Corp');
      const id = await newUser(t.request, 'private@example.com');
      const res = await get(t.orgId, token.token, id);
      assert.equal(res.statusCode, 401, res.body);
      assert.doesNotMatch(res.body, /private@example\.com/);
      // Its own URL with this org's id: 404, the row is not found within its org.
      assert.equal((await get(org.id, token.token, id)).statusCode, 404);
    });

    test('an unknown id: 404 with a good token, 401 with a bad one, 404 for an id with U+0000', async () => {
      const missing = randomUUID();
      const found = await get(t.orgId, t.token, missing);
      assert.equal(found.statusCode, 404, found.body);
      assert.match(JSON.parse(found.body).detail, new RegExp(missing));
      const wrong = `scim_${'A'.repeat(43)}`;
      assert.equal((await get(t.orgId, wrong, missing)).statusCode, 401);
      assert.equal((await get(t.orgId, 'not-a-token', missing)).statusCode, 401);
      assert.equal((await get(t.orgId, t.token, '%00')).statusCode, 404);
      assert.equal((await get(t.orgId, wrong, '%00')).statusCode, 401);
    });
  });
}
