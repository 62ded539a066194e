import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/cli.ts';
import { Directory } from '../../src/directory/directory.ts';
import { dialects, openTestDatabase } from '../helpers/dialects.ts';

async function cli(url: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { DATABASE_URL: url, PUBLIC_URL: 'https://scim.example.com' },
    {
      out: (t) => {
        out += t;
      },
      err: (t) => {
        err += t;
      },
    },
  );
  return { code, out, err };
}

for (const dialect of dialects) {
  describe(`CLI (${dialect})`, () => {
    let url: string;
    let cleanup: () => Promise<void>;
    before(async () => {
      const t = await openTestDatabase(dialect);
      await t.database.close();
      url = t.url;
      cleanup = t.cleanup;
    });
    after(async () => cleanup());

    test('orgs create --json prints the org, its SCIM base URL and a working token', async () => {
      const res = await cli(url, 'orgs', 'create', 'Acme Corp', '--json');
      assert.equal(res.code, 0, res.err);
      const org = JSON.parse(res.out);
      assert.equal(org.id, 'acme-corp');
      assert.equal(org.name, 'Acme Corp');
      assert.equal(org.scimBaseUrl, 'https://scim.example.com/scim/v2/acme-corp');
      assert.match(org.token.token, /^scim_[A-Za-z0-9_-]{43}$/);
      assert.equal(org.token.token.startsWith(org.token.prefix), true);

      const again = JSON.parse((await cli(url, 'orgs', 'create', 'Acme Corp', '--json')).out);
      assert.equal(again.id, 'acme-corp-2', 'a second org of the same name gets its own id');

      const directory = await Directory.open(url);
      try {
        const { tokenId } = await directory.orgs.authenticate('acme-corp', `Bearer ${org.token.token}`);
        assert.equal(tokenId, org.token.id);
        await assert.rejects(directory.orgs.authenticate('acme-corp-2', `Bearer ${org.token.token}`), {
          status: 401,
        });
      } finally {
        await directory.close();
      }
    });

    test('orgs list and rename', async () => {
      const renamed = await cli(url, 'orgs', 'rename', 'acme-corp', 'Acme Corporation', '--json');
      assert.equal(renamed.code, 0, renamed.err);
      assert.equal(JSON.parse(renamed.out).name, 'Acme Corporation');
      const list = JSON.parse((await cli(url, 'orgs', 'list', '--json')).out);
      assert.deepEqual(
        list.map((o: { id: string; name: string }) => [o.id, o.name]),
        [
          ['acme-corp', 'Acme Corporation'],
          ['acme-corp-2', 'Acme Corp'],
        ],
      );
      const text = await cli(url, 'orgs', 'list');
      assert.match(text.out, /acme-corp\s+Acme Corporation/);
      const missing = await cli(url, 'orgs', 'rename', 'nope', 'X', '--json');
      assert.equal(missing.code, 1);
      assert.match(JSON.parse(missing.err).error, /No organization 'nope'/);
    });

    test('tokens create, list (never the secret), revoke', async () => {
      const created = JSON.parse(
        (await cli(url, 'tokens', 'create', 'acme-corp', '--name', 'okta', '--json')).out,
      );
      assert.equal(created.name, 'okta');
      const list = JSON.parse((await cli(url, 'tokens', 'list', 'acme-corp', '--json')).out);
      assert.equal(list.length, 2);
      assert.ok(list.every((t: Record<string, unknown>) => t.token === undefined && t.hash === undefined));
      assert.ok(list.some((t: { prefix: string }) => t.prefix === created.prefix));
      const listText = (await cli(url, 'tokens', 'list', 'acme-corp')).out;
      assert.ok(!listText.includes(created.token), 'the secret is never listed');

      const revoked = await cli(url, 'tokens', 'revoke', 'acme-corp', created.prefix, '--json');
      assert.equal(revoked.code, 0, revoked.err);
      const after = JSON.parse((await cli(url, 'tokens', 'list', 'acme-corp', '--json')).out);
      assert.ok(after.find((t: { id: string }) => t.id === created.id).revokedAt);
      const directory = await Directory.open(url);
      try {
        await assert.rejects(directory.orgs.authenticate('acme-corp', `Bearer ${created.token}`), {
          status: 401,
        });
      } finally {
        await directory.close();
      }
      const again = await cli(url, 'tokens', 'revoke', 'acme-corp', created.prefix);
      assert.equal(again.code, 1);
    });

    test('apikeys create (shown once), list (never the secret), revoke (at once)', async () => {
      const created = await cli(url, 'apikeys', 'create', '--name', 'backend', '--json');
      assert.equal(created.code, 0, created.err);
      const key = JSON.parse(created.out);
      assert.match(key.key, /^sk_[A-Za-z0-9_-]{43}$/);
      assert.equal(key.name, 'backend');

      const human = await cli(url, 'apikeys', 'create');
      assert.match(human.out, /sk_[A-Za-z0-9_-]{43}/);
      assert.match(human.out, /shown only this once/);

      const list = await cli(url, 'apikeys', 'list');
      assert.equal(list.code, 0, list.err);
      assert.match(list.out, new RegExp(`${key.prefix}\\s+backend`));
      assert.ok(!list.out.includes(key.key), 'the list never shows a key');
      const listed = JSON.parse((await cli(url, 'apikeys', 'list', '--json')).out);
      assert.equal(listed.length, 2);
      assert.ok(listed.every((k: Record<string, unknown>) => !('key' in k) && !('hash' in k)));

      const directory = await Directory.open(url);
      try {
        assert.ok(await directory.apiKeys.authenticate(`Bearer ${key.key}`));
        const revoked = await cli(url, 'apikeys', 'revoke', key.prefix);
        assert.equal(revoked.code, 0, revoked.err);
        await assert.rejects(directory.apiKeys.authenticate(`Bearer ${key.key}`), { code: 'unauthorized' });
      } finally {
        await directory.close();
      }
      const again = await cli(url, 'apikeys', 'revoke', key.prefix);
      assert.equal(again.code, 1);
      assert.match(again.err, /No live API key/);
    });

    test('tokens create --expires-in: works until then, 401 after, listed with its end', async () => {
      const res = await cli(
        url,
        'tokens',
        'create',
        'acme-corp',
        '--name',
        'temp',
        '--expires-in',
        '2h',
        '--json',
      );
      assert.equal(res.code, 0, res.err);
      const created = JSON.parse(res.out);
      const lifetime = Date.parse(created.expiresAt) - Date.parse(created.createdAt);
      assert.equal(lifetime, 2 * 3600 * 1000);
      const listed = JSON.parse((await cli(url, 'tokens', 'list', 'acme-corp', '--json')).out);
      assert.equal(listed.find((t: { id: string }) => t.id === created.id).expiresAt, created.expiresAt);
      assert.match((await cli(url, 'tokens', 'list', 'acme-corp')).out, /temp .* live until /);

      const at = (ms: number) =>
        Directory.open(url, { now: () => new Date(Date.parse(created.createdAt) + ms) });
      const before = await at(2 * 3600 * 1000 - 1);
      try {
        assert.equal(
          (await before.orgs.authenticate('acme-corp', `Bearer ${created.token}`)).tokenId,
          created.id,
        );
      } finally {
        await before.close();
      }
      const later = await at(2 * 3600 * 1000);
      try {
        await assert.rejects(later.orgs.authenticate('acme-corp', `Bearer ${created.token}`), {
          status: 401,
        });
      } finally {
        await later.close();
      }

      const org = JSON.parse(
        (await cli(url, 'orgs', 'create', 'Short Lived', '--expires-in', '30d', '--json')).out,
      );
      assert.equal(Date.parse(org.token.expiresAt) - Date.parse(org.token.createdAt), 30 * 86_400_000);
      for (const bad of ['0s', 'soon', '90', '-1d', '99999999w']) {
        const refused = await cli(url, 'tokens', 'create', 'acme-corp', '--expires-in', bad);
        assert.notEqual(refused.code, 0, bad);
      }
    });

    test('unknown commands fail with a non-zero exit code', async () => {
      const res = await cli(url, 'orgs', 'explode');
      assert.notEqual(res.code, 0);
    });
  });
}
