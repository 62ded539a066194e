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
      t = await startTestApp('postgres');
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

    test('a write whose named statement went stale (the schema changed) is run again and succeeds', async () => {
      const ids = await Promise.all(
        Array.from({ length: 6 }, (_, i) => created('Users', user(`stale-${i}@example.com`))),
      );
      // With If-Match the PATCH runs in a transaction under the row lock (a plain one is a
      // single statement, which pg-statements.ts sends again by itself when its plan is stale):
      // the stale plan aborts the transaction, which runs again.
      const patchAll = (title: string) =>
        Promise.all(
          ids.map((id, i) =>
            call(
              'PATCH',
              `Users/${id}`,
              { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: title }] },
              i % 2 === 0 ? { 'if-match': '*' } : {},
            ),
          ),
        );
      const retries = t.directory.resources.stats.transientRetries;
      // Concurrent writes: several pooled connections prepare the row-lock statement.
      for (const res of await patchAll('Before')) assert.equal(res.status, 200, JSON.stringify(res.json));
      const other = await session();
      try {
        // Another instance's migration, as far as the prepared plans can tell: a column the
        // statements return changes type, so every connection's plan is stale at once.
        await other.query('alter table resources alter column display_name type varchar(1000)');
        try {
          for (const res of await patchAll('After')) assert.equal(res.status, 200, JSON.stringify(res.json));
          for (const res of await patchAll('Again')) assert.equal(res.status, 200, JSON.stringify(res.json));
        } finally {
          await other.query('alter table resources alter column display_name type text');
        }
        for (const res of await patchAll('Back')) assert.equal(res.status, 200, JSON.stringify(res.json));
      } finally {
        await other.end();
      }
      for (const id of ids) assert.equal((await call('GET', `Users/${id}`)).json.title, 'Back');
      assert.ok(
        t.directory.resources.stats.transientRetries > retries,
        'some write met a stale plan and ran again',
      );
    });
  });
}
