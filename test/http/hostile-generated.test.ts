/**
 * The generated part of the hostile-input suite: HOSTILE_GEN_CASES (10,000 by default) requests
 * per database, drawn from a seeded PRNG across filters, PATCH bodies and paths, Bulk, POST/PUT
 * bodies, headers, query parameters and JSON edge cases (deep nesting, huge numbers, lone
 * surrogates, NUL, overlong strings, wrong types), sent through app.inject. The seed is printed;
 * HOSTILE_GEN_SEED replays a run, and each case draws from its own PRNG (seed and case index),
 * so a failure names the one case to replay.
 *
 * Invariants, for every case:
 * - never a 5xx;
 * - every error is a SCIM error body (RFC 7644 §3.12) in application/scim+json whose `status`
 *   is the HTTP status, and cases whose answer is known (no or a wrong token: 401; a body that
 *   is not JSON: 400) get exactly that status;
 * - a refused write (4xx, or a Bulk none of whose operations succeeded) leaves the org as it
 *   was: the same outbox events, resources and versions, memberships;
 * - no password, token or other secret the request carried appears in the request log or in
 *   the server's own log.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import { buildApp } from '../../src/http/app.ts';
import { ERROR_SCHEMA } from '../../src/http/responses.ts';
import { BULK_REQUEST } from '../../src/scim/bulk.ts';
import { SEARCH_REQUEST } from '../../src/scim/list-query.ts';
import { PATCH_OP_URN } from '../../src/scim/patch/parse.ts';
import { CORE_GROUP, CORE_USER, ENTERPRISE_USER } from '../../src/scim/schema/definitions.ts';
import { listRequestLogs } from '../../src/store/request-log.ts';
import { dialects, openTestDatabase } from '../helpers/dialects.ts';
import { prng, type Rng } from '../helpers/prng.ts';

const SEED = Number(process.env.HOSTILE_GEN_SEED ?? 20261205);
const CASES = Number(process.env.HOSTILE_GEN_CASES ?? 10_000);
/** Every secret a case sends contains this, so one search of the logs finds any that leaked. */
const MARK = 'Zq7sEcReT';

