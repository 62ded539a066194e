/**
 * The directory's resources: Users and Groups. Each mutating call is one transaction holding
 * the resource change, its membership rows and its audit record: if any part fails, none
 * happened (ARCHITECTURE.md). Group members are rows (store/memberships.ts), applied as deltas.
 */
import { ScimError } from '../scim/errors.ts';
import { etagOf, evaluatePreconditions, type GroupEntry, type Preconditions } from '../scim/etag.ts';
import type { FilterNode } from '../scim/filter/ast.ts';
import { matchesElement } from '../scim/filter/evaluate.ts';
import type { ListQuery, RootQuery } from '../scim/list-query.ts';
import { applyPatch } from '../scim/patch/apply.ts';
import {
  idCaseForms,
  idsOfFilter,
  type MemberStep,
  memberIds,
  membersAttribute,
  planGroupPatch,
} from '../scim/patch/members.ts';
import { parsePatchRequest } from '../scim/patch/parse.ts';
import { keepStoredActive, type QuirkName } from '../scim/quirks.ts';
import { CORE_USER, USER } from '../scim/schema/definitions.ts';
import { indexTerms } from '../scim/schema/index-terms.ts';
import { normalizeResource } from '../scim/schema/normalize.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { type AuditEvent, insertAudit } from '../store/audit.ts';
import type { KeysetPosition } from '../store/cursor-keyset.ts';
import {
  isTransientStoreError,
  mapCancelled,
  StoreCancelled,
  StoreConflict,
  StoreCreateDeferred,
  StoreHasHeldChange,
  StoreHasRoleRules,
  StoreNotFound,
  StoreVersionMismatch,
} from '../store/errors.ts';
import { insertEvent, insertMemberEvents, type NewEvent } from '../store/events.ts';
import {
  findLinkable,
  findUsersByKeys,
  type LinkBy,
  type LinkKeys,
  markLinked,
  NO_LINK_KEYS,
  setMemberSource,
} from '../store/linking.ts';
import {
  addMembers,
  bumpVersion,
  countMembers,
  existingMembers,
  findMembersById,
  firstMembersOf,
  groupsOf,
  hasMoreMembersThan,
  listMembers,
  lockGroupsContaining,
  type MemberRef,
  type MemberRow,
  memberPks,
  readGroupWithMembers,
  removeMembers,
} from '../store/memberships.ts';
import { createResourceWith, deleteResourceWith, updateResourceWith } from '../store/resource-writes.ts';
import {
  insertResource,
  type LiveCount,
  listResources,
  listWithToken,
  lockGroupForDelete,
  lockGroupWithRoleRules,
  lockResource,
  type MemberSource,
  type ResourceRecord,
  type ResourceType,
  readResource,
  readResourceWithToken,
  searchResources,
  touchGroupsContaining,
} from '../store/resources.ts';
import { findTokenWithOrgProfile, type TokenWithProfile } from '../store/tokens.ts';
import { saveValveWindow, type ValveWindowRow } from '../store/valves.ts';
import { type ApiResource, apiChanges, apiForm, type FormInput } from './api-form.ts';
import { auditEvent } from './audit.ts';
import { hashPassword } from './credentials.ts';
import type { Actor, DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { PropertyService } from './properties.ts';
import { RoleTracker } from './roles.ts';
import { type HeldChange, type HeldChangeApplier, HeldChangeGone, ValveGate } from './valves.ts';

export type { Preconditions };

/** Where a Resource keeps its row key: only the directory can read it (members, groups). */
const ROW_KEY: unique symbol = Symbol('row key');
/**
 * A group's first members (up to MEMBER_PAGE + 1, in member_pk order), when the directory read
 * them with its row or knows them (none: just created without members): its response then
 * needs no member query when it has at most MEMBER_PAGE, and no count.
 */
const FIRST_MEMBERS: unique symbol = Symbol('first members');
/**
 * How many members FIRST_MEMBERS holds in full when it was read with a limit other than
 * MEMBER_PAGE + 1 (withFirstMembers): it then holds up to this many and one more, which says
 * that more follow.
 */
const FIRST_LIMIT: unique symbol = Symbol('first members limit');

/**
 * Member rows a page of groups reads at once for its response (withFirstMembers): each group's
 * first members, up to MEMBER_PAGE, this many over all of the page's groups; the rest of a
 * group's members come a page at a time as it is rendered.
 */
const LIST_MEMBER_ROWS = 10_000;

/**
 * A resource as the directory hands it to transports: the parts its representation is made
 * of, without the password hash, and with its row key out of reach (a symbol this module
 * keeps), so that the directory's own calls (members, withGroups) need no second lookup.
 */
export interface Resource {
  readonly type: 'User' | 'Group';
  readonly id: string;
  readonly userName: string | null;
  readonly externalId: string | null;
  readonly displayName: string | null;
  readonly active: boolean | null;
  /** The canonical SCIM document, without password and without members. */
  readonly doc: Record<string, unknown>;
  /** The stored counter every write bumps; the ETag is resourceEtag(resource). */
  readonly version: number;
  readonly created: string;
  readonly lastModified: string;
  /** Who manages it: its IdP (`scim`), the management API (`api`), later SSO (`sso`). */
  readonly source: MemberSource;
  /** When its IdP took over a member first added otherwise, and that member's source then. */
  readonly linkedAt: string | null;
  readonly linkedFrom: Exclude<MemberSource, 'scim'> | null;
  /** Whether it is in any group, when the read said: a user in none needs no `groups` query. */
  readonly inGroups?: boolean | undefined;
  /** A user's computed `groups` (direct and indirect), once read (withGroups). */
  readonly groups?: readonly GroupEntry[] | undefined;
  readonly [ROW_KEY]: number;
  readonly [FIRST_MEMBERS]?: readonly MemberRow[];
  readonly [FIRST_LIMIT]?: number;
}

/** One member of a group as rendered (`value`, `type`, `display`). */
export interface Member {
  readonly id: string;
  readonly type: 'User' | 'Group';
  /** displayName, else userName. */
  readonly display: string | null;
}

function toResource(record: ResourceRecord, firstMembers?: readonly MemberRow[]): Resource {
  return {
    ...(firstMembers ? { [FIRST_MEMBERS]: firstMembers } : {}),
    type: record.type,
    id: record.id,
    userName: record.userName,
    externalId: record.externalId,
    displayName: record.displayName,
    active: record.active,
    doc: record.doc,
    version: record.version,
    created: record.created,
    lastModified: record.lastModified,
    source: record.source,
    linkedAt: record.linkedAt,
    linkedFrom: record.linkedFrom,
    inGroups: record.inGroups,
    groups: record.groups?.map((g) => ({ id: g.id, display: g.display, type: g.type })),
    [ROW_KEY]: record.pk,
  };
}

export interface ListResult {
  total: number;
  startIndex: number;
  records: Resource[];
}

/** What an ETag is made of: a Resource or the directory's own record alike. */
type EtagInputs = Pick<Resource, 'type' | 'id' | 'version' | 'inGroups' | 'groups'>;

type Tx = Parameters<typeof insertResource>[0];

/** Members read per query when paging through a group. */
export const MEMBER_PAGE = 1000;

/** What a resource shows as `display` where it is a member (memberships.ts reads the same). */
function displayOf(r: { displayName: string | null; userName: string | null }): string | null {
  return r.displayName ?? r.userName;
}

/** A resource as a write without a lock read it: a group with its first members (MEMBER_PAGE + 1). */
interface OptimisticRead {
  record: ResourceRecord;
  members?: MemberRow[] | undefined;
}

/** Where a PriorRead keeps what it read: only the directory can look (patch, replace). */
const PRIOR: unique symbol = Symbol('prior read');

/**
 * A user as a PATCH or PUT read it in the statement that read its token, before the request
 * was admitted (ResourceService.readWithToken, Directory.readAuthenticated): opaque outside
 * the directory, handed back to patch() or replace(), which write from it without reading the
 * user again when they take the path without a lock. Its write is guarded by the version it
 * read, so it is never trusted for more than a first read.
 */
export interface PriorRead {
  readonly [PRIOR]: {
    readonly orgId: string;
    readonly type: string;
    readonly id: string;
    /** Undefined: read, and not there (404 once the request is admitted and its body checked). */
    readonly read: OptimisticRead | undefined;
  };
}

/** Whether a delete's lock of the resource also locked the groups containing it (lockWritten). */
function parentsLockedWith(rs: ResourceSchema, actor: Actor): boolean {
  return rs.type.name === 'Group' && actor.hasRoleRules === false;
}

/** Attempts of a write transaction that PostgreSQL aborted for a transient reason (write()). */
export const WRITE_ATTEMPTS = 3;

/**
 * Reads and writes a PATCH of the document makes without a lock (patchDocument) before it
 * gives up on optimism and takes the row lock: other writes of the same resource kept coming
 * between its read and its write.
 */
const OPTIMISTIC_ATTEMPTS = 4;

/** The indexed columns of a canonical document. */
function columnsOf(doc: Record<string, unknown>) {
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    userName: str(doc.userName),
    externalId: str(doc.externalId),
    displayName: str(doc.displayName),
    active: typeof doc.active === 'boolean' ? doc.active : null,
  };
}

/** Top-level attribute names whose values differ between two canonical documents. */
function changedAttributes(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  keys.delete('schemas');
  return [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k])).sort();
}

/**
 * The ETag of a record as its representation stands (RFC 7644 §3.14; etagOf says how a user's
 * groups enter it). The one source of the ETag header, `meta.version`, and every If-Match /
 * If-None-Match comparison. A User that may be in a group must have been read withGroups:
 * without its groups its tag is unknown, and a guess would let stale tags match.
 */
