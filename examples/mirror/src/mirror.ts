/**
 * The host app's own copy of the directory: users (id, userName, active), groups and direct
 * memberships in one SQLite file, kept up to date from Scimitar's events alone. Events come at
 * least once and in order per resource (a member event belongs to the member), so every event
 * is applied once, by id, in one transaction with the record of its id; the feed's cursor is
 * stored the same way.
 */
import type { ScimitarEvent } from '@scimitar/sdk';
import Database from 'better-sqlite3';

export interface MirroredUser {
  orgId: string;
  id: string;
  userName: string;
  active: boolean;
}

export interface MirroredMembership {
  orgId: string;
  groupId: string;
  memberId: string;
  memberType: 'user' | 'group';
}

interface UserData {
  id: string;
  orgId: string;
  userName: string;
  active?: boolean;
}

interface MemberData {
  group: { id: string };
  member: { id: string; type: string };
  direct: boolean;
}

export class Mirror {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      create table if not exists users (
        org_id text not null, id text not null, user_name text not null, active integer not null,
        primary key (org_id, id));
      create table if not exists groups (
        org_id text not null, id text not null, display_name text, primary key (org_id, id));
      create table if not exists memberships (
        org_id text not null, group_id text not null, member_id text not null, member_type text not null,
        primary key (org_id, group_id, member_id));
      create table if not exists applied_events (id text primary key);
      create table if not exists state (key text primary key, value text not null);
    `);
  }

  /** Applies an event unless it was applied before; true when it was new. */
  apply(event: ScimitarEvent): boolean {
    return this.db.transaction(() => {
      const fresh = this.db.prepare('insert or ignore into applied_events (id) values (?)').run(event.id);
      if (fresh.changes === 0) return false;
      this.change(event);
      return true;
    })();
  }

  private change(event: ScimitarEvent): void {
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'user.created':
      case 'user.updated':
      case 'user.deactivated':
      case 'user.reactivated': {
        const u = data as unknown as UserData;
        this.db
          .prepare(
            `insert into users (org_id, id, user_name, active) values (?, ?, ?, ?)
             on conflict (org_id, id) do update set user_name = excluded.user_name, active = excluded.active`,
          )
          .run(u.orgId, u.id, u.userName, u.active === false ? 0 : 1);
        return;
      }
      case 'user.deleted':
        this.db.prepare('delete from users where org_id = ? and id = ?').run(event.orgId, data.id);
        this.db
          .prepare('delete from memberships where org_id = ? and member_id = ?')
          .run(event.orgId, data.id);
        return;
      case 'group.created':
      case 'group.updated':
        this.db
          .prepare(
            `insert into groups (org_id, id, display_name) values (?, ?, ?)
             on conflict (org_id, id) do update set display_name = excluded.display_name`,
          )
          .run(event.orgId, data.id, (data.displayName as string | undefined) ?? null);
        return;
      case 'group.deleted':
        this.db.prepare('delete from groups where org_id = ? and id = ?').run(event.orgId, data.id);
        this.db
          .prepare('delete from memberships where org_id = ? and (group_id = ? or member_id = ?)')
          .run(event.orgId, data.id, data.id);
        return;
      case 'group.member_added':
      case 'group.member_removed': {
        const m = data as unknown as MemberData;
        // Indirect events (a nested group's users) tell the app about effective membership;
        // this mirror keeps the direct rows, from which the effective ones follow.
        if (!m.direct) return;
        if (event.type === 'group.member_added') {
          this.db
            .prepare('insert or ignore into memberships values (?, ?, ?, ?)')
            .run(event.orgId, m.group.id, m.member.id, m.member.type.toLowerCase());
        } else {
          this.db
            .prepare('delete from memberships where org_id = ? and group_id = ? and member_id = ?')
            .run(event.orgId, m.group.id, m.member.id);
        }
        return;
      }
      case 'org.deleted':
        for (const table of ['users', 'groups', 'memberships']) {
          this.db.prepare(`delete from ${table} where org_id = ?`).run(event.orgId);
        }
        return;
      default:
        // Tokens, endpoints: nothing of them is mirrored.
        return;
    }
  }

  users(orgId: string): MirroredUser[] {
    const rows = this.db
      .prepare('select id, user_name, active from users where org_id = ? order by id')
      .all(orgId) as { id: string; user_name: string; active: number }[];
    return rows.map((r) => ({ orgId, id: r.id, userName: r.user_name, active: r.active === 1 }));
  }

  memberships(orgId: string): MirroredMembership[] {
    const rows = this.db
      .prepare(
        'select group_id, member_id, member_type from memberships where org_id = ? order by group_id, member_id',
      )
      .all(orgId) as { group_id: string; member_id: string; member_type: 'user' | 'group' }[];
    return rows.map((r) => ({
      orgId,
      groupId: r.group_id,
      memberId: r.member_id,
      memberType: r.member_type,
    }));
  }

  get(key: string): string | undefined {
    return (
      this.db.prepare('select value from state where key = ?').get(key) as { value: string } | undefined
    )?.value;
  }

  set(key: string, value: string): void {
    this.db.prepare('insert or replace into state (key, value) values (?, ?)').run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
