/**
 * One-time flashes (docs/console.md "Shown once"): what a form's answer shows on the page its
 * redirect opens (post/redirect/get), a new secret among it. Sealed at rest under the
 * deployment's key, named by a random id (no secret: only its owner can take it), read once,
 * gone after FLASH_TTL_MS. The console's are bound to the operator's session (operators.ts),
 * the setup pages' to their setup link (setup-links.ts).
 */
import { randomBytes } from 'node:crypto';
import { DirectoryError } from './errors.ts';
import type { SecretKeys } from './secret-keys.ts';

/** A flash lasts long enough for its redirect, and for a slow network. */
export const FLASH_TTL_MS = 10 * 60_000;
/** A flash is a few short fields: a message, a secret, a link. */
export const MAX_FLASH_BYTES = 4096;
const FLASH_PATTERN = /^[A-Za-z0-9_-]{22}$/;

export type FlashFields = Record<string, string>;

export function isFlashId(id: string): boolean {
  return FLASH_PATTERN.test(id);
}

/** A new flash: its id, its fields sealed, and when it expires. */
export async function sealFlash(
  keys: SecretKeys,
  fields: FlashFields,
  now: Date,
): Promise<{ id: string; sealed: string; expiresAt: string }> {
  const plain = JSON.stringify(fields);
  if (Buffer.byteLength(plain) > MAX_FLASH_BYTES)
    throw new DirectoryError(`A flash holds at most ${MAX_FLASH_BYTES} bytes`);
  return {
    id: randomBytes(16).toString('base64url'),
    sealed: (await keys.secretBox()).seal(plain),
    expiresAt: new Date(now.getTime() + FLASH_TTL_MS).toISOString(),
  };
}

export async function openFlash(keys: SecretKeys, sealed: string): Promise<FlashFields> {
  return JSON.parse((await keys.secretBox()).open(sealed)) as FlashFields;
}
