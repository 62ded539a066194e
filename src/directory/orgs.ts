/** Organizations and their SCIM tokens: each org owns one directory and one SCIM base URL. */
import { ScimError } from '../scim/errors.ts';
import { IDP_PROFILES, type IdpProfile, isIdpProfile } from '../scim/quirks.ts';
import { StoreConflict } from '../store/errors.ts';
import { insertEvent } from '../store/events.ts';
import * as orgStore from '../store/orgs.ts';
import type { TokenWithProfile } from '../store/tokens.ts';
import * as tokenStore from '../store/tokens.ts';
import { type Author, auditWriter, DEPLOYMENT_TRAIL, UNATTRIBUTED } from './audit.ts';
import { bearerToken, hashToken, issueToken, looksLikeToken, sameHash } from './credentials.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { decodeCursor, type Page, toPage } from './paging.ts';

export interface Organization {
  id: string;
  name: string;
  createdAt: string;
  /** Which IdP's meaning-changing quirks its SCIM endpoint accepts (src/scim/quirks.ts). */
  idpProfile: IdpProfile;
}

/** Who a SCIM request authenticated as. */
export interface Credentials {
  tokenId: string;
  idpProfile: IdpProfile;
  /** The version of the org's custom schemas (directory/properties.ts); 0: none declared. */
  schemaVersion: number;
  /** Whether the org had role rules when the token was read (Actor.hasRoleRules). */
  hasRoleRules: boolean;
}

export interface TokenInfo {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** After this time the token no longer authenticates; null: never. */
  expiresAt: string | null;
}

/** How long a new token lives: `expiresInSeconds` from its creation; unset, until revoked. */
export interface TokenOptions {
  expiresInSeconds?: number | undefined;
  /** Who asks, for the audit trail (the API key, operator, setup link, CLI login). */
  by?: Author | undefined;
}

/** The longest lifetime `--expires-in` accepts: ten years. */
export const MAX_TOKEN_LIFETIME_SECONDS = 10 * 366 * 86_400;

export interface NewToken extends TokenInfo {
  /** The secret itself: shown once, never stored. */
  token: string;
}

/** A SCIM token as events show it: never its hash, never the token. */
function tokenForm(t: {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  expiresAt?: string | null;
}) {
  return {
    id: t.id,
    orgId: t.orgId,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt,
    expiresAt: t.expiresAt ?? null,
    revokedAt: t.revokedAt,
  };
}

export { DirectoryError } from './errors.ts';

const MAX_NAME = 200;
/** What an organization id may be: it is a segment of its SCIM base URL. */
const ORG_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** Writes of last_used_at are spread out: one per token per minute is enough to answer "last used". */
const TOUCH_INTERVAL_MS = 60_000;

/** A URL-safe id from a name: "Acme Corp." -> "acme-corp". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/g, '');
  return slug || 'org';
}

/** A valid IdP profile, or a DirectoryError naming the valid ones. */
export function checkIdpProfile(profile: string): IdpProfile {
  if (isIdpProfile(profile)) return profile;
  throw new DirectoryError(`Unknown IdP profile '${profile}': use one of ${IDP_PROFILES.join(', ')}`);
}

/** A stored profile this build does not know (a newer build wrote it) reads as generic. */
function toOrganization(record: orgStore.OrgRecord): Organization {
  return { ...record, idpProfile: isIdpProfile(record.idpProfile) ? record.idpProfile : 'generic' };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) throw new DirectoryError('An organization name must not be empty');
  if (trimmed.length > MAX_NAME)
    throw new DirectoryError(`An organization name must be at most ${MAX_NAME} characters`);
  return trimmed;
}

