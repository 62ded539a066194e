/**
 * The console's webhooks and API keys pages over inject() on both dialects: forms with the CSRF
 * token, secrets shown once, field-level errors, the API's keys endpoints.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { dialects } from '../helpers/dialects.ts';
import { until } from '../helpers/receiver.ts';

const PASSWORD = 'correct horse battery staple';

for (const dialect of dialects) {
  describe(`console webhooks and API keys pages (${dialect})`, () => {
    let t: ApiTestApp;
    let cookie = '';
    let csrf = '';
    let receiver: Server;
    let receiverUrl = '';
    let dispatcher: WebhookDispatcher;

    const post = (url: string, fields: Record<string, string>) =>
      t.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      });
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });
    /** A form that worked answers 303 (post/redirect/get): the page it opens, once. */
    const followed = async (url: string, fields: Record<string, string>) => {
      const posted = await post(url, fields);
      assert.equal(posted.statusCode, 303, posted.body);
      const location = String(posted.headers.location);
      assert.match(
        location,
        /^\/console\/[^?]*\?(shown|done)=[A-Za-z0-9_-]{22}(#|$)/,
        'no secret in the URL',
      );
      return { page: await get(location), location };
    };

    before(async () => {
      t = await startApiTestApp(dialect, {
        WEBHOOK_RETRY_BASE_MS: '60000',
        WEBHOOK_POLL_MS: '20',
        WEBHOOK_TIMEOUT_MS: '3000',
      });
      dispatcher = await startDispatcher(t.directory, t.config.events);
      const { link } = await t.directory.operators.create('ops@example.com');
      const session = await t.directory.operators.setPassword(link.token, PASSWORD);
      cookie = `__Host-scimitar_session=${session.token}`;
      csrf = session.csrf;
      receiver = createServer((_req, res) => res.writeHead(503).end('busy'));
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    });
    after(async () => {
      await dispatcher?.stop();
      await t?.close();
      receiver?.close();
    });

    test('orgs: search by name or id, any case, and each org with its status', async () => {
      await t.directory.orgs.create('Globex 100% Corp', { id: 'globex' });
      const all = await get('/console');
      assert.match(all.body, /Acme Corp/);
      assert.match(all.body, /Globex 100% Corp/);
      assert.match(all.body, /Waiting for your IdP/);
      const acme = await get('/console?q=ACME');
      assert.match(acme.body, /Acme Corp/);
      assert.doesNotMatch(acme.body, /Globex/);
      assert.match((await get('/console?q=glob')).body, /Globex/);
      const percent = (await t.api('GET', `/orgs?q=${encodeURIComponent('100%')}`)).json().data;
      assert.deepEqual(
        percent.map((o: { id: string }) => o.id),
        ['globex'],
        '% is a character, not a wildcard',
      );
      assert.deepEqual((await t.api('GET', '/orgs?q=_')).json().data, [], '_ too');
      assert.equal((await t.api('GET', `/orgs?q=${'x'.repeat(201)}`)).statusCode, 400);
    });

    test('API keys: create shows the key once, it works, revoke stops it', async () => {
      const empty = await post('/console/api-keys', { name: '   ' });
      assert.equal(empty.statusCode, 400);
      assert.match(empty.body, /aria-invalid="true"/);
      const { page: created, location } = await followed('/console/api-keys', { name: 'backend' });
      assert.equal(created.statusCode, 200);
      const key = /<code id="new-key">(sk_[A-Za-z0-9_-]{43})<\/code>/.exec(created.body)?.[1];
      assert.ok(key);
      assert.equal(
        (await t.api('GET', '/orgs', undefined, { authorization: `Bearer ${key}` })).statusCode,
        200,
      );
      const reloaded = await get(location);
      assert.ok(!reloaded.body.includes(key), 'shown only once: a reload does not show it again');
      assert.match(reloaded.body, /showed once is not shown again/);
      assert.equal(
        (await t.api('GET', '/api-keys')).json().data.filter((k: { name: string }) => k.name === 'backend')
          .length,
        1,
        'a reload made no other key',
      );
      const listed = (await t.api('GET', '/api-keys'))
        .json()
        .data.find((k: { name: string }) => k.name === 'backend');
      assert.ok(!JSON.stringify(listed).includes(key));
      const { page: revoked } = await followed(`/console/api-keys/${listed.id}/revoke`, {});
      assert.match(revoked.body, /API key revoked/);
      assert.equal(
        (await t.api('GET', '/orgs', undefined, { authorization: `Bearer ${key}` })).statusCode,
        401,
      );
      const forged = await t.app.inject({
        method: 'POST',
        url: '/console/api-keys',
        payload: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      });
      assert.equal(forged.statusCode, 403);
    });

    test('webhooks: a bad URL is a field error; an endpoint shows its secret once, its deliveries and attempts, and redelivers', async () => {
      const bad = await post('/console/webhooks', { url: 'not a url' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /id="hook-url-error"/);
      const unknownOrg = await post('/console/webhooks', { url: receiverUrl, orgId: 'no-such-org' });
      assert.equal(unknownOrg.statusCode, 400);
      const { page: created, location } = await followed('/console/webhooks', {
        url: receiverUrl,
        orgId: t.orgId,
        description: 'the app',
      });
      assert.match(created.body, /<code id="new-secret">whsec_/);
      assert.doesNotMatch((await get(location)).body, /whsec_/, 'a reload shows the secret no more');
      const endpoint = (await t.api('GET', '/webhooks')).json().data[0];
      const list = await get('/console/webhooks');
      assert.ok(list.body.includes(receiverUrl));
      assert.ok(!list.body.includes('whsec_'));

      await t.request('POST', 'Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'hooked@acme.example',
      });
      let deliveries: { id: number; attempts: number }[] = [];
      await until('a tried delivery', async () => {
        deliveries = (await t.api('GET', `/webhooks/${endpoint.id}/deliveries`)).json().data;
        return (deliveries[0]?.attempts ?? 0) >= 1;
      });
      const first = deliveries[0];
      assert.ok(first);
      const page = await get(`/console/webhooks/${endpoint.id}?status=pending`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /user\.created/);
      const one = await get(`/console/webhooks/${endpoint.id}/deliveries/${first.id}`);
      assert.equal(one.statusCode, 200);
      assert.match(one.body, /Attempts/);
      assert.match(one.body, /<td>503<\/td>/, "the receiver's answer, attempt by attempt");
      const { page: again } = await followed(
        `/console/webhooks/${endpoint.id}/deliveries/${first.id}/redeliver`,
        {},
      );
      assert.equal(again.statusCode, 200);
      assert.match(again.body, /Queued for redelivery/);
      const hooks = `/console/webhooks/${endpoint.id}`;
      assert.match((await get('/console/webhooks')).body, /Last failed delivery[\s\S]*<td>none<\/td>/);
      const { page: disabled } = await followed(`${hooks}/disable`, {});
      assert.match(disabled.body, /Endpoint disabled\.[\s\S]*badge bad">disabled/);
      assert.equal((await t.api('GET', `/webhooks/${endpoint.id}`)).json().enabled, false);
      await followed(`${hooks}/enable`, {});
      assert.equal((await t.api('GET', `/webhooks/${endpoint.id}`)).json().enabled, true);
      const { page: rotated, location: rotatedAt } = await followed(`${hooks}/rotate-secret`, {});
      assert.match(rotated.body, /<code id="new-secret">whsec_/);
      assert.match(rotated.body, /Previous secret/);
      assert.doesNotMatch((await get(rotatedAt)).body, /whsec_/, 'the new secret, once');
      const missing = await get(`/console/webhooks/${endpoint.id}/deliveries/999999`);
      assert.equal(missing.statusCode, 404);
      assert.match(String(missing.headers['content-type']), /^text\/html/);

      // The edit form: URL, org and event-type filters, description, through the API's PATCH.
      const editPage = await get(hooks);
      assert.match(editPage.body, /<form method="post" action="\/console\/webhooks\/[^"]+\/edit"/);
      assert.ok(
        editPage.body.includes(
          `id="edit-url" name="url" type="url" required maxlength="2000" placeholder="https://app.example.com/webhooks/scim" value="${receiverUrl}"`,
        ),
      );
      for (const [fields, field, message] of [
        [
          { url: 'not a url' },
          'url',
          /is not an absolute URL\. Enter an absolute http:\/\/ or https:\/\/ URL/,
        ],
        [{ url: 'ftp://files.example.com/x' }, 'url', /must be http:\/\/ or https:\/\//],
        [{ url: '' }, 'url', /Enter an absolute http:\/\/ or https:\/\/ URL/],
        [
          { url: receiverUrl, orgId: 'no-such-org' },
          'org',
          /No organization &#39;no-such-org&#39;\. Enter the id of an existing org/,
        ],
        [{ url: receiverUrl, orgId: 'Not An Id!' }, 'org', /Not an org id\. Enter the id/],
      ] as const) {
        const refused = await post(`${hooks}/edit`, { orgId: '', ...fields, 'event-user.deleted': '1' });
        assert.equal(refused.statusCode, 400, JSON.stringify(fields));
        assert.match(
          refused.body,
          new RegExp(`id="edit-${field}"[^>]*aria-invalid="true" aria-describedby="edit-${field}-error"`),
        );
        const error =
          new RegExp(`<p class="field-error" id="edit-${field}-error">([^<]*)</p>`).exec(refused.body)?.[1] ??
          '';
        assert.match(error, message, JSON.stringify(fields));
        assert.match(refused.body, /Nothing was changed/);
        assert.match(
          refused.body,
          /id="edit-user\.deleted" name="event-user\.deleted" value="1" checked/,
          'kept as typed',
        );
        const unchanged = (await t.api('GET', `/webhooks/${endpoint.id}`)).json();
        assert.equal(unchanged.url, receiverUrl, 'nothing changed');
        assert.equal(unchanged.eventTypes, null);
      }
      const newUrl = receiverUrl.replace('/hook', '/hook2');
      const { page: edited } = await followed(`${hooks}/edit`, {
        url: newUrl,
        orgId: '',
        description: 'moved',
        'event-user.deleted': '1',
        'event-user.created': '1',
        'event-no.such': '1',
      });
      assert.match(edited.body, /Endpoint changed\./);
      assert.match(edited.body, /<dt>Events<\/dt><dd>user\.created, user\.deleted<\/dd>/);
      const changed = (await t.api('GET', `/webhooks/${endpoint.id}`)).json();
      assert.equal(changed.url, newUrl);
      assert.equal(changed.orgId, null, 'empty: every org');
      assert.equal(changed.description, 'moved');
      assert.deepEqual(changed.eventTypes, ['user.created', 'user.deleted']);
      await followed(`${hooks}/edit`, { url: newUrl, orgId: t.orgId });
      const back = (await t.api('GET', `/webhooks/${endpoint.id}`)).json();
      assert.equal(back.orgId, t.orgId);
      assert.equal(back.eventTypes, null, 'none ticked: every type');
      assert.equal(back.description, null);
      const audit = (await t.api('GET', `/orgs/${t.orgId}/audit?action=webhook_endpoint.update`)).json();
      assert.ok(
        audit.data.some((a: { actor?: { kind?: string } }) => a.actor?.kind === 'operator'),
        'the API recorded the operator as the actor',
      );
      assert.equal((await post('/console/webhooks/no-such-endpoint/edit', { url: newUrl })).statusCode, 404);

      const { page: deleted } = await followed(`${hooks}/delete`, {});
      assert.match(deleted.body, /Endpoint deleted\./);
      assert.ok(!deleted.body.includes(receiverUrl));
      assert.equal((await get(hooks)).statusCode, 404);
    });
  });
}
