/**
 * PostgreSQL aborts a write transaction now and then for reasons another attempt cures: a
 * deadlock with another session, or a named statement's plan made stale by a schema change
 * (another instance migrating). The directory runs such a transaction again from the start
 * (src/directory/resources.ts write(), src/store/errors.ts isTransientStoreError); the client
 * sees its request succeed, never a 500. PostgreSQL only: SQLite serialises writers and
 * prepares no named statements.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the responses
type Json = any;

if (dialects.includes('postgres')) {
  describe('write transactions PostgreSQL aborted are run again (postgres)', () => {
    let t: TestApp;
    let origin: string;

    before(async () => {
      // No request log: its batched writes would take pooled connections between the requests.
      t = await startTestApp('postgres', { REQUEST_LOG: 'false' });
      await t.app.listen({ port: 0, host: '127.0.0.1' });
      origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    });
    after(async () => {
      await t?.close();
    });

    async function call(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; json: Json }> {
      const res = await fetch(`${origin}${t.base}/${path}`, {
        method,
        headers: {
          ...headers,
          authorization: `Bearer ${t.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : undefined };
    }

    async function created(path: string, body: unknown): Promise<string> {
      const res = await call('POST', path, body);
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return res.json.id as string;
    }

    /** A session of its own on the test's schema. */
    async function session(): Promise<pg.Client> {
      const client = new pg.Client({ connectionString: t.config.databaseUrl });
      await client.connect();
      return client;
    }

    test('a group PATCH chosen as a deadlock victim is run again and succeeds', async () => {
      const member = await created('Users', user('deadlock-member@example.com'));
      const groupId = await created('Groups', { schemas: [GROUP_SCHEMA], displayName: 'Deadlock Group' });
      const other = await session();
      try {
        // This session waits ten seconds before it looks for a deadlock; the PATCH's backend
        // waits the default one second, so it is the one PostgreSQL aborts.
        await other.query("set deadlock_timeout = '10s'");
        const retries = t.directory.resources.stats.transientRetries;
        await other.query('begin');
        await other.query('select pk from resources where id = $1 for update', [groupId]);
        // The PATCH key-share locks the member it names, then waits for the group this session
        // holds (a member before its groups: the order of every write).
        const patched = call('PATCH', `Groups/${groupId}`, {
          schemas: [PATCH_OP],
          Operations: [{ op: 'add', path: 'members', value: [{ value: member }] }],
        });
        const deadline = Date.now() + 10_000;
        for (;;) {
          // The PATCH's backend, waiting for this session (not some other test's lock wait).
          const waiting = await other.query(
            'select 1 from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))',
          );
          if ((waiting.rowCount ?? 0) > 0) break;
          assert.ok(Date.now() < deadline, 'the PATCH never waited for the member row');
          await new Promise((r) => setTimeout(r, 20));
        }
        // Now this session wants the member for update: a cycle, which PostgreSQL breaks by
        // aborting the PATCH, the session that waited first.
        await other.query('select pk from resources where id = $1 for update', [member]);
        await other.query('commit');
        const res = await patched;
        assert.ok(res.status === 200 || res.status === 204, JSON.stringify(res.json));
        assert.equal(
          t.directory.resources.stats.transientRetries,
          retries + 1,
          'the PATCH was run again once',
        );
      } finally {
        await other.end();
      }
      const group = await call('GET', `Groups/${groupId}`);
      assert.deepEqual(
        (group.json.members as Json[]).map((m) => m.value),
        [member],
      );
    });

    // A group's DELETE locks the groups containing it in the statement that locks the group
    // (store/resources.ts lockGroupForDelete), before it writes anything: a member before its
    // groups, the lock order of every write.
    test("a group's DELETE locks its parent groups with its own lock", async () => {
      const child = await created('Groups', { schemas: [GROUP_SCHEMA], displayName: 'Locked Child' });
      const parent = await created('Groups', {
        schemas: [GROUP_SCHEMA],
        displayName: 'Locked Parent',
        members: [{ value: child }],
      });
      const other = await session();
      try {
        await other.query('begin');
        await other.query('select pk from resources where id = $1 for update', [parent]);
        const deleted = call('DELETE', `Groups/${child}`);
        const deadline = Date.now() + 10_000;
        let waiting: string | undefined;
        for (;;) {
          // This session's transaction would keep its first view of pg_stat_activity.
          await other.query('select pg_stat_clear_snapshot()');
          const res = await other.query(
            'select query from pg_stat_activity where pg_backend_pid() = any(pg_blocking_pids(pid))',
          );
          waiting = res.rows[0]?.query;
          if (waiting !== undefined) break;
          assert.ok(Date.now() < deadline, 'the DELETE never waited for the parent group');
          await new Promise((r) => setTimeout(r, 20));
        }
        // The statement that waits is the group's lock, not the delete's own writes.
        assert.match(waiting, /parents_locked/);
        await other.query('commit');
        assert.equal((await deleted).status, 204);
      } finally {
        await other.end();
      }
      const after = await call('GET', `Groups/${parent}`);
      assert.deepEqual(after.json.members ?? [], []);
    });

    // A stale plan must be met INSIDE a transaction for the retry to be needed: the first
    // statement to meet it, in or out of a transaction, moves every connection to new statement
    // names (src/store/pg-statements.ts), and outside a transaction it is sent again there and
    // then. A user's PATCH or PUT reads the user with its token, outside any transaction (the
    // resource columns, so the stale plan would be met there): these requests are the ones
    // whose first statement returning resource columns runs in their transaction. A group's
    // PATCH with If-Match or member operations (its token is read alone, then the row lock),
    // and a DELETE (the token, then the row lock). Sequential, each after a run that prepared
    // its statements: the pool hands out the connection released last, which prepared them.
    test('a write transaction whose named statement went stale (the schema changed) is run again', async () => {
      const members = await Promise.all(
        Array.from({ length: 4 }, (_, i) => created('Users', user(`stale-member-${i}@example.com`))),
      );
      const groups = await Promise.all(
        Array.from({ length: 4 }, (_, i) =>
          created('Groups', { schemas: [GROUP_SCHEMA], displayName: `Stale ${i}` }),
        ),
      );
      const doomed = await Promise.all(
        Array.from({ length: 4 }, (_, i) => created('Users', user(`stale-doomed-${i}@example.com`))),
      );
      // Each group renamed, under If-Match (the even ones) or beside a member operation.
      const patch = (i: number, name: string) =>
        call(
          'PATCH',
          `Groups/${groups[i]}`,
          {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'replace', path: 'displayName', value: `${name} ${i}` },
              ...(i % 2 === 1 ? [{ op: 'add', path: 'members', value: [{ value: members[i] }] }] : []),
            ],
          },
          i % 2 === 0 ? { 'if-match': '*' } : {},
        );
      const patchAll = async (name: string, concurrently: boolean) => {
        const results = concurrently ? await Promise.all(groups.map((_, i) => patch(i, name))) : [];
        if (!concurrently) for (let i = 0; i < groups.length; i++) results.push(await patch(i, name));
        for (const res of results) assert.equal(res.status, 200, JSON.stringify(res.json));
      };
      const remove = async (id: string) => {
        const res = await call('DELETE', `Users/${id}`);
        assert.equal(res.status, 204, JSON.stringify(res.json));
      };
      // Several pooled connections prepare the statements, then the one released last.
      await patchAll('Before', true);
      await patchAll('Before', false);
      const other = await session();
      let altered = false;
      try {
        // Another instance's migration, as far as the prepared plans can tell: a column the
        // statements return changes type, so every connection's plan is stale at once.
        await other.query('alter table resources alter column display_name type varchar(1000)');
        altered = true;
        const beforePatch = t.directory.resources.stats.transientRetries;
        await patchAll('After', false);
        assert.ok(
          t.directory.resources.stats.transientRetries > beforePatch,
          'a group PATCH met the stale plan in its transaction and ran again',
        );
        await patchAll('Again', true);
        // A DELETE, prepared under the new names, then the schema changes back.
        await remove(doomed[0] as string);
        await remove(doomed[1] as string);
        await other.query('alter table resources alter column display_name type text');
        altered = false;
        const beforeDelete = t.directory.resources.stats.transientRetries;
        await remove(doomed[2] as string);
        assert.ok(
          t.directory.resources.stats.transientRetries > beforeDelete,
          'a DELETE met the stale plan in its transaction and ran again',
        );
        await remove(doomed[3] as string);
        await patchAll('Back', true);
      } finally {
        if (altered) await other.query('alter table resources alter column display_name type text');
        await other.end();
      }
      for (const [i, id] of groups.entries()) {
        const group = (await call('GET', `Groups/${id}`)).json;
        assert.equal(group.displayName, `Back ${i}`);
        assert.deepEqual(
          (group.members ?? []).map((m: Json) => m.value),
          i % 2 === 1 ? [members[i]] : [],
        );
      }
      for (const id of doomed) assert.equal((await call('GET', `Users/${id}`)).status, 404);
    });
  });
}