export function resourceEtag(record: EtagInputs): string {
  if (record.type !== 'User' || record.inGroups === false) return etagOf(record.version);
  if (!record.groups) throw new Error(`User ${record.id}: its groups were not read, so its ETag is unknown`);
  return etagOf(record.version, record.groups);
}

/**
 * A request's If-Match / If-None-Match against the record's current ETag, in RFC 9110 §13.2.2
 * order (scim/etag.ts evaluatePreconditions): 'notModified' when a read should answer 304;
 * a failed precondition throws 412. A write's are checked here under its row lock (lockChecked).
 */
export function checkPreconditions(
  record: EtagInputs,
  pre: Preconditions,
  method: 'read' | 'write',
): 'proceed' | 'notModified' {
  if (pre.ifMatch === undefined && pre.ifNoneMatch === undefined) return 'proceed';
  return evaluatePreconditions(resourceEtag(record), pre, `${record.type} ${record.id}`, method);
}

/**
 * A read stopped before it finished. Its client went away (nobody reads the answer) or the
 * request ran out of its time budget: 503, saying what to do about it.
 */
function timedOut(error: StoreCancelled): ScimError {
  return ScimError.timedOut(
    error.reason === 'timeout'
      ? "The request did not finish within the server's time budget and its query was stopped: " +
          'narrow the filter with a selective condition (an eq on userName, externalId, emails.value, ' +
          'or a group id), or ask for a smaller page'
      : 'The request was stopped: its client went away',
  );
}

function describeConflict(rs: ResourceSchema, error: StoreConflict, doc: Record<string, unknown>): ScimError {
  const value = error.field === 'userName' ? doc.userName : undefined;
  return ScimError.uniqueness(
    value !== undefined
      ? `${error.field} '${String(value)}' is already in use by another ${rs.type.name}`
      : `${rs.type.name} ${error.field} must be unique`,
  );
}

/** Records IdP quirks a request relied on (src/scim/quirks.ts), once each, for the request log. */
function noteQuirks(actor: Actor, names: QuirkName[]) {
  if (!actor.appliedQuirks) return;
  for (const name of names) if (!actor.appliedQuirks.includes(name)) actor.appliedQuirks.push(name);
}

/** Takes `members` out of a Group document: members live in rows, not in the document. */
function splitMembers(rs: ResourceSchema, doc: Record<string, unknown>): string[] | undefined {
  const def = membersAttribute(rs);
  if (!def) return undefined;
  const ids = doc.members === undefined ? [] : memberIds(def, doc.members, '');
  delete doc.members;
  return ids;
}

/**
 * Whether a PATCH names `active` (a path `active`, or a no-path add/replace whose value holds
 * it, as Okta sends): such a PATCH of a User takes the locked path, where the valves judge a
 * deactivation or reactivation (directory/valves.ts).
 */
function touchesActive(operations: ReturnType<typeof parsePatchRequest>): boolean {
  return operations.some((op) =>
    op.path
      ? op.path.attribute.path === 'active'
      : typeof op.value === 'object' &&
        op.value !== null &&
        Object.keys(op.value).some((k) => k.toLowerCase() === 'active'),
  );
}

/** RFC 5321 §4.5.3.1.3: an address within a path of at most 256 octets. */
export const MAX_EMAIL = 254;
/** One @, something on each side, no spaces: what a member's email must look like. */
const EMAIL = /^[^\s@]+@[^\s@]+$/;

/**
 * What a new user is matched on against the members added otherwise than by SCIM (store/
 * linking.ts): its userName and every email, lower-cased, and its externalId (docs/api.md
 * "Members").
 */
function linkKeysOf(doc: Record<string, unknown>): LinkKeys {
  const keys = new Set<string>();
  const userName = typeof doc.userName === 'string' ? doc.userName.toLowerCase() : null;
  if (userName !== null) keys.add(userName);
  if (Array.isArray(doc.emails)) {
    for (const e of doc.emails) {
      const value = (e as { value?: unknown } | null)?.value;
      if (typeof value === 'string' && value !== '') keys.add(value.toLowerCase());
    }
  }
  const externalId = typeof doc.externalId === 'string' && doc.externalId !== '' ? doc.externalId : null;
  return { keys: [...keys], userName, externalId };
}

export class ResourceService implements HeldChangeApplier {
  /**
   * Write transactions run again since start because PostgreSQL aborted them for a transient
   * reason (write()): a deadlock, a serialization failure, a stale plan. Steady growth means
   * writes take locks in conflicting orders.
   */
  readonly stats = { transientRetries: 0 };

  /** The safety valves' decisions, made inside each write's transaction. */
  private readonly valves: ValveGate;
  /** Marks the users whose roles a write moves and recomputes them before it commits. */
  private readonly roles: RoleTracker;

  constructor(
    private readonly deps: DirectoryDeps,
    private readonly properties: PropertyService = new PropertyService(deps),
  ) {
    this.valves = new ValveGate(deps);
    this.roles = new RoleTracker(deps);
  }

  private get db() {
    return this.deps.database.db;
  }

  /**
   * The org's own version of `rs` (its User schema carries the extensions it declared:
   * properties.ts). Transports that parsed the request pass that one already.
   */
  private orgSchema(actor: Actor, rs: ResourceSchema): Promise<ResourceSchema> | ResourceSchema {
    if (rs !== USER) return rs;
    return this.properties.resourceSchema(actor, rs);
  }

  /** The API form events carry: a user's with its properties (properties.ts). */
  private form(rs: ResourceSchema, record: FormInput): ApiResource {
    if (record.type !== 'User' || !this.properties.any) return apiForm(record);
    return apiForm(record, { properties: this.properties.values(rs, record.doc) });
  }

  private notFound(rs: ResourceSchema, id: string) {
    return ScimError.notFound(`${rs.type.name} ${id} not found`);
  }

  /**
   * An id from a URL names no resource if it holds U+0000 (no id does; PostgreSQL text cannot
   * even hold it, and would fail the lookup): 404 before any query.
   */
  private checkId(rs: ResourceSchema, id: string) {
    if (id.includes('\u0000')) throw this.notFound(rs, JSON.stringify(id));
  }

  private auditRecord(
    actor: Actor,
    action: string,
    rs: ResourceSchema,
    id: string,
    attributes: string[],
  ): AuditEvent {
    return auditEvent(actor, {
      at: this.deps.now().toISOString(),
      action,
      resourceType: rs.type.name,
      resourceId: id,
      attributes,
    });
  }

  private async audit(
    tx: Tx,
    actor: Actor,
    action: string,
    rs: ResourceSchema,
    id: string,
    attributes: string[],
  ) {
    await insertAudit(tx, this.auditRecord(actor, action, rs, id, attributes));
  }

  /**
   * Locks the resource a PUT, PATCH or DELETE is about and checks the request's preconditions
   * against its ETag as it stands under that lock, in the write's own transaction: the tag
   * compared is the one of the state the write applies to. (A group adding this user waits for
   * the lock, its members being key-share locked; SQLite serialises writers.) A user's groups
   * are read only when a precondition was sent and it is in a group; the record returned
   * carries them then, for the response.
   */
  private async lockChecked(
    tx: Tx,
    rs: ResourceSchema,
    actor: Actor,
    id: string,
    pre: Preconditions,
    forDelete = false,
  ) {
    const locked = await this.lockWritten(tx, rs, actor, id, forDelete);
    if (!locked) throw this.notFound(rs, id);
    if (pre.ifMatch === undefined && pre.ifNoneMatch === undefined) return locked;
    const record = await this.withGroupsOne(locked, tx);
    checkPreconditions(record, pre, 'write');
    return record;
  }

  /**
   * lockResource. A group in an org that had no role rules when the token was read is locked
   * with the org's row shared, its rule count read again there: role upkeep then knows, for
   * the whole transaction, whether it has anything to do (RoleTracker.orgRowShared). For a
   * delete (`forDelete`), the same statement locks the groups containing it
   * (parentsLockedWith).
   */
  private async lockWritten(tx: Tx, rs: ResourceSchema, actor: Actor, id: string, forDelete = false) {
    if (rs.type.name !== 'Group' || actor.hasRoleRules !== false)
      return lockResource(tx, actor.orgId, rs.type.name, id);
    const locked = forDelete
      ? await lockGroupForDelete(tx, actor.orgId, id)
      : await lockGroupWithRoleRules(tx, actor.orgId, id);
    if (!locked) return undefined;
    this.roles.orgRowShared(tx, actor.orgId, locked.roleRules);
    return locked.record;
  }

  /**
   * Runs `fn` in one transaction, mapping store failures to SCIM errors. A transaction that
   * PostgreSQL aborted for a reason another attempt cures (a deadlock, a stale prepared plan:
   * isTransientStoreError) runs again from the start, up to WRITE_ATTEMPTS times in all:
   * nothing of the failed attempt was kept, and `fn` reads everything it decides on inside it.
   */
  private async write<T>(
    rs: ResourceSchema,
    doc: () => Record<string, unknown>,
    fn: (tx: Tx) => Promise<T>,
    /** false: `fn` is one atomic store call that needs no transaction around it (resource-writes.ts). */
    transaction = true,
  ) {
    for (let attempt = 1; ; attempt++) {
      try {
        // Roles the write moved are recomputed last, in its transaction (directory/roles.ts).
        const result = transaction
          ? await this.db.transaction().execute(async (tx) => {
              const out = await fn(tx);
              await this.roles.flush(tx);
              return out;
            })
          : await fn(this.db);
        this.deps.eventsWritten?.();
        return result;
      } catch (error) {
        if (attempt < WRITE_ATTEMPTS && isTransientStoreError(error)) {
          this.stats.transientRetries++;
          continue;
        }
        throw this.writeError(rs, doc, error);
      }
    }
  }

