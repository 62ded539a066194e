/**
 * Safety valves, per org (docs/safety-valves.md): the mass-deprovisioning valve, which holds
 * the deactivations and deletions of active users beyond a share of them within a window,
 * and the seat cap, which refuses a create or reactivation beyond a number of active users.
 *
 * Both decide inside the transaction of the change they judge (ResourceService), under the
 * org's valve row lock (store/valves.ts lockValveRow): on PostgreSQL with many instances, two
 * deactivations at once are counted one after the other, never both against the same count.
 */
import { ScimError } from '../scim/errors.ts';
import { insertAudit } from '../store/audit.ts';
import { insertEvent } from '../store/events.ts';
import type { ResourceRecord } from '../store/resources.ts';
import * as store from '../store/valves.ts';
import { type Author, auditEvent, auditWriter, UNATTRIBUTED } from './audit.ts';
import type { Actor, DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { decodeCursor, type Page, toPage } from './paging.ts';

type Tx = Parameters<typeof store.lockValveRow>[0];

/** The deployment's defaults (src/config.ts, docs/config.md); each org may override them. */
export interface ValveDefaults {
  /** The mass-deprovisioning valve is on (VALVE_DEPROVISIONING, default true). */
  enabled: boolean;
  /** Share of the window's active users deprovisioned before the valve holds (VALVE_PERCENT, 30). */
  percent: number;
  /** Deprovisionings a window always lets through, whatever the share (VALVE_MIN_USERS, 10). */
  minUsers: number;
  /** The window's length in seconds (VALVE_WINDOW_SECONDS, 3600). */
  windowSeconds: number;
  /** Whom an IdP admin asks when the seat cap refuses a user (SEAT_CAP_CONTACT). */
  contact: string | undefined;
}

export const DEFAULT_VALVES: ValveDefaults = {
  enabled: true,
  percent: 30,
  minUsers: 10,
  windowSeconds: 3600,
  contact: undefined,
};

/** Bounds of the per-org settings (the API's schema and the CLI check the same). */
export const VALVE_LIMITS = {
  percent: { min: 1, max: 100 },
  minUsers: { min: 0, max: 1_000_000 },
  windowSeconds: { min: 60, max: 30 * 24 * 3600 },
  seatCap: { min: 0, max: 100_000_000 },
  contactLength: 200,
} as const;

/** The per-org overrides: null means "the deployment's default" (no seat cap for seatCap). */
export interface ValveOverrides {
  enabled: boolean | null;
  percent: number | null;
  minUsers: number | null;
  windowSeconds: number | null;
  seatCap: number | null;
  contact: string | null;
}

/** An org's valves as they apply, what the org overrides, and the current window. */
export interface ValveSettings {
  orgId: string;
  deprovisioning: { enabled: boolean; percent: number; minUsers: number; windowSeconds: number };
  seatCap: number | null;
  /** Whom the seat cap's error names; null: the error says "the administrator of this app". */
  contact: string | null;
  overrides: ValveOverrides;
  /** The current deprovisioning window; null when none started or it ended. */
  window: {
    start: string;
    activeUsers: number;
    deprovisioned: number;
    threshold: number;
  } | null;
  activeUsers: number;
  held: number;
}

export type HeldKind = 'deactivate' | 'delete';

/** The SCIM operation that applies a held change when it is released. */
export interface HeldOperation {
  method: 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
}

/** A deprovisioning the valve held: not applied, answered to the IdP as if it were. */
export interface HeldChange {
  id: number;
  userId: string;
  userName: string | null;
  kind: HeldKind;
  operation: HeldOperation;
  requestId: string | null;
  heldAt: string;
}

/** What a release or discard did. */
export interface HeldOutcome {
  /** Held changes applied (release) or dropped (discard), in order. */
  done: HeldChange[];
  /** Held changes whose user no longer exists: dropped, nothing applied. */
  gone: HeldChange[];
}

/** The PATCH a held deactivation is released with (RFC 7644 §3.5.2.3). */
export const DEACTIVATE_PATCH = {
  schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
  Operations: [{ op: 'replace', path: 'active', value: false }],
};

function toHeld(row: store.HeldRow): HeldChange {
  return {
    id: row.id,
    userId: row.user_id,
    userName: row.user_name,
    kind: row.kind,
    operation: JSON.parse(row.operation) as HeldOperation,
    requestId: row.request_id,
    heldAt: row.held_at,
  };
}

function flag(v: number | null): boolean | null {
  return v === null ? null : v !== 0;
}

/** A held change that another admin released or discarded first. */
export class HeldChangeGone extends Error {
  constructor(readonly heldId: number) {
    super(`held change ${heldId} was released or discarded meanwhile`);
    this.name = 'HeldChangeGone';
  }
}

/**
 * The valves' decisions inside a change's transaction, for ResourceService. Each call takes the
 * org's valve row lock where it counts.
 */
export class ValveGate {
  constructor(private readonly deps: DirectoryDeps) {}

  get defaults(): ValveDefaults {
    return this.deps.valves ?? DEFAULT_VALVES;
  }

  private effective(row: store.ValveRow) {
    const d = this.defaults;
    return {
      enabled: flag(row.enabled) ?? d.enabled,
      percent: row.percent ?? d.percent,
      minUsers: row.min_users ?? d.minUsers,
      windowSeconds: row.window_seconds ?? d.windowSeconds,
      seatCap: row.seat_cap,
      contact: row.contact ?? d.contact ?? null,
    };
  }

  /** Deprovisionings a window lets through: the share of its active users, and at least minUsers. */
  static threshold(activeUsers: number, percent: number, minUsers: number): number {
    return Math.max(minUsers, Math.floor((activeUsers * percent) / 100));
  }

  private audit(tx: Tx, actor: Actor, action: string, userId: string, attributes: string[] = []) {
    return insertAudit(
      tx,
      auditEvent(actor, {
        at: this.deps.now().toISOString(),
        action,
        resourceType: 'User',
        resourceId: userId,
        attributes,
      }),
    );
  }

  /**
   * Whether the deactivation or deletion of `user` (locked by the caller) applies now or is
   * held. Only an active user's counts: deleting a deactivated user frees no seat and cuts no
   * access. A user already held is held again without counting twice (a delete upgrades a
   * held deactivation). 'hold' has written the held change and its audit row, and, when it
   * opens an episode, the `org.deprovisioning_held` event. `saveWindow`: where an applied
   * change's new window goes, when the caller writes it with its own statement in the same
   * transaction (a DELETE: store/resource-writes.ts deleteResourceWith); by default it is saved
   * here.
   */
  async admit(
    tx: Tx,
    actor: Actor,
    user: ResourceRecord,
    kind: HeldKind,
    saveWindow: (window: store.ValveWindowRow) => Promise<void> | void = (window) =>
      store.saveValveWindow(tx, actor.orgId, window),
  ): Promise<'apply' | 'hold'> {
    if (user.type !== 'User' || user.active === false) return 'apply';
    const { row, held: existing } = await store.lockValveRowWithHeld(tx, actor.orgId, user.pk);
    const s = this.effective(row);
    const operation: HeldOperation =
      kind === 'delete'
        ? { method: 'DELETE', path: `/Users/${user.id}` }
        : { method: 'PATCH', path: `/Users/${user.id}`, body: DEACTIVATE_PATCH };
    if (!s.enabled) {
      // The valve was switched off while this user's change was held: the IdP's latest word applies.
      if (existing) await store.deleteHeld(tx, actor.orgId, [existing.id]);
      return 'apply';
    }
    if (existing) {
      if (kind === 'delete' && existing.kind === 'deactivate') {
        await store.upgradeHeld(tx, existing.id, JSON.stringify(operation));
      }
      await this.audit(tx, actor, 'hold', user.id, kind === 'deactivate' ? ['active'] : []);
      return 'hold';
    }
    const now = this.deps.now();
    let window: store.ValveWindowRow = {
      window_start: row.window_start,
      window_base: row.window_base,
      window_count: row.window_count,
      episode_at: row.episode_at,
    };
    const started = window.window_start === null ? Number.NaN : Date.parse(window.window_start);
    if (!(now.getTime() - started < s.windowSeconds * 1000)) {
      window = {
        ...window,
        window_start: now.toISOString(),
        window_base: await store.countActiveUsers(tx, actor.orgId),
        window_count: 0,
      };
    }
    const threshold = ValveGate.threshold(window.window_base, s.percent, s.minUsers);
    if (window.window_count < threshold) {
      await saveWindow({ ...window, window_count: window.window_count + 1 });
      return 'apply';
    }
    await store.insertHeld(tx, {
      org_id: actor.orgId,
      user_pk: user.pk,
      user_id: user.id,
      user_name: user.userName,
      kind,
      operation: JSON.stringify(operation),
      request_id: actor.requestId,
      token_id: actor.tokenId,
      held_at: now.toISOString(),
    });
    if (window.episode_at === null) {
      window = { ...window, episode_at: now.toISOString() };
      await insertEvent(tx, {
        orgId: actor.orgId,
        type: 'org.deprovisioning_held',
        at: now.toISOString(),
        resourceType: 'Org',
        resourceId: actor.orgId,
        data: {
          orgId: actor.orgId,
          windowStart: window.window_start,
          windowSeconds: s.windowSeconds,
          activeUsers: window.window_base,
          deprovisioned: window.window_count,
          threshold,
          held: await store.countHeld(tx, actor.orgId),
        },
      });
    }
    await store.saveValveWindow(tx, actor.orgId, window);
    await this.audit(tx, actor, 'hold', user.id, kind === 'deactivate' ? ['active'] : []);
    return 'hold';
  }

  /**
   * A write leaves `user` active (the IdP reactivated it, or sent it as active): a held
   * deactivation of it is moot and goes, audited as `supersede`.
   */
  async supersede(tx: Tx, actor: Actor, user: ResourceRecord): Promise<void> {
    const dropped = await store.deleteHeldDeactivation(tx, actor.orgId, user.pk);
    if (dropped) await this.audit(tx, actor, 'supersede', user.id, ['active']);
  }

  /** A release's change takes its held change out, in its own transaction (or fails: HeldChangeGone). */
  async consume(tx: Tx, actor: Actor): Promise<void> {
    const id = actor.release?.heldId;
    if (id === undefined) return;
    const [gone] = await store.deleteHeld(tx, actor.orgId, [id]);
    if (!gone) throw new HeldChangeGone(id);
  }

  /**
   * A create or reactivation of one active user: refused with 403 when the org's active users
   * already reach its seat cap. The count is made under the org's valve row lock, which every
   * such write in a capped org takes, so two at once cannot both take the last seat.
   */
  async checkSeat(tx: Tx, orgId: string): Promise<void> {
    const row = await store.lockValveRow(tx, orgId);
    if (row.seat_cap === null) return;
    const active = await store.countActiveUsers(tx, orgId);
    if (active < row.seat_cap) return;
    const contact = row.contact ?? this.defaults.contact;
    throw ScimError.forbidden(
      `Organization '${orgId}' has reached its seat cap: ${active} active users, limit ${row.seat_cap}. ` +
        `No user can be created or reactivated until a seat is free. ` +
        `Ask ${contact ?? 'the administrator of this app'} to raise the limit, or deactivate a user first.`,
    );
  }
}

/** Settings a caller changes (undefined: unchanged; null: back to the default / no cap). */
export type ValveSettingsChange = Partial<ValveOverrides>;

/** What ValveService needs of ResourceService to release held changes. */
export interface HeldChangeApplier {
  applyHeld(actor: Actor, change: HeldChange): Promise<'done' | 'gone'>;
}

/** The valves as the management API and the CLI see them: settings and held changes. */
export class ValveService {
  constructor(
    private readonly deps: DirectoryDeps,
    private readonly applier: HeldChangeApplier,
  ) {}

  private readonly audit = auditWriter(() => this.deps.now());

  private get db() {
    return this.deps.database.db;
  }

  private async requireOrg(orgId: string) {
    const org = await this.db.selectFrom('orgs').select('id').where('id', '=', orgId).executeTakeFirst();
    if (!org) throw DirectoryError.notFound(`No organization '${orgId}'`);
  }

  async settings(orgId: string): Promise<ValveSettings> {
    await this.requireOrg(orgId);
    const row = await store.readValveRow(this.db, orgId);
    return this.view(orgId, row);
  }

  private async view(orgId: string, row: store.ValveRow | undefined): Promise<ValveSettings> {
    const d = this.deps.valves ?? DEFAULT_VALVES;
    const overrides: ValveOverrides = {
      enabled: row ? flag(row.enabled) : null,
      percent: row?.percent ?? null,
      minUsers: row?.min_users ?? null,
      windowSeconds: row?.window_seconds ?? null,
      seatCap: row?.seat_cap ?? null,
      contact: row?.contact ?? null,
    };
    const deprovisioning = {
      enabled: overrides.enabled ?? d.enabled,
      percent: overrides.percent ?? d.percent,
      minUsers: overrides.minUsers ?? d.minUsers,
      windowSeconds: overrides.windowSeconds ?? d.windowSeconds,
    };
    const start = row?.window_start ? Date.parse(row.window_start) : Number.NaN;
    const open = row?.window_start && this.deps.now().getTime() - start < deprovisioning.windowSeconds * 1000;
    return {
      orgId,
      deprovisioning,
      seatCap: overrides.seatCap,
      contact: overrides.contact ?? d.contact ?? null,
      overrides,
      window:
        open && row?.window_start
          ? {
              start: row.window_start,
              activeUsers: row.window_base,
              deprovisioned: row.window_count,
              threshold: ValveGate.threshold(
                row.window_base,
                deprovisioning.percent,
                deprovisioning.minUsers,
              ),
            }
          : null,
      activeUsers: await store.countActiveUsers(this.db, orgId),
      held: await store.countHeld(this.db, orgId),
    };
  }

  /** Changes an org's settings; null puts one back to the deployment's default. */
  async update(
    orgId: string,
    change: ValveSettingsChange,
    by: Author = UNATTRIBUTED,
  ): Promise<ValveSettings> {
    checkChange(change);
    await this.requireOrg(orgId);
    const changed = Object.keys(change).filter((k) => change[k as keyof ValveSettingsChange] !== undefined);
    const row = await this.db.transaction().execute(async (tx) => {
      const updated = await store.updateValveSettings(tx, orgId, {
        enabled:
          change.enabled === undefined ? undefined : change.enabled === null ? null : change.enabled ? 1 : 0,
        percent: change.percent,
        min_users: change.minUsers,
        window_seconds: change.windowSeconds,
        seat_cap: change.seatCap,
        contact: typeof change.contact === 'string' ? change.contact.trim() : change.contact,
      });
      // The seat cap is one of these settings: `seatCap` among the attributes when it changed.
      await this.audit(tx, orgId, by, 'valve_settings.update', 'ValveSettings', orgId, changed);
      return updated;
    });
    return this.view(orgId, row);
  }

  /** A page of the org's held changes, oldest first (the order a release applies them in). */
  async held(
    orgId: string,
    paging: { limit: number; cursor?: string | undefined },
  ): Promise<Page<HeldChange>> {
    await this.requireOrg(orgId);
    const after = paging.cursor === undefined ? null : decodeCursor<[number]>(paging.cursor, ['number'])[0];
    const rows = await store.listHeld(this.db, orgId, after, paging.limit + 1);
    return toPage(rows.map(toHeld), paging.limit, (last) => [last.id]);
  }

  /**
   * Applies the org's held changes (all, or those named), oldest first, each as a normal change
   * in its own transaction with its events and audit row: action `release`, its actor `by`,
   * the admin who released it (an API key, an operator, the CLI's login), with its request.
   */
  async release(by: Actor, options: { ids?: number[] | undefined } = {}) {
    const { orgId } = by;
    await this.requireOrg(orgId);
    const outcome: HeldOutcome = { done: [], gone: [] };
    for (const change of await this.selected(orgId, options.ids)) {
      const actor: Actor = { ...by, release: { heldId: change.id } };
      const result = await this.applier.applyHeld(actor, change);
      if (result === 'done') outcome.done.push(change);
      else outcome.gone.push(change);
    }
    await this.closeEpisode(orgId);
    return outcome;
  }

  /**
   * Drops the org's held changes (all, or those named) without applying them: the users keep
   * their access (they never lost it); the IdP's next sync decides again. Audited as `discard`,
   * by `by` (an API key, the CLI).
   */
  async discard(by: Actor, options: { ids?: number[] | undefined } = {}) {
    const { orgId } = by;
    await this.requireOrg(orgId);
    const outcome: HeldOutcome = { done: [], gone: [] };
    const at = this.deps.now().toISOString();
    await this.db.transaction().execute(async (tx) => {
      // The valve row first, as a deprovisioning takes it before the held rows.
      await store.lockValveRow(tx, orgId);
      for (const change of await this.selected(orgId, options.ids, tx)) {
        const [row] = await store.deleteHeld(tx, orgId, [change.id]);
        if (!row) continue;
        outcome.done.push(change);
        await insertAudit(
          tx,
          auditEvent(by, {
            at,
            action: 'discard',
            resourceType: 'User',
            resourceId: change.userId,
            attributes: change.kind === 'deactivate' ? ['active'] : [],
          }),
        );
      }
      await this.closeEpisode(orgId, tx);
    });
    return outcome;
  }

  /** The held changes named (all when `ids` is undefined), in id order; unknown ids are a 404. */
  private async selected(orgId: string, ids: number[] | undefined, db: Tx = this.db): Promise<HeldChange[]> {
    const all: HeldChange[] = [];
    let after: number | null = null;
    const wanted = ids ? new Set(ids) : undefined;
    for (;;) {
      const rows = await store.listHeld(db, orgId, after, 1000);
      for (const row of rows) if (!wanted || wanted.has(row.id)) all.push(toHeld(row));
      if (rows.length < 1000) break;
      after = rows[rows.length - 1]?.id ?? null;
    }
    if (wanted) {
      const missing = [...wanted].filter((id) => !all.some((c) => c.id === id));
      if (missing.length > 0) {
        throw DirectoryError.notFound(`No held change ${missing.join(', ')} in organization '${orgId}'`);
      }
    }
    return all;
  }

  /** With nothing held any more, the episode ends: the next hold fires the event again. */
  private async closeEpisode(orgId: string, tx?: Tx) {
    const run = async (t: Tx) => {
      const row = await store.lockValveRow(t, orgId);
      if (row.episode_at === null || (await store.countHeld(t, orgId)) > 0) return;
      await store.saveValveWindow(t, orgId, {
        window_start: row.window_start,
        window_base: row.window_base,
        window_count: row.window_count,
        episode_at: null,
      });
    };
    if (tx) await run(tx);
    else await this.db.transaction().execute(run);
  }
}

function checkChange(change: ValveSettingsChange) {
  const range = (name: string, v: number | null | undefined, min: number, max: number) => {
    if (v === undefined || v === null) return;
    if (!Number.isInteger(v) || v < min || v > max) {
      throw new DirectoryError(`${name} must be a whole number from ${min} to ${max}, got ${v}`);
    }
  };
  range('percent', change.percent, VALVE_LIMITS.percent.min, VALVE_LIMITS.percent.max);
  range('minUsers', change.minUsers, VALVE_LIMITS.minUsers.min, VALVE_LIMITS.minUsers.max);
  range(
    'windowSeconds',
    change.windowSeconds,
    VALVE_LIMITS.windowSeconds.min,
    VALVE_LIMITS.windowSeconds.max,
  );
  range('seatCap', change.seatCap, VALVE_LIMITS.seatCap.min, VALVE_LIMITS.seatCap.max);
  if (typeof change.contact === 'string') {
    const contact = change.contact.trim();
    if (contact.length === 0 || contact.length > VALVE_LIMITS.contactLength) {
      throw new DirectoryError(`contact must be 1 to ${VALVE_LIMITS.contactLength} characters`);
    }
  }
}