export class OrgService {
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly deps: DirectoryDeps) {}

  private readonly audit = auditWriter(() => this.deps.now());

  private get db() {
    return this.deps.database.db;
  }

  async create(
    name: string,
    options: { id?: string; idpProfile?: string } & TokenOptions = {},
  ): Promise<{ org: Organization; token: NewToken }> {
    const clean = checkName(name);
    const idpProfile = checkIdpProfile(options.idpProfile ?? 'generic');
    const created = await this.db.transaction().execute(async (tx) => {
      const base = options.id ?? slugify(clean);
      if (!ORG_ID.test(base)) {
        throw new DirectoryError(`Organization id '${base}' must be lowercase letters, digits and dashes`);
      }
      let id = base;
      for (let n = 2; await orgStore.getOrg(tx, id); n++) {
        if (options.id) throw DirectoryError.conflict(`Organization '${id}' already exists`);
        id = `${base}-${n}`;
      }
      const createdAt = this.deps.now().toISOString();
      try {
        await orgStore.insertOrg(tx, { id, name: clean, createdAt, idpProfile });
      } catch (error) {
        // Another request took the id between the check and the insert.
        if (error instanceof StoreConflict)
          throw DirectoryError.conflict(`Organization '${id}' already exists`);
        throw error;
      }
      const org: Organization = { id, name: clean, createdAt, idpProfile };
      await insertEvent(tx, {
        orgId: id,
        type: 'org.created',
        at: createdAt,
        resourceType: 'Org',
        resourceId: id,
        data: org,
      });
      await this.audit(tx, id, options.by ?? UNATTRIBUTED, 'org.create', 'Org', id, ['name', 'idpProfile']);
      const token = await this.insertToken(tx, id, 'initial', options);
      return { org, token };
    });
    this.deps.eventsWritten?.();
    return created;
  }

  async list(): Promise<Organization[]> {
    return (await orgStore.listOrgs(this.db)).map(toOrganization);
  }

  /** A page of orgs by id (docs/api.md "Pagination"). */
  async page(options: {
    limit: number;
    cursor?: string | undefined;
    /** Only orgs whose id or name contains this, any case. */
    search?: string | undefined;
  }): Promise<Page<Organization>> {
    const after = options.cursor ? decodeCursor<[string]>(options.cursor, ['string'])[0] : null;
    const search = options.search?.trim() || undefined;
    if (search !== undefined && search.length > 200)
      throw new DirectoryError('search is at most 200 characters');
    const rows = await orgStore.listOrgsAfter(this.db, after, options.limit + 1, search);
    return toPage(rows.map(toOrganization), options.limit, (o) => [o.id]);
  }

  async get(id: string): Promise<Organization | undefined> {
    const record = await orgStore.getOrg(this.db, id);
    return record && toOrganization(record);
  }

  /**
   * Whether an org of this id exists. Any text may arrive here (a URL segment): one that no org
   * id can be (see create) is answered without asking the database, which would refuse some
   * bytes (PostgreSQL and U+0000) with an error.
   */
  async exists(id: string): Promise<boolean> {
    if (!ORG_ID.test(id)) return false;
    return (await orgStore.getOrg(this.db, id)) !== undefined;
  }

  async count(): Promise<number> {
    return orgStore.countOrgs(this.db);
  }

  async rename(id: string, name: string, by: Author = UNATTRIBUTED): Promise<Organization> {
    const clean = checkName(name);
    const ok = await this.db.transaction().execute(async (tx) => {
      if (!(await orgStore.renameOrg(tx, id, clean))) return false;
      await this.audit(tx, id, by, 'org.update', 'Org', id, ['name']);
      return true;
    });
    if (!ok) throw DirectoryError.notFound(`No organization '${id}'`);
    const org = await this.get(id);
    if (!org) throw DirectoryError.notFound(`No organization '${id}'`);
    return org;
  }

  /**
   * Deletes the org and all its data (users, groups, memberships, tokens, audit trail, request
   * log) in one transaction: afterwards its SCIM base URL and tokens answer 401, and its id is
   * free. `confirmation` must repeat the org's id, so that a slip cannot delete the wrong org.
   * The same transaction writes the `org.deleted` event, the only row of the org that remains.
   */
  async delete(
    id: string,
    confirmation: string | undefined,
    by: Author = UNATTRIBUTED,
  ): Promise<orgStore.DeletedOrgCounts> {
    if (confirmation !== id) {
      throw new DirectoryError(
        `Deleting organization '${id}' removes all its data; confirm by repeating its id`,
        'confirmation_required',
      );
    }
    const deleted = await this.db.transaction().execute(async (tx) => {
      const record = await orgStore.getOrg(tx, id);
      const counts = await orgStore.deleteOrgData(tx, id);
      if (!record || !counts) return undefined;
      // After deleteOrgData, which removes the org's events, deliveries and own endpoints: this
      // event stays, for the feed and for the endpoints of every org (docs/events.md).
      await insertEvent(tx, {
        orgId: id,
        type: 'org.deleted',
        at: this.deps.now().toISOString(),
        resourceType: 'Org',
        resourceId: id,
        data: toOrganization(record),
      });
      // The org's own trail went with it: the deletion is in the deployment's.
      await this.audit(tx, DEPLOYMENT_TRAIL, by, 'org.delete', 'Org', id);
      return counts;
    });
    if (!deleted) throw DirectoryError.notFound(`No organization '${id}'`);
    this.deps.eventsWritten?.();
    return deleted;
  }

  /**
   * Chooses which IdP the org's SCIM connection is set up for: its profile turns on the
   * meaning-changing quirks of that IdP (src/scim/quirks.ts); 'generic' keeps the RFC answers.
   */
  async setIdpProfile(id: string, profile: string, by: Author = UNATTRIBUTED): Promise<Organization> {
    const valid = checkIdpProfile(profile);
    const ok = await this.db.transaction().execute(async (tx) => {
      if (!(await orgStore.setOrgIdpProfile(tx, id, valid))) return false;
      await this.audit(tx, id, by, 'org.update', 'Org', id, ['idpProfile']);
      return true;
    });
    if (!ok) throw DirectoryError.notFound(`No organization '${id}'`);
    const org = await this.get(id);
    if (!org) throw DirectoryError.notFound(`No organization '${id}'`);
    return org;
  }

  async createToken(orgId: string, name = 'token', options: TokenOptions = {}): Promise<NewToken> {
    if (!(await orgStore.getOrg(this.db, orgId))) throw DirectoryError.notFound(`No organization '${orgId}'`);
    if (name.length > MAX_NAME)
      throw new DirectoryError(`A token name must be at most ${MAX_NAME} characters`);
    const token = await this.db.transaction().execute((tx) => this.insertToken(tx, orgId, name, options));
    this.deps.eventsWritten?.();
    return token;
  }

  private async insertToken(
    db: Parameters<typeof tokenStore.insertToken>[0],
    orgId: string,
    name: string,
    options: TokenOptions,
  ) {
    const seconds = options.expiresInSeconds;
    if (
      seconds !== undefined &&
      (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_LIFETIME_SECONDS)
    ) {
      throw new DirectoryError(
        `A token lifetime must be from 1 second to ${MAX_TOKEN_LIFETIME_SECONDS} seconds`,
      );
    }
    const issued = issueToken();
    const now = this.deps.now();
    const row = {
      id: this.deps.newId(),
      orgId,
      name,
      prefix: issued.prefix,
      hash: issued.hash,
      createdAt: now.toISOString(),
      expiresAt: seconds === undefined ? null : new Date(now.getTime() + seconds * 1000).toISOString(),
    };
    await tokenStore.insertToken(db, row);
    await insertEvent(db, {
      orgId,
      type: 'scim_token.created',
      at: row.createdAt,
      resourceType: 'ScimToken',
      resourceId: row.id,
      data: tokenForm({ ...row, revokedAt: null }),
    });
    await this.audit(db, orgId, options.by ?? UNATTRIBUTED, 'scim_token.create', 'ScimToken', row.id, [
      'name',
      ...(row.expiresAt === null ? [] : ['expiresAt']),
    ]);
    return {
      id: row.id,
      orgId,
      name,
      prefix: row.prefix,
      createdAt: row.createdAt,
      lastUsedAt: null,
      revokedAt: null,
      expiresAt: row.expiresAt,
      token: issued.token,
    } satisfies NewToken;
  }

  async listTokens(orgId: string): Promise<TokenInfo[]> {
    if (!(await orgStore.getOrg(this.db, orgId))) throw DirectoryError.notFound(`No organization '${orgId}'`);
    const rows = await tokenStore.listTokens(this.db, orgId);
    // Never hand out the hash: listings show prefix, name and dates only.
    return rows.map(({ id, orgId: org, name, prefix, createdAt, lastUsedAt, revokedAt, expiresAt }) => ({
      id,
      orgId: org,
      name,
      prefix,
      createdAt,
      lastUsedAt,
      revokedAt,
      expiresAt,
    }));
  }

  async revokeToken(orgId: string, idOrPrefix: string, by: Author = UNATTRIBUTED): Promise<void> {
    const at = this.deps.now().toISOString();
    const ok = await this.db.transaction().execute(async (tx) => {
      const revoked = await tokenStore.revokeTokenRecord(tx, orgId, idOrPrefix, at);
      if (revoked) {
        await insertEvent(tx, {
          orgId,
          type: 'scim_token.revoked',
          at,
          resourceType: 'ScimToken',
          resourceId: revoked.id,
          data: tokenForm(revoked),
        });
        await this.audit(tx, orgId, by, 'scim_token.revoke', 'ScimToken', revoked.id, ['revokedAt']);
      }
      return revoked !== undefined;
    });
    this.deps.eventsWritten?.();
    if (!ok) throw DirectoryError.notFound(`No live token '${idOrPrefix}' in organization '${orgId}'`);
  }

  /**
   * Checks `Authorization: Bearer …` for the org named in the URL (RFC 6750). Missing, wrong,
   * revoked, expired and other-org tokens all get the same 401, so a caller learns nothing
   * about which orgs or tokens exist.
   */
  async authenticate(orgId: string, authorization: string | undefined): Promise<Credentials> {
    const hash = this.tokenHash(authorization);
    // One query: the org's IdP profile comes with the token (this runs on every request).
    return this.admit(orgId, hash, await tokenStore.findTokenWithOrgProfile(this.db, hash));
  }

  /** The hash of the bearer token in `authorization`, or 401 when there is none that could be one. */
  tokenHash(authorization: string | undefined): string {
    const token = bearerToken(authorization);
    if (!token || !looksLikeToken(token)) throw ScimError.unauthorized();
    return hashToken(token);
  }

  /**
   * Whether `row`, read by `hash` (alone or beside a resource: Directory.getAuthenticated),
   * authenticates for `orgId`: a live, unexpired token of that org; else 401. Records its use
   * (at most once a minute per token and process).
   */
  async admit(orgId: string, hash: string, row: TokenWithProfile | undefined): Promise<Credentials> {
    if (!row || !sameHash(row.hash, hash) || row.orgId !== orgId || row.revokedAt !== null) {
      throw ScimError.unauthorized();
    }
    const now = this.deps.now();
    if (row.expiresAt !== null && Date.parse(row.expiresAt) <= now.getTime()) throw ScimError.unauthorized();
    const last = this.lastTouched.get(row.id) ?? 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
      this.lastTouched.set(row.id, now.getTime());
      await tokenStore.touchToken(this.db, row.id, now.toISOString());
    }
    return {
      tokenId: row.id,
      idpProfile: isIdpProfile(row.idpProfile) ? row.idpProfile : 'generic',
      // Which version of the org's custom schemas to serve (directory/properties.ts).
      schemaVersion: row.schemaVersion,
      hasRoleRules: row.roleRules > 0,
    };
  }
}
