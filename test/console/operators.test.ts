/**
 * Console operators on both dialects: the one-time password link, scrypt hashes, the session
 * cookie's attributes, CSRF on the console's forms and on the API, sign-in throttling, the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { csrfTokenFor } from '../../src/directory/operators.ts';
import { SIGN_IN_LIMITS } from '../../src/http/rate-limit.ts';
import { startTestApp, type TestApp } from '../helpers/app.ts';
import { cliIn } from '../helpers/cli.ts';
import { dialects } from '../helpers/dialects.ts';

const PASSWORD = 'correct horse battery staple';

function form(fields: Record<string, string>) {
  return new URLSearchParams(fields).toString();
}

function cookieOf(setCookie: string | string[] | undefined): string {
  const line = Array.isArray(setCookie) ? setCookie[0] : setCookie;
  assert.ok(line, 'a cookie is set');
  return line.split(';')[0] ?? '';
}

for (const dialect of dialects) {
  describe(`console operators (${dialect})`, () => {
    let t: TestApp;
    let clock = Date.now();
    before(async () => {
      t = await startTestApp(dialect, {}, { now: () => new Date(clock) });
    });
    after(async () => t?.close());

    const post = (url: string, fields: Record<string, string>, cookie?: string) =>
      t.app.inject({
        method: 'POST',
        url,
        payload: form(fields),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
      });

    test('a link sets the password once, signs in, and the password is stored as scrypt', async () => {
      const { operator, link } = await t.directory.operators.create('Ops@Example.com');
      assert.equal(operator.email, 'ops@example.com');
      assert.match(link.token, /^opl_[A-Za-z0-9_-]{43}$/);
      const page = await t.app.inject({ method: 'GET', url: `/console/set-password/${link.token}` });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /ops@example\.com/);
      assert.match(String(page.headers['content-security-policy']), /frame-ancestors 'none'/);
      assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
      assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe-inline|unsafe-eval/);

      const short = await post(`/console/set-password/${link.token}`, {
        password: 'short',
        confirm: 'short',
      });
      assert.equal(short.statusCode, 400);
      assert.match(short.body, /at least 12 characters/);
      assert.match(short.body, /aria-invalid="true"/);

      const set = await post(`/console/set-password/${link.token}`, {
        password: PASSWORD,
        confirm: PASSWORD,
      });
      assert.equal(set.statusCode, 303);
      const line = String(set.headers['set-cookie']);
      // PUBLIC_URL is https: the __Host- cookie, Secure.
      assert.match(line, /^__Host-scimitar_session=ses_/);
      for (const attribute of ['HttpOnly', 'SameSite=Strict', 'Secure', 'Path=/'])
        assert.ok(line.includes(attribute), attribute);

      const again = await post(`/console/set-password/${link.token}`, {
        password: PASSWORD,
        confirm: PASSWORD,
      });
      assert.equal(again.statusCode, 404, 'the link works once');
      assert.match(again.body, /operators reset/);

      const { rows } = await sql<{
        password_hash: string;
      }>`select password_hash from operators where email = 'ops@example.com'`.execute(
        t.directory.database.db,
      );
      assert.match(rows[0]?.password_hash ?? '', /^scrypt\$/);
      assert.ok(!(rows[0]?.password_hash ?? '').includes(PASSWORD));
    });

    test('sign-in: a wrong password and an unknown email get the same answer; the right one a session', async () => {
      const wrong = await post('/console/sign-in', {
        email: 'ops@example.com',
        password: 'not the password',
      });
      const unknown = await post('/console/sign-in', { email: 'nobody@example.com', password: PASSWORD });
      assert.equal(wrong.statusCode, 401);
      assert.equal(unknown.statusCode, 401);
      assert.equal(wrong.headers['set-cookie'], undefined);
      assert.match(wrong.body, /The email or password is not right/);
      const ok = await post('/console/sign-in', {
        email: 'OPS@example.com',
        password: PASSWORD,
        next: '//evil.example/',
      });
      assert.equal(ok.statusCode, 303);
      assert.equal(ok.headers.location, '/console', 'next never leaves the console');
      const cookie = cookieOf(ok.headers['set-cookie']);
      const home = await t.app.inject({ method: 'GET', url: '/console', headers: { cookie } });
      assert.equal(home.statusCode, 200);
      assert.match(home.body, /Acme Corp/);
    });

    test('the API takes the session cookie; its writes need the CSRF token, the console forms too', async () => {
      const ok = await post('/console/sign-in', { email: 'ops@example.com', password: PASSWORD });
      const cookie = cookieOf(ok.headers['set-cookie']);
      const csrf = csrfTokenFor(cookie.split('=')[1] ?? '');
      const list = await t.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: { cookie } });
      assert.equal(list.statusCode, 200);
      const body = { name: 'Cookie Org' };
      const noCsrf = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { cookie },
        payload: body,
      });
      assert.equal(noCsrf.statusCode, 403);
      assert.equal(noCsrf.json().code, 'forbidden');
      const wrongCsrf = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { cookie, 'x-csrf-token': csrf.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) },
        payload: body,
      });
      assert.equal(wrongCsrf.statusCode, 403);
      const created = await t.app.inject({
        method: 'POST',
        url: '/api/v1/orgs',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: body,
      });
      assert.equal(created.statusCode, 201);

      const formNoCsrf = await post('/console/orgs', { name: 'Forged' }, cookie);
      assert.equal(formNoCsrf.statusCode, 403);
      assert.match(formNoCsrf.body, /Reload the page/);
      const formOk = await post('/console/orgs', { name: 'Globex', _csrf: csrf }, cookie);
      assert.equal(formOk.statusCode, 303);
      assert.match(String(formOk.headers.location), /^\/console\/orgs\/globex/);
      const empty = await post('/console/orgs', { name: '', _csrf: csrf }, cookie);
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /field-error/);
    });

    test('without a session, pages redirect to sign-in and the API answers 401', async () => {
      const page = await t.app.inject({ method: 'GET', url: '/console?x=1' });
      assert.equal(page.statusCode, 303);
      assert.equal(page.headers.location, `/console/sign-in?next=${encodeURIComponent('/console?x=1')}`);
      const forged = `__Host-scimitar_session=ses_${Buffer.alloc(32, 1).toString('base64url')}`;
      const api = await t.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: { cookie: forged } });
      assert.equal(api.statusCode, 401);
      assert.equal(api.json().code, 'unauthorized');
      for (const url of [
        '/console/set-password/opl_nope',
        '/console/set-password/%00',
        '/console/no-such-page',
      ]) {
        const bad = await t.app.inject({ method: 'GET', url });
        assert.ok(bad.statusCode === 404, `${url}: ${bad.statusCode}`);
        assert.match(String(bad.headers['content-type']), /^text\/html/);
        assert.doesNotMatch(bad.body, /at .*\.ts:\d+/, 'no stack trace');
      }
      const notForm = await t.app.inject({
        method: 'POST',
        url: '/console/sign-in',
        payload: '{"email":1}',
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(notForm.statusCode, 415);
      assert.match(String(notForm.headers['content-type']), /^text\/html/);
    });

    test('sign-out ends the session; a reset link ends every session of the operator', async () => {
      const first = cookieOf(
        (await post('/console/sign-in', { email: 'ops@example.com', password: PASSWORD })).headers[
          'set-cookie'
        ],
      );
      const second = cookieOf(
        (await post('/console/sign-in', { email: 'ops@example.com', password: PASSWORD })).headers[
          'set-cookie'
        ],
      );
      const forgedOut = await post('/console/sign-out', {}, first);
      assert.equal(forgedOut.statusCode, 303);
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: { cookie: first } })).statusCode,
        200,
        'a sign-out without the CSRF token ends nothing',
      );
      await post('/console/sign-out', { _csrf: csrfTokenFor(first.split('=')[1] ?? '') }, first);
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: { cookie: first } })).statusCode,
        401,
      );
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: { cookie: second } })).statusCode,
        200,
      );

      const link = await t.directory.operators.reset('ops@example.com');
      const newPassword = `${PASSWORD} again`;
      assert.equal(
        (await post(`/console/set-password/${link.token}`, { password: newPassword, confirm: newPassword }))
          .statusCode,
        303,
      );
      assert.equal(
        (await t.app.inject({ method: 'GET', url: '/api/v1/orgs', headers: { cookie: second } })).statusCode,
        401,
      );
      assert.equal(
        (await post('/console/sign-in', { email: 'ops@example.com', password: PASSWORD })).statusCode,
        401,
      );
      assert.equal(
        (await post('/console/sign-in', { email: 'ops@example.com', password: newPassword })).statusCode,
        303,
      );
    });

    test("setting a password is in the deployment's trail, never the password", async () => {
      const cookie = cookieOf(
        (await post('/console/sign-in', { email: 'ops@example.com', password: `${PASSWORD} again` })).headers[
          'set-cookie'
        ],
      );
      const ops = (await t.directory.operators.list()).find((o) => o.email === 'ops@example.com');
      assert.ok(ops);
      const read = await t.app.inject({ method: 'GET', url: '/api/v1/audit?limit=100', headers: { cookie } });
      assert.equal(read.statusCode, 200, read.body);
      type Entry = {
        action: string;
        resourceId: string;
        actor: { kind: string; id: string };
        requestId: string | null;
        attributes: string[];
      };
      const entries = (read.json().data as Entry[]).filter((e) => e.resourceId === ops.id).reverse();
      // Created, its link used; reset, the new link used: each use once (a refused reuse of the
      // first link wrote nothing).
      assert.deepEqual(
        entries.map((e) => e.action),
        ['operator.create', 'operator.set_password', 'operator.reset', 'operator.set_password'],
      );
      for (const e of entries.filter((x) => x.action === 'operator.set_password')) {
        assert.deepEqual(e.actor, { kind: 'operator', id: ops.id }, 'the operator sets its own password');
        assert.deepEqual(e.attributes, ['password']);
        assert.ok(e.requestId, 'the request is named');
      }
      const filtered = await t.app.inject({
        method: 'GET',
        url: '/api/v1/audit?action=operator.set_password&format=jsonl',
        headers: { cookie },
      });
      assert.equal(filtered.statusCode, 200, filtered.body);
      assert.equal(filtered.body.trimEnd().split('\n').length, 2);
      for (const body of [read.body, filtered.body]) {
        assert.ok(!body.includes(PASSWORD), 'never the password');
        assert.ok(!body.includes('scrypt'), 'never its hash');
      }
    });

    test('links expire after 24 hours, sessions after 12', async () => {
      const { link } = await t.directory.operators.create('late@example.com');
      const session = await t.directory.operators.setPassword(
        (await t.directory.operators.reset('ops@example.com')).token,
        PASSWORD,
      );
      clock += 12 * 3600_000 + 1000;
      assert.equal(await t.directory.operators.session(session.token), undefined);
      clock += 12 * 3600_000;
      const late = await post(`/console/set-password/${link.token}`, {
        password: PASSWORD,
        confirm: PASSWORD,
      });
      assert.equal(late.statusCode, 404);
    });

    test(`sign-in is throttled after ${SIGN_IN_LIMITS.perAccount} attempts for one account`, async () => {
      const email = 'throttled@example.com';
      for (let i = 0; i < SIGN_IN_LIMITS.perAccount; i++) {
        assert.equal(
          (await post('/console/sign-in', { email, password: 'wrong password!' })).statusCode,
          401,
        );
      }
      const refused = await post('/console/sign-in', { email, password: 'wrong password!' });
      assert.equal(refused.statusCode, 429);
      assert.ok(Number(refused.headers['retry-after']) > 0);
      assert.match(refused.body, /Too many sign-in attempts/);
    });

    test('CLI: operators create prints a one-time link; reset and list', async () => {
      const created = await cliIn(t.env.DATABASE_URL ?? '', ['operators', 'create', 'cli@example.com']);
      assert.equal(created.code, 0, created.err);
      const url = /https:\/\/scim\.example\.com\/console\/set-password\/(opl_\S+)/.exec(created.out);
      assert.ok(url?.[1], created.out);
      assert.equal(
        (await t.app.inject({ method: 'GET', url: `/console/set-password/${url[1]}` })).statusCode,
        200,
      );
      const dup = await cliIn(t.env.DATABASE_URL ?? '', ['operators', 'create', 'cli@example.com']);
      assert.notEqual(dup.code, 0);
      assert.match(dup.err, /already an operator/);
      const reset = await cliIn(t.env.DATABASE_URL ?? '', ['operators', 'reset', 'cli@example.com']);
      assert.equal(reset.code, 0, reset.err);
      const list = await cliIn(t.env.DATABASE_URL ?? '', ['operators', 'list']);
      assert.match(list.out, /cli@example\.com\s+no password yet/);
    });
  });
}
