import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { runCli } from '../../src/cli/cli.ts';
import { loadConfig } from '../../src/config.ts';
import { hashToken } from '../../src/directory/credentials.ts';
import { Directory } from '../../src/directory/directory.ts';
import { buildApp } from '../../src/http/app.ts';
import {
  CAP_CHECK_MAX_AGE_MS,
  type Captured,
  FLUSH_ROWS,
  MAX_UNAUTHENTICATED_ROWS_PER_ORG,
  RequestLogger,
} from '../../src/http/request-log.ts';
import {
  insertRequestLogs,
  listRequestLogs,
  type RequestLogEntry,
  requestLogOrgs,
} from '../../src/store/request-log.ts';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects, openTestDatabase } from '../helpers/dialects.ts';
import { openTestDirectory } from '../helpers/directory.ts';
import { logEntry } from '../store/store-fixtures.ts';

const PASSWORD = 'Tr0ub4dor&3-horse-battery';
const NEW_PASSWORD = 'correct-Horse-Battery-9';
const OKTA = { 'user-agent': 'Okta SCIM Client 1.0.0' };
const ENTRA = { 'user-agent': 'Microsoft Azure AD SCIM provisioning 1.0' };

/** A GET of `orgId` as the hooks capture it, with a token: what RequestLogger queues. */
function captured(orgId: string, requestId: string, at: number): Captured {
  return {
    orgId,
    actor: { tokenId: 't', orgId, requestId },
    at,
    requestId,
    method: 'GET',
    url: `/scim/v2/${orgId}/Users?r=${requestId}`,
    status: 200,
    durationMs: 1,
    headers: {},
    requestBody: undefined,
    payload: '{}',
    auth: undefined,
    allow: undefined,
    retryAfter: undefined,
    bytes: 2,
  };
}

async function allRows(t: TestApp) {
  return t.directory.database.db.selectFrom('request_log').selectAll().orderBy('id').execute();
}

/** A second app over `t`'s directory whose server log (pino, JSON lines) is captured. */
async function withServerLog(t: TestApp, run: (app: FastifyInstance, log: () => string) => Promise<void>) {
  const lines: string[] = [];
  const app = await buildApp(t.config, {
    directory: t.directory,
    logger: { level: 'info', stream: { write: (line: string) => lines.push(line) } },
  });
  try {
    await run(app, () => lines.join(''));
  } finally {
    await app.close();
  }
}

async function cli(url: string, ...argv: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(
    argv,
    { DATABASE_URL: url },
    {
      out: (s) => {
        out += s;
      },
      err: (s) => {
        err += s;
      },
    },
  );
  return { code, out, err };
}

