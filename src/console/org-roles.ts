/**
 * An org's roles and properties in the console (docs/console.md, docs/roles.md,
 * docs/properties.md): the role settings (mode, default role), the rules mapping IdP groups to
 * roles (add, edit, delete), the property mappings (set, clear) and the org's custom extension
 * schemas (declare, remove). Every read and write is a management API call with the operator's
 * session; the API's refusals (an unknown group or role, a path the schema lacks) are shown at
 * the field they are about.
 */
import type { ResponseBody } from '@scimitar/sdk';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiFailure } from './api-client.ts';
import { flashNotices, redirectWithFlash, takeFlash } from './flash.ts';
import { csrfField, fieldErrors, postButton, section } from './forms.ts';
import { describedBy, fieldError, type Html, html } from './html.ts';
import { sendPage } from './plugin.ts';
import { requireOperator, type Signed } from './session.ts';
import { when } from './status-view.ts';

type Org = ResponseBody<'getOrg'>;
type Role = ResponseBody<'listRoles'>['data'][number];
type RoleRule = ResponseBody<'listRoleRules'>['data'][number];
type RoleSettings = ResponseBody<'getRoleSettings'>;
type PropertyMapping = ResponseBody<'listPropertyMappings'>['data'][number];
type Extension = ResponseBody<'listExtensions'>['data'][number];

const MATCHES: [RoleRule['match'], string][] = [
  ['displayName', 'Display name'],
  ['externalId', 'externalId'],
  ['id', 'Group id (here)'],
];
const MODES: [RoleSettings['mode'], string][] = [
  ['highest', 'Highest priority wins (one role)'],
  ['all', 'All matched roles'],
];
const ATTRIBUTE_TYPES = ['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference'];
/** Attribute lines of an extension form: the API takes at most 50 attributes. */
const MAX_ATTRIBUTE_LINES = 50;

/** A form sent back with what was typed and the messages per field. */
interface FormState {
  form: string;
  values: Record<string, string>;
  errors: Record<string, string>;
}

type Body = Record<string, string> | undefined;
type Params = {
  Params: { orgId: string } & Record<string, string>;
  Body: Body;
  Querystring: Record<string, string | undefined>;
};

const matchLabel = (m: string) => MATCHES.find(([k]) => k === m)?.[1] ?? m;

/** The org page's section: what is set, and the way to the page that edits it. */
export function rolesSummary(
  base: string,
  rules: RoleRule[],
  settings: RoleSettings,
  properties: PropertyMapping[],
): Html {
  return html`<p><a href="${base}/roles">Edit roles and properties</a></p>
    <dl class="facts"><dt>Default role</dt><dd>${settings.defaultRole ?? 'none'}</dd>
      <dt>Mode</dt><dd>${MODES.find(([k]) => k === settings.mode)?.[1] ?? settings.mode}</dd></dl>
    <h3>Role rules</h3>
    ${
      rules.length === 0
        ? html`<p>No rules: users get the default role.</p>`
        : html`<ul>${rules.map((r) => html`<li>group by ${matchLabel(r.match)} <code>${r.value}</code> → <strong>${r.role}</strong></li>`)}</ul>`
    }
    <h3>Custom properties</h3>
    ${
      properties.length === 0
        ? html`<p>The deployment declares none.</p>`
        : html`<ul>${properties.map((p) => html`<li><code>${p.key}</code> (${p.type}) ← ${p.path ? html`<code>${p.path}</code>` : 'not mapped'}</li>`)}</ul>`
    }`;
}

/** A labelled control with its hint and its error, tied together for screen readers. */
function field(id: string, label: string, control: Html, error: string | undefined, hint?: string): Html {
  return html`<div><label for="${id}">${label}</label>${control}
    ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : ''}${fieldError(id, error)}</div>`;
}

