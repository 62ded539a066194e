/**
 * A group's representation shows each member's `display` (the member's displayName, else its
 * userName). When a member's display changes, the groups that directly contain it get a new
 * version: their ETag moves and If-None-Match with the old one is no longer 304 (RFC 7644
 * §3.14). A write that leaves the display alone moves no group's version.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PATCH_OP, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { GROUP, type Json, type LiveClient, useLiveServer } from '../helpers/live-client.ts';

for (const dialect of dialects) {
  describe(`a member's display change moves its groups' ETags (${dialect})`, () => {
    const live = useLiveServer(dialect);
    let client: LiveClient | undefined;

    /** The answer with its ETag header beside its parsed body. */
    async function call(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<{ status: number; etag: string | null; json: Json }> {
      client ??= await live.client('Display ETags');
      const res = await client.req(method, path, body, headers);
      return { status: res.status, etag: res.headers.get('etag'), json: res.body };
    }

    async function created(path: string, body: unknown): Promise<string> {
      const res = await call('POST', path, body);
      assert.equal(res.status, 201, JSON.stringify(res.json));
      return res.json.id as string;
    }

    async function etag(path: string): Promise<string> {
      const res = await call('GET', path);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.json.meta.version, res.etag);
      return res.etag as string;
    }

    async function replace(path: string, attribute: string, value: unknown) {
      const res = await call('PATCH', path, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: attribute, value }],
      });
      assert.equal(res.status, 200, JSON.stringify(res.json));
    }

    /** `old` is no longer the tag (no 304 for it); the group shows `display` for `member`. */
    async function moved(groupId: string, old: string, member: string, display: string) {
      const res = await call('GET', `Groups/${groupId}`, undefined, { 'if-none-match': old });
      assert.equal(res.status, 200, `If-None-Match ${old}: a member's display changed, so no 304`);
      assert.notEqual(res.etag, old);
      const shown = (res.json.members as Json[]).find((m) => m.value === member);
      assert.equal(shown?.display, display);
    }

    test('renaming a member user moves the ETag of each group that directly contains it', async () => {
      const u = await created('Users', user('display-a@example.com', { displayName: 'Ada' }));
      const g1 = await created('Groups', {
        schemas: [GROUP],
        displayName: 'Display One',
        members: [{ value: u }],
      });
      const g2 = await created('Groups', {
        schemas: [GROUP],
        displayName: 'Display Two',
        members: [{ value: u }],
      });
      const parent = await created('Groups', {
        schemas: [GROUP],
        displayName: 'Display Parent',
        members: [{ value: g1 }],
      });
      const before1 = await etag(`Groups/${g1}`);
      const before2 = await etag(`Groups/${g2}`);
      const beforeParent = await etag(`Groups/${parent}`);

      await replace(`Users/${u}`, 'displayName', 'Ada Lovelace');
      await moved(g1, before1, u, 'Ada Lovelace');
      await moved(g2, before2, u, 'Ada Lovelace');
      // The parent shows g1's display, which did not change.
      assert.equal(await etag(`Groups/${parent}`), beforeParent);

      // A nested group renamed: the group containing it moves.
      await replace(`Groups/${g1}`, 'displayName', 'Display One Renamed');
      await moved(parent, beforeParent, g1, 'Display One Renamed');
    });

    test('a user without displayName shows its userName: changing that moves the group', async () => {
      const u = await created('Users', user('display-b@example.com'));
      const g = await created('Groups', {
        schemas: [GROUP],
        displayName: 'Display B',
        members: [{ value: u }],
      });
      const old = await etag(`Groups/${g}`);
      await replace(`Users/${u}`, 'userName', 'display-b2@example.com');
      await moved(g, old, u, 'display-b2@example.com');
    });

    test('a write that leaves the display alone moves no group', async () => {
      const u = await created('Users', user('display-c@example.com', { displayName: 'Cy' }));
      const g = await created('Groups', {
        schemas: [GROUP],
        displayName: 'Display C',
        members: [{ value: u }],
      });
      const old = await etag(`Groups/${g}`);
      await replace(`Users/${u}`, 'title', 'Engineer');
      // userName changes, but displayName is what the group shows.
      await replace(`Users/${u}`, 'userName', 'display-c2@example.com');
      const res = await call('GET', `Groups/${g}`, undefined, { 'if-none-match': old });
      assert.equal(res.status, 304);
    });
  });
}
