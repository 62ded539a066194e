/**
 * `backup` and `restore` of a SQLite database: a backup taken by the real CLI process while
 * users are being created is one consistent moment of the directory, and a restore of it
 * opens, migrates and authenticates. PostgreSQL is refused with a pointer to its own tools.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../src/cli/cli.ts';
import { Directory } from '../../src/directory/directory.ts';
import { USER } from '../../src/scim/schema/definitions.ts';
import { dialects, openTestDatabase } from '../helpers/dialects.ts';
import { runCliProcess } from '../helpers/process.ts';

async function cli(url: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(argv, { DATABASE_URL: url }, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const user = (name: string) => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name });

/** Live users as the rows say, and as the counter kept in the same transactions says. */
async function counts(directory: Directory, orgId: string) {
  const db = directory.database.db;
  const rows = await db
    .selectFrom('resources')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('type', '=', 'User')
    .where('deleted_at', 'is', null)
    .executeTakeFirstOrThrow();
  const counter = await db
    .selectFrom('resource_counts')
    .select('n')
    .where('org_id', '=', orgId)
    .where('type', '=', 'User')
    .executeTakeFirst();
  return { rows: Number(rows.n), counter: Number(counter?.n ?? 0) };
}

describe('backup and restore (SQLite)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-backup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a backup taken while users are created restores to one consistent moment', async () => {
    const url = `sqlite:${join(dir, 'live.db')}`;
    const directory = await Directory.open(url);
    const { token } = await directory.orgs.create('Backed Up', { id: 'backed' });
    const actor = { orgId: 'backed', tokenId: null, requestId: null };
    for (let i = 0; i < 300; i++) await directory.resources.create(actor, USER, user(`seed${i}@example.com`));

    // Writers keep going for as long as the backup process runs.
    let writing = true;
    let written = 300;
    const writer = (async () => {
      while (writing) {
        await directory.resources.create(actor, USER, user(`live${written}@example.com`));
        written++;
      }
    })();
    const backupFile = join(dir, 'backups', 'scim-backup.db');
    const res = await runCliProcess(['backup', backupFile, '--json'], { DATABASE_URL: url });
    const duringBackup = written;
    writing = false;
    await writer;
    await directory.close();
    assert.equal(res.code, 0, res.stderr);
    assert.equal(JSON.parse(res.stdout).file, backupFile);
    assert.ok(duringBackup > 300, 'users were created while the backup ran');
    assert.equal(existsSync(`${backupFile}.partial`), false);
    assert.equal(existsSync(`${backupFile}-wal`), false, 'the backup is one file');

    const restoredUrl = `sqlite:${join(dir, 'restored', 'scim.db')}`;
    const refused = await cli(restoredUrl, 'restore', backupFile);
    assert.equal(refused.code, 2, 'no terminal to ask on and no --yes');
    assert.match(refused.err, /--yes/);
    const restored = await cli(restoredUrl, 'restore', backupFile, '--yes', '--json');
    assert.equal(restored.code, 0, restored.err);

    const back = await Directory.open(restoredUrl);
    try {
      const n = await counts(back, 'backed');
      assert.equal(n.rows, n.counter, 'rows and their counter come from the same moment');
      assert.ok(n.rows >= 300 && n.rows <= written, `${n.rows} users of ${written}`);
      assert.equal((await back.orgs.authenticate('backed', `Bearer ${token.token}`)).idpProfile, 'generic');
    } finally {
      await back.close();
    }

    const notABackup = await cli(restoredUrl, 'restore', join(dir, 'nothing.db'), '--yes');
    assert.equal(notABackup.code, 1);
    assert.match(notABackup.err, /not a backup of this service's database/);
  });

  if (dialects.includes('postgres')) {
    test('PostgreSQL: refused, pointing at pg_dump', async () => {
      const t = await openTestDatabase('postgres');
      try {
        const res = await cli(t.url, 'backup', join(dir, 'pg.db'));
        assert.equal(res.code, 1);
        assert.match(res.err, /pg_dump/);
      } finally {
        await t.cleanup();
      }
    });
  }
});
