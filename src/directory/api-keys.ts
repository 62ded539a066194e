/**
 * Management API keys (`Authorization: Bearer sk_…`, docs/api.md): 256 random bits, shown once
 * at creation, stored as SHA-256, compared in constant time, revocable at once, last use
 * recorded. A key is deployment-wide: it manages every org.
 */
import * as keyStore from '../store/api-keys.ts';
import { type Author, auditWriter, DEPLOYMENT_TRAIL, UNATTRIBUTED } from './audit.ts';
import { bearerToken, hashToken, issueApiKey, looksLikeApiKey, sameHash } from './credentials.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';

export interface ApiKeyInfo {
  id: string;
  name: string;
  /** The first characters of the key, to tell keys apart; not a secret. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface NewApiKey extends ApiKeyInfo {
  /** The secret itself: shown once, never stored. */
  key: string;
}

const MAX_NAME = 200;
/** Writes of last_used_at are spread out: one per key per minute is enough to answer "last used". */
const TOUCH_INTERVAL_MS = 60_000;

function toInfo(record: keyStore.ApiKeyRecord): ApiKeyInfo {
  // Never hand out the hash.
  const { id, name, prefix, createdAt, lastUsedAt, revokedAt } = record;
  return { id, name, prefix, createdAt, lastUsedAt, revokedAt };
}

export class ApiKeyService {
  private readonly lastTouched = new Map<string, number>();

  constructor(private readonly deps: DirectoryDeps) {}

  /** API keys belong to no org: their changes are in the deployment's trail. */
  private readonly audit = auditWriter(() => this.deps.now());

  private get db() {
    return this.deps.database.db;
  }

  async create(name = 'api key', by: Author = UNATTRIBUTED): Promise<NewApiKey> {
    const clean = name.trim();
    if (!clean) throw new DirectoryError('An API key name must not be empty');
    if (clean.length > MAX_NAME)
      throw new DirectoryError(`An API key name must be at most ${MAX_NAME} characters`);
    const issued = issueApiKey();
    const row = {
      id: this.deps.newId(),
      name: clean,
      prefix: issued.prefix,
      hash: issued.hash,
      createdAt: this.deps.now().toISOString(),
    };
    await this.db.transaction().execute(async (tx) => {
      await keyStore.insertApiKey(tx, row);
      await this.audit(tx, DEPLOYMENT_TRAIL, by, 'api_key.create', 'ApiKey', row.id, ['name']);
    });
    return { ...toInfo({ ...row, lastUsedAt: null, revokedAt: null }), key: issued.token };
  }

  async list(): Promise<ApiKeyInfo[]> {
    return (await keyStore.listApiKeys(this.db)).map(toInfo);
  }

  /** Revokes at once: the next request with the key is refused. */
  async revoke(idOrPrefix: string, by: Author = UNATTRIBUTED): Promise<void> {
    const ok = await this.db.transaction().execute(async (tx) => {
      const ids = await keyStore.revokeApiKey(tx, idOrPrefix, this.deps.now().toISOString());
      for (const id of ids)
        await this.audit(tx, DEPLOYMENT_TRAIL, by, 'api_key.revoke', 'ApiKey', id, ['revokedAt']);
      return ids.length > 0;
    });
    if (!ok) throw DirectoryError.notFound(`No live API key '${idOrPrefix}'`);
  }

  /**
   * Checks `Authorization: Bearer sk_…` (RFC 6750 §2.1). Missing, malformed, unknown and
   * revoked keys all get the same error, so a caller learns nothing about which keys exist.
   */
  async authenticate(authorization: string | undefined): Promise<{ keyId: string }> {
    const key = bearerToken(authorization);
    const refused = () =>
      new DirectoryError('A valid API key is required: Authorization: Bearer sk_…', 'unauthorized');
    if (!key || !looksLikeApiKey(key)) throw refused();
    const hash = hashToken(key);
    const row = await keyStore.findApiKeyByHash(this.db, hash);
    if (!row || !sameHash(row.hash, hash) || row.revokedAt !== null) throw refused();
    const now = this.deps.now();
    const last = this.lastTouched.get(row.id) ?? 0;
    if (now.getTime() - last >= TOUCH_INTERVAL_MS) {
      this.lastTouched.set(row.id, now.getTime());
      await keyStore.touchApiKey(this.db, row.id, now.toISOString());
    }
    return { keyId: row.id };
  }
}
