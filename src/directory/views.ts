/**
 * The management API's read model of an org's directory (docs/api.md "Users", "Groups"):
 * users and groups in the API's one form (api-form.ts, the same `data` events carry), never
 * SCIM documents, never password hashes or row keys. Lists are keyset pages; a group's
 * members are read a page at a time.
 */
import { parseFilter } from '../scim/filter/parse.ts';
import { GROUP, USER } from '../scim/schema/definitions.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import type { KeysetPosition } from '../store/cursor-keyset.ts';
import { listMembers } from '../store/memberships.ts';
import { readResource } from '../store/resources.ts';
import { type ApiGroup, type ApiUser, apiGroup, apiUser, type UserExtras } from './api-form.ts';
import type { Actor, DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { decodeCursor, encodeCursor, type Page, toPage } from './paging.ts';
import type { PropertyService } from './properties.ts';
import type { Resource, ResourceService } from './resources.ts';
import { withRoles } from './roles.ts';

/** A user as the API renders it: the API's one form (api-form.ts), also what events carry. */
export type UserView = ApiUser;

export interface UserGroupView {
  id: string;
  displayName: string | null;
  /** Whether the user is in the group itself, not only through a nested group. */
  direct: boolean;
}

export type GroupView = ApiGroup;

export interface MemberView {
  id: string;
  type: 'user' | 'group';
  display: string | null;
}

export interface UserSearch {
  email?: string | undefined;
  userName?: string | undefined;
  externalId?: string | undefined;
  /** Contained in displayName, name.formatted, name.givenName or name.familyName, any case. */
  name?: string | undefined;
  active?: boolean | undefined;
}

export interface GroupSearch {
  /** Contained in displayName, any case. */
  name?: string | undefined;
  externalId?: string | undefined;
}

export interface PageOptions {
  limit: number;
  cursor?: string | undefined;
}

/** A SCIM filter for the search; values are JSON strings, which is SCIM's string syntax (RFC 7644 §3.4.2.2). */
export function userSearchFilter(search: UserSearch): string | undefined {
  const terms: string[] = [];
  const q = (value: string) => JSON.stringify(value);
  if (search.email !== undefined) terms.push(`emails.value eq ${q(search.email)}`);
  if (search.userName !== undefined) terms.push(`userName eq ${q(search.userName)}`);
  if (search.externalId !== undefined) terms.push(`externalId eq ${q(search.externalId)}`);
  if (search.name !== undefined) {
    const v = q(search.name);
    terms.push(
      `(displayName co ${v} or name.formatted co ${v} or name.givenName co ${v} or name.familyName co ${v})`,
    );
  }
  // A user without `active` counts as active (as apiUser says), so "active" is "not inactive".
  if (search.active !== undefined) terms.push(search.active ? 'not (active eq false)' : 'active eq false');
  return terms.length > 0 ? terms.join(' and ') : undefined;
}

export function groupSearchFilter(search: GroupSearch): string | undefined {
  const terms: string[] = [];
  if (search.name !== undefined) terms.push(`displayName co ${JSON.stringify(search.name)}`);
  if (search.externalId !== undefined) terms.push(`externalId eq ${JSON.stringify(search.externalId)}`);
  return terms.length > 0 ? terms.join(' and ') : undefined;
}

export class ViewService {
  constructor(
    private readonly deps: DirectoryDeps,
    private readonly resources: ResourceService,
    private readonly properties?: PropertyService,
  ) {}

  private actor(orgId: string): Actor {
    return { orgId, tokenId: null, requestId: null };
  }

  private async page(orgId: string, rs: ResourceSchema, filter: string | undefined, options: PageOptions) {
    // Unsorted lists are in pk order alone: the position is the last pk (key null).
    const after: KeysetPosition | undefined = options.cursor
      ? { key: null, pk: decodeCursor<[number]>(options.cursor, ['number'])[0] }
      : undefined;
    const query = {
      ...(filter ? { filter: parseFilter(filter, rs) } : {}),
      startIndex: 1,
      count: options.limit,
    };
    const result = await this.resources.listAfter(this.actor(orgId), rs, query, after);
    return {
      records: result.records,
      nextCursor: result.next ? encodeCursor([result.next.pk]) : null,
    };
  }

  /**
   * The fields other modules compute for these users, one object per user in order: the
   * place where roles.ts adds `roles` and properties.ts adds `properties` to the API's users
   * (each with one line here; the event side passes the same extras to apiForm).
   */
  private async extrasOf(orgId: string, users: readonly Resource[]): Promise<UserExtras[]> {
    const roles = await withRoles(
      this.deps,
      orgId,
      users.map((u) => ({ id: u.id })),
    );
    const properties = await this.properties?.reader(orgId);
    return users.map((u, i) => ({ roles: roles[i]?.roles ?? [], ...properties?.(u.doc) }));
  }

  private async users(orgId: string, records: readonly Resource[]): Promise<UserView[]> {
    const extras = await this.extrasOf(orgId, records);
    return records.map((r, i) => apiUser({ ...r, orgId }, extras[i]));
  }

  /** A user the directory just handed out (a member the API added), in the API's form. */
  async user(orgId: string, record: Resource): Promise<UserView> {
    const [user] = await this.users(orgId, [record]);
    return user as UserView;
  }

  async listUsers(orgId: string, search: UserSearch, options: PageOptions): Promise<Page<UserView>> {
    const { records, nextCursor } = await this.page(orgId, USER, userSearchFilter(search), options);
    return { items: await this.users(orgId, records), nextCursor };
  }

  /** One user and its groups, direct and through nested groups. */
  async getUser(orgId: string, id: string): Promise<UserView & { groups: UserGroupView[] }> {
    const record = await this.resources.get(this.actor(orgId), USER, id);
    const groups = (record.groups ?? []).map((g) => ({
      id: g.id,
      displayName: g.display,
      direct: g.type === 'direct',
    }));
    const [user] = await this.users(orgId, [record]);
    return { ...(user as UserView), groups };
  }

  async listGroups(orgId: string, search: GroupSearch, options: PageOptions): Promise<Page<GroupView>> {
    const { records, nextCursor } = await this.page(orgId, GROUP, groupSearchFilter(search), options);
    return { items: records.map((r) => apiGroup({ ...r, orgId })), nextCursor };
  }

  async getGroup(orgId: string, id: string): Promise<GroupView> {
    return apiGroup({ ...(await this.resources.get(this.actor(orgId), GROUP, id)), orgId });
  }

  /** A page of a group's direct members, by an order of their own (keyset). */
  async groupMembers(orgId: string, id: string, options: PageOptions): Promise<Page<MemberView>> {
    const record = await readResource(this.deps.database.db, orgId, 'Group', id);
    if (!record) throw DirectoryError.notFound(`No group '${id}'`);
    const afterPk = options.cursor ? decodeCursor<[number]>(options.cursor, ['number'])[0] : undefined;
    const rows = await listMembers(this.deps.database.db, record.pk, { afterPk, limit: options.limit + 1 });
    const page = toPage(rows, options.limit, (m) => [m.pk]);
    return {
      items: page.items.map((m) => ({
        id: m.id,
        type: m.type === 'Group' ? 'group' : 'user',
        display: m.display,
      })),
      nextCursor: page.nextCursor,
    };
  }
}