  private writeError(rs: ResourceSchema, doc: () => Record<string, unknown>, error: unknown): unknown {
    if (error instanceof StoreConflict) return describeConflict(rs, error, doc());
    if (error instanceof StoreVersionMismatch) {
      return ScimError.preconditionFailed('The resource was modified concurrently; fetch it and retry');
    }
    const cancelled = mapCancelled(error);
    if (cancelled instanceof StoreCancelled) return timedOut(cancelled);
    return error;
  }

  /**
   * The stored resources these member ids name, in this org. An id that names nothing, or
   * the group itself, is a 400: nothing is written (the whole request fails). `named`, when
   * given, is what lockNamedMembers read for the write, for every id the write names.
   */
  private async resolveMembers(
    tx: Tx,
    orgId: string,
    ids: string[],
    groupPk: number | undefined,
    where: string,
    named?: Map<string, MemberRef>,
  ) {
    if (ids.length === 0) return [];
    const found = named ?? (await findMembersById(tx, orgId, ids, { lock: true }));
    const members: MemberRef[] = [];
    for (const id of new Set(ids)) {
      const ref = found.get(id);
      if (!ref)
        throw ScimError.invalidValue(
          `${where}members: no User or Group with id '${id}' in this organization`,
        );
      if (ref.pk === groupPk)
        throw ScimError.invalidValue(`${where}members: a group cannot be a member of itself`);
      members.push(ref);
    }
    return members;
  }

  /**
   * The members a Group PUT or PATCH names (to add, or to set), read FOR KEY SHARE on
   * PostgreSQL before the group's own row is locked: the lock order is a member before the
   * groups that contain it, as in a member's own write (its row, then touchGroupsContaining
   * when its display changes) and in a delete (the resource, then lockGroupsContaining). With
   * the group locked first, a group PATCH adding a user and that user's rename, at once,
   * deadlocked on every attempt. Ids that name nothing are simply not in the map.
   */
  private async lockNamedMembers(tx: Tx, orgId: string, ids: string[]): Promise<Map<string, MemberRef>> {
    return ids.length === 0 ? new Map() : findMembersById(tx, orgId, ids, { lock: true });
  }

  /** Makes a group's members exactly `ids`. Returns whether anything changed. */
  private async setMembers(
    tx: Tx,
    orgId: string,
    group: ResourceRecord,
    ids: string[],
    where: string,
    named?: Map<string, MemberRef>,
  ) {
    const members = await this.resolveMembers(tx, orgId, ids, group.pk, where, named);
    // A group of up to a page: its members in one read, which says what stays, goes and comes.
    const first = await memberPks(tx, group.pk, { limit: MEMBER_PAGE + 1 });
    if (first.length <= MEMBER_PAGE) {
      const wanted = new Set(members.map((m) => m.pk));
      const now = new Set(first);
      const doomed = first.filter((pk) => !wanted.has(pk));
      const added = members.filter((m) => !now.has(m.pk));
      if (doomed.length === 0 && added.length === 0) return false;
      if (doomed.length > 0) await this.removeWithEvents(tx, orgId, group, doomed);
      await this.addWithEvents(tx, orgId, group, added);
      return true;
    }
    const current = await countMembers(tx, group.pk);
    const kept = await existingMembers(
      tx,
      group.pk,
      members.map((m) => m.pk),
    );
    if (kept.size === current && kept.size === members.length) return false;
    // Those not named go, a page at a time (the group is never read whole), then the new
    // ones come: each change with its member events.
    const wanted = new Set(members.map((m) => m.pk));
    let afterPk: number | undefined;
    for (;;) {
      const page = await memberPks(tx, group.pk, { afterPk, limit: MEMBER_PAGE });
      const doomed = page.filter((pk) => !wanted.has(pk));
      if (doomed.length > 0) await this.removeWithEvents(tx, orgId, group, doomed);
      if (page.length < MEMBER_PAGE) break;
      afterPk = page[page.length - 1];
    }
    await this.addWithEvents(
      tx,
      orgId,
      group,
      members.filter((m) => !kept.has(m.pk)),
    );
    return true;
  }

  /**
   * Adds members, a chunk at a time, each chunk followed by its member events (direct, and
   * for users gaining groups through nesting: store/events.ts insertMemberEvents), written
   * after that chunk's rows and before the next, so each chunk sees the state it changed.
   * Returns how many were added.
   */
  private async addWithEvents(tx: Tx, orgId: string, group: ResourceRecord, members: readonly MemberRef[]) {
    let n = 0;
    for (let i = 0; i < members.length; i += MEMBER_PAGE) {
      const added = await addMembers(tx, orgId, group.pk, members.slice(i, i + MEMBER_PAGE));
      await this.memberEvents(tx, orgId, group, 'group.member_added', added);
      await this.roles.membersChanged(tx, orgId, group.pk, added);
      n += added.length;
    }
    return n;
  }

  /** Removes members, a chunk at a time, each followed by its member events. Returns how many went. */
  private async removeWithEvents(tx: Tx, orgId: string, group: ResourceRecord, pks: readonly number[]) {
    let n = 0;
    for (let i = 0; i < pks.length; i += MEMBER_PAGE) {
      const removed = await removeMembers(tx, group.pk, pks.slice(i, i + MEMBER_PAGE));
      await this.memberEvents(tx, orgId, group, 'group.member_removed', removed);
      await this.roles.membersChanged(tx, orgId, group.pk, removed);
      n += removed.length;
    }
    return n;
  }

  private memberEvents(
    tx: Tx,
    orgId: string,
    group: ResourceRecord,
    type: 'group.member_added' | 'group.member_removed',
    members: readonly number[] | 'all',
  ) {
    return insertMemberEvents(tx, {
      orgId,
      type,
      at: this.deps.now().toISOString(),
      groupPk: group.pk,
      groupId: group.id,
      members,
    });
  }

  /** The event of a resource's create, update or delete (member events are written apart). */
  private eventRecord(
    orgId: string,
    type: string,
    record: Pick<ResourceRecord, 'type' | 'id'>,
    data: ApiResource,
    changes?: { changed: string[]; previous: Record<string, unknown> },
  ): NewEvent {
    return {
      orgId,
      type,
      at: this.deps.now().toISOString(),
      resourceType: record.type,
      resourceId: record.id,
      data,
      changes,
    };
  }

  private event(
    tx: Tx,
    orgId: string,
    type: string,
    record: ResourceRecord,
    data: ApiResource,
    changes?: { changed: string[]; previous: Record<string, unknown> },
  ) {
    return insertEvent(tx, this.eventRecord(orgId, type, record, data, changes));
  }

  /** Executes one membership step of a Group PATCH. Returns whether anything changed. */
  private async memberStep(
    tx: Tx,
    actor: Actor,
    record: ResourceRecord,
    step: MemberStep,
    named: Map<string, MemberRef>,
  ): Promise<boolean> {
    const where = `Operations[${step.index}]: `;
    switch (step.kind) {
      case 'add': {
        const members = await this.resolveMembers(tx, actor.orgId, step.ids, record.pk, where, named);
        return (await this.addWithEvents(tx, actor.orgId, record, members)) > 0;
      }
      case 'remove': {
        // Removing someone who is not a member, or who no longer exists, is not an error.
        const found = await findMembersById(tx, actor.orgId, idCaseForms(step.ids));
        const pks = [...found.values()].map((m) => m.pk);
        return pks.length > 0 && (await this.removeWithEvents(tx, actor.orgId, record, pks)) > 0;
      }
      case 'removeWhere': {
        const doomed = await this.membersWhere(tx, record.pk, step.filter);
        return doomed.length > 0 && (await this.removeWithEvents(tx, actor.orgId, record, doomed)) > 0;
      }
      case 'set':
        return this.setMembers(tx, actor.orgId, record, step.ids, where, named);
      case 'replaceWhere': {
        // RFC 7644 §3.5.2.3: the matching members are replaced; no match is noTarget.
        const ids = idsOfFilter(step.filter);
        const matched = ids
          ? [
              ...(await existingMembers(
                tx,
                record.pk,
                [...(await findMembersById(tx, actor.orgId, idCaseForms(ids))).values()].map((m) => m.pk),
              )),
            ]
          : await this.membersWhere(tx, record.pk, step.filter);
        if (matched.length === 0) throw ScimError.noTarget(`${where}no member matches the filter`);
        const members = await this.resolveMembers(tx, actor.orgId, step.ids, record.pk, where, named);
        const next = new Set(members.map((m) => m.pk));
        if (matched.length === next.size && matched.every((pk) => next.has(pk))) return false;
        await this.removeWithEvents(tx, actor.orgId, record, matched);
        await this.addWithEvents(tx, actor.orgId, record, members);
        return true;
      }
    }
  }

  /** The member pks of a group that match a member value filter (read a page at a time). */
  private async membersWhere(tx: Tx, groupPk: number, filter: FilterNode): Promise<number[]> {
    const found: number[] = [];
    for await (const page of this.memberPages(tx, groupPk)) {
      for (const m of page) {
        if (matchesElement(filter, { value: m.id, type: m.type, display: m.display ?? undefined })) {
          found.push(m.pk);
        }
      }
    }
    return found;
  }

