/**
 * Round trips to PostgreSQL per SCIM request (issue 10, part 5: a create or a PATCH is at
 * most 3). Counted by the bench's proxy (bench/pg-backends.ts), which sits between the app
 * and PostgreSQL and counts each Sync and Query message, the messages a client then waits on.
 * Counts, not timing: the figure does not depend on the machine. PostgreSQL only: on SQLite
 * there is no wire, and every other test of these requests runs on both dialects.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CountingProxy, startCountingProxy } from '../../bench/pg-backends.ts';
import { loadConfig } from '../../src/config.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects, testPostgresUrl } from '../helpers/dialects.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('round trips to PostgreSQL per request', { skip: !dialects.includes('postgres') }, () => {
  let proxy: CountingProxy;
  let t: TestApp;
  let n = 0;
  before(async () => {
    proxy = await startCountingProxy(testPostgresUrl);
    // The request log writes in batches on a timer: off, so that only the request is counted.
    // No PUBLIC_URL: without it the OIDC provider, and its once-a-second job looking for
    // back-channel logouts to send, is not mounted; its query would land in the counts. The
    // server's own ANALYZE job (store/pg-analyze.ts) is off for the same reason.
    t = await startTestApp(
      'postgres',
      { REQUEST_LOG: 'false', PUBLIC_URL: '', PG_ANALYZE_INTERVAL_SECONDS: 'off' },
      { connectVia: proxy.via },
    );
  });
  after(async () => {
    await t.close();
    await proxy.close();
  });

  /** The round trips `send` made, and its response (whose status it checks). */
  async function counted(status: number, send: () => ReturnType<TestApp['request']>) {
    const before = proxy.roundTrips();
    const res = await send();
    assert.equal(res.statusCode, status, res.body);
    // Nothing the request left behind may land later: the proxy counts what it forwarded.
    await new Promise((r) => setTimeout(r, 50));
    return { trips: proxy.roundTrips() - before, res };
  }

  const newUser = () =>
    user(`rt-${n++}@example.com`, {
      name: { givenName: 'Round', familyName: `Trip ${n}` },
      emails: [{ value: `rt-${n}@example.com`, type: 'work', primary: true }],
      title: 'Engineer',
      active: true,
    });

  test('POST /Users: at most 3', async (c) => {
    await counted(201, () => t.request('POST', 'Users', newUser())); // prepares the statements
    const { trips } = await counted(201, () => t.request('POST', 'Users', newUser()));
    c.diagnostic(`POST /Users: ${trips} round trips`);
    assert.ok(trips <= 3, `POST /Users took ${trips} round trips`);
  });

  // Members added through the API (docs/api.md "Members") are looked for inside the create's
  // one statement: no round trip more, whether the org has such members or not.
  test('POST /Users in an org with API members it does not match: at most 3', async (c) => {
    const { key } = await t.directory.apiKeys.create('rt');
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${t.orgId}/members`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: `member-${n++}@example.com` }),
    });
    assert.equal(added.statusCode, 201, added.body);
    await counted(201, () => t.request('POST', 'Users', newUser()));
    const { trips } = await counted(201, () => t.request('POST', 'Users', newUser()));
    c.diagnostic(`POST /Users beside an API member: ${trips} round trips`);
    assert.ok(trips <= 3, `POST /Users took ${trips} round trips`);
    // The create that links a member takes the locked path, once per member.
    const email = `member-${n++}@example.com`;
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${t.orgId}/members`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email }),
    });
    const link = await counted(201, () => t.request('POST', 'Users', user(email)));
    c.diagnostic(`POST /Users linking an API member: ${link.trips} round trips`);
    assert.ok(link.trips <= 3, `POST /Users linking a member took ${link.trips} round trips`);
    assert.equal(JSON.parse(link.res.body).userName, email);
  });

  // A member in a group takes the locked path (its groups' display and the response's ETag).
  test('POST /Users linking an API member in a group: at most 9', async (c) => {
    const { key } = await t.directory.apiKeys.create('rt-group');
    const email = `grouped-${n++}@example.com`;
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${t.orgId}/members`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email }),
    });
    const member = JSON.parse(added.body).id as string;
    const group = await t.request('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `RT group ${n++}`,
      members: [{ value: member }],
    });
    assert.equal(group.statusCode, 201, group.body);
    const link = await counted(201, () =>
      t.request('POST', 'Users', user(email, { displayName: 'Grouped' })),
    );
    assert.equal(JSON.parse(link.res.body).id, member);
    assert.equal(JSON.parse(link.res.body).groups.length, 1);
    c.diagnostic(`POST /Users linking an API member in a group: ${link.trips} round trips`);
    assert.ok(link.trips <= 9, `took ${link.trips} round trips`);
  });

  // The IdP's first write of a member it found by a lookup links it (docs/api.md "Members"):
  // the locked path (the link, its event and audit row, then the write as any: 13 when the
  // row, its terms, event and audit row were written apart), once per member; the next PATCH
  // is the usual 3.
  test('PATCH linking an API member, then PATCH of it: at most 8, then 3', async (c) => {
    const { key } = await t.directory.apiKeys.create('rt-patch');
    const added = await t.app.inject({
      method: 'POST',
      url: `/api/v1/orgs/${t.orgId}/members`,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ email: `patched-${n++}@example.com` }),
    });
    const id = JSON.parse(added.body).id as string;
    const patch = (title: string) =>
      t.request('PATCH', `Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: title }],
      });
    const link = await counted(200, () => patch('first'));
    c.diagnostic(`PATCH linking an API member: ${link.trips} round trips`);
    assert.ok(link.trips <= 8, `took ${link.trips} round trips`);
    const next = await counted(200, () => patch('second'));
    c.diagnostic(`PATCH of it once linked: ${next.trips} round trips`);
    assert.ok(next.trips <= 3, `took ${next.trips} round trips`);
  });

  test('POST /Groups without members: at most 3', async () => {
    const group = () => ({ schemas: [GROUP_SCHEMA], displayName: `RT group ${n++}` });
    await counted(201, () => t.request('POST', 'Groups', group()));
    const { trips } = await counted(201, () => t.request('POST', 'Groups', group()));
    assert.ok(trips <= 3, `POST /Groups took ${trips} round trips`);
  });

  test('GET of a user in no group: 1 (the token is read with the user)', async () => {
    const id = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
    await counted(200, () => t.request('GET', `Users/${id}`)); // prepares the statement
    const { trips, res } = await counted(200, () => t.request('GET', `Users/${id}`));
    assert.equal(JSON.parse(res.body).id, id);
    assert.equal(trips, 1, `GET /Users/{id} took ${trips} round trips`);
  });

  test('the userName eq lookup of a user in no group: 1, found or not', async () => {
    const body = newUser();
    JSON.parse((await t.request('POST', 'Users', body)).body);
    const lookup = (name: string) =>
      t.request('GET', `Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);
    await counted(200, () => lookup(body.userName)); // prepares the statement
    const found = await counted(200, () => lookup(body.userName.toUpperCase()));
    assert.equal(JSON.parse(found.res.body).totalResults, 1);
    assert.equal(found.trips, 1, `the userName lookup took ${found.trips} round trips`);
    const missing = await counted(200, () => lookup('nobody@example.com'));
    assert.equal(JSON.parse(missing.res.body).totalResults, 0);
    assert.equal(missing.trips, 1);
  });

  // A user's `groups` (direct and through nested groups) come in the token's statement
  // (user_groups, migration 0290): a GET of a user in a group took 2 when they were read apart.
  test('GET, and the userName eq lookup, of a user in nested groups: 1, with its groups', async () => {
    const body = newUser();
    const id = JSON.parse((await t.request('POST', 'Users', body)).body).id as string;
    const inner = await t.request('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `GET inner ${n++}`,
      members: [{ value: id }],
    });
    const innerId = JSON.parse(inner.body).id as string;
    const outer = await t.request('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `GET outer ${n++}`,
      members: [{ value: innerId }],
    });
    const outerId = JSON.parse(outer.body).id as string;
    const expected = [
      { value: innerId, type: 'direct' },
      { value: outerId, type: 'indirect' },
    ].sort((a, b) => a.value.localeCompare(b.value));
    const groupsOf = (user: { groups?: { value: string; type: string }[] }) =>
      (user.groups ?? [])
        .map((g) => ({ value: g.value, type: g.type }))
        .sort((a, b) => a.value.localeCompare(b.value));
    await counted(200, () => t.request('GET', `Users/${id}`)); // prepares the statement
    const get = await counted(200, () => t.request('GET', `Users/${id}`));
    assert.deepEqual(groupsOf(JSON.parse(get.res.body)), expected);
    assert.equal(get.trips, 1, `GET /Users/{id} of a user in groups took ${get.trips} round trips`);
    const lookup = () =>
      t.request('GET', `Users?filter=${encodeURIComponent(`userName eq "${body.userName}"`)}`);
    await counted(200, lookup);
    const found = await counted(200, lookup);
    const list = JSON.parse(found.res.body);
    assert.equal(list.totalResults, 1);
    assert.deepEqual(groupsOf(list.Resources[0]), expected);
    assert.equal(found.trips, 1, `the userName lookup of a user in groups took ${found.trips} round trips`);
  });

  // The token and the user in one statement (Directory.readAuthenticated), then the write.
  test('PATCH of a user: at most 3 (2: the token with the read, the write)', async (c) => {
    const created = await t.request('POST', 'Users', newUser());
    const id = JSON.parse(created.body).id as string;
    const patch = (title: string) =>
      t.request('PATCH', `Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: title }],
      });
    await counted(200, () => patch('first'));
    const { trips, res } = await counted(200, () => patch('second'));
    c.diagnostic(`PATCH /Users: ${trips} round trips`);
    assert.equal(JSON.parse(res.body).title, 'second');
    assert.ok(trips <= 2, `PATCH /Users took ${trips} round trips`);
  });

  // The user is read in the token's statement (Directory.readAuthenticated), its `groups` with
  // it (user_groups, migration 0290), so a user in a group costs the token with the read, and
  // the write (3 when its groups were read after the write, 4 when the token and the read were
  // two).
  test('PATCH of a user in a group: at most 2', async (c) => {
    const id = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
    const group = await t.request('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `PATCH G ${n++}`,
      members: [{ value: id }],
    });
    assert.equal(group.statusCode, 201, group.body);
    const patch = (title: string) =>
      t.request('PATCH', `Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: title }],
      });
    await counted(200, () => patch('first'));
    const { trips, res } = await counted(200, () => patch('second'));
    c.diagnostic(`PATCH of a user in a group: ${trips} round trips`);
    const body = JSON.parse(res.body);
    assert.equal(body.title, 'second');
    assert.equal(body.groups.length, 1);
    assert.ok(trips <= 2, `PATCH /Users of a user in a group took ${trips} round trips`);
  });

  test('PUT of a user in a group: at most 2', async (c) => {
    const body = newUser();
    const id = JSON.parse((await t.request('POST', 'Users', body)).body).id as string;
    const group = await t.request('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `PUT UG ${n++}`,
      members: [{ value: id }],
    });
    assert.equal(group.statusCode, 201, group.body);
    const put = (title: string) => t.request('PUT', `Users/${id}`, { ...body, title });
    await counted(200, () => put('first'));
    const { trips, res } = await counted(200, () => put('second'));
    c.diagnostic(`PUT of a user in a group: ${trips} round trips`);
    assert.equal(JSON.parse(res.body).title, 'second');
    assert.equal(JSON.parse(res.body).groups.length, 1);
    assert.ok(trips <= 2, `PUT /Users of a user in a group took ${trips} round trips`);
  });

  // The webhook dispatcher wakes at each commit in its process. It keeps the enabled endpoints
  // between polls (src/events/dispatcher.ts): with none enabled, a write costs nothing more.
  test('PATCH of a user beside a webhook dispatcher with no endpoint: still at most 3', async () => {
    const dispatcher = await startDispatcher(t.directory, loadConfig({ WEBHOOK_POLL_MS: '60000' }).events);
    try {
      const id = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
      const patch = (title: string) =>
        t.request('PATCH', `Users/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', path: 'title', value: title }],
        });
      await counted(200, () => patch('first'));
      const { trips } = await counted(200, () => patch('second'));
      assert.ok(trips <= 3, `PATCH /Users beside the dispatcher took ${trips} round trips`);
    } finally {
      await dispatcher.stop();
    }
  });

  // A group rename may move its users' roles (docs/roles.md). In an org without role rules
  // (read with the token, checked again by the write under a share lock of the org's row) it
  // takes the single-statement path of a user's PATCH: 3, where it took 16 with role upkeep.
  test('PATCH of a group rename in an org without role rules: at most 3, its members in the response', async () => {
    const member = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
    const created = await t.request('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `G ${n++}`,
      members: [{ value: member }],
    });
    const id = JSON.parse(created.body).id as string;
    const patch = (name: string) =>
      t.request('PATCH', `Groups/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'displayName', value: name }],
      });
    await counted(200, () => patch(`G ${n++}`));
    const name = `G ${n++}`;
    const { trips, res } = await counted(200, () => patch(name));
    const body = JSON.parse(res.body);
    assert.equal(body.displayName, name);
    assert.deepEqual(
      body.members.map((m: { value: string }) => m.value),
      [member],
    );
    assert.ok(trips <= 3, `PATCH /Groups took ${trips} round trips`);
  });

  // A member added to a group in an org without role rules: no advisory lock, no query for
  // rules above the group (14 with them). The rest: token, BEGIN, the member's key-share lock,
  // the group's lock (with the org's rule count), the row, the nesting check with the member
  // event (one statement on PostgreSQL for a flat group: store/events.ts insertMemberEvents;
  // two before), the group's version, the audit row, COMMIT, and the response's first page of
  // members (2).
  test('PATCH of a group adding a member in an org without role rules: at most 11', async (c) => {
    const created = await t.request('POST', 'Groups', { schemas: [GROUP_SCHEMA], displayName: `G ${n++}` });
    const id = JSON.parse(created.body).id as string;
    const add = async () => {
      const member = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
      const counted200 = await counted(200, () =>
        t.request('PATCH', `Groups/${id}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }],
        }),
      );
      assert.ok(JSON.parse(counted200.res.body).members.some((m: { value: string }) => m.value === member));
      return counted200.trips;
    };
    await add(); // prepares the statements
    const trips = await add();
    c.diagnostic(`PATCH /Groups adding a member: ${trips} round trips`);
    assert.ok(trips <= 11, `PATCH /Groups adding a member took ${trips} round trips`);
  });

  // Deactivation and reactivation take the locked path: the valves judge a deactivation (the
  // window row with the user's held change, then the window's new count), a reactivation
  // supersedes a held deactivation and asks for a seat. The row, its changed terms, the event
  // and the audit row are then one statement (store/resource-writes.ts updateResourceWith), as
  // on the path without a lock, and a deactivation's new valve window is saved by it too:
  // token, BEGIN, the lock, the valves' read (2 for a reactivation), the statement, COMMIT
  // (11 each when the row, its terms, the event, the audit row and the window took 6).
  test('PATCH deactivating, then reactivating a user: at most 6 and 7', async (c) => {
    const setActive = (id: string, active: boolean) =>
      t.request('PATCH', `Users/${id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'active', value: active }],
      });
    const run = async () => {
      const id = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
      const off = await counted(200, () => setActive(id, false));
      assert.equal(JSON.parse(off.res.body).active, false);
      const on = await counted(200, () => setActive(id, true));
      assert.equal(JSON.parse(on.res.body).active, true);
      return { off: off.trips, on: on.trips };
    };
    await run(); // prepares the statements
    const { off, on } = await run();
    c.diagnostic(`PATCH deactivating: ${off} round trips; reactivating: ${on}`);
    assert.ok(off <= 6, `PATCH deactivating took ${off} round trips`);
    assert.ok(on <= 7, `PATCH reactivating took ${on} round trips`);
  });

  // A PUT without a precondition that the valves have no say in (directory/resources.ts
  // replaceDocument) is written as a document PATCH is: the token with the read, the one
  // statement (it took 12: BEGIN, the lock, the held-change check, the row, its terms one by
  // one, the event, the audit row, COMMIT; then 3, the token and the read apart).
  test('PUT of a user: at most 3 (2)', async (c) => {
    const put = async (title: string) => {
      const body = newUser();
      const id = JSON.parse((await t.request('POST', 'Users', body)).body).id as string;
      return counted(200, () => t.request('PUT', `Users/${id}`, { ...body, title }));
    };
    await put('first'); // prepares the statements
    const { trips, res } = await put('Replaced');
    c.diagnostic(`PUT /Users: ${trips} round trips`);
    assert.equal(JSON.parse(res.body).title, 'Replaced');
    assert.ok(trips <= 2, `PUT /Users took ${trips} round trips`);
  });

  // A group's PUT that names its members as they are changes none of them: its first members
  // come with its read, and the write is guarded by the version read (14 before).
  test('PUT of a group renaming it, its members as they are: at most 3', async (c) => {
    const member = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
    const created = await t.request('POST', 'Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: `PUT G ${n++}`,
      members: [{ value: member }],
    });
    const id = JSON.parse(created.body).id as string;
    const put = (name: string) =>
      t.request('PUT', `Groups/${id}`, {
        schemas: [GROUP_SCHEMA],
        displayName: name,
        members: [{ value: member }],
      });
    await counted(200, () => put(`PUT G ${n++}`));
    const name = `PUT G ${n++}`;
    const { trips, res } = await counted(200, () => put(name));
    c.diagnostic(`PUT /Groups: ${trips} round trips`);
    const body = JSON.parse(res.body);
    assert.equal(body.displayName, name);
    assert.deepEqual(
      body.members.map((m: { value: string }) => m.value),
      [member],
    );
    assert.ok(trips <= 3, `PUT /Groups took ${trips} round trips`);
  });

  // A group's PUT that changes its members takes the locked path (setMembers: the members'
  // rows, their events and roles). A group of up to a page reads its members once, which says
  // what stays, goes and comes (the count and the named ones' rows were two reads more), and
  // the row, terms, event and audit row are one statement: token, read, BEGIN, the members'
  // key-share lock, the group's lock, the members read, the removal with its events (2), the
  // addition with its events (2), the statement, its parents' new versions, COMMIT, and the
  // response's members (20 before).
  test('PUT of a group changing its members: at most 14', async (c) => {
    const put = async () => {
      const [a, b] = await Promise.all([
        t.request('POST', 'Users', newUser()),
        t.request('POST', 'Users', newUser()),
      ]);
      const first = JSON.parse(a.body).id as string;
      const second = JSON.parse(b.body).id as string;
      const created = await t.request('POST', 'Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: `PUT M ${n++}`,
        members: [{ value: first }],
      });
      const id = JSON.parse(created.body).id as string;
      const { trips, res } = await counted(200, () =>
        t.request('PUT', `Groups/${id}`, {
          schemas: [GROUP_SCHEMA],
          displayName: `PUT M ${n++}`,
          members: [{ value: second }],
        }),
      );
      assert.deepEqual(
        JSON.parse(res.body).members.map((m: { value: string }) => m.value),
        [second],
      );
      return trips;
    };
    await put(); // prepares the statements
    const trips = await put();
    c.diagnostic(`PUT /Groups changing its members: ${trips} round trips`);
    assert.ok(trips <= 14, `PUT /Groups changing its members took ${trips} round trips`);
  });

  /** Round trips of a list (its second run: the first prepares its statements), and its body. */
  async function listed(query: string) {
    await counted(200, () => t.request('GET', `Users?${query}`));
    const { trips, res } = await counted(200, () => t.request('GET', `Users?${query}`));
    return { trips, body: JSON.parse(res.body) as { totalResults: number; Resources: { id: string }[] } };
  }

  // Lists: the token, then the page; a total that the page cannot tell (a full first page of a
  // filter, any later page, a sorted list) is counted in the page's statement, or right after
  // an `eq` page read by its index. Each list here has more matches than its page.
  test('a full first page of an eq filter: at most 3 (the count after the page; 4 before)', async (c) => {
    for (let i = 0; i < 3; i++) await t.request('POST', 'Users', newUser());
    const { trips, body } = await listed(`filter=${encodeURIComponent('title eq "Engineer"')}&count=2`);
    c.diagnostic(`filter, first page: ${trips} round trips`);
    assert.equal(body.Resources.length, 2);
    assert.ok(body.totalResults > 2);
    assert.ok(trips <= 3, `took ${trips} round trips`);
  });

  test('a later page of a filter, and a sorted list: 2 (the count in the page; 3 before)', async (c) => {
    for (let i = 0; i < 3; i++) await t.request('POST', 'Users', newUser());
    const later = await listed(`filter=${encodeURIComponent('title eq "Engineer"')}&startIndex=2&count=2`);
    c.diagnostic(`filter, later page: ${later.trips} round trips`);
    assert.equal(later.body.Resources.length, 2);
    assert.ok(later.body.totalResults > 3);
    assert.equal(later.trips, 2, `a later page took ${later.trips} round trips`);
    const sorted = await listed('sortBy=userName&sortOrder=descending&count=2');
    c.diagnostic(`sorted list: ${sorted.trips} round trips`);
    assert.equal(sorted.body.Resources.length, 2);
    assert.ok(sorted.body.totalResults > 2);
    assert.equal(sorted.trips, 2, `a sorted list took ${sorted.trips} round trips`);
    // Past the end: no row carries the count, which is then read apart.
    const past = await listed(
      `filter=${encodeURIComponent('title eq "Engineer"')}&startIndex=100000&count=2`,
    );
    assert.equal(past.body.Resources.length, 0);
    assert.ok(past.body.totalResults > 3);
    assert.ok(past.trips <= 3, `past the end took ${past.trips} round trips`);
  });

  // An unfiltered listing (an IdP's import, page after page) reads the org's live count with
  // the token, then its page (3 before: the token, the count, the page).
  test('an unfiltered listing, any page: 2', async (c) => {
    for (let i = 0; i < 4; i++) await t.request('POST', 'Users', newUser());
    for (const query of ['count=2', 'startIndex=3&count=2']) {
      const { trips, body } = await listed(query);
      c.diagnostic(`GET /Users?${query}: ${trips} round trips`);
      assert.equal(body.Resources.length, 2);
      assert.ok(body.totalResults > 4);
      assert.equal(trips, 2, `GET /Users?${query} took ${trips} round trips`);
    }
  });

  // A page of groups shown with their members reads the first members of all of them in one
  // query (src/directory/resources.ts withFirstMembers): token and count, the page, the members
  // (before: token, count, page, and one query per group).
  test('a page of groups with their members: 3, whatever the number of groups', async (c) => {
    const member = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
    for (let i = 0; i < 4; i++) {
      const res = await t.request('POST', 'Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: `LIST G ${n++}`,
        members: [{ value: member }],
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    await counted(200, () => t.request('GET', 'Groups?count=4'));
    const { trips, res } = await counted(200, () => t.request('GET', 'Groups?count=4'));
    c.diagnostic(`GET /Groups?count=4: ${trips} round trips`);
    const body = JSON.parse(res.body) as { Resources: { members?: unknown[] }[] };
    assert.equal(body.Resources.length, 4);
    assert.ok(body.Resources.some((g) => (g.members ?? []).length > 0));
    assert.equal(trips, 3, `GET /Groups took ${trips} round trips`);
  });

  // A DELETE locks its resource and asks the valves (docs/safety-valves.md: the org's window
  // row with the user's held change), then writes the tombstone, its uncounting, terms,
  // memberships, roles, the groups' versions, the valves' new window, the event and the audit
  // row in one statement: token, BEGIN, the lock, the valves' read, the statement, COMMIT (16
  // before; 7 while the window was saved apart).
  test('DELETE of a user in no group: at most 6', async (c) => {
    const remove = async () => {
      const id = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
      const { trips } = await counted(204, () => t.request('DELETE', `Users/${id}`));
      assert.equal((await t.request('GET', `Users/${id}`)).statusCode, 404);
      return trips;
    };
    await remove(); // prepares the statements
    const trips = await remove();
    c.diagnostic(`DELETE /Users: ${trips} round trips`);
    assert.ok(trips <= 6, `DELETE /Users took ${trips} round trips`);
  });

  // A group's: the lock (with the org's rule count, and the groups above it locked in the
  // same statement: store/resources.ts lockGroupForDelete), its members' events (one statement
  // for a flat group, 2 before), the statement (14 before, then 8).
  test('DELETE of a group with a member in an org without role rules: at most 6', async (c) => {
    const remove = async () => {
      const member = JSON.parse((await t.request('POST', 'Users', newUser())).body).id as string;
      const created = await t.request('POST', 'Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: `DEL G ${n++}`,
        members: [{ value: member }],
      });
      const id = JSON.parse(created.body).id as string;
      const { trips } = await counted(204, () => t.request('DELETE', `Groups/${id}`));
      assert.equal((await t.request('GET', `Groups/${id}`)).statusCode, 404);
      const user = JSON.parse((await t.request('GET', `Users/${member}`)).body);
      assert.equal(user.groups, undefined);
      return trips;
    };
    await remove();
    const trips = await remove();
    c.diagnostic(`DELETE /Groups: ${trips} round trips`);
    assert.ok(trips <= 6, `DELETE /Groups took ${trips} round trips`);
  });

  // A group in a parent: the parent, locked with it, loses it and moves its version.
  test('DELETE of a group in a parent group', async (c) => {
    const remove = async () => {
      const child = JSON.parse(
        (await t.request('POST', 'Groups', { schemas: [GROUP_SCHEMA], displayName: `CHILD ${n++}` })).body,
      ).id as string;
      const parent = await t.request('POST', 'Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: `PARENT ${n++}`,
        members: [{ value: child }],
      });
      const parentId = JSON.parse(parent.body).id as string;
      const before = (await t.request('GET', `Groups/${parentId}`)).headers.etag;
      const { trips } = await counted(204, () => t.request('DELETE', `Groups/${child}`));
      const after = await t.request('GET', `Groups/${parentId}`);
      assert.notEqual(after.headers.etag, before);
      assert.deepEqual(JSON.parse(after.body).members ?? [], []);
      return trips;
    };
    await remove();
    const trips = await remove();
    c.diagnostic(`DELETE /Groups of a group in a parent: ${trips} round trips`);
    assert.ok(trips <= 7, `took ${trips} round trips`);
  });
});
