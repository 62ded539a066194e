/**
 * The management API's JSON form of users and groups (camelCase, not SCIM): what events carry
 * as `data` and what /api/v1 renders. Built from the canonical SCIM document: `schemas`,
 * `meta` and `members` are dropped (members are rows, announced by member events), the
 * enterprise extension becomes `enterprise`, other extension URNs go under `extensions`,
 * and the resource's own id, org and times are added. No password: the document never holds
 * one (store/resources.ts keeps only its hash, apart).
 */
import type { ResourceRecord } from '../store/resources.ts';

const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export interface ApiResource {
  id: string;
  orgId: string;
  [attribute: string]: unknown;
}

/** A User or Group in the API's form. */
export function apiForm(record: ResourceRecord): ApiResource {
  const out: ApiResource = { id: record.id, orgId: record.orgId };
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record.doc)) {
    if (key === 'schemas' || key === 'meta' || key === 'id' || key === 'members' || key === 'password')
      continue;
    if (key === ENTERPRISE_USER) out.enterprise = value;
    else if (key.startsWith('urn:')) extensions[key] = value;
    else out[key] = value;
  }
  if (Object.keys(extensions).length > 0) out.extensions = extensions;
  if (record.type === 'User') out.active = record.active ?? true;
  out.createdAt = record.created;
  out.updatedAt = record.lastModified;
  out.version = record.version;
  return out;
}

/**
 * What changed between two API forms: the top-level attribute names whose values differ,
 * and their previous values. `sensitive` names (say `password`) are listed as changed with no
 * previous value.
 */
export function apiChanges(
  before: ApiResource,
  after: ApiResource,
  sensitive: readonly string[] = [],
): { changed: string[]; previous: Record<string, unknown> } {
  const skip = new Set(['updatedAt', 'version', 'createdAt']);
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const changed: string[] = [];
  const previous: Record<string, unknown> = {};
  for (const key of [...keys].sort()) {
    if (skip.has(key)) continue;
    if (JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    changed.push(key);
    previous[key] = before[key] ?? null;
  }
  for (const name of sensitive) if (!changed.includes(name)) changed.push(name);
  return { changed, previous };
}
