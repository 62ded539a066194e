/**
 * The console's org pages over inject() on both dialects: forms that make a secret answer with
 * post/redirect/get and a one-time flash (a reload shows nothing again and makes nothing
 * again; another session cannot read the flash); role rules and settings, property mappings
 * and extension schemas edited through the API with its refusals at the field; groups searched
 * by name.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';

const PASSWORD = 'correct horse battery staple';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CUSTOM = 'urn:okta:acme:1.0:user:custom';
const PROPERTIES = [
  { key: 'costCenter', type: 'string', description: 'Billing cost center' },
  { key: 'level', type: 'number' },
];

/** The text of an element's field error, by the input's id. */
function fieldErrorOf(body: string, id: string): string | undefined {
  const control = new RegExp(`<(?:input|select|textarea) [^>]*id="${id}"[^>]*>`).exec(body)?.[0] ?? '';
  if (
    !control.includes('aria-invalid="true"') ||
    !new RegExp(`aria-describedby="[^"]*${id}-error`).test(control)
  )
    return undefined;
  return new RegExp(`<p class="field-error" id="${id}-error">([^<]*)</p>`)
    .exec(body)?.[1]
    ?.replaceAll('&#39;', "'")
    .replaceAll('&quot;', '"');
}

for (const dialect of dialects) {
  describe(`console org pages (${dialect})`, () => {
    let t: ApiTestApp;
    let cookie = '';
    let csrf = '';
    let otherCookie = '';
    let base = '';
    let ada = '';
    let engineering = '';

    const post = (url: string, fields: Record<string, string>, as = cookie) =>
      t.app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: as },
      });
    const get = (url: string, as = cookie) => t.app.inject({ method: 'GET', url, headers: { cookie: as } });
    const followed = async (url: string, fields: Record<string, string>) => {
      const posted = await post(url, fields);
      assert.equal(posted.statusCode, 303, posted.body);
      const location = String(posted.headers.location);
      return { page: await get(location), location };
    };
    const access = async (id: string) =>
      (await t.api('GET', `/orgs/${t.orgId}/users/${id}/access`)).json().roles as string[];

    before(async () => {
      t = await startApiTestApp(dialect, { PROPERTIES: JSON.stringify(PROPERTIES) });
      const { link } = await t.directory.operators.create('ops@example.com');
      const session = await t.directory.operators.setPassword(link.token, PASSWORD);
      cookie = `__Host-scimitar_session=${session.token}`;
      csrf = session.csrf;
      const other = await t.directory.operators.create('other@example.com');
      otherCookie = `__Host-scimitar_session=${(await t.directory.operators.setPassword(other.link.token, PASSWORD)).token}`;
      base = `/console/orgs/${t.orgId}`;
      const created = await t.request('POST', 'Users', user('ada@example.com'));
      ada = created.json().id;
      for (const [name, members] of [
        ['Engineering', [{ value: ada }]],
        ['Sales', []],
        ['Platform Engineers', []],
      ] as const) {
        const group = await t.request('POST', 'Groups', { schemas: [GROUP], displayName: name, members });
        assert.equal(group.statusCode, 201, group.body);
        if (name === 'Engineering') engineering = group.json().id;
      }
    });
    after(async () => t?.close());

    test('a new SCIM token: 303 to a page that shows it once; a reload shows and makes nothing', async () => {
      const before = (await t.api('GET', `/orgs/${t.orgId}/scim/tokens`)).json().data.length;
      const { page, location } = await followed(`${base}/tokens`, { name: 'okta' });
      assert.match(location, new RegExp(`^${base}\\?shown=[A-Za-z0-9_-]{22}#scim-h$`));
      const token = /<code id="new-token">(scim_[^<]+)<\/code>/.exec(page.body)?.[1];
      assert.ok(token, page.body);
      assert.ok(!location.includes(token));
      assert.match(page.body, /Token created/);
      const reloaded = await get(location);
      assert.equal(reloaded.statusCode, 200);
      assert.ok(!reloaded.body.includes(token), 'not shown again');
      assert.match(reloaded.body, /showed once is not shown again/);
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/scim/tokens`)).json().data.length, before + 1);
      // The token works, and was stored sealed: the flash table holds no clear text.
      assert.equal(
        (await t.request('GET', 'Users', undefined, { authorization: `Bearer ${token}` })).statusCode,
        200,
      );
    });

    test('a flash is bound to the session that made it and read once', async () => {
      const posted = await post(`${base}/setup-links`, { days: '3' });
      assert.equal(posted.statusCode, 303);
      const location = String(posted.headers.location);
      const stolen = await get(location, otherCookie);
      assert.equal(stolen.statusCode, 200);
      assert.doesNotMatch(stolen.body, /id="setup-url"/, "another operator's session cannot read it");
      const mine = await get(location);
      assert.match(mine.body, /<code id="setup-url">https?:\/\/[^<]+\/setup\/setup_[^<]+<\/code>/);
      assert.doesNotMatch((await get(location)).body, /id="setup-url"/);
      // A flash id that is no id: the page, without it.
      assert.equal((await get(`${base}?shown=${'x'.repeat(500)}`)).statusCode, 200);
      // Signing out drops the session's flashes with it.
      const later = await post(`${base}/tokens`, { name: 'later' });
      await post('/console/sign-out', {});
      const link = await t.directory.operators.reset('ops@example.com');
      const session = await t.directory.operators.setPassword(link.token, PASSWORD);
      cookie = `__Host-scimitar_session=${session.token}`;
      csrf = session.csrf;
      assert.doesNotMatch((await get(String(later.headers.location))).body, /id="new-token"/);
    });

    test('a bad form is answered at once (400, nothing made), not redirected', async () => {
      const bad = await post(`${base}/setup-links`, { days: '91' });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.body, /1 to 90 days/);
    });

    test('role rules: add, refusals at the field, edit, delete; settings', async () => {
      const page = await get(`${base}/roles`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /No rules yet/);

      const unknownGroup = await post(`${base}/roles/rules`, {
        match: 'id',
        value: 'no-such-group',
        role: 'admin',
      });
      assert.equal(unknownGroup.statusCode, 400);
      assert.match(fieldErrorOf(unknownGroup.body, 'rule-value') ?? '', /No group with id 'no-such-group'/);
      assert.match(unknownGroup.body, /value="no-such-group"/, 'what was typed is kept');
      const unknownRole = await post(`${base}/roles/rules`, {
        match: 'displayName',
        value: 'Engineering',
        role: 'boss',
      });
      assert.equal(unknownRole.statusCode, 400);
      assert.match(fieldErrorOf(unknownRole.body, 'rule-role') ?? '', /unknown role 'boss'/);
      const badMatch = await post(`${base}/roles/rules`, {
        match: 'name',
        value: 'Engineering',
        role: 'admin',
      });
      assert.equal(badMatch.statusCode, 400);
      assert.ok(fieldErrorOf(badMatch.body, 'rule-match'), badMatch.body);
      assert.deepEqual(
        (await t.api('GET', `/orgs/${t.orgId}/roles/rules`)).json().data,
        [],
        'nothing written',
      );

      const { page: added, location: addedAt } = await followed(`${base}/roles/rules`, {
        match: 'displayName',
        value: 'Engineering',
        role: 'admin',
      });
      assert.match(added.body, /Rule added\. 1 user&#39;s roles changed\./);
      assert.match(addedAt, /\?done=/, 'a message alone is no secret');
      const reloaded = await get(addedAt);
      assert.doesNotMatch(reloaded.body, /Rule added|showed once/, 'a reload: the page alone');
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/roles/rules`)).json().data.length, 1);
      assert.deepEqual(await access(ada), ['admin']);
      const rule = (await t.api('GET', `/orgs/${t.orgId}/roles/rules`)).json().data[0];
      const duplicate = await post(`${base}/roles/rules`, {
        match: 'displayName',
        value: 'Engineering',
        role: 'admin',
      });
      assert.equal(duplicate.statusCode, 400);
      assert.match(fieldErrorOf(duplicate.body, 'rule-value') ?? '', /exists already/);
      // A group not pushed yet: refused at the field, the box unticked; accepted with it ticked.
      const notYet = await post(`${base}/roles/rules`, {
        match: 'externalId',
        value: 'okta-00g1',
        role: 'viewer',
      });
      assert.equal(notYet.statusCode, 400);
      assert.match(
        fieldErrorOf(notYet.body, 'rule-value') ?? '',
        /No group with externalId 'okta-00g1'.*Not pushed yet/,
      );
      assert.match(
        notYet.body,
        /<input type="checkbox" id="rule-ahead" name="allowUnknownGroup" value="true" aria/,
      );
      const later = await followed(`${base}/roles/rules`, {
        match: 'externalId',
        value: 'okta-00g1',
        role: 'viewer',
        allowUnknownGroup: 'true',
      });
      assert.match(later.page.body, /No group matches it yet/);

      const editForm = await get(`${base}/roles?edit=${rule.id}`);
      assert.match(editForm.body, /Edit the rule/);
      assert.match(editForm.body, new RegExp(`action="${base}/roles/rules/${rule.id}"`));
      // An unknown id is refused even with the box ticked; the box stays ticked.
      const badEdit = await post(`${base}/roles/rules/${rule.id}`, {
        match: 'id',
        value: 'nope',
        role: 'owner',
        allowUnknownGroup: 'true',
      });
      assert.equal(badEdit.statusCode, 400);
      assert.match(fieldErrorOf(badEdit.body, 'rule-value') ?? '', /No group with id 'nope'/);
      assert.match(badEdit.body, /id="rule-ahead" name="allowUnknownGroup" value="true" checked/);
      assert.match(badEdit.body, /Edit the rule/, 'still the edit form');
      const { page: edited } = await followed(`${base}/roles/rules/${rule.id}`, {
        match: 'id',
        value: engineering,
        role: 'owner',
      });
      assert.match(edited.body, /Rule saved\. 1 user&#39;s roles changed\./);
      assert.deepEqual(await access(ada), ['owner']);

      const { page: settings } = await followed(`${base}/roles/settings`, {
        mode: 'all',
        defaultRole: 'viewer',
      });
      assert.match(settings.body, /Role settings saved/);
      assert.deepEqual((await t.api('GET', `/orgs/${t.orgId}/roles/settings`)).json(), {
        defaultRole: 'viewer',
        mode: 'all',
      });
      const badSettings = await post(`${base}/roles/settings`, { mode: 'all', defaultRole: 'boss' });
      assert.equal(badSettings.statusCode, 400);
      assert.match(fieldErrorOf(badSettings.body, 'default-role') ?? '', /unknown role 'boss'/);
      const badMode = await post(`${base}/roles/settings`, { mode: 'some', defaultRole: '' });
      assert.equal(badMode.statusCode, 400);
      assert.ok(fieldErrorOf(badMode.body, 'role-mode'), badMode.body);
      await followed(`${base}/roles/settings`, { mode: 'highest', defaultRole: '' });
      assert.equal((await t.api('GET', `/orgs/${t.orgId}/roles/settings`)).json().defaultRole, null);

      const { page: deleted } = await followed(`${base}/roles/rules/${rule.id}/delete`, {});
      assert.match(deleted.body, /Rule deleted\. 1 user&#39;s roles changed\./);
      assert.deepEqual(await access(ada), []);
      const gone = await post(`${base}/roles/rules/${rule.id}/delete`, {});
      assert.equal(gone.statusCode, 400);
      assert.match(gone.body, /role="alert">No role rule/);
      const org = await get(base);
      assert.match(org.body, /externalId <code>okta-00g1<\/code> → <strong>viewer<\/strong>/);
      assert.match(org.body, new RegExp(`href="${base}/roles"`));
    });

    test('property mappings and extension schemas: refused paths at the field', async () => {
      const badPath = await post(`${base}/properties/costCenter`, { path: 'name.nickname' });
      assert.equal(badPath.statusCode, 400);
      assert.match(fieldErrorOf(badPath.body, 'prop-0') ?? '', /cannot be filled from/);
      assert.match(badPath.body, /value="name.nickname"/);
      const wrongType = await post(`${base}/properties/level`, { path: 'userName' });
      assert.equal(wrongType.statusCode, 400);
      assert.ok(fieldErrorOf(wrongType.body, 'prop-1'), wrongType.body);
      const { page: mapped } = await followed(`${base}/properties/costCenter`, {
        path: `${ENTERPRISE}:costCenter`,
      });
      assert.match(mapped.body, /costCenter is filled from/);

      const badLine = await post(`${base}/extensions`, { urn: CUSTOM, attributes: 'badge\nlevel number' });
      assert.equal(badLine.statusCode, 400);
      assert.match(fieldErrorOf(badLine.body, 'ext-attributes') ?? '', /^Line 1: give a name, then a type/);
      const badFlag = await post(`${base}/extensions`, { urn: CUSTOM, attributes: 'level integer twice' });
      assert.match(fieldErrorOf(badFlag.body, 'ext-attributes') ?? '', /Line 1: “twice”/);
      const reserved = await post(`${base}/extensions`, {
        urn: 'urn:ietf:params:scim:schemas:core:2.0:User',
        attributes: 'level integer',
      });
      assert.equal(reserved.statusCode, 400);
      assert.ok(fieldErrorOf(reserved.body, 'ext-urn'), reserved.body);
      const { page: declared } = await followed(`${base}/extensions`, {
        urn: CUSTOM,
        name: 'Okta custom',
        attributes: 'level integer\ntags string multi',
      });
      assert.match(declared.body, /Extension urn:okta:acme:1\.0:user:custom declared/);
      assert.match(declared.body, /<code>tags<\/code> string, multi-valued/);
      const again = await post(`${base}/extensions`, { urn: CUSTOM, attributes: 'level integer' });
      assert.equal(again.statusCode, 400);
      assert.ok(fieldErrorOf(again.body, 'ext-urn'), again.body);

      await followed(`${base}/properties/level`, { path: `${CUSTOM}:level` });
      const inUse = await post(`${base}/extensions/remove`, { urn: CUSTOM });
      assert.equal(inUse.statusCode, 400);
      assert.match(inUse.body, /role="alert">The extension[^<]*fills the property level/);
      const { page: cleared } = await followed(`${base}/properties/level/clear`, {});
      assert.match(cleared.body, /level is no longer filled/);
      const { page: removed } = await followed(`${base}/extensions/remove`, { urn: CUSTOM });
      assert.match(removed.body, /Extension urn:okta:acme:1\.0:user:custom removed/);
      assert.deepEqual((await t.api('GET', `/orgs/${t.orgId}/extensions`)).json().data, []);
    });

    test('safety valves: settings with errors at the field; held changes released or discarded, selected or all', async () => {
      const page = await get(`${base}/valves`);
      assert.equal(page.statusCode, 200);
      for (const [fields, id, message] of [
        [{ percent: 'abc' }, 'v-percent', /whole number/],
        [{ percent: '150' }, 'v-percent', /100/],
        [{ windowMinutes: '0' }, 'v-windowMinutes', /1 to 43,200 minutes/],
        [{ minUsers: '-1' }, 'v-minUsers', /whole number/],
      ] as const) {
        const refused = await post(`${base}/valves`, fields);
        assert.equal(refused.statusCode, 400, JSON.stringify(fields));
        assert.match(
          fieldErrorOf(refused.body, id) ?? '',
          message,
          `${JSON.stringify(fields)}: ${refused.body}`,
        );
      }
      assert.equal(
        (await t.api('GET', `/orgs/${t.orgId}/valves`)).json().overrides.percent,
        null,
        'nothing saved',
      );
      const { page: saved } = await followed(`${base}/valves`, {
        enabled: 'on',
        percent: '1',
        minUsers: '0',
        windowMinutes: '120',
        seatCap: '1000',
        contact: 'sales@example.com',
      });
      assert.match(saved.body, /Valve settings saved/);
      const valves = (await t.api('GET', `/orgs/${t.orgId}/valves`)).json();
      assert.deepEqual(valves.overrides, {
        enabled: true,
        percent: 1,
        minUsers: 0,
        windowSeconds: 7200,
        seatCap: 1000,
        contact: 'sales@example.com',
      });

      const ids: string[] = [];
      for (const name of ['bo', 'cy', 'di'])
        ids.push((await t.request('POST', 'Users', user(`${name}@example.com`))).json().id);
      for (const id of ids) assert.equal((await t.request('DELETE', `Users/${id}`)).statusCode, 204);
      const held = (await t.api('GET', `/orgs/${t.orgId}/held-changes`)).json().data as { id: number }[];
      assert.equal(held.length, 3, 'every deletion is held');
      const org = await get(base);
      assert.match(org.body, /Held changes \(3\)/);
      assert.match(org.body, /1000 active users|of 1000 active users/);
      const none = await post(`${base}/held`, { action: 'release-selected' });
      assert.equal(none.statusCode, 400);
      assert.match(none.body, /Select at least one held change/);
      const { page: released } = await followed(`${base}/held`, {
        action: 'release-selected',
        [`id-${held[0]?.id}`]: '1',
      });
      assert.match(released.body, /1 held change released\./);
      assert.equal((await t.request('GET', `Users/${ids[0]}`)).statusCode, 404, 'released: deleted');
      const { page: discarded } = await followed(`${base}/held`, { action: 'discard-all' });
      assert.match(discarded.body, /2 held changes discarded\./);
      assert.equal((await t.request('GET', `Users/${ids[1]}`)).statusCode, 200, 'discarded: kept');
      const bogus = await post(`${base}/held`, { action: 'explode-all' });
      assert.equal(bogus.statusCode, 400);
      await followed(`${base}/valves`, {});
      assert.deepEqual(Object.values((await t.api('GET', `/orgs/${t.orgId}/valves`)).json().overrides), [
        null,
        null,
        null,
        null,
        null,
        null,
      ]);
    });

    test('request log and audit trail: filters, kept across each other, and older pages', async () => {
      const groups = await get(`${base}?rpath=Groups`);
      assert.equal(groups.statusCode, 200);
      assert.match(groups.body, /POST <code>\/scim\/v2\/[^<]*\/Groups<\/code>/);
      assert.doesNotMatch(groups.body, /POST <code>\/scim\/v2\/[^<]*\/Users<\/code>/);
      const rules = await get(`${base}?aaction=role_rule.create&rpath=Groups`);
      const trail = /aria-label="Audit trail">([\s\S]*?)<\/table>/.exec(rules.body)?.[1] ?? '';
      assert.match(trail, /role_rule\.create/);
      assert.doesNotMatch(trail, /<td>create<\/td>|role_rule\.delete/);
      assert.match(
        rules.body,
        /<input type="hidden" name="rpath" value="Groups">/,
        'the other filter is kept',
      );
      const byType = await get(`${base}?atype=Group&aactor=scim_token`);
      const groupTrail = /aria-label="Audit trail">([\s\S]*?)<\/table>/.exec(byType.body)?.[1] ?? '';
      assert.match(groupTrail, /<td>create<\/td><td>Group/);
      assert.doesNotMatch(groupTrail, /<td>User /);
      const future = await get(`${base}?asince=2999-01-01`);
      assert.match(future.body, /No entries match/);
      for (let i = 0; i < 21; i++) await t.request('POST', 'Users', user(`many-${i}@example.com`));
      const older = /href="([^"]*acursor=[^"]*)"/.exec((await get(`${base}?aaction=create`)).body)?.[1];
      assert.ok(older, 'more than a page of audit entries: a link to older ones');
      assert.match(older, /aaction=create/, 'with the filter');
      const next = await get(older.replaceAll('&amp;', '&'));
      assert.equal(next.statusCode, 200);
      assert.match(next.body, /many-0@example\.com|<td>create<\/td>/);
      assert.doesNotMatch(next.body, /Older entries/, 'the last page');
      assert.equal((await get(`${base}?acursor=not-a-cursor`)).statusCode, 400);
      // Users page too: 25 at a time, the next page by its cursor, the group search kept.
      for (let i = 0; i < 5; i++) await t.request('POST', 'Users', user(`extra-${i}@example.com`));
      const nextUsers = /href="([^"]*ucursor=[^"]*)"/.exec((await get(`${base}?gq=sales`)).body)?.[1];
      assert.ok(nextUsers, 'a link to the next users');
      assert.match(nextUsers, /gq=sales/);
      const second = await get(nextUsers.replaceAll('&amp;', '&'));
      assert.match(second.body, /extra-4@example\.com/);
      assert.doesNotMatch(second.body, /ada@example\.com/);
      assert.match(second.body, /<td>Sales<\/td>/);
      assert.equal(
        (await get(`${base}?asince=yesterday&aaction=nope`)).statusCode,
        200,
        'bad filters are ignored',
      );
    });

    test('groups are searchable by display name on the org page', async () => {
      const page = await get(`${base}?gq=ENGINEER`);
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<td>Engineering<\/td>/);
      assert.match(page.body, /<td>Platform Engineers<\/td>/);
      assert.doesNotMatch(page.body, /<td>Sales<\/td>/);
      assert.match(page.body, /id="group-q" name="gq" type="search" maxlength="200" value="ENGINEER"/);
      const none = await get(`${base}?gq=${encodeURIComponent('no such group')}`);
      assert.match(none.body, /No groups match/);
    });
  });
}
