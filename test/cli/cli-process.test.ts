/**
 * The CLI as a script runs it: `npx scimitar …` (bin/scimitar.mjs) in a process of its own,
 * its output read from a real pipe.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Directory } from '../../src/directory/directory.ts';
import { insertRequestLogs, type RequestLogEntry } from '../../src/store/request-log.ts';
import { dialects, openTestDatabase } from '../helpers/dialects.ts';
import { runCliProcess } from '../helpers/process.ts';

for (const dialect of dialects) {
  describe(`CLI process (${dialect})`, () => {
    let url: string;
    let cleanup: () => Promise<void>;
    before(async () => {
      const t = await openTestDatabase(dialect);
      await t.database.close();
      url = t.url;
      cleanup = t.cleanup;
    });
    after(async () => cleanup());

    test('--json of more than 1 MiB arrives whole through a pipe and parses', async () => {
      const directory = await Directory.open(url);
      try {
        await directory.orgs.create('Big Log', { id: 'big' });
        // 120 rows with 16 KiB bodies: about 4 MiB of JSON, far past a pipe's 64 KiB buffer.
        const body = JSON.stringify({ filler: 'x'.repeat(16_000) });
        const rows: RequestLogEntry[] = Array.from({ length: 120 }, (_, i) => ({
          orgId: 'big',
          at: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
          requestId: `r${i}`,
          tokenId: null,
          method: 'POST',
          path: '/Users',
          status: 201,
          durationMs: 1,
          scimType: null,
          idp: 'okta',
          userAgent: null,
          requestBody: body,
          responseBody: body,
          hint: null,
          quirks: null,
        }));
        await insertRequestLogs(directory.database.logDb, rows);
      } finally {
        await directory.close();
      }
      const res = await runCliProcess(['logs', 'big', '--limit', '500', '--show-bodies', '--json'], {
        DATABASE_URL: url,
      });
      assert.equal(res.code, 0, res.stderr);
      assert.ok(res.stdout.length > 1024 * 1024, `only ${res.stdout.length} bytes`);
      const parsed = JSON.parse(res.stdout) as { requestId: string; requestBody: string }[];
      assert.equal(parsed.length, 120);
      assert.equal(parsed[0]?.requestId, 'r119', 'newest first');
      assert.equal(parsed[119]?.requestBody, JSON.stringify({ filler: 'x'.repeat(16_000) }));
      assert.equal(res.stderr, '');
    });

    test('prints nothing but the command output (no npm banner)', async () => {
      // bin/scimitar.mjs itself, as `npx scimitar` runs it (elsewhere the compiled CLI).
      const res = await runCliProcess(['orgs', 'list', '--json'], { DATABASE_URL: url }, { bin: true });
      assert.equal(res.code, 0, res.stderr);
      assert.ok(res.stdout.startsWith('['), res.stdout.slice(0, 200));
      assert.deepEqual(
        (JSON.parse(res.stdout) as { id: string }[]).map((o) => o.id),
        ['big'],
      );
    });
  });
}
