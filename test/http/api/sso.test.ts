/**
 * An org's SSO connections and domains through the management API and the CLI, on both
 * dialects: OIDC and SAML settings checked, the client secret write-only and sealed at rest,
 * presets' attribute names with overrides, IdP URLs under the SSRF policy, one org per domain,
 * optional DNS verification, another org's connection never reachable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { cliActor } from '../../../src/directory/deps.ts';
import { type ApiTestApp, problemOf, startApiTestApp } from '../../helpers/api.ts';
import { cliIn, cliJsonIn } from '../../helpers/cli.ts';
import { dialects } from '../../helpers/dialects.ts';

/** A base64 body long enough to pass as a certificate's shape (the SAML tests use real ones). */
const CERT = `-----BEGIN CERTIFICATE-----\n${'MIIC'.padEnd(400, 'A')}\n-----END CERTIFICATE-----`;
const CERT2 = `${'MIID'.padEnd(400, 'B')}`;

for (const dialect of dialects) {
  describe(`SSO connections (${dialect})`, () => {
    let t: ApiTestApp;
    let other: string;
    before(async () => {
      t = await startApiTestApp(dialect);
      other = (await t.directory.orgs.create('Other')).org.id;
    });
    after(async () => t?.close());

    const oidc = {
      protocol: 'oidc',
      preset: 'okta',
      jit: true,
      oidc: {
        issuer: 'https://acme.okta.com',
        clientId: 'okta-client',
        clientSecret: 'the-client-secret-123',
      },
      attributes: { userName: 'login' },
    };

    test('OIDC: created with the preset’s names and overrides; the secret is sealed and never shown', async () => {
      const created = await t.api('POST', `/orgs/${t.orgId}/sso/connections`, oidc);
      assert.equal(created.statusCode, 201, created.body);
      const c = created.json();
      assert.match(c.id, /^sso_/);
      assert.equal(created.headers.location, `/api/v1/orgs/${t.orgId}/sso/connections/${c.id}`);
      assert.deepEqual(
        [c.protocol, c.preset, c.name, c.enabled, c.jit, c.matchBy],
        ['oidc', 'okta', 'Okta', true, true, 'email'],
      );
      assert.deepEqual(c.oidc, {
        issuer: 'https://acme.okta.com',
        clientId: 'okta-client',
        scopes: ['openid', 'email', 'profile'],
        clientSecretSet: true,
      });
      assert.equal(c.attributes.email, 'email');
      assert.equal(c.attributes.userName, 'login');
      assert.equal(c.saml, null);
      const { rows } = await sql<
        Record<string, unknown>
      >`select * from sso_connections where id = ${c.id}`.execute(t.directory.database.db);
      assert.ok(!JSON.stringify(rows).includes('the-client-secret-123'), 'sealed at rest');
      for (const path of [`/orgs/${t.orgId}/sso/connections`, `/orgs/${t.orgId}/sso/connections/${c.id}`]) {
        const body = (await t.api('GET', path)).body;
        assert.ok(body.includes(c.id) && !body.includes('the-client-secret-123'));
      }
      const runtime = await t.directory.sso.runtime(t.orgId, c.id);
      assert.equal(runtime.clientSecret, 'the-client-secret-123');

      const patched = await t.api('PATCH', `/orgs/${t.orgId}/sso/connections/${c.id}`, {
        enabled: false,
        oidc: { clientSecret: 'rotated-secret' },
        matchBy: 'nameId',
      });
      assert.equal(patched.statusCode, 200, patched.body);
      assert.deepEqual([patched.json().enabled, patched.json().matchBy], [false, 'nameId']);
      assert.equal((await t.directory.sso.runtime(t.orgId, c.id)).clientSecret, 'rotated-secret');
      assert.equal(patched.json().oidc.issuer, 'https://acme.okta.com', 'what is not named stays');
      // Audited in the change's transaction, by the API key; names of settings, never secrets.
      const audit = await t.api(
        'GET',
        `/orgs/${t.orgId}/audit?resourceType=SsoConnection&resourceId=${c.id}`,
      );
      assert.equal(audit.statusCode, 200, audit.body);
      const entries = audit.json().data as {
        action: string;
        attributes: string[];
        actor: { kind: string };
      }[];
      assert.deepEqual(
        entries.map((e) => e.action),
        ['sso_connection.update', 'sso_connection.create'],
      );
      assert.deepEqual(entries[0]?.attributes, ['enabled', 'matchBy', 'oidc.clientSecret']);
      assert.equal(entries[0]?.actor.kind, 'api_key');
      assert.ok(!audit.body.includes('rotated-secret') && !audit.body.includes('the-client-secret-123'));
    });

    test('bad settings: 400 with a reason; IdP URLs on private addresses: url_not_allowed', async () => {
      const post = (body: unknown) => t.api('POST', `/orgs/${t.orgId}/sso/connections`, body);
      for (const body of [
        { protocol: 'oidc', oidc: { clientId: 'x' } },
        { protocol: 'oidc', oidc: { issuer: 'https://idp.example', clientId: 'x', scopes: ['email'] } },
        { protocol: 'oidc', oidc: { issuer: 'not a url', clientId: 'x' } },
        { protocol: 'oidc', oidc: { issuer: 'http://idp.example', clientId: 'x' } },
        { protocol: 'oidc', saml: { idpEntityId: 'x' } },
        { protocol: 'saml', preset: 'nope' },
        { protocol: 'oidc', preset: 'rippling', oidc: { issuer: 'https://idp.example', clientId: 'x' } },
        {
          protocol: 'saml',
          saml: { idpEntityId: 'e', idpSsoUrl: 'https://idp.example/sso', idpCertificates: ['x'] },
        },
        {
          protocol: 'saml',
          saml: {
            idpEntityId: 'e',
            idpSsoUrl: 'https://idp.example/sso',
            idpCertificates: [CERT, CERT2, CERT],
          },
        },
        { protocol: 'ldap' },
        { protocol: 'oidc', extra: 1 },
      ]) {
        const r = await post(body);
        assert.equal(r.statusCode, 400, `${JSON.stringify(body)} → ${r.body}`);
      }
      for (const issuer of [
        'https://127.0.0.1/',
        'https://10.1.2.3/',
        'https://[::1]/',
        'https://169.254.169.254/',
      ]) {
        const r = await post({ protocol: 'oidc', oidc: { issuer, clientId: 'x' } });
        assert.equal(r.statusCode, 400, issuer);
        assert.equal(problemOf(r).code, 'url_not_allowed', issuer);
      }
    });

    test('SAML: two certificates live; another org cannot see or change the connection', async () => {
      const r = await t.api('POST', `/orgs/${t.orgId}/sso/connections`, {
        protocol: 'saml',
        preset: 'entra',
        saml: {
          idpEntityId: 'https://sts.windows.net/tenant/',
          idpSsoUrl: 'https://login.microsoftonline.com/tenant/saml2',
          idpCertificates: [CERT, CERT2],
          allowIdpInitiated: true,
          idpInitiatedUrl: 'https://app.example.com/login',
        },
      });
      assert.equal(r.statusCode, 201, r.body);
      const c = r.json();
      assert.equal(c.saml.idpCertificates.length, 2);
      assert.equal(c.saml.clockSkewSeconds, 60);
      assert.equal(c.attributes.email, 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress');
      assert.equal((await t.api('GET', `/orgs/${other}/sso/connections/${c.id}`)).statusCode, 404);
      assert.equal(
        (await t.api('PATCH', `/orgs/${other}/sso/connections/${c.id}`, { name: 'x' })).statusCode,
        404,
      );
      assert.equal((await t.api('DELETE', `/orgs/${other}/sso/connections/${c.id}`)).statusCode, 404);
      assert.equal((await t.api('GET', `/orgs/${other}/sso/connections`)).json().data.length, 0);
      assert.equal((await t.api('DELETE', `/orgs/${t.orgId}/sso/connections/${c.id}`)).statusCode, 204);
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/sso/connections/${c.id}`)).statusCode, 404);
    });

    test('domains: one org per domain, pinned to a connection, optional TXT verification', async () => {
      const c = (await t.api('POST', `/orgs/${t.orgId}/sso/connections`, oidc)).json();
      const added = await t.api('POST', `/orgs/${t.orgId}/sso/domains`, {
        domain: 'Acme.Example',
        connectionId: c.id,
      });
      assert.equal(added.statusCode, 201, added.body);
      const d = added.json();
      assert.equal(d.domain, 'acme.example');
      assert.equal(d.verificationRecord.name, '_scimitar.acme.example');
      assert.match(d.verificationRecord.value, /^scimitar-verification=[0-9a-f]{32}$/);
      const taken = await t.api('POST', `/orgs/${other}/sso/domains`, { domain: 'acme.example' });
      assert.equal(taken.statusCode, 409);
      assert.equal(
        (await t.api('POST', `/orgs/${t.orgId}/sso/domains`, { domain: 'not a domain' })).statusCode,
        400,
      );
      assert.equal(
        (await t.api('POST', `/orgs/${other}/sso/domains`, { domain: 'other.example', connectionId: c.id }))
          .statusCode,
        404,
        "another org's connection",
      );
      // No such TXT record in this sandbox's DNS: refused, and the domain stays unverified.
      const verify = await t.api('POST', `/orgs/${t.orgId}/sso/domains/acme.example/verify`);
      assert.equal(verify.statusCode, 400);
      const verified = await t.directory.sso.verifyDomain(cliActor(t.orgId), 'acme.example', async (name) => {
        assert.equal(name, '_scimitar.acme.example');
        return [
          ['unrelated'],
          [d.verificationRecord.value.slice(0, 10), d.verificationRecord.value.slice(10)],
        ];
      });
      assert.ok(verified.verifiedAt);
      const list = (await t.api('GET', `/orgs/${t.orgId}/sso/domains`)).json().data;
      assert.deepEqual(
        list.map((x: { domain: string }) => x.domain),
        ['acme.example'],
      );
      // The domain routes sign-ins to the org's connection.
      const started = await t.directory.signIns.start({ email: 'ada@acme.example', returnTo: '/r' });
      assert.equal((await t.directory.signIns.pending(started.attemptId))?.connectionId, c.id);
      assert.equal((await t.api('DELETE', `/orgs/${t.orgId}/sso/domains/acme.example`)).statusCode, 204);
      assert.equal((await t.api('DELETE', `/orgs/${t.orgId}/sso/domains/acme.example`)).statusCode, 404);
    });

    test('presets list every IdP; the CLI creates, lists and deletes connections and domains', async () => {
      const presets = (await t.api('GET', '/sso/presets')).json().data.map((p: { key: string }) => p.key);
      assert.deepEqual(presets, [
        'generic',
        'okta',
        'entra',
        'google',
        'onelogin',
        'jumpcloud',
        'ping',
        'rippling',
      ]);
      const created = await cliJsonIn(t.env.DATABASE_URL as string, [
        'sso',
        'connections',
        'create',
        other,
        '--protocol',
        'oidc',
        '--preset',
        'google',
        '--issuer',
        'https://accounts.google.com',
        '--client-id',
        'g-client',
        '--jit',
      ]);
      assert.deepEqual([created.preset, created.jit, created.oidc.clientSecretSet], ['google', true, false]);
      const listed = await cliIn(t.env.DATABASE_URL as string, ['sso', 'connections', 'list', other]);
      assert.equal(listed.code, 0);
      assert.match(listed.out, /google/);
      const domain = await cliJsonIn(t.env.DATABASE_URL as string, [
        'sso',
        'domains',
        'add',
        other,
        'other.example',
      ]);
      assert.equal(domain.orgId, other);
      const bad = await cliIn(t.env.DATABASE_URL as string, [
        'sso',
        'connections',
        'create',
        other,
        '--protocol',
        'oidc',
      ]);
      assert.notEqual(bad.code, 0);
      assert.match(bad.err, /oidc\.issuer is required/);
      // The key SSO identities are matched (and JIT users linked) by changes after creation.
      const matchBy = (key: string) => ['sso', 'connections', 'update', other, created.id, '--match-by', key];
      const updated = await cliJsonIn(t.env.DATABASE_URL as string, matchBy('userName'));
      assert.deepEqual([updated.matchBy, updated.jit], ['userName', true]);
      const badKey = await cliIn(t.env.DATABASE_URL as string, matchBy('phone'));
      assert.notEqual(badKey.code, 0);
      assert.match(badKey.err, /matchBy must be one of/);
      assert.deepEqual(
        await cliJsonIn(t.env.DATABASE_URL as string, ['sso', 'connections', 'delete', other, created.id]),
        { deleted: created.id },
      );
    });
  });
}