  /** POST /{resourceType}, RFC 7644 §3.3. */
  async create(actor: Actor, base: ResourceSchema, body: unknown): Promise<Resource> {
    const rs = await this.orgSchema(actor, base);
    const { doc, password } = normalizeResource(body, rs, { mode: 'create' });
    const members = splitMembers(rs, doc);
    const passwordHash = password !== undefined ? await hashPassword(password) : null;
    const id = this.deps.newId();
    const created = this.deps.now().toISOString();
    const linkKeys = rs.type.name === 'User' ? linkKeysOf(doc) : NO_LINK_KEYS;
    if (!members || members.length === 0) {
      // No members to resolve: the row, its terms, count, event and audit row are one store
      // call, a single statement on PostgreSQL.
      const columns = columnsOf(doc);
      const data = this.form(rs, {
        orgId: actor.orgId,
        type: rs.type.name,
        id,
        ...columns,
        doc,
        version: 1,
        created,
        lastModified: created,
      });
      const event = this.eventRecord(
        actor.orgId,
        rs.type.name === 'User' ? 'user.created' : 'group.created',
        { type: rs.type.name, id },
        data,
      );
      const audit = this.auditRecord(
        actor,
        'create',
        rs,
        id,
        Object.keys(doc)
          .filter((k) => k !== 'schemas')
          .sort(),
      );
      const resource = { orgId: actor.orgId, type: rs.type.name, id, ...columns, doc, passwordHash, created };
      try {
        const record = await this.write(
          rs,
          () => doc,
          (db) =>
            createResourceWith(db, { ...resource, terms: indexTerms(doc, rs) }, { event, audit }, linkKeys),
          false,
        );
        // Nothing can name a resource that did not exist: it is in no group, and has no members.
        return toResource({ ...record, inGroups: false }, rs.type.name === 'Group' ? [] : undefined);
      } catch (error) {
        // The org has a seat cap, or a member to link: create below, under its valve lock, where
        // active users are counted and members linked; a member the statement found is linked
        // at once when nothing more is needed.
        if (!(error instanceof StoreCreateDeferred)) throw error;
        if (error.linkable && error.linkable.length > 0) {
          const linked = await this.linkFound(actor, rs, error.linkable, doc, passwordHash);
          if (linked) return linked;
        }
      }
    }
    return this.write(
      rs,
      () => doc,
      async (tx) => {
        const linked = await this.linkMember(tx, actor, rs, linkKeys, doc, passwordHash);
        if (linked) return linked;
        if (rs.type.name === 'User' && doc.active !== false) await this.valves.checkSeat(tx, actor.orgId);
        const record = await insertResource(tx, {
          orgId: actor.orgId,
          type: rs.type.name,
          id,
          ...columnsOf(doc),
          doc,
          passwordHash,
          created,
          terms: indexTerms(doc, rs),
        });
        const attributes = Object.keys(doc).filter((k) => k !== 'schemas');
        await this.event(
          tx,
          actor.orgId,
          rs.type.name === 'User' ? 'user.created' : 'group.created',
          record,
          this.form(rs, record),
        );
        if (members && members.length > 0) {
          const refs = await this.resolveMembers(tx, actor.orgId, members, record.pk, '');
          await this.addWithEvents(tx, actor.orgId, record, refs);
          attributes.push('members');
        }
        await this.audit(tx, actor, 'create', rs, id, attributes.sort());
        // Nothing can name a resource that did not exist: it is in no group yet.
        return toResource({ ...record, inGroups: false });
      },
    );
  }

  /**
   * A SCIM create of a user that a member added otherwise matches (store/linking.ts: an API
   * member by userName or email, case-insensitively; an SSO member by its connection's key):
   * that member is LINKED, not duplicated.
   * Its row keeps its id (what the IdP is answered, so its GET, PATCH and DELETE reach it);
   * the IdP's document replaces what the API gave, its source becomes `scim` (the IdP owns it
   * from now on), with `linkedAt` and `linkedFrom`; one `user.linked` event and a `link` audit
   * row. Two members matching is a 409 and nothing is written. Undefined: no member matches,
   * the create goes on. Runs in the create's transaction, the members locked.
   */
  private async linkMember(
    tx: Tx,
    actor: Actor,
    rs: ResourceSchema,
    keys: LinkKeys,
    doc: Record<string, unknown>,
    passwordHash: string | null,
  ): Promise<Resource | undefined> {
    const found = await findLinkable(tx, actor.orgId, keys);
    const member = this.linkable(found, doc);
    if (!member) return undefined;
    // A member the API added inactive takes a seat when the IdP activates it.
    if (member.active === false && doc.active !== false) await this.valves.checkSeat(tx, actor.orgId);
    const linked = await this.writeLink(tx, actor, rs, member, doc, passwordHash);
    if (member.inGroups !== false && displayOf(linked) !== displayOf(member)) {
      await touchGroupsContaining(tx, member.pk, linked.lastModified);
    }
    // Its ETag (the response's) covers its groups, should a group already name it.
    return toResource(await this.withGroupsOne(linked, tx));
  }

  /**
   * linkMember without a transaction, for the members a create's statement found (PostgreSQL:
   * store/resource-writes.ts): the link is one statement, guarded by the version read and the
   * member still not SCIM's, so the create takes 3 round trips with the token's, as any other.
   * Undefined when the locked path is needed after all: the member takes a seat (the seat cap
   * is counted under the org's valve lock), it is in a group (whose representation may move
   * with its display, and whose ETag the response needs), or another write came first.
   */
  private async linkFound(
    actor: Actor,
    rs: ResourceSchema,
    found: readonly ResourceRecord[],
    doc: Record<string, unknown>,
    passwordHash: string | null,
  ): Promise<Resource | undefined> {
    const member = this.linkable(found, doc);
    if (!member) return undefined;
    if (member.inGroups !== false || (member.active === false && doc.active !== false)) return undefined;
    try {
      const linked = await this.writeLink(this.db, actor, rs, member, doc, passwordHash);
      this.deps.eventsWritten?.();
      return toResource(linked);
    } catch (error) {
      if (error instanceof StoreVersionMismatch || error instanceof StoreNotFound) return undefined;
      if (isTransientStoreError(error)) {
        this.stats.transientRetries++;
        return undefined;
      }
      throw this.writeError(rs, () => doc, error);
    }
  }

  /** The one member of `found` to link, if any; two or more: 409, nothing written. */
  private linkable(
    found: readonly ResourceRecord[],
    doc: Record<string, unknown>,
  ): ResourceRecord | undefined {
    if (found.length > 1) {
      throw ScimError.uniqueness(
        `The userName '${String(doc.userName)}', emails and externalId of this User match ${found.length} ` +
          `different members added through the management API or SSO (${found.map((m) => m.id).join(', ')}): ` +
          'remove all but one of them, or change the User in the identity provider',
      );
    }
    return found[0];
  }

  /**
   * Links `member` with the IdP's `doc`: its row, terms, source, `user.linked` event and `link`
   * audit row in one statement on PostgreSQL (store/resource-writes.ts updateResourceWith).
   */
  private async writeLink(
    db: Tx,
    actor: Actor,
    rs: ResourceSchema,
    member: ResourceRecord,
    doc: Record<string, unknown>,
    passwordHash: string | null,
  ): Promise<ResourceRecord> {
    const at = this.deps.now().toISOString();
    const columns = columnsOf(doc);
    const after: ResourceRecord = {
      ...member,
      ...columns,
      doc,
      passwordHash,
      version: member.version + 1,
      lastModified: at,
      source: 'scim',
      linkedAt: at,
      linkedFrom: member.source as Exclude<MemberSource, 'scim'>,
    };
    const changed = changedAttributes(member.doc, doc);
    if (passwordHash !== null) changed.push('password');
    const row = await updateResourceWith(
      db,
      member.pk,
      { ...columns, doc, passwordHash, lastModified: at, terms: indexTerms(doc, rs) },
      member.version,
      member,
      this.linkRecords(actor, rs, member, after, changed),
      { link: true },
    );
    return { ...row, inGroups: member.inGroups };
  }

  /** The `user.linked` event of a member the IdP took over, and its `link` audit row. */
  private linkRecords(
    actor: Actor,
    rs: ResourceSchema,
    member: ResourceRecord,
    linked: ResourceRecord,
    changed: readonly string[],
  ) {
    const before = this.form(rs, member);
    const data = this.form(rs, linked);
    return {
      event: this.eventRecord(actor.orgId, 'user.linked', linked, data, apiChanges(before, data)),
      audit: this.auditRecord(actor, 'link', rs, member.id, [...new Set([...changed, 'source'])].sort()),
    };
  }

  /**
   * The IdP's first PUT or PATCH of a member added otherwise (docs/api.md "Members"): an IdP
   * that looks a user up before creating it (Okta, Entra: `userName eq …`) finds the member
   * and writes it instead of POSTing. That write links it as a create would: its source
   * becomes `scim`, with `linkedAt` and `linkedFrom`, one `user.linked` event and a `link`
   * audit row; the write itself then applies as to any SCIM user (its own event and audit row).
   * Runs under the write's row lock.
   */
  private async linkOnWrite(tx: Tx, actor: Actor, rs: ResourceSchema, member: ResourceRecord) {
    const at = this.deps.now().toISOString();
    const linked: ResourceRecord = {
      ...(await markLinked(tx, member.pk, at)),
      inGroups: member.inGroups,
      groups: member.groups,
    };
    const { event, audit } = this.linkRecords(actor, rs, member, linked, []);
    await insertEvent(tx, event);
    await insertAudit(tx, audit);
    return linked;
  }

  /**
   * Adds a member through the management API (docs/api.md "Members"): a User of source `api`,
   * found by `email`, its userName that email unless given, `name` its displayName. A live
   * user of the org with that email or userName already (whatever its source) is a 409:
   * the member would be that person twice. One transaction: the row, `user.created`, the
   * audit row. When the org's IdP later creates the same person, linkMember takes it over.
   */
  async addMember(
    actor: Actor,
    input: { email: string; name?: string | undefined; userName?: string | undefined },
  ): Promise<Resource> {
    const email = input.email.trim();
    // The API's schema checks the same; the CLI and any other caller come through here.
    if (email.length > MAX_EMAIL || !EMAIL.test(email)) {
      throw new DirectoryError(
        `'${email.slice(0, 80)}' is not an email address (at most ${MAX_EMAIL} characters)`,
      );
    }
    if (input.name !== undefined && (input.name.length === 0 || input.name.length > 200)) {
      throw new DirectoryError('A name has 1 to 200 characters');
    }
    const userName = input.userName ?? email;
    const body = {
      schemas: [CORE_USER],
      userName,
      emails: [{ value: email, primary: true }],
      ...(input.name === undefined ? {} : { displayName: input.name }),
      active: true,
    };
    return this.insertMember(actor, body, { source: 'api', email, linkBy: null }, async (tx) => {
      const keys = [...new Set([userName.toLowerCase(), email.toLowerCase()])];
      const taken = await findUsersByKeys(tx, actor.orgId, keys);
      if (taken.length > 0) {
        throw DirectoryError.conflict(
          `Organization '${actor.orgId}' already has a user with the email or userName ` +
            `'${email}'${input.userName === undefined ? '' : ` or '${input.userName}'`}: ` +
            taken.map((u) => `${u.id} (source ${u.source})`).join(', '),
        );
      }
    });
  }

