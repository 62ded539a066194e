/**
 * Groups and membership, black-box over real HTTP on loopback: RFC 7643 §4.2 (Group),
 * RFC 7644 §3.4–3.6 on /Groups and §3.5.2 PATCH on members, and the group-push sequences
 * of real IdPs (docs/idp-notes.md: Entra, Okta Push Groups, JumpCloud, Ping).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.ts';
import {
  GROUP,
  type Json,
  type LiveClient,
  patch,
  q,
  SEARCH,
  USER,
  useLiveServer,
} from '../helpers/live-client.ts';

const ADSCIM = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

type Member = { value: string; $ref?: string; display?: string; type?: string };

const group = (displayName: string, members: string[] = [], extra: Record<string, unknown> = {}) => ({
  schemas: [GROUP],
  displayName,
  members: members.map((value) => ({ value })),
  ...extra,
});
const memberIds = (body: Json): string[] => ((body?.members ?? []) as Member[]).map((m) => m.value).sort();
const names = (body: Json): string[] => (body.Resources ?? []).map((r: Json) => r.displayName);
const sorted = (...ids: string[]) => [...ids].sort();

async function newUser(
  c: LiveClient,
  userName: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const res = await c.req('POST', 'Users', { schemas: [USER], userName, ...extra });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

async function newGroup(c: LiveClient, displayName: string, members: string[] = []): Promise<string> {
  const res = await c.req('POST', 'Groups', group(displayName, members));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body.id;
}

for (const dialect of dialects) {
  describe(`Groups conformance over HTTP (${dialect})`, () => {
    const live = useLiveServer(dialect);
    /** This file's requests with a body say their charset. */
    const client = (name: string, profile?: string) =>
      live.client(name, profile, { contentType: 'application/scim+json; charset=utf-8' });

    test('Entra group push: ADSCIM schema, displayName lookup without members, Add/Replace/Remove dialect', async () => {
      const c = await client('Entra groups', 'entra');
      const ann = await newUser(c, 'ann@example.com', { displayName: 'Ann' });
      const ben = await newUser(c, 'ben@example.com');
      const cat = await newUser(c, 'cat@example.com');

      const created = await c.req('POST', 'Groups', {
        schemas: [GROUP, ADSCIM],
        externalId: 'f0c5d1b4-entra',
        displayName: 'Sales',
        members: [],
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.schemas, [GROUP], 'the stored schemas are the server’s');
      assert.equal(created.body.members, undefined, 'an empty group has no members attribute');
      assert.equal(created.body.externalId, 'f0c5d1b4-entra');
      const id = created.body.id;

      const found = await c.req('GET', `Groups?excludedAttributes=members&${q('displayName eq "sales"')}`);
      assert.equal(found.status, 200);
      assert.equal(found.body.totalResults, 1, 'displayName is caseExact false (RFC 7643 §4.2)');
      assert.equal(found.body.Resources[0].id, id);
      assert.equal(found.body.Resources[0].members, undefined);

      let res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({
          op: 'Add',
          path: 'members',
          value: [
            { $ref: null, value: ann },
            { $ref: null, value: ben },
            { $ref: null, value: cat },
          ],
        }),
      );
      assert.ok(res.status === 200 || res.status === 204, `PATCH: ${res.status}`);
      assert.deepEqual(memberIds((await c.req('GET', `Groups/${id}`)).body), sorted(ann, ben, cat));

      // Rename without a path: members must stay (langwatch/langwatch#7131).
      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'Replace', value: { displayName: 'Sales EMEA' } }),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.displayName, 'Sales EMEA');
      assert.deepEqual(memberIds(res.body), sorted(ann, ben, cat));

      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'Replace', path: 'displayName', value: 'Sales Europe' }),
      );
      assert.equal(res.body.displayName, 'Sales Europe');
      assert.deepEqual(memberIds(res.body), sorted(ann, ben, cat));

      // Remove with path `members` and a value list removes only those listed.
      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'Remove', path: 'members', value: [{ value: ben }, { value: cat }] }),
      );
      assert.equal(res.status, 200);
      assert.deepEqual(memberIds(res.body), [ann]);

      // aadOptscim062020: lowercase remove with a value filter.
      res = await c.req('PATCH', `Groups/${id}`, patch({ op: 'remove', path: `members[value eq "${ann}"]` }));
      assert.equal(res.status, 200);
      assert.deepEqual(memberIds(res.body), []);

      assert.equal((await c.req('DELETE', `Groups/${id}`)).status, 204);
      assert.equal((await c.req('GET', `Groups/${id}`)).status, 404);
      assert.equal(
        (await c.req('PATCH', `Groups/${id}`, patch({ op: 'Add', path: 'members', value: [{ value: ann }] })))
          .status,
        404,
      );
    });

    test('Okta Push Groups: add + filtered remove in one request, rename {id, displayName}, replace members []', async () => {
      const c = await client('Okta groups', 'okta');
      const ann = await newUser(c, 'ann@example.com');
      const ben = await newUser(c, 'ben@example.com');
      const cat = await newUser(c, 'cat@example.com');

      const probe = await c.req('GET', 'Groups?startIndex=1&count=100');
      assert.equal(probe.status, 200);
      assert.equal(probe.body.totalResults, 0);

      const created = await c.req('POST', 'Groups', {
        schemas: [GROUP],
        displayName: 'Engineering',
        members: [],
      });
      assert.equal(created.status, 201);
      const id = created.body.id;

      let res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({
          op: 'add',
          path: 'members',
          value: [
            { value: ann, display: 'ann@example.com' },
            { value: ben, display: 'ben' },
          ],
        }),
      );
      assert.deepEqual(memberIds((await c.req('GET', `Groups/${id}`)).body), sorted(ann, ben));

      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch(
          { op: 'add', path: 'members', value: [{ value: cat, display: 'cat@example.com' }] },
          { op: 'remove', path: `members[value eq "${ann}"]` },
        ),
      );
      assert.ok(res.status === 200 || res.status === 204);
      const afterBoth = (await c.req('GET', `Groups/${id}`)).body;
      assert.deepEqual(memberIds(afterBoth), sorted(ben, cat));
      const benMember = afterBoth.members.find((m: Member) => m.value === ben);
      assert.equal(
        benMember.display,
        'ben@example.com',
        'display is the server’s (readOnly), not the client’s',
      );

      res = await c.req('PATCH', `Groups/${id}`, patch({ op: 'replace', value: { id, displayName: 'Eng' } }));
      assert.equal(res.status, 200);
      assert.equal(res.body.id, id);
      assert.equal(res.body.displayName, 'Eng');
      assert.deepEqual(memberIds(res.body), sorted(ben, cat));

      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: 'members', value: [{ value: ann }] }),
      );
      assert.deepEqual(memberIds(res.body), [ann], 'full push sets the list exactly');
      res = await c.req('PATCH', `Groups/${id}`, patch({ op: 'replace', path: 'members', value: [] }));
      assert.equal(res.status, 200);
      assert.deepEqual(memberIds(res.body), []);
      assert.equal(res.body.displayName, 'Eng');

      const listed = await c.req('GET', 'Groups?startIndex=1&count=100');
      assert.equal(listed.body.totalResults, 1);
      assert.equal(typeof listed.body.startIndex, 'number');
      assert.equal(typeof listed.body.itemsPerPage, 'number');
    });

    test('JumpCloud: Azure-style value lists without a filter, for add and for remove', async () => {
      const c = await client('JumpCloud groups', 'jumpcloud');
      const ids = [];
      for (const n of ['a', 'b', 'c', 'd']) ids.push(await newUser(c, `${n}@jc.example.com`));
      const id = await newGroup(c, 'JC test group');
      let res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'add', path: 'members', value: ids.map((value) => ({ value })) }),
      );
      assert.deepEqual(memberIds(res.body), sorted(...ids));
      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'remove', path: 'members', value: [{ value: ids[0] }, { value: ids[2] }] }),
      );
      assert.deepEqual(memberIds(res.body), sorted(ids[1]!, ids[3]!));
      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: 'displayName', value: 'JC renamed' }),
      );
      assert.equal(res.body.displayName, 'JC renamed');
      assert.deepEqual(memberIds(res.body), sorted(ids[1]!, ids[3]!));
      assert.equal((await c.req('DELETE', `Groups/${id}`)).status, 204);
    });

    test('Ping: GET, modify, PUT of the whole group (echoing id, meta and full members) replaces it exactly', async () => {
      const c = await client('Ping groups', 'ping');
      const ann = await newUser(c, 'ann@example.com');
      const ben = await newUser(c, 'ben@example.com');
      const cat = await newUser(c, 'cat@example.com');
      const id = await newGroup(c, 'Ping group', [ann, ben]);

      const got = (await c.req('GET', `Groups/${id}`)).body;
      got.displayName = 'Ping group renamed';
      got.members = got.members.filter((m: Member) => m.value !== ann);
      got.members.push({ value: cat, type: 'User', display: 'anything' });
      const put = await c.req('PUT', `Groups/${id}`, got);
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.equal(put.body.displayName, 'Ping group renamed');
      assert.deepEqual(memberIds(put.body), sorted(ben, cat));
      assert.deepEqual(memberIds((await c.req('GET', `Groups/${id}`)).body), sorted(ben, cat));

      // PUT replaces: a member list not sent is an empty one (RFC 7644 §3.5.1).
      const bare = await c.req('PUT', `Groups/${id}`, {
        schemas: [GROUP],
        displayName: 'Ping group renamed',
      });
      assert.equal(bare.status, 200);
      assert.deepEqual(memberIds(bare.body), []);

      // A required attribute missing from a PUT is 400 and changes nothing.
      const missing = await c.req('PUT', `Groups/${id}`, { schemas: [GROUP], members: [{ value: ann }] });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.scimType, 'invalidValue');
      assert.equal((await c.req('GET', `Groups/${id}`)).body.displayName, 'Ping group renamed');
      assert.equal((await c.req('PUT', `Groups/${crypto.randomUUID()}`, group('x'))).status, 404);
    });

    test('a member without a value (only display, type or $ref) is 400 invalidValue, never silently dropped', async () => {
      const c = await client('Member values');
      const ann = await newUser(c, 'ann@example.com');
      const res = await c.req('POST', 'Groups', {
        schemas: [GROUP],
        displayName: 'No values',
        members: [{ value: ann }, { display: 'Ben' }],
      });
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'invalidValue');
      assert.match(res.body.detail, /members\[1\]\.value/);
      assert.equal((await c.req('GET', `Groups?${q('displayName eq "No values"')}`)).body.totalResults, 0);

      const id = await newGroup(c, 'Has values', [ann]);
      const refOnly = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'add', path: 'members', value: [{ $ref: `${c.base}/Users/${ann}` }] }),
      );
      assert.equal(refOnly.status, 400);
      assert.equal(refOnly.body.scimType, 'invalidValue');
      assert.match(refOnly.body.detail, /Operations\[0\]/);

      const putRes = await c.req('PUT', `Groups/${id}`, {
        schemas: [GROUP],
        displayName: 'Has values',
        members: [{ type: 'User' }],
      });
      assert.equal(putRes.status, 400);
      assert.deepEqual(memberIds((await c.req('GET', `Groups/${id}`)).body), [ann], 'nothing changed');

      // Entra's `"$ref": null` beside a value, and an element that is wholly empty, are fine.
      const ok = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({
          op: 'add',
          path: 'members',
          value: [
            { value: ann, $ref: null },
            { value: '', $ref: null },
          ],
        }),
      );
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
    });

    test('member ids that name nothing: 400 invalidValue on add, replace, POST and PUT; removal is a no-op', async () => {
      const c = await client('Unknown members');
      const other = await client('Another org');
      const ann = await newUser(c, 'ann@example.com');
      const foreign = await newUser(other, 'ann@example.com');
      const id = await newGroup(c, 'Known', [ann]);
      const etag = (await c.req('GET', `Groups/${id}`)).headers.get('etag');
      const ghost = crypto.randomUUID();

      for (const body of [
        patch({ op: 'add', path: 'members', value: [{ value: ghost }] }),
        patch({ op: 'replace', path: 'members', value: [{ value: ann }, { value: foreign }] }),
        patch({ op: 'add', path: 'members', value: [{ value: id }] }),
      ]) {
        const res = await c.req('PATCH', `Groups/${id}`, body);
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.equal(res.body.scimType, 'invalidValue');
      }
      const put = await c.req('PUT', `Groups/${id}`, group('Known', [ann, ghost]));
      assert.equal(put.status, 400);
      const post = await c.req('POST', 'Groups', group('Foreign', [foreign]));
      assert.equal(post.status, 400, 'a member of another organization is unknown here');
      const after = await c.req('GET', `Groups/${id}`);
      assert.deepEqual(memberIds(after.body), [ann]);
      assert.equal(after.headers.get('etag'), etag, 'refused requests changed nothing');

      const removal = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch(
          { op: 'remove', path: `members[value eq "${ghost}"]` },
          { op: 'remove', path: 'members', value: [{ value: ghost }] },
        ),
      );
      assert.equal(removal.status, 200);
      assert.equal(removal.headers.get('etag'), etag, 'removing a non-member changes nothing');
    });

    test('deleting a member changes its groups’ version: no stale 304, a stale If-Match is 412', async () => {
      const c = await client('Member deletion');
      const ann = await newUser(c, 'ann@example.com');
      const ben = await newUser(c, 'ben@example.com');
      const inner = await newGroup(c, 'Inner', [ann, ben]);
      const outer = await newGroup(c, 'Outer', [inner, ann]);
      const before = await c.req('GET', `Groups/${inner}`);
      const etag = before.headers.get('etag')!;
      const outerEtag = (await c.req('GET', `Groups/${outer}`)).headers.get('etag')!;

      assert.equal((await c.req('DELETE', `Users/${ann}`)).status, 204);
      const after = await c.req('GET', `Groups/${inner}`, undefined, { 'if-none-match': etag });
      assert.equal(after.status, 200, 'the group changed: If-None-Match with the old ETag must not be 304');
      assert.deepEqual(memberIds(after.body), [ben]);
      assert.notEqual(after.headers.get('etag'), etag);
      assert.ok(after.body.meta.lastModified >= before.body.meta.lastModified);
      assert.equal(after.body.meta.version, after.headers.get('etag'));

      const stale = await c.req(
        'PATCH',
        `Groups/${inner}`,
        patch({ op: 'replace', path: 'displayName', value: 'x' }),
        { 'if-match': etag },
      );
      assert.equal(stale.status, 412);

      // A deleted group leaves its parent group, whose version moves too.
      assert.equal((await c.req('DELETE', `Groups/${inner}`)).status, 204);
      const parent = await c.req('GET', `Groups/${outer}`, undefined, { 'if-none-match': outerEtag });
      assert.equal(parent.status, 200);
      assert.deepEqual(memberIds(parent.body), []);
      const benAfter = (await c.req('GET', `Users/${ben}`)).body;
      assert.equal(benAfter.groups, undefined, 'a user in no group any more has no groups');
    });

    test('filters on members: value paths, sub-attributes, $ref, type, negation; POST .search', async () => {
      const c = await client('Member filters');
      const ann = await newUser(c, 'ann@example.com', { displayName: 'Ann Archer' });
      const ben = await newUser(c, 'ben@example.com');
      const a = await newGroup(c, 'Alpha', [ann, ben]);
      const b = await newGroup(c, 'Bravo', [ben]);
      const nested = await newGroup(c, 'Nested', [a]);
      await newGroup(c, 'Empty');
      const list = async (filter: string) => {
        const res = await c.req('GET', `Groups?${q(filter)}&excludedAttributes=members&sortBy=displayName`);
        assert.equal(res.status, 200, `${filter}: ${JSON.stringify(res.body)}`);
        return names(res.body);
      };

      assert.deepEqual(await list(`members[value eq "${ann}"]`), ['Alpha']);
      assert.deepEqual(await list(`members.value eq "${ben}"`), ['Alpha', 'Bravo']);
      assert.deepEqual(await list(`members eq "${ben}"`), ['Alpha', 'Bravo']);
      assert.deepEqual(await list(`members[value eq "${ben}" and type eq "User"]`), ['Alpha', 'Bravo']);
      assert.deepEqual(await list(`members[type eq "Group"]`), ['Nested']);
      assert.deepEqual(await list(`members.type eq "group"`), ['Nested'], 'type is caseExact false');
      assert.deepEqual(await list('members.display eq "ann archer"'), ['Alpha']);
      assert.deepEqual(await list(`members.$ref eq "${c.base}/Users/${ann}"`), ['Alpha']);
      assert.deepEqual(await list(`members[$ref eq "${c.base}/Groups/${a}"]`), ['Nested']);
      assert.deepEqual(
        await list(`members.$ref eq "${c.base}/Groups/${ann}"`),
        [],
        'the type in the URI counts',
      );
      assert.deepEqual(await list('not (members pr)'), ['Empty']);
      assert.deepEqual(await list(`not (members[value eq "${ben}"])`), ['Empty', 'Nested']);
      assert.deepEqual(await list(`displayName sw "a" and members.value eq "${ann}"`), ['Alpha']);
      assert.deepEqual(await list(`members.value eq "${ann}" or members.value eq "${a}"`), [
        'Alpha',
        'Nested',
      ]);

      // Users: the computed groups attribute filters too, with $ref naming a Group.
      const users = await c.req(
        'GET',
        `Users?${q(`groups.$ref eq "${c.base}/Groups/${b}"`)}&attributes=userName`,
      );
      assert.deepEqual(
        users.body.Resources.map((u: Json) => u.userName),
        ['ben@example.com'],
      );

      const search = await c.req('POST', 'Groups/.search', {
        schemas: [SEARCH],
        filter: `members[value eq "${ben}"]`,
        attributes: ['displayName', 'members.value'],
        sortBy: 'displayName',
        sortOrder: 'descending',
        startIndex: 1,
        count: 1,
      });
      assert.equal(search.status, 200, JSON.stringify(search.body));
      assert.equal(search.body.totalResults, 2);
      assert.equal(search.body.itemsPerPage, 1);
      assert.deepEqual(names(search.body), ['Bravo']);
      assert.deepEqual(search.body.Resources[0].members, [{ value: ben }]);
      assert.equal(search.body.Resources[0].meta, undefined);
      void nested;
    });

    test('PATCH on filtered members: replace swaps the matching members (noTarget when none), $ref filters remove', async () => {
      const c = await client('Filtered member PATCH');
      const ann = await newUser(c, 'ann@example.com', { displayName: 'Ann' });
      const ben = await newUser(c, 'ben@example.com');
      const cat = await newUser(c, 'cat@example.com');
      const sub = await newGroup(c, 'Sub');
      const id = await newGroup(c, 'Filtered', [ann, ben, sub]);

      // RFC 7644 §3.5.2.3: "the matching records are replaced".
      let res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: `members[value eq "${ann}"]`, value: [{ value: cat }] }),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(memberIds(res.body), sorted(ben, cat, sub));
      const version = res.headers.get('etag');

      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: `members[value eq "${ann}"]`, value: [{ value: ann }] }),
      );
      assert.equal(res.status, 400, 'a filter that matches no member is noTarget');
      assert.equal(res.body.scimType, 'noTarget');

      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: 'members[type eq "Group"]', value: { value: ann } }),
      );
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(memberIds(res.body), sorted(ann, ben, cat));
      assert.notEqual(res.headers.get('etag'), version);

      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'replace', path: `members[value eq "${ben}"]`, value: [{ value: crypto.randomUUID() }] }),
      );
      assert.equal(res.status, 400);
      assert.equal(res.body.scimType, 'invalidValue');

      // $ref names a member by its URI, as the GET filter reads it.
      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'remove', path: `members[$ref eq "${c.base}/Users/${ann}"]` }),
      );
      assert.equal(res.status, 200);
      assert.deepEqual(memberIds(res.body), sorted(ben, cat));
      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'remove', path: `members[$ref eq "${c.base}/Groups/${ben}"]` }),
      );
      assert.deepEqual(memberIds(res.body), sorted(ben, cat), 'a Groups URI does not name a User');
      res = await c.req(
        'PATCH',
        `Groups/${id}`,
        patch({ op: 'remove', path: `members[display eq "BEN@EXAMPLE.COM"]` }),
      );
      assert.deepEqual(memberIds(res.body), [cat]);
    });

    test('sorting and paging /Groups: case-insensitive displayName order, pages that add up', async () => {
      const c = await client('Group paging');
      const display = ['delta', 'Alpha', 'charlie', 'Echo', 'bravo', 'Foxtrot', 'golf'];
      for (const d of display) await newGroup(c, d);
      const expected = [...display].sort((x, y) => x.toLowerCase().localeCompare(y.toLowerCase()));

      const asc = await c.req('GET', 'Groups?sortBy=displayName&attributes=displayName');
      assert.deepEqual(names(asc.body), expected);
      const desc = await c.req(
        'GET',
        'Groups?sortBy=displayName&sortOrder=descending&attributes=displayName',
      );
      assert.deepEqual(names(desc.body), [...expected].reverse());

      const pages: string[] = [];
      for (let start = 1; start <= display.length; start += 3) {
        const page = await c.req(
          'GET',
          `Groups?sortBy=displayName&startIndex=${start}&count=3&attributes=displayName`,
        );
        assert.equal(page.body.totalResults, display.length);
        assert.equal(page.body.startIndex, start);
        assert.equal(page.body.itemsPerPage, page.body.Resources.length);
        pages.push(...names(page.body));
      }
      assert.deepEqual(pages, expected);

      // Unsorted pages (Ping retrieves all groups) are stable and complete too.
      const all: string[] = [];
      for (let start = 1; start <= display.length; start += 2) {
        all.push(...names((await c.req('GET', `Groups?startIndex=${start}&count=2`)).body));
      }
      assert.deepEqual([...all].sort(), [...display].sort());

      const none = await c.req('GET', 'Groups?count=0');
      assert.equal(none.body.totalResults, display.length);
      assert.equal(none.body.itemsPerPage, 0);
      const beyond = await c.req('GET', 'Groups?startIndex=100');
      assert.equal(beyond.status, 200);
      assert.equal(beyond.body.totalResults, display.length);
      assert.equal(beyond.body.itemsPerPage, 0);
    });

    test('attributes / excludedAttributes on groups, members sub-attributes and users’ groups', async () => {
      const c = await client('Group projection');
      const ann = await newUser(c, 'ann@example.com', { displayName: 'Ann' });
      const id = await newGroup(c, 'Projected', [ann]);
      const get = (query: string) => c.req('GET', `Groups/${id}?${query}`).then((r) => r.body);

      let g = await get('attributes=displayName');
      assert.deepEqual(Object.keys(g).sort(), ['displayName', 'id', 'schemas'], 'id is always returned');
      g = await get('attributes=members.display');
      assert.deepEqual(g.members, [{ display: 'Ann' }]);
      g = await get(`attributes=${encodeURIComponent(`${GROUP}:members.value`)}`);
      assert.deepEqual(g.members, [{ value: ann }]);
      g = await get('excludedAttributes=members.display,meta');
      assert.deepEqual(g.members, [{ value: ann, $ref: `${c.base}/Users/${ann}`, type: 'User' }]);
      assert.equal(g.meta, undefined);
      assert.equal(g.displayName, 'Projected');
      g = await get('excludedAttributes=displayName');
      assert.equal(g.displayName, undefined);
      assert.equal(g.id, id);
      assert.equal(g.members.length, 1);

      const listed = await c.req('GET', `Groups?attributes=members&${q(`id eq "${id}"`)}`);
      assert.deepEqual(Object.keys(listed.body.Resources[0]).sort(), ['id', 'members', 'schemas']);

      const created = await c.req('POST', 'Groups?excludedAttributes=members', group('Quiet', [ann]));
      assert.equal(created.status, 201);
      assert.equal(created.body.members, undefined);
      const patched = await c.req(
        'PATCH',
        `Groups/${created.body.id}?attributes=displayName`,
        patch({ op: 'replace', path: 'displayName', value: 'Quieter' }),
      );
      assert.deepEqual(Object.keys(patched.body).sort(), ['displayName', 'id', 'schemas']);

      const user = (q2: string) => c.req('GET', `Users/${ann}?${q2}`).then((r) => r.body);
      let u = await user('attributes=groups.display');
      assert.deepEqual(u.groups.map((x: Json) => x.display).sort(), ['Projected', 'Quieter']);
      assert.deepEqual(Object.keys(u.groups[0]), ['display']);
      u = await user('excludedAttributes=groups');
      assert.equal(u.groups, undefined);
      assert.equal(u.userName, 'ann@example.com');
      u = await user('attributes=userName');
      assert.equal(u.groups, undefined);
    });

    test('nested groups: users’ groups direct and indirect, cycles end, groups is readOnly on users', async () => {
      const c = await client('Nested groups');
      const ann = await newUser(c, 'ann@example.com');
      const team = await newGroup(c, 'Team', [ann]);
      const dept = await newGroup(c, 'Dept', [team]);
      const org = await newGroup(c, 'Org', [dept, ann]);

      const groupsOf = async (id: string) => {
        const body = (await c.req('GET', `Users/${id}`)).body;
        return Object.fromEntries((body.groups ?? []).map((g: Json) => [g.display, g.type]));
      };
      assert.deepEqual(await groupsOf(ann), { Team: 'direct', Dept: 'indirect', Org: 'direct' });
      const full = (await c.req('GET', `Users/${ann}`)).body.groups.find((g: Json) => g.value === dept);
      assert.deepEqual(full, {
        value: dept,
        $ref: `${c.base}/Groups/${dept}`,
        display: 'Dept',
        type: 'indirect',
      });

      const team2 = await c.req('GET', `Groups/${dept}`);
      assert.deepEqual(team2.body.members, [
        { value: team, $ref: `${c.base}/Groups/${team}`, display: 'Team', type: 'Group' },
      ]);

      // A cycle (RFC 7643 §4.2 lets a server allow it): reads still end.
      const cyc = await c.req(
        'PATCH',
        `Groups/${team}`,
        patch({ op: 'add', path: 'members', value: [{ value: org }] }),
      );
      assert.equal(cyc.status, 200, JSON.stringify(cyc.body));
      assert.deepEqual(await groupsOf(ann), { Team: 'direct', Dept: 'indirect', Org: 'direct' });
      const indirect = await c.req(
        'GET',
        `Users?${q(`groups[value eq "${dept}" and type eq "indirect"]`)}&attributes=userName`,
      );
      assert.equal(indirect.body.totalResults, 1);

      const self = await c.req(
        'PATCH',
        `Groups/${team}`,
        patch({ op: 'add', path: 'members', value: [{ value: team }] }),
      );
      assert.equal(self.status, 400);
      assert.equal(self.body.scimType, 'invalidValue');

      // Membership is changed on the Group (RFC 7643 §4.1.2): groups is readOnly on a User.
      const viaUser = await c.req(
        'PATCH',
        `Users/${ann}`,
        patch({ op: 'add', path: 'groups', value: [{ value: team }] }),
      );
      assert.equal(viaUser.status, 400);
      assert.equal(viaUser.body.scimType, 'mutability');
      const bob = await c.req('POST', 'Users', {
        schemas: [USER],
        userName: 'bob@example.com',
        groups: [{ value: team }],
      });
      assert.equal(bob.status, 201, 'groups sent on create is ignored (Okta sends groups: [])');
      assert.equal(bob.body.groups, undefined);
      assert.deepEqual(memberIds((await c.req('GET', `Groups/${team}`)).body), sorted(ann, org));
    });

    test('displayName is not unique (RFC 7643 §4.2, uniqueness none): duplicates are created and both found', async () => {
      const c = await client('Duplicate names');
      const first = await c.req('POST', 'Groups', group('Admins'));
      const second = await c.req('POST', 'Groups', group('admins'));
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.notEqual(first.body.id, second.body.id);
      const found = await c.req('GET', `Groups?${q('displayName eq "ADMINS"')}&excludedAttributes=members`);
      assert.equal(found.body.totalResults, 2);
      const schema = await c.req('GET', `Schemas/${GROUP}`);
      const displayName = schema.body.attributes.find((a: Json) => a.name === 'displayName');
      assert.equal(displayName.uniqueness, 'none', 'what /Schemas advertises matches what the server does');
      assert.equal(displayName.required, true);
      const noName = await c.req('POST', 'Groups', { schemas: [GROUP], members: [] });
      assert.equal(noName.status, 400);
      assert.equal(noName.body.scimType, 'invalidValue');
    });

    test('a delete racing an add of the same member never leaves a deleted member in a group', async () => {
      const c = await client('Delete race');
      const groups: string[] = [];
      for (let i = 0; i < 3; i++) groups.push(await newGroup(c, `Race ${i}`));
      for (let round = 0; round < 15; round++) {
        const doomed = await newUser(c, `doomed${round}@example.com`);
        for (const g of groups.slice(0, 1)) {
          await c.req(
            'PATCH',
            `Groups/${g}`,
            patch({ op: 'add', path: 'members', value: [{ value: doomed }] }),
          );
        }
        const results = await Promise.all([
          c.req('DELETE', `Users/${doomed}`),
          ...groups.map((g) =>
            c.req('PATCH', `Groups/${g}`, patch({ op: 'add', path: 'members', value: [{ value: doomed }] })),
          ),
        ]);
        for (const r of results) assert.ok(r.status < 500, `${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(results[0]!.status, 204);
      }
      for (const g of groups) {
        const body = (await c.req('GET', `Groups/${g}`)).body;
        assert.deepEqual(memberIds(body), [], 'every member of these groups was deleted');
        const filtered = await c.req('GET', `Groups?${q(`id eq "${g}" and members pr`)}`);
        assert.equal(filtered.body.totalResults, 0);
      }
    });
  });
}
