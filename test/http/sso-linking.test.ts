/**
 * Users a JIT sign-in created, and the IdP's SCIM after it (docs/sso.md "Users", docs/api.md
 * "Members"), on each database, through a real upstream OIDC IdP (oidc-provider in its own
 * process): a JIT user has source `sso`; the IdP's later SCIM create of the same person, matched
 * by the connection's `matchBy` key (email, userName, or NameID/`sub` against externalId), links
 * it (same id, source `scim`, `linkedFrom: sso`, `user.linked`, a `link` audit row) instead of
 * duplicating it, and another key does not; a sign-in never writes a SCIM user; a user SCIM
 * deactivated gets the "deactivated" page.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { cliActor } from '../../src/directory/deps.ts';
import type { SsoMatchKey } from '../../src/directory/sso-connections.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { PATCH_OP, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { outboxReader } from '../helpers/outbox.ts';
import { beginSso } from '../helpers/sso-begin.ts';
import { startUpstreamIdp, throughIdp, type UpstreamIdp } from '../helpers/upstream-oidc-idp.ts';

const PUBLIC_URL = 'https://scim.test';

for (const dialect of dialects) {
  describe(`SSO members and SCIM linking (${dialect})`, () => {
    let t: ApiTestApp;
    let idp: UpstreamIdp;
    let connectionId: string;
    let events: ReturnType<typeof outboxReader>;

    before(async () => {
      idp = await startUpstreamIdp(`${PUBLIC_URL}/sso/oidc/callback`);
      t = await startApiTestApp(dialect, { PUBLIC_URL, SSO_ALLOW_PRIVATE: 'true' });
      events = outboxReader(() => t.directory.database.db);
      const c = await t.directory.sso.create(cliActor(t.orgId), {
        protocol: 'oidc',
        preset: 'okta',
        oidc: { issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret },
        jit: true,
      });
      connectionId = c.id;
      await t.directory.sso.addDomain(cliActor(t.orgId), { domain: 'acme.example' });
    });
    after(async () => {
      await t?.close();
      await idp?.stop();
    });
    beforeEach(async () => {
      await events();
    });

    const matchBy = (key: SsoMatchKey) =>
      t.directory.sso.update(cliActor(t.orgId), connectionId, { matchBy: key });

    /** A whole sign-in of `claims` through the IdP: the callback's response and the attempt's user. */
    async function signIn(claims: Record<string, unknown> & { sub: string; email: string }) {
      await idp.setUser({ email_verified: true, ...claims });
      const { attemptId, location, cookie } = await beginSso(t, claims.email);
      const back = await throughIdp(location, PUBLIC_URL);
      const done = await t.app.inject({
        method: 'GET',
        url: `${back.pathname}${back.search}`,
        headers: { cookie },
      });
      const taken = done.statusCode === 303 ? await t.directory.signIns.take(attemptId) : null;
      return { done, userId: taken?.userId };
    }

    const apiUser = async (id: string) => (await t.api('GET', `/orgs/${t.orgId}/users/${id}`)).json();
    const userCount = async () => (await t.request('GET', 'Users?count=0')).json().totalResults as number;

    test('JIT: the user has source sso; the IdP creating the same email links it', async () => {
      await matchBy('email');
      const first = await signIn({ sub: 'okta-ada', email: 'ada@acme.example', given_name: 'Ada' });
      assert.equal(first.done.statusCode, 303, first.done.body);
      const id = first.userId as string;
      const jit = await apiUser(id);
      assert.deepEqual([jit.source, jit.linkedFrom, jit.userName], ['sso', null, 'ada@acme.example']);
      const created = await events();
      assert.deepEqual(
        created.map((e) => [e.type, e.resourceId, (e.data as { source: string }).source]),
        [['user.created', id, 'sso']],
      );
      // Visible over SCIM like any member.
      assert.equal((await t.request('GET', `Users/${id}`)).statusCode, 200);

      const before = await userCount();
      const scim = await t.request(
        'POST',
        'Users',
        user('ada.lovelace', {
          externalId: '00u-ada',
          name: { givenName: 'Augusta Ada', familyName: 'Lovelace' },
          emails: [{ value: 'ADA@acme.example', type: 'work', primary: true }],
        }),
      );
      assert.equal(scim.statusCode, 201, scim.body);
      assert.equal(scim.json().id, id, 'linked, not duplicated');
      assert.equal(await userCount(), before);
      const linked = await apiUser(id);
      assert.deepEqual([linked.source, linked.linkedFrom, linked.userName], ['scim', 'sso', 'ada.lovelace']);
      const written = await events();
      assert.deepEqual(
        written.map((e) => [e.type, e.resourceId]),
        [['user.linked', id]],
      );
      const audit = (await t.api('GET', `/orgs/${t.orgId}/audit?resourceId=${id}&action=link`)).json().data;
      assert.equal(audit.length, 1);
      assert.ok(audit[0].attributes.includes('source'));

      // The next sign-in finds the SCIM user, and writes nothing of it.
      const again = await signIn({ sub: 'okta-ada', email: 'ada@acme.example', given_name: 'Someone' });
      assert.equal(again.userId, id);
      const after = await apiUser(id);
      assert.equal(after.name.givenName, 'Augusta Ada');
      assert.equal(after.version, linked.version);
    });

    test('matchBy userName: the same userName links, the same email alone does not', async () => {
      await matchBy('userName');
      const signed = await signIn({
        sub: 'okta-grace',
        email: 'grace@acme.example',
        preferred_username: 'grace',
      });
      assert.equal(signed.done.statusCode, 303, signed.done.body);
      const id = signed.userId as string;
      assert.deepEqual([(await apiUser(id)).source, (await apiUser(id)).userName], ['sso', 'grace']);
      await events();
      // Another person who happens to share the email is not this member.
      const other = await t.request(
        'POST',
        'Users',
        user('grace.other', { emails: [{ value: 'grace@acme.example' }] }),
      );
      assert.equal(other.statusCode, 201, other.body);
      assert.notEqual(other.json().id, id);
      assert.equal((await apiUser(id)).source, 'sso');
      const same = await t.request(
        'POST',
        'Users',
        user('GRACE', { emails: [{ value: 'g@elsewhere.example' }] }),
      );
      assert.equal(same.statusCode, 201, same.body);
      assert.equal(same.json().id, id);
      assert.deepEqual([(await apiUser(id)).source, (await apiUser(id)).linkedFrom], ['scim', 'sso']);
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.resourceId]),
        [
          ['user.created', other.json().id],
          ['user.linked', id],
        ],
      );
    });

    test('matchBy nameId: the IdP externalId equal to the subject links; the same userName does not', async () => {
      await matchBy('nameId');
      const signed = await signIn({ sub: '00u-linus', email: 'linus@acme.example' });
      assert.equal(signed.done.statusCode, 303, signed.done.body);
      const id = signed.userId as string;
      const jit = await apiUser(id);
      assert.deepEqual([jit.source, jit.externalId], ['sso', '00u-linus']);
      // Its userName taken by a create with another externalId: that is someone else, refused.
      const clash = await t.request('POST', 'Users', user(jit.userName, { externalId: '00u-other' }));
      assert.equal(clash.statusCode, 409, clash.body);
      // The externalId is compared exactly: another case is another subject.
      const cased = await t.request('POST', 'Users', user('linus.cased', { externalId: '00U-LINUS' }));
      assert.equal(cased.statusCode, 201, cased.body);
      assert.notEqual(cased.json().id, id);
      await events();
      const linked = await t.request('POST', 'Users', user('linus.t', { externalId: '00u-linus' }));
      assert.equal(linked.statusCode, 201, linked.body);
      assert.equal(linked.json().id, id);
      assert.deepEqual([(await apiUser(id)).source, (await apiUser(id)).userName], ['scim', 'linus.t']);
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.resourceId]),
        [['user.linked', id]],
      );
      // Its next sign-in (same subject) is that user.
      assert.equal((await signIn({ sub: '00u-linus', email: 'linus@acme.example' })).userId, id);
    });

    test('a sign-in never overwrites a SCIM user; one SCIM deactivated gets the deactivated page', async () => {
      await matchBy('email');
      const scim = await t.request(
        'POST',
        'Users',
        user('barbara@acme.example', {
          displayName: 'Barbara Liskov',
          name: { givenName: 'Barbara', familyName: 'Liskov' },
          emails: [{ value: 'barbara@acme.example', primary: true }],
        }),
      );
      assert.equal(scim.statusCode, 201, scim.body);
      const id = scim.json().id as string;
      const stored = (await t.request('GET', `Users/${id}`)).json();
      await events();
      const signed = await signIn({
        sub: 'okta-barbara',
        email: 'barbara@acme.example',
        given_name: 'Babs',
        family_name: 'Changed',
        name: 'Not Her Name',
        preferred_username: 'babs',
      });
      assert.equal(signed.userId, id);
      const now = (await t.request('GET', `Users/${id}`)).json();
      assert.deepEqual(now, stored, 'the SCIM user is as SCIM wrote it, version included');
      assert.equal((await apiUser(id)).source, 'scim');
      assert.deepEqual(await events(), []);

      const off = await t.request('PATCH', `Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      assert.equal(off.statusCode, 200, off.body);
      const refused = await signIn({ sub: 'okta-barbara', email: 'barbara@acme.example' });
      assert.equal(refused.done.statusCode, 403);
      assert.match(refused.done.body, /deactivated/);
    });

    test('JIT in an org at its seat cap: a page naming the cap and whom to ask; nothing is created', async () => {
      await matchBy('email');
      const users = await userCount();
      // Earlier tests left active users: a cap of one is reached.
      await t.directory.valves.update(t.orgId, { seatCap: 1, contact: 'it-help@acme.example' });
      try {
        const refused = await signIn({ sub: 'okta-late', email: 'late@acme.example' });
        assert.equal(refused.done.statusCode, 403, refused.done.body);
        assert.match(refused.done.body, /No seat left/);
        assert.match(refused.done.body, /it-help@acme\.example/);
        assert.equal(await userCount(), users);
      } finally {
        await t.directory.valves.update(t.orgId, { seatCap: null });
      }
    });

    test('SCIM required (no JIT): someone not provisioned gets the not-provisioned page, nothing is created', async () => {
      await t.directory.sso.update(cliActor(t.orgId), connectionId, { jit: false, matchBy: 'email' });
      try {
        const before = await userCount();
        const refused = await signIn({ sub: 'okta-nobody', email: 'nobody@acme.example' });
        assert.equal(refused.done.statusCode, 403);
        assert.match(refused.done.body, /Not provisioned/);
        assert.equal(await userCount(), before);
      } finally {
        await t.directory.sso.update(cliActor(t.orgId), connectionId, { jit: true });
      }
    });
  });
}
