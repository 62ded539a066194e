/**
 * Kysely table types: the shape of every table as the drivers return it. Both dialects are
 * configured (db.ts) so that these TypeScript types hold on each: integers and bigints come
 * back as numbers, booleans are stored as 1/0 integers, timestamps are ISO-8601 strings.
 */
import type { Generated } from 'kysely';

export interface OrgsTable {
  /** URL-safe slug; also the segment of the org's SCIM base URL. */
  id: string;
  name: string;
  created_at: string;
}

export interface TokensTable {
  id: string;
  org_id: string;
  name: string;
  /** Short readable prefix shown in listings, so a token can be named without its secret. */
  prefix: string;
  /** Hex SHA-256 of the whole token; the token itself is never stored. */
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ResourcesTable {
  /** Internal surrogate key: stable order, keyset paging, term and membership rows. */
  pk: Generated<number>;
  org_id: string;
  type: 'User' | 'Group';
  /** SCIM `id` (uuid). */
  id: string;
  user_name: string | null;
  /** `user_name.toLowerCase()`; NULL once deleted so the name is free again. */
  user_name_lc: string | null;
  external_id: string | null;
  display_name: string | null;
  /** 1/0 on both dialects. */
  active: number | null;
  /** JSON of the canonical document. */
  doc: string;
  password_hash: string | null;
  version: number;
  created_at: string;
  last_modified: string;
  deleted_at: string | null;
}

export interface ResourceTermsTable {
  org_id: string;
  resource_pk: number;
  path: string;
  elem: number;
  str: string | null;
  lc: string | null;
  num: number | null;
}

export interface MembershipsTable {
  org_id: string;
  group_pk: number;
  member_pk: number;
  member_type: 'User' | 'Group';
}

export interface AuditEventsTable {
  id: Generated<number>;
  org_id: string;
  at: string;
  request_id: string | null;
  token_id: string | null;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  /** JSON array of the changed attribute names. */
  attributes: string;
}

/** Values that belong to the database, not to a process (migration 0002). */
export interface SettingsTable {
  key: string;
  value: string;
}

export interface DB {
  orgs: OrgsTable;
  tokens: TokensTable;
  resources: ResourcesTable;
  resource_terms: ResourceTermsTable;
  memberships: MembershipsTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
}