  /**
   * Creates the user a JIT sign-in found no user for (directory/sso-users.ts, docs/sso.md
   * "Users"): a member of source `sso`, from the IdP's SCIM-shaped `body`, which an IdP's later
   * SCIM create links (linkMember) on `linkBy`, its connection's `matchBy`: its `email`, its
   * userName, or its externalId (the NameID or `sub`). One transaction, as addMember. A taken
   * userName is a SCIM uniqueness error.
   */
  async addSsoMember(
    actor: Actor,
    body: Record<string, unknown>,
    link: { linkBy: LinkBy; email: string | null },
  ): Promise<Resource> {
    return this.insertMember(actor, body, {
      source: 'sso',
      email: link.linkBy === 'email' ? link.email : null,
      linkBy: link.linkBy,
    });
  }

  /**
   * A member added otherwise than by SCIM: its row of `source`, `user.created` and the audit
   * row, in one transaction, after `check` (which may refuse it) and the seat cap.
   */
  private async insertMember(
    actor: Actor,
    body: Record<string, unknown>,
    member: { source: 'api' | 'sso'; email: string | null; linkBy: LinkBy | null },
    check?: (tx: Tx) => Promise<void>,
  ): Promise<Resource> {
    const rs = await this.orgSchema(actor, USER);
    const { doc } = normalizeResource(body, rs, { mode: 'create' });
    const id = this.deps.newId();
    return this.write(
      rs,
      () => doc,
      async (tx) => {
        await check?.(tx);
        if (doc.active !== false) await this.valves.checkSeat(tx, actor.orgId);
        const created = this.deps.now().toISOString();
        const inserted = await insertResource(tx, {
          orgId: actor.orgId,
          type: 'User',
          id,
          ...columnsOf(doc),
          doc,
          passwordHash: null,
          created,
          terms: indexTerms(doc, rs),
        });
        await setMemberSource(tx, inserted.pk, member.source, member.email, member.linkBy);
        const record: ResourceRecord = { ...inserted, source: member.source, inGroups: false };
        await this.event(tx, actor.orgId, 'user.created', record, this.form(rs, record));
        const attributes = Object.keys(doc).filter((k) => k !== 'schemas');
        await this.audit(tx, actor, 'create', rs, id, [...attributes, 'source'].sort());
        return toResource(record);
      },
    );
  }

  /**
   * Removes a member the management API added (docs/api.md "Members"): as a SCIM DELETE does
   * (a tombstone, `user.deleted`, which the app acknowledges like any deprovisioning, the
   * audit row), not through the safety valves, which watch the IdP. A user the IdP owns
   * (source `scim`, linked ones included) is `idp_owned`: the IdP must remove it.
   */
  async removeMember(actor: Actor, id: string): Promise<void> {
    const rs = await this.orgSchema(actor, USER);
    this.checkId(rs, id);
    await this.write(
      rs,
      () => ({}),
      async (tx) => {
        const record = await lockResource(tx, actor.orgId, 'User', id);
        if (!record) throw DirectoryError.notFound(`No user '${id}' in organization '${actor.orgId}'`);
        if (record.source === 'scim') {
          throw new DirectoryError(
            `User '${id}' is managed by the org's identity provider over SCIM` +
              `${record.linkedFrom ? ` (linked ${record.linkedAt})` : ''}: remove it in the IdP, which pushes the change here`,
            'idp_owned',
          );
        }
        await lockGroupsContaining(tx, actor.orgId, 'User', id);
        // As delete() writes it: one statement on PostgreSQL (store/resource-writes.ts).
        const event = this.eventRecord(actor.orgId, 'user.deleted', record, this.form(rs, record));
        const audit = this.auditRecord(actor, 'delete', rs, id, []);
        await deleteResourceWith(tx, record, this.deps.now().toISOString(), { event, audit });
      },
    );
  }

  /** GET /{resourceType}/{id}, RFC 7644 §3.4.1. */
  async get(actor: Actor, rs: ResourceSchema, id: string): Promise<Resource> {
    this.checkId(rs, id);
    const record = await readResource(this.db, actor.orgId, rs.type.name, id);
    if (!record) throw this.notFound(rs, id);
    // Its ETag needs its groups: read when it is in one (the flag came with the row).
    return toResource(await this.withGroupsOne(record));
  }

  /**
   * GET by id for a request not authenticated yet: the token (by `tokenHash`) and the resource
   * are read in one statement (one round trip on PostgreSQL, where the token and then the
   * resource took two), and `admit` (OrgService.admit) judges the token before anything of the
   * resource is used. Nothing is cached: a revoked or expired token, or a deleted org's, fails
   * at once on every instance.
   */
  async getWithToken<C>(
    orgId: string,
    rs: ResourceSchema,
    id: string,
    tokenHash: string,
    admit: (token: TokenWithProfile | undefined) => Promise<C>,
  ): Promise<{ credentials: C; resource: () => Resource }> {
    // `resource` throws the 404, so that the caller can first finish admitting the request (its
    // rate limit, its actor for the request log) as for any authenticated request.
    if (id.includes('\u0000')) {
      // No query can hold that id (checkId): the token alone, then 404.
      const credentials = await admit(await findTokenWithOrgProfile(this.db, tokenHash));
      return { credentials, resource: () => this.checkId(rs, id) as never };
    }
    const { token, record } = await readResourceWithToken(this.db, tokenHash, orgId, rs.type.name, id);
    const credentials = await admit(token);
    if (!record) {
      const error = this.notFound(rs, id);
      return {
        credentials,
        resource: () => {
          throw error;
        },
      };
    }
    const resource = toResource(await this.withGroupsOne(record));
    return { credentials, resource: () => resource };
  }

  /**
   * The read a PATCH or PUT of a user starts from, with its token in the same statement
   * (getWithToken's statement; no `groups` read): who the request is (`admit` judges the token
   * before anything of the user is used), and the user as read, for patch() or replace(). A
   * group's write reads its first members with it, which this statement does not: for a group
   * the token is read alone, and no prior read comes back. Nothing is cached: a revoked or
   * expired token fails at once, as with any other authentication.
   */
  async readWithToken<C>(
    orgId: string,
    rs: ResourceSchema,
    id: string,
    tokenHash: string,
    admit: (token: TokenWithProfile | undefined) => Promise<C>,
  ): Promise<{ credentials: C; prior: PriorRead | undefined }> {
    if (rs.type.name !== 'User' || id.includes('\u0000')) {
      return {
        credentials: await admit(await findTokenWithOrgProfile(this.db, tokenHash)),
        prior: undefined,
      };
    }
    const { token, record } = await readResourceWithToken(this.db, tokenHash, orgId, rs.type.name, id);
    const credentials = await admit(token);
    const read = record && { record };
    return { credentials, prior: { [PRIOR]: { orgId, type: rs.type.name, id, read } } };
  }

  /**
   * What `prior` read, when it is a read of this org's resource of this type and id (else
   * nothing is known: undefined). `null` when it read that the resource is not there.
   */
  private priorRead(
    prior: PriorRead | undefined,
    actor: Actor,
    rs: ResourceSchema,
    id: string,
  ): OptimisticRead | null | undefined {
    const p = prior?.[PRIOR];
    if (!p || p.orgId !== actor.orgId || p.type !== rs.type.name || p.id !== id) return undefined;
    return p.read ?? null;
  }

  /**
   * PUT /{resourceType}/{id}, RFC 7644 §3.5.1: the body replaces the resource (members
   * included). `prior`: the user as read with the request's token (readWithToken).
   */
  async replace(
    actor: Actor,
    base: ResourceSchema,
    id: string,
    body: unknown,
    pre: Preconditions = {},
    prior?: PriorRead,
  ) {
    const rs = await this.orgSchema(actor, base);
    // Validate and hash before taking the write lock: bad input fails fast and the slow
    // password hash holds no lock. Inside, the work is redone only if the resource moved on.
    this.checkId(rs, id);
    // Read as a write without a lock starts from (a group with its first members): without a
    // precondition, a PUT that changes the document alone is written from it (replaceDocument).
    const known = this.priorRead(prior, actor, rs, id);
    const first = known === undefined ? await this.readOptimistic(actor, rs, id) : known;
    if (!first) throw this.notFound(rs, id);
    const current = first.record;
    const early = normalizeResource(body, rs, { mode: 'replace', existing: current.doc });
    const newHash = early.password !== undefined ? await hashPassword(early.password) : undefined;
    if (pre.ifMatch === undefined && pre.ifNoneMatch === undefined && !actor.release) {
      const written = await this.replaceDocument(actor, rs, id, body, first, early, newHash);
      if (written) return toResource(await this.withGroupsOne(written.record), written.members);
    }
    let doc: Record<string, unknown> = early.doc;
    const def = membersAttribute(rs);
    const namedIds = def && early.doc.members !== undefined ? memberIds(def, early.doc.members, '') : [];
    const written = await this.write(
      rs,
      () => doc,
      async (tx) => {
        const named = await this.lockNamedMembers(tx, actor.orgId, namedIds);
        const record = await this.lockChecked(tx, rs, actor, id, pre);
        const normalized =
          record.version === current.version
            ? early
            : normalizeResource(body, rs, { mode: 'replace', existing: record.doc });
        doc = { ...normalized.doc };
        const kept = keepStoredActive(doc, record.doc, rs);
        if (kept) {
          doc = kept;
          noteQuirks(actor, ['put-omitting-active-keeps-it']);
        }
        const members = splitMembers(rs, doc);
        const passwordHash = newHash ?? record.passwordHash;
        const changed = changedAttributes(record.doc, doc);
        if (normalized.password !== undefined) changed.push('password');
        if (members && (await this.setMembers(tx, actor.orgId, record, members, '', named)))
          changed.push('members');
        return this.commit(tx, actor, rs, record, 'replace', doc, passwordHash, changed, true);
      },
    );
    return toResource(await this.withGroupsOne(written));
  }

