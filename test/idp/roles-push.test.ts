/**
 * Okta's recorded Push Groups lifecycle (src/conformance/scenarios/okta.ts) over real HTTP, on
 * each database, in an org whose rules map its group to roles by displayName: the pushes move
 * users between roles (add, add-and-remove in one PATCH, a no-path rename, a full push, an
 * empty push, the unlink DELETE), and the app sees each change once, as one
 * `user.roles_changed` event whose `before` is the previous event's `after`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatScenario } from '../../src/conformance/report.ts';
import { runScenario } from '../../src/conformance/runner.ts';
import { okta } from '../../src/conformance/scenarios/okta.ts';
import { dialects } from '../helpers/dialects.ts';
import { outboxReader } from '../helpers/outbox.ts';
import { type LiveServer, startLiveServer } from './server.ts';

for (const dialect of dialects) {
  describe(`an IdP's group pushes move users between roles (${dialect})`, () => {
    let server: LiveServer;
    before(async () => {
      server = await startLiveServer(dialect);
    });
    after(async () => {
      await server?.close();
    });

    test('Okta Push Groups: every roles change once, in order, chained', async () => {
      const { base, token } = await server.org('Okta roles tenant', 'okta');
      const orgId = base.split('/').pop() as string;
      const roles = server.directory.roles;
      // The group's names are the scenario's, without its per-run suffix, so rules can name them.
      const scenario = {
        ...okta,
        vars: (run: string) => ({ ...okta.vars(run), groupName: 'Pilots', groupRenamed: 'Astronauts' }),
      };
      // Set up before Okta pushes the groups: allowed explicitly (docs/roles.md).
      const ahead = { match: 'displayName', allowUnknownGroup: true } as const;
      await roles.addRule(orgId, { ...ahead, value: 'Pilots', role: 'member' });
      await roles.addRule(orgId, { ...ahead, value: 'Astronauts', role: 'admin' });
      await roles.updateSettings(orgId, { defaultRole: 'viewer' });
      const fresh = outboxReader(() => server.directory.database.db);
      await fresh();

      const result = await runScenario(scenario, { base, token });
      assert.equal(result.failed, 0, `\n${formatScenario(result, { onlyFailures: true })}`);

      const byUser = new Map<string, string[]>();
      for (const e of await fresh()) {
        if (e.type !== 'user.roles_changed' || e.orgId !== orgId) continue;
        const d = e.data as { before: string[]; after: string[] };
        const seen = byUser.get(e.resourceId as string) ?? [];
        const last = seen[seen.length - 1];
        const from = d.before.join('+');
        if (last !== undefined) assert.equal(from, last.split('→')[1], 'before is the previous after');
        assert.notEqual(from, d.after.join('+'), 'an event only for a real change');
        seen.push(`${from}→${d.after.join('+')}`);
        byUser.set(e.resourceId as string, seen);
      }
      assert.deepEqual([...byUser.values()].map((s) => s.join(', ')).sort(), [
        // The second user: added by the add-and-remove PATCH; the rename moves it; the empty push.
        'viewer→member, member→admin, admin→viewer',
        // The first user: added; removed in the add-and-remove PATCH; back by the full push
        // (the group renamed by then); out by the empty push.
        'viewer→member, member→viewer, viewer→admin, admin→viewer',
      ]);
    });
  });
}
