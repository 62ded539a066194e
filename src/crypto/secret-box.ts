/**
 * Secrets the service must read back, sealed at rest: webhook signing secrets (Standard Webhooks
 * signs with HMAC-SHA256 under the secret itself, so a hash cannot sign), SSO connections' client
 * secrets and SP private keys, the OIDC provider's signing and cookie keys. They are stored
 * encrypted with AES-256-GCM under a key from SECRET_KEY (WEBHOOK_SECRET_KEY is its older name;
 * docs/config.md); a database dump alone then does not reveal them. Without that setting a key
 * is generated into the database's settings, which keeps them out of logs and plain listings but
 * not from someone holding the database: production sets the key.
 *
 * A leaf module: any layer may import it (it knows no table; directory/secret-keys.ts loads the
 * deployment's key).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'v1';

/** Shortest key material accepted (SECRET_KEY). */
export const MIN_SECRET_KEY_LENGTH = 32;

export class SecretBox {
  private readonly key: Buffer;

  /** `material`: at least 32 characters; the AES key is its SHA-256. */
  constructor(material: string) {
    if (material.length < MIN_SECRET_KEY_LENGTH)
      throw new Error(`a secret key must be at least ${MIN_SECRET_KEY_LENGTH} characters`);
    this.key = createHash('sha256').update(material).digest();
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [
      PREFIX,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      body.toString('base64url'),
    ].join('.');
  }

  open(sealed: string): string {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== PREFIX || !iv || !tag || body === undefined) throw new Error('not a sealed secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/**
 * The settings key of the generated encryption key, used when SECRET_KEY is unset. Its name is
 * from when only webhook secrets were sealed; databases keep it, so it keeps its name.
 */
export const GENERATED_KEY_SETTING = 'webhook_secret_key';

export function newKeyMaterial(): string {
  return randomBytes(32).toString('base64url');
}
