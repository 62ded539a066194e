/**
 * Members not from SCIM (docs/api.md "Members"), on both dialects: added and removed through
 * the management API, and linked, not duplicated, when the org's IdP creates the same person
 * over SCIM (POST /Users and Bulk), after which the IdP owns it.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type ApiTestApp, problemOf, startApiTestApp } from '../../helpers/api.ts';
import { PATCH_OP, user } from '../../helpers/app.ts';
import { dialects } from '../../helpers/dialects.ts';
import { outboxReader } from '../../helpers/outbox.ts';

const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

for (const dialect of dialects) {
  describe(`API members (${dialect})`, () => {
    let t: ApiTestApp;
    let events: ReturnType<typeof outboxReader>;
    before(async () => {
      t = await startApiTestApp(dialect);
      events = outboxReader(() => t.directory.database.db);
    });
    after(async () => t?.close());
    beforeEach(async () => {
      await events();
    });

    const path = (p: string, org = t.orgId) => `/orgs/${org}${p}`;
    const add = (body: unknown, org = t.orgId) => t.api('POST', path('/members', org), body);
    const audit = async (query: string) =>
      (await t.api('GET', path(`/audit?${query}`))).json().data as {
        action: string;
        resourceId: string;
        attributes: string[];
        actor: { kind: string };
      }[];
    const count = async (table: 'resources' | 'events' | 'audit_events') =>
      Number(
        (
          await t.directory.database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    test('a member added by email is a user of source api, with an event and an audit row', async () => {
      const response = await add({ email: 'Grace@Example.com', name: 'Grace Hopper' });
      assert.equal(response.statusCode, 201, response.body);
      const member = response.json();
      assert.equal(response.headers.location, `/api/v1/orgs/${t.orgId}/members/${member.id}`);
      assert.equal(member.userName, 'Grace@Example.com');
      assert.equal(member.displayName, 'Grace Hopper');
      assert.deepEqual(member.emails, [{ value: 'Grace@Example.com', type: null, primary: true }]);
      assert.deepEqual([member.source, member.linkedAt, member.linkedFrom], ['api', null, null]);
      const read = (await t.api('GET', path(`/users/${member.id}`))).json();
      assert.equal(read.source, 'api');
      const written = await events();
      assert.deepEqual(
        written.map((e) => [e.type, e.resourceId, (e.data as { source: string }).source]),
        [['user.created', member.id, 'api']],
      );
      const [entry] = await audit(`resourceId=${member.id}`);
      assert.equal(entry?.action, 'create');
      assert.equal(entry?.actor.kind, 'api_key');
      assert.ok(entry?.attributes.includes('source'));
    });

    test('bad input is a 400 validation_failed, a duplicate a 409, and nothing is written', async () => {
      const before = await count('resources');
      for (const body of [
        {},
        { email: 'not-an-email' },
        { email: `${'a'.repeat(250)}@example.com` },
        { email: 'x@example.com', name: '' },
        { email: 'x@example.com', name: 'n'.repeat(201) },
        { email: 'x@example.com', extra: true },
        { email: 42 },
      ]) {
        const response = await add(body);
        assert.equal(response.statusCode, 400, JSON.stringify(body));
        assert.equal(problemOf(response).code, 'validation_failed');
      }
      assert.equal((await add({ email: 'dup@example.com' })).statusCode, 201);
      const after = await count('resources');
      for (const body of [
        { email: 'DUP@example.com' },
        { email: 'other@example.com', userName: 'dup@example.com' },
        { email: 'dup@example.com', userName: 'someone-else' },
      ]) {
        const response = await add(body);
        assert.equal(response.statusCode, 409, JSON.stringify(body));
        assert.equal(problemOf(response).code, 'conflict');
        assert.match(problemOf(response).detail, /already has a user/);
      }
      // A SCIM user's email counts too.
      assert.equal(
        (await t.request('POST', 'Users', user('scim-only', { emails: [{ value: 's@example.com' }] })))
          .statusCode,
        201,
      );
      assert.equal((await add({ email: 'S@example.com' })).statusCode, 409);
      assert.equal(await count('resources'), after + 1);
      assert.ok(after === before + 1);
    });

    test('the IdP creating the same email links the member: same id, SCIM data, source scim', async () => {
      const member = (await add({ email: 'linus@example.com', name: 'Linus' })).json();
      await events();
      const response = await t.request(
        'POST',
        'Users',
        user('linus.t', {
          externalId: 'okta-linus',
          name: { givenName: 'Linus', familyName: 'Torvalds' },
          emails: [{ value: 'LINUS@example.com', type: 'work', primary: true }],
        }),
      );
      assert.equal(response.statusCode, 201, response.body);
      const scim = response.json();
      assert.equal(scim.id, member.id);
      assert.equal(scim.userName, 'linus.t');
      assert.equal(response.headers.location, `https://scim.test/scim/v2/${t.orgId}/Users/${member.id}`);
      const read = (await t.api('GET', path(`/users/${member.id}`))).json();
      assert.equal(read.source, 'scim');
      assert.equal(read.linkedFrom, 'api');
      assert.ok(read.linkedAt);
      assert.equal(read.externalId, 'okta-linus');
      const [linked, ...others] = await events();
      assert.equal(others.length, 0);
      assert.equal(linked?.type, 'user.linked');
      assert.equal(linked?.resourceId, member.id);
      assert.equal((linked?.data as { source: string } | undefined)?.source, 'scim');
      assert.ok(linked?.changes?.changed.includes('source'));
      const [entry] = await audit(`resourceId=${member.id}&action=link`);
      assert.ok(entry?.attributes.includes('userName'));
      assert.ok(entry?.attributes.includes('source'));
      // The IdP owns it now: its own GET, PATCH and DELETE reach it; the API may not remove it.
      assert.equal((await t.request('GET', `Users/${member.id}`)).statusCode, 200);
      const patched = await t.request('PATCH', `Users/${member.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: 'Kernel' }],
      });
      assert.equal(patched.statusCode, 200, patched.body);
      const refused = await t.api('DELETE', path(`/members/${member.id}`));
      assert.equal(refused.statusCode, 409);
      assert.equal(problemOf(refused).code, 'idp_owned');
      // Linked, it matches no later create: its old email makes a new user, not a second link.
      const again = await t.request('POST', 'Users', user('linus@example.com'));
      assert.equal(again.statusCode, 201, 'the linked member no longer matches on its old email');
      assert.equal((await t.request('DELETE', `Users/${member.id}`)).statusCode, 204);
      assert.equal((await t.request('GET', `Users/${member.id}`)).statusCode, 404);
    });

    test('a userName matching the member links it too, also through Bulk', async () => {
      const byName = (await add({ email: 'ken@example.com', userName: 'ken' })).json();
      const viaBulk = (await add({ email: 'dmr@example.com' })).json();
      await events();
      const response = await t.request('POST', 'Bulk', {
        schemas: [BULK],
        Operations: [
          { method: 'POST', bulkId: 'a', path: '/Users', data: user('KEN') },
          {
            method: 'POST',
            bulkId: 'b',
            path: '/Users',
            data: user('dmr@example.com', { displayName: 'Dennis' }),
          },
        ],
      });
      assert.equal(response.statusCode, 200, response.body);
      const results = response.json().Operations as { status: string; location: string }[];
      assert.deepEqual(
        results.map((r) => [r.status, r.location.split('/').pop()]),
        [
          ['201', byName.id],
          ['201', viaBulk.id],
        ],
      );
      const written = await events();
      assert.deepEqual(
        written.map((e) => [e.type, e.resourceId]),
        [
          ['user.linked', byName.id],
          ['user.linked', viaBulk.id],
        ],
      );
      assert.equal((await t.api('GET', path(`/users/${viaBulk.id}`))).json().displayName, 'Dennis');
    });

    // Okta and Entra look a user up (`userName eq …`) before creating it, and write the one
    // they find (docs/idp-notes.md): a member is visible over SCIM, and that first write links it.
    test('an IdP that finds the member by userName and PATCHes it links it; then owns it', async () => {
      const member = (await add({ email: 'barbara@example.com', name: 'Barbara' })).json();
      await events();
      const lookup = await t.request(
        'GET',
        `Users?filter=${encodeURIComponent('userName eq "barbara@example.com"')}`,
      );
      assert.equal(lookup.statusCode, 200, lookup.body);
      assert.equal(lookup.json().totalResults, 1);
      assert.equal(lookup.json().Resources[0].id, member.id);
      const patched = await t.request('PATCH', `Users/${member.id}`, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', value: { externalId: '00u-barbara', active: true } },
          { op: 'replace', path: 'name.familyName', value: 'Liskov' },
        ],
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.equal(patched.json().externalId, '00u-barbara');
      const read = (await t.api('GET', path(`/users/${member.id}`))).json();
      assert.deepEqual([read.source, read.linkedFrom, read.name?.familyName], ['scim', 'api', 'Liskov']);
      assert.ok(read.linkedAt);
      const written = await events();
      assert.deepEqual(
        written.map((e) => [e.type, e.resourceId, (e.data as { source: string }).source]),
        [
          ['user.linked', member.id, 'scim'],
          ['user.updated', member.id, 'scim'],
        ],
      );
      assert.deepEqual((await audit(`resourceId=${member.id}`)).map((a) => a.action).sort(), [
        'create',
        'link',
        'patch',
      ]);
      // Linked once: the next write is an ordinary SCIM write, and the API may not remove it.
      const again = await t.request('PATCH', `Users/${member.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: 'Professor' }],
      });
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(
        (await events()).map((e) => e.type),
        ['user.updated'],
      );
      assert.equal(problemOf(await t.api('DELETE', path(`/members/${member.id}`))).code, 'idp_owned');
    });

    test('a PUT of the member, even one that changes nothing, links it too', async () => {
      const member = (await add({ email: 'edsger@example.com' })).json();
      await events();
      const current = (await t.request('GET', `Users/${member.id}`)).json();
      const put = await t.request('PUT', `Users/${member.id}`, current);
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.resourceId]),
        [['user.linked', member.id]],
      );
      const read = (await t.api('GET', path(`/users/${member.id}`))).json();
      assert.deepEqual([read.source, read.linkedFrom], ['scim', 'api']);
      // A no-op PATCH of another member links it as well.
      const other = (await add({ email: 'tony@example.com' })).json();
      await events();
      const noop = await t.request('PATCH', `Users/${other.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: true }],
      });
      assert.equal(noop.statusCode, 200, noop.body);
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.resourceId]),
        [['user.linked', other.id]],
      );
    });

    test('a member in a group is linked too; the group shows its new display', async () => {
      const member = (await add({ email: 'frances@example.com' })).json();
      const group = await t.request('POST', 'Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Compilers',
        members: [{ value: member.id }],
      });
      assert.equal(group.statusCode, 201, group.body);
      const groupId = group.json().id as string;
      const etag = group.headers.etag;
      await events();
      const linked = await t.request(
        'POST',
        'Users',
        user('frances@example.com', { displayName: 'Frances Allen' }),
      );
      assert.equal(linked.statusCode, 201, linked.body);
      assert.equal(linked.json().id, member.id);
      assert.deepEqual(
        linked.json().groups.map((g: { value: string }) => g.value),
        [groupId],
      );
      const read = await t.request('GET', `Groups/${groupId}`);
      assert.equal(read.json().members[0].display, 'Frances Allen');
      assert.notEqual(read.headers.etag, etag);
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.resourceId]),
        [['user.linked', member.id]],
      );
    });

    test('two creates racing for one member: one links it, the other is refused, one event', async () => {
      const member = (await add({ email: 'race@example.com' })).json();
      await events();
      const answers = await Promise.all(
        [1, 2].map(() => t.request('POST', 'Users', user('race@example.com', { title: 'Racer' }))),
      );
      assert.deepEqual(answers.map((a) => a.statusCode).sort(), [201, 409]);
      assert.equal(answers.find((a) => a.statusCode === 201)?.json().id, member.id);
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.resourceId]),
        [['user.linked', member.id]],
      );
    });

    test('two members matching one create: 409 uniqueness, nothing written', async () => {
      const a = (await add({ email: 'one@example.com', userName: 'twin' })).json();
      const b = (await add({ email: 'two@example.com' })).json();
      await events();
      const counts = [await count('resources'), await count('events'), await count('audit_events')];
      const response = await t.request(
        'POST',
        'Users',
        user('twin', { emails: [{ value: 'two@example.com' }] }),
      );
      assert.equal(response.statusCode, 409, response.body);
      assert.equal(response.json().scimType, 'uniqueness');
      assert.match(response.json().detail, new RegExp(`${a.id}.*${b.id}`));
      assert.deepEqual(
        [await count('resources'), await count('events'), await count('audit_events')],
        counts,
      );
      for (const id of [a.id, b.id])
        assert.equal((await t.api('GET', path(`/users/${id}`))).json().source, 'api');
    });

    test('removing a member: 204, user.deleted, audit; unknown is 404, a SCIM user idp_owned', async () => {
      const member = (await add({ email: 'gone@example.com' })).json();
      await events();
      assert.equal((await t.api('DELETE', path(`/members/${member.id}`))).statusCode, 204);
      assert.equal((await t.api('GET', path(`/users/${member.id}`))).statusCode, 404);
      assert.deepEqual(
        (await events()).map((e) => [e.type, e.resourceId]),
        [['user.deleted', member.id]],
      );
      assert.equal((await audit(`resourceId=${member.id}&action=delete`)).length, 1);
      assert.equal((await t.api('DELETE', path(`/members/${member.id}`))).statusCode, 404);
      const scim = (await t.request('POST', 'Users', user('idp-user'))).json();
      const refused = await t.api('DELETE', path(`/members/${scim.id}`));
      assert.equal(refused.statusCode, 409);
      assert.equal(problemOf(refused).code, 'idp_owned');
      // The email is free again: the same person can be added anew.
      assert.equal((await add({ email: 'gone@example.com' })).statusCode, 201);
    });

    test("an org never links or removes another org's members", async () => {
      const other = await t.directory.orgs.create('Other Corp');
      const theirs = (await add({ email: 'shared@example.com' }, other.org.id)).json();
      assert.equal(theirs.source, 'api');
      // Our IdP creating the same email makes a user of ours; theirs stays theirs, unlinked.
      const ours = await t.request('POST', 'Users', user('shared@example.com'));
      assert.equal(ours.statusCode, 201, ours.body);
      assert.notEqual(ours.json().id, theirs.id);
      assert.equal((await t.api('GET', path(`/users/${theirs.id}`, other.org.id))).json().source, 'api');
      assert.equal((await t.api('DELETE', path(`/members/${theirs.id}`))).statusCode, 404);
      assert.equal((await t.api('GET', path(`/users/${theirs.id}`))).statusCode, 404);
    });
  });
}
