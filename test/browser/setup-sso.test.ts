/**
 * Single sign-on in a real browser (Chromium through playwright-core) against the real server
 * process on loopback, on both dialects (one browser for the file):
 *   - the setup wizard's step 2 for Okta (360 px wide): "Start SAML setup" shows the ACS URL and
 *     entity ID; a metadata URL that answers 404 and metadata that is not well-formed are refused
 *     at their fields; the IdP's metadata file chosen in the form is imported; "Test a sign-in"
 *     goes through a SAML IdP on loopback that signs real assertions (test/helpers/saml-idp.ts)
 *     and the page shows what it sent;
 *   - the same step for Entra ID: its SAML page names Okta's connection (open it, or start one
 *     for Entra ID); over OpenID Connect: an issuer that is not http(s) refused at
 *     its field, then a real oidc-provider IdP (test/helpers/upstream-oidc-idp.ts), tested;
 *   - the console's SSO page: the wizard's connections listed, a new SAML connection whose
 *     metadata comes by URL, then tested through the same IdP;
 *   - an operator's "Sign in with SSO" (OPERATOR_SSO_ORG) through the same IdP.
 * axe-core checks every page in the first dialect's run (serious or critical violations fail);
 * the wizard's pages and the console's SSO pages at 360 px must not scroll sideways; no page may
 * log a CSP violation.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { checkPage as check, DESKTOP, PHONE, useBrowser, watchedContext } from '../helpers/browser.ts';
import { dialects } from '../helpers/dialects.ts';
import { type SamlIdpServer, startSamlIdp } from '../helpers/saml-idp.ts';
import { useServerProcesses } from '../helpers/server-process.ts';
import { startUpstreamIdp, type UpstreamIdp } from '../helpers/upstream-oidc-idp.ts';

const PASSWORD = 'a long operator passphrase';
const browser = useBrowser();

/** A free loopback port: the server's PUBLIC_URL must be known before it starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** The field's message, and that the input says it is invalid and points to it. */
async function fieldError(page: Page, field: string, message: RegExp) {
  const error = page.locator(`#${field}-error`);
  await error.waitFor();
  assert.match((await error.textContent()) ?? '', message);
  const input = page.locator(`#${field}`);
  assert.equal(await input.getAttribute('aria-invalid'), 'true', field);
  assert.match((await input.getAttribute('aria-describedby')) ?? '', new RegExp(`${field}-error`));
}

