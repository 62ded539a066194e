/**
 * IdPs retry on timeouts and 5xx, and run requests for one user concurrently. Nothing may be
 * duplicated or lost, whatever the interleaving: over real HTTP on a loopback port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PATCH_OP, startTestApp, type TestApp, user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

for (const dialect of dialects) {
  describe(`retries and concurrency over real HTTP (${dialect})`, () => {
    let t: TestApp;
    let origin: string;
    let headers: Record<string, string>;

    before(async () => {
      t = await startTestApp(dialect);
      origin = await t.app.listen({ port: 0, host: '127.0.0.1' });
      headers = { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' };
    });
    after(async () => {
      await t.close();
    });

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${origin}${t.base}/${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, etag: res.headers.get('etag') };
    };

    test('concurrent duplicate creates: exactly one 201, the others 409 uniqueness, one user stored', async () => {
      const results = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          call('POST', 'Users', user(i % 2 ? 'Dup@Example.com' : 'dup@example.com')),
        ),
      );
      const statuses = results.map((r) => r.status).sort();
      assert.deepEqual(statuses, [201, ...Array(11).fill(409)]);
      for (const r of results.filter((x) => x.status === 409)) assert.equal(r.body.scimType, 'uniqueness');
      const found = await call('GET', `Users?filter=${encodeURIComponent('userName eq "dup@example.com"')}`);
      assert.equal(found.body.totalResults, 1);
    });

    test('a retried create after success answers 409, and the IdP can link by lookup', async () => {
      const first = await call('POST', 'Users', user('retry@example.com', { externalId: 'ext-retry' }));
      assert.equal(first.status, 201);
      const retry = await call('POST', 'Users', user('retry@example.com', { externalId: 'ext-retry' }));
      assert.equal(retry.status, 409);
      const lookup = await call('GET', `Users?filter=${encodeURIComponent('externalId eq "ext-retry"')}`);
      assert.equal(lookup.body.Resources[0].id, first.body.id);
    });

    test('PUT and PATCH repeated change nothing the second time; DELETE repeated is 404', async () => {
      const created = await call('POST', 'Users', user('repeat@example.com'));
      const id = created.body.id;
      const put1 = await call(
        'PUT',
        `Users/${id}`,
        user('repeat@example.com', { title: 'Engineer', active: true }),
      );
      const put2 = await call(
        'PUT',
        `Users/${id}`,
        user('repeat@example.com', { title: 'Engineer', active: true }),
      );
      assert.equal(put1.status, 200);
      assert.equal(put2.status, 200);
      assert.equal(put2.etag, put1.etag, 'the same PUT again is a no-op');
      const ops = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] };
      const p1 = await call('PATCH', `Users/${id}`, ops);
      const p2 = await call('PATCH', `Users/${id}`, ops);
      assert.equal(p1.body.active, false);
      assert.equal(p2.etag, p1.etag, 'the same PATCH again is a no-op');
      assert.equal((await call('DELETE', `Users/${id}`)).status, 204);
      assert.equal((await call('DELETE', `Users/${id}`)).status, 404);
    });

    test('concurrent PATCHes of one user without If-Match lose no update', async () => {
      const id = (await call('POST', 'Users', user('busy@example.com'))).body.id;
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          call('PATCH', `Users/${id}`, {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'add', path: 'emails', value: [{ value: `busy${i}@example.com`, type: 'other' }] },
            ],
          }),
        ),
      );
      const got = await call('GET', `Users/${id}`);
      assert.equal(got.body.emails.length, 8);
    });

    test('create, delete and re-create racing on one userName never leave two live users', async () => {
      const name = 'race@example.com';
      const first = await call('POST', 'Users', user(name));
      await Promise.all([
        call('DELETE', `Users/${first.body.id}`),
        call('POST', 'Users', user(name)),
        call('POST', 'Users', user(name)),
        call('POST', 'Users', user(name)),
      ]);
      const found = await call('GET', `Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);
      assert.ok(found.body.totalResults <= 1, `found ${found.body.totalResults} live users named ${name}`);
    });
  });
}