for (const dialect of dialects) {
  describe(`request log (${dialect})`, () => {
    let t: TestApp;
    before(async () => {
      t = await startTestApp(dialect);
    });
    after(async () => t.close());

    test('a sequence of requests is logged with its fields; passwords and tokens are stored nowhere', async () => {
      const created = await t.request('POST', 'Users', user('ada@example.com', { password: PASSWORD }), OKTA);
      assert.equal(created.statusCode, 201);
      const id = created.json().id as string;
      assert.equal((await t.request('GET', `Users/${id}`, undefined, OKTA)).statusCode, 200);
      const patched = await t.request(
        'PATCH',
        `Users/${id}`,
        {
          schemas: [PATCH_OP],
          Operations: [
            { op: 'Replace', path: 'password', value: NEW_PASSWORD },
            { op: 'replace', value: { password: NEW_PASSWORD, title: 'Engineer' } },
          ],
        },
        ENTRA,
      );
      assert.equal(patched.statusCode, 200);
      const dup = await t.request('POST', 'Users', user('ADA@example.com', { password: PASSWORD }), OKTA);
      assert.equal(dup.statusCode, 409);
      // Hints are worked out when the queue is written: write it before the holder is deleted.
      await t.app.requestLog.flush();
      const badFilter = await t.request('GET', `Users?filter=${encodeURIComponent('nickName zz "x"')}`);
      assert.equal(badFilter.statusCode, 400);
      assert.equal((await t.request('DELETE', `Users/${id}`)).statusCode, 204);
      assert.equal((await t.request('GET', `Users/${id}`)).statusCode, 404);
      assert.equal((await t.request('GET', 'Users/no-such-id')).statusCode, 404);
      const notJson = await t.request('POST', 'Users', '{"userName": ', OKTA);
      assert.equal(notJson.statusCode, 400);

      await t.app.requestLog.flush();
      const rows = await listRequestLogs(t.directory.database.db, { orgId: t.orgId });
      const got = rows
        .reverse()
        .map((r) => ({ method: r.method, path: r.path, status: r.status, scimType: r.scimType, idp: r.idp }));
      const base = t.base;
      assert.deepEqual(got, [
        { method: 'POST', path: `${base}/Users`, status: 201, scimType: null, idp: 'okta' },
        { method: 'GET', path: `${base}/Users/${id}`, status: 200, scimType: null, idp: 'okta' },
        { method: 'PATCH', path: `${base}/Users/${id}`, status: 200, scimType: null, idp: 'entra' },
        { method: 'POST', path: `${base}/Users`, status: 409, scimType: 'uniqueness', idp: 'okta' },
        {
          method: 'GET',
          path: `${base}/Users?filter=${encodeURIComponent('nickName zz "x"')}`,
          status: 400,
          scimType: 'invalidFilter',
          idp: 'unknown',
        },
        { method: 'DELETE', path: `${base}/Users/${id}`, status: 204, scimType: null, idp: 'unknown' },
        { method: 'GET', path: `${base}/Users/${id}`, status: 404, scimType: null, idp: 'unknown' },
        { method: 'GET', path: `${base}/Users/no-such-id`, status: 404, scimType: null, idp: 'unknown' },
        { method: 'POST', path: `${base}/Users`, status: 400, scimType: 'invalidSyntax', idp: 'okta' },
      ]);
      const [post, get, patch, conflict, filter, del, gone, missing, invalid] = rows;
      const { tokenId } = await t.directory.orgs.authenticate(t.orgId, `Bearer ${t.token}`);
      for (const r of rows) {
        assert.equal(r.orgId, t.orgId);
        assert.ok(r.durationMs >= 0 && r.durationMs < 60_000, `duration ${r.durationMs}`);
        assert.match(r.requestId ?? '', /^[0-9a-f-]{36}$/);
        assert.ok(Math.abs(Date.parse(r.at) - Date.now()) < 60_000);
      }
      assert.equal(post!.tokenId, tokenId);
      assert.equal(invalid!.tokenId, null, 'the body failed to parse before authentication');
      assert.equal(post!.userAgent, 'Okta SCIM Client 1.0.0');
      assert.equal(JSON.parse(post!.requestBody ?? '{}').userName, 'ada@example.com');
      assert.equal(JSON.parse(post!.requestBody ?? '{}').password, '[redacted]');
      assert.equal(JSON.parse(post!.responseBody ?? '{}').id, id);
      assert.equal(JSON.parse(get!.responseBody ?? '{}').userName, 'ada@example.com', 'streamed body kept');
      const ops = JSON.parse(patch!.requestBody ?? '{}').Operations;
      assert.deepEqual(ops, [
        { op: 'Replace', path: 'password', value: '[redacted]' },
        { op: 'replace', value: { password: '[redacted]', title: 'Engineer' } },
      ]);
      assert.equal(post!.hint, null);
      assert.equal(conflict!.hint, `userName 'ADA@example.com' already used by user ${id}`);
      assert.match(filter!.hint ?? '', /^filter not supported: /);
      assert.equal(del!.responseBody, null);
      assert.match(gone!.hint ?? '', new RegExp(`^User ${id} was deleted at \\d{4}-`));
      assert.equal(missing!.hint, 'no User with id no-such-id');
      assert.equal(invalid!.hint, 'body is not valid JSON');

      const everything = JSON.stringify(await allRows(t));
      for (const secret of [PASSWORD, NEW_PASSWORD, t.token, hashToken(t.token)]) {
        assert.equal(everything.includes(secret), false, `a stored row contains ${secret.slice(0, 8)}…`);
      }
    });

    test('secrets spelled in any case, under filtered paths, in Bulk and in custom keys are stored nowhere', async () => {
      const created = await t.request('POST', 'Users', user('case@example.com'));
      assert.equal(created.statusCode, 201);
      const id = created.json().id as string;
      const secrets = Array.from({ length: 12 }, (_, i) => `S3cret-${i}-${'q'.repeat(8)}`);
      const [s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11] = secrets;
      const patchBody = {
        schemas: [PATCH_OP],
        Operations: [
          { Op: 'Replace', Path: 'password', Value: s0 },
          { op: 'replace', PATH: 'PASSWORD', value: s1 },
          { op: 'replace', path: 'emails[type eq "work"].password', value: s2 },
          { op: 'replace', path: `password[value eq "${s3}"]`, value: s3 },
          {
            op: 'add',
            value: { pwd: s4, passphrase: s5, pin: s6, credentials: { x: s7 }, privateKey: s8, apiKey: s9 },
          },
        ],
      };
      await t.request('PATCH', `Users/${id}`, patchBody);
      await t.request('POST', 'Bulk', {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: [
          {
            method: 'PATCH',
            path: `/Users/${id}`,
            data: { schemas: [PATCH_OP], Operations: [{ Op: 'replace', Path: 'PassWord', Value: s10 }] },
          },
        ],
      });
      await t.request('GET', `Users?filter=${encodeURIComponent(`PASSWORD eq "${s11}"`)}`);
      await t.app.requestLog.flush();
      const everything = JSON.stringify(await allRows(t));
      for (const secret of secrets) {
        assert.equal(everything.includes(secret), false, `a stored row contains ${secret}`);
      }
      assert.ok(everything.includes('case@example.com'), 'the rows were written');
    });

    test('the server log redacts query strings as the request log does', async () => {
      await withServerLog(t, async (app, log) => {
        const secret = `Hunter2-${'z'.repeat(10)}`;
        const urls = [
          `${t.base}/Users?filter=${encodeURIComponent(`password eq "${secret}"`)}`,
          `${t.base}/Users?password=${secret}`,
          `${t.base}/Users?access_token=${secret}`,
        ];
        for (const url of urls) {
          await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } });
        }
        const text = log();
        assert.ok(text.includes('/Users?'), 'the requests were logged');
        assert.equal(text.includes(secret), false, 'the server log holds the secret');
        assert.equal(text.includes(t.token), false);
      });
    });

    test('sign-in protocol parameters and secrets in paths are redacted in both logs', async () => {
      await withServerLog(t, async (app, log) => {
        const secret = (name: string) => `${name}-S3cret-${'k'.repeat(8)}`;
        const names = [
          'code',
          'state',
          'SAMLResponse',
          'RelayState',
          'refresh_token',
          'client_secret',
          'token',
          'code_verifier',
        ];
        const query = names.map((n) => `${n}=${secret(n)}`).join('&');
        const secretPaths = [`setup_${'a'.repeat(43)}`, `opl_${'b'.repeat(43)}`];
        const urls = [
          `/sso/oidc/callback?${query}`,
          `/sso/saml/no-such-connection/acs?${query}`,
          `/oidc/token?${query}`,
          `/oidc/auth?client_id=x&${query}`,
          `/setup/${secretPaths[0]}`,
          `/console/set-password/${secretPaths[1]}`,
        ];
        for (const url of urls) await app.inject({ method: url.includes('/acs') ? 'POST' : 'GET', url });
        // The request log stores SCIM requests: the same names in a SCIM URL are redacted there.
        await app.inject({
          method: 'GET',
          url: `${t.base}/Users?${query}`,
          headers: { authorization: `Bearer ${t.token}` },
        });
        await app.requestLog.flush();
        const text = log();
        for (const path of [
          '/sso/oidc/callback?',
          '/sso/saml/',
          '/oidc/token?',
          '/oidc/auth?',
          '/setup/',
          '/Users?',
        ])
          assert.ok(text.includes(path), `${path} was logged`);
        assert.match(text, /RelayState=\[redacted\]/);
        const stored = JSON.stringify(await allRows(t));
        assert.match(stored, /SAMLResponse=\[redacted\]/);
        for (const value of [...names.map(secret), ...secretPaths]) {
          assert.equal(text.includes(value), false, `the server log holds ${value}`);
          assert.equal(stored.includes(value), false, `the request log holds ${value}`);
        }
      });
    });

    test('401s say why, from the presented token; nothing is stored for an org that does not exist', async () => {
      const other = await t.directory.orgs.create('Other Org');
      const revoked = await t.directory.orgs.createToken(t.orgId, 'old');
      await t.directory.orgs.revokeToken(t.orgId, revoked.id);
      const unknown = `scim_${'A'.repeat(43)}`;
      const cases: { name: string; authorization: string | undefined; hint: RegExp }[] = [
        { name: 'none', authorization: undefined, hint: /^no bearer token$/ },
        { name: 'basic', authorization: 'Basic dXNlcjpwYXNz', hint: /^Authorization is Basic, not Bearer$/ },
        { name: 'malformed', authorization: 'Bearer hello', hint: /^malformed token/ },
        { name: 'unknown', authorization: `Bearer ${unknown}`, hint: /^unknown token$/ },
        {
          name: 'other org',
          authorization: `Bearer ${other.token.token}`,
          hint: /^token is not for this organization$/,
        },
        {
          name: 'revoked',
          authorization: `Bearer ${revoked.token}`,
          hint: /^token revoked at \d{4}-\d\d-\d\dT/,
        },
      ];
      for (const c of cases) {
        const headers: Record<string, string> = c.authorization ? { authorization: c.authorization } : {};
        const res = await t.app.inject({ method: 'GET', url: `${t.base}/Users?case=${c.name}`, headers });
        assert.equal(res.statusCode, 401, c.name);
      }
      // An org that does not exist, with and without a token.
      await t.app.inject({ method: 'GET', url: '/scim/v2/no-such-org/Users' });
      await t.app.inject({
        method: 'POST',
        url: '/scim/v2/no-such-org/Users',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' },
        payload: JSON.stringify(user('x@example.com', { password: PASSWORD })),
      });
      await t.app.requestLog.flush();

      const rows = await listRequestLogs(t.directory.database.db, { orgId: t.orgId, pathContains: '?case=' });
      const byCase = new Map(rows.map((r) => [new URL(r.path, 'http://x').searchParams.get('case'), r]));
      for (const c of cases) {
        const row = byCase.get(c.name);
        assert.ok(row, `no row for ${c.name}`);
        assert.equal(row.status, 401);
        assert.equal(row.tokenId, null);
        assert.match(row.hint ?? '', c.hint, c.name);
      }
      const stray = await t.directory.database.db
        .selectFrom('request_log')
        .select('id')
        .where('org_id', '=', 'no-such-org')
        .execute();
      assert.equal(stray.length, 0);
      assert.equal(t.app.requestLog.stats.skipped >= 2, true);
      const everything = JSON.stringify(await allRows(t));
      for (const secret of [revoked.token, other.token.token, hashToken(revoked.token), PASSWORD]) {
        assert.equal(everything.includes(secret), false);
      }
    });

    test('CLI: logs <org> filters by status class, code, path and time; --json prints rows', async () => {
      const db = t.directory.database.db;
      const org = (await t.directory.orgs.create('Cli Org')).org.id;
      const entry = (at: string, method: string, path: string, status: number, hint: string | null) =>
        ({
          orgId: org,
          at,
          requestId: null,
          tokenId: null,
          method,
          path: `/scim/v2/${org}${path}`,
          status,
          durationMs: 1.25,
          scimType: null,
          idp: 'okta',
          userAgent: null,
          requestBody: '{"userName":"a"}',
          responseBody: null,
          hint,
          quirks: null,
        }) satisfies RequestLogEntry;
      await insertRequestLogs(db, [
        entry('2025-01-01T10:00:00.000Z', 'GET', '/Users?count=1', 200, null),
        entry('2025-01-01T11:00:00.000Z', 'POST', '/Users', 409, "userName 'a' already used by user u1"),
        entry('2025-01-01T12:00:00.000Z', 'GET', '/Groups/g1', 404, 'no Group with id g1'),
        entry(
          '2025-01-01T13:00:00.000Z',
          'PATCH',
          '/Users/u1',
          500,
          'server error (500); see the server log',
        ),
      ]);
      const url = t.config.databaseUrl;
      const json = async (...args: string[]) => {
        const res = await cli(url, 'logs', org, '--json', ...args);
        assert.equal(res.code, 0, res.err);
        return (JSON.parse(res.out) as { at: string; status: number; requestBody?: string }[]).map(
          (r) => r.status,
        );
      };
      assert.deepEqual(await json(), [500, 404, 409, 200], 'newest first');
      assert.deepEqual(await json('--status', '4xx'), [404, 409]);
      assert.deepEqual(await json('--status', '409'), [409]);
      assert.deepEqual(await json('--status', '2xx'), [200]);
      assert.deepEqual(await json('--path', '/Users'), [500, 409, 200]);
      assert.deepEqual(await json('--path', 'count=1'), [200]);
      assert.deepEqual(
        await json('--since', '2025-01-01T11:00:00Z', '--until', '2025-01-01T13:00:00Z'),
        [404, 409],
      );
      assert.deepEqual(await json('--since', '3d'), [], 'relative to now: these rows are older');
      assert.deepEqual(await json('--limit', '1'), [500]);

      const plain = await cli(url, 'logs', org, '--status', '409', '--show-bodies');
      assert.equal(plain.code, 0, plain.err);
      assert.match(plain.out, /^TIME\s+METHOD\s+PATH\s+STATUS\s+MS\s+IDP\s+HINT\n/);
      assert.match(
        plain.out,
        /2025-01-01T11:00:00.000Z\s+POST\s+\/scim\/v2\/cli-org\/Users\s+409\s+1.3\s+okta\s+userName 'a'/,
      );
      assert.match(plain.out, /\n {4}request: {2}\{"userName":"a"\}\n {4}response: \(none\)\n$/);

      assert.equal((await cli(url, 'logs', org, '--status', '6xx')).code, 1);
      assert.equal((await cli(url, 'logs', org, '--since', 'yesterday')).code, 1);
      const missing = await cli(url, 'logs', 'no-such-org');
      assert.equal(missing.code, 1);
      assert.match(missing.err, /No organization 'no-such-org'/);
    });
  });

  describe(`request log settings (${dialect})`, () => {
    test('REQUEST_LOG=false logs nothing', async () => {
      const t = await startTestApp(dialect, { REQUEST_LOG: 'false' });
      try {
        assert.equal((await t.request('POST', 'Users', user('x@example.com'))).statusCode, 201);
        assert.equal((await t.request('GET', 'Users?filter=bad')).statusCode, 400);
        await t.app.requestLog.flush();
        assert.deepEqual(await allRows(t), []);
      } finally {
        await t.close();
      }
    });

    test('retention prunes rows older than REQUEST_LOG_RETENTION_DAYS and beyond the per-org cap', async () => {
      const { database, url, cleanup } = await openTestDatabase(dialect);
      let now = new Date('2025-03-01T00:00:00.000Z');
      const directory = new Directory({ database, now: () => now, newId: () => crypto.randomUUID() });
      const config = loadConfig({
        DATABASE_URL: url,
        REQUEST_LOG_RETENTION_DAYS: '7',
        REQUEST_LOG_MAX_ROWS_PER_ORG: '3',
      });
      const app = await buildApp(config, { directory, logger: false });
      try {
        const { org, token } = await directory.orgs.create('Clock Org');
        const get = (n: number) => {
          now = new Date(now.getTime() + 1000); // one request a second
          return app.inject({
            method: 'GET',
            url: `/scim/v2/${org.id}/Users?n=${n}`,
            headers: { authorization: `Bearer ${token.token}` },
          });
        };
        await get(1);
        await get(2);
        now = new Date('2025-03-09T00:00:00.000Z'); // eight days later
        await get(3);
        await app.requestLog.flush();
        assert.equal(await app.requestLog.prune(), 2);
        const paths = async () =>
          (await listRequestLogs(database.db, { orgId: org.id })).map((r) => r.path.split('?n=')[1]);
        assert.deepEqual(await paths(), ['3']);

        for (const n of [4, 5, 6, 7]) await get(n);
        await app.requestLog.flush();
        assert.equal(await app.requestLog.prune(), 2);
        assert.deepEqual(await paths(), ['7', '6', '5']);
      } finally {
        await app.close();
        await cleanup();
      }
    });

    test("unauthenticated requests keep out of an org's rows and are limited per client address", async () => {
      const t = await startTestApp(dialect, {
        REQUEST_LOG_MAX_ROWS_PER_ORG: '5',
        RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: '50',
      });
      try {
        for (let n = 0; n < 5; n++) assert.equal((await t.request('GET', `Users?real=${n}`)).statusCode, 200);
        const statuses = new Map<number, number>();
        let retryAfter: unknown;
        const total = MAX_UNAUTHENTICATED_ROWS_PER_ORG + 100;
        for (let batch = 0; batch < total; batch += 100) {
          const answers = [];
          for (const i of Array.from({ length: 100 }, (_, k) => k))
            answers.push(
              await t.app.inject({
                method: 'GET',
                url: `${t.base}/Users?stray=${batch + i}`,
                headers: { authorization: `Bearer scim_${'A'.repeat(43)}` },
              }),
            );
          for (const a of answers) {
            statuses.set(a.statusCode, (statuses.get(a.statusCode) ?? 0) + 1);
            if (a.statusCode === 429) retryAfter = a.headers['retry-after'];
          }
        }
        assert.equal(
          (statuses.get(401) ?? 0) + (statuses.get(429) ?? 0),
          total,
          JSON.stringify([...statuses]),
        );
        // Fixed windows admit up to twice the limit across a window boundary (src/rate-limit/limiter.ts).
        assert.ok((statuses.get(401) ?? 0) <= 100, JSON.stringify([...statuses]));
        assert.ok((statuses.get(429) ?? 0) >= total - 100, JSON.stringify([...statuses]));
        assert.match(String(retryAfter), /^\d+$/);
        // Another address is not limited by the first one's failures.
        const other = await t.app.inject({
          method: 'GET',
          url: `${t.base}/Users`,
          remoteAddress: '10.9.8.7',
          headers: { authorization: 'Bearer nope' },
        });
        assert.equal(other.statusCode, 401);
        // The org's own token still works at once.
        assert.equal((await t.request('GET', 'Users?real=last')).statusCode, 200);

        await t.app.requestLog.flush();
        await t.app.requestLog.prune();
        const rows = await allRows(t);
        const real = rows.filter((r) => r.token_id !== null).map((r) => r.path);
        assert.equal(real.length, 5, 'the cap of 5 holds the newest real rows');
        assert.ok(real.every((p) => p.includes('?real=')));
        assert.ok(real.some((p) => p.endsWith('real=last')));
        const stray = rows.filter((r) => r.token_id === null).length;
        assert.ok(stray > 0 && stray <= MAX_UNAUTHENTICATED_ROWS_PER_ORG, `${stray} unauthenticated rows`);
      } finally {
        await t.close();
      }
    });

    // Under load every PostgreSQL flush is then one INSERT of FLUSH_ROWS rows (store/request-log.ts).
    test("a full queue's flush writes whole batches only; a flush of all writes the rest", async () => {
      const { t: database, directory } = await openTestDirectory(dialect);
      try {
        const { org } = await directory.orgs.create('Batches');
        // Not started: no timer flushes behind the test's back.
        const logger = new RequestLogger(directory, loadConfig({}), {
          warn() {},
        } as unknown as FastifyBaseLogger);
        const entry = (i: number) => captured(org.id, `batch-${i}`, Date.now());
        const stored = async () =>
          (
            await database.database.db
              .selectFrom('request_log')
              .select('id')
              .where('org_id', '=', org.id)
              .execute()
          ).length;
        for (let i = 0; i < FLUSH_ROWS * 2 + 37; i++) logger.capture(entry(i));
        await logger.flush(false);
        assert.equal(await stored(), FLUSH_ROWS * 2);
        assert.equal(logger.queued, 37);
        await logger.flush();
        assert.equal(await stored(), FLUSH_ROWS * 2 + 37);
        assert.equal(logger.queued, 0);
      } finally {
        await database.cleanup();
      }
    });

    // A process caps the orgs it wrote rows for; its first prune caps every org (store/request-log.ts).
    test('after its first prune, a process checks the caps of the orgs it wrote rows for', async () => {
      const { t: database, directory } = await openTestDirectory(dialect);
      try {
        const orgs = [];
        for (const name of ['Cap A', 'Cap B', 'Cap C']) orgs.push((await directory.orgs.create(name)).org);
        const [a, b, c] = orgs as [(typeof orgs)[0], (typeof orgs)[0], (typeof orgs)[0]];
        const config = loadConfig({ REQUEST_LOG_MAX_ROWS_PER_ORG: '3' });
        const quiet = { warn() {} } as unknown as FastifyBaseLogger;
        // Well inside the retention: only the caps prune here.
        let at = Date.now() - 3_600_000;
        const tick = () => {
          at += 1000;
          return at;
        };
        // Rows another process wrote: straight into the store.
        const elsewhere = (orgId: string, n: number) =>
          directory.requestLog.record(
            Array.from({ length: n }, (_, i) => ({
              ...logEntry(orgId, `elsewhere-${i}`),
              tokenId: 'other',
              at: new Date(tick()).toISOString(),
            })),
          );
        const count = async (orgId: string) =>
          (
            await database.database.db
              .selectFrom('request_log')
              .select('id')
              .where('org_id', '=', orgId)
              .execute()
          ).length;
        await elsewhere(b.id, 5);
        await elsewhere(c.id, 2);
        assert.deepEqual(await requestLogOrgs(database.database.logDb), [b.id, c.id].sort());

        const logger = new RequestLogger(directory, config, quiet);
        assert.equal(await logger.prune(), 2, 'the first prune caps every org');
        assert.equal(await count(b.id), 3);

        await elsewhere(b.id, 4);
        for (let i = 0; i < 5; i++) logger.capture(captured(a.id, `cap-${i}`, tick()));
        await logger.flush();
        assert.deepEqual(await requestLogOrgs(database.database.logDb), [a.id, b.id, c.id].sort());
        assert.equal(await logger.prune(), 2, "only the org this process wrote for: A's two oldest");
        assert.deepEqual([await count(a.id), await count(b.id), await count(c.id)], [3, 7, 2]);
        assert.equal(await logger.prune(), 0, 'nothing written since');

        // Another process starting up caps B.
        const next = new RequestLogger(directory, config, quiet);
        assert.equal(await next.prune(), 4);
        assert.deepEqual([await count(a.id), await count(b.id), await count(c.id)], [3, 3, 2]);
      } finally {
        await database.cleanup();
      }
    });

    // CAP_CHECK_SHARE and CAP_CHECK_MAX_AGE_MS: a tenth of the cap since the last check, or an hour.
    test("an org's caps are checked after a tenth of a cap's rows, or an hour", async () => {
      const { database, url, cleanup } = await openTestDatabase(dialect);
      let now = Date.now();
      const directory = new Directory({
        database,
        now: () => new Date(now),
        newId: () => crypto.randomUUID(),
      });
      try {
        const { org } = await directory.orgs.create('Share');
        const logger = new RequestLogger(
          directory,
          loadConfig({ DATABASE_URL: url, REQUEST_LOG_MAX_ROWS_PER_ORG: '20' }),
          { warn() {} } as unknown as FastifyBaseLogger,
        );
        let at = now - 3_600_000;
        const tick = () => {
          at += 1000;
          return at;
        };
        let n = 0;
        const elsewhere = (rows: number) =>
          directory.requestLog.record(
            Array.from({ length: rows }, () => ({
              ...logEntry(org.id, `other-${n++}`),
              tokenId: 'other',
              at: new Date(tick()).toISOString(),
            })),
          );
        const own = async () => {
          logger.capture(captured(org.id, `own-${n++}`, tick()));
          await logger.flush();
        };
        const count = async () =>
          (await database.db.selectFrom('request_log').select('id').where('org_id', '=', org.id).execute())
            .length;
        await elsewhere(25);
        assert.equal(await logger.prune(), 5, 'the first prune checks every org');
        await elsewhere(5);
        await own();
        assert.equal(await logger.prune(), 0, 'one row of a cap of 20: not checked yet');
        assert.equal(await count(), 26);
        await own();
        assert.equal(await logger.prune(), 7, 'two rows, a tenth of the cap: checked');
        await elsewhere(5);
        await own();
        assert.equal(await logger.prune(), 0);
        now += CAP_CHECK_MAX_AGE_MS;
        assert.equal(await logger.prune(), 6, 'a row written an hour ago: checked');
        assert.equal(await count(), 20);
        assert.equal(await logger.prune(), 0);
      } finally {
        await cleanup();
      }
    });

    test('app.close() writes what is still queued', async () => {
      const t = await startTestApp(dialect);
      const db = t.directory.database.db;
      let count = -1;
      try {
        await t.request('GET', 'Users');
        await t.request('GET', 'Groups');
        await t.app.close();
        count = (await db.selectFrom('request_log').select('id').execute()).length;
      } finally {
        await t.close().catch(() => {});
      }
      assert.equal(count, 2);
    });
  });
}
