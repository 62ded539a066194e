/**
 * The example host app (examples/mirror) against the real server process: the Okta and Entra
 * lifecycles (src/conformance/scenarios) and a few more SCIM writes that stay (users, one
 * deactivated and one deleted, a nested group, a member removed) provision two orgs; then
 * both mirrors, one fed by webhooks and one by the pull feed, must hold exactly the directory
 * as the management API reads it: the same users, active flags and group memberships.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ScimitarClient } from '@scimitar/sdk';
import { Mirror, type MirroredMembership, type MirroredUser } from '../../examples/mirror/src/mirror.ts';
import { followFeed, serveWebhooks } from '../../examples/mirror/src/sync.ts';
import { formatScenario } from '../../src/conformance/report.ts';
import { runScenario } from '../../src/conformance/runner.ts';
import { entra } from '../../src/conformance/scenarios/entra.ts';
import { okta } from '../../src/conformance/scenarios/okta.ts';
import { dialects } from '../helpers/dialects.ts';
import { useServerProcesses } from '../helpers/server-process.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

interface Snapshot {
  users: MirroredUser[];
  memberships: MirroredMembership[];
}

const byKey =
  <T>(key: (x: T) => string) =>
  (a: T, b: T) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

/** The directory of one org as the management API reads it. */
async function directoryOf(client: ScimitarClient, orgId: string): Promise<Snapshot> {
  const users: MirroredUser[] = [];
  for await (const u of client.paginate((cursor) => client.listUsers(orgId, { cursor }))) {
    users.push({ orgId, id: u.id, userName: u.userName as string, active: u.active !== false });
  }
  const memberships: MirroredMembership[] = [];
  for await (const g of client.paginate((cursor) => client.listGroups(orgId, { cursor }))) {
    for await (const m of client.paginate((cursor) => client.listGroupMembers(orgId, g.id, { cursor }))) {
      memberships.push({ orgId, groupId: g.id, memberId: m.id, memberType: m.type });
    }
  }
  users.sort(byKey((u) => u.id));
  memberships.sort(byKey((m) => `${m.groupId} ${m.memberId}`));
  return { users, memberships };
}

function mirrored(mirror: Mirror, orgId: string): Snapshot {
  return { users: mirror.users(orgId), memberships: mirror.memberships(orgId) };
}

/** SCIM writes that stay after the lifecycles' cleanup, so the final state is not empty. */
async function provisionMore(base: string, token: string, tag: string) {
  const send = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? (JSON.parse(text) as { id: string }) : { id: '' };
  };
  const users = [];
  for (let i = 0; i < 5; i++) {
    users.push(
      (await send('POST', '/Users', { schemas: [CORE_USER], userName: `${tag}${i}@example.com` })).id,
    );
  }
  const [u0, u1, u2, u3, u4] = users as [string, string, string, string, string];
  const inner = await send('POST', '/Groups', {
    schemas: [CORE_GROUP],
    displayName: `${tag} inner`,
    members: [{ value: u3 }],
  });
  const outer = await send('POST', '/Groups', {
    schemas: [CORE_GROUP],
    displayName: `${tag} outer`,
    members: [{ value: u0 }, { value: u1 }, { value: u4 }],
  });
  const patch = (path: string, ...ops: unknown[]) =>
    send('PATCH', path, { schemas: [PATCH_OP], Operations: ops });
  await patch(`/Groups/${outer.id}`, {
    op: 'add',
    path: 'members',
    value: [{ value: inner.id }, { value: u2 }],
  });
  await patch(`/Groups/${outer.id}`, { op: 'remove', path: `members[value eq "${u1}"]` });
  await patch(`/Groups/${outer.id}`, { op: 'replace', path: 'displayName', value: `${tag} outer, renamed` });
  await patch(`/Users/${u2}`, { op: 'replace', path: 'active', value: false });
  await patch(`/Users/${u1}`, { op: 'replace', path: 'userName', value: `${tag}1-renamed@example.com` });
  await send('DELETE', `/Users/${u4}`);
}

for (const dialect of dialects) {
  describe(`examples/mirror against the real service (${dialect})`, () => {
    const processes = useServerProcesses(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'scim-mirror-'));
    const stopFeed = new AbortController();
    const mirrors: Mirror[] = [];
    let hookServer: Server | undefined;
    let feedDone: Promise<void> | undefined;
    after(async () => {
      stopFeed.abort();
      await feedDone?.catch(() => {});
      hookServer?.closeAllConnections();
      await new Promise((r) => (hookServer ? hookServer.close(r) : r(undefined)));
      for (const m of mirrors) m.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test('the Okta and Entra lifecycles: both modes mirror the directory exactly', async () => {
      const server = await processes.start({
        DATABASE_URL: await processes.databaseUrl(),
        BOOTSTRAP: 'true',
        WEBHOOK_POLL_MS: '50',
      });
      const apiKey = /API key:\s+(\S+)/.exec(server.output())?.[1];
      assert.ok(apiKey, server.output());
      const client = new ScimitarClient({ baseUrl: server.origin, apiKey });

      const byHooks = new Mirror(join(dir, 'webhooks.db'));
      const byFeed = new Mirror(join(dir, 'feed.db'));
      mirrors.push(byHooks, byFeed);
      const hooks = await serveWebhooks(byHooks);
      hookServer = hooks.server;
      const { secret } = await client.createWebhookEndpoint({ url: hooks.url, description: 'mirror test' });
      byHooks.set('webhook_secret', secret);
      feedDone = followFeed(byFeed, client, stopFeed.signal);

      const orgs = [];
      for (const scenario of [okta, entra]) {
        const org = await client.createOrg({
          name: `${scenario.title} tenant`,
          idpProfile: scenario.idp as 'okta',
        });
        orgs.push(org.id);
        const result = await runScenario(scenario, { base: org.scimBaseUrl, token: org.scimToken.token });
        assert.equal(result.failed, 0, `\n${formatScenario(result, { onlyFailures: true })}`);
        await provisionMore(org.scimBaseUrl, org.scimToken.token, scenario.idp);
      }

      for (const orgId of orgs) {
        const want = await directoryOf(client, orgId);
        assert.equal(want.users.length, 4, 'users that stay');
        assert.equal(want.users.filter((u) => !u.active).length, 1);
        assert.equal(want.memberships.length, 4, 'memberships that stay');
        for (const [mode, mirror] of [
          ['webhooks', byHooks],
          ['feed', byFeed],
        ] as const) {
          const end = Date.now() + 90_000;
          while (JSON.stringify(mirrored(mirror, orgId)) !== JSON.stringify(want) && Date.now() < end) {
            await new Promise((r) => setTimeout(r, 100));
          }
          assert.deepEqual(mirrored(mirror, orgId), want, `${mode} mirror of ${orgId}`);
        }
      }
    });
  });
}
