/**
 * Who a signed-in IdP identity is in the directory (docs/sso.md "Users"): the connection's
 * `matchBy` key finds the user; a deactivated user, or one the directory lacks while the
 * connection does not allow JIT (the org requires SCIM), may not sign in. JIT creates the user
 * as a member of source `sso` (ResourceService.addSsoMember: the user, its audit record and its
 * `user.created` event in one transaction), which the IdP's later SCIM create of the same
 * person, matched by the same key, links instead of duplicating. An existing user is never written: SSO
 * attributes never overwrite what SCIM owns.
 */

import { ScimError } from '../scim/errors.ts';
import { parseFilter } from '../scim/filter/parse.ts';
import { CORE_USER, USER } from '../scim/schema/definitions.ts';
import { systemActor } from './deps.ts';
import type { ResourceService } from './resources.ts';
import type { SsoConnection } from './sso-connections.ts';

/** What the IdP asserted: the NameID (SAML) or `sub` (OIDC), and its attributes or claims. */
export interface SsoIdentity {
  nameId: string;
  attributes: Record<string, unknown>;
  /** False when the IdP says the email is not verified (OIDC `email_verified: false`): not matched by. */
  emailVerified?: boolean | undefined;
}

export type SsoSignInOutcome =
  | { kind: 'user'; userId: string; created: boolean; claims: Record<string, string> }
  | { kind: 'not_provisioned'; claims: Record<string, string> }
  | { kind: 'deactivated'; claims: Record<string, string> }
  | { kind: 'ambiguous'; claims: Record<string, string> }
  | { kind: 'missing'; attribute: string; claims: Record<string, string> }
  /** JIT would create the user, but the org's seat cap is reached (directory/valves.ts). */
  | { kind: 'no_seat'; detail: string; claims: Record<string, string> };

const MAX_VALUE = 1000;

/** The first string value of an attribute (SAML attributes are lists), trimmed and bounded. */
function first(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value.find((x) => typeof x === 'string') : value;
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t && t.length <= MAX_VALUE ? t : undefined;
}

export class SsoUserService {
  constructor(private readonly resources: ResourceService) {}

  /** The identity's claims as the connection names them. */
  claimsOf(connection: SsoConnection, identity: SsoIdentity): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, name] of Object.entries(connection.attributes)) {
      const v = first(identity.attributes[name]);
      if (v !== undefined) out[key] = v;
    }
    return out;
  }

  async resolve(connection: SsoConnection, identity: SsoIdentity): Promise<SsoSignInOutcome> {
    const claims = this.claimsOf(connection, identity);
    const actor = systemActor(connection.orgId, `sso:${connection.id}`);
    let key: string | undefined;
    let filter = '';
    if (connection.matchBy === 'email') {
      key = identity.emailVerified === false ? undefined : claims.email;
      if (key) filter = `emails.value eq ${JSON.stringify(key)} or userName eq ${JSON.stringify(key)}`;
    } else if (connection.matchBy === 'userName') {
      key = claims.userName;
      if (key) filter = `userName eq ${JSON.stringify(key)}`;
    } else {
      key = identity.nameId.trim() || undefined;
      if (key && key.length > MAX_VALUE) key = undefined;
      if (key) filter = `externalId eq ${JSON.stringify(key)}`;
    }
    if (!key) return { kind: 'missing', attribute: connection.matchBy, claims };
    const query = { startIndex: 1, count: 2, filter: parseFilter(filter, USER) };
    const lookup = async (): Promise<SsoSignInOutcome | undefined> => {
      const found = await this.resources.list(actor, USER, query);
      if (found.records.length > 1) return { kind: 'ambiguous', claims };
      const user = found.records[0];
      if (!user) return undefined;
      if (user.active === false) return { kind: 'deactivated', claims };
      return { kind: 'user', userId: user.id, created: false, claims };
    };
    const existing = await lookup();
    if (existing) return existing;
    if (!connection.jit) return { kind: 'not_provisioned', claims };
    const userName = claims.userName ?? claims.email ?? identity.nameId;
    const doc: Record<string, unknown> = { schemas: [CORE_USER], userName, active: true };
    if (claims.email) doc.emails = [{ value: claims.email, type: 'work', primary: true }];
    if (claims.givenName || claims.familyName) {
      doc.name = {
        ...(claims.givenName ? { givenName: claims.givenName } : {}),
        ...(claims.familyName ? { familyName: claims.familyName } : {}),
      };
    }
    if (claims.displayName) doc.displayName = claims.displayName;
    if (connection.matchBy === 'nameId') doc.externalId = identity.nameId;
    try {
      const created = await this.resources.addSsoMember(actor, doc, {
        linkBy: connection.matchBy,
        email: claims.email ?? null,
      });
      return { kind: 'user', userId: created.id, created: true, claims };
    } catch (error) {
      // Someone else holds the userName (matched by another key): not this person's account.
      if (error instanceof ScimError && error.scimType === 'uniqueness') {
        // A concurrent first sign-in of the same person created them: that user, if the key
        // finds it; else someone else holds the userName.
        return (await lookup()) ?? { kind: 'ambiguous', claims };
      }
      // The seat cap (the only 403 a create gives): a page that says so, and whom to ask.
      if (error instanceof ScimError && error.status === 403)
        return { kind: 'no_seat', detail: error.detail, claims };
      throw error;
    }
  }
}
