/**
 * Never a 500, never data half-written, under hostile or odd input on every endpoint, over real
 * HTTP on loopback: a hand-written table of raw requests (methods, content types, lengths,
 * encodings, auth variants, the org segment), type confusion on every User/Group attribute, a
 * deterministic fuzz (fixed seed, bounded cases) and concurrent writes on one resource. Every
 * answer is 2xx/3xx/4xx; an error is a SCIM error body (RFC 7644 §3.12) in application/scim+json;
 * a refused request leaves its target exactly as it was.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { before, describe, test } from 'node:test';
import { dialects } from '../helpers/dialects.ts';
import {
  BULK_REQUEST,
  ENTERPRISE,
  ERROR,
  GROUP,
  type Json,
  type LiveClient,
  PATCH_OP,
  SEARCH,
  USER,
  useLiveServer,
} from '../helpers/live-client.ts';
import { prng } from '../helpers/prng.ts';

/** An answer with its headers as a plain object: what rawRequest reads off the socket too. */
interface Res {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** A JSON token written as is (numbers JSON.stringify cannot produce, escapes, bad bytes). */
class Raw {
  constructor(readonly bytes: Buffer) {}
}
const raw = (s: string | Buffer) => new Raw(typeof s === 'string' ? Buffer.from(s, 'latin1') : s);

/** JSON text of a value that may hold Raw tokens anywhere. */
function encode(v: unknown): Buffer {
  if (v instanceof Raw) return v.bytes;
  if (Array.isArray(v)) {
    return Buffer.concat([
      Buffer.from('['),
      ...v.flatMap((x, i) => (i ? [Buffer.from(','), encode(x)] : [encode(x)])),
      Buffer.from(']'),
    ]);
  }
  if (typeof v === 'object' && v !== null) {
    const parts: Buffer[] = [Buffer.from('{')];
    Object.entries(v).forEach(([k, x], i) => {
      if (i) parts.push(Buffer.from(','));
      parts.push(Buffer.from(`${JSON.stringify(k)}:`), encode(x));
    });
    parts.push(Buffer.from('}'));
    return Buffer.concat(parts);
  }
  return Buffer.from(JSON.stringify(v) ?? 'null');
}

function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = Number.parseInt(body.subarray(at, eol).toString(), 16);
    if (!size) break;
    out.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** One HTTP/1.1 request written byte for byte; the answer, or undefined if the server closed without one. */
function rawRequest(
  origin: string,
  head: string | Buffer,
  body?: Buffer,
  halfClose = false,
): Promise<Res | undefined> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return resolve(undefined);
      const lines = all.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]?.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      let rest: Buffer = all.subarray(end + 4);
      if (headers['transfer-encoding'] === 'chunked') rest = dechunk(rest);
      else if (headers['content-length']) rest = rest.subarray(0, Number(headers['content-length']));
      resolve({ status, headers, text: rest.toString('utf8') });
    });
    socket.on('connect', () => {
      socket.write(
        Buffer.concat([
          typeof head === 'string' ? Buffer.from(head, 'latin1') : head,
          body ?? Buffer.alloc(0),
        ]),
      );
      if (halfClose) socket.end();
    });
    socket.on('timeout', () => reject(new Error('timeout')));
  });
}

/** The fuzz is deterministic; HOSTILE_SEED / HOSTILE_CASES explore further (a failure names its case index). */
const FUZZ_SEED = Number(process.env.HOSTILE_SEED ?? 7331);
const FUZZ_CASES = Number(process.env.HOSTILE_CASES ?? 300);

/** What is wrong with an answer (undefined if it is fine): never 5xx; errors are SCIM error bodies. */
function problem(res: Res | undefined, method: string): string | undefined {
  if (!res) return 'no answer';
  if (res.status >= 500 || !(res.status >= 200)) return `status ${res.status}: ${res.text.slice(0, 300)}`;
  if (res.status < 400 || method === 'HEAD') return undefined;
  if (!/^application\/scim\+json/.test(res.headers['content-type'] ?? '')) {
    return `${res.status} with content-type ${res.headers['content-type']}: ${res.text.slice(0, 200)}`;
  }
  let body: Json;
  try {
    body = JSON.parse(res.text);
  } catch {
    return `${res.status} body is not JSON: ${res.text.slice(0, 200)}`;
  }
  if (!Array.isArray(body?.schemas) || body.schemas[0] !== ERROR || body.status !== String(res.status)) {
    return `${res.status} is not a SCIM error body: ${res.text.slice(0, 200)}`;
  }
  return undefined;
}

/** The hostile atoms the fuzz and the type-confusion table draw from. */
const ATOMS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  raw('-0'),
  raw('1e400'),
  raw('-1e400'),
  raw('18446744073709551616'),
  raw('123456789012345678901234567890'),
  raw('1e-400'),
  '',
  ' ',
  'x',
  'True',
  'False',
  '2026-13-45T99:99:99Z',
  '2026-01-01T00:00:00Z',
  raw('"\\ud800"'),
  raw('"\\udfff\\ud800x"'),
  raw(Buffer.from([0x22, 0xc0, 0xaf, 0x22])), // overlong '/'
  raw(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22])), // CESU surrogate bytes
  raw(Buffer.from([0x22, 0xff, 0xfe, 0x22])),
  '\u202e\ufeff\u200b',
  '😀'.repeat(100),
  'x'.repeat(70_000),
  'urn:ietf:params:scim:schemas:core:2.0:User:userName',
  '../../Users',
  'https://example.com/Users/1',
  [],
  [null],
  [[]],
  ['x'],
  [{}],
  {},
  { value: null },
  { value: [] },
  { value: {} },
  { value: 'x', primary: 'yes' },
  { value: 'x', primary: true, type: 7 },
  { $ref: 12, value: true },
  { '': 'x' },
  { __proto__: 'x' },
];

const USER_ATTRS = [
  'id',
  'externalId',
  'userName',
  'name',
  'name.givenName',
  'displayName',
  'nickName',
  'profileUrl',
  'title',
  'userType',
  'preferredLanguage',
  'locale',
  'timezone',
  'active',
  'password',
  'emails',
  'emails.value',
  'emails.primary',
  'phoneNumbers',
  'ims',
  'photos',
  'addresses',
  'addresses.formatted',
  'groups',
  'entitlements',
  'roles',
  'x509Certificates',
  'meta',
  'meta.created',
  'meta.lastModified',
  'schemas',
  `${ENTERPRISE}:manager`,
  `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:employeeNumber`,
  'USERNAME',
  'Name.GivenName',
  `${USER}:userName`,
  'urn:example:unknown:2.0:User:userName',
  'urn:ietf:params:scim:schemas:core:2.0:Group:displayName',
];
const GROUP_ATTRS = [
  'id',
  'externalId',
  'displayName',
  'members',
  'members.value',
  'members.display',
  'members.type',
  'members.$ref',
  'meta',
  'schemas',
  'DISPLAYNAME',
  `${GROUP}:members`,
];
const FILTER_ATTRS = [
  ...USER_ATTRS,
  'emails.type',
  'emails.display',
  'x509Certificates.value',
  'groups.value',
  'groups.$ref',
  'meta.resourceType',
  'meta.location',
  'meta.version',
  'name.familyName',
  'emails[type eq "work"].value',
  'emails[value pr]',
];
const OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'EQ', 'Gt'];
const FILTER_VALUES = [
  '"x"',
  '""',
  'true',
  'false',
  'null',
  '1',
  '-0',
  '1e400',
  '18446744073709551616',
  '"2026-01-01T00:00:00Z"',
  '"not a date"',
  '"\\ud800"',
  '"%"',
  '"_"',
  '"\\\\"',
  '"\'"',
  '"MIIB"',
];

