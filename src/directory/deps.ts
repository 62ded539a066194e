/** What the directory services need from outside: the database, a clock and an id source. */
import { randomFillSync } from 'node:crypto';
import { userInfo } from 'node:os';
import type { PropertyDef } from '../config.ts';
import type { IdpProfile, QuirkName } from '../scim/quirks.ts';
import type { ActorKind } from '../store/audit.ts';
import type { Database } from '../store/db.ts';
import type { RoleDefinition } from './role-definitions.ts';
import type { ValveDefaults } from './valves.ts';

export type { ActorKind };

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
  /**
   * Key material sealing secrets at rest (SECRET_KEY, or its older name WEBHOOK_SECRET_KEY;
   * directory/secret-keys.ts); unset: one kept in settings.
   */
  secretKey?: string | undefined;
  /** The custom properties the deployment declares (config.ts PROPERTIES; docs/properties.md). */
  properties?: readonly PropertyDef[] | undefined;
  /** The safety valves' deployment defaults (src/config.ts); unset: DEFAULT_VALVES. */
  valves?: ValveDefaults | undefined;
  /**
   * Whether webhook endpoints may be on loopback, private or other non-public addresses
   * (WEBHOOK_ALLOW_PRIVATE; events/address-policy.ts). Unset: they may not.
   */
  webhookAllowPrivate?: boolean | undefined;
  /**
   * Whether SSO connections' IdP URLs (OIDC issuer, SAML endpoints, metadata URLs) may be plain
   * http or on non-public addresses (SSO_ALLOW_PRIVATE). Unset: https on public addresses only.
   */
  ssoAllowPrivate?: boolean | undefined;
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
  /**
   * Who acts (docs/api.md "Audit trail"): `scim_token` (the IdP), `api_key` (the host app), `cli`, or
   * `system` (the service itself, e.g. a JIT sign-in creating a user). Absent: `scim_token` when
   * `tokenId` is set, else `system`.
   */
  kind?: ActorKind;
  /** The actor's id: the SCIM token's or the API key's; the CLI's OS login name; a system task's name. */
  tokenId: string | null;
  requestId: string | null;
  /** The org's IdP profile (src/scim/quirks.ts); absent means 'generic'. */
  idpProfile?: IdpProfile;
  /**
   * The version of the org's custom schemas, read with its token (directory/properties.ts):
   * 0 means none declared. Absent: not known (CLI, API), read from the org when needed.
   */
  schemaVersion?: number;
  /**
   * Whether the org had role rules, read with its token. false lets a member change or a group
   * rename skip role upkeep (directory/roles.ts RoleTracker), after the write has checked it
   * again under a share lock of the org's row (a rule added meanwhile is seen, and waits).
   * Absent: not known (CLI, API); role upkeep runs.
   */
  hasRoleRules?: boolean;
  /** The directory appends the names of the IdP quirks a request relied on (logged by http/). */
  appliedQuirks?: QuirkName[];
  /**
   * Aborts when the request's time budget runs out (reason: a TimeoutError) or its client goes
   * away: reads that can be long are stopped then.
   */
  signal?: AbortSignal;
  /**
   * The change applies a held change an admin released (directory/valves.ts): the valve lets
   * it through uncounted, takes the held change out in the same transaction, and the audit
   * row's action is `release`.
   */
  release?: { heldId: number };
}

/** The actor of a CLI command: the OS login running it, when the system names one. */
export function cliActor(orgId: string, login: string | null = cliLogin()): Actor {
  return { orgId, kind: 'cli', tokenId: login, requestId: null };
}

/** The CLI's login as the author of a change that names its org apart (or belongs to none). */
export function cliAuthor(): Pick<Actor, 'kind' | 'tokenId' | 'requestId'> {
  const { orgId: _none, ...author } = cliActor('');
  return author;
}

/** The service acting on its own, `task` saying what for (e.g. `sso:<connection id>`, `bootstrap`). */
export function systemActor(orgId: string, task: string, requestId: string | null = null): Actor {
  return { orgId, kind: 'system', tokenId: task, requestId };
}

function cliLogin(): string | null {
  try {
    return userInfo().username.slice(0, 200) || null;
  } catch {
    // No passwd entry for the uid (a container's arbitrary user).
    return null;
  }
}

/** The audit kind of an actor (see Actor.kind). */
export function actorKind(actor: Actor): ActorKind {
  return actor.kind ?? (actor.tokenId !== null ? 'scim_token' : 'system');
}
