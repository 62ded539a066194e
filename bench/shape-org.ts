/**
 * An org shaped like the one issue 10's costly requests were found on: `users` users (the
 * bench's fixtures) and 62 groups: one holding everyone, 50 of 400 users each (fewer when the
 * org is small), a nested chain of 10 (each link a member of the next, the first holding 10
 * users) and one empty. Written through the store in a few large transactions, as seed.ts
 * does: seconds for 20,000 users, where 20,000 POSTs would take minutes.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CORE_GROUP, GROUP, USER } from '../src/scim/schema/definitions.ts';
import { indexTerms } from '../src/scim/schema/index-terms.ts';
import { normalizeResource } from '../src/scim/schema/normalize.ts';
import { addMembers, type MemberRef } from '../src/store/memberships.ts';
import {
  insertResource,
  insertResources,
  type NewResource,
  type ResourceType,
} from '../src/store/resources.ts';
import type { DB } from '../src/store/schema.ts';
import { seededUserName, userBody } from './fixtures.ts';

const BATCH = 5000;

export interface ShapeOrg {
  /** Ids of the users, in creation order; user i has userName seededUserName(i). */
  userIds: string[];
  /** The group holding every user. */
  everyoneId: string;
  /** The 50 groups of (at most) 400 users. */
  teamIds: string[];
  /** The nested chain, innermost first: chain[i] is a member of chain[i + 1]. */
  chainIds: string[];
  emptyId: string;
}

function stringOrNull(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function newResource(orgId: string, type: ResourceType, body: Record<string, unknown>): NewResource {
  const rs = type === 'User' ? USER : GROUP;
  const { doc } = normalizeResource(body, rs, { mode: 'create' });
  return {
    orgId,
    type,
    id: randomUUID(),
    userName: stringOrNull(doc.userName),
    externalId: stringOrNull(doc.externalId),
    displayName: stringOrNull(doc.displayName),
    active: typeof doc.active === 'boolean' ? doc.active : null,
    doc,
    passwordHash: null,
    created: new Date().toISOString(),
    terms: indexTerms(doc, rs),
  };
}

/** Fills the existing org `orgId` (which should be empty) with the users and groups above. */
export async function seedShapeOrg(db: Kysely<DB>, orgId: string, users: number): Promise<ShapeOrg> {
  const userRefs: MemberRef[] = [];
  const userIds: string[] = [];
  for (let from = 0; from < users; from += BATCH) {
    const batch: NewResource[] = [];
    for (let i = from; i < Math.min(users, from + BATCH); i++) {
      batch.push(newResource(orgId, 'User', userBody(seededUserName(i), i)));
    }
    for (const r of await insertResources(db, batch)) {
      userRefs.push({ pk: r.pk, type: 'User' });
      userIds.push(r.id);
    }
  }
  const groups = await db.transaction().execute(async (tx) => {
    const group = (name: string) =>
      insertResource(tx, newResource(orgId, 'Group', { schemas: [CORE_GROUP], displayName: name }));
    const everyone = await group('Everyone');
    await addMembers(tx, orgId, everyone.pk, userRefs);
    const teamIds: string[] = [];
    for (let t = 0; t < 50; t++) {
      const team = await group(`Team ${String(t).padStart(2, '0')}`);
      const size = Math.min(400, Math.floor(users / 50) || 1);
      const start = (t * size) % Math.max(1, users);
      await addMembers(tx, orgId, team.pk, userRefs.slice(start, start + size));
      teamIds.push(team.id);
    }
    const chainIds: string[] = [];
    let inner: MemberRef | undefined;
    for (let c = 0; c < 10; c++) {
      const link = await group(`Chain ${c}`);
      await addMembers(tx, orgId, link.pk, inner ? [inner] : userRefs.slice(0, 10));
      inner = { pk: link.pk, type: 'Group' };
      chainIds.push(link.id);
    }
    const empty = await group('Nobody');
    return { everyoneId: everyone.id, teamIds, chainIds, emptyId: empty.id };
  });
  return { userIds, ...groups };
}