/** An object { a.b: v } becomes { a: { b: v } }; a URN-qualified name stays whole under its extension. */
function setPath(target: Json, path: string, value: unknown) {
  if (path.startsWith(`${ENTERPRISE}:`)) {
    const rest = path.slice(ENTERPRISE.length + 1);
    target[ENTERPRISE] ??= {};
    setPath(target[ENTERPRISE], rest, value);
    return;
  }
  const parts = path.startsWith('urn:') ? [path] : path.split('.');
  let at = target;
  for (const p of parts.slice(0, -1)) {
    if (typeof at[p] !== 'object' || at[p] === null || Array.isArray(at[p])) at[p] = {};
    at = at[p];
  }
  at[parts[parts.length - 1] as string] = value;
}

for (const dialect of dialects) {
  describe(`hostile input: never a 500, never half-written (${dialect})`, () => {
    const live = useLiveServer(dialect);
    let c: LiveClient;
    let base: string;
    let token: string;
    let otherToken: string;
    let revokedToken: string;
    let orgId: string;
    let userId: string;
    let managerId: string;
    let groupId: string;
    const memberIds: string[] = [];
    const baselineUser = (userName = 'target@example.com') => ({
      schemas: [USER, ENTERPRISE],
      userName,
      externalId: 'ext-target',
      name: { givenName: 'Tar', familyName: 'Get' },
      displayName: 'Target',
      title: 'Boss',
      active: true,
      emails: [
        { value: 'target@example.com', type: 'work', primary: true },
        { value: 'home@example.com', type: 'home' },
      ],
      addresses: [{ type: 'work', locality: 'Paris', country: 'FR' }],
      x509Certificates: [{ value: 'MIIBAA==' }],
      [ENTERPRISE]: { employeeNumber: '7', manager: { value: '$MGR' } },
    });

    async function send(
      method: string,
      path: string,
      body?: unknown,
      headers: Record<string, string> = {},
    ): Promise<Res> {
      const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : encode(body);
      const res = await c.send(method, path, bytes, headers);
      return { status: res.status, headers: Object.fromEntries(res.headers), text: res.text };
    }
    const json = (r: Res): Json => JSON.parse(r.text);

    /** The user and group as stored (every attribute, meta included). */
    async function snapshot() {
      const [u, g] = await Promise.all([send('GET', `Users/${userId}`), send('GET', `Groups/${groupId}`)]);
      return { user: u.text, group: g.text, etags: [u.headers.etag, g.headers.etag] };
    }

    async function resetTarget(which = { user: true, group: true }) {
      if (which.user) {
        const body = JSON.parse(JSON.stringify(baselineUser()).replace('$MGR', managerId));
        const u = await send('PUT', `Users/${userId}`, body);
        assert.equal(u.status, 200, u.text);
      }
      if (!which.group) return;
      const g = await send('PUT', `Groups/${groupId}`, {
        schemas: [GROUP],
        displayName: 'Target group',
        externalId: 'ext-group',
        members: [{ value: userId }, ...memberIds.slice(36, 39).map((value) => ({ value }))],
      });
      assert.equal(g.status, 200, g.text);
    }

    before(async () => {
      c = await live.client('Hostile', 'generic', { contentType: 'application/scim+json; charset=utf-8' });
      base = c.base;
      token = c.token;
      orgId = base.split('/').pop() as string;
      otherToken = (await live.server.org('Other', 'generic')).token;
      const extra = await live.server.directory.orgs.createToken(orgId, 'soon revoked');
      revokedToken = extra.token;
      await live.server.directory.orgs.revokeToken(orgId, extra.id);
      managerId = json(await send('POST', 'Users', { schemas: [USER], userName: 'manager@example.com' })).id;
      for (let i = 0; i < 40; i++) {
        memberIds.push(
          json(await send('POST', 'Users', { schemas: [USER], userName: `m${i}@example.com` })).id,
        );
      }
      const created = await send(
        'POST',
        'Users',
        JSON.parse(JSON.stringify(baselineUser()).replace('$MGR', managerId)),
      );
      assert.equal(created.status, 201, created.text);
      userId = json(created).id;
      const g = await send('POST', 'Groups', { schemas: [GROUP], displayName: 'Target group' });
      assert.equal(g.status, 201, g.text);
      groupId = json(g).id;
      await resetTarget();
    });

    /**
     * Sends each case; collects problems with the answer and, when the request was refused,
     * any change to the target user or group. A successful write resets both.
     */
    async function runCases(
      cases: { label: string; run: () => Promise<Res | undefined>; method: string; writes?: boolean }[],
      allow: (label: string, res: Res | undefined) => boolean = () => false,
    ): Promise<string[]> {
      const failures: string[] = [];
      let before = await snapshot();
      const check = (c: (typeof cases)[number], res: Res | undefined) => {
        const p = problem(res, c.method);
        if (p && !allow(c.label, res)) failures.push(`${c.label}: ${p}`);
      };
      for (let i = 0; i < cases.length; ) {
        // Reads go sixteen at a time; writes one by one, each followed by a look at the target.
        const batch: typeof cases = [];
        while (i < cases.length && batch.length < 16 && !cases[i]?.writes)
          batch.push(cases[i++] as (typeof cases)[number]);
        if (batch.length === 0) batch.push(cases[i++] as (typeof cases)[number]);
        const results = await Promise.all(
          batch.map((c) => c.run().catch((error: unknown) => new Error(`client error ${String(error)}`))),
        );
        let wrote = false;
        for (const [k, c] of batch.entries()) {
          const res = results[k];
          if (res instanceof Error) {
            failures.push(`${c.label}: ${res.message}`);
            continue;
          }
          check(c, res);
          if (c.writes && res !== undefined && res.status < 400) wrote = true;
        }
        const now = await snapshot();
        if (wrote) {
          const user = now.user !== before.user;
          const group = now.group !== before.group;
          if (user || group) {
            await resetTarget({ user, group });
            before = await snapshot();
          }
          continue;
        }
        if (now.user !== before.user || now.group !== before.group) {
          const labels = batch.map((c) => c.label).join(' | ');
          failures.push(`${labels}: refused, but the target changed:\n${before.user}\n${now.user}`);
          await resetTarget();
          before = await snapshot();
        }
      }
      return failures;
    }

    test('raw HTTP: methods, content types, lengths, encodings, headers', async () => {
      const host = new URL(base).host;
      const p = new URL(base).pathname;
      const auth = `Authorization: Bearer ${token}\r\n`;
      const req = (line: string, headers: string, body?: string | Buffer) => {
        const b = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
        const head = `${line}\r\nHost: ${host}\r\nConnection: close\r\n${headers}\r\n`;
        // A body shorter than its Content-Length ends when the client closes its side.
        return () =>
          rawRequest(
            live.server.origin,
            head,
            b,
            line.startsWith('PATCH') && headers.includes('Content-Length: ' + String(patchBody.length + 50)),
          );
      };
      const patchBody = JSON.stringify({
        schemas: [PATCH_OP],
        Operations: [{ op: 'replace', path: 'title', value: 'Changed' }],
      });
      const len = (s: string | Buffer) => `Content-Length: ${Buffer.byteLength(s)}\r\n`;
      const scim = 'Content-Type: application/scim+json\r\n';
      const u = `${p}/Users/${userId}`;
      const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
      const cases: [string, string, string, (string | Buffer)?, boolean?][] = [
        // [label, request line, headers, body, writes]
        ['HEAD user', `HEAD ${u} HTTP/1.1`, auth],
        ['HEAD list', `HEAD ${p}/Users HTTP/1.1`, auth],
        ['OPTIONS user', `OPTIONS ${u} HTTP/1.1`, auth],
        ['OPTIONS *', 'OPTIONS * HTTP/1.1', auth],
        ['TRACE user', `TRACE ${u} HTTP/1.1`, auth],
        ['CONNECT', `CONNECT ${host} HTTP/1.1`, auth],
        ['PROPFIND', `PROPFIND ${u} HTTP/1.1`, auth],
        ['lowercase get', `get ${u} HTTP/1.1`, auth],
        ['HTTP/1.0', `GET ${u} HTTP/1.0`, auth],
        ['GET with a body', `GET ${u} HTTP/1.1`, `${auth}${scim}${len('{"a":1}')}`, '{"a":1}'],
        ['DELETE with a body', `DELETE ${p}/Users/nosuch HTTP/1.1`, `${auth}${scim}${len('x')}`, 'x'],
        ['PATCH no content-type', `PATCH ${u} HTTP/1.1`, `${auth}${len(patchBody)}`, patchBody, true],
        [
          'PATCH text/plain',
          `PATCH ${u} HTTP/1.1`,
          `${auth}Content-Type: text/plain\r\n${len(patchBody)}`,
          patchBody,
          true,
        ],
        [
          'PATCH two content-types',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}Content-Type: text/html\r\n${len(patchBody)}`,
          patchBody,
          true,
        ],
        [
          'PATCH charset latin1',
          `PATCH ${u} HTTP/1.1`,
          `${auth}Content-Type: application/scim+json; charset=iso-8859-1\r\n${len(patchBody)}`,
          patchBody,
          true,
        ],
        [
          'PATCH charset junk',
          `PATCH ${u} HTTP/1.1`,
          `${auth}Content-Type: application/scim+json; charset="\x01"; ;;=\r\n${len(patchBody)}`,
          patchBody,
          true,
        ],
        [
          'PATCH content-type empty',
          `PATCH ${u} HTTP/1.1`,
          `${auth}Content-Type: \r\n${len(patchBody)}`,
          patchBody,
          true,
        ],
        [
          'PATCH multipart',
          `PATCH ${u} HTTP/1.1`,
          `${auth}Content-Type: multipart/form-data; boundary=x\r\n${len(patchBody)}`,
          patchBody,
          true,
        ],
        ['PATCH empty body', `PATCH ${u} HTTP/1.1`, `${auth}${scim}Content-Length: 0\r\n`],
        ['POST empty body', `POST ${p}/Users HTTP/1.1`, `${auth}${scim}Content-Length: 0\r\n`],
        ['PUT whitespace body', `PUT ${u} HTTP/1.1`, `${auth}${scim}${len('  \n ')}`, '  \n '],
        ['PATCH length short', `PATCH ${u} HTTP/1.1`, `${auth}${scim}Content-Length: 10\r\n`, patchBody],
        [
          'PATCH length long',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}Content-Length: ${patchBody.length + 50}\r\n`,
          patchBody,
        ],
        ['PATCH length junk', `PATCH ${u} HTTP/1.1`, `${auth}${scim}Content-Length: abc\r\n`, patchBody],
        ['PATCH length negative', `PATCH ${u} HTTP/1.1`, `${auth}${scim}Content-Length: -5\r\n`, patchBody],
        [
          'PATCH two lengths',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}Content-Length: 5\r\nContent-Length: ${patchBody.length}\r\n`,
          patchBody,
        ],
        [
          'PATCH chunked',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}Transfer-Encoding: chunked\r\n`,
          `${patchBody.length.toString(16)}\r\n${patchBody}\r\n0\r\n\r\n`,
          true,
        ],
        [
          'PATCH chunked bad',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}Transfer-Encoding: chunked\r\n`,
          `zz\r\n${patchBody}\r\n0\r\n\r\n`,
        ],
        ['POST over the limit', `POST ${p}/Users HTTP/1.1`, `${auth}${scim}${len(big)}`, big],
        ['Bulk over the limit', `POST ${p}/Bulk HTTP/1.1`, `${auth}${scim}${len(big)}`, big],
        [
          'PATCH gzip encoded',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}Content-Encoding: gzip\r\n${len(patchBody)}`,
          patchBody,
          true,
        ],
        [
          'PATCH BOM',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}${len(`\ufeff${patchBody}`)}`,
          `\ufeff${patchBody}`,
          true,
        ],
        [
          'PATCH UTF-16 body',
          `PATCH ${u} HTTP/1.1`,
          `${auth}Content-Type: application/scim+json; charset=utf-16le\r\n${len(Buffer.from(patchBody, 'utf16le'))}`,
          Buffer.from(patchBody, 'utf16le'),
        ],
        [
          'PATCH overlong UTF-8',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}${len(Buffer.from(patchBody.replace('Changed', 'C\xc0\xafd'), 'latin1'))}`,
          Buffer.from(patchBody.replace('Changed', 'C\xc0\xafd'), 'latin1'),
          true,
        ],
        [
          'PATCH lone surrogate escape',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}${len(patchBody.replace('Changed', '\\ud800'))}`,
          patchBody.replace('Changed', '\\ud800'),
          true,
        ],
        ['GET %ED%A0%80 id', `GET ${p}/Users/%ED%A0%80 HTTP/1.1`, auth],
        ['GET %C0%AF id', `GET ${p}/Users/%C0%AF HTTP/1.1`, auth],
        ['GET %zz id', `GET ${p}/Users/%zz HTTP/1.1`, auth],
        ['GET % id', `GET ${p}/Users/% HTTP/1.1`, auth],
        ['GET %2F id', `GET ${p}/Users/a%2Fb HTTP/1.1`, auth],
        [
          'GET raw UTF-8 id',
          Buffer.from(`GET ${p}/Users/\xc3\xa9 HTTP/1.1`, 'latin1').toString('latin1'),
          auth,
        ],
        ['GET raw bad byte id', `GET ${p}/Users/\xff\xfe HTTP/1.1`, auth],
        ['GET dot segments', `GET ${p}/Users/../Groups HTTP/1.1`, auth],
        ['GET double slash', `GET ${p}//Users HTTP/1.1`, auth],
        ['GET absolute-form', `GET http://${host}${p}/Users HTTP/1.1`, auth],
        ['GET query %zz', `GET ${p}/Users?filter=%zz HTTP/1.1`, auth],
        ['GET query %ED%A0%80', `GET ${p}/Users?filter=userName%20eq%20%22%ED%A0%80%22 HTTP/1.1`, auth],
        ['GET query %C0%AF', `GET ${p}/Users?filter=userName%20eq%20%22%C0%AF%22 HTTP/1.1`, auth],
        ['GET query raw bytes', `GET ${p}/Users?filter=userName eq "\xff" HTTP/1.1`, auth],
        ['GET query no value', `GET ${p}/Users?filter&count&startIndex HTTP/1.1`, auth],
        ['GET query repeated', `GET ${p}/Users?count=1&count=2&startIndex=1&startIndex=x HTTP/1.1`, auth],
        ['GET query repeated filter', `GET ${p}/Users?filter=userName%20pr&filter=id%20pr HTTP/1.1`, auth],
        [
          'GET query repeated sortBy',
          `GET ${p}/Users?sortBy=userName&sortBy=id&sortOrder=a&sortOrder=b HTTP/1.1`,
          auth,
        ],
        [
          'GET query repeated attributes',
          `GET ${u}?attributes=userName&attributes=emails&excludedAttributes=x&excludedAttributes=y HTTP/1.1`,
          auth,
        ],
        ['GET query array syntax', `GET ${p}/Users?filter[]=x&count[a]=1 HTTP/1.1`, auth],
        ['GET query __proto__', `GET ${p}/Users?__proto__=1&constructor=2&hasOwnProperty=3 HTTP/1.1`, auth],
        ['GET query long', `GET ${p}/Users?filter=${'a'.repeat(60_000)} HTTP/1.1`, auth],
        ['GET header long', `GET ${u} HTTP/1.1`, `${auth}X-Junk: ${'j'.repeat(15_000)}\r\n`],
        ['GET header too long', `GET ${u} HTTP/1.1`, `${auth}X-Junk: ${'j'.repeat(20_000)}\r\n`],
        ['GET Accept junk', `GET ${u} HTTP/1.1`, `${auth}Accept: text/html;q=abc, */*;;\r\n`],
        ['GET Accept xml', `GET ${u} HTTP/1.1`, `${auth}Accept: application/xml\r\n`],
        ['GET If-None-Match junk', `GET ${u} HTTP/1.1`, `${auth}If-None-Match: "\x01", W/, *, ,,\r\n`],
        ['GET If-Match junk', `GET ${u} HTTP/1.1`, `${auth}If-Match: W/"x\r\n`],
        [
          'PATCH If-Match junk',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}If-Match: ,,W/\r\n${len(patchBody)}`,
          patchBody,
        ],
        [
          'PATCH If-Match two',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}If-Match: "a"\r\nIf-Match: W/"b"\r\n${len(patchBody)}`,
          patchBody,
        ],
        [
          'PATCH If-None-Match *',
          `PATCH ${u} HTTP/1.1`,
          `${auth}${scim}If-None-Match: *\r\n${len(patchBody)}`,
          patchBody,
        ],
        [
          'PUT If-Match long',
          `PUT ${u} HTTP/1.1`,
          `${auth}${scim}If-Match: "${'9'.repeat(5000)}"\r\n${len('{}')}`,
          '{}',
        ],
        ['DELETE If-Match 2^64', `DELETE ${u} HTTP/1.1`, `${auth}If-Match: W/"18446744073709551616"\r\n`],
        ['DELETE If-Match -1', `DELETE ${p}/Groups/${groupId} HTTP/1.1`, `${auth}If-Match: W/"-1"\r\n`],
        ['two Authorization headers', `GET ${u} HTTP/1.1`, `${auth}${auth}`],
        ['Authorization no scheme', `GET ${u} HTTP/1.1`, `Authorization: ${token}\r\n`],
        [
          'Authorization lower-case bearer',
          `PATCH ${u} HTTP/1.1`,
          `Authorization: bearer ${token}\r\n${scim}${len(patchBody)}`,
          patchBody,
          true,
        ],
        ['Authorization extra spaces', `GET ${u} HTTP/1.1`, `Authorization:    Bearer    ${token}   \r\n`],
        ['Authorization tab', `GET ${u} HTTP/1.1`, `Authorization: Bearer\t${token}\r\n`],
        ['Authorization empty', `GET ${u} HTTP/1.1`, 'Authorization: \r\n'],
        ['Authorization Bearer only', `GET ${u} HTTP/1.1`, 'Authorization: Bearer\r\n'],
        [
          'Authorization Basic',
          `GET ${u} HTTP/1.1`,
          `Authorization: Basic ${Buffer.from(`x:${token}`).toString('base64')}\r\n`,
        ],
        [
          'Authorization other org',
          `PATCH ${u} HTTP/1.1`,
          `Authorization: Bearer ${otherToken}\r\n${scim}${len(patchBody)}`,
          patchBody,
        ],
        [
          'Authorization revoked',
          `PATCH ${u} HTTP/1.1`,
          `Authorization: Bearer ${revokedToken}\r\n${scim}${len(patchBody)}`,
          patchBody,
        ],
        ['Authorization huge', `GET ${u} HTTP/1.1`, `Authorization: Bearer ${'a'.repeat(10_000)}\r\n`],
        ['Authorization non-ASCII', `GET ${u} HTTP/1.1`, 'Authorization: Bearer scim_\xe9\xff\r\n'],
        ['Authorization token + junk', `GET ${u} HTTP/1.1`, `Authorization: Bearer ${token} extra\r\n`],
        ['org unknown', `GET /scim/v2/nosuch/Users HTTP/1.1`, auth],
        ['org empty', `GET /scim/v2//Users HTTP/1.1`, auth],
        ['org %00', `GET /scim/v2/%00/Users HTTP/1.1`, auth],
        ['org %ED%A0%80', `GET /scim/v2/%ED%A0%80/Users HTTP/1.1`, auth],
        ['org %zz', `GET /scim/v2/%zz/Users HTTP/1.1`, auth],
        ['org long', `GET /scim/v2/${'o'.repeat(5000)}/Users HTTP/1.1`, auth],
        ['org with other org token', `GET ${p}/Users HTTP/1.1`, `Authorization: Bearer ${otherToken}\r\n`],
        ['org upper-case', `GET ${p.toUpperCase()}/Users HTTP/1.1`, auth],
        ['org only', `GET ${p} HTTP/1.1`, auth],
        ['scim root', 'GET /scim/v2 HTTP/1.1', auth],
        ['root', 'GET / HTTP/1.1', ''],
        ['healthz POST', 'POST /healthz HTTP/1.1', `${scim}${len('{')}`, '{'],
        ['healthz HEAD', 'HEAD /healthz HTTP/1.1', ''],
        ['healthz query junk', 'GET /healthz?%zz=%ED%A0%80 HTTP/1.1', ''],
        [
          'ServiceProviderConfig junk query',
          `GET ${p}/ServiceProviderConfig?filter=(((&attributes=%zz HTTP/1.1`,
          auth,
        ],
        ['ServiceProviderConfig/x', `GET ${p}/ServiceProviderConfig/x HTTP/1.1`, auth],
        [
          'ServiceProviderConfig POST',
          `POST ${p}/ServiceProviderConfig HTTP/1.1`,
          `${auth}${scim}${len('{}')}`,
          '{}',
        ],
        ['Schemas id %ED%A0%80', `GET ${p}/Schemas/%ED%A0%80 HTTP/1.1`, auth],
        ['Schemas long id', `GET ${p}/Schemas/${'s'.repeat(3000)} HTTP/1.1`, auth],
        ['Schemas id %00', `GET ${p}/Schemas/%00 HTTP/1.1`, auth],
        ['ResourceTypes id junk', `GET ${p}/ResourceTypes/%zz HTTP/1.1`, auth],
        ['ResourceTypes DELETE', `DELETE ${p}/ResourceTypes/User HTTP/1.1`, auth],
        ['Me GET', `GET ${p}/Me HTTP/1.1`, auth],
        ['Me PATCH', `PATCH ${p}/Me HTTP/1.1`, `${auth}${scim}${len(patchBody)}`, patchBody],
        [
          'root .search',
          `POST ${p}/.search HTTP/1.1`,
          `${auth}${scim}${len('{"schemas":[]}')}`,
          '{"schemas":[]}',
        ],
        ['Users/.search GET', `GET ${p}/Users/.search HTTP/1.1`, auth],
        ['Users/.search empty', `POST ${p}/Users/.search HTTP/1.1`, `${auth}${scim}Content-Length: 0\r\n`],
        ['Bulk empty', `POST ${p}/Bulk HTTP/1.1`, `${auth}${scim}Content-Length: 0\r\n`],
        ['Bulk GET', `GET ${p}/Bulk HTTP/1.1`, auth],
        ['Users PUT collection', `PUT ${p}/Users HTTP/1.1`, `${auth}${scim}${len('{}')}`, '{}'],
        ['Users DELETE collection', `DELETE ${p}/Users HTTP/1.1`, auth],
        ['Users POST item', `POST ${u} HTTP/1.1`, `${auth}${scim}${len('{}')}`, '{}'],
        ['Users/id/x', `GET ${u}/x HTTP/1.1`, auth],
        ['bad HTTP version', `GET ${u} HTTP/9.9`, auth],
        ['header without colon', `GET ${u} HTTP/1.1`, `${auth}NoColonHere\r\n`],
      ];
      const failures = await runCases(
        cases.map(([label, line, headers, body, writes]) => {
          const method = line.split(' ')[0] as string;
          return {
            label,
            method,
            writes: writes ?? !['GET', 'HEAD', 'OPTIONS', 'TRACE'].includes(method),
            run: req(line, headers, body),
          };
        }),
        // RFC 7644 §3.11: an unsupported /Me SHOULD be 501. Node drops a CONNECT it has no
        // handler for without answering.
        (label, res) =>
          (res?.status === 501 && /^Me /.test(label)) || (res === undefined && label === 'CONNECT'),
      );
      assert.deepEqual(failures, []);
    });

    test('spot checks of the raw table', async () => {
      const host = new URL(base).host;
      const p = new URL(base).pathname;
      const u = `${p}/Users/${userId}`;
      const go = (line: string, headers = '', body?: string | Buffer) =>
        rawRequest(
          live.server.origin,
          `${line}\r\nHost: ${host}\r\nConnection: close\r\nAuthorization: Bearer ${token}\r\n${headers}\r\n`,
          body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body),
        );
      const big = Buffer.alloc(5 * 1024 * 1024, 0x20);
      const tooBig = await go(
        `POST ${p}/Users HTTP/1.1`,
        `Content-Type: application/scim+json\r\nContent-Length: ${big.length}\r\n`,
        big,
      );
      assert.equal(tooBig?.status, 413);
      assert.equal(json(tooBig as Res).status, '413');
      // RFC 6750 / RFC 9110 §11.1: the auth scheme is case-insensitive.
      assert.equal(await go(`GET ${u} HTTP/1.1`).then((r) => r?.status), 200);
      const lower = await rawRequest(
        live.server.origin,
        `GET ${u} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nAuthorization: bearer ${token}\r\n\r\n`,
      );
      assert.equal(lower?.status, 200);
      for (const t of [otherToken, revokedToken]) {
        const r = await rawRequest(
          live.server.origin,
          `GET ${u} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\nAuthorization: Bearer ${t}\r\n\r\n`,
        );
        assert.equal(r?.status, 401);
      }
      // HEAD answers like GET without a body.
      const head = await go(`HEAD ${u} HTTP/1.1`);
      assert.equal(head?.status, 200);
      assert.equal(head?.text, '');
      // A percent-encoding of no UTF-8 text (a lone surrogate, an overlong sequence) is refused.
      for (const id of ['%ED%A0%80', '%C0%AF', '%zz']) {
        const res = await go(`GET ${p}/Users/${id} HTTP/1.1`);
        assert.ok(res?.status === 400 || res?.status === 404, `${id}: ${res?.status}`);
      }
      // A malformed request Node's parser refuses is a SCIM error too.
      const bad = await go(`GET ${u} HTTP/1.1`, 'NoColonHere\r\n');
      assert.equal(bad?.status, 400);
      assert.equal(problem(bad, 'GET'), undefined);
      const long = await go(`GET ${p}/Users?filter=${'a'.repeat(20_000)} HTTP/1.1`);
      assert.equal(long?.status, 431);
      assert.equal(problem(long, 'GET'), undefined);
    });

    test('deeply nested JSON anywhere in a body is a 4xx, and the request log keeps its rows', async () => {
      const n = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
      const o = `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`;
      const deepCases: [string, string, string][] = [];
      for (const d of [n, o]) {
        deepCases.push(
          [
            'PATCH',
            `Users/${userId}`,
            `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"title","value":${d}}]}`,
          ],
          [
            'PATCH',
            `Users/${userId}`,
            `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","value":{"title":${d}}}]}`,
          ],
          [
            'PATCH',
            `Users/${userId}`,
            `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"remove","path":"emails","value":${d}}]}`,
          ],
          ['PATCH', `Users/${userId}`, `{"schemas":["${PATCH_OP}"],"Operations":[{"op":${d}}]}`],
          [
            'PATCH',
            `Groups/${groupId}`,
            `{"schemas":["${PATCH_OP}"],"Operations":[{"op":"add","path":"members","value":${d}}]}`,
          ],
          ['PATCH', `Users/${userId}`, `{"schemas":${d},"Operations":${d}}`],
          ['POST', 'Users/.search', `{"schemas":["${SEARCH}"],"startIndex":${d}}`],
          ['POST', 'Groups/.search', `{"schemas":["${SEARCH}"],"count":${d},"attributes":${d}}`],
          ['POST', 'Users/.search', `{"schemas":["${SEARCH}"],"filter":${d},"sortBy":${d},"cursor":${d}}`],
          ['POST', 'Users', `{"schemas":["${USER}"],"userName":"deep@example.com","x":${d}}`],
          ['PUT', `Users/${userId}`, `{"schemas":["${USER}"],"userName":${d}}`],
          ['PUT', `Groups/${groupId}`, `{"schemas":["${GROUP}"],"displayName":"x","members":${d}}`],
          ['POST', 'Bulk', `{"schemas":["${BULK_REQUEST}"],"failOnErrors":${d},"Operations":${d}}`],
          [
            'POST',
            'Bulk',
            `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":"PATCH","path":"/Users/${userId}","data":{"schemas":["${PATCH_OP}"],"Operations":[{"op":"replace","path":"title","value":${d}}]}}]}`,
          ],
          [
            'POST',
            'Bulk',
            `{"schemas":["${BULK_REQUEST}"],"Operations":[{"method":${d},"path":${d},"bulkId":${d},"data":${d}}]}`,
          ],
        );
      }
      const failures = await runCases(
        deepCases.map(([method, path, body], i) => ({
          label: `deep #${i} ${method} ${path} ${body.slice(0, 90)}`,
          method,
          writes: true,
          run: async () => {
            const res = await send(method, path, Buffer.from(body));
            // Bulk answers 200 with each operation's status: none may be a 5xx.
            if (res.status === 200 && path === 'Bulk') {
              for (const op of json(res).Operations ?? []) {
                if (Number(op.status) >= 500) return { ...res, status: Number(op.status) };
              }
            }
            return res;
          },
        })),
      );
      assert.deepEqual(failures, []);
      // The request log wrote those requests (a body it cannot serialise used to drop the whole batch).
      await live.server.app.requestLog.flush();
      const before = live.server.app.requestLog.stats.failed;
      const marker = `Users?deep-log-check=${Date.now()}`;
      await send('PATCH', `Users/${userId}`, Buffer.from(deepCases[0]?.[2] ?? ''));
      assert.equal((await send('GET', marker)).status, 200);
      await live.server.app.requestLog.flush();
      assert.equal(live.server.app.requestLog.stats.failed, before, 'no request-log batch was dropped');
    });

    test('long flat and/or chains that fit in a filter (8192 characters) are 400, chains at the bound are answered', async () => {
      const chain = (term: string, join: string, n: number) =>
        Array.from({ length: n }, () => term).join(join);
      // [endpoint, filter]: over MAX_FILTER_COMPARISONS (32) or, inside value filters all
      // together, MAX_VALUE_FILTER_COMPARISONS (10). Before the bound, SQLite refused a UNION of over 500
      // SELECTs and an expression over 1000 levels deep (500), and PostgreSQL planned
      // `emails[type pr and …]` ×670 for minutes.
      const over: [string, string][] = [
        ['Users', chain('id pr', ' or ', 910)],
        ['Users', chain('id pr', ' and ', 819)],
        ['Users', chain('id ne ""', ' or ', 680)],
        ['Users', chain('title pr', ' and ', 33)],
        ['Users', `emails[${chain('type pr', ' or ', 740)}]`],
        ['Users', `emails[${chain('type pr', ' and ', 670)}]`],
        ['Users', `emails[${chain('type pr', ' and ', 11)}]`],
        ['Users', chain('emails[type pr or type pr]', ' or ', 270)],
        ['Users', chain('emails[type pr]', ' and ', 17)],
        ['Users', `not (${chain('id pr', ' or ', 900)})`],
        ['Users', `groups[${chain('value pr', ' or ', 670)}]`],
        ['Groups', chain('id pr', ' or ', 910)],
        ['Groups', `members[${chain('value pr', ' or ', 670)}]`],
      ];
      const cases = over.flatMap(([endpoint, filter]) =>
        [{}, { sortBy: 'meta.created', cursor: '' }].map((extra) => ({
          label: `${endpoint}/.search ${JSON.stringify(extra)} ${filter.slice(0, 60)}… (${filter.length})`,
          method: 'POST',
          run: async () => {
            const res = await send('POST', `${endpoint}/.search`, { schemas: [SEARCH], filter, ...extra });
            // Refused as a filter, not as anything else.
            if (res.status !== 400 || json(res).scimType !== 'invalidFilter') return { ...res, status: 599 };
            return res;
          },
        })),
      );
      assert.deepEqual(await runCases(cases), []);
      // At the bounds: answered, and right.
      const search = (filter: string) => send('POST', 'Users/.search', { schemas: [SEARCH], filter });
      const all = await search(chain('id pr', ' or ', 32));
      assert.equal(all.status, 200);
      assert.equal(json(all).totalResults, 2 + memberIds.length, 'every user has an id');
      const both = await search(chain('id pr', ' and ', 32));
      assert.equal(json(both).totalResults, 2 + memberIds.length);
      const some = await search(chain('emails[type pr or type pr]', ' or ', 5));
      assert.equal(json(some).totalResults, 1, 'only the target has emails');
      const inside = await search(`emails[${chain('type pr', ' and ', 10)}]`);
      assert.equal(json(inside).totalResults, 1);
      const paths = await search(
        `${chain('emails[type pr]', ' and ', 10)} and ${chain('id pr', ' and ', 12)}`,
      );
      assert.equal(json(paths).totalResults, 1);
    });

    test('type confusion on every User and Group attribute (POST, PUT, PATCH with and without path)', async () => {
      const values: unknown[] = [
        null,
        true,
        1,
        raw('1e400'),
        raw('-0'),
        raw('18446744073709551616'),
        '',
        'x',
        raw('"\\ud800"'),
        [],
        ['x'],
        [{ value: 'x' }],
        [{ value: ['x'] }],
        [{ value: 'x', primary: 'true' }],
        [{ value: 'x', primary: [true] }],
        { value: 'x' },
        { value: { value: 'x' } },
        {},
      ];
      const cases: { label: string; method: string; writes: boolean; run: () => Promise<Res> }[] = [];
      const fresh = () => JSON.parse(JSON.stringify(baselineUser()).replace('$MGR', managerId));
      let n = 0;
      // Three values per attribute, drawn with a fixed seed (each attribute sees a different three).
      const r = prng(4242);
      const sample = <T>(xs: readonly T[], k: number): T[] => {
        const pool = [...xs];
        return Array.from(
          { length: Math.min(k, pool.length) },
          () => pool.splice(r.int(pool.length), 1)[0] as T,
        );
      };
      for (const attr of USER_ATTRS) {
        cases.push({
          label: `PATCH Users remove ${attr}`,
          method: 'PATCH',
          writes: true,
          run: () =>
            send('PATCH', `Users/${userId}`, {
              schemas: [PATCH_OP],
              Operations: [{ op: 'remove', path: attr }],
            }),
        });
        for (const v of sample(values, 3)) {
          const label = `${attr}=${encode(v).toString('latin1').slice(0, 40)}`;
          const postBody = fresh();
          postBody.userName = `new${n++}@example.com`;
          setPath(postBody, attr, v);
          // A create never touches the target: creates go in parallel batches, still checked.
          cases.push({
            label: `POST Users ${label}`,
            method: 'POST',
            writes: false,
            run: () => send('POST', 'Users', postBody),
          });
          const putBody = fresh();
          setPath(putBody, attr, v);
          cases.push({
            label: `PUT Users ${label}`,
            method: 'PUT',
            writes: true,
            run: () => send('PUT', `Users/${userId}`, putBody),
          });
          for (const op of ['add', 'replace']) {
            cases.push({
              label: `PATCH Users ${op} ${label}`,
              method: 'PATCH',
              writes: true,
              run: () =>
                send('PATCH', `Users/${userId}`, {
                  schemas: [PATCH_OP],
                  Operations: [{ op, path: attr, value: v }],
                }),
            });
          }
          const noPath = {};
          setPath(noPath, attr, v);
          cases.push({
            label: `PATCH Users replace no path ${label}`,
            method: 'PATCH',
            writes: true,
            run: () =>
              send('PATCH', `Users/${userId}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'replace', value: noPath }],
              }),
          });
          cases.push({
            label: `PATCH Users dotted key ${label}`,
            method: 'PATCH',
            writes: true,
            run: () =>
              send('PATCH', `Users/${userId}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'add', value: { [attr]: v } }],
              }),
          });
        }
      }
      for (const attr of GROUP_ATTRS) {
        for (const v of sample(
          [
            ...values,
            [{ value: userId, display: ['x'] }],
            [{ value: userId, type: 5 }],
            [{ value: memberIds[5], $ref: {} }],
          ],
          5,
        )) {
          const label = `${attr}=${encode(v).toString('latin1').slice(0, 40)}`;
          const putBody: Json = {
            schemas: [GROUP],
            displayName: 'Target group',
            members: [{ value: userId }],
          };
          setPath(putBody, attr, v);
          cases.push({
            label: `PUT Groups ${label}`,
            method: 'PUT',
            writes: true,
            run: () => send('PUT', `Groups/${groupId}`, putBody),
          });
          const postBody: Json = { schemas: [GROUP], displayName: `g${n++}` };
          setPath(postBody, attr, v);
          cases.push({
            label: `POST Groups ${label}`,
            method: 'POST',
            writes: false,
            run: () => send('POST', 'Groups', postBody),
          });
          for (const op of ['add', 'replace', 'remove']) {
            cases.push({
              label: `PATCH Groups ${op} ${label}`,
              method: 'PATCH',
              writes: true,
              run: () =>
                send('PATCH', `Groups/${groupId}`, {
                  schemas: [PATCH_OP],
                  Operations: [{ op, path: attr, value: v }],
                }),
            });
          }
        }
      }
      const failures = await runCases(cases);
      assert.deepEqual(failures, []);
    });

    test('filters: every operator against every attribute type; sortBy and projections with junk', async () => {
      const cases: { label: string; method: string; run: () => Promise<Res> }[] = [];
      const r = prng(99);
      for (const attr of FILTER_ATTRS) {
        for (const op of OPS) {
          // One comparison value per attribute and operator, drawn with a fixed seed.
          for (const v of [r.pick(FILTER_VALUES)]) {
            const filter = `${attr} ${op} ${v}`;
            cases.push({
              label: `GET Users filter ${filter}`,
              method: 'GET',
              run: () => send('GET', `Users?filter=${encodeURIComponent(filter)}`),
            });
          }
        }
        cases.push({
          label: `pr ${attr}`,
          method: 'GET',
          run: () => send('GET', `Users?filter=${encodeURIComponent(`${attr} pr`)}`),
        });
        cases.push({
          label: `not pr ${attr}`,
          method: 'GET',
          run: () => send('GET', `Groups?filter=${encodeURIComponent(`not (${attr} pr)`)}`),
        });
        for (const order of ['ascending', 'descending', 'DESC', '']) {
          cases.push({
            label: `sortBy ${attr} ${order}`,
            method: 'GET',
            run: () => send('GET', `Users?sortBy=${encodeURIComponent(attr)}&sortOrder=${order}&count=5`),
          });
        }
        cases.push({
          label: `cursor sortBy ${attr}`,
          method: 'GET',
          run: () => send('GET', `Users?cursor=&sortBy=${encodeURIComponent(attr)}&count=3`),
        });
        cases.push({
          label: `.search sortBy ${attr}`,
          method: 'POST',
          run: () =>
            send('POST', 'Users/.search', {
              schemas: [SEARCH],
              sortBy: attr,
              filter: `${attr} pr`,
              count: 2,
            }),
        });
        for (const key of ['attributes', 'excludedAttributes']) {
          cases.push({
            label: `${key}=${attr} (item)`,
            method: 'GET',
            run: () =>
              send('GET', `Users/${userId}?${key}=${encodeURIComponent(`${attr},,${attr}[x],%,urn:`)}`),
          });
        }
      }
      for (const attr of GROUP_ATTRS) {
        for (const op of OPS.slice(0, 9)) {
          for (const v of ['"x"', `"${userId}"`, 'true', '1e400']) {
            const filter = `${attr} ${op} ${v}`;
            cases.push({
              label: `GET Groups filter ${filter}`,
              method: 'GET',
              run: () => send('GET', `Groups?filter=${encodeURIComponent(filter)}`),
            });
          }
        }
        cases.push({
          label: `Groups sortBy ${attr}`,
          method: 'GET',
          run: () => send('GET', `Groups?sortBy=${encodeURIComponent(attr)}`),
        });
      }
      const search = (body: unknown) => () => send('POST', 'Users/.search', body);
      const searches: unknown[] = [
        { schemas: [SEARCH], attributes: 'userName' },
        { schemas: [SEARCH], attributes: [1, null, {}] },
        { schemas: [SEARCH], excludedAttributes: [['x']] },
        { schemas: [SEARCH], startIndex: raw('1e400'), count: raw('-0') },
        { schemas: [SEARCH], startIndex: raw('18446744073709551616') },
        { schemas: [SEARCH], count: 1.5 },
        { schemas: [SEARCH], count: '5' },
        { schemas: [SEARCH], sortOrder: 7 },
        { schemas: [SEARCH], sortBy: ['userName'] },
        { schemas: [SEARCH], filter: ['userName pr'] },
        { schemas: [SEARCH], filter: raw('"userName eq \\"\\ud800\\""') },
        { schemas: 'x' },
        { schemas: [SEARCH], cursor: raw('1e400') },
        { schemas: [SEARCH], cursor: 'x'.repeat(10_000) },
      ];
      for (const [i, b] of searches.entries())
        cases.push({ label: `.search #${i}`, method: 'POST', run: search(b) });
      for (const q of [
        'count=-0',
        'count=18446744073709551616',
        'startIndex=-9007199254740993',
        'startIndex=1e400',
        'count=0x10',
        'count=%20',
        'count=1.0',
        'cursor=%ED%A0%80',
        'filter=userName%20eq%20%22x%22%20and%20',
        `filter=${encodeURIComponent('meta.created gt "2026-01-01T00:00:00Z" and meta.lastModified le 1e400')}`,
        `filter=${encodeURIComponent('x509Certificates.value eq "MIIBAA=="')}`,
        `filter=${encodeURIComponent('emails co "\\ud800"')}`,
        `filter=${encodeURIComponent('userName eq "x"]')}`,
        `filter=${encodeURIComponent('emails[type eq "work" and value co "@"].value sw "t"')}`,
        `filter=${encodeURIComponent('name eq "x"')}`,
        `filter=${encodeURIComponent('addresses gt 1')}`,
        `filter=${encodeURIComponent('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager eq "x"')}`,
        `filter=${encodeURIComponent(`${'('.repeat(5000)}userName pr${')'.repeat(5000)}`)}`,
        `filter=${encodeURIComponent(Array.from({ length: 3000 }, () => 'userName pr').join(' or '))}`,
        `attributes=${encodeURIComponent('a'.repeat(50_000))}`,
        `sortBy=${encodeURIComponent(`${USER}:`)}`,
        `sortBy=${encodeURIComponent('emails[type eq "work"].value')}`,
      ]) {
        cases.push({
          label: `GET Users?${q.slice(0, 80)}`,
          method: 'GET',
          run: () => send('GET', `Users?${q}`),
        });
      }
      const failures = await runCases(cases);
      assert.deepEqual(failures, []);
    });

    test(`seeded fuzz over every endpoint (seed ${FUZZ_SEED}, ${FUZZ_CASES} cases)`, async () => {
      const r = prng(FUZZ_SEED);
      const atom = (): unknown => r.pick(ATOMS);
      const value = (depth = 0): unknown => {
        const k = r.int(depth > 3 ? 1 : 4);
        if (k === 0) return atom();
        if (k === 1) return Array.from({ length: r.int(4) }, () => value(depth + 1));
        if (k === 2) {
          const o: Json = {};
          for (let i = 0; i < r.int(4); i++)
            o[r.pick([...USER_ATTRS, ...GROUP_ATTRS, 'value', 'op', 'path', '$ref'])] = value(depth + 1);
          return o;
        }
        return deep(r.int(3) === 0 ? 20_000 : 60);
      };
      const deep = (n: number): unknown => raw('['.repeat(n) + ']'.repeat(n));
      const attr = () =>
        r.pick([
          ...USER_ATTRS,
          ...FILTER_ATTRS,
          ...GROUP_ATTRS,
          '',
          '[',
          'emails[',
          'a..b',
          'emails[type eq "work"]',
        ]);
      const op = () => r.pick(['add', 'replace', 'remove', 'Add', 'REPLACE', 'move', '', 7]);
      const resourceBody = (kind: 'Users' | 'Groups'): Json => {
        const o: Json =
          kind === 'Users'
            ? JSON.parse(
                JSON.stringify(baselineUser(`fz${r.int(1e9)}@example.com`)).replace('$MGR', managerId),
              )
            : { schemas: [GROUP], displayName: `fz${r.int(1e9)}`, members: [{ value: r.pick(memberIds) }] };
        for (let i = 0, m = 1 + r.int(3); i < m; i++)
          setPath(o, r.pick(kind === 'Users' ? USER_ATTRS : GROUP_ATTRS), value());
        return o;
      };
      const patchBody = (): Json => ({
        schemas: r.int(8) === 0 ? value() : [PATCH_OP],
        Operations: Array.from({ length: 1 + r.int(3) }, () => {
          const o: Json = { op: op() };
          if (r.int(4) !== 0) o.path = attr();
          if (r.int(5) !== 0) o.value = r.int(2) ? value() : { [attr()]: value() };
          return o;
        }),
      });
      const filter = () =>
        `${attr()} ${r.pick([...OPS, 'pr', 'and', ''])} ${r.pick(FILTER_VALUES)}${r.pick(['', ' and ', ' or not (', ')', '['])}`;
      const target = () => r.pick([`Users/${userId}`, `Groups/${groupId}`]);
      const cases: { label: string; method: string; writes: boolean; run: () => Promise<Res> }[] = [];
      for (let i = 0; i < FUZZ_CASES; i++) {
        const kind = r.int(10);
        const extraHeaders: Record<string, string> = {};
        if (r.int(6) === 0)
          extraHeaders['if-match'] = r.pick(['*', 'W/"1"', '"x"', 'W/', '', 'W/"18446744073709551616"']);
        if (r.int(8) === 0)
          extraHeaders['content-type'] = r.pick([
            'application/json',
            'text/plain',
            'application/scim+json; charset=latin1',
          ]);
        let method: string;
        let path: string;
        let body: unknown;
        if (kind === 0) {
          method = 'POST';
          path = r.pick(['Users', 'Groups']);
          body = resourceBody(path as 'Users' | 'Groups');
        } else if (kind === 1) {
          path = target();
          method = 'PUT';
          body = resourceBody(path.startsWith('Users') ? 'Users' : 'Groups');
        } else if (kind <= 4) {
          method = 'PATCH';
          path = target();
          body = patchBody();
        } else if (kind === 5) {
          method = 'GET';
          path = `${r.pick(['Users', 'Groups'])}?${r.pick(['filter', 'sortBy', 'attributes', 'excludedAttributes', 'count', 'startIndex', 'cursor'])}=${encodeURIComponent(r.int(2) ? filter() : attr())}`;
        } else if (kind === 6) {
          method = 'POST';
          path = `${r.pick(['Users', 'Groups'])}/.search`;
          const sr: Json = { schemas: [SEARCH] };
          for (const k of ['filter', 'sortBy', 'attributes', 'count', 'startIndex', 'cursor'])
            if (r.int(2)) sr[k] = r.int(2) ? filter() : value();
          body = sr;
        } else if (kind === 7) {
          method = 'POST';
          path = 'Bulk';
          body = {
            schemas: [BULK_REQUEST],
            ...(r.int(2) ? { failOnErrors: r.int(2) ? atom() : 1 } : {}),
            Operations: Array.from({ length: 1 + r.int(4) }, () => ({
              // No DELETE: the target must survive the fuzz (deletes race in the concurrency test).
              method: r.pick(['POST', 'PUT', 'PATCH', 'GET', 'post', 7]),
              path: r.pick([
                '/Users',
                '/Groups',
                `/${target()}`,
                '/Users/bulkId:a',
                '/Users/%ED%A0%80',
                '',
                'Users',
              ]),
              bulkId: r.pick(['a', 'b', '', 7, undefined]),
              data:
                r.int(3) === 0 ? value() : r.int(2) ? patchBody() : resourceBody(r.pick(['Users', 'Groups'])),
            })),
          };
        } else if (kind === 8) {
          method = r.pick(['GET', 'DELETE']);
          path = `${r.pick(['Users', 'Groups', 'Schemas', 'ResourceTypes', 'ServiceProviderConfig', 'Me'])}/${r.pick(
            [
              encodeURIComponent(String(atom())),
              '%ED%A0%80',
              '%C0%AF',
              'x'.repeat(1025),
              '.search',
              `${userId}x`,
            ],
          )}`;
          if (method === 'DELETE' && r.int(2)) path = `Users/${r.pick(['nosuch', '%ED%A0%80'])}`;
        } else {
          method = 'GET';
          path = `${target()}?${r.pick(['attributes', 'excludedAttributes'])}=${encodeURIComponent(`${attr()},${attr()}`)}`;
        }
        cases.push({
          label: `#${i} ${method} ${path.slice(0, 100)} ${body === undefined ? '' : encode(body).toString('latin1').slice(0, 200)}`,
          method,
          writes: method !== 'GET',
          run: () => send(method, path, body, extraHeaders),
        });
      }
      // RFC 7644 §3.11: an unsupported /Me SHOULD be 501.
      const failures = await runCases(
        cases,
        (label, res) => res?.status === 501 && /^#\d+ \w+ Me\//.test(label),
      );
      assert.deepEqual(failures, []);
    });

    test('concurrency: parallel writes on one user and one group', async () => {
      await resetTarget();
      const patchTitle = (title: string, headers: Record<string, string> = {}) =>
        send(
          'PATCH',
          `Users/${userId}`,
          { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: title }] },
          headers,
        );
      // Same If-Match everywhere: exactly one wins, the rest are 412.
      const etag = (await send('GET', `Users/${userId}`)).headers.etag as string;
      const racers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => patchTitle(`r${i}`, { 'if-match': etag })),
      );
      for (const res of racers) assert.equal(problem(res, 'PATCH'), undefined);
      const winners = racers.filter((res) => res.status < 300);
      assert.equal(winners.length, 1, racers.map((x) => x.status).join(','));
      assert.ok(racers.every((res) => res.status < 300 || res.status === 412));

      // Read-modify-write with If-Match and retries: no lost update.
      await patchTitle('0');
      const workers = 8;
      const rounds = 3;
      await Promise.all(
        Array.from({ length: workers }, async () => {
          for (let k = 0; k < rounds; k++) {
            for (;;) {
              const got = await send('GET', `Users/${userId}`);
              const n = Number(json(got).title);
              const res = await patchTitle(String(n + 1), { 'if-match': got.headers.etag as string });
              assert.equal(problem(res, 'PATCH'), undefined);
              if (res.status < 300) break;
              assert.equal(res.status, 412);
            }
          }
        }),
      );
      assert.equal(json(await send('GET', `Users/${userId}`)).title, String(workers * rounds));

      // Mixed PUT / PATCH / GET on the user: no 5xx, final state one of the writes.
      const body = JSON.parse(JSON.stringify(baselineUser()).replace('$MGR', managerId));
      const mixed = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          i % 3 === 0
            ? send('PUT', `Users/${userId}`, { ...body, title: `put${i}` })
            : i % 3 === 1
              ? patchTitle(`patch${i}`)
              : send('GET', `Users/${userId}`),
        ),
      );
      for (const res of mixed) assert.equal(problem(res, 'X'), undefined);
      assert.ok(
        mixed.every((res) => res.status === 200 || res.status === 204),
        mixed.map((x) => x.status).join(','),
      );
      assert.match(json(await send('GET', `Users/${userId}`)).title, /^(put|patch)\d+$/);

      // Parallel member adds and removes on one group: every add lands, no member twice.
      await send('PUT', `Groups/${groupId}`, { schemas: [GROUP], displayName: 'Target group', members: [] });
      const adds = await Promise.all(
        memberIds.slice(0, 30).map((id) =>
          send('PATCH', `Groups/${groupId}`, {
            schemas: [PATCH_OP],
            Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
          }),
        ),
      );
      for (const res of adds) assert.equal(problem(res, 'PATCH'), undefined);
      assert.ok(
        adds.every((res) => res.status < 300),
        adds.map((x) => `${x.status} ${x.text.slice(0, 100)}`).join('\n'),
      );
      const members = (json(await send('GET', `Groups/${groupId}`)).members ?? [])
        .map((m: Json) => m.value)
        .sort();
      assert.deepEqual(members, memberIds.slice(0, 30).sort());
      const mixedGroup = await Promise.all(
        memberIds.slice(0, 30).map((id, i) =>
          i % 2
            ? send('PATCH', `Groups/${groupId}`, {
                schemas: [PATCH_OP],
                Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }],
              })
            : i % 5 === 0
              ? send('DELETE', `Users/${id}`)
              : send('PUT', `Groups/${groupId}`, {
                  schemas: [GROUP],
                  displayName: `Target group ${i}`,
                  members: [{ value: id }, { value: memberIds[35] }],
                }),
        ),
      );
      for (const res of mixedGroup) assert.equal(problem(res, 'X'), undefined);
      const finalGroup = json(await send('GET', `Groups/${groupId}`));
      for (const m of finalGroup.members ?? []) {
        assert.equal((await send('GET', `Users/${m.value}`)).status, 200, `member ${m.value} exists`);
      }
      const values = (finalGroup.members ?? []).map((m: Json) => m.value);
      assert.equal(new Set(values).size, values.length);

      // Parallel DELETE, PATCH and PUT of one user: no 5xx; it ends deleted; no group keeps it.
      const victim = json(
        await send('POST', 'Users', { schemas: [USER], userName: 'victim@example.com' }),
      ).id;
      await send('PATCH', `Groups/${groupId}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: victim }] }],
      });
      const race = await Promise.all(
        Array.from({ length: 18 }, (_, i) =>
          i % 3 === 0
            ? send('DELETE', `Users/${victim}`)
            : i % 3 === 1
              ? send('PATCH', `Users/${victim}`, {
                  schemas: [PATCH_OP],
                  Operations: [{ op: 'replace', path: 'title', value: `v${i}` }],
                })
              : send('PATCH', `Groups/${groupId}`, {
                  schemas: [PATCH_OP],
                  Operations: [{ op: 'add', path: 'members', value: [{ value: victim }] }],
                }),
        ),
      );
      for (const res of race) assert.equal(problem(res, 'X'), undefined);
      assert.equal(race.filter((res, i) => i % 3 === 0 && res.status === 204).length, 1);
      assert.equal((await send('GET', `Users/${victim}`)).status, 404);
      const after = json(await send('GET', `Groups/${groupId}`));
      assert.ok(!(after.members ?? []).some((m: Json) => m.value === victim), 'a deleted user is no member');
      await resetTarget();
    });
  });
}
