/**
 * Writers wait their turn, never fail for a lock: two server processes on one database and the
 * CLI writing beside them, each a real process of its own. On SQLite the processes share one
 * file (busy timeout, write transactions that take the lock at BEGIN IMMEDIATE); on PostgreSQL,
 * one database. No 5xx, no "database is locked", and If-Match is still honoured: every PATCH is
 * a 200 or a 412.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.ts';
import { runCliProcess } from '../helpers/process.ts';
import { useServerProcesses } from '../helpers/server-process.ts';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PATCHES = 100;
const CLI_RUNS = 4;

for (const dialect of dialects) {
  describe(`write contention between processes on one database (${dialect})`, () => {
    const processes = useServerProcesses(dialect);

    test('two servers take If-Match PATCHes on one user while the CLI creates orgs', async () => {
      const databaseUrl = await processes.databaseUrl();
      const env = { DATABASE_URL: databaseUrl, REQUEST_LOG: 'true' };
      const first = await processes.start({ ...env, BOOTSTRAP: 'true' });
      const second = await processes.start({ ...env, BOOTSTRAP: 'false' });
      const token = /Bearer token:\s+(\S+)/.exec(first.output())?.[1];
      assert.ok(token, first.output());
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
      const bases = [first, second].map((s) => `${s.origin}/scim/v2/default`);

      const created = await fetch(`${bases[0]}/Users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ schemas: [USER], userName: 'contended@example.com' }),
      });
      assert.equal(created.status, 201);
      const id = ((await created.json()) as { id: string }).id;

      const statuses = new Map<number, number>();
      const failures: string[] = [];
      const patchOnce = async (i: number) => {
        const base = bases[i % 2] as string;
        const got = await fetch(`${base}/Users/${id}`, { headers });
        const etag = got.headers.get('etag') ?? '*';
        await got.arrayBuffer();
        const res = await fetch(`${base}/Users/${id}`, {
          method: 'PATCH',
          headers: { ...headers, 'if-match': etag },
          body: JSON.stringify({
            schemas: [PATCH_OP],
            Operations: [{ op: 'replace', path: 'title', value: `t${i}` }],
          }),
        });
        const text = await res.text();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        if (res.status !== 200 && res.status !== 412) failures.push(`PATCH ${i}: ${res.status} ${text}`);
        // A fresh user in each request too: plain writes from both processes at once.
        const post = await fetch(`${base}/Users`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ schemas: [USER], userName: `u${i}@example.com` }),
        });
        const postText = await post.text();
        if (post.status !== 201) failures.push(`POST ${i}: ${post.status} ${postText}`);
      };
      const clis = Array.from({ length: CLI_RUNS }, (_, i) =>
        runCliProcess(
          ['orgs', 'create', `Contended ${i}`, '--json'],
          { DATABASE_URL: databaseUrl },
          {
            timeoutMs: 300_000,
          },
        ),
      );
      const workers = Array.from({ length: 8 }, async (_, w) => {
        for (let i = w; i < PATCHES; i += 8) await patchOnce(i);
      });
      await Promise.all(workers);
      for (const run of await Promise.all(clis)) {
        if (run.code !== 0) failures.push(`orgs create exited ${run.code}: ${run.stderr}${run.stdout}`);
      }
      assert.deepEqual(failures, []);
      assert.ok((statuses.get(200) ?? 0) > 0, JSON.stringify([...statuses]));
      const output = first.output() + second.output();
      assert.doesNotMatch(output, /database is locked|SQLITE_BUSY/);
    });
  });
}