for (const dialect of dialects) {
  describe(`single sign-on in Chromium (${dialect})`, () => {
    const servers = useServerProcesses(dialect);
    const shots = dialect === dialects[0];
    let saml: SamlIdpServer;
    let oidc: UpstreamIdp;
    let origin = '';

    before(async () => {
      const port = await freePort();
      origin = `http://127.0.0.1:${port}`;
      saml = await startSamlIdp();
      oidc = await startUpstreamIdp(`${origin}/sso/oidc/callback`);
    });
    after(async () => {
      await saml?.stop();
      await oidc?.stop();
    });

    test('setup wizard: Okta over SAML, Entra ID over OIDC; the console SSO page', async () => {
      const server = await servers.start({
        DATABASE_URL: await servers.databaseUrl(),
        PORT: new URL(origin).port,
        PUBLIC_URL: origin,
        // Both IdPs and the metadata URL are on loopback.
        SSO_ALLOW_PRIVATE: 'true',
        // Operators sign in through the Ops org's SSO (made below), and are made at the first.
        OPERATOR_SSO_ORG: 'ops',
        OPERATOR_SSO_CREATE: 'true',
      });
      assert.equal(server.origin, origin);
      const firstLink = /(http:\/\/\S+\/console\/set-password\/opl_\S+)/.exec(server.output())?.[1];
      assert.ok(firstLink, server.output());
      const problems: string[] = [];

      // The operator: an org and a setup link.
      const opContext = await watchedContext(browser(), DESKTOP, problems);
      const op = await opContext.newPage();
      await op.goto(firstLink);
      await op.getByLabel('New password').fill(PASSWORD);
      await op.getByLabel('The same password again').fill(PASSWORD);
      await op.getByRole('button', { name: 'Set password and sign in' }).click();
      await op.waitForURL(`${origin}/console`);
      await op.getByLabel('Name').fill('Acme');
      await op.getByRole('button', { name: 'Create org' }).click();
      await op.waitForURL(/\/console\/orgs\/acme/);
      await op.getByRole('button', { name: 'Create setup link' }).click();
      const setupUrl = (await op.locator('#setup-url').textContent())?.trim() ?? '';
      assert.match(setupUrl, /\/setup\/setup_/);

      // The IT admin picks Okta; SSO first: SAML, Okta's usual protocol.
      const adminContext = await watchedContext(browser(), PHONE, problems);
      const admin = await adminContext.newPage();
      await admin.goto(setupUrl);
      await admin.getByRole('button', { name: 'Okta' }).click();
      await admin.waitForURL(/\/sso\/okta$/);
      await check(admin, 'setup-sso-okta-start', false, true);
      await admin.getByRole('button', { name: 'Start SAML setup' }).click();
      await admin.getByText('ACS URL', { exact: true }).waitFor();
      const acs = (await admin.locator('[id^="acs-url-"]').textContent())?.trim() ?? '';
      const entityId = (await admin.locator('[id^="entity-id-"]').textContent())?.trim() ?? '';
      assert.match(acs, new RegExp(`^${origin}/sso/saml/[^/]+/acs$`));
      assert.equal(entityId, acs.replace(/\/acs$/, ''));
      assert.ok(await admin.getByText('Audience URI (SP Entity ID)').first().isVisible(), "Okta's field");
      assert.equal(await admin.getByRole('button', { name: 'Test a sign-in' }).count(), 0, 'not before');
      await check(admin, 'setup-sso-okta-saml', shots, true);

      // Bad input: a metadata URL that answers 404, then metadata that is not well-formed.
      await admin.getByLabel('Metadata URL').fill(`${saml.origin}/no-such-metadata`);
      await admin.getByRole('button', { name: "Save the IdP's metadata" }).click();
      await fieldError(admin, 'metadataUrl', /answered 404/);
      assert.equal(await admin.getByLabel('Metadata URL').inputValue(), `${saml.origin}/no-such-metadata`);
      await check(admin, 'setup-sso-bad-url', false, true);
      await admin.getByLabel('Metadata URL').fill('');
      await admin.getByLabel(/^Metadata XML/).fill('<EntityDescriptor><IDPSSODescriptor>');
      await admin.getByRole('button', { name: "Save the IdP's metadata" }).click();
      await fieldError(admin, 'metadataXml', /not well-formed/);
      await check(admin, 'setup-sso-bad-metadata', shots, true);

      // The IdP's metadata file, read into the form by the page's script.
      await admin.getByLabel(/^Metadata XML/).fill('');
      await admin.getByLabel('Or a metadata file').setInputFiles({
        name: 'okta-metadata.xml',
        mimeType: 'application/xml',
        buffer: Buffer.from(saml.metadata),
      });
      await admin.waitForFunction(
        'document.querySelector("#metadataXml").value.includes("EntityDescriptor")',
      );
      await admin.getByRole('button', { name: "Save the IdP's metadata" }).click();
      await admin.getByText("Saved: Okta's metadata is imported.").waitFor();
      assert.ok(await admin.getByText('https://idp.test/saml').first().isVisible(), "the IdP's entity ID");

      // Test a sign-in: through the IdP's page and back.
      saml.user = {
        nameId: 'ada@acme.example',
        attributes: { email: 'ada@acme.example', firstName: 'Ada', lastName: 'Lovelace' },
      };
      await admin.getByRole('button', { name: 'Test a sign-in' }).click();
      await admin.waitForURL(`${saml.origin}/sso?**`);
      await admin.getByRole('button', { name: 'Sign in as ada@acme.example' }).click();
      await admin.waitForURL(/\/setup\/setup_[^/]+\/sso\/okta\?attempt=sia_/);
      await admin.getByText('The test sign-in worked.').waitFor();
      assert.ok(
        await admin.locator('#test-result dd code', { hasText: 'Lovelace' }).isVisible(),
        'the family name read',
      );
      await check(admin, 'setup-sso-okta-tested', shots, true);

      // Entra ID over OIDC: an issuer that is not http(s), then the real one, then a test.
      await admin.getByRole('link', { name: 'Pick another IdP' }).click();
      await admin.getByRole('button', { name: 'Microsoft Entra ID' }).click();
      await admin.waitForURL(/\/sso\/entra$/);
      // Okta's SAML connection is not Entra ID's: the page offers a new one, and names Okta's.
      await admin.getByText('Acme has this SAML 2.0 connection:').waitFor();
      assert.ok(await admin.getByRole('link', { name: 'Okta SAML' }).isVisible());
      assert.ok(await admin.getByRole('button', { name: 'Start SAML setup' }).isVisible());
      await check(admin, 'setup-sso-entra-saml-other', shots, true);
      await admin.getByRole('link', { name: 'Use OpenID Connect instead' }).click();
      await admin.waitForURL(/\/sso\/entra\?protocol=oidc$/);
      const redirect = (await admin.locator('table').getByText(`${origin}/sso/oidc/callback`).count()) > 0;
      assert.ok(redirect, 'the redirect URI to paste');
      await admin.getByLabel('Issuer').fill('ftp://login.microsoftonline.example/tenant/v2.0');
      await admin.getByLabel('Client ID').fill(oidc.clientId);
      await admin.getByLabel('Client secret').fill(oidc.clientSecret);
      await admin.getByRole('button', { name: 'Save OIDC settings' }).click();
      await fieldError(admin, 'issuer', /must be http/);
      assert.equal(await admin.getByLabel('Client ID').inputValue(), oidc.clientId, 'what was typed is kept');
      await check(admin, 'setup-sso-entra-bad-issuer', false, true);
      await admin.getByLabel('Issuer').fill(oidc.issuer);
      await admin.getByLabel('Client secret').fill(oidc.clientSecret);
      await admin.getByRole('button', { name: 'Save OIDC settings' }).click();
      await admin.getByText("Saved: Microsoft Entra ID's OIDC settings.").waitFor();
      assert.equal(await admin.getByText(oidc.clientSecret).count(), 0, 'the secret is never shown');
      await oidc.setUser({
        sub: 'entra-grace',
        email: 'grace@acme.example',
        email_verified: true,
        given_name: 'Grace',
        family_name: 'Hopper',
      });
      await admin.getByRole('button', { name: 'Test a sign-in' }).click();
      await admin.waitForURL(/\/sso\/entra\?attempt=sia_/);
      await admin.getByText('The test sign-in worked.').waitFor();
      assert.ok(
        await admin.locator('#test-result dd code', { hasText: 'entra-grace' }).isVisible(),
        'the subject',
      );
      await check(admin, 'setup-sso-entra-oidc-tested', shots, true);

      // The console's SSO page: both connections; a new one, its metadata by URL, tested.
      await op.goto(`${origin}/console/orgs/acme/sso`);
      const rows = op.getByRole('region', { name: 'SSO connections' }).locator('tbody tr');
      assert.equal(await rows.count(), 2, 'the wizard made two connections');
      await check(op, 'org-sso', shots);
      await op.getByLabel('IdP').first().selectOption('okta');
      await op.getByLabel('Name').first().fill('Okta staging');
      await op.getByRole('button', { name: 'Create SAML connection' }).click();
      await op.getByRole('heading', { name: 'Okta staging' }).waitFor();
      await op.getByLabel('Metadata URL').fill(`${saml.origin}/nothing`);
      await op.getByRole('button', { name: "Save the IdP's metadata" }).click();
      await fieldError(op, 'metadataUrl', /answered 404/);
      await op.getByLabel('Metadata URL').fill(saml.metadataUrl);
      await op.getByRole('button', { name: "Save the IdP's metadata" }).click();
      await op.getByText('Metadata imported; the connection is on.').waitFor();
      saml.user = { nameId: 'bob@acme.example', attributes: { email: 'bob@acme.example' } };
      await op.getByRole('button', { name: 'Test a sign-in' }).click();
      await op.getByRole('button', { name: 'Sign in as bob@acme.example' }).click();
      await op.waitForURL(/\/console\/orgs\/acme\/sso\/[^/?]+\?attempt=sia_/);
      await op.getByText('The test sign-in worked.').waitFor();
      await check(op, 'org-sso-connection', shots);
      await op.setViewportSize(PHONE);
      await check(op, 'org-sso-connection-phone', false, true);
      await op.goto(`${origin}/console/orgs/acme/sso`);
      assert.equal(await rows.count(), 3);
      await check(op, 'org-sso-phone', false, true);

      // No test made a user.
      await op.goto(`${origin}/console/orgs/acme`);
      assert.equal(await op.getByText('ada@acme.example').count(), 0);

      // The operators' own org (OPERATOR_SSO_ORG) and its SAML connection; then an operator
      // signs in through it: the button's form leads to another origin, which the pages' CSP
      // form-action must not block.
      await op.setViewportSize(DESKTOP);
      await op.goto(`${origin}/console`);
      await op.getByLabel('Name').fill('Ops');
      await op.getByRole('button', { name: 'Create org' }).click();
      await op.waitForURL(/\/console\/orgs\/ops/);
      await op.goto(`${origin}/console/orgs/ops/sso`);
      await op.getByRole('button', { name: 'Create SAML connection' }).click();
      await op.getByLabel('Metadata URL').fill(saml.metadataUrl);
      await op.getByRole('button', { name: "Save the IdP's metadata" }).click();
      await op.getByText('Metadata imported; the connection is on.').waitFor();
      saml.user = { nameId: 'ada@ops.example', attributes: { email: 'ada@ops.example' } };
      const ssoContext = await watchedContext(browser(), DESKTOP, problems);
      const sso = await ssoContext.newPage();
      await sso.goto(`${origin}/console/sign-in`);
      await sso.getByRole('button', { name: 'Sign in with SSO' }).click();
      await sso.getByRole('button', { name: 'Sign in as ada@ops.example' }).click();
      await sso.waitForURL(`${origin}/console`);
      await sso.getByText('ada@ops.example').first().waitFor();
      await ssoContext.close();

      assert.deepEqual(problems, [], 'no CSP violation or script error on any page');
      await opContext.close();
      await adminContext.close();
    });
  });
}
