/**
 * Webhook signing secrets at rest. Standard Webhooks signs with HMAC-SHA256 under the secret
 * itself, so the service must be able to read it back: a hash (as for tokens) cannot sign. The
 * secrets are stored encrypted with AES-256-GCM under a key from WEBHOOK_SECRET_KEY
 * (docs/webhooks.md); a database dump alone then does not reveal them. Without that setting a
 * key is generated into the database's settings, which keeps them out of logs and plain
 * listings but not from someone holding the database: production sets the key.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const PREFIX = 'v1';

export class SecretBox {
  private readonly key: Buffer;

  /** `material`: at least 32 characters; the AES key is its SHA-256. */
  constructor(material: string) {
    if (material.length < 32) throw new Error('a webhook secret key must be at least 32 characters');
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
    if (version !== PREFIX || !iv || !tag || body === undefined)
      throw new Error('not a sealed webhook secret');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The settings key of the generated encryption key, used when WEBHOOK_SECRET_KEY is unset. */
export const WEBHOOK_KEY_SETTING = 'webhook_secret_key';

export function newKeyMaterial(): string {
  return randomBytes(32).toString('base64url');
}
