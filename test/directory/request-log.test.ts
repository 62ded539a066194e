/**
 * RequestLogService (src/directory/request-log.ts): the typed queries the CLI and the management
 * API call, over a real database of each dialect.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Directory } from '../../src/directory/directory.ts';
import { DirectoryError } from '../../src/directory/orgs.ts';
import {
  parseStatusFilter,
  type RequestLogEntry,
  type RequestLogFilter,
} from '../../src/directory/request-log.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

function entry(orgId: string, at: string, method: string, path: string, status: number): RequestLogEntry {
  return {
    orgId,
    at,
    requestId: `r-${at}`,
    tokenId: null,
    method,
    path: `/scim/v2/${orgId}${path}`,
    status,
    durationMs: 1.5,
    scimType: status === 409 ? 'uniqueness' : null,
    idp: 'okta',
    userAgent: null,
    requestBody: `{"at":"${at}"}`,
    responseBody: status >= 400 ? '{"status":"x"}' : null,
    hint: null,
    quirks: status === 200 ? ['okta-example'] : null,
  };
}

for (const dialect of dialects) {
  describe(`RequestLogService (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let org: string;
    let other: string;

    before(async () => {
      t = await openTestDatabase(dialect);
      directory = new Directory({
        database: t.database,
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
      });
      org = (await directory.orgs.create('Acme')).org.id;
      other = (await directory.orgs.create('Other')).org.id;
      await directory.requestLog.record([
        entry(org, '2025-01-01T10:00:00.000Z', 'GET', '/Users?count=1', 200),
        entry(org, '2025-01-01T11:00:00.000Z', 'POST', '/Users', 409),
        entry(org, '2025-01-01T12:00:00.000Z', 'GET', '/Groups/g1', 404),
        entry(org, '2025-01-01T13:00:00.000Z', 'PATCH', '/Users/u1', 500),
        entry(other, '2025-01-01T12:30:00.000Z', 'GET', '/Users', 200),
      ]);
    });
    after(async () => t.cleanup());

    const statuses = async (filter: RequestLogFilter, orgId = org) =>
      (await directory.requestLog.query(orgId, filter)).map((r) => r.status);

    it('lists the org’s rows newest first, and no other org’s', async () => {
      assert.deepEqual(await statuses({}), [500, 404, 409, 200]);
      assert.deepEqual(await statuses({}, other), [200]);
      assert.deepEqual(await statuses({}, 'no-such-org'), []);
    });

    it('filters by status class or code, path, time bounds and limit', async () => {
      assert.deepEqual(await statuses({ status: { class: 4 } }), [404, 409]);
      assert.deepEqual(await statuses({ status: { code: 409 } }), [409]);
      assert.deepEqual(await statuses({ pathContains: '/Users' }), [500, 409, 200]);
      assert.deepEqual(await statuses({ pathContains: '/users' }), [], 'case-sensitive');
      assert.deepEqual(await statuses({ pathContains: '%' }), [], 'no wildcards');
      assert.deepEqual(await statuses({ pathPrefix: `/scim/v2/${org}/Groups` }), [404]);
      assert.deepEqual(
        await statuses({ since: '2025-01-01T11:00:00.000Z' }),
        [500, 404, 409],
        'since inclusive',
      );
      assert.deepEqual(await statuses({ until: '2025-01-01T12:00:00.000Z' }), [409, 200], 'until exclusive');
      assert.deepEqual(await statuses({ since: '2025-01-01T12:00:00+01:00' }), [500, 404, 409], 'any offset');
      assert.deepEqual(await statuses({ limit: 2 }), [500, 404]);
    });

    it('reads the bodies only when asked', async () => {
      const [plain] = await directory.requestLog.query(org, { status: { code: 409 } });
      assert.equal(plain?.requestBody, null);
      assert.equal(plain?.responseBody, null);
      assert.equal(plain?.scimType, 'uniqueness');
      const [full] = await directory.requestLog.query(org, { status: { code: 409 }, withBodies: true });
      assert.equal(full?.requestBody, '{"at":"2025-01-01T11:00:00.000Z"}');
      assert.equal(full?.responseBody, '{"status":"x"}');
      const [ok] = await directory.requestLog.query(org, { status: { code: 200 } });
      assert.deepEqual(ok?.quirks, ['okta-example']);
    });

    it('reads one row by id within its org only', async () => {
      const [row] = await directory.requestLog.query(org, { status: { code: 404 } });
      assert.ok(row);
      const one = await directory.requestLog.get(org, row.id);
      assert.equal(one?.path, `/scim/v2/${org}/Groups/g1`);
      assert.equal(one?.responseBody, '{"status":"x"}');
      assert.equal(await directory.requestLog.get(other, row.id), undefined);
      assert.equal(await directory.requestLog.get(org, -1), undefined);
      assert.equal(await directory.requestLog.get(org, 1.5), undefined);
    });

    it('refuses filters out of range with a DirectoryError', async () => {
      const bad: RequestLogFilter[] = [
        { limit: 0 },
        { limit: 10_001 },
        { limit: 2.5 },
        { status: { class: 6 } },
        { status: { code: 99 } },
        { since: 'yesterday' },
        { until: '1' },
        { pathContains: 'x'.repeat(2049) },
      ];
      for (const filter of bad) {
        await assert.rejects(directory.requestLog.query(org, filter), DirectoryError, JSON.stringify(filter));
      }
    });
  });
}

describe('request log filter parsing', () => {
  it('parseStatusFilter reads classes and codes', () => {
    assert.deepEqual(parseStatusFilter('4xx'), { class: 4 });
    assert.deepEqual(parseStatusFilter('5XX'), { class: 5 });
    assert.deepEqual(parseStatusFilter('409'), { code: 409 });
    assert.equal(parseStatusFilter('6xx'), undefined);
    assert.equal(parseStatusFilter('4000'), undefined);
    assert.equal(parseStatusFilter(''), undefined);
  });
});
