/**
 * Roles from IdP groups (docs/roles.md). The deployment declares its roles (key, name,
 * priority; src/config.ts); each org maps IdP groups to them with rules (a group matched by id,
 * externalId or displayName gives a role; nested groups count), has a default role for users
 * matched by no rule, and a mode: the matched role of highest priority, or all matched roles.
 *
 * Roles are stored per user (store/roles.ts) and recomputed in the transaction of the change
 * that moves them: ResourceService marks users through a RoleTracker as memberships and
 * groups change, and the tracker recomputes them once before the transaction commits; rule,
 * default and mode changes recompute here. Each user whose roles change gets one
 * `user.roles_changed` event. A deactivated user keeps its roles: the access check says no.
 */
import { insertAudit } from '../store/audit.ts';
import { getOrg } from '../store/orgs.ts';
import {
  anyMarked,
  countRules,
  defaultChangedEvents,
  deleteRule,
  findRule,
  groupMatches,
  insertRule,
  listRules,
  lockOrgRoles,
  markUsersBelow,
  markUsersBelowGroup,
  markUsersBelowMatching,
  markUsersWithRoles,
  moveRuleCount,
  type RoleMode,
  type RoleRuleRecord,
  type RoleSettingsRecord,
  type RuleMatch,
  readRoleSettings,
  readUserState,
  recomputeMarked,
  rulesNameValues,
  rulesReachGroup,
  sameRuleExists,
  storedRolesByIds,
  updateRule,
  writeRoleSettings,
} from '../store/roles.ts';
import { auditEvent } from './audit.ts';
import type { Actor, DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { DEFAULT_ROLES, type RoleDefinition } from './role-definitions.ts';

export type { RoleDefinition, RoleMode, RuleMatch };
export { DEFAULT_ROLES };

export const RULE_MATCHES: readonly RuleMatch[] = ['id', 'externalId', 'displayName'];
export const ROLE_MODES: readonly RoleMode[] = ['highest', 'all'];
/** Rules per org: a size limit like any input's. */
export const MAX_RULES_PER_ORG = 500;
/** Longest value a rule matches (an id, externalId or displayName). */
export const MAX_RULE_VALUE = 1024;

type Tx = DirectoryDeps['database']['db'];

interface TxMarks {
  orgId: string;
  nonce: string;
  marked: boolean;
  /** The org has no role rules, read under a share lock of its row: nothing to mark. */
  noRules: boolean;
  /** Per group pk: whether a rule reaches it (store/roles.ts rulesReachGroup). */
  reach: Map<number, boolean>;
}

/**
 * The part of role upkeep that runs inside ResourceService's write transactions: it marks the
 * users whose roles a change may move and recomputes them once, in `flush`, before commit.
 */
export class RoleTracker {
  private readonly marks = new WeakMap<object, TxMarks>();

  constructor(private readonly deps: DirectoryDeps) {}

  get definitions(): readonly RoleDefinition[] {
    return this.deps.roles ?? DEFAULT_ROLES;
  }

  /**
   * The transaction's marks. The first call takes the org's rules lock shared (PostgreSQL):
   * no rule changes between reading the rules here and this transaction's commit.
   */
  private async marksOf(tx: Tx, orgId: string): Promise<TxMarks> {
    let m = this.marks.get(tx);
    if (!m) {
      m = { orgId, nonce: this.deps.newId(), marked: false, noRules: false, reach: new Map() };
      this.marks.set(tx, m);
      await lockOrgRoles(tx, orgId, 'rules-shared');
    }
    return m;
  }

  /**
   * The transaction read the org's number of role rules under a share lock of the org's row
   * (store/resources.ts lockGroupWithRoleRules), held until it commits. Rule and settings
   * changes update that row before they read memberships, so that lock orders them as the
   * advisory `rules-shared` lock would, which is then not taken; with no rules, nothing this
   * transaction does can move a role, and nothing is marked (no lock, no query).
   */
  orgRowShared(tx: Tx, orgId: string, roleRules: number): void {
    if (this.marks.has(tx)) return;
    this.marks.set(tx, {
      orgId,
      nonce: this.deps.newId(),
      marked: false,
      noRules: roleRules === 0,
      reach: new Map(),
    });
  }

  private async reaches(tx: Tx, m: TxMarks, groupPk: number): Promise<boolean> {
    let reach = m.reach.get(groupPk);
    if (reach === undefined) {
      reach = await rulesReachGroup(tx, m.orgId, groupPk);
      m.reach.set(groupPk, reach);
    }
    return reach;
  }

  /** Members were added to or removed from a group (call after the rows changed). */
  async membersChanged(tx: Tx, orgId: string, groupPk: number, memberPks: readonly number[]): Promise<void> {
    if (memberPks.length === 0) return;
    const m = await this.marksOf(tx, orgId);
    if (m.noRules || !(await this.reaches(tx, m, groupPk))) return;
    await markUsersBelow(tx, m.nonce, memberPks);
    m.marked = true;
  }

  /** A group is about to be deleted (call while its memberships still exist). */
  async groupDeleting(tx: Tx, orgId: string, groupPk: number): Promise<void> {
    const m = await this.marksOf(tx, orgId);
    if (m.noRules || !(await this.reaches(tx, m, groupPk))) return;
    await markUsersBelowGroup(tx, m.nonce, groupPk);
    m.marked = true;
  }

  /** A group's displayName or externalId changed: rules naming the old or new one move its users. */
  async groupRenamed(
    tx: Tx,
    orgId: string,
    groupPk: number,
    before: { externalId: string | null; displayName: string | null },
    after: { externalId: string | null; displayName: string | null },
  ): Promise<void> {
    if (before.externalId === after.externalId && before.displayName === after.displayName) return;
    const m = await this.marksOf(tx, orgId);
    if (m.noRules) return;
    m.reach.clear();
    const named = await rulesNameValues(tx, orgId, {
      externalId: [before.externalId, after.externalId],
      displayName: [before.displayName, after.displayName],
    });
    if (!named) return;
    await markUsersBelowGroup(tx, m.nonce, groupPk);
    m.marked = true;
  }

  /** Recomputes the users this transaction marked; call last, inside the transaction. */
  async flush(tx: Tx): Promise<void> {
    const m = this.marks.get(tx);
    if (!m) return;
    this.marks.delete(tx);
    if (!m.marked) return;
    await this.recompute(tx, m.orgId, m.nonce);
  }

  /** Recomputes the users marked under `nonce` (the org's flush lock held). */
  async recompute(tx: Tx, orgId: string, nonce: string): Promise<number> {
    await lockOrgRoles(tx, orgId, 'flush');
    const settings = await readRoleSettings(tx, orgId);
    return recomputeMarked(tx, {
      orgId,
      nonce,
      at: this.deps.now().toISOString(),
      roles: this.definitions,
      settings,
    });
  }
}

export interface RoleRule {
  id: string;
  match: RuleMatch;
  value: string;
  role: string;
  createdAt: string;
}

export interface RoleSettings {
  defaultRole: string | null;
  mode: RoleMode;
}

export interface RoleChangeResult {
  /** Users whose roles changed (each got one `user.roles_changed` event). */
  usersChanged: number;
}

export interface AccessAnswer {
  allowed: boolean;
  roles: string[];
  reason: 'active' | 'deactivated' | 'deleted' | 'not_found';
}

/**
 * Who changes rules and settings when no actor is given: the CLI, unnamed (an API request passes
 * its key's actor, http/api/actor.ts).
 */
function cli(orgId: string): Actor {
  return { orgId, kind: 'cli', tokenId: null, requestId: null };
}

function toRule(r: RoleRuleRecord): RoleRule {
  return { id: r.id, match: r.match, value: r.value, role: r.role, createdAt: r.createdAt };
}

/** The effective roles of a user: what rules give it, else the org's default role. */
function effective(stored: string[] | undefined, defaultRole: string | null): string[] {
  if (stored && stored.length > 0) return stored;
  return defaultRole ? [defaultRole] : [];
}

/** Rules, default role, mode, users' roles and the access check, for every transport. */
export class RoleService {
  private readonly tracker: RoleTracker;

  constructor(private readonly deps: DirectoryDeps) {
    this.tracker = new RoleTracker(deps);
  }

  private get db() {
    return this.deps.database.db;
  }

  /** The deployment's roles, highest priority first. */
  definitions(): RoleDefinition[] {
    return [...this.tracker.definitions].sort((a, b) => b.priority - a.priority);
  }

  private checkRole(role: unknown, what: string): string {
    if (typeof role !== 'string' || !this.tracker.definitions.some((r) => r.key === role)) {
      const keys = this.tracker.definitions.map((r) => r.key).join(', ');
      throw new DirectoryError(
        `${what}: unknown role '${String(role)}'; this deployment's roles are ${keys}`,
      );
    }
    return role;
  }

  /** Rules and settings of an org that does not exist are a not_found, never rows of nobody's. */
  private async checkOrg(db: Tx, orgId: string): Promise<void> {
    if (!(await getOrg(db, orgId))) throw DirectoryError.notFound(`No organization '${orgId}'`);
  }

  async settings(orgId: string): Promise<RoleSettings> {
    await this.checkOrg(this.db, orgId);
    return readRoleSettings(this.db, orgId);
  }

  async listRules(orgId: string): Promise<RoleRule[]> {
    await this.checkOrg(this.db, orgId);
    return (await listRules(this.db, orgId)).map(toRule);
  }

  private async audit(
    tx: Tx,
    actor: Actor,
    change: { at: string; action: string; resourceType: string; resourceId: string; attributes: string[] },
  ) {
    await insertAudit(tx, auditEvent(actor, change));
  }

  private checkRule(input: { match: unknown; value: unknown; role: unknown }) {
    if (typeof input.match !== 'string' || !RULE_MATCHES.includes(input.match as RuleMatch))
      throw new DirectoryError(`match must be one of ${RULE_MATCHES.join(', ')}`);
    if (typeof input.value !== 'string' || input.value.length === 0 || input.value.length > MAX_RULE_VALUE)
      throw new DirectoryError(`value must be a string of 1 to ${MAX_RULE_VALUE} characters`);
    if (input.value.includes('\u0000')) throw new DirectoryError('value must not contain U+0000');
    return {
      match: input.match as RuleMatch,
      value: input.value,
      role: this.checkRole(input.role, 'role'),
    };
  }

  /**
   * Whether a group matches the rule now. A rule naming no group of the org is refused
   * (`unknown_group`) unless `allowUnknownGroup` says the admin sets it up before the IdP pushes
   * the group; a rule by id must always name one (ids are the service's own).
   */
  private async checkGroup(
    tx: Tx,
    orgId: string,
    match: RuleMatch,
    value: string,
    allowUnknownGroup: boolean,
  ): Promise<boolean> {
    const groupExists = await groupMatches(tx, orgId, match, value);
    if (groupExists) return true;
    if (match === 'id')
      throw new DirectoryError(
        `No group with id '${value}' in this organization; a rule by id names an existing group ` +
          '(for a group the IdP has not pushed yet, match by externalId or displayName and allow an unknown group)',
        'unknown_group',
      );
    if (!allowUnknownGroup)
      throw new DirectoryError(
        `No group with ${match} '${value}' in this organization. Check the spelling; to set the rule up ` +
          'before the IdP pushes the group (it pushes a group when it is first assigned), allow an ' +
          'unknown group (allowUnknownGroup: true in the API, --allow-unknown-group in the CLI, ' +
          '"Not pushed yet" in the console)',
        'unknown_group',
      );
    return false;
  }

  private static allowUnknown(value: unknown): boolean {
    if (value === undefined || value === false) return false;
    if (value === true) return true;
    throw new DirectoryError('allowUnknownGroup must be true or false');
  }

  /**
   * Adds a rule. The role must be one of the deployment's. The rule must name a group of the
   * org (else `unknown_group`, so a typo shows), except that with `allowUnknownGroup` a rule by
   * externalId or displayName may name a group the IdP has not pushed yet, and applies when it
   * arrives (`groupExists` says whether one matches now). Ids never: they are the service's own.
   * The same rule twice is a conflict.
   */
  async addRule(
    orgId: string,
    input: { match: unknown; value: unknown; role: unknown; allowUnknownGroup?: unknown },
    actor: Actor = cli(orgId),
  ): Promise<RoleRule & RoleChangeResult & { groupExists: boolean }> {
    const { match, value, role } = this.checkRule(input);
    const allowUnknown = RoleService.allowUnknown(input.allowUnknownGroup);
    return this.db.transaction().execute(async (tx) => {
      await this.checkOrg(tx, orgId);
      await lockOrgRoles(tx, orgId, 'rules');
      if ((await countRules(tx, orgId)) >= MAX_RULES_PER_ORG)
        throw new DirectoryError(`An org has at most ${MAX_RULES_PER_ORG} role rules; remove one first`);
      const groupExists = await this.checkGroup(tx, orgId, match, value, allowUnknown);
      const created = await insertRule(tx, {
        id: this.deps.newId(),
        orgId,
        match,
        value,
        role,
        createdAt: this.deps.now().toISOString(),
      });
      if (!created) throw DirectoryError.conflict(`The rule ${match} '${value}' → ${role} exists already`);
      await moveRuleCount(tx, orgId, 1);
      const usersChanged = await this.recomputeMatching(tx, orgId, match, value);
      await this.audit(tx, actor, {
        at: this.deps.now().toISOString(),
        action: 'role_rule.create',
        resourceType: 'RoleRule',
        resourceId: created.id,
        attributes: ['match', 'value', 'role'],
      });
      this.deps.eventsWritten?.();
      return { ...toRule(created), usersChanged, groupExists };
    });
  }

  async removeRule(
    orgId: string,
    ruleId: string,
    actor: Actor = cli(orgId),
  ): Promise<RoleRule & RoleChangeResult> {
    return this.db.transaction().execute(async (tx) => {
      await this.checkOrg(tx, orgId);
      await lockOrgRoles(tx, orgId, 'rules');
      const removed = await deleteRule(tx, orgId, ruleId);
      if (!removed) throw DirectoryError.notFound(`No role rule '${ruleId}' in this organization`);
      await moveRuleCount(tx, orgId, -1);
      const usersChanged = await this.recomputeMatching(tx, orgId, removed.match, removed.value);
      await this.audit(tx, actor, {
        at: this.deps.now().toISOString(),
        action: 'role_rule.delete',
        resourceType: 'RoleRule',
        resourceId: removed.id,
        attributes: [],
      });
      this.deps.eventsWritten?.();
      return { ...toRule(removed), usersChanged };
    });
  }

  /**
   * Changes a rule in place (its id stays): the fields given replace the rule's, checked as
   * addRule checks them. The users below the groups the rule named before and names now are
   * recomputed together, so a user under both moves once, with one event. A change of match or
   * value is checked against the org's groups as addRule checks it; a change of role alone is
   * not (the rule may have been set up ahead of its group).
   */
  async updateRule(
    orgId: string,
    ruleId: string,
    input: { match?: unknown; value?: unknown; role?: unknown; allowUnknownGroup?: unknown },
    actor: Actor = cli(orgId),
  ): Promise<RoleRule & RoleChangeResult & { groupExists: boolean }> {
    const allowUnknown = RoleService.allowUnknown(input.allowUnknownGroup);
    return this.db.transaction().execute(async (tx) => {
      await this.checkOrg(tx, orgId);
      await lockOrgRoles(tx, orgId, 'rules');
      const before = await findRule(tx, orgId, ruleId);
      if (!before) throw DirectoryError.notFound(`No role rule '${ruleId}' in this organization`);
      const next = this.checkRule({
        match: input.match ?? before.match,
        value: input.value ?? before.value,
        role: input.role ?? before.role,
      });
      const changed = (['match', 'value', 'role'] as const).filter((k) => next[k] !== before[k]);
      // Ordered after the writes that read the org's row under a share lock (moveRuleCount).
      await moveRuleCount(tx, orgId, 0);
      const groupMoves = next.match !== before.match || next.value !== before.value;
      const groupExists = groupMoves
        ? await this.checkGroup(tx, orgId, next.match, next.value, allowUnknown)
        : await groupMatches(tx, orgId, next.match, next.value);
      if (changed.length === 0) return { ...toRule(before), usersChanged: 0, groupExists };
      if (await sameRuleExists(tx, { orgId, ...next }, ruleId))
        throw DirectoryError.conflict(`The rule ${next.match} '${next.value}' → ${next.role} exists already`);
      const updated = await updateRule(tx, { id: ruleId, orgId, ...next });
      if (!updated) throw DirectoryError.notFound(`No role rule '${ruleId}' in this organization`);
      const nonce = this.deps.newId();
      await markUsersBelowMatching(tx, nonce, orgId, before.match, before.value);
      await markUsersBelowMatching(tx, nonce, orgId, next.match, next.value);
      const usersChanged = (await anyMarked(tx, nonce)) ? await this.tracker.recompute(tx, orgId, nonce) : 0;
      await this.audit(tx, actor, {
        at: this.deps.now().toISOString(),
        action: 'role_rule.update',
        resourceType: 'RoleRule',
        resourceId: ruleId,
        attributes: [...changed],
      });
      this.deps.eventsWritten?.();
      return { ...toRule(updated), usersChanged, groupExists };
    });
  }

  /** The users below the groups a rule names, recomputed set-wise (a group of any size). */
  private async recomputeMatching(tx: Tx, orgId: string, match: RuleMatch, value: string) {
    const nonce = this.deps.newId();
    await markUsersBelowMatching(tx, nonce, orgId, match, value);
    if (!(await anyMarked(tx, nonce))) return 0;
    return this.tracker.recompute(tx, orgId, nonce);
  }

  /**
   * Sets the default role (null: none) and/or the mode. Users matched by no rule move with the
   * default; users matched by several move with the mode. One event per user that moved.
   */
  async updateSettings(
    orgId: string,
    input: { defaultRole?: unknown; mode?: unknown },
    actor: Actor = cli(orgId),
  ): Promise<RoleSettings & RoleChangeResult> {
    const defaultRole =
      input.defaultRole === undefined || input.defaultRole === null
        ? input.defaultRole
        : this.checkRole(input.defaultRole, 'defaultRole');
    if (input.mode !== undefined && !ROLE_MODES.includes(input.mode as RoleMode))
      throw new DirectoryError(`mode must be one of ${ROLE_MODES.join(', ')}`);
    return this.db.transaction().execute(async (tx) => {
      await this.checkOrg(tx, orgId);
      await lockOrgRoles(tx, orgId, 'rules');
      const before: RoleSettingsRecord = await readRoleSettings(tx, orgId);
      const after: RoleSettingsRecord = {
        defaultRole: defaultRole === undefined ? before.defaultRole : defaultRole,
        mode: (input.mode as RoleMode | undefined) ?? before.mode,
      };
      const at = this.deps.now().toISOString();
      let usersChanged = 0;
      if (after.defaultRole === before.defaultRole && after.mode === before.mode)
        return { ...after, usersChanged };
      // Ordered after the writes that read the org's row under a share lock (moveRuleCount).
      await moveRuleCount(tx, orgId, 0);
      await writeRoleSettings(tx, orgId, after, at);
      usersChanged += await defaultChangedEvents(tx, orgId, at, before.defaultRole, after.defaultRole);
      if (after.mode !== before.mode) {
        const nonce = this.deps.newId();
        await markUsersWithRoles(tx, nonce, orgId);
        if (await anyMarked(tx, nonce)) usersChanged += await this.tracker.recompute(tx, orgId, nonce);
      }
      const changed = [
        ...(after.defaultRole !== before.defaultRole ? ['defaultRole'] : []),
        ...(after.mode !== before.mode ? ['mode'] : []),
      ];
      await this.audit(tx, actor, {
        at,
        action: 'role_settings.update',
        resourceType: 'RoleSettings',
        resourceId: orgId,
        attributes: changed,
      });
      this.deps.eventsWritten?.();
      return { ...after, usersChanged };
    });
  }

  /** Each user's roles (by user id), the default applied. */
  rolesOf(orgId: string, userIds: readonly string[]): Promise<Map<string, string[]>> {
    return rolesOfUsers(this.deps, orgId, userIds);
  }

  /**
   * Whether the user may use the app in this org, and with which roles: read from the
   * database at each call (no cache), so a committed deactivation or deletion answers no.
   * A deactivated user keeps its roles (shown); it is not allowed.
   */
  async access(orgId: string, userId: string): Promise<AccessAnswer> {
    if (userId.includes('\u0000')) return { allowed: false, roles: [], reason: 'not_found' };
    const [user, settings] = await Promise.all([
      readUserState(this.db, orgId, userId),
      readRoleSettings(this.db, orgId),
    ]);
    if (!user) return { allowed: false, roles: [], reason: 'not_found' };
    if (user.deleted) return { allowed: false, roles: [], reason: 'deleted' };
    const roles = effective(user.roles?.split(','), settings.defaultRole);
    if (!user.active) return { allowed: false, roles, reason: 'deactivated' };
    return { allowed: true, roles, reason: 'active' };
  }
}

/** Each user's roles (by user id), the default applied: two indexed reads for a page of users. */
async function rolesOfUsers(
  deps: DirectoryDeps,
  orgId: string,
  userIds: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const db = deps.database.db;
  const [stored, settings] = await Promise.all([
    storedRolesByIds(db, orgId, userIds),
    readRoleSettings(db, orgId),
  ]);
  for (const id of userIds) out.set(id, effective(stored.get(id), settings.defaultRole));
  return out;
}

/** Adds each user's `roles` to users of the management API's read model (directory/views.ts). */
export async function withRoles<T extends { id: string }>(
  deps: DirectoryDeps,
  orgId: string,
  users: T[],
): Promise<(T & { roles: string[] })[]> {
  const found = await rolesOfUsers(
    deps,
    orgId,
    users.map((u) => u.id),
  );
  return users.map((u) => ({ ...u, roles: found.get(u.id) ?? [] }));
}
