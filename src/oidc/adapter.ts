/**
 * oidc-provider's storage adapter over the directory (directory/oidc.ts, store/oidc-store.ts):
 * one instance per model name. Clients are the host app's apps (directory/apps.ts), read at
 * each use, so an app's change or deletion takes effect at once.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { App } from '../directory/apps.ts';
import type { Directory } from '../directory/directory.ts';

/** The OIDC client metadata of an app. `client_secret` is its hash (see provider.ts). */
export function clientMetadata(app: App & { secretHash: string }): AdapterPayload {
  return {
    client_id: app.id,
    client_name: app.name,
    client_secret: app.secretHash,
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    ...(app.backchannelLogoutUri
      ? { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: false }
      : {}),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  };
}

/**
 * `refused` makes the error thrown when a write for an account is refused because the user was
 * deactivated or deleted meanwhile (oidc-provider's InvalidGrant: the client gets
 * `invalid_grant`, not tokens that were never stored).
 */
export function directoryAdapter(directory: Directory, refused: () => Error) {
  const { oidc, apps } = directory;
  return class DirectoryAdapter implements Adapter {
    constructor(private readonly kind: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (!(await oidc.upsert(this.kind, id, payload as Record<string, unknown>, expiresIn))) throw refused();
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.kind === 'Client') {
        const app = await apps.client(id);
        return app && clientMetadata(app);
      }
      return (await oidc.find(this.kind, id)) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await oidc.findByUserCode(this.kind, userCode)) as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await oidc.findByUid(this.kind, uid)) as AdapterPayload | undefined;
    }

    async consume(id: string): Promise<void> {
      await oidc.consume(this.kind, id);
    }

    async destroy(id: string): Promise<void> {
      await oidc.destroy(this.kind, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await oidc.revokeByGrantId(grantId);
    }
  };
}