  /**
   * The event of a document change: user.deactivated / user.reactivated when `active` flips
   * (the other changes listed with it), else user.updated / group.updated. A password change
   * is named, never valued.
   */
  private updateEventRecord(
    rs: ResourceSchema,
    orgId: string,
    before: ResourceRecord,
    after: ResourceRecord,
    password: boolean,
  ): NewEvent | undefined {
    const data = this.form(rs, after);
    const changes = apiChanges(this.form(rs, before), data, password ? ['password'] : []);
    if (changes.changed.length === 0) return undefined;
    let type = before.type === 'User' ? 'user.updated' : 'group.updated';
    if (before.type === 'User' && before.active !== false && after.active === false)
      type = 'user.deactivated';
    if (before.type === 'User' && before.active === false && after.active !== false)
      type = 'user.reactivated';
    return this.eventRecord(orgId, type, after, data, changes);
  }

  /**
   * Writes the outcome of a PUT or PATCH: the document when it changed, else only a new
   * version when members changed, else nothing (a no-op keeps its ETag).
   */
  private async commit(
    tx: Tx,
    actor: Actor,
    rs: ResourceSchema,
    record: ResourceRecord,
    action: 'replace' | 'patch' | 'release',
    doc: Record<string, unknown>,
    passwordHash: string | null,
    changed: string[],
    /** Whether the request itself says `active` (a PUT's body always does, by its presence). */
    namesActive: boolean,
  ): Promise<ResourceRecord> {
    // Only the IdP writes users over SCIM: its first write of a member added otherwise links it.
    if (record.type === 'User' && record.source !== 'scim')
      record = await this.linkOnWrite(tx, actor, rs, record);
    let held = false;
    // The valves' new window, when they count this deactivation: saved by the write's statement.
    let window: ValveWindowRow | undefined;
    if (actor.release) {
      await this.valves.consume(tx, actor);
      action = 'release';
    } else if (record.type === 'User') {
      if (record.active !== false && doc.active === false) {
        const admitted = await this.valves.admit(tx, actor, record, 'deactivate', (counted) => {
          window = counted;
        });
        if (admitted === 'hold') {
          // Held: everything else the request changes applies; `active` stays as stored, and
          // the answer shows it as the IdP asked (docs/safety-valves.md).
          held = true;
          doc = { ...doc };
          if ('active' in record.doc) doc.active = record.doc.active;
          else delete doc.active;
          const others = changedAttributes(record.doc, doc);
          changed = [...others, ...changed.filter((c) => c === 'password' || c === 'members')];
        }
      } else if (doc.active !== false) {
        // Only a reactivation the request asks for supersedes a held deactivation: other
        // updates of a held user leave it as it is (docs/safety-valves.md).
        if (doc.active === true && namesActive) await this.valves.supersede(tx, actor, record);
        if (record.active === false) await this.valves.checkSeat(tx, actor.orgId);
      }
    }
    const written = await this.commitChange(
      tx,
      actor,
      rs,
      record,
      action,
      doc,
      passwordHash,
      changed,
      window,
    );
    return held ? { ...written, active: false, doc: { ...written.doc, active: false } } : written;
  }

  private async commitChange(
    tx: Tx,
    actor: Actor,
    rs: ResourceSchema,
    record: ResourceRecord,
    action: 'replace' | 'patch' | 'release',
    doc: Record<string, unknown>,
    passwordHash: string | null,
    changed: string[],
    /** The valves' new window, saved with the change (ValveGate.admit). */
    window?: ValveWindowRow,
  ): Promise<ResourceRecord> {
    if (window && !changed.some((c) => c !== 'members')) {
      // No statement of the document to carry it (an applied deactivation always changes it).
      await saveValveWindow(tx, actor.orgId, window);
      window = undefined;
    }
    if (changed.length === 0) return record;
    const lastModified = this.deps.now().toISOString();
    let updated: ResourceRecord;
    const attributes = [...new Set(changed)].sort();
    if (changed.some((c) => c !== 'members')) {
      // The row, its changed terms, its event and its audit row: one statement on PostgreSQL
      // (store/resource-writes.ts), as the write without a lock makes it; under this lock the
      // version read is the one written over.
      const columns = columnsOf(doc);
      const after: ResourceRecord = {
        ...record,
        ...columns,
        doc,
        passwordHash,
        version: record.version + 1,
        lastModified,
      };
      const event = this.updateEventRecord(rs, actor.orgId, record, after, changed.includes('password'));
      const audit = this.auditRecord(actor, action, rs, record.id, attributes);
      const row = await updateResourceWith(
        tx,
        record.pk,
        { ...columns, doc, passwordHash, lastModified, terms: indexTerms(doc, rs) },
        record.version,
        record,
        { event, audit },
        { valveWindow: window && { orgId: actor.orgId, window } },
      );
      // A user's own write changes none of its memberships: what was read of them still holds.
      updated = { ...row, inGroups: record.inGroups, groups: record.groups };
      // Rules naming a group by displayName or externalId move its users when either changes.
      if (record.type === 'Group') await this.roles.groupRenamed(tx, actor.orgId, record.pk, record, row);
      // A member's `display` in its groups is its displayName (else userName): when that
      // changes, so do those groups' representations, and with them their ETags.
      if (record.inGroups !== false && displayOf(row) !== displayOf(record)) {
        await touchGroupsContaining(tx, record.pk, lastModified);
      }
    } else {
      updated = { ...record, ...(await bumpVersion(tx, record.pk, lastModified)) };
      await this.audit(tx, actor, action, rs, record.id, attributes);
    }
    return updated;
  }

  /**
   * PATCH /{resourceType}/{id}, RFC 7644 §3.5.2: all operations apply, or none. `prior`: the
   * user as read with the request's token (readWithToken), which a PATCH of the document alone
   * writes from.
   */
  async patch(
    actor: Actor,
    base: ResourceSchema,
    id: string,
    body: unknown,
    pre: Preconditions = {},
    prior?: PriorRead,
  ) {
    const rs = await this.orgSchema(actor, base);
    this.checkId(rs, id);
    const operations = parsePatchRequest(body, rs);
    const steps = planGroupPatch(operations, rs);
    const namedIds = steps.flatMap((s) =>
      s.kind === 'add' || s.kind === 'set' || s.kind === 'replaceWhere' ? s.ids : [],
    );
    if (
      steps.every((s) => s.kind === 'doc') &&
      pre.ifMatch === undefined &&
      pre.ifNoneMatch === undefined &&
      !(rs.type.name === 'User' && (actor.release || touchesActive(operations)))
    ) {
      const first = this.priorRead(prior, actor, rs, id);
      if (first === null) throw this.notFound(rs, id);
      const written = await this.patchDocument(actor, rs, id, operations, first);
      if (written) return toResource(await this.withGroupsOne(written.record), written.members);
    }
    let doc: Record<string, unknown> = {};
    const written = await this.write(
      rs,
      () => doc,
      async (tx) => {
        const named = await this.lockNamedMembers(tx, actor.orgId, namedIds);
        const record = await this.lockChecked(tx, rs, actor, id, pre);
        doc = record.doc;
        const changed: string[] = [];
        let password: string | undefined;
        // Consecutive document operations go to applyPatch together; membership steps run
        // against the rows in between, in request order, all inside this transaction.
        let pending: typeof operations = [];
        const flush = () => {
          if (pending.length === 0) return;
          const result = applyPatch(doc, pending, rs, { profile: actor.idpProfile ?? 'generic' });
          if (result.appliedQuirks) noteQuirks(actor, result.appliedQuirks);
          doc = result.doc;
          changed.push(...result.changed);
          if (result.password !== undefined) password = result.password;
          pending = [];
        };
        for (const step of steps) {
          if (step.kind === 'doc') {
            pending.push(step.op);
            continue;
          }
          flush();
          if (await this.memberStep(tx, actor, record, step, named)) changed.push('members');
        }
        flush();
        // password is writeOnly: applyPatch hands it back beside the document, never in it.
        const passwordHash = password !== undefined ? await hashPassword(password) : record.passwordHash;
        return this.commit(
          tx,
          actor,
          rs,
          record,
          'patch',
          doc,
          passwordHash,
          changed,
          touchesActive(operations),
        );
      },
    );
    return toResource(await this.withGroupsOne(written));
  }

