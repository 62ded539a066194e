/** What the directory services need from outside: the database, a clock and an id source. */
import { randomUUID } from 'node:crypto';
import type { IdpProfile, QuirkName } from '../scim/quirks.ts';
import type { Database } from '../store/db.ts';

export interface DirectoryDeps {
  database: Database;
  /** Current time; injected so tests need no global fakes. */
  now: () => Date;
  /** New resource/token ids. */
  newId: () => string;
}

export function defaultDeps(database: Database): DirectoryDeps {
  return { database, now: () => new Date(), newId: () => randomUUID() };
}

/** Who is asking, for the audit trail. */
export interface Actor {
  orgId: string;
  tokenId: string | null;
  requestId: string | null;
  /** The org's IdP profile (src/scim/quirks.ts); absent means 'generic'. */
  idpProfile?: IdpProfile;
  /** The directory appends the names of the IdP quirks a request relied on (logged by http/). */
  appliedQuirks?: QuirkName[];
}