function select(
  id: string,
  name: string,
  options: [string, string][],
  selected: string,
  error: string | undefined,
): Html {
  return html`<select id="${id}" name="${name}"${describedBy(id, error)}>${options.map(
    ([value, label]) =>
      html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`,
  )}</select>`;
}

function ruleForm(
  signed: Signed,
  base: string,
  roles: Role[],
  editing: RoleRule | undefined,
  state: FormState | undefined,
): Html {
  const mine = state?.form === 'rule' ? state : undefined;
  const v = (k: 'match' | 'value' | 'role', fallback: string) => mine?.values[k] ?? fallback;
  const e = mine?.errors ?? {};
  const action = editing ? `${base}/roles/rules/${encodeURIComponent(editing.id)}` : `${base}/roles/rules`;
  return html`<h3 id="rule-form-h">${editing ? 'Edit the rule' : 'Add a rule'}</h3>
    <form method="post" action="${action}" class="stack" aria-labelledby="rule-form-h">${csrfField(signed)}
      ${field('rule-match', 'Match the IdP group by', select('rule-match', 'match', MATCHES, v('match', editing?.match ?? 'displayName'), e.match), e.match)}
      ${field(
        'rule-value',
        'Group',
        html`<input id="rule-value" name="value" required maxlength="1024" value="${v('value', editing?.value ?? '')}"${describedBy('rule-value', e.value)}>`,
        e.value,
        'The display name or externalId exactly as the IdP sends it, or the id of a group here. The group must exist, unless you tick “Not pushed yet”.',
      )}
      <div><input type="checkbox" id="rule-ahead" name="allowUnknownGroup" value="true"${mine?.values.allowUnknownGroup === 'true' ? html` checked` : ''} aria-describedby="rule-ahead-hint">
        <label for="rule-ahead">Not pushed yet: accept a display name or externalId that matches no group here</label>
        <p class="hint" id="rule-ahead-hint">IdPs push a group when it is first assigned. The rule applies when the group arrives. Never for an id.</p></div>
      ${field(
        'rule-role',
        'Gives the role',
        select(
          'rule-role',
          'role',
          roles.map((r) => [r.key, `${r.name} (${r.key})`]),
          v('role', editing?.role ?? roles.at(-1)?.key ?? ''),
          e.role,
        ),
        e.role,
      )}
      <div><button type="submit">${editing ? 'Save the rule' : 'Add the rule'}</button>
        ${editing ? html` <a href="${base}/roles#rules-h">Cancel</a>` : ''}</div>
    </form>`;
}

function propertyForms(
  signed: Signed,
  base: string,
  properties: PropertyMapping[],
  state: FormState | undefined,
): Html {
  if (properties.length === 0)
    return html`<p>The deployment declares no properties (PROPERTIES, docs/properties.md).</p>`;
  return html`${properties.map((p, i) => {
    const mine = state?.form === `property:${p.key}` ? state : undefined;
    const id = `prop-${i}`;
    return html`<div class="panel"><h3><code>${p.key}</code> (${p.type})</h3>${p.description ? html`<p>${p.description}</p>` : ''}
      <form method="post" action="${base}/properties/${encodeURIComponent(p.key)}" class="inline">${csrfField(signed)}
        ${field(
          id,
          `SCIM attribute filling ${p.key}`,
          html`<input id="${id}" name="path" required maxlength="330" value="${mine?.values.path ?? p.path ?? ''}"${describedBy(id, mine?.errors.path)}>`,
          mine?.errors.path,
          'A path of the org’s User schema: name.familyName, urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter, or an attribute of an extension below.',
        )}
        <button type="submit">Save the mapping</button></form>
      ${p.path ? postButton(signed, `${base}/properties/${encodeURIComponent(p.key)}/clear`, `Stop filling ${p.key}`, `Stop filling ${p.key}? Its value becomes null for every user.`) : html`<p>Not mapped: ${p.key} is null for every user.</p>`}
    </div>`;
  })}`;
}

function extensionForms(
  signed: Signed,
  base: string,
  extensions: Extension[],
  state: FormState | undefined,
): Html {
  const mine = state?.form === 'extension' ? state : undefined;
  const e = mine?.errors ?? {};
  const v = (k: string) => mine?.values[k] ?? '';
  return html`<p>A custom extension schema of the org’s User schema: the IdP sends its attributes under its URN;
      they are validated, filterable and patchable, and can fill properties.</p>
    ${
      extensions.length === 0
        ? html`<p>This org declares none.</p>`
        : extensions.map(
            (x) => html`<div class="panel"><h3><code>${x.urn}</code></h3>
              <ul>${x.attributes.map((a) => html`<li><code>${a.name}</code> ${a.type}${a.multiValued ? ', multi-valued' : ''}${a.caseExact ? ', case-exact' : ''}</li>`)}</ul>
              <form method="post" action="${base}/extensions/remove" class="inline">${csrfField(signed)}
                <input type="hidden" name="urn" value="${x.urn}">
                <button type="submit" class="danger" data-confirm="Remove ${x.urn}? The IdP’s values under it are ignored from now on.">Remove ${x.name || 'this extension'}</button></form></div>`,
          )
    }
    <h3 id="ext-form-h">Declare an extension</h3>
    <form method="post" action="${base}/extensions" class="stack" aria-labelledby="ext-form-h">${csrfField(signed)}
      ${field(
        'ext-urn',
        'Schema URN',
        html`<input id="ext-urn" name="urn" required maxlength="200" value="${v('urn')}"${describedBy('ext-urn', e.urn)}>`,
        e.urn,
        'As the IdP sends it, e.g. urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User (Entra) or urn:okta:acme:1.0:user:custom (Okta).',
      )}
      ${field(
        'ext-name',
        'Name (optional)',
        html`<input id="ext-name" name="name" maxlength="100" value="${v('name')}"${describedBy('ext-name', e.name)}>`,
        e.name,
      )}
      ${field(
        'ext-attributes',
        'Attributes, one per line',
        html`<textarea id="ext-attributes" name="attributes" rows="4" required maxlength="5000"${describedBy('ext-attributes', e.attributes)}>${v('attributes')}</textarea>`,
        e.attributes,
        `A name and a type (${ATTRIBUTE_TYPES.join(', ')}), then optionally multi and caseExact: “badge string”, “level integer”, “tags string multi”.`,
      )}
      <div><button type="submit">Declare the extension</button></div>
    </form>`;
}

async function rolesPage(
  request: FastifyRequest,
  signed: Signed,
  reply: FastifyReply,
  orgId: string,
  q: Record<string, string | undefined>,
  state?: FormState,
) {
  const o = encodeURIComponent(orgId);
  const api = signed.api;
  const [org, roles, rules, settings, properties, extensions, flash] = await Promise.all([
    api.get<Org>(`/orgs/${o}`),
    api.get<{ data: Role[] }>('/roles'),
    api.get<{ data: RoleRule[] }>(`/orgs/${o}/roles/rules`),
    api.get<RoleSettings>(`/orgs/${o}/roles/settings`),
    api.get<{ data: PropertyMapping[] }>(`/orgs/${o}/properties`),
    api.get<{ data: Extension[] }>(`/orgs/${o}/extensions`),
    state ? Promise.resolve({}) : takeFlash(request, q),
  ]);
  const base = `/console/orgs/${o}`;
  const editId = state?.form === 'rule' ? state.values.ruleId : q.edit;
  const editing = rules.data.find((r) => r.id === editId);
  const s = state?.form === 'settings' ? state : undefined;
  const body = html`<p><a href="${base}#roles-h">Back to ${org.name}</a></p>
    ${flashNotices(flash)}
    ${
      state?.form === 'notice'
        ? html`<p class="notice error" role="alert">${Object.values(state.errors).join(' ')}</p>`
        : state
          ? html`<p class="notice error" role="alert">That was not saved: see the message at the field.</p>`
          : ''
    }
    ${section(
      'settings',
      'Role settings',
      html`<form method="post" action="${base}/roles/settings" class="stack">${csrfField(signed)}
        ${field('role-mode', 'When a user matches several rules', select('role-mode', 'mode', MODES, s?.values.mode ?? settings.mode, s?.errors.mode), s?.errors.mode)}
        ${field(
          'default-role',
          'Default role',
          select(
            'default-role',
            'defaultRole',
            [['', 'none'], ...roles.data.map((r): [string, string] => [r.key, `${r.name} (${r.key})`])],
            s?.values.defaultRole ?? settings.defaultRole ?? '',
            s?.errors.defaultRole,
          ),
          s?.errors.defaultRole,
          'The role of users that no rule matches.',
        )}
        <div><button type="submit">Save the settings</button></div></form>`,
    )}
    ${section(
      'rules',
      'Role rules',
      html`<p>Members of the IdP group, nested groups included, get the role. Roles by priority:
        ${roles.data.map((r, i) => html`${i > 0 ? ', ' : ''}<strong>${r.key}</strong> (${r.priority})`)}.</p>
      ${
        rules.data.length === 0
          ? html`<p>No rules yet: every user gets the default role.</p>`
          : html`<div class="table-wrap" tabindex="0" role="region" aria-label="Role rules"><table>
            <thead><tr><th scope="col">Group matched by</th><th scope="col">Group</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>${rules.data.map(
              (
                r,
              ) => html`<tr${r.id === editing?.id ? html` aria-current="true"` : ''}><td>${matchLabel(r.match)}</td><td><code>${r.value}</code></td><td>${r.role}</td><td>${when(r.createdAt)}</td>
                <td><a href="${base}/roles?edit=${encodeURIComponent(r.id)}#rule-form-h">Edit<span class="visually-hidden"> the rule ${r.value} → ${r.role}</span></a>
                ${postButton(signed, `${base}/roles/rules/${encodeURIComponent(r.id)}/delete`, `Delete the rule ${r.value} → ${r.role}`, `Delete the rule ${r.value} → ${r.role}? Its users’ roles are recomputed.`, true)}</td></tr>`,
            )}</tbody></table></div>`
      }
      ${ruleForm(signed, base, roles.data, editing, state)}`,
    )}
    ${section('properties', 'Custom properties', propertyForms(signed, base, properties.data, state))}
    ${section('extensions', 'Custom extension schemas', extensionForms(signed, base, extensions.data, state))}`;
  return sendPage(reply, state ? 400 : 200, `Roles and properties: ${org.name}`, body, {
    nav: signed.nav('/console'),
  });
}

const moved = (n: number) => (n === 1 ? "1 user's roles changed." : `${n} users' roles changed.`);