  /**
   * A PATCH of the document alone (no member operations, no precondition), without a lock:
   * writeDocument with the operations applied to the version read.
   */
  private patchDocument(
    actor: Actor,
    rs: ResourceSchema,
    id: string,
    operations: ReturnType<typeof parsePatchRequest>,
    first?: OptimisticRead,
  ): Promise<OptimisticRead | undefined> {
    return this.writeDocument(
      actor,
      rs,
      id,
      'patch',
      async ({ record }) => {
        const result = applyPatch(record.doc, operations, rs, { profile: actor.idpProfile ?? 'generic' });
        if (result.appliedQuirks) noteQuirks(actor, result.appliedQuirks);
        // password is writeOnly: applyPatch hands it back beside the document, never in it.
        const passwordHash =
          result.password !== undefined ? await hashPassword(result.password) : record.passwordHash;
        // A PATCH that leaves `active` alone leaves a held deactivation alone (docs/safety-valves.md);
        // one that names it takes the locked path (patch()).
        return { doc: result.doc, changed: result.changed, passwordHash, supersedes: false };
      },
      first,
    );
  }

  /**
   * A PUT without a precondition, without a lock: writeDocument with the body as the new
   * document. Undefined (the locked path) when the valves have a say: a user deactivated or
   * reactivated by it, or one whose held deactivation its `active: true` supersedes (the write
   * checks that there is none, directory/valves.ts); and for a group whose members it changes
   * (their rows, events and roles: setMembers), or that has more members than a page (so that
   * they could not all be compared). A group whose members it names exactly as they are
   * changes none of them: the write is guarded by the version read, which every member change
   * moves on.
   */
  private replaceDocument(
    actor: Actor,
    rs: ResourceSchema,
    id: string,
    body: unknown,
    first: OptimisticRead,
    early: ReturnType<typeof normalizeResource>,
    newHash: string | undefined,
  ): Promise<OptimisticRead | undefined> {
    return this.writeDocument(
      actor,
      rs,
      id,
      'replace',
      async ({ record, members: current }) => {
        const normalized =
          record.version === first.record.version
            ? early
            : normalizeResource(body, rs, { mode: 'replace', existing: record.doc });
        let doc = { ...normalized.doc };
        const kept = keepStoredActive(doc, record.doc, rs);
        if (kept) {
          doc = kept;
          noteQuirks(actor, ['put-omitting-active-keeps-it']);
        }
        const members = splitMembers(rs, doc);
        if (members !== undefined) {
          if (!current || current.length > MEMBER_PAGE) return undefined;
          const now = new Set(current.map((m) => m.id));
          const wanted = new Set(members);
          if (wanted.size !== now.size || [...wanted].some((m) => !now.has(m))) return undefined;
        }
        if (record.type === 'User') {
          if (record.active !== false && doc.active === false) return undefined;
          if (record.active === false && doc.active !== false) return undefined;
        }
        const changed = changedAttributes(record.doc, doc);
        if (normalized.password !== undefined) changed.push('password');
        // Its `active: true` supersedes a held deactivation, as the locked path's commit() does.
        const supersedes = record.type === 'User' && doc.active === true;
        return { doc, changed, passwordHash: newHash ?? record.passwordHash, supersedes };
      },
      first,
    );
  }

  /**
   * A write of a resource's document alone, without a lock: read the resource (`first`, when
   * the caller has read it already), compute the new document (`change`: undefined sends the
   * request to the locked path), and write it with its terms, event and audit row only if the
   * resource is still at the version read (one statement on PostgreSQL: store/resource-
   * writes.ts), else read again. Three round trips with the token's, two when `first` came
   * with the token (readWithToken). Undefined when the lock is needed after all: a member
   * added otherwise, which the write links (commit()); a change of what the resource shows as
   * `display` in the groups containing it (their versions move too, under their row locks, in
   * lock order); a group's rename in an org with role rules; or other writes that kept winning
   * the race.
   */
  private async writeDocument(
    actor: Actor,
    rs: ResourceSchema,
    id: string,
    action: 'patch' | 'replace',
    change: (read: OptimisticRead) => Promise<
      | {
          doc: Record<string, unknown>;
          changed: string[];
          passwordHash: string | null;
          /** Whether it supersedes a held deactivation, which only the locked path takes out. */
          supersedes: boolean;
        }
      | undefined
    >,
    first?: OptimisticRead,
  ): Promise<OptimisticRead | undefined> {
    let doc: Record<string, unknown> = {};
    let read = first;
    for (let attempt = 1; attempt <= OPTIMISTIC_ATTEMPTS; attempt++, read = undefined) {
      // A group's first members come with it: what its response shows, as of the version read.
      read ??= await this.readOptimistic(actor, rs, id);
      if (!read) throw this.notFound(rs, id);
      const { record, members } = read;
      // A member added otherwise is linked by this write: the locked path (commit()).
      if (record.type === 'User' && record.source !== 'scim') return undefined;
      const next = await change(read);
      if (!next) return undefined;
      const changed = [...new Set(next.changed)].sort();
      // A no-op writes nothing and keeps its ETag.
      if (changed.length === 0) return read;
      doc = next.doc;
      const columns = columnsOf(doc);
      if (record.inGroups !== false && displayOf(columns) !== displayOf(record)) return undefined;
      // A group's new displayName or externalId may move its users' roles: the locked path
      // recomputes them (commit()), unless the org has no role rules (checked again by the
      // write itself, under a share lock of the org's row).
      const renamed =
        record.type === 'Group' &&
        (columns.displayName !== record.displayName || columns.externalId !== record.externalId);
      if (renamed && actor.hasRoleRules !== false) return undefined;
      const { passwordHash } = next;
      const lastModified = this.deps.now().toISOString();
      const after: ResourceRecord = {
        ...record,
        ...columns,
        doc,
        passwordHash,
        version: record.version + 1,
        lastModified,
      };
      const event = this.updateEventRecord(rs, actor.orgId, record, after, changed.includes('password'));
      const audit = this.auditRecord(actor, action, rs, record.id, changed);
      const changes = { ...columns, doc, passwordHash, lastModified, terms: indexTerms(doc, rs) };
      try {
        const row = await updateResourceWith(
          this.db,
          record.pk,
          changes,
          record.version,
          record,
          { event, audit },
          {
            noRoleRulesIn: renamed ? actor.orgId : undefined,
            // Only the locked path takes a held deactivation out.
            noHeldDeactivationIn: next.supersedes ? actor.orgId : undefined,
          },
        );
        this.deps.eventsWritten?.();
        // A write of its own document changes none of its memberships: a user's groups read
        // with it (on PostgreSQL with its token, readWithToken) still hold.
        return { record: { ...row, inGroups: record.inGroups, groups: record.groups }, members };
      } catch (error) {
        // Another write came between the read and this one (or PostgreSQL aborted it for a
        // reason another attempt cures): read again.
        if (error instanceof StoreVersionMismatch || isTransientStoreError(error)) {
          if (isTransientStoreError(error)) this.stats.transientRetries++;
          continue;
        }
        if (error instanceof StoreNotFound) throw this.notFound(rs, id);
        // A rule came since the token was read, or a held deactivation is there: the locked
        // path recomputes roles, or supersedes it.
        if (error instanceof StoreHasRoleRules || error instanceof StoreHasHeldChange) return undefined;
        throw this.writeError(rs, () => doc, error);
      }
    }
    return undefined;
  }

  /** The resource a write without a lock starts from; a group's with its first members. */
  private async readOptimistic(
    actor: Actor,
    rs: ResourceSchema,
    id: string,
  ): Promise<OptimisticRead | undefined> {
    return rs.type.name === 'Group'
      ? readGroupWithMembers(this.db, actor.orgId, id, MEMBER_PAGE + 1)
      : readResource(this.db, actor.orgId, rs.type.name, id).then((r) => r && { record: r });
  }

  /** DELETE /{resourceType}/{id}, RFC 7644 §3.6: gone at once, memberships too; a tombstone stays. */
  async delete(actor: Actor, base: ResourceSchema, id: string, pre: Preconditions = {}): Promise<void> {
    const rs = await this.orgSchema(actor, base);
    this.checkId(rs, id);
    await this.write(
      rs,
      () => ({}),
      async (tx) => {
        // The resource, then the groups it is in (they get a new version): a member before
        // its groups, the lock order of a group PATCH (lockNamedMembers) and of a rename.
        const record = await this.lockChecked(tx, rs, actor, id, pre, true);
        // The valves' new window, when they count this delete, is saved by its statement.
        let window: ValveWindowRow | undefined;
        if (actor.release) await this.valves.consume(tx, actor);
        else if (
          (await this.valves.admit(tx, actor, record, 'delete', (counted) => {
            window = counted;
          })) === 'hold'
        )
          return;
        // A user read in no group (its row locked, no group can add it now) has none to lock;
        // a group in an org without role rules had them locked with it (lockWritten).
        if (record.inGroups !== false && !parentsLockedWith(rs, actor)) {
          await lockGroupsContaining(tx, actor.orgId, rs.type.name, id);
        }
        // Its members lose it (and the groups above it), written while the rows still exist.
        if (record.type === 'Group') {
          await this.memberEvents(tx, actor.orgId, record, 'group.member_removed', 'all');
          await this.roles.groupDeleting(tx, actor.orgId, record.pk);
        }
        // The tombstone, its uncounting, terms, memberships, roles, the groups' new versions,
        // the valves' window, the event and the audit row: one statement on PostgreSQL
        // (store/resource-writes.ts).
        const event = this.eventRecord(
          actor.orgId,
          record.type === 'User' ? 'user.deleted' : 'group.deleted',
          record,
          this.form(rs, record),
        );
        const audit = this.auditRecord(actor, actor.release ? 'release' : 'delete', rs, id, []);
        await deleteResourceWith(tx, record, this.deps.now().toISOString(), { event, audit }, window);
      },
    );
  }

