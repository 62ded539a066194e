/**
 * The console's forms in a real browser (Chromium through playwright-core) against the real
 * server process on loopback, on both dialects:
 *   - pages that show a secret once (a SCIM token, an API key) come from a redirect: reloading
 *     them shows no secret and makes nothing again;
 *   - role rules and settings edited on the org's roles page: the API's refusal of an unknown
 *     group shown at the field, then a rule added, edited and deleted, users' roles moving as
 *     a real SCIM client pushed them;
 *   - a webhook endpoint created with an event-type filter, then edited: a refused URL shown at
 *     its field (at 360 px), then a new URL, org and event types saved.
 * axe-core checks every page in the first dialect's run (serious or critical violations fail),
 * the roles, valves and org pages at 360 px too; no page may scroll sideways at 360 px or log a
 * CSP violation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkPage as check, DESKTOP, PHONE, useBrowser } from '../helpers/browser.ts';
import { dialects } from '../helpers/dialects.ts';
import { useServerProcesses } from '../helpers/server-process.ts';

const PASSWORD = 'a long operator passphrase';
const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const browser = useBrowser();

for (const dialect of dialects) {
  describe(`console forms in Chromium (${dialect})`, () => {
    const servers = useServerProcesses(dialect);
    const shots = dialect === dialects[0];

    test('shown-once pages survive a reload; role rules edited with errors at the field', async () => {
      const server = await servers.start({ DATABASE_URL: await servers.databaseUrl() });
      const origin = server.origin;
      const firstLink = /(http:\/\/\S+\/console\/set-password\/opl_\S+)/.exec(server.output())?.[1];
      assert.ok(firstLink, server.output());
      const problems: string[] = [];
      const ctx = await browser().newContext({ viewport: DESKTOP });
      const page = await ctx.newPage();
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
          problems.push(m.text());
      });
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('dialog', (d) => void d.accept());

      await page.goto(firstLink);
      await page.getByLabel('New password').fill(PASSWORD);
      await page.getByLabel('The same password again').fill(PASSWORD);
      await page.getByRole('button', { name: 'Set password and sign in' }).click();
      await page.waitForURL(`${origin}/console`);
      await page.getByLabel('Name').fill('Initech');
      await page.getByRole('button', { name: 'Create org' }).click();
      await page.waitForURL(/\/console\/orgs\/initech/);

      // A SCIM token: shown once; a reload neither shows it nor makes another.
      const tokens = page.getByRole('region', { name: 'SCIM tokens' }).locator('tbody tr');
      const before = await tokens.count();
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.waitForURL(/\?shown=/);
      const token = (await page.locator('#new-token').textContent())?.trim() ?? '';
      assert.match(token, /^scim_/);
      assert.ok(!page.url().includes(token), 'the secret is not in the URL');
      await page.reload();
      assert.equal(await page.locator('#new-token').count(), 0, 'not shown again');
      await page.getByText('showed once is not shown again').waitFor();
      assert.equal(await tokens.count(), before + 1, 'the reload made no other token');
      await check(page, 'org-token-reloaded', false);

      // An IdP pushes a user in a group.
      const scim = async (path: string, body: unknown) => {
        const res = await fetch(`${origin}/scim/v2/initech/${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        assert.equal(res.status, 201, text);
        return JSON.parse(text) as { id: string };
      };
      const milton = await scim('Users', { schemas: [SCIM_USER], userName: 'milton@initech.example' });
      await scim('Groups', {
        schemas: [SCIM_GROUP],
        displayName: 'Engineering',
        members: [{ value: milton.id }],
      });

      // The roles page: a refused rule shows its message at the field, with what was typed.
      await page.getByRole('link', { name: 'Edit roles and properties' }).click();
      await page.waitForURL(/\/console\/orgs\/initech\/roles$/);
      await check(page, 'org-roles-empty', false);
      await page.getByLabel('Match the IdP group by').selectOption('id');
      await page.getByLabel('Group', { exact: true }).fill('no-such-group');
      await page.getByLabel('Gives the role').selectOption('admin');
      await page.getByRole('button', { name: 'Add the rule' }).click();
      const value = page.getByLabel('Group', { exact: true });
      await page.locator('#rule-value-error').getByText("No group with id 'no-such-group'").waitFor();
      assert.equal(await value.getAttribute('aria-invalid'), 'true');
      assert.equal(await value.inputValue(), 'no-such-group');
      await check(page, 'org-roles-error', shots);

      await page.getByLabel('Match the IdP group by').selectOption('displayName');
      await value.fill('Engineering');
      await page.getByRole('button', { name: 'Add the rule' }).click();
      await page.getByText("Rule added. 1 user's roles changed.").waitFor();
      const rules = page.getByRole('region', { name: 'Role rules' }).locator('tbody tr');
      await page.reload();
      assert.equal(await rules.count(), 1, 'a reload adds no rule');

      // A group the IdP has not pushed: refused at the field until "Not pushed yet" is ticked.
      await value.fill('Contractors');
      await page.getByLabel('Gives the role').selectOption('viewer');
      await page.getByRole('button', { name: 'Add the rule' }).click();
      await page.locator('#rule-value-error').getByText("No group with displayName 'Contractors'").waitFor();
      assert.equal(await value.inputValue(), 'Contractors');
      await page.getByLabel(/^Not pushed yet/).check();
      await page.getByRole('button', { name: 'Add the rule' }).click();
      await page.getByText("Rule added. 0 users' roles changed. No group matches it yet").waitFor();
      assert.equal(await rules.count(), 2);
      await page.getByRole('button', { name: 'Delete the rule Contractors → viewer' }).click();
      await page.getByText("Rule deleted. 0 users' roles changed.").waitFor();
      assert.equal(await rules.count(), 1);

      await page.getByRole('link', { name: 'Edit the rule Engineering → admin' }).click();
      await page.getByRole('heading', { name: 'Edit the rule' }).waitFor();
      await page.getByLabel('Gives the role').selectOption('owner');
      await page.getByRole('button', { name: 'Save the rule' }).click();
      await page.getByText("Rule saved. 1 user's roles changed.").waitFor();
      assert.match((await rules.first().textContent()) ?? '', /owner/);

      await page.getByLabel('When a user matches several rules').selectOption('all');
      await page.getByLabel('Default role').selectOption('viewer');
      await page.getByRole('button', { name: 'Save the settings' }).click();
      await page.getByText('Role settings saved.').waitFor();
      await check(page, 'org-roles', shots);

      await page.goto(`${origin}/console/orgs/initech`);
      assert.ok(await page.getByRole('cell', { name: 'owner', exact: true }).isVisible(), "milton's role");

      await page.goto(`${origin}/console/orgs/initech/roles`);
      await page.getByRole('button', { name: 'Delete the rule Engineering → owner' }).click();
      await page.getByText("Rule deleted. 1 user's roles changed.").waitFor();
      assert.equal(await rules.count(), 0);

      await page.setViewportSize(PHONE);
      await page.reload();
      await check(page, 'org-roles-phone', shots, true);
      await page.goto(`${origin}/console/orgs/initech/valves`);
      await page.getByLabel('Seat cap (active users)').fill('many');
      await page.getByRole('button', { name: 'Save the valve settings' }).click();
      await page.locator('#v-seatCap-error').getByText('Enter a whole number').waitFor();
      await check(page, 'org-valves-phone', shots, true);
      await page.goto(`${origin}/console/orgs/initech?aaction=role_rule.create`);
      await check(page, 'org-phone', false, true);
      await page.setViewportSize(DESKTOP);

      // A webhook endpoint: created with an event-type filter, then edited, a refused URL
      // shown at its field with what was typed.
      await page.goto(`${origin}/console/webhooks`);
      await page.getByLabel('URL', { exact: true }).fill('https://hooks.example.com/scim');
      await page.getByLabel('user.created', { exact: true }).check();
      await page.getByRole('button', { name: 'Create endpoint' }).click();
      await page.locator('#new-secret').waitFor();
      await page.getByRole('link', { name: 'https://hooks.example.com/scim' }).click();
      await page.getByRole('heading', { name: 'Change the endpoint' }).waitFor();
      const url = page.getByLabel('URL', { exact: true });
      assert.equal(await page.getByLabel('user.created', { exact: true }).isChecked(), true);
      await url.fill('ftp://files.example.com/scim');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.locator('#edit-url-error').getByText('must be http:// or https://').waitFor();
      assert.equal(await url.getAttribute('aria-invalid'), 'true');
      assert.equal(await url.inputValue(), 'ftp://files.example.com/scim');
      await page.setViewportSize(PHONE);
      await check(page, 'webhook-edit-error-phone', shots, true);
      await page.setViewportSize(DESKTOP);
      await url.fill('https://hooks.example.com/scim/v2');
      await page.getByLabel('Only this org’s events (an org id; empty: every org)').fill('initech');
      await page.getByLabel('group.created', { exact: true }).check();
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByText('Endpoint changed.').waitFor();
      assert.equal(await url.inputValue(), 'https://hooks.example.com/scim/v2');
      assert.match((await page.locator('dl.facts').textContent()) ?? '', /group\.created, user\.created/);

      // An API key: the same.
      await page.goto(`${origin}/console/api-keys`);
      const keys = page.getByRole('region', { name: 'API keys' }).locator('tbody tr');
      const keysBefore = await keys.count();
      await page.getByLabel('Name').fill('backend');
      await page.getByRole('button', { name: 'Create API key' }).click();
      const key = (await page.locator('#new-key').textContent())?.trim() ?? '';
      assert.match(key, /^sk_/);
      await page.reload();
      assert.equal(await page.locator('#new-key').count(), 0);
      assert.equal(await keys.count(), keysBefore + 1, 'the reload made no other key');
      await check(page, 'api-keys-reloaded', false);

      assert.deepEqual(problems, [], 'no CSP violation or script error on any page');
      await ctx.close();
    });
  });
}