/** Parses the extension form's attribute lines into the API's attributes, or says which line is wrong. */
export function parseAttributes(text: string): { attributes: Record<string, unknown>[] } | { error: string } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (lines.length === 0)
    return { error: 'Give at least one attribute: a name and a type, e.g. “badge string”.' };
  if (lines.length > MAX_ATTRIBUTE_LINES)
    return { error: `An extension has at most ${MAX_ATTRIBUTE_LINES} attributes.` };
  const attributes: Record<string, unknown>[] = [];
  for (const [i, line] of lines.entries()) {
    const [name, type, ...flags] = line.split(/\s+/);
    if (!type || !ATTRIBUTE_TYPES.includes(type))
      return { error: `Line ${i + 1}: give a name, then a type (${ATTRIBUTE_TYPES.join(', ')}).` };
    const unknown = flags.filter((f) => f !== 'multi' && f !== 'caseExact');
    if (unknown.length > 0) return { error: `Line ${i + 1}: “${unknown[0]}” is not multi or caseExact.` };
    attributes.push({
      name,
      type,
      ...(flags.includes('multi') ? { multiValued: true } : {}),
      ...(flags.includes('caseExact') ? { caseExact: true } : {}),
    });
  }
  return { attributes };
}

export async function orgRolePages(app: FastifyInstance): Promise<void> {
  app.get<Params>('/orgs/:orgId/roles', async (request, reply) => {
    const signed = await requireOperator(request, reply);
    if (!signed) return reply;
    return rolesPage(request, signed, reply, request.params.orgId, request.query);
  });

  /**
   * A write from one of the page's forms: on success 303 back with a message (flash.ts); a 4xx
   * from the API is the same page, 400, with the message at the field, what was typed kept.
   */
  const write = (
    path: string,
    form: (request: FastifyRequest<Params>) => string,
    fallback: string,
    work: (
      signed: Signed,
      o: string,
      body: Record<string, string>,
    ) => Promise<{ message: string; anchor: string }>,
    route?: (detail: string) => string | undefined,
  ) =>
    app.post<Params>(path, async (request, reply) => {
      const signed = await requireOperator(request, reply);
      if (!signed) return reply;
      const o = encodeURIComponent(request.params.orgId);
      const body = { ...request.body, ...request.params };
      try {
        const done = await work(signed, o, body);
        return redirectWithFlash(request, reply, `/console/orgs/${o}/roles#${done.anchor}`, {
          message: done.message,
        });
      } catch (error) {
        if (!(error instanceof ApiFailure) || error.problem.status >= 500) throw error;
        const { _csrf, ...values } = body;
        return rolesPage(
          request,
          signed,
          reply,
          request.params.orgId,
          {},
          {
            form: form(request),
            values,
            errors: fieldErrors(error, fallback, route),
          },
        );
      }
    });

  write(
    '/orgs/:orgId/roles/settings',
    () => 'settings',
    'defaultRole',
    async (signed, o, b) => {
      const result = await signed.api.call<{ usersChanged: number }>('PATCH', `/orgs/${o}/roles/settings`, {
        mode: b.mode,
        defaultRole: b.defaultRole ? b.defaultRole : null,
      });
      return { message: `Role settings saved. ${moved(result.usersChanged)}`, anchor: 'settings-h' };
    },
    (detail) => (/^mode/.test(detail) ? 'mode' : 'defaultRole'),
  );

  const ruleRoute = (detail: string) => (/unknown role/.test(detail) ? 'role' : 'value');
  const ruleBody = (b: Record<string, string>) => ({
    match: b.match,
    value: b.value ?? '',
    role: b.role,
    allowUnknownGroup: b.allowUnknownGroup === 'true',
  });
  const groupNote = (r: { groupExists: boolean }) =>
    r.groupExists ? '' : ' No group matches it yet: it applies when the IdP pushes one.';

  write(
    '/orgs/:orgId/roles/rules',
    () => 'rule',
    'value',
    async (signed, o, b) => {
      const rule = await signed.api.call<{ usersChanged: number; groupExists: boolean }>(
        'POST',
        `/orgs/${o}/roles/rules`,
        ruleBody(b),
      );
      return { message: `Rule added. ${moved(rule.usersChanged)}${groupNote(rule)}`, anchor: 'rules-h' };
    },
    ruleRoute,
  );

  write(
    '/orgs/:orgId/roles/rules/:ruleId',
    () => 'rule',
    'value',
    async (signed, o, b) => {
      const rule = await signed.api.call<{ usersChanged: number; groupExists: boolean }>(
        'PATCH',
        `/orgs/${o}/roles/rules/${encodeURIComponent(b.ruleId ?? '')}`,
        ruleBody(b),
      );
      return { message: `Rule saved. ${moved(rule.usersChanged)}${groupNote(rule)}`, anchor: 'rules-h' };
    },
    ruleRoute,
  );

  write(
    '/orgs/:orgId/roles/rules/:ruleId/delete',
    () => 'notice',
    'rule',
    async (signed, o, b) => {
      const rule = await signed.api.call<{ usersChanged: number }>(
        'DELETE',
        `/orgs/${o}/roles/rules/${encodeURIComponent(b.ruleId ?? '')}`,
      );
      return { message: `Rule deleted. ${moved(rule.usersChanged)}`, anchor: 'rules-h' };
    },
  );

  write(
    '/orgs/:orgId/properties/:key',
    (request) => `property:${request.params.key}`,
    'path',
    async (signed, o, b) => {
      const mapping = await signed.api.call<{ key: string; path: string }>(
        'PUT',
        `/orgs/${o}/properties/${encodeURIComponent(b.key ?? '')}`,
        { path: (b.path ?? '').trim() },
      );
      return { message: `${mapping.key} is filled from ${mapping.path}.`, anchor: 'properties-h' };
    },
  );

  write(
    '/orgs/:orgId/properties/:key/clear',
    () => 'notice',
    'path',
    async (signed, o, b) => {
      await signed.api.call('DELETE', `/orgs/${o}/properties/${encodeURIComponent(b.key ?? '')}`);
      return { message: `${b.key} is no longer filled.`, anchor: 'properties-h' };
    },
  );

  write(
    '/orgs/:orgId/extensions',
    () => 'extension',
    'attributes',
    async (signed, o, b) => {
      const parsed = parseAttributes(b.attributes ?? '');
      if ('error' in parsed)
        throw new ApiFailure({ status: 400, code: 'invalid_request', detail: parsed.error });
      const urn = (b.urn ?? '').trim();
      const name = (b.name ?? '').trim();
      await signed.api.call('POST', `/orgs/${o}/extensions`, {
        urn,
        ...(name ? { name } : {}),
        attributes: parsed.attributes,
      });
      return { message: `Extension ${urn} declared.`, anchor: 'extensions-h' };
    },
    (detail) =>
      /URN|urn|declared already|exists/.test(detail) && !/^Line \d/.test(detail) ? 'urn' : undefined,
  );

  write(
    '/orgs/:orgId/extensions/remove',
    () => 'notice',
    'urn',
    async (signed, o, b) => {
      await signed.api.call('DELETE', `/orgs/${o}/extensions/${encodeURIComponent(b.urn ?? '')}`);
      return { message: `Extension ${b.urn} removed.`, anchor: 'extensions-h' };
    },
  );
}
