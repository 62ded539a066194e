/**
 * The host app's OIDC clients ("apps", docs/sso.md "Sign-in for your app"). An app is
 * deployment-wide, like an API key: the host app is one product that signs in the members of
 * every org, and the org is chosen per sign-in (the `org` or `domain` parameter, or the
 * `login_hint` email). Its secret is 256 random bits, shown once (at creation and rotation),
 * stored as SHA-256 and compared in constant time. Redirect URIs are matched exactly by the
 * provider: no wildcards, no fragment, https (plain http only on a loopback host, for
 * development).
 */
import { randomBytes } from 'node:crypto';
import * as store from '../store/oidc-apps.ts';
import { revokeOidcClient } from '../store/oidc-store.ts';
import { type Author, auditWriter, DEPLOYMENT_TRAIL, UNATTRIBUTED } from './audit.ts';
import { hashToken, issueAppSecret, sameHash } from './credentials.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';

export interface App {
  /** The OIDC client_id, `app_…`. */
  id: string;
  name: string;
  /** The secret's first characters, to tell secrets apart; not a secret. */
  secretPrefix: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  /** OIDC Back-Channel Logout 1.0: where logout tokens are POSTed; null: none. */
  backchannelLogoutUri: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface AppInput {
  name?: string | undefined;
  redirectUris?: string[] | undefined;
  postLogoutRedirectUris?: string[] | undefined;
  backchannelLogoutUri?: string | null | undefined;
}

export const MAX_APP_URIS = 20;
export const MAX_APP_URI_LENGTH = 2000;
const MAX_NAME = 200;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function toApp(r: store.OidcAppRecord): App {
  const { secretHash: _hash, ...app } = r;
  return app;
}

/**
 * An absolute https URL (http on a loopback host), without credentials, fragment or `*`: the
 * provider compares redirect URIs as strings (RFC 6749 §3.1.2.2, OpenID Connect Core §3.1.2.1),
 * so a URI is kept exactly as given.
 */
export function checkAppUri(value: string, what: string): string {
  if (value.length > MAX_APP_URI_LENGTH)
    throw new DirectoryError(`${what} is longer than ${MAX_APP_URI_LENGTH}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DirectoryError(`${what} '${value}' is not an absolute URL`);
  }
  if (value.includes('*')) throw new DirectoryError(`${what} '${value}' may not contain a wildcard`);
  if (value.includes('#')) throw new DirectoryError(`${what} '${value}' may not have a fragment`);
  if (url.username || url.password) throw new DirectoryError(`${what} '${value}' may not carry credentials`);
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new DirectoryError(
      `${what} '${value}' must be https (http only on localhost or a loopback address)`,
    );
  return value;
}

function checkUris(values: string[], what: string, min: number): string[] {
  if (values.length < min) throw new DirectoryError(`An app needs at least ${min} ${what}`);
  if (values.length > MAX_APP_URIS) throw new DirectoryError(`An app has at most ${MAX_APP_URIS} ${what}s`);
  return [...new Set(values.map((v) => checkAppUri(v, `A ${what}`)))];
}

function checkName(name: string): string {
  const clean = name.trim();
  if (!clean) throw new DirectoryError('An app name must not be empty');
  if (clean.length > MAX_NAME) throw new DirectoryError(`An app name must be at most ${MAX_NAME} characters`);
  return clean;
}

export class AppService {
  constructor(private readonly deps: DirectoryDeps) {}

  /** The host app's clients belong to no org: their changes are in the deployment's trail. */
  private readonly audit = auditWriter(() => this.deps.now());

  private given(input: AppInput): string[] {
    return Object.keys(input).filter((k) => input[k as keyof AppInput] !== undefined);
  }

  private get db() {
    return this.deps.database.db;
  }

  /** Creates an app; its secret is in the answer only. */
  async create(input: AppInput, by: Author = UNATTRIBUTED): Promise<{ app: App; secret: string }> {
    const issued = issueAppSecret();
    const now = this.deps.now().toISOString();
    const record: store.OidcAppRecord = {
      id: `app_${randomBytes(12).toString('base64url')}`,
      name: checkName(input.name ?? 'app'),
      secretPrefix: issued.prefix,
      secretHash: issued.hash,
      redirectUris: checkUris(input.redirectUris ?? [], 'redirect URI', 1),
      postLogoutRedirectUris: checkUris(input.postLogoutRedirectUris ?? [], 'post-logout redirect URI', 0),
      backchannelLogoutUri:
        input.backchannelLogoutUri == null
          ? null
          : checkAppUri(input.backchannelLogoutUri, 'The back-channel logout URI'),
      createdAt: now,
      updatedAt: now,
    };
    await this.db.transaction().execute(async (tx) => {
      await store.insertOidcApp(tx, record);
      await this.audit(tx, DEPLOYMENT_TRAIL, by, 'app.create', 'App', record.id, this.given(input));
    });
    return { app: toApp(record), secret: issued.token };
  }

  async list(): Promise<App[]> {
    return (await store.listOidcApps(this.db)).map(toApp);
  }

  private async record(id: string): Promise<store.OidcAppRecord> {
    const row = id.length <= 100 ? await store.findOidcApp(this.db, id) : undefined;
    if (!row) throw DirectoryError.notFound(`No app '${id}'`);
    return row;
  }

  async get(id: string): Promise<App> {
    return toApp(await this.record(id));
  }

  /** Changes what is given; a URI list given replaces the old one whole. */
  async update(id: string, input: AppInput, by: Author = UNATTRIBUTED): Promise<App> {
    const row = await this.record(id);
    const next: store.OidcAppRecord = {
      ...row,
      name: input.name === undefined ? row.name : checkName(input.name),
      redirectUris:
        input.redirectUris === undefined
          ? row.redirectUris
          : checkUris(input.redirectUris, 'redirect URI', 1),
      postLogoutRedirectUris:
        input.postLogoutRedirectUris === undefined
          ? row.postLogoutRedirectUris
          : checkUris(input.postLogoutRedirectUris, 'post-logout redirect URI', 0),
      backchannelLogoutUri:
        input.backchannelLogoutUri === undefined
          ? row.backchannelLogoutUri
          : input.backchannelLogoutUri === null
            ? null
            : checkAppUri(input.backchannelLogoutUri, 'The back-channel logout URI'),
      updatedAt: this.deps.now().toISOString(),
    };
    const ok = await this.db.transaction().execute(async (tx) => {
      if (!(await store.updateOidcApp(tx, next))) return false;
      await this.audit(tx, DEPLOYMENT_TRAIL, by, 'app.update', 'App', id, this.given(input));
      return true;
    });
    if (!ok) throw DirectoryError.notFound(`No app '${id}'`);
    return toApp(next);
  }

  /** A new secret, in the answer only; the old one stops working at once. */
  async rotateSecret(id: string, by: Author = UNATTRIBUTED): Promise<{ app: App; secret: string }> {
    const row = await this.record(id);
    const issued = issueAppSecret();
    const next = {
      ...row,
      secretPrefix: issued.prefix,
      secretHash: issued.hash,
      updatedAt: this.deps.now().toISOString(),
    };
    const ok = await this.db.transaction().execute(async (tx) => {
      if (!(await store.updateOidcApp(tx, next))) return false;
      await this.audit(tx, DEPLOYMENT_TRAIL, by, 'app.rotate_secret', 'App', id, ['secret']);
      return true;
    });
    if (!ok) throw DirectoryError.notFound(`No app '${id}'`);
    return { app: toApp(next), secret: issued.token };
  }

  /** Deletes the app and, in the same transaction, every grant, code and token it had. */
  async delete(id: string, by: Author = UNATTRIBUTED): Promise<void> {
    const deleted =
      id.length <= 100 &&
      (await this.db.transaction().execute(async (tx) => {
        if (!(await store.deleteOidcApp(tx, id))) return false;
        await revokeOidcClient(tx, id);
        await this.audit(tx, DEPLOYMENT_TRAIL, by, 'app.delete', 'App', id);
        return true;
      }));
    if (!deleted) throw DirectoryError.notFound(`No app '${id}'`);
  }

  /**
   * The app as the OIDC provider needs it (src/oidc/), with the secret's hash, which only
   * `secretMatches` reads. Undefined when there is none.
   */
  async client(id: string): Promise<(App & { secretHash: string }) | undefined> {
    if (id.length > 100) return undefined;
    const row = await store.findOidcApp(this.db, id);
    return row && { ...toApp(row), secretHash: row.secretHash };
  }

  /** Whether `secret` is the app's secret, compared in constant time over the hashes. */
  secretMatches(secretHash: string, secret: string): boolean {
    return sameHash(secretHash, hashToken(secret));
  }
}
