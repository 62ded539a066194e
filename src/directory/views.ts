/**
 * The management API's read model of an org's directory (docs/api.md "Users", "Groups"):
 * camelCase records built from the SCIM-managed resources, never SCIM documents, never password
 * hashes or row keys. Lists are keyset pages; a group's members are read a page at a time.
 */
import { parseFilter } from '../scim/filter/parse.ts';
import { GROUP, USER } from '../scim/schema/definitions.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import type { KeysetPosition } from '../store/cursor-keyset.ts';
import { listMembers } from '../store/memberships.ts';
import { readResource } from '../store/resources.ts';
import type { Actor, DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { decodeCursor, encodeCursor, type Page, toPage } from './paging.ts';
import type { PropertyService, PropertyValue } from './properties.ts';
import type { Resource, ResourceService } from './resources.ts';

/** Where a user came from; every user is provisioned over SCIM for now (issue: API members). */
export type UserSource = 'scim';

export interface UserView {
  id: string;
  userName: string;
  externalId: string | null;
  active: boolean;
  displayName: string | null;
  name: { formatted: string | null; givenName: string | null; familyName: string | null };
  emails: { value: string; type: string | null; primary: boolean }[];
  source: UserSource;
  /** The deployment's custom properties, as this org fills them (properties.ts). */
  properties: Record<string, PropertyValue>;
  createdAt: string;
  updatedAt: string;
}

export interface UserGroupView {
  id: string;
  displayName: string | null;
  /** Whether the user is in the group itself, not only through a nested group. */
  direct: boolean;
}

export interface GroupView {
  id: string;
  displayName: string;
  externalId: string | null;
  createdAt: string;
  updatedAt: string;
}

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

export interface PageOptions {
  limit: number;
  cursor?: string | undefined;
}

function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

function toUser(record: Resource): UserView {
  const doc = record.doc;
  const name = (doc.name ?? {}) as Record<string, unknown>;
  const emails = Array.isArray(doc.emails) ? (doc.emails as Record<string, unknown>[]) : [];
  return {
    id: record.id,
    userName: record.userName ?? '',
    externalId: record.externalId,
    active: record.active !== false,
    displayName: record.displayName,
    name: {
      formatted: str(name.formatted),
      givenName: str(name.givenName),
      familyName: str(name.familyName),
    },
    emails: emails
      .filter((e) => typeof e.value === 'string')
      .map((e) => ({ value: e.value as string, type: str(e.type), primary: e.primary === true })),
    source: 'scim',
    properties: {},
    createdAt: record.created,
    updatedAt: record.lastModified,
  };
}

function toGroup(record: Resource): GroupView {
  return {
    id: record.id,
    displayName: record.displayName ?? '',
    externalId: record.externalId,
    createdAt: record.created,
    updatedAt: record.lastModified,
  };
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
  // A user without `active` counts as active (as UserView says), so "active" is "not inactive".
  if (search.active !== undefined) terms.push(search.active ? 'not (active eq false)' : 'active eq false');
  return terms.length > 0 ? terms.join(' and ') : undefined;
}

export class ViewService {
  constructor(
    private readonly deps: DirectoryDeps,
    private readonly resources: ResourceService,
    private readonly properties?: PropertyService,
  ) {}

  /** A user's API form with its properties, as its org fills them. */
  private async users(orgId: string): Promise<(record: Resource) => UserView> {
    const read = await this.properties?.reader(orgId);
    return (record) => ({ ...toUser(record), properties: read ? read(record.doc) : {} });
  }

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

  async listUsers(orgId: string, search: UserSearch, options: PageOptions): Promise<Page<UserView>> {
    const { records, nextCursor } = await this.page(orgId, USER, userSearchFilter(search), options);
    return { items: records.map(await this.users(orgId)), nextCursor };
  }

  /** One user and its groups, direct and through nested groups. */
  async getUser(orgId: string, id: string): Promise<UserView & { groups: UserGroupView[] }> {
    const record = await this.resources.get(this.actor(orgId), USER, id);
    const groups = (record.groups ?? []).map((g) => ({
      id: g.id,
      displayName: g.display,
      direct: g.type === 'direct',
    }));
    return { ...(await this.users(orgId))(record), groups };
  }

  async listGroups(orgId: string, options: PageOptions): Promise<Page<GroupView>> {
    const { records, nextCursor } = await this.page(orgId, GROUP, undefined, options);
    return { items: records.map(toGroup), nextCursor };
  }

  async getGroup(orgId: string, id: string): Promise<GroupView> {
    return toGroup(await this.resources.get(this.actor(orgId), GROUP, id));
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
