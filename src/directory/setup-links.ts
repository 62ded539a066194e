/**
 * Setup links (docs/console.md "Setup links"): the operator makes one for an org and sends it to
 * the customer's IT admin. The secret, `setup_` + 256 random bits, is the link's last path
 * segment and the credential the setup pages call the management API with: it is good for that
 * org only, for the few setup operations only (http/api/index.ts), until it expires (7 days by
 * default) or is revoked. Stored as SHA-256, compared in constant time.
 */
import * as store from '../store/setup-links.ts';
import { type Author, auditWriter, UNATTRIBUTED } from './audit.ts';
import { hashToken, issueSecret, sameHash } from './credentials.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { type FlashFields, isFlashId, openFlash, sealFlash } from './flashes.ts';
import type { SecretKeys } from './secret-keys.ts';

export const SETUP_LINK_PREFIX = 'setup_';
const SETUP_PATTERN = /^setup_[A-Za-z0-9_-]{43}$/;
export const DEFAULT_SETUP_LINK_SECONDS = 7 * 24 * 3600;
export const MAX_SETUP_LINK_SECONDS = 90 * 24 * 3600;
/** Writes of last_used_at: one per link per minute is enough to answer "last used". */
const TOUCH_INTERVAL_MS = 60_000;

export interface SetupLinkInfo {
  id: string;
  orgId: string;
  prefix: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export interface NewSetupLink extends SetupLinkInfo {
  /** The secret: shown once, never stored. */
  token: string;
}

/** What a setup link authenticates as. */
export interface SetupGrant {
  linkId: string;
  orgId: string;
  expiresAt: string;
}

export function looksLikeSetupLink(secret: string): boolean {
  return SETUP_PATTERN.test(secret);
}

function toInfo({ hash: _hash, ...info }: store.SetupLinkRecord): SetupLinkInfo {
  return info;
}

export class SetupLinkService {
  private readonly lastTouched = new Map<string, number>();

  constructor(
    private readonly deps: DirectoryDeps,
    private readonly keys: SecretKeys,
  ) {}

  private readonly audit = auditWriter(() => this.deps.now());

  private get db() {
    return this.deps.database.db;
  }

  async create(
    orgId: string,
    options: { expiresInSeconds?: number | undefined } = {},
    by: Author = UNATTRIBUTED,
  ): Promise<NewSetupLink> {
    const seconds = options.expiresInSeconds ?? DEFAULT_SETUP_LINK_SECONDS;
    if (!Number.isInteger(seconds) || seconds < 60 || seconds > MAX_SETUP_LINK_SECONDS)
      throw new DirectoryError(
        `A setup link lasts from 60 seconds to ${MAX_SETUP_LINK_SECONDS / 86400} days`,
      );
    const issued = issueSecret(SETUP_LINK_PREFIX);
    const now = this.deps.now();
    const record = {
      id: this.deps.newId(),
      orgId,
      prefix: issued.prefix,
      hash: issued.hash,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + seconds * 1000).toISOString(),
    };
    await this.db.transaction().execute(async (tx) => {
      await store.insertSetupLink(tx, record);
      await this.audit(tx, orgId, by, 'setup_link.create', 'SetupLink', record.id, ['expiresAt']);
    });
    return { ...toInfo({ ...record, revokedAt: null, lastUsedAt: null }), token: issued.token };
  }

  async list(orgId: string): Promise<SetupLinkInfo[]> {
    return (await store.listSetupLinks(this.db, orgId)).map(toInfo);
  }

  async revoke(orgId: string, id: string, by: Author = UNATTRIBUTED): Promise<void> {
    const ok = await this.db.transaction().execute(async (tx) => {
      if (!(await store.revokeSetupLink(tx, orgId, id, this.deps.now().toISOString()))) return false;
      await this.audit(tx, orgId, by, 'setup_link.revoke', 'SetupLink', id, ['revokedAt']);
      return true;
    });
    if (!ok) throw DirectoryError.notFound(`No live setup link '${id}' of '${orgId}'`);
  }

  /**
   * The org a setup link's secret grants, while it is live. A malformed, unknown, revoked or
   * expired secret gets one and the same error.
   */
  async authenticate(secret: string): Promise<SetupGrant> {
    const refused = () =>
      new DirectoryError(
        'This setup link does not work: it has expired, was revoked, or was copied incompletely',
        'unauthorized',
      );
    if (!looksLikeSetupLink(secret)) throw refused();
    const hash = hashToken(secret);
    const row = await store.findSetupLinkByHash(this.db, hash);
    const now = this.deps.now();
    if (
      !row ||
      !sameHash(row.hash, hash) ||
      row.revokedAt !== null ||
      Date.parse(row.expiresAt) <= now.getTime()
    )
      throw refused();
    const last = this.lastTouched.get(row.id) ?? 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
      this.lastTouched.set(row.id, now.getTime());
      await store.touchSetupLink(this.db, row.id, now.toISOString());
    }
    return { linkId: row.id, orgId: row.orgId, expiresAt: row.expiresAt };
  }

  /**
   * Keeps what a setup page's form made (the SCIM token, shown once) for the page its redirect
   * opens (post/redirect/get, docs/console.md "Shown once"): sealed, bound to this live link,
   * read once (takeFlash), gone after 10 minutes. Returns its id, which is no secret.
   */
  async putFlash(secret: string, fields: FlashFields): Promise<string> {
    const { linkId } = await this.authenticate(secret);
    const now = this.deps.now();
    const flash = await sealFlash(this.keys, fields, now);
    await store.insertSetupLinkFlash(this.db, { ...flash, linkId }, now.toISOString());
    return flash.id;
  }

  /** The link's flash `id`, once; undefined when taken already, expired, another link's, or the link is dead. */
  async takeFlash(secret: string, id: string): Promise<FlashFields | undefined> {
    if (!isFlashId(id) || !looksLikeSetupLink(secret)) return undefined;
    let linkId: string;
    try {
      ({ linkId } = await this.authenticate(secret));
    } catch (error) {
      if (error instanceof DirectoryError) return undefined;
      throw error;
    }
    const sealed = await store.takeSetupLinkFlash(this.db, { id, linkId }, this.deps.now().toISOString());
    return sealed === undefined ? undefined : openFlash(this.keys, sealed);
  }
}
