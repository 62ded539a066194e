/**
 * The short hint each failed request carries in the request log: the likely cause, in words an
 * admin can act on ("userName 'x' already used by user <id>", "token revoked at …"). The rules
 * are pure (`hintFor`) over facts gathered when the log is written, after the response went out
 * (`gatherHintFacts`), never during the request.
 */
import { bearerToken, hashToken, looksLikeToken } from '../directory/credentials.ts';
import type { RequestLogService } from '../directory/request-log.ts';

/** What the capture knows about a finished request (no secret: the bearer is already hashed). */
export interface HintInput {
  orgId: string;
  method: string;
  /** Path without the query string, e.g. `/scim/v2/acme/Users/123`. */
  path: string;
  status: number;
  /** From the SCIM error body (RFC 7644 §3.12). */
  scimType: string | null;
  detail: string | null;
  /** Parsed request body (for the userName of a 409). */
  requestBody: unknown;
  /** How the request authenticated, for 401s. */
  auth: AuthShape;
  /** Response headers that explain themselves (Allow, Retry-After). */
  allow?: string | undefined;
  retryAfter?: string | undefined;
  contentType?: string | undefined;
  maxBodyBytes: number;
}

export type AuthShape =
  | { kind: 'none' }
  | { kind: 'not-bearer'; scheme: string }
  | { kind: 'malformed' }
  | { kind: 'bearer'; hash: string };

/** Looked up in the database when the log is written. */
export interface HintFacts {
  /** 401: the presented token's org and state; null when no token has that hash. */
  token?: { orgId: string; revokedAt: string | null; expiresAt?: string | null } | null;
  /** 409 on Users: the id of the user holding the userName now. */
  holderId?: string | null;
  /** 404/412: the resource's state now. */
  resource?: { version: number; deletedAt: string | null } | null;
}

/** What kind of Authorization a request presented, without keeping the credentials (RFC 6750 §2.1). */
export function authShape(authorization: string | undefined): AuthShape {
  if (!authorization) return { kind: 'none' };
  const token = bearerToken(authorization);
  if (token === undefined) return { kind: 'not-bearer', scheme: authorization.split(/\s/)[0] ?? '' };
  if (!looksLikeToken(token)) return { kind: 'malformed' };
  return { kind: 'bearer', hash: hashToken(token) };
}

/** `/scim/v2/<org>/Users/<id>` → the resource type and id it names, if any. */
export function resourceOf(path: string): { type: 'User' | 'Group'; id: string | undefined } | undefined {
  const match = /^\/scim\/v2\/[^/]+\/(Users|Groups)(?:\/([^/?]+))?\/?$/.exec(path);
  if (!match) return undefined;
  let id: string | undefined;
  try {
    id = match[2] === undefined ? undefined : decodeURIComponent(match[2]);
  } catch {
    id = match[2];
  }
  return { type: match[1] === 'Users' ? 'User' : 'Group', id };
}

function short(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length <= max ? one : `${one.slice(0, max - 1)}…`;
}

function userNameOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const entry = Object.entries(body).find(([k]) => k.toLowerCase() === 'username');
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
}

function unauthorizedHint(input: HintInput, facts: HintFacts): string {
  const auth = input.auth;
  switch (auth.kind) {
    case 'none':
      return 'no bearer token';
    case 'not-bearer':
      return `Authorization is ${auth.scheme || 'empty'}, not Bearer`;
    case 'malformed':
      return 'malformed token (expected scim_…)';
    case 'bearer': {
      const token = facts.token;
      if (!token) return 'unknown token';
      if (token.orgId !== input.orgId) return 'token is not for this organization';
      if (token.revokedAt) return `token revoked at ${token.revokedAt}`;
      if (token.expiresAt) return `token expired at ${token.expiresAt}`;
      return short(input.detail ?? 'unauthorized');
    }
  }
}

/** The hint of a failed request (status ≥ 400), or null for a success. */
export function hintFor(input: HintInput, facts: HintFacts = {}): string | null {
  const { status, scimType, detail } = input;
  if (status < 400) return null;
  const target = resourceOf(input.path);
  switch (status) {
    case 401:
      return unauthorizedHint(input, facts);
    case 404: {
      if (!target) return `no endpoint ${input.method} ${short(input.path, 100)}`;
      if (target.id === undefined) return short(detail ?? 'not found');
      if (facts.resource?.deletedAt)
        return `${target.type} ${target.id} was deleted at ${facts.resource.deletedAt}`;
      return `no ${target.type} with id ${short(target.id, 100)}`;
    }
    case 405:
      return `${input.method} not allowed here${input.allow ? ` (Allow: ${input.allow})` : ''}`;
    case 409: {
      const userName = userNameOf(input.requestBody);
      if (target?.type === 'User' && userName !== undefined) {
        return facts.holderId
          ? `userName '${short(userName, 100)}' already used by user ${facts.holderId}`
          : `userName '${short(userName, 100)}' already used`;
      }
      return short(detail ?? 'conflict');
    }
    case 412: {
      // A user in groups has a tag W/"<version>-<digest>" (resourceEtag), which only the
      // detail carries: the stored version alone is then not its tag.
      const current = /current version (W\/"[^"]+")/.exec(detail ?? '')?.[1];
      if (current) return `ETag mismatch: current version is ${current}`;
      if (facts.resource && !facts.resource.deletedAt) {
        return `ETag mismatch: the resource is at stored version ${facts.resource.version}`;
      }
      return short(detail ?? 'precondition failed');
    }
    case 413:
      return `body larger than MAX_BODY_BYTES (${input.maxBodyBytes})`;
    case 415:
      return `unsupported Content-Type${input.contentType ? ` '${short(input.contentType, 60)}'` : ''}`;
    case 429:
      return `rate limited${input.retryAfter ? `; retry after ${input.retryAfter} s` : ''}`;
  }
  if (status === 400) {
    if (scimType === 'invalidFilter') return `filter not supported: ${short(detail ?? '')}`;
    if (scimType === 'invalidSyntax' && /not valid JSON/i.test(detail ?? '')) return 'body is not valid JSON';
    if (scimType === 'invalidSyntax' && /empty/i.test(detail ?? '')) return 'body is empty';
    return short(`${scimType ?? 'bad request'}: ${detail ?? ''}`);
  }
  if (status >= 500)
    return short(`server error (${status}); see the server log${detail ? `: ${detail}` : ''}`);
  return short(detail ?? `status ${status}`);
}

/** The database facts `hintFor` needs for this failure; nothing for the others. */
export async function gatherHintFacts(log: RequestLogService, input: HintInput): Promise<HintFacts> {
  const target = resourceOf(input.path);
  if (input.status === 401 && input.auth.kind === 'bearer') {
    return { token: (await log.tokenFacts(input.auth.hash)) ?? null };
  }
  if (input.status === 409 && target?.type === 'User') {
    const userName = userNameOf(input.requestBody);
    if (userName !== undefined) {
      return { holderId: (await log.userHolding(input.orgId, userName)) ?? null };
    }
  }
  if ((input.status === 404 || input.status === 412) && target?.id !== undefined) {
    return { resource: (await log.resourceState(input.orgId, target.type, target.id)) ?? null };
  }
  return {};
}
