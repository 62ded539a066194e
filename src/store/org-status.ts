/**
 * The reads behind an org's status at a glance (directory/org-status.ts): live user and group
 * counts, token use, the request log's last request and failures. Each is one indexed query.
 */
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** Live users and groups of the org (resource_counts, kept in step by every create and delete). */
export async function liveCounts(db: Kysely<DB>, orgId: string): Promise<{ users: number; groups: number }> {
  const rows = await db
    .selectFrom('resource_counts')
    .select(['type', 'n'])
    .where('org_id', '=', orgId)
    .execute();
  const count = (type: string) => Number(rows.find((r) => r.type === type)?.n ?? 0);
  return { users: count('User'), groups: count('Group') };
}

/** The latest use of any of the org's SCIM tokens (recorded at most once a minute per token). */
export async function lastTokenUse(db: Kysely<DB>, orgId: string): Promise<string | null> {
  const row = await db
    .selectFrom('tokens')
    .select((eb) => eb.fn.max('last_used_at').as('at'))
    .where('org_id', '=', orgId)
    .executeTakeFirst();
  return (row?.at as string | null | undefined) ?? null;
}

/** The time of the org's latest logged request, and of its latest one that authenticated. */
export async function lastLoggedRequests(
  db: Kysely<DB>,
  orgId: string,
): Promise<{ any: string | null; authenticated: string | null }> {
  const last = await db
    .selectFrom('request_log')
    .select('at')
    .where('org_id', '=', orgId)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const authenticated = await db
    .selectFrom('request_log')
    .select('at')
    .where('org_id', '=', orgId)
    .where('token_id', 'is not', null)
    .where('status', '<>', 401)
    .orderBy('at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { any: last?.at ?? null, authenticated: authenticated?.at ?? null };
}

/** How many of the org's logged requests since `since` failed (status 400 and up). */
export async function countFailures(db: Kysely<DB>, orgId: string, since: string): Promise<number> {
  const row = await db
    .selectFrom('request_log')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('org_id', '=', orgId)
    .where('at', '>=', since)
    .where('status', '>=', 400)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The org's latest failed requests since `since`, newest first, with their hints. */
export async function recentFailures(db: Kysely<DB>, orgId: string, since: string, limit: number) {
  return db
    .selectFrom('request_log')
    .select(['id', 'at', 'method', 'path', 'status', 'scim_type', 'hint'])
    .where('org_id', '=', orgId)
    .where('at', '>=', since)
    .where('status', '>=', 400)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}
