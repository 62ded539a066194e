/**
 * Seeds the directory before the server starts, through the project's own code: the org and
 * its token through OrgService, each user through normalizeResource → indexTerms →
 * insertResource with its audit record, exactly what POST /Users stores, but thousands of
 * users per transaction instead of one.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Directory } from '../src/directory/directory.ts';
import { USER } from '../src/scim/schema/definitions.ts';
import { indexTerms } from '../src/scim/schema/index-terms.ts';
import { normalizeResource } from '../src/scim/schema/normalize.ts';
import { insertAudit } from '../src/store/audit.ts';
import { insertResource } from '../src/store/resources.ts';
import { seededUserName, userBody } from './fixtures.ts';

export const BENCH_ORG = 'default';
const BATCH = 5000;

export interface Seeded {
  token: string;
  /** Ids of the seeded users; user i has userName seededUserName(i). */
  userIds: string[];
  seconds: number;
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export async function seedDirectory(
  databaseUrl: string,
  users: number,
  progress: (done: number) => void = () => {},
  options: {
    /** PostgreSQL: VACUUM ANALYZE after seeding (BENCH_ANALYZE), as autovacuum would within a minute. */
    analyze?: boolean;
    /** The users' ids (user i gets ids[i]), to seed a second database with the same users. */
    ids?: readonly string[];
  } = {},
): Promise<Seeded> {
  const started = performance.now();
  const directory = await Directory.open(databaseUrl);
  try {
    // A bigger page cache for this connection only: the four resource_terms indexes take
    // random inserts, and SQLite's default 2 MB cache would make seeding disk-bound.
    if (directory.database.dialect === 'sqlite') {
      await sql`pragma cache_size = -262144`.execute(directory.database.db);
    }
    const { token } = await directory.orgs.create('Default', { id: BENCH_ORG });
    const userIds: string[] = [];
    for (let from = 0; from < users; from += BATCH) {
      const to = Math.min(users, from + BATCH);
      await directory.database.db.transaction().execute(async (tx) => {
        for (let i = from; i < to; i++) {
          const { doc } = normalizeResource(userBody(seededUserName(i), i), USER, { mode: 'create' });
          const id = options.ids?.[i] ?? randomUUID();
          const created = new Date().toISOString();
          await insertResource(tx, {
            orgId: BENCH_ORG,
            type: 'User',
            id,
            userName: stringOrNull(doc.userName),
            externalId: stringOrNull(doc.externalId),
            displayName: stringOrNull(doc.displayName),
            active: typeof doc.active === 'boolean' ? doc.active : null,
            doc,
            passwordHash: null,
            created,
            terms: indexTerms(doc, USER),
          });
          await insertAudit(tx, {
            orgId: BENCH_ORG,
            at: created,
            requestId: null,
            actorKind: 'scim_token',
            tokenId: token.id,
            action: 'create',
            resourceType: 'User',
            resourceId: id,
            attributes: Object.keys(doc)
              .filter((k) => k !== 'schemas')
              .sort(),
          });
          userIds.push(id);
        }
      });
      progress(to);
    }
    // Off by default: a directory just filled by an import, on a database whose autovacuum has
    // not run yet (or is off), has neither planner statistics nor a visibility map, and the
    // service must stay fast then too. BENCH_ANALYZE=true measures the other case.
    if (options.analyze && directory.database.dialect === 'postgres') {
      await sql`vacuum analyze`.execute(directory.database.db);
    }
    return { token: token.token, userIds, seconds: (performance.now() - started) / 1000 };
  } finally {
    await directory.close();
  }
}
