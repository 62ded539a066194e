/**
 * The setup-link journey in a real browser (Chromium through playwright-core) against the real
 * server process on loopback, on both dialects (one browser for the file):
 *   1. the first start prints a one-time link; the operator sets a password, signs in with the
 *      keyboard alone, creates an org and a setup link;
 *   2. the IT admin (another browser context, 360 px wide) opens the link and picks Entra ID;
 *   3. makes a token, and src/conformance's Entra scenario runs against it;
 *   4. the page turns "connected" and lists the synced users (htmx, under the strict CSP);
 *   5. the operator sees the same in the console, revokes the link, and the link stops working.
 * axe-core checks every page in the first dialect's run (serious or critical violations fail);
 * no page scrolls sideways at 360 px; no page logs a CSP violation. Screenshots:
 * test/helpers/browser.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runScenario } from '../../src/conformance/runner.ts';
import { entra } from '../../src/conformance/scenarios/entra.ts';
import { checkPage as check, DESKTOP, PHONE, useBrowser, watchedContext } from '../helpers/browser.ts';
import { dialects } from '../helpers/dialects.ts';
import { useServerProcesses } from '../helpers/server-process.ts';

const PASSWORD = 'a long operator passphrase';
const browser = useBrowser();

for (const dialect of dialects) {
  describe(`setup-link journey in Chromium (${dialect})`, () => {
    const servers = useServerProcesses(dialect);
    const shots = dialect === dialects[0];

    test('operator → setup link → IT admin with Entra ID → connected → revoked', async () => {
      const server = await servers.start({
        DATABASE_URL: await servers.databaseUrl(),
      });
      const origin = server.origin;
      const firstLink = /(http:\/\/\S+\/console\/set-password\/opl_\S+)/.exec(server.output())?.[1];
      assert.ok(firstLink, `the first start prints the operator's link:\n${server.output()}`);
      const problems: string[] = [];

      // 1. The operator: the one-time link, then sign-in by keyboard, an org and a setup link.
      const operatorContext = await watchedContext(browser(), DESKTOP, problems);
      const op = await operatorContext.newPage();
      await op.goto(firstLink);
      await check(op, 'set-password', shots);
      await op.getByLabel('New password').fill(PASSWORD);
      await op.getByLabel('The same password again').fill(PASSWORD);
      await op.getByRole('button', { name: 'Set password and sign in' }).click();
      await op.waitForURL(`${origin}/console`);
      await op.getByRole('button', { name: 'Sign out' }).click();
      await op.waitForURL(/\/console\/sign-in$/);
      await check(op, 'sign-in', shots);
      await op.getByLabel('Email').focus();
      await op.keyboard.type('admin@localhost');
      await op.keyboard.press('Tab');
      await op.keyboard.type(PASSWORD);
      await op.keyboard.press('Enter');
      await op.waitForURL(`${origin}/console`);
      await op.getByLabel('Name').fill('Contoso');
      await op.getByRole('button', { name: 'Create org' }).click();
      await op.waitForURL(/\/console\/orgs\/contoso/);
      await op.getByRole('button', { name: 'Create setup link' }).click();
      const setupUrl = (await op.locator('#setup-url').textContent())?.trim() ?? '';
      assert.match(setupUrl, /^http:\/\/127\.0\.0\.1:\d+\/setup\/setup_/);
      await check(op, 'org-new', shots);

      // 2. The IT admin, on a phone-sized screen, with no session of any kind.
      const adminContext = await watchedContext(browser(), PHONE, problems);
      const admin = await adminContext.newPage();
      await admin.goto(setupUrl);
      await check(admin, 'setup-pick-idp', shots, true);
      await admin.getByRole('button', { name: 'Microsoft Entra ID' }).click();
      // Step 2, single sign-on, can wait (test/browser/setup-sso.test.ts plays it): on to SCIM.
      await admin.waitForURL(/\/sso\/entra$/);
      await admin.getByRole('link', { name: 'Next: user provisioning (SCIM)' }).click();
      await admin.waitForURL(/\/scim\/entra$/);
      await admin.getByRole('button', { name: 'Make a SCIM token' }).click();
      await admin.waitForURL(/\/scim\/entra\?shown=/);
      const token = (await admin.locator('#new-token').textContent())?.trim() ?? '';
      const base = (await admin.locator('#base-url').textContent())?.trim() ?? '';
      assert.match(token, /^scim_/);
      assert.ok(!admin.url().includes(token), 'the token is not in the URL');
      assert.equal(base, `${origin}/scim/v2/contoso`);
      await admin.locator('#status').getByText('Waiting for your IdP').waitFor();
      await check(admin, 'setup-entra-token', shots, true);
      // A reload neither shows the token again nor makes another (post/redirect/get).
      await admin.reload();
      assert.equal(await admin.locator('#new-token').count(), 0, 'not shown again');
      await admin.getByText('reloading the page made no new one').waitFor();
      for (const text of ['Tenant URL', 'Secret Token', 'Test Connection']) {
        assert.ok(await admin.getByText(text).first().isVisible(), text);
      }

      // 3. Entra ID, played by the recorded scenario, with the token the page made.
      const result = await runScenario(entra, { base, token, keep: true });
      const failed = result.steps.filter((s) => !s.passed).map((s) => `${s.name}: ${s.reasons.join('; ')}`);
      assert.deepEqual(failed, [], 'the Entra scenario passes against the new token');

      // 4. The page turns connected by itself and lists who was synced.
      await admin.locator('#status').getByText('Connected').waitFor({ timeout: 20_000 });
      await admin.locator('#status .users').waitFor({ timeout: 20_000 });
      const synced = await admin.locator('#status .users').textContent();
      assert.match(
        synced ?? '',
        /grace\.[0-9a-f]+@entra\.example\.com/,
        'the manager Entra created is listed',
      );
      await check(admin, 'setup-connected', shots, true);

      // 5. The operator sees it, revokes the link; the link stops working.
      await op.goto(`${origin}/console/orgs/contoso`);
      assert.ok(await op.getByText('Connected').first().isVisible());
      assert.ok(
        await op
          .getByText(/grace\.[0-9a-f]+@entra\.example\.com/)
          .first()
          .isVisible(),
      );
      await check(op, 'org-connected', shots);
      const prefix = setupUrl
        .split('/')
        .pop()
        ?.slice(0, 'setup_'.length + 6);
      await op.getByRole('button', { name: `Revoke link ${prefix}` }).click();
      await op.getByText('Setup link revoked').waitFor();
      await admin
        .locator('#status')
        .getByText('This setup link no longer works')
        .waitFor({ timeout: 20_000 });
      await admin.goto(setupUrl);
      assert.ok(await admin.getByRole('heading', { name: 'This setup link does not work' }).isVisible());
      await check(admin, 'setup-revoked', shots, true);

      // The other console pages pass axe too.
      await op.goto(`${origin}/console/webhooks`);
      await check(op, 'webhooks', shots);
      await op.goto(`${origin}/console/api-keys`);
      await op.getByLabel('Name').fill('backend');
      await op.getByRole('button', { name: 'Create API key' }).click();
      await op.locator('#new-key').waitFor();
      await check(op, 'api-keys', shots);

      // The console at 360 px too.
      await op.setViewportSize(PHONE);
      await op.goto(`${origin}/console`);
      await check(op, 'orgs-phone', shots, true);

      assert.deepEqual(problems, [], 'no CSP violation or script error on any page');
      await operatorContext.close();
      await adminContext.close();
    });
  });
}
