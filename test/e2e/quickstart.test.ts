/**
 * The README's quickstart, as a new user runs it: start the real server process on a loopback
 * port (the first start with `npm start`'s own command line), read the printed SCIM base URL and token, create a user and find it by filter, and
 * read the org through the management API with the printed API key.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.ts';
import { stop, useServerProcesses } from '../helpers/server-process.ts';

for (const dialect of dialects) {
  describe(`quickstart over real HTTP (${dialect})`, () => {
    const processes = useServerProcesses(dialect);

    test('first start prints a base URL and token that work; the second start prints none', async () => {
      const databaseUrl = await processes.databaseUrl();
      // The README's `npm start`, its command line exactly (through tsx, not compiled).
      const first = await processes.start({ DATABASE_URL: databaseUrl }, { npmStart: true });
      const base = /SCIM base URL:\s+(\S+)/.exec(first.output())?.[1];
      const token = /Bearer token:\s+(\S+)/.exec(first.output())?.[1];
      assert.ok(base && token, first.output());
      assert.match(base, /^http:\/\/127\.0\.0\.1:\d+\/scim\/v2\/default$/);

      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' };
      const created = await fetch(`${base}/Users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'bjensen@example.com',
          name: { givenName: 'Barbara', familyName: 'Jensen' },
          emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
        }),
      });
      assert.equal(created.status, 201);
      assert.match(created.headers.get('content-type') ?? '', /application\/scim\+json/);
      const id = ((await created.json()) as { id: string }).id;

      const q2 = new URLSearchParams({ filter: 'emails[type eq "work" and value eq "BJENSEN@example.com"]' });
      const ok = await fetch(`${base}/Users?${q2}`, { headers });
      assert.equal(ok.status, 200);
      const list = (await ok.json()) as { totalResults: number; Resources: { id: string }[] };
      assert.equal(list.totalResults, 1);
      assert.equal(list.Resources[0]?.id, id);

      // The management API key printed beside the token reads the same directory.
      const apiBase = /API base URL:\s+(\S+)/.exec(first.output())?.[1];
      const apiKey = /API key:\s+(\S+)/.exec(first.output())?.[1];
      assert.ok(apiBase && apiKey, first.output());
      assert.match(apiKey, /^sk_[A-Za-z0-9_-]{43}$/);
      const orgs = await fetch(`${apiBase}/orgs`, { headers: { authorization: `Bearer ${apiKey}` } });
      assert.equal(orgs.status, 200);
      assert.deepEqual(
        ((await orgs.json()) as { data: { id: string }[] }).data.map((o) => o.id),
        ['default'],
      );

      await stop(first.child);
      const second = await processes.start({ DATABASE_URL: databaseUrl });
      assert.doesNotMatch(second.output(), /Bearer token|API key/);
      const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(second.output())?.[1];
      const again = await fetch(`http://127.0.0.1:${port}/scim/v2/default/Users/${id}`, { headers });
      assert.equal(again.status, 200, 'the token printed once keeps working across restarts');
    });
  });
}
