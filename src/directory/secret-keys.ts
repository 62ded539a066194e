/**
 * The deployment's SecretBox (src/crypto/secret-box.ts): SECRET_KEY when configured, else a key
 * generated into the database's settings on first use, which every instance on the database
 * reads. One per Directory; every service that seals (webhooks, SSO connections, the OIDC
 * provider's keys) uses it.
 */
import { GENERATED_KEY_SETTING, newKeyMaterial, SecretBox } from '../crypto/secret-box.ts';
import { readSetting } from '../store/settings.ts';
import type { DirectoryDeps } from './deps.ts';

export class SecretKeys {
  private box: Promise<SecretBox> | undefined;

  constructor(private readonly deps: DirectoryDeps) {}

  secretBox(): Promise<SecretBox> {
    this.box ??= this.load();
    // A failed load (database down) is not kept: the next call tries again.
    this.box.catch(() => {
      this.box = undefined;
    });
    return this.box;
  }

  private async load(): Promise<SecretBox> {
    if (this.deps.secretKey) return new SecretBox(this.deps.secretKey);
    const db = this.deps.database.db;
    const material = newKeyMaterial();
    await db
      .insertInto('settings')
      .values({ key: GENERATED_KEY_SETTING, value: material })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    const stored = await readSetting(db, GENERATED_KEY_SETTING);
    return new SecretBox(stored ?? material);
  }
}