/** Percent-encodes text for a URL, lone surrogates as the (invalid) bytes a careless client sends. */
function pct(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)]
        .map((b) => `%${b.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(s[i] as string);
    }
  }
  return out;
}

interface Case {
  label: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
  /** Relative to the org's base URL. */
  url: string;
  payload?: string | Buffer;
  headers?: Record<string, string>;
  /** Drop the org's token (headers may carry another). */
  anonymous?: boolean;
  /** The only acceptable status, when the case knows it. */
  expect?: number;
  writes: boolean;
}

/** What the generators may aim at: the org's resources, and an id that is not there. */
interface Targets {
  users: string[];
  groups: string[];
  token: string;
}

const secret = (r: Rng) => `${MARK}-${r.int(1e9)}`;

/**
 * Most requests that carry a password are also refused for another reason: a password that is
 * accepted is hashed (scrypt, tens of milliseconds), which would make the run slow, while the
 * request log must redact it either way.
 */
const REFUSED_OP = '{"op":"replace","path":"active","value":"maybe"}';
function opList(r: Rng, ops: string[]): string {
  const list = ops.some((o) => o.includes(MARK)) && r.chance(0.97) ? [...ops, REFUSED_OP] : ops;
  return `[${list.join(',')}]`;
}

// ---------------------------------------------------------------------------------------------
// Filters

const FILTER_ATTRS = [
  'userName',
  'USERNAME',
  'name.givenName',
  'name',
  'emails',
  'emails.value',
  'emails.TYPE',
  'emails.nosuch',
  'phoneNumbers.type',
  'addresses.postalCode',
  'members',
  'members.value',
  'members.$ref',
  'groups',
  'groups.display',
  'displayName',
  'externalId',
  'id',
  'meta.created',
  'meta.lastModified',
  'meta.resourceType',
  'meta.version',
  'active',
  'title',
  'x509Certificates.value',
  `${CORE_USER}:userName`,
  `${ENTERPRISE_USER}:employeeNumber`,
  `${ENTERPRISE_USER}:manager.value`,
  `${ENTERPRISE_USER}:manager`,
  'password',
  'nosuch',
  'a.b.c',
  'urn:x',
  '$ref',
  '.',
  'x'.repeat(300),
];
const FILTER_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Sw', 'zz', '=', '==', ''];
const FILTER_VALUES = [
  '"x"',
  '"bjensen"',
  '""',
  '"\\u0000"',
  '"\\ud800"',
  '"\\udfff\\ud800"',
  '"\\\\"',
  '"\\""',
  '"\\x"',
  '1',
  '-0',
  '1.5',
  '1e400',
  '-1e400',
  '123456789012345678901234567890',
  'true',
  'FALSE',
  'null',
  'O',
  '2015-10-10T14:38:21Z',
  '"2026-02-30T00:00:00Z"',
  '"2026-01-01"',
  "'x'",
  '"abc',
  '"😀"',
  '"\u202e\ufeff"',
  '"%00"',
  `"${'a'.repeat(9000)}"`,
  '[',
  ')',
];

function filterExpr(r: Rng, depth: number): string {
  const attr = r.pick(FILTER_ATTRS);
  const leaf = () =>
    r.chance(0.15)
      ? `${attr} ${r.pick(['pr', 'PR', 'pr pr'])}`
      : `${attr} ${r.pick(FILTER_OPS)} ${r.pick(FILTER_VALUES)}`;
  if (depth <= 0) return leaf();
  switch (r.int(9)) {
    case 0:
      return `not (${filterExpr(r, depth - 1)})`;
    case 1:
      return `(${filterExpr(r, depth - 1)})`;
    case 2:
      return `${filterExpr(r, depth - 1)} and ${filterExpr(r, depth - 1)}`;
    case 3:
      return `${filterExpr(r, depth - 1)} ${r.pick(['or', 'OR', 'xor', 'and not'])} ${filterExpr(r, depth - 1)}`;
    case 4:
      return `${r.pick(['emails', 'members', 'groups', 'addresses', 'name', 'userName'])}[${filterExpr(r, 0)}]${r.chance(0.3) ? `.value eq ${r.pick(FILTER_VALUES)}` : ''}`;
    case 5: {
      const n = r.pick([2, 40, 70, 200]);
      return `${'('.repeat(n)}${leaf()}${')'.repeat(r.chance(0.8) ? n : n - 1)}`;
    }
    case 6:
      return Array.from({ length: r.pick([5, 33, 60]) }, () => leaf()).join(r.pick([' or ', ' and ']));
    default:
      return leaf();
  }
}

/** A filter, sometimes with a character dropped, added or the text cut short. */
function filterText(r: Rng): string {
  let f = filterExpr(r, r.int(3));
  if (r.chance(0.3)) {
    const at = r.int(f.length + 1);
    const junk = r.pick(['(', ')', '[', ']', '"', ' ', '\\', '\u0000', '\ud800', 'é', '%', '']);
    f = r.chance(0.5) ? f.slice(0, at) + junk + f.slice(at) : f.slice(0, at) + f.slice(at + 1);
  }
  if (r.chance(0.03)) f = f.repeat(200);
  return f;
}

const SORT_BY = [
  'userName',
  'displayName',
  'meta.lastModified',
  'emails',
  'password',
  'nosuch',
  'members.value',
  '',
];

function filterCase(r: Rng): Case {
  const filter = filterText(r);
  const extra: Record<string, unknown> = {};
  if (r.chance(0.3)) extra.sortBy = r.pick(SORT_BY);
  if (r.chance(0.2)) extra.sortOrder = r.pick(['descending', 'up', '']);
  if (r.chance(0.2)) extra.startIndex = r.pick([1, 0, -5, 1e15, 3]);
  if (r.chance(0.2)) extra.count = r.pick([0, 1, -1, 5000, 2]);
  switch (r.int(4)) {
    case 0:
    case 1: {
      const endpoint = r.pick(['Users', 'Groups']);
      const params = Object.entries(extra).map(([k, v]) => `&${k}=${pct(String(v))}`);
      return {
        label: `GET ${endpoint} filter`,
        method: 'GET',
        url: `${endpoint}?filter=${pct(filter)}${params.join('')}`,
        writes: false,
      };
    }
    default: {
      const url = r.pick(['Users/.search', 'Groups/.search', '.search']);
      const body = { schemas: [SEARCH_REQUEST], filter, ...extra };
      return {
        label: `POST ${url} filter`,
        method: 'POST',
        url,
        payload: JSON.stringify(body),
        writes: false,
      };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Values, PATCH, POST/PUT, Bulk

/** Wrong types and edge values, as JSON text (some of it no JSON.stringify could produce). */
const ATOMS = [
  'null',
  'true',
  'false',
  '0',
  '-0',
  '1.5',
  '1e400',
  '-1e400',
  '18446744073709551616',
  '""',
  '" "',
  '"x"',
  '"True"',
  '"2026-13-45T99:99:99Z"',
  '"2026-01-01T00:00:00Z"',
  '"\\ud800"',
  '"\\udfff\\ud800x"',
  '"\\u0000"',
  '"a\\u0000b"',
  '"\u202e\ufeff\u200b"',
  JSON.stringify('😀'.repeat(50)),
  JSON.stringify('x'.repeat(70_000)),
  `"${CORE_USER}:userName"`,
  '"../../Users"',
  '[]',
  '[null]',
  '[[]]',
  '["x"]',
  '[{}]',
  '{}',
  '{"value":null}',
  '{"value":[]}',
  '{"value":{}}',
  '{"value":"x","primary":"yes"}',
  '{"value":"x","primary":true,"type":7}',
  '[{"value":"a@x","primary":true},{"value":"b@x","primary":true}]',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  `${'['.repeat(200)}${']'.repeat(200)}`,
  `${'{"a":'.repeat(150)}1${'}'.repeat(150)}`,
];

const PATCH_PATHS = [
  'title',
  'displayName',
  'userName',
  'emails',
  'emails[type eq "work"].value',
  'emails[type eq "work" or type eq "home"].value',
  'phoneNumbers[type eq "mobile"].value',
  'emails[value co "@"].primary',
  'name.givenName',
  'name',
  'members',
  'active',
  'id',
  'meta.created',
  'groups',
  `${ENTERPRISE_USER}:manager`,
  `${ENTERPRISE_USER}:employeeNumber`,
  `${CORE_USER}:userName`,
  'nosuch',
  'emails[',
  'emails[type eq "work"',
  'name.',
  '.',
  '',
  'x'.repeat(2000),
  'emails[type eq "\ud800"].value',
  'userName\u0000',
];
const PASSWORD_PATHS = [
  'password',
  'PASSWORD',
  'Password',
  `${CORE_USER}:password`,
  'password[value eq "x"]',
];
/** Keys that name secrets without being in the schema. */
const SECRET_KEYS = [
  'pwd',
  'passphrase',
  'pin',
  'credentials',
  'privateKey',
  'apiKey',
  'clientSecret',
  'accessToken',
];

function opKeys(r: Rng): [string, string, string] {
  return r.pick([
    ['op', 'path', 'value'],
    ['op', 'path', 'value'],
    ['Op', 'Path', 'Value'],
    ['OP', 'PATH', 'VALUE'],
  ] as const) as [string, string, string];
}

/** One PATCH operation as JSON text; the value may be a secret, the path may name the password. */
function patchOp(r: Rng, t: Targets, secrets: boolean): string {
  const [kOp, kPath, kValue] = opKeys(r);
  const op = r.pick([
    '"add"',
    '"replace"',
    '"remove"',
    '"Add"',
    '"REPLACE"',
    '"Remove"',
    '"move"',
    '""',
    '7',
    'null',
  ]);
  const parts = [`"${kOp}":${op}`];
  const kind = r.int(6);
  if (secrets && kind === 0) {
    parts.push(
      `"${kPath}":${JSON.stringify(r.pick(PASSWORD_PATHS))}`,
      `"${kValue}":${JSON.stringify(secret(r))}`,
    );
  } else if (secrets && kind === 1) {
    const key = r.pick(['password', 'PASSWORD', 'passWord', ...SECRET_KEYS]);
    parts.push(`"${kValue}":{${JSON.stringify(key)}:${JSON.stringify(secret(r))},"title":"x"}`);
  } else if (kind === 2) {
    const member = r.chance(0.5) ? (r.pick(t.users) ?? 'x') : r.pick(['x', '', 'ÿ', '\ud800']);
    const path = r.pick([
      'members',
      `members[value eq ${JSON.stringify(member)}]`,
      `members[value eq ${JSON.stringify(member.toUpperCase())}]`,
      'members[value co "a"]',
    ]);
    parts.push(`"${kPath}":${JSON.stringify(path)}`);
    if (r.chance(0.7)) parts.push(`"${kValue}":[{"value":${JSON.stringify(member)}}]`);
  } else {
    const path = r.chance(0.2) ? `emails[${filterExpr(r, 0)}].value` : r.pick(PATCH_PATHS);
    if (r.chance(0.9)) parts.push(`"${kPath}":${JSON.stringify(path)}`);
    if (r.chance(0.85)) parts.push(`"${kValue}":${r.pick(ATOMS)}`);
  }
  return `{${parts.join(',')}}`;
}

function patchCase(r: Rng, t: Targets): Case {
  const onGroup = r.chance(0.35);
  const id = r.chance(0.9)
    ? (r.pick(onGroup ? t.groups : t.users) ?? 'x')
    : r.pick(['nosuch', 'ÿ', '%ED%A0%80']);
  const ops = Array.from({ length: r.pick([1, 1, 2, 3, 5, 0]) }, () => patchOp(r, t, true));
  const schemas = r.pick([`["${PATCH_OP_URN}"]`, `["${PATCH_OP_URN}"]`, '[]', `"${PATCH_OP_URN}"`, '["x"]']);
  const opsKey = r.pick(['Operations', 'Operations', 'operations', 'Ops']);
  const payload = `{"schemas":${schemas},"${opsKey}":${r.chance(0.05) ? r.pick(ATOMS) : opList(r, ops)}}`;
  const headers: Record<string, string> = {};
  if (r.chance(0.1))
    headers['if-match'] = r.pick(['*', 'W/"1"', '"x"', 'W/', '', 'W/"999999999999999999999"']);
  return {
    label: `PATCH ${onGroup ? 'Groups' : 'Users'}`,
    method: 'PATCH',
    url: `${onGroup ? 'Groups' : 'Users'}/${id}`,
    payload,
    headers,
    writes: true,
  };
}

const USER_ATTRS = [
  'userName',
  'displayName',
  'name',
  'emails',
  'phoneNumbers',
  'active',
  'title',
  'externalId',
  'groups',
  'id',
  'meta',
  'schemas',
  'roles',
  'x509Certificates',
  'nickName',
  'USERNAME',
  `${CORE_USER}:title`,
  ENTERPRISE_USER,
  'nosuch',
];

/** A User (or Group) body as JSON text, valid at first and then bent. */
function resourceBody(r: Rng, group: boolean, secrets: boolean): string {
  const parts = group
    ? [`"schemas":["${CORE_GROUP}"]`, `"displayName":"g-${r.int(1e9)}"`]
    : [`"schemas":["${CORE_USER}"]`, `"userName":"u-${r.int(1e9)}@example.com"`];
  for (let n = r.int(4); n > 0; n--) {
    const key = group ? r.pick(['displayName', 'members', 'externalId', 'id', 'nosuch']) : r.pick(USER_ATTRS);
    parts.push(`${JSON.stringify(key)}:${r.pick(ATOMS)}`);
  }
  if (secrets && !group && r.chance(0.5)) {
    parts.push(
      `${JSON.stringify(r.pick(['password', 'PASSWORD', 'Password']))}:${JSON.stringify(secret(r))}`,
    );
  }
  if (secrets && r.chance(0.15)) {
    const key = r.pick(SECRET_KEYS);
    const inside = r.chance(0.5)
      ? `"${ENTERPRISE_USER}":{${JSON.stringify(key)}:${JSON.stringify(secret(r))}}`
      : `${JSON.stringify(key)}:${JSON.stringify(secret(r))}`;
    parts.push(inside);
  }
  return `{${parts.join(',')}}`;
}

function writeCase(r: Rng, t: Targets): Case {
  const group = r.chance(0.3);
  const endpoint = group ? 'Groups' : 'Users';
  if (r.chance(0.6)) {
    return {
      label: `POST ${endpoint}`,
      method: 'POST',
      url: endpoint,
      payload: resourceBody(r, group, true),
      writes: true,
    };
  }
  const id = r.pick(group ? t.groups : t.users) ?? 'x';
  return {
    label: `PUT ${endpoint}`,
    method: 'PUT',
    url: `${endpoint}/${id}`,
    payload: resourceBody(r, group, true),
    writes: true,
  };
}

function bulkCase(r: Rng, t: Targets): Case {
  const ops: string[] = [];
  for (let n = r.pick([1, 2, 3, 5, 0]); n > 0; n--) {
    const method = r.pick(['"POST"', '"PUT"', '"PATCH"', '"DELETE"', '"GET"', '"post"', '7', 'null']);
    const path = r.pick([
      '"/Users"',
      '"/Groups"',
      `"/Users/${r.pick(t.users) ?? 'x'}"`,
      `"/Groups/${r.pick(t.groups) ?? 'x'}"`,
      '"/Users/\\ud800"',
      '"/Users/\\u0000"',
      '"/Users/bulkId:b1"',
      '"bulkId:b1"',
      '""',
      '"Users"',
      '"/Users/../Groups"',
      '"/Users/x/y"',
      '7',
    ]);
    const data = r.pick([
      () => resourceBody(r, false, true),
      () => resourceBody(r, true, true),
      () => `{"schemas":["${PATCH_OP_URN}"],"Operations":${opList(r, [patchOp(r, t, true)])}}`,
      () => r.pick(ATOMS),
    ])();
    const fields = [`"method":${method}`, `"path":${path}`];
    if (r.chance(0.5)) fields.push(`"bulkId":${r.pick(['"b1"', '"b2"', '""', '7', '"\\ud800"'])}`);
    if (r.chance(0.8)) fields.push(`"data":${data}`);
    if (r.chance(0.1)) fields.push(`"version":${r.pick(['"W/\\"1\\""', '7', '""'])}`);
    ops.push(`{${fields.join(',')}}`);
  }
  const failOnErrors = r.chance(0.5)
    ? `,"failOnErrors":${r.pick(['1', '0', '-1', '"x"', '1e400', 'null'])}`
    : '';
  const payload = `{"schemas":${r.chance(0.9) ? `["${BULK_REQUEST}"]` : '[]'}${failOnErrors},"Operations":[${ops.join(',')}]}`;
  return { label: 'POST Bulk', method: 'POST', url: 'Bulk', payload, writes: true };
}

// ---------------------------------------------------------------------------------------------
// Headers, query parameters, JSON text

function headerCase(r: Rng, t: Targets): Case {
  const id = r.pick(t.users) ?? 'x';
  const kind = r.int(3);
  if (kind === 0) {
    const auth = r.pick([
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${t.token.toUpperCase()}`,
      `Bearer ${t.token}x`,
      `Bearer ${t.token.slice(0, -1)}`,
      `Basic ${Buffer.from(`u:${t.token}`).toString('base64')}`,
      `Token ${t.token}`,
      `Bearer  ${'a'.repeat(5000)}`,
      'Bearer scim_x',
    ]);
    const method = r.pick(['GET', 'PATCH', 'DELETE'] as const);
    return {
      label: `${method} with authorization ${JSON.stringify(auth.slice(0, 30))}`,
      method,
      url: method === 'GET' ? `Users/${id}` : `Users/${id}`,
      headers: auth === '' ? {} : { authorization: auth },
      anonymous: true,
      ...(method === 'GET'
        ? {}
        : {
            payload: `{"schemas":["${PATCH_OP_URN}"],"Operations":[{"op":"replace","path":"title","value":"x"}]}`,
          }),
      expect: 401,
      writes: method !== 'GET',
    };
  }
  const headers: Record<string, string> = {};
  if (r.chance(0.5))
    headers['if-match'] = r.pick(['*', 'W/"1"', '"x"', 'W/', '', 'x'.repeat(3000), 'W/"1", W/"2"']);
  if (r.chance(0.5)) headers['if-none-match'] = r.pick(['*', 'W/"1"', '"', 'W/"x"']);
  if (r.chance(0.5)) {
    headers['content-type'] = r.pick([
      'text/plain',
      'application/scim+json; charset=latin1',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      '',
    ]);
  }
  if (r.chance(0.3)) headers.accept = r.pick(['text/html', 'application/xml', '*/*;q=0', '']);
  if (r.chance(0.2)) headers['x-http-method-override'] = r.pick(['DELETE', 'PUT']);
  const method = r.pick(['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const);
  const body =
    method === 'PUT'
      ? resourceBody(r, false, true)
      : method === 'PATCH'
        ? `{"schemas":["${PATCH_OP_URN}"],"Operations":${opList(r, [patchOp(r, t, true)])}}`
        : undefined;
  return {
    label: `${method} Users/id with odd headers`,
    method,
    url: `Users/${r.chance(0.9) ? id : 'nosuch'}`,
    headers,
    ...(body === undefined ? {} : { payload: body }),
    writes: method === 'PUT' || method === 'PATCH' || method === 'DELETE',
  };
}

const PARAM_VALUES = [
  '-1',
  '0',
  '1e400',
  'abc',
  '99999999999999999999',
  '',
  '1.5',
  ' 2 ',
  '%zz',
  '%00',
  '%ED%A0%80',
  'x'.repeat(3000),
];

function queryCase(r: Rng): Case {
  const params: string[] = [];
  for (let n = 1 + r.int(4); n > 0; n--) {
    const name = r.pick([
      'startIndex',
      'count',
      'COUNT',
      'attributes',
      'excludedAttributes',
      'cursor',
      'sortBy',
      'sortOrder',
      'filter',
      'nosuch',
      'access_token',
      'password',
      'token',
    ]);
    const value =
      name === 'access_token' || name === 'password' || name === 'token'
        ? secret(r)
        : name === 'attributes' || name === 'excludedAttributes'
          ? pct(
              r.pick([
                'a,b,,',
                'emails[type eq "work"]',
                'password',
                'name.givenName,emails',
                'x'.repeat(5000),
                'members.value',
              ]),
            )
          : r.pick(PARAM_VALUES);
    params.push(`${name}=${value}`);
  }
  if (r.chance(0.2)) params.push(`filter=${pct(`password eq "${secret(r)}"`)}`);
  const endpoint = r.pick(['Users', 'Groups', 'Users/.search', 'Schemas', 'ResourceTypes']);
  return {
    label: `GET ${endpoint} with odd parameters`,
    method: 'GET',
    url: `${endpoint}?${params.join('&')}`,
    writes: false,
  };
}

function jsonCase(r: Rng, t: Targets): Case {
  // Candidates are made only when drawn: some are megabytes.
  const broken: (() => string)[] = [
    () => '',
    () => '{',
    () => '{"userName":}',
    () => "{'userName':'x'}",
    () => '{"userName":"x",}',
    () => '{"userName":"x"} trailing',
    () => '{"userName":NaN}',
    () => '{"userName":Infinity}',
    () => '/* c */ {}',
    () => `${'['.repeat(100_000)}`,
    () => '{"userName":"\\ud800"',
    () => '{"userName":"\\u00"}',
    () => '{"userName":"\\uZZZZ"}',
  ];
  const valid: (() => string)[] = [
    () => 'null',
    () => '[]',
    () => '"string"',
    () => '"\\u0000"',
    () => `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
    () => `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`,
    () => '0',
    () => '1e400',
    () => `{"schemas":["${CORE_USER}"],"userName":"\\ud800"}`,
    () => `{"schemas":["${CORE_USER}"],"userName":"a\\u0000b"}`,
    () => `{"schemas":["${CORE_USER}"],"userName":${JSON.stringify('x'.repeat(1_000_000))}}`,
    () => `{"schemas":["${CORE_USER}"],"userName":"dup-${r.int(1e9)}","userName":"dup2-${r.int(1e9)}"}`,
    () => `{"schemas":["${CORE_USER}"],"userName":"p-${r.int(1e9)}","__proto__":{"admin":true}}`,
    () =>
      `{"schemas":["${CORE_USER}"],"userName":"n-${r.int(1e9)}","name":${'{"givenName":'.repeat(60)}"x"${'}'.repeat(60)}}`,
    () =>
      `{"schemas":["${CORE_USER}"],"userName":"h-${r.int(1e9)}","emails":[${Array.from({ length: 2000 }, (_, i) => `{"value":"e${i}@x"}`).join(',')}]}`,
    () => `\ufeff{"schemas":["${CORE_USER}"],"userName":"bom-${r.int(1e9)}"}`,
  ];
  const invalidUtf8 = Buffer.concat([
    Buffer.from(`{"schemas":["${CORE_USER}"],"userName":"`),
    Buffer.from([0xc0, 0xaf, 0xff, 0xed, 0xa0, 0x80]),
    Buffer.from('"}'),
  ]);
  const isBroken = r.chance(0.5);
  const payload: string | Buffer = r.chance(0.05)
    ? invalidUtf8
    : isBroken
      ? r.pick(broken)()
      : r.pick(valid)();
  const [method, url] = r.pick([
    ['POST', 'Users'],
    ['POST', 'Groups'],
    ['PUT', `Users/${r.pick(t.users) ?? 'x'}`],
    ['PATCH', `Users/${r.pick(t.users) ?? 'x'}`],
    ['POST', 'Bulk'],
    ['POST', 'Users/.search'],
    ['POST', '.search'],
  ] as const);
  // A body that is not JSON (and not empty, which some routes read as absent) is 400 wherever it goes.
  const knownBad = typeof payload === 'string' && isBroken && payload !== '';
  return {
    label: `${method} ${url.split('/')[0]} with JSON edge case`,
    method,
    url,
    payload,
    ...(knownBad ? { expect: 400 } : {}),
    writes: method !== 'POST' || !url.endsWith('search'),
  };
}

function generate(r: Rng, t: Targets): Case {
  const kind = r.int(100);
  if (kind < 25) return filterCase(r);
  if (kind < 45) return patchCase(r, t);
  if (kind < 57) return writeCase(r, t);
  if (kind < 67) return bulkCase(r, t);
  if (kind < 77) return headerCase(r, t);
  if (kind < 88) return queryCase(r);
  return jsonCase(r, t);
}

// ---------------------------------------------------------------------------------------------
// Checks

function problem(res: LightMyRequestResponse, c: Case): string | undefined {
  if (res.statusCode >= 500 || res.statusCode < 200)
    return `status ${res.statusCode}: ${res.body.slice(0, 300)}`;
  if (c.expect !== undefined && res.statusCode !== c.expect) {
    return `expected ${c.expect}, got ${res.statusCode}: ${res.body.slice(0, 300)}`;
  }
  if (res.statusCode < 400 || c.method === 'HEAD') return undefined;
  if (!/^application\/scim\+json/.test(String(res.headers['content-type'] ?? ''))) {
    return `${res.statusCode} with content-type ${res.headers['content-type']}: ${res.body.slice(0, 200)}`;
  }
  let body: { schemas?: unknown; status?: unknown; scimType?: unknown; detail?: unknown };
  try {
    body = JSON.parse(res.body);
  } catch {
    return `${res.statusCode} body is not JSON: ${res.body.slice(0, 200)}`;
  }
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || schemas[0] !== ERROR_SCHEMA || body.status !== String(res.statusCode)) {
    return `${res.statusCode} is not a SCIM error body with its status: ${res.body.slice(0, 200)}`;
  }
  if (body.scimType !== undefined && typeof body.scimType !== 'string')
    return `scimType ${String(body.scimType)}`;
  if (typeof body.detail !== 'string') return `no detail: ${res.body.slice(0, 200)}`;
  return undefined;
}

