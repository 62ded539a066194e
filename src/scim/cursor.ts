/**
 * Cursors of RFC 9865 (cursor-based pagination): what one carries and its wire form.
 *
 * A cursor names a position, the last row of the page that issued it (its sort key and
 * internal pk: keyset paging, see store/cursor-keyset.ts), the query it belongs to (org,
 * resource type, filter, sort) and when it was issued. On the wire it is sealed, because
 * RFC 9865 §2 wants it opaque and URL-safe and §5.2 wants it neither interpretable nor
 * forgeable: the pk would otherwise tell every tenant how many rows the whole database holds,
 * and a forged position or scope must be refused, as invalidCursor.
 *
 * Sealing follows the SIV construction (RFC 5297) with HMAC-SHA-256 as its PRF: the first
 * 128 bits of HMAC(macKey, plaintext) are both the authentication tag and the CTR IV of
 * AES-256 under encKey. It needs no nonce, so instances sharing one secret cannot collide on
 * one, and any change to a cursor fails the tag check.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  timingSafeEqual,
} from 'node:crypto';
import { ScimError } from './errors.ts';
import type { ListQuery, RootQuery } from './list-query.ts';

/** What a cursor is bound to: it is refused in any request whose scope differs. */
export interface CursorScope {
  orgId: string;
  type: string;
  /** Digest of the parsed filter; '' without one. */
  filter: string;
  /** `<path>:a|d`; '' without sortBy. */
  sort: string;
}

/** The last row of the page that issued the cursor; the next page starts after it. */
export interface CursorPosition {
  key: string | number | null;
  pk: number;
}

export interface CursorKeys {
  mac: Buffer;
  enc: Buffer;
}

const VERSION = 1;
const TAG_BYTES = 16;
/** Far above any real cursor (sort keys are at most 1024 characters): refuse before decoding. */
const MAX_CURSOR_LENGTH = 8192;

/** Two independent 256-bit keys from one secret (HKDF, RFC 5869). */
export function cursorKeys(secret: string): CursorKeys {
  const okm = Buffer.from(hkdfSync('sha256', secret, 'scim-cursor', 'scim cursor v1: mac|enc', 64));
  return { mac: okm.subarray(0, 32), enc: okm.subarray(32, 64) };
}

/**
 * The scope a cursor is bound to. The filter is compared parsed, not as text, so that two
 * spellings of one filter (attribute name case, spacing, URL encoding) share cursors.
 */
export function cursorScope(
  orgId: string,
  type: string,
  query: Pick<ListQuery, 'filter' | 'sort'>,
): CursorScope {
  const filter = query.filter
    ? createHash('sha256').update(JSON.stringify(query.filter)).digest('base64url').slice(0, 22)
    : '';
  const sort = query.sort ? `${query.sort.attr.path}:${query.sort.descending ? 'd' : 'a'}` : '';
  return { orgId, type, filter, sort };
}

/** The scope of a search at the service root (RFC 7644 §3.4.3): every type's filter and sort key. */
export function rootCursorScope(orgId: string, query: Pick<RootQuery, 'filters' | 'sort'>): CursorScope {
  const filter = createHash('sha256')
    .update(JSON.stringify([...query.filters]))
    .digest('base64url')
    .slice(0, 22);
  const paths = query.sort ? [...query.sort.attrs.values()].map((a) => a.path).join(',') : '';
  const sort = query.sort ? `${paths}:${query.sort.descending ? 'd' : 'a'}` : '';
  return { orgId, type: '/', filter, sort };
}

function tagOf(keys: CursorKeys, plaintext: Buffer): Buffer {
  return createHmac('sha256', keys.mac).update(plaintext).digest().subarray(0, TAG_BYTES);
}

function ctr(keys: CursorKeys, iv: Buffer, input: Buffer, decrypt: boolean): Buffer {
  const cipher = decrypt
    ? createDecipheriv('aes-256-ctr', keys.enc, iv)
    : createCipheriv('aes-256-ctr', keys.enc, iv);
  return Buffer.concat([cipher.update(input), cipher.final()]);
}

/** The `nextCursor` value for a page that ended at `position` (RFC 9865 §2, Table 2). */
export function sealCursor(
  keys: CursorKeys,
  scope: CursorScope,
  position: CursorPosition,
  issuedAt: Date,
): string {
  const payload = [
    VERSION,
    scope.orgId,
    scope.type,
    scope.filter,
    scope.sort,
    position.key,
    position.pk,
    issuedAt.getTime(),
  ];
  const plaintext = Buffer.from(JSON.stringify(payload), 'utf8');
  const tag = tagOf(keys, plaintext);
  return Buffer.concat([tag, ctr(keys, tag, plaintext, false)]).toString('base64url');
}

const MALFORMED =
  'The cursor is malformed or was not issued by this server; send an empty cursor to start again';

function unseal(keys: CursorKeys, token: string): unknown[] {
  if (token.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    throw ScimError.invalidCursor(MALFORMED);
  }
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical encoding: no two strings name one cursor.
  if (bytes.length <= TAG_BYTES || bytes.toString('base64url') !== token) {
    throw ScimError.invalidCursor(MALFORMED);
  }
  const tag = bytes.subarray(0, TAG_BYTES);
  const plaintext = ctr(keys, tag, bytes.subarray(TAG_BYTES), true);
  if (!timingSafeEqual(tag, tagOf(keys, plaintext))) throw ScimError.invalidCursor(MALFORMED);
  try {
    const payload: unknown = JSON.parse(plaintext.toString('utf8'));
    if (Array.isArray(payload)) return payload;
  } catch {
    // falls through: authentic but unreadable means another version of this code sealed it
  }
  throw ScimError.invalidCursor(MALFORMED);
}

/**
 * The position a request's `cursor` names (RFC 9865 §2), after checking that this server
 * sealed it, for this org, resource type, filter and sort (else invalidCursor, §2.1), and
 * that it is at most `timeoutSeconds` old (else expiredCursor, §2.1; cursorTimeout, §4).
 */
export function openCursor(
  keys: CursorKeys,
  token: string,
  scope: CursorScope,
  now: Date,
  timeoutSeconds: number,
): CursorPosition {
  const [version, orgId, type, filter, sort, key, pk, issuedAt] = unseal(keys, token);
  if (
    version !== VERSION ||
    !(typeof key === 'string' || typeof key === 'number' || key === null) ||
    typeof pk !== 'number' ||
    !Number.isSafeInteger(pk) ||
    typeof issuedAt !== 'number'
  ) {
    throw ScimError.invalidCursor(MALFORMED);
  }
  if (orgId !== scope.orgId || type !== scope.type || filter !== scope.filter || sort !== scope.sort) {
    throw ScimError.invalidCursor(
      'The cursor belongs to another query: send the same endpoint, filter, sortBy and sortOrder as the request that returned it',
    );
  }
  if (now.getTime() - issuedAt > timeoutSeconds * 1000) {
    throw ScimError.expiredCursor(
      `The cursor has expired (cursors are valid for ${timeoutSeconds} seconds); send an empty cursor to start again`,
    );
  }
  return { key, pk };
}
