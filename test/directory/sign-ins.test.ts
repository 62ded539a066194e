/**
 * Sign-in attempts (src/directory/sign-ins.ts), on each database: home-realm discovery by org id,
 * email and domain; returnTo only a path on this origin; complete once, for a live user of the
 * attempt's org and its connection; take once; expiry after 10 minutes by the directory's clock.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { SecretBox } from '../../src/crypto/secret-box.ts';
import { cliActor } from '../../src/directory/deps.ts';
import { Directory } from '../../src/directory/directory.ts';
import { DirectoryError } from '../../src/directory/errors.ts';
import { browserMatches } from '../../src/directory/sign-ins.ts';
import { CORE_USER, USER } from '../../src/scim/schema/definitions.ts';
import { insertSsoConnection, insertSsoDomain } from '../../src/store/sso.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { root } from '../helpers/process.ts';

const at = (iso: string) => new Date(iso).toISOString();

for (const dialect of dialects) {
  describe(`sign-in attempts (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let clock = Date.parse('2026-01-01T10:00:00Z');
    let acme: string;
    let other: string;
    let ada: string;
    let gone: string;
    let stranger: string;

    const connection = async (orgId: string, id: string, created: string, enabled = true) => {
      await insertSsoConnection(t.database.db, {
        id,
        orgId,
        protocol: 'oidc',
        name: id,
        preset: 'generic',
        enabled,
        settings: '{}',
        secrets: null,
        createdAt: at(created),
        updatedAt: at(created),
      });
    };
    const user = async (orgId: string, userName: string, active = true) =>
      (
        await directory.resources.create({ orgId, tokenId: null, requestId: null }, USER, {
          schemas: [CORE_USER],
          userName,
          active,
        })
      ).id;

    before(async () => {
      t = await openTestDatabase(dialect);
      directory = new Directory({
        database: t.database,
        now: () => new Date(clock),
        newId: () => crypto.randomUUID(),
      });
      acme = (await directory.orgs.create('Acme')).org.id;
      other = (await directory.orgs.create('Other')).org.id;
      await connection(acme, 'sso_disabled', '2026-01-01T08:00:00Z', false);
      await connection(acme, 'sso_first', '2026-01-01T09:00:00Z');
      await connection(acme, 'sso_second', '2026-01-01T09:30:00Z');
      await connection(other, 'sso_other', '2026-01-01T09:00:00Z');
      const domain = (d: string, orgId: string, connectionId: string | null) =>
        insertSsoDomain(t.database.db, {
          domain: d,
          orgId,
          connectionId,
          verifyToken: 'x',
          verifiedAt: null,
          createdAt: at('2026-01-01T09:00:00Z'),
        });
      assert.equal(await domain('acme.example', acme, null), true);
      assert.equal(await domain('eu.acme.example', acme, 'sso_second'), true);
      assert.equal(await domain('other.example', other, null), true);
      // One org per domain, deployment-wide.
      assert.equal(await domain('acme.example', other, null), false);
      ada = await user(acme, 'ada@acme.example');
      gone = await user(acme, 'gone@acme.example', false);
      stranger = await user(other, 'eve@other.example');
    });
    after(async () => {
      await directory.close();
      await t.cleanup();
    });

    const code = async (work: Promise<unknown>) => {
      try {
        await work;
      } catch (error) {
        assert.ok(error instanceof DirectoryError, String(error));
        return error.code;
      }
      assert.fail('expected a DirectoryError');
    };

    test('home-realm discovery: org id, email domain, domain; the domain may pin a connection', async () => {
      const byOrg = await directory.signIns.start({ orgId: acme, returnTo: '/oidc/resume/1' });
      assert.match(byOrg.attemptId, /^sia_[A-Za-z0-9_-]{32}$/);
      assert.equal(byOrg.redirectTo, `/sso/begin/${byOrg.attemptId}`);
      // The browser binding: only its secret matches the attempt.
      const p0 = await directory.signIns.pending(byOrg.attemptId);
      assert.ok(p0 && browserMatches(p0, byOrg.browserSecret));
      assert.ok(p0 && !browserMatches(p0, `${byOrg.browserSecret}x`));
      assert.ok(p0 && !browserMatches(p0, undefined));
      // The oldest enabled connection, not the older disabled one.
      assert.equal((await directory.signIns.pending(byOrg.attemptId))?.connectionId, 'sso_first');

      const byEmail = await directory.signIns.start({ email: 'Ada@ACME.example', returnTo: '/r' });
      const p = await directory.signIns.pending(byEmail.attemptId);
      assert.deepEqual([p?.orgId, p?.connectionId, p?.returnTo], [acme, 'sso_first', '/r']);

      const pinned = await directory.signIns.start({ domain: 'EU.acme.example.', returnTo: '/r' });
      assert.equal((await directory.signIns.pending(pinned.attemptId))?.connectionId, 'sso_second');
      const both = await directory.signIns.start({ orgId: other, email: 'x@other.example', returnTo: '/r' });
      assert.equal((await directory.signIns.pending(both.attemptId))?.orgId, other);
    });

    test('unknown org, unknown domain, no enabled connection, a domain of another org: refused', async () => {
      assert.equal(await code(directory.signIns.start({ orgId: 'nope', returnTo: '/r' })), 'not_found');
      assert.equal(
        await code(directory.signIns.start({ email: 'a@unknown.example', returnTo: '/r' })),
        'not_found',
      );
      const bare = (await directory.orgs.create('Bare')).org.id;
      assert.equal(await code(directory.signIns.start({ orgId: bare, returnTo: '/r' })), 'not_found');
      assert.equal(
        await code(directory.signIns.start({ orgId: other, email: 'ada@acme.example', returnTo: '/r' })),
        'invalid_request',
      );
      assert.equal(await code(directory.signIns.start({ returnTo: '/r' })), 'invalid_request');
      assert.equal(
        await code(directory.signIns.start({ email: 'no-domain', returnTo: '/r' })),
        'invalid_request',
      );
      assert.equal(
        await code(directory.signIns.start({ domain: 'bad domain', returnTo: '/r' })),
        'invalid_request',
      );
      assert.equal(
        await code(directory.signIns.start({ email: `a@${'x'.repeat(400)}.example`, returnTo: '/r' })),
        'invalid_request',
      );
    });

    test('returnTo must be a path on this origin', async () => {
      for (const returnTo of [
        'https://evil.example/',
        '//evil.example/x',
        '/\\evil.example',
        'resume',
        '',
        '/a\nb',
        `/${'a'.repeat(2048)}`,
        'javascript:alert(1)',
      ]) {
        assert.equal(
          await code(directory.signIns.start({ orgId: acme, returnTo })),
          'invalid_request',
          returnTo,
        );
      }
    });

    test('complete once, then take once; the browser goes to returnTo with the attempt', async () => {
      const s = await directory.signIns.start({ orgId: acme, returnTo: '/oidc/resume/abc?x=1#frag' });
      assert.equal(await directory.signIns.take(s.attemptId), null, 'not completed yet');
      assert.equal(await directory.signIns.setFlow(s.attemptId, 'sealed-state'), true);
      assert.equal((await directory.signIns.pending(s.attemptId))?.flow, 'sealed-state');
      const done = await directory.signIns.complete(s.attemptId, {
        userId: ada,
        connectionId: 'sso_first',
        claims: { email: 'ada@acme.example' },
      });
      assert.equal(done.redirectTo, `/oidc/resume/abc?x=1&attempt=${s.attemptId}`);
      assert.equal(await directory.signIns.pending(s.attemptId), undefined);
      assert.equal(await directory.signIns.setFlow(s.attemptId, 'late'), false);
      assert.equal(
        await code(directory.signIns.complete(s.attemptId, { userId: ada, connectionId: 'sso_first' })),
        'not_found',
      );
      const taken = await directory.signIns.take(s.attemptId);
      assert.deepEqual(taken, {
        orgId: acme,
        userId: ada,
        connectionId: 'sso_first',
        completedAt: new Date(clock).toISOString(),
        claims: { email: 'ada@acme.example' },
      });
      assert.equal(await directory.signIns.take(s.attemptId), null, 'single use');
    });

    test('concurrent takes: exactly one gets the attempt', async () => {
      const s = await directory.signIns.start({ orgId: acme, returnTo: '/r' });
      await directory.signIns.complete(s.attemptId, { userId: ada, connectionId: 'sso_first' });
      const results = await Promise.all(Array.from({ length: 8 }, () => directory.signIns.take(s.attemptId)));
      assert.equal(results.filter((r) => r !== null).length, 1);
    });

    test('complete refuses another org’s user, a deactivated user, another connection, unknown ids', async () => {
      const s = await directory.signIns.start({ orgId: acme, returnTo: '/r' });
      const complete = (userId: string, connectionId = 'sso_first') =>
        code(directory.signIns.complete(s.attemptId, { userId, connectionId }));
      assert.equal(await complete(stranger), 'not_found');
      assert.equal(await complete(gone), 'invalid_request');
      assert.equal(await complete(ada, 'sso_second'), 'not_found');
      assert.equal(await complete(ada, 'sso_other'), 'not_found');
      assert.equal(
        await code(directory.signIns.complete('sia_nope', { userId: ada, connectionId: 'sso_first' })),
        'not_found',
      );
      assert.equal(
        await code(
          directory.signIns.complete(s.attemptId, {
            userId: ada,
            connectionId: 'sso_first',
            claims: { big: 'x'.repeat(20_000) },
          }),
        ),
        'invalid_request',
      );
      assert.equal(await directory.signIns.take(s.attemptId), null, 'nothing completed it');
      assert.equal(await directory.signIns.take('not an id'), null);
    });

    test('attempts expire after 10 minutes: no complete, no take; expired ones are pruned', async () => {
      const s = await directory.signIns.start({ orgId: acme, returnTo: '/r' });
      const late = await directory.signIns.start({ orgId: acme, returnTo: '/r' });
      await directory.signIns.complete(late.attemptId, { userId: ada, connectionId: 'sso_first' });
      clock += 10 * 60 * 1000;
      assert.equal(await directory.signIns.pending(s.attemptId), undefined);
      assert.equal(
        await code(directory.signIns.complete(s.attemptId, { userId: ada, connectionId: 'sso_first' })),
        'not_found',
      );
      assert.equal(await directory.signIns.take(late.attemptId), null);
      const rows = async () =>
        Number(
          (
            await t.database.db
              .selectFrom('sign_in_attempts')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('id', 'in', [s.attemptId, late.attemptId])
              .executeTakeFirstOrThrow()
          ).n,
        );
      assert.equal(await rows(), 2);
      clock += 61 * 60 * 1000;
      await directory.signIns.start({ orgId: acme, returnTo: '/r' });
      assert.equal(await rows(), 0);
    });

    test('JIT: concurrent first sign-ins of one person create one user and all sign in as it', async () => {
      const c = await directory.sso.create(cliActor(acme), {
        protocol: 'saml',
        jit: true,
        saml: {
          idpEntityId: 'https://idp.test',
          idpSsoUrl: 'https://idp.test/sso',
          idpCertificates: [readFileSync(`${root}test/fixtures/saml/idp-a.crt`, 'utf8')],
        },
      });
      const identity = { nameId: 'n-1', attributes: { email: 'new@acme.example', firstName: 'New' } };
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () => directory.ssoUsers.resolve(c, identity)),
      );
      const ids = new Set(outcomes.map((o) => (o.kind === 'user' ? o.userId : o.kind)));
      assert.equal(ids.size, 1, JSON.stringify(outcomes));
      assert.equal(outcomes.filter((o) => o.kind === 'user' && o.created).length, 1);
    });

    test('the deployment key seals and opens; a box of another key cannot open', async () => {
      const box = await directory.secrets.secretBox();
      const sealed = box.seal('client-secret');
      assert.notEqual(sealed, 'client-secret');
      assert.equal(box.open(sealed), 'client-secret');
      // A second directory on the same database reads the same generated key.
      const second = new Directory({ database: t.database, now: () => new Date(), newId: () => 'x' });
      assert.equal((await second.secrets.secretBox()).open(sealed), 'client-secret');
      assert.throws(() => new SecretBox('k'.repeat(40)).open(sealed));
    });
  });
}

describe('SECRET_KEY', () => {
  test('SECRET_KEY, or WEBHOOK_SECRET_KEY as its older name; both must agree; at least 32 characters', async () => {
    const { ConfigError, loadConfig } = await import('../../src/config.ts');
    const key = 'k'.repeat(32);
    assert.equal(loadConfig({ SECRET_KEY: key }).secretKey, key);
    assert.equal(loadConfig({ WEBHOOK_SECRET_KEY: key }).secretKey, key);
    assert.equal(loadConfig({ SECRET_KEY: key, WEBHOOK_SECRET_KEY: key }).secretKey, key);
    assert.equal(loadConfig({}).secretKey, undefined);
    assert.throws(() => loadConfig({ SECRET_KEY: key, WEBHOOK_SECRET_KEY: `${key}x` }), ConfigError);
    assert.throws(() => loadConfig({ SECRET_KEY: 'short' }), /SECRET_KEY must be at least 32/);
    assert.throws(
      () => loadConfig({ WEBHOOK_SECRET_KEY: 'short' }),
      /WEBHOOK_SECRET_KEY must be at least 32/,
    );
  });
});