  /**
   * Applies one held change that an admin released (directory/valves.ts ValveService.release):
   * its SCIM operation, as a normal change (events, audit), with the valve passing it through
   * and taking the held change out in the same transaction. 'gone' when its user no longer
   * exists (the held change is dropped) or another release or discard took it first.
   */
  async applyHeld(actor: Actor, change: HeldChange): Promise<'done' | 'gone'> {
    try {
      if (change.kind === 'delete') await this.delete(actor, USER, change.userId);
      else await this.patch(actor, USER, change.userId, change.operation.body);
      return 'done';
    } catch (error) {
      if (error instanceof HeldChangeGone) return 'gone';
      if (!(error instanceof ScimError && error.status === 404)) throw error;
      try {
        await this.db.transaction().execute((tx) => this.valves.consume(tx, actor));
      } catch (gone) {
        if (!(gone instanceof HeldChangeGone)) throw gone;
      }
      return 'gone';
    }
  }

  /** GET /{resourceType} and POST /{resourceType}/.search, RFC 7644 §3.4.2, §3.4.3. */
  async list(actor: Actor, rs: ResourceSchema, query: ListQuery): Promise<ListResult> {
    const { total, rows } = await this.read(actor, rs, query);
    return { total, startIndex: query.startIndex, records: rows.map((r) => toResource(r)) };
  }

  /**
   * list() for a request not authenticated yet: a list that store/resources.ts
   * `listWithToken` can read together with the token (the IdP's `userName eq` lookup) is read
   * in that one statement, and `admit` judges the token before the rows are used; an unfiltered,
   * unsorted listing reads its live count with the token, and its page once admitted; any other
   * list reads the token first. `list` gives the result once the caller has admitted the
   * request.
   */
  async listWithToken<C>(
    orgId: string,
    rs: ResourceSchema,
    query: ListQuery,
    tokenHash: string,
    admit: (token: TokenWithProfile | undefined) => Promise<C>,
  ): Promise<{ credentials: C; list: (actor: Actor) => Promise<ListResult> }> {
    const read = await listWithToken(this.db, tokenHash, {
      orgId,
      type: rs.type.name,
      filter: query.filter,
      sort: query.sort,
      offset: query.startIndex - 1,
      limit: query.count,
      countOnly: query.count === 0,
    });
    if (!read) {
      const credentials = await admit(await findTokenWithOrgProfile(this.db, tokenHash));
      return { credentials, list: (actor) => this.list(actor, rs, query) };
    }
    const credentials = await admit(read.token);
    if ('live' in read) {
      // The token came with the org's live count: the page is the one read left.
      const { live } = read;
      return {
        credentials,
        list: async (actor) => {
          const { total, rows } = await this.read(actor, rs, query, undefined, live);
          return { total, startIndex: query.startIndex, records: rows.map((r) => toResource(r)) };
        },
      };
    }
    const result = {
      total: read.total,
      startIndex: query.startIndex,
      records: read.rows.map((r) => toResource(r)),
    };
    return { credentials, list: async () => result };
  }

  /**
   * Cursor paging (RFC 9865): the page after a keyset position, with the position of the
   * next page when there is one.
   */
  async listAfter(actor: Actor, rs: ResourceSchema, query: ListQuery, after: KeysetPosition | undefined) {
    const { total, rows, next } = await this.read(actor, rs, query, { after });
    return { total, records: rows.map((r) => toResource(r)), next };
  }

  /**
   * A search over several resource types at once (RFC 7644 §3.4.3 at the service root), in
   * one query: paged by startIndex, or by keyset after `after` when `keyset` is given.
   */
  async search(
    actor: Actor,
    query: RootQuery,
    keyset?: { after: KeysetPosition | undefined },
  ): Promise<ListResult & { next?: KeysetPosition }> {
    const asTypes = <T>(m: Map<string, T>) => m as unknown as Map<ResourceType, T>;
    try {
      const { total, rows, next } = await searchResources(this.db, {
        orgId: actor.orgId,
        types: asTypes(query.filters),
        ...(query.sort
          ? { sort: { attrs: asTypes(query.sort.attrs), descending: query.sort.descending } }
          : {}),
        offset: keyset ? 0 : query.startIndex - 1,
        limit: query.count,
        countOnly: query.count === 0,
        signal: actor.signal,
        ...(keyset ? { keyset } : {}),
      });
      return {
        total,
        startIndex: query.startIndex,
        records: rows.map((r) => toResource(r)),
        ...(next ? { next } : {}),
      };
    } catch (error) {
      if (error instanceof StoreCancelled) throw timedOut(error);
      throw error;
    }
  }

  private async read(
    actor: Actor,
    rs: ResourceSchema,
    query: ListQuery,
    keyset?: { after: KeysetPosition | undefined },
    live?: LiveCount,
  ) {
    try {
      return await listResources(this.db, {
        ...(live ? { live } : {}),
        orgId: actor.orgId,
        type: rs.type.name,
        filter: query.filter,
        sort: query.sort,
        offset: keyset ? 0 : query.startIndex - 1,
        limit: query.count,
        countOnly: query.count === 0,
        signal: actor.signal,
        ...(keyset ? { keyset } : {}),
      });
    } catch (error) {
      if (error instanceof StoreCancelled) throw timedOut(error);
      throw error;
    }
  }

  /**
   * A group's members, page by page (keyset), so that no group is ever held whole in memory.
   * Outside a transaction the next page is read while the caller renders this one (one page
   * ahead at most): on PostgreSQL the backend reads it while node writes the response, and a
   * full GET of 100,000 members waits for 100 reads one after the other no more.
   */
  async *memberPages(
    db: Tx,
    groupPk: number,
    pageSize = MEMBER_PAGE,
    from?: number,
  ): AsyncGenerator<MemberRow[]> {
    const ahead = !db.isTransaction;
    const read = (afterPk: number | undefined) => {
      const page = listMembers(db, groupPk, { afterPk, limit: pageSize });
      // A page read ahead that the caller never asks for (it stopped) must not be an unhandled rejection.
      page.catch(() => {});
      return page;
    };
    let next = read(from);
    for (;;) {
      const page = await next;
      const last = page.length === pageSize ? page[page.length - 1] : undefined;
      if (last && ahead) next = read(last.pk);
      if (page.length > 0) yield page;
      if (!last) return;
      if (!ahead) next = read(last.pk);
    }
  }

  /** Members of a group for rendering (read outside any transaction). */
  members(group: Resource): AsyncGenerator<Member[]> {
    const first = group[FIRST_MEMBERS];
    return first
      ? this.pagesFrom(group[ROW_KEY], first, group[FIRST_LIMIT] ?? MEMBER_PAGE)
      : this.memberPages(this.db, group[ROW_KEY]);
  }

  /**
   * The member pages of a group whose first members were read with it (FIRST_MEMBERS, of
   * which `limit` are complete: one more says that more follow).
   */
  private async *pagesFrom(
    groupPk: number,
    first: readonly MemberRow[],
    limit: number,
  ): AsyncGenerator<MemberRow[]> {
    const page = first.slice(0, limit);
    if (page.length > 0) yield page;
    const last = page[page.length - 1];
    if (first.length > limit && last) yield* this.memberPages(this.db, groupPk, MEMBER_PAGE, last.pk);
  }

  /** Whether a group has more than `n` members (cheap: never counts a large group). */
  async hasMoreMembersThan(group: Resource, n: number): Promise<boolean> {
    const first = group[FIRST_MEMBERS];
    const limit = group[FIRST_LIMIT] ?? MEMBER_PAGE;
    if (first && (first.length <= limit || n < first.length)) return first.length > n;
    return hasMoreMembersThan(this.db, group[ROW_KEY], n);
  }

  /**
   * The groups among `resources` with their first members read, for a response that shows
   * members: one query for the whole page (store/memberships.ts firstMembersOf) instead of one
   * per group as each is rendered. At most LIST_MEMBER_ROWS member rows in all, and at most
   * MEMBER_PAGE per group; the rest of each group is read page by page as it is rendered.
   */
  async withFirstMembers(resources: Resource[]): Promise<Resource[]> {
    const groups = resources.filter((r) => r.type === 'Group' && r[FIRST_MEMBERS] === undefined);
    if (groups.length < 2) return resources;
    const limit = Math.max(1, Math.min(MEMBER_PAGE, Math.floor(LIST_MEMBER_ROWS / groups.length) - 1));
    const first = await firstMembersOf(
      this.db,
      groups.map((g) => g[ROW_KEY]),
      limit + 1,
    );
    return resources.map((r) => {
      const members =
        r.type === 'Group' && r[FIRST_MEMBERS] === undefined ? first.get(r[ROW_KEY]) : undefined;
      return members ? { ...r, [FIRST_MEMBERS]: members, [FIRST_LIMIT]: limit } : r;
    });
  }

  /**
   * The resources with each user's `groups` (direct and through nested groups, RFC 7643
   * §4.1.2) read, which its representation and its ETag (resourceEtag) need: one query for the
   * users that may be in a group (`inGroups` not false) and were not read yet; the others come
   * back as they are, without a query when there are none.
   */
  withGroups(resources: Resource[]): Promise<Resource[]> {
    return this.attachGroups(resources, (r) => r[ROW_KEY], this.db);
  }

  private async attachGroups<T extends EtagInputs>(
    items: T[],
    pkOf: (item: T) => number,
    db: Tx,
  ): Promise<T[]> {
    const wanted = new Set(items.filter((r) => r.type === 'User' && r.inGroups !== false && !r.groups));
    if (wanted.size === 0) return items;
    const found = new Map<number, GroupEntry[]>();
    for (const g of await groupsOf(db, [...wanted].map(pkOf))) {
      const entry = { id: g.id, display: g.display, type: g.type };
      const list = found.get(g.memberPk);
      if (list) list.push(entry);
      else found.set(g.memberPk, [entry]);
    }
    return items.map((r) => (wanted.has(r) ? { ...r, groups: found.get(pkOf(r)) ?? [] } : r));
  }

  private async withGroupsOne(record: ResourceRecord, db: Tx = this.db): Promise<ResourceRecord> {
    const [read] = await this.attachGroups([record], (r) => r.pk, db);
    return read ?? record;
  }
}
