/**
 * Sign-in attempts: the hand-over between the OIDC provider the host app signs in with
 * (src/oidc/) and the SSO run with the org's IdP (src/sso/), docs/sso.md "Sign-in attempts".
 *
 *   start    (the provider) picks the org and its connection (home-realm discovery: an email's
 *            domain, a domain, or an org id) and records an attempt that expires in 10 minutes;
 *            it answers where to send the browser (`/sso/begin/<attemptId>`).
 *   complete (src/sso/) records the signed-in directory user, once, for the attempt's connection.
 *   take     (the provider) reads a completed attempt once: a second take, or one after expiry,
 *            gets null. One conditional UPDATE, so this holds across instances.
 *
 * Attempt ids are 192 random bits. An attempt belongs to one org: complete refuses a user who
 * is not a live user of that org.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { getOrg } from '../store/orgs.ts';
import { getResource } from '../store/resources.ts';
import {
  completeSignInAttempt,
  getLiveSignInAttempt,
  insertSignInAttempt,
  pruneSignInAttempts,
  type SignInAttemptRecord,
  setSignInFlow,
  takeSignInAttempt,
  takeSignInAttemptFor,
} from '../store/sign-ins.ts';
import { findSsoDomain, getSsoConnection, listSsoConnections } from '../store/sso.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';

/** How long an attempt lives, from start to take. */
export const SIGN_IN_TTL_MS = 10 * 60 * 1000;
/** Expired attempts are deleted this long after they expired. */
const PRUNE_AFTER_MS = 60 * 60 * 1000;
const MAX_RETURN_TO = 2048;
const MAX_EMAIL = 320;
/** Largest claims object complete() keeps, as JSON. */
export const MAX_CLAIMS_BYTES = 16 * 1024;
/** Largest sealed flow state src/sso/ may keep on an attempt. */
const MAX_FLOW_BYTES = 16 * 1024;

/**
 * What an attempt is for: `app` (the OIDC provider signs a directory user in to the host app),
 * `test` (a setup page or the console tries a connection: the IdP's answer is recorded and
 * shown, nobody signs in, no user is looked up or created) or `operator` (the console's SSO
 * sign-in: the asserted email finds an operator, docs/console.md). Only `app` attempts are
 * ever taken by the provider.
 */
export const SIGN_IN_PURPOSES = ['app', 'test', 'operator'] as const;
export type SignInPurpose = (typeof SIGN_IN_PURPOSES)[number];

/** What the IdP answered, for a `test` or `operator` attempt. */
export type IdentityResult =
  | {
      ok: true;
      /** SAML NameID or OIDC `sub`. */
      nameId: string;
      /** The connection's attributes (email, givenName, …) as read through its names. */
      claims: Record<string, string>;
      /** Everything the IdP sent, by its own names (values bounded), for the admin to map. */
      received: Record<string, string>;
      /** False when the IdP says the email is not verified (OIDC `email_verified: false`). */
      emailVerified: boolean;
    }
  | { ok: false; error: string };

const MAX_RECEIVED = 40;
const MAX_RECEIVED_VALUE = 300;

/** The received attributes, bounded so the result fits MAX_CLAIMS_BYTES. */
export function boundReceived(attributes: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes).slice(0, MAX_RECEIVED)) {
    const list = Array.isArray(value) ? value : [value];
    const text = list
      .map((v) => (typeof v === 'string' ? v : JSON.stringify(v)))
      .join(', ')
      .slice(0, MAX_RECEIVED_VALUE);
    out[name.slice(0, 200)] = text;
  }
  return out;
}

export interface StartSignIn {
  /** Default `app`. */
  purpose?: SignInPurpose | undefined;
  /** A connection of the org to run (a test names the one it tries); else routing picks it. */
  connectionId?: string | undefined;
  orgId?: string | undefined;
  /** The user's email (e.g. the OIDC `login_hint`): its domain routes the sign-in. */
  email?: string | undefined;
  domain?: string | undefined;
  /** Where the browser goes when SSO completed: a path on this origin (the provider's resume URL). */
  returnTo: string;
}

export interface StartedSignIn {
  attemptId: string;
  /** Where to send the browser: a path on this origin under /sso/. */
  redirectTo: string;
  /**
   * The browser binding: the caller puts it in the browser that started the sign-in, as the
   * cookie src/sso/cookies.ts `ssoBindCookie` makes, before redirecting. /sso/begin refuses a
   * browser without it, so a sign-in link handed to someone else cannot sign them in to the
   * starter's session.
   */
  browserSecret: string;
}

