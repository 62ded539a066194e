/**
 * SCIM bearer tokens, management API keys and user passwords. Tokens and keys are 256 random
 * bits behind a readable prefix, shown once, stored as SHA-256 (a fast hash is right for
 * 256-bit secrets: there is nothing to brute-force), compared in constant time. Passwords (the writeOnly User attribute) are stored
 * as scrypt hashes, never in clear.
 */
import { createHash, randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** `scim_` + 43 base64url characters (32 bytes). */
export const TOKEN_PREFIX = 'scim_';
const TOKEN_PATTERN = /^scim_[A-Za-z0-9_-]{43}$/;
/** Management API keys: `sk_` + 43 base64url characters (32 bytes). */
export const API_KEY_PREFIX = 'sk_';
const API_KEY_PATTERN = /^sk_[A-Za-z0-9_-]{43}$/;
/** How many characters after the kind prefix are kept in clear to tell secrets apart in listings. */
const DISPLAY_CHARS = 6;

export interface IssuedToken {
  token: string;
  prefix: string;
  hash: string;
}

/** A secret of `kind` (its prefix): 32 random bytes in base64url after the prefix. */
export function issueSecret(kind: string): IssuedToken {
  const token = kind + randomBytes(32).toString('base64url');
  return { token, prefix: token.slice(0, kind.length + DISPLAY_CHARS), hash: hashToken(token) };
}

/** A SCIM bearer token. */
export function issueToken(): IssuedToken {
  return issueSecret(TOKEN_PREFIX);
}

/** A management API key. */
export function issueApiKey(): IssuedToken {
  return issueSecret(API_KEY_PREFIX);
}

/** A host app's OIDC client secret (directory/apps.ts): `appsec_` + 43 base64url characters. */
export function issueAppSecret(): IssuedToken {
  return issueSecret('appsec_');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function looksLikeToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

export function looksLikeApiKey(key: string): boolean {
  return API_KEY_PATTERN.test(key);
}

/** Constant-time equality of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** Extracts the credentials of `Authorization: Bearer <token>` (RFC 6750 §2.1). */
export function bearerToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 } as const;

function derive(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keylen, options, (err, k) => (err ? reject(err) : resolve(k))),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** A stand-in hash, so that checking an unknown account costs what checking a known one does. */
const DUMMY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(32).toString('base64')}`;

/**
 * Whether `password` matches a hashPassword() result, compared in constant time. A null or
 * malformed hash is a mismatch, after the same scrypt work as a real check.
 */
export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const parts = (stored ?? DUMMY_HASH).split('$');
  const [kind, n, r, p, salt, key] = parts;
  const valid = parts.length === 6 && kind === 'scrypt' && salt !== undefined && key !== undefined;
  const [N, R, P] = valid ? [Number(n), Number(r), Number(p)] : [SCRYPT.N, SCRYPT.r, SCRYPT.p];
  const expected = Buffer.from(valid ? key : '', 'base64');
  const derived = await derive(
    password,
    Buffer.from(valid ? salt : '', 'base64'),
    expected.length || SCRYPT.keylen,
    {
      N,
      r: R,
      p: P,
    },
  );
  return stored !== null && valid && derived.length === expected.length && timingSafeEqual(derived, expected);
}
