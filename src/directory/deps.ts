/** What the directory services need from outside: the database, a clock and an id source. */
import { randomFillSync } from 'node:crypto';
import type { PropertyDef } from '../config.ts';
import type { IdpProfile, QuirkName } from '../scim/quirks.ts';
import type { Database } from '../store/db.ts';
import type { RoleDefinition } from './role-definitions.ts';

export interface DirectoryDeps {
  database: Database;
  /** Current time; injected so tests need no global fakes. */
  now: () => Date;
  /** New resource/token ids. */
  newId: () => string;
  /**
   * Called after a transaction that wrote events committed (src/events/ wakes its workers
   * and long polls with it, instead of waiting for their next poll).
   */
  eventsWritten?: () => void;
  /** Key material sealing webhook secrets (WEBHOOK_SECRET_KEY); unset: one kept in settings. */
  webhookSecretKey?: string | undefined;
  /** The custom properties the deployment declares (config.ts PROPERTIES; docs/properties.md). */
  properties?: readonly PropertyDef[] | undefined;
  /**
   * Whether webhook endpoints may be on loopback, private or other non-public addresses
   * (WEBHOOK_ALLOW_PRIVATE; events/address-policy.ts). Unset: they may not.
   */
  webhookAllowPrivate?: boolean | undefined;
  /** The deployment's roles (ROLES / ROLES_FILE); unset: owner, admin, member, viewer (directory/roles.ts). */
  roles?: readonly RoleDefinition[] | undefined;
}

/** Random bytes drawn a few kilobytes at a time: one call to the system per 409 ids, not per id. */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function takeRandom(into: Buffer, from: number): void {
  const n = into.length - from;
  if (poolAt + n > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  pool.copy(into, from, poolAt, poolAt + n);
  // Each byte is handed out once.
  poolAt += n;
}

/**
 * A UUID version 7 (RFC 9562 §5.7): 48 bits of Unix milliseconds, then 74 random bits. Ids are
 * opaque to clients all the same, but time-ordered ids land at the right edge of the id
 * index instead of on a random page of it: with 100,000 users that is the difference between
 * a cached page and a page read for every create.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = Buffer.allocUnsafe(16);
  takeRandom(bytes, 6);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function defaultDeps(database: Database): DirectoryDeps {
  return { database, now: () => new Date(), newId: () => uuidv7() };
}

/** Who is asking, for the audit trail. */
export interface Actor {
  orgId: string;
  tokenId: string | null;
  requestId: string | null;
  /** The org's IdP profile (src/scim/quirks.ts); absent means 'generic'. */
  idpProfile?: IdpProfile;
  /**
   * The version of the org's custom schemas, read with its token (directory/properties.ts):
   * 0 means none declared. Absent: not known (CLI, API), read from the org when needed.
   */
  schemaVersion?: number;
  /** The directory appends the names of the IdP quirks a request relied on (logged by http/). */
  appliedQuirks?: QuirkName[];
  /**
   * Aborts when the request's time budget runs out (reason: a TimeoutError) or its client goes
   * away: reads that can be long are stopped then.
   */
  signal?: AbortSignal;
}