export interface CompleteSignIn {
  userId: string;
  connectionId: string;
  /** What the IdP asserted that the provider may put in its ID token (JSON, at most 16 KiB). */
  claims?: Record<string, unknown> | undefined;
}

export interface TakenSignIn {
  orgId: string;
  userId: string;
  connectionId: string;
  completedAt: string;
  claims: Record<string, unknown>;
}

/** An attempt as src/sso/ sees it while it runs the protocol. */
export interface PendingSignIn {
  attemptId: string;
  /** SHA-256 of the browser binding secret (browserMatches). */
  browserHash: string | null;
  orgId: string;
  connectionId: string;
  returnTo: string;
  expiresAt: string;
  /** src/sso/'s sealed state, as it stored it (setFlow), or null. */
  flow: string | null;
  purpose: SignInPurpose;
}

/** A `test` attempt as its org sees it. */
export interface SignInTest {
  attemptId: string;
  connectionId: string;
  status: 'pending' | 'succeeded' | 'failed';
  expiresAt: string;
  /** Set when status is not pending. */
  result: IdentityResult | null;
}

function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Whether `secret` is the attempt's browser binding (constant time). */
export function browserMatches(attempt: { browserHash: string | null }, secret: string | undefined): boolean {
  if (attempt.browserHash === null) return false;
  if (typeof secret !== 'string' || secret.length > 200) return false;
  const a = Buffer.from(sha256Hex(secret));
  const b = Buffer.from(attempt.browserHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

const ATTEMPT_ID = /^sia_[A-Za-z0-9_-]{32}$/;
/** A DNS name: labels of letters, digits and hyphens, at least two of them. */
const DOMAIN =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The lower-cased domain, or a DirectoryError naming what is wrong. */
export function normalizeDomain(input: string): string {
  const domain = input.trim().toLowerCase().replace(/\.$/, '');
  if (!DOMAIN.test(domain)) throw new DirectoryError(`'${input.slice(0, 260)}' is not a domain name`);
  return domain;
}

/** The domain part of an email address (after its last `@`), normalized. */
function emailDomain(email: string): string {
  if (email.length > MAX_EMAIL)
    throw new DirectoryError(`An email address must be at most ${MAX_EMAIL} characters`);
  const at = email.lastIndexOf('@');
  if (at < 1 || at === email.length - 1) throw new DirectoryError('The email address has no domain');
  return normalizeDomain(email.slice(at + 1));
}

/**
 * A path on this origin: `/` then no second `/` or `\` (which browsers read as another host),
 * no scheme, no control characters. Anything else is refused, so an attempt cannot send the
 * browser elsewhere (no open redirect).
 */
export function checkReturnTo(returnTo: string): string {
  if (
    typeof returnTo !== 'string' ||
    returnTo.length === 0 ||
    returnTo.length > MAX_RETURN_TO ||
    !returnTo.startsWith('/') ||
    returnTo.startsWith('//') ||
    returnTo.startsWith('/\\') ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    /[\u0000-\u001f\u007f\\]/.test(returnTo)
  ) {
    throw new DirectoryError(
      `returnTo must be a path on this origin (starting with a single '/'), at most ${MAX_RETURN_TO} characters`,
    );
  }
  return returnTo;
}

/** `returnTo` with `attempt=<id>` added to its query. */
function withAttempt(returnTo: string, attemptId: string): string {
  const hash = returnTo.indexOf('#');
  const base = hash === -1 ? returnTo : returnTo.slice(0, hash);
  return `${base}${base.includes('?') ? '&' : '?'}attempt=${attemptId}`;
}

export class SignInService {
  constructor(private readonly deps: DirectoryDeps) {}

  private get db() {
    return this.deps.database.db;
  }

  /**
   * Starts a sign-in: the org from `orgId`, or from the domain of `domain` or `email` (its
   * registered owner); the connection the domain names, else the org's oldest enabled one.
   * Throws DirectoryError `not_found` for an unknown org or domain or an org without an enabled
   * connection, `invalid_request` for a bad input or an org id that does not own the domain.
   */
  async start(input: StartSignIn): Promise<StartedSignIn> {
    const returnTo = checkReturnTo(input.returnTo);
    const domain =
      input.domain !== undefined
        ? normalizeDomain(input.domain)
        : input.email !== undefined
          ? emailDomain(input.email)
          : undefined;
    const purpose = input.purpose ?? 'app';
    if (!SIGN_IN_PURPOSES.includes(purpose)) throw new DirectoryError(`Unknown sign-in purpose '${purpose}'`);
    let orgId = input.orgId;
    let connectionId: string | null = input.connectionId ?? null;
    if (domain !== undefined) {
      const found = await findSsoDomain(this.db, domain);
      if (found && orgId !== undefined && found.orgId !== orgId) {
        throw new DirectoryError(`The domain '${domain}' does not belong to organization '${orgId}'`);
      }
      if (!found && orgId === undefined) {
        throw DirectoryError.notFound(`No organization signs in users of '${domain}'`);
      }
      if (found) {
        orgId = found.orgId;
        connectionId ??= found.connectionId;
      }
    }
    if (orgId === undefined)
      throw new DirectoryError('Name the organization: an org id, an email or a domain');
    if (typeof orgId !== 'string' || orgId.length > 200 || !(await getOrg(this.db, orgId))) {
      throw DirectoryError.notFound(`No organization '${String(orgId).slice(0, 200)}'`);
    }
    if (connectionId !== null && (typeof connectionId !== 'string' || connectionId.length > 100))
      throw DirectoryError.notFound('No such SSO connection');
    const connection = connectionId
      ? await getSsoConnection(this.db, orgId, connectionId)
      : (await listSsoConnections(this.db, orgId)).find((c) => c.enabled);
    if (!connection?.enabled) {
      throw DirectoryError.notFound(
        input.connectionId !== undefined
          ? `Organization '${orgId}' has no enabled SSO connection '${input.connectionId}'`
          : `Organization '${orgId}' has no enabled SSO connection`,
      );
    }
    const now = this.deps.now();
    const attemptId = `sia_${randomBytes(24).toString('base64url')}`;
    const browserSecret = randomBytes(24).toString('base64url');
    await insertSignInAttempt(this.db, {
      browserHash: sha256Hex(browserSecret),
      purpose,
      id: attemptId,
      orgId,
      connectionId: connection.id,
      returnTo,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + SIGN_IN_TTL_MS).toISOString(),
    });
    // Index range delete on expires_at: cheap, and keeps the table to about an hour of attempts.
    await pruneSignInAttempts(this.db, new Date(now.getTime() - PRUNE_AFTER_MS).toISOString());
    return { attemptId, redirectTo: `/sso/begin/${attemptId}`, browserSecret };
  }

  /** A live attempt not completed yet (for src/sso/), or undefined. */
  async pending(attemptId: string): Promise<PendingSignIn | undefined> {
    if (typeof attemptId !== 'string' || !ATTEMPT_ID.test(attemptId)) return undefined;
    const r = await getLiveSignInAttempt(this.db, attemptId, this.deps.now().toISOString());
    if (!r || r.completedAt !== null) return undefined;
    return pending(r);
  }

  /** Keeps src/sso/'s sealed state on a pending attempt; false when it is no longer pending. */
  async setFlow(attemptId: string, flow: string): Promise<boolean> {
    if (!ATTEMPT_ID.test(attemptId)) return false;
    if (flow.length > MAX_FLOW_BYTES) throw new DirectoryError('The sign-in state is too large');
    return setSignInFlow(this.db, attemptId, flow, this.deps.now().toISOString());
  }

  /**
   * Records who signed in. The user must be a live user of the attempt's org, and the
   * connection the attempt's. Once only: a second complete, or one after expiry, throws
   * `not_found`. Answers where to send the browser: the attempt's returnTo with `?attempt=<id>`.
   */
  async complete(attemptId: string, c: CompleteSignIn): Promise<{ redirectTo: string }> {
    const now = this.deps.now().toISOString();
    const gone = () =>
      DirectoryError.notFound(`No pending sign-in attempt '${String(attemptId).slice(0, 60)}'`);
    if (typeof attemptId !== 'string' || !ATTEMPT_ID.test(attemptId)) throw gone();
    let claims: string | null = null;
    if (c.claims !== undefined) {
      claims = JSON.stringify(c.claims);
      if (Buffer.byteLength(claims) > MAX_CLAIMS_BYTES) {
        throw new DirectoryError(`Sign-in claims must be at most ${MAX_CLAIMS_BYTES} bytes as JSON`);
      }
    }
    const attempt = await getLiveSignInAttempt(this.db, attemptId, now);
    if (!attempt || attempt.completedAt !== null || attempt.purpose !== 'app') throw gone();
    const user = await getResource(this.db, attempt.orgId, 'User', c.userId);
    if (!user) throw DirectoryError.notFound(`No user '${c.userId}' in organization '${attempt.orgId}'`);
    if (user.active === false) throw new DirectoryError(`User '${c.userId}' is deactivated`);
    const done = await completeSignInAttempt(this.db, attemptId, {
      connectionId: c.connectionId,
      userId: c.userId,
      claims,
      now,
    });
    if (!done) throw gone();
    return { redirectTo: withAttempt(attempt.returnTo, attemptId) };
  }

  /**
   * Records what the IdP answered for a `test` or `operator` attempt (no user is looked up or
   * created), once. Answers where to send the browser, like complete().
   */
  async completeIdentity(
    attemptId: string,
    connectionId: string,
    result: IdentityResult,
  ): Promise<{ redirectTo: string }> {
    const now = this.deps.now().toISOString();
    const gone = () =>
      DirectoryError.notFound(`No pending sign-in attempt '${String(attemptId).slice(0, 60)}'`);
    if (typeof attemptId !== 'string' || !ATTEMPT_ID.test(attemptId)) throw gone();
    const attempt = await getLiveSignInAttempt(this.db, attemptId, now);
    if (!attempt || attempt.completedAt !== null || attempt.purpose === 'app') throw gone();
    let claims = JSON.stringify(result);
    if (Buffer.byteLength(claims) > MAX_CLAIMS_BYTES && result.ok)
      claims = JSON.stringify({ ...result, received: {} });
    if (Buffer.byteLength(claims) > MAX_CLAIMS_BYTES)
      claims = JSON.stringify({ ok: false, error: 'The IdP sent more than this test can show' });
    const done = await completeSignInAttempt(this.db, attemptId, { connectionId, userId: null, claims, now });
    if (!done) throw gone();
    return { redirectTo: withAttempt(attempt.returnTo, attemptId) };
  }

  /** An org's `test` attempt and, once the IdP answered, its result (readable until it expires). */
  async test(orgId: string, attemptId: string): Promise<SignInTest> {
    const r =
      typeof attemptId === 'string' && ATTEMPT_ID.test(attemptId)
        ? await getLiveSignInAttempt(this.db, attemptId, this.deps.now().toISOString())
        : undefined;
    if (!r || r.orgId !== orgId || r.purpose !== 'test')
      throw DirectoryError.notFound('No such sign-in test, or it expired (tests last 10 minutes)');
    const result = r.claims ? (JSON.parse(r.claims) as IdentityResult) : null;
    return {
      attemptId: r.id,
      connectionId: r.connectionId,
      status: result === null ? 'pending' : result.ok ? 'succeeded' : 'failed',
      expiresAt: r.expiresAt,
      result,
    };
  }

  /**
   * A completed `operator` attempt, once, and only in the browser that started it (its
   * binding secret): null otherwise.
   */
  async takeOperator(
    attemptId: string,
    browserSecret: string | undefined,
  ): Promise<{ orgId: string; connectionId: string; result: IdentityResult } | null> {
    if (typeof attemptId !== 'string' || !ATTEMPT_ID.test(attemptId)) return null;
    const now = this.deps.now().toISOString();
    const live = await getLiveSignInAttempt(this.db, attemptId, now);
    if (!live || !browserMatches(live, browserSecret)) return null;
    const r = await takeSignInAttemptFor(this.db, attemptId, 'operator', now);
    if (!r?.claims) return null;
    return { orgId: r.orgId, connectionId: r.connectionId, result: JSON.parse(r.claims) as IdentityResult };
  }

  /**
   * The completed attempt, once: null when it is unknown, not completed, expired or already
   * taken.
   */
  async take(attemptId: string): Promise<TakenSignIn | null> {
    if (typeof attemptId !== 'string' || !ATTEMPT_ID.test(attemptId)) return null;
    const r = await takeSignInAttempt(this.db, attemptId, this.deps.now().toISOString());
    if (!r || r.userId === null || r.completedAt === null) return null;
    return {
      orgId: r.orgId,
      userId: r.userId,
      connectionId: r.connectionId,
      completedAt: r.completedAt,
      claims: r.claims ? (JSON.parse(r.claims) as Record<string, unknown>) : {},
    };
  }
}

function pending(r: SignInAttemptRecord): PendingSignIn {
  return {
    attemptId: r.id,
    browserHash: r.browserHash,
    orgId: r.orgId,
    connectionId: r.connectionId,
    returnTo: r.returnTo,
    expiresAt: r.expiresAt,
    flow: r.flow,
    purpose: (SIGN_IN_PURPOSES as readonly string[]).includes(r.purpose)
      ? (r.purpose as SignInPurpose)
      : 'app',
  };
}