/** Whether a Bulk answer shows that none of its operations changed anything. */
function bulkChangedNothing(res: LightMyRequestResponse): boolean {
  if (res.statusCode >= 400) return true;
  const ops =
    (JSON.parse(res.body) as { Operations?: { method?: string; status?: unknown }[] }).Operations ?? [];
  return ops.every((op) => Number(op.status) >= 400 || op.method === 'GET');
}

function bulkProblem(res: LightMyRequestResponse): string | undefined {
  if (res.statusCode !== 200) return undefined;
  const ops =
    (JSON.parse(res.body) as { Operations?: { status?: unknown; response?: unknown }[] }).Operations ?? [];
  for (const [i, op] of ops.entries()) {
    const status = Number(op.status);
    if (!(status >= 200 && status < 500)) return `Operations[${i}] status ${String(op.status)}`;
    if (status >= 400) {
      const body = op.response as { schemas?: unknown; status?: unknown } | undefined;
      if (
        !Array.isArray(body?.schemas) ||
        body.schemas[0] !== ERROR_SCHEMA ||
        body.status !== String(status)
      ) {
        return `Operations[${i}] ${status} without a SCIM error response: ${JSON.stringify(op).slice(0, 200)}`;
      }
    }
  }
  return undefined;
}

for (const dialect of dialects) {
  describe(`generated hostile input (${dialect})`, () => {
    let app: FastifyInstance;
    let directory: Directory;
    let cleanup: () => Promise<void>;
    let orgId: string;
    let token: string;
    let base: string;
    const serverLog: string[] = [];

    before(async () => {
      const db = await openTestDatabase(dialect);
      cleanup = db.cleanup;
      const config = loadConfig({
        DATABASE_URL: db.url,
        PUBLIC_URL: 'https://scim.test',
        RATE_LIMIT_UNAUTHENTICATED_PER_ADDRESS: '0',
      });
      directory = new Directory({
        database: db.database,
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
      });
      const logger = {
        level: 'info',
        stream: {
          write(line: string) {
            serverLog.push(line);
          },
        },
      };
      app = await buildApp(config, { directory, logger });
      const created = await directory.orgs.create('Hostile Corp');
      orgId = created.org.id;
      token = created.token.token;
      base = `/scim/v2/${orgId}`;
    });
    after(async () => {
      await app?.close();
      await cleanup?.();
    });

    const send = (c: Case) => {
      const options: InjectOptions = {
        method: c.method,
        url: `${base}/${c.url}`,
        headers: {
          ...(c.anonymous ? {} : { authorization: `Bearer ${token}` }),
          ...(c.payload !== undefined ? { 'content-type': 'application/scim+json' } : {}),
          ...c.headers,
        },
      };
      if (c.payload !== undefined) options.payload = c.payload;
      return app.inject(options);
    };

    /** The org's state as one row: outbox events, resources and their versions, memberships. */
    async function fingerprint(): Promise<string> {
      const { rows } = await sql<Record<string, unknown>>`select
          (select count(*) from events where org_id = ${orgId}) as events,
          (select count(*) from resources where org_id = ${orgId}) as resources,
          (select coalesce(sum(version), 0) from resources where org_id = ${orgId}) as versions,
          (select count(*) from resources where org_id = ${orgId} and deleted_at is not null) as deleted,
          (select count(*) from memberships where org_id = ${orgId}) as memberships`.execute(
        directory.database.db,
      );
      return JSON.stringify(rows[0], (_, v) => (typeof v === 'bigint' ? String(v) : v));
    }

    test(`${CASES} generated cases: no 5xx, SCIM errors, no partial writes, no secret logged`, async (t) => {
      t.diagnostic(`seed ${SEED} (set HOSTILE_GEN_SEED to replay), ${CASES} cases (HOSTILE_GEN_CASES)`);
      console.log(`hostile-generated (${dialect}): seed ${SEED}, ${CASES} cases`);
      const targets: Targets = { users: [], groups: [], token };
      for (let i = 0; i < 6; i++) {
        const res = await send({
          label: 'seed user',
          method: 'POST',
          url: 'Users',
          payload: JSON.stringify({
            schemas: [CORE_USER],
            userName: `seed${i}@example.com`,
            emails: [{ value: `seed${i}@example.com`, type: 'home' }],
          }),
          writes: true,
        });
        assert.equal(res.statusCode, 201, res.body);
        targets.users.push(res.json().id);
      }
      for (let i = 0; i < 3; i++) {
        const res = await send({
          label: 'seed group',
          method: 'POST',
          url: 'Groups',
          payload: JSON.stringify({
            schemas: [CORE_GROUP],
            displayName: `seed group ${i}`,
            members: targets.users.slice(i, i + 3).map((value) => ({ value })),
          }),
          writes: true,
        });
        assert.equal(res.statusCode, 201, res.body);
        targets.groups.push(res.json().id);
      }

      const failures: string[] = [];
      const counts: Record<string, number> = {};
      let state = await fingerprint();
      for (let i = 0; i < CASES && failures.length < 20; i++) {
        const c = generate(prng(SEED * 1_000_003 + i), targets);
        const key = c.label.split(' ').slice(0, 2).join(' ');
        counts[key] = (counts[key] ?? 0) + 1;
        let res: LightMyRequestResponse;
        try {
          res = await send(c);
        } catch (error) {
          failures.push(`#${i} ${c.label}: inject threw ${String(error)}`);
          continue;
        }
        const found = problem(res, c) ?? (c.url === 'Bulk' ? bulkProblem(res) : undefined);
        if (found) failures.push(`#${i} ${c.label} ${c.method} ${c.url.slice(0, 120)}: ${found}`);
        if (!c.writes) continue;
        const refused = c.url === 'Bulk' ? bulkChangedNothing(res) : res.statusCode >= 400;
        const now = await fingerprint();
        if (refused && now !== state) {
          failures.push(
            `#${i} ${c.label}: refused with ${res.statusCode} but the org changed: ${state} -> ${now}`,
          );
        }
        state = now;
        // A user the generators aim at may have been deleted (Bulk DELETE): keep aiming at live ones.
        if (c.url === 'Bulk' && res.statusCode === 200 && res.body.includes('"DELETE"')) {
          for (const list of [targets.users, targets.groups]) {
            for (const [n, id] of list.entries()) {
              const endpoint = list === targets.users ? 'Users' : 'Groups';
              const got = await send({
                label: 'probe',
                method: 'GET',
                url: `${endpoint}/${id}`,
                writes: false,
              });
              if (got.statusCode === 404) {
                const made = await send({
                  label: 'replace target',
                  method: 'POST',
                  url: endpoint,
                  payload: JSON.stringify(
                    endpoint === 'Users'
                      ? { schemas: [CORE_USER], userName: `again-${i}-${n}@example.com` }
                      : { schemas: [CORE_GROUP], displayName: `again ${i} ${n}` },
                  ),
                  writes: true,
                });
                list[n] = made.json().id;
              }
            }
          }
          state = await fingerprint();
        }
      }
      t.diagnostic(`cases by kind: ${JSON.stringify(counts)}`);
      assert.deepEqual(failures, [], `seed ${SEED}: replay with HOSTILE_GEN_SEED=${SEED}`);

      // No secret in the request log (bodies, paths, headers) nor in the server's log.
      await app.requestLog.flush();
      const rows = await listRequestLogs(directory.database.db, { orgId, limit: CASES + 1000 });
      assert.ok(rows.length > CASES / 2, `the request log holds ${rows.length} rows`);
      const leaks = rows
        .map((row) => JSON.stringify(row))
        .filter((text) => text.includes(MARK) || text.includes(token))
        .map((text) => text.slice(0, 400));
      assert.deepEqual(leaks, [], 'secrets in the request log');
      const logged = serverLog.filter((line) => line.includes(MARK) || line.includes(token));
      assert.deepEqual(
        logged.map((l) => l.slice(0, 400)),
        [],
        'secrets in the server log',
      );
    });
  });
}
