/**
 * A lower bound for GET /Users/{id}: a bare node:http server doing only the work no
 * database-backed SCIM server can skip, on the benchmark's own database: hash the bearer
 * token and look it up, look the user up by id (with the same "is it in a group" flag the
 * SCIM server reads), and render the stored document with its id and meta. No framework, no
 * validation, no projection, no request log, no error bodies. Measured with the same driver
 * and settings as the SCIM server, it shows how much of the floor a GET by id can reach on
 * this machine at all; the report prints it as a reference row beside the target.
 *
 * DATABASE_URL names the database (sqlite:<path>, opened read-only, or postgres://…); it must
 * already hold the seeded directory. BOUND_ORG is the org's id.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

interface Row {
  id: string;
  doc: string;
  version: number;
  created_at: string;
  last_modified: string;
  in_groups: number | boolean;
}

type Lookup = (tokenHash: string, id: string) => Promise<Row | undefined> | Row | undefined;

const url = process.env.DATABASE_URL ?? '';
const org = process.env.BOUND_ORG ?? 'default';

const TOKEN = 'select org_id from tokens where hash = ? and revoked_at is null';
const USER =
  'select id, doc, version, created_at, last_modified, ' +
  'exists (select 1 from memberships as m where m.member_pk = r.pk) as in_groups ' +
  "from resources as r where org_id = ? and type = 'User' and id = ? and deleted_at is null";

function numbered(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

function sqliteLookup(path: string): Lookup {
  const db = new SqliteDatabase(path, { readonly: true });
  const token = db.prepare<[string], { org_id: string }>(TOKEN);
  const user = db.prepare<[string, string], Row>(USER);
  return (tokenHash, id) => {
    const t = token.get(tokenHash);
    return t?.org_id === org ? user.get(org, id) : undefined;
  };
}

function postgresLookup(connectionString: string): Lookup {
  const pool = new pg.Pool({ connectionString, max: 4 });
  const token = { name: 'bound_token', text: numbered(TOKEN) };
  const user = { name: 'bound_user', text: numbered(USER) };
  return async (tokenHash, id) => {
    const t = await pool.query<{ org_id: string }>({ ...token, values: [tokenHash] });
    if (t.rows[0]?.org_id !== org) return undefined;
    return (await pool.query<Row>({ ...user, values: [org, id] })).rows[0];
  };
}

const lookup: Lookup = url.startsWith('sqlite:')
  ? sqliteLookup(url.slice('sqlite:'.length).replace(/^\/\//, ''))
  : postgresLookup(url);

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const auth = request.headers.authorization ?? '';
  const path = request.url ?? '';
  const id = decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
  const row = await lookup(createHash('sha256').update(auth.slice('Bearer '.length)).digest('hex'), id);
  if (!row) {
    response.writeHead(404, { 'content-length': 0 });
    response.end();
    return;
  }
  const version = `W/"${row.version}"`;
  const doc = JSON.parse(row.doc) as Record<string, unknown>;
  const body = JSON.stringify({
    ...doc,
    id: row.id,
    meta: {
      resourceType: 'User',
      created: row.created_at,
      lastModified: row.last_modified,
      location: `http://${request.headers.host}/scim/v2/${org}/Users/${row.id}`,
      version,
    },
  });
  response.writeHead(200, {
    'content-type': 'application/scim+json',
    etag: version,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

const server = createServer((request, response) => {
  answer(request, response).catch((error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    response.writeHead(500, { 'content-length': 0 });
    response.end();
  });
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.stdout.write(`bound listening on http://127.0.0.1:${port}\n`);
});
