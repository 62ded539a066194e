/**
 * Console operators (docs/console.md): the people who run the service. An operator is created
 * without a password and given a one-time link that sets it (the first start prints one; the
 * CLI's `operators create|reset` makes others). Passwords are scrypt hashes; sessions are 256
 * random bits in a cookie, stored as SHA-256, with a CSRF token derived from the session secret
 * (HMAC), so a page and the API can check it without storing it.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import { StoreConflict } from '../store/errors.ts';
import * as store from '../store/operators.ts';
import type { DB } from '../store/schema.ts';
import { type Author, auditWriter, DEPLOYMENT_TRAIL, UNATTRIBUTED } from './audit.ts';
import { hashPassword, hashToken, issueSecret, sameHash, verifyPassword } from './credentials.ts';
import type { DirectoryDeps } from './deps.ts';
import { DirectoryError } from './errors.ts';
import { type FlashFields, isFlashId, openFlash, sealFlash } from './flashes.ts';
import type { SecretKeys } from './secret-keys.ts';

export const OPERATOR_LINK_PREFIX = 'opl_';
export const SESSION_PREFIX = 'ses_';
const LINK_PATTERN = /^opl_[A-Za-z0-9_-]{43}$/;
const SESSION_PATTERN = /^ses_[A-Za-z0-9_-]{43}$/;
/** A password link is good for a day. */
export const OPERATOR_LINK_TTL_MS = 24 * 3600_000;
/** A session lasts 12 hours from sign-in. */
export const SESSION_TTL_MS = 12 * 3600_000;
export const MIN_PASSWORD = 12;
/** scrypt's cost grows with the input; nobody types more. */
export const MAX_PASSWORD = 256;
const MAX_EMAIL = 254;

export interface Operator {
  id: string;
  email: string;
  /** Whether a password is set (false until the operator's first link is used). */
  active: boolean;
  createdAt: string;
}

export interface OperatorSession {
  operatorId: string;
  email: string;
  /** The CSRF token of this session: forms and unsafe API requests carry it. */
  csrf: string;
  expiresAt: string;
}

/** What goes in the cookie (secret) and when it ends. */
export interface NewSession extends OperatorSession {
  token: string;
}

function normaliseEmail(email: string): string {
  const clean = email.trim().toLowerCase();
  if (!clean || clean.length > MAX_EMAIL || !/^[^\s@]+@[^\s@]+$/.test(clean))
    throw new DirectoryError(`'${email.slice(0, 80)}' is not an email address`);
  return clean;
}

/** The CSRF token of a session: HMAC of a fixed label under the session's secret. */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('scimitar csrf v1').digest('base64url');
}

export class OperatorService {
  constructor(
    private readonly deps: DirectoryDeps,
    private readonly keys: SecretKeys,
  ) {}

  private readonly audit = auditWriter(() => this.deps.now());

  private get db() {
    return this.deps.database.db;
  }

  count(): Promise<number> {
    return store.countOperators(this.db);
  }

  async list(): Promise<Operator[]> {
    return (await store.listOperators(this.db)).map((o) => ({
      id: o.id,
      email: o.email,
      active: o.passwordHash !== null,
      createdAt: o.createdAt,
    }));
  }

  private async issueLink(
    db: Kysely<DB>,
    operatorId: string,
    by: Author,
    action: string,
  ): Promise<{ token: string; expiresAt: string }> {
    const { token, hash } = issueSecret(OPERATOR_LINK_PREFIX);
    const now = this.deps.now();
    const expiresAt = new Date(now.getTime() + OPERATOR_LINK_TTL_MS).toISOString();
    // Operators belong to no org: the deployment's trail; never the link's secret.
    await this.audit(db, DEPLOYMENT_TRAIL, by, action, 'Operator', operatorId, ['passwordLink']);
    await store.insertOperatorLink(db, {
      hash,
      operatorId,
      createdAt: now.toISOString(),
      expiresAt,
    });
    return { token, expiresAt };
  }

  /** A new operator without a password, and the one-time link secret that sets it. */
  async create(
    email: string,
    by: Author = UNATTRIBUTED,
  ): Promise<{ operator: Operator; link: { token: string; expiresAt: string } }> {
    const clean = normaliseEmail(email);
    const operator = { id: this.deps.newId(), email: clean, createdAt: this.deps.now().toISOString() };
    try {
      const link = await this.db.transaction().execute(async (tx) => {
        await store.insertOperator(tx, operator);
        return this.issueLink(tx, operator.id, by, 'operator.create');
      });
      return { operator: { ...operator, active: false }, link };
    } catch (error) {
      if (error instanceof StoreConflict)
        throw DirectoryError.conflict(`There is already an operator '${clean}'`);
      throw error;
    }
  }

  /** A new one-time link for an existing operator (a forgotten password); the old password works until it is used. */
  async reset(email: string, by: Author = UNATTRIBUTED): Promise<{ token: string; expiresAt: string }> {
    const found = await store.findOperatorByEmail(this.db, normaliseEmail(email));
    if (!found) throw DirectoryError.notFound(`No operator '${email.trim().toLowerCase()}'`);
    return this.db.transaction().execute((tx) => this.issueLink(tx, found.id, by, 'operator.reset'));
  }

  /** The operator a link is for, while it is usable; undefined for a used, expired or unknown link. */
  async checkLink(token: string): Promise<{ email: string; expiresAt: string } | undefined> {
    if (!LINK_PATTERN.test(token)) return undefined;
    const link = await store.findOperatorLink(this.db, hashToken(token));
    if (!link || link.usedAt !== null || link.expiresAt <= this.deps.now().toISOString()) return undefined;
    return { email: link.email, expiresAt: link.expiresAt };
  }

  /**
   * Uses a link: sets the password, ends the operator's other sessions, and signs in. The
   * deployment's trail records it (`operator.set_password`, the operator its own actor, as
   * `attributes` only the name `password`), in the same transaction.
   */
  async setPassword(token: string, password: string, requestId: string | null = null): Promise<NewSession> {
    checkPassword(password);
    const gone = () =>
      new DirectoryError('This link was used already or has expired; ask for a new one', 'not_found');
    if (!LINK_PATTERN.test(token)) throw gone();
    const hash = await hashPassword(password);
    const id = await this.db.transaction().execute(async (tx) => {
      const id = await store.useOperatorLink(tx, hashToken(token), hash, this.deps.now().toISOString());
      if (id) {
        const by: Author = { kind: 'operator', tokenId: id, requestId };
        await this.audit(tx, DEPLOYMENT_TRAIL, by, 'operator.set_password', 'Operator', id, ['password']);
      }
      return id;
    });
    if (!id) throw gone();
    return this.startSession(id);
  }

  /**
   * Checks an email and password. Unknown email, no password yet and a wrong password all get
   * the same error, after the same work (a hash is computed either way).
   */
  async signIn(email: string, password: string): Promise<NewSession> {
    const refused = () => new DirectoryError('The email or password is not right', 'unauthorized');
    if (password.length > MAX_PASSWORD) throw refused();
    let clean: string;
    try {
      clean = normaliseEmail(email);
    } catch {
      throw refused();
    }
    const found = await store.findOperatorByEmail(this.db, clean);
    const ok = await verifyPassword(password, found?.passwordHash ?? null);
    if (!found || !ok) throw refused();
    return this.startSession(found.id);
  }

  /**
   * An operator's SSO sign-in (docs/console.md): the email the deployment's operator IdP
   * asserted, which must be verified, finds the operator; `createMissing` makes one (without a
   * password) for an email no operator has, recorded in the deployment's trail
   * (`operator.create` by the system task `operator-sso`, with `requestId`). Refused
   * (`unauthorized`) otherwise.
   */
  async signInWithSso(
    email: string | undefined,
    emailVerified: boolean,
    createMissing: boolean,
    requestId: string | null = null,
  ): Promise<NewSession> {
    const refused = (message: string) => new DirectoryError(message, 'unauthorized');
    if (!email || !emailVerified)
      throw refused('Your identity provider sent no verified email address, which operators are found by.');
    let clean: string;
    try {
      clean = normaliseEmail(email);
    } catch {
      throw refused(`Your identity provider sent '${email.slice(0, 80)}', which is not an email address.`);
    }
    let found = await store.findOperatorByEmail(this.db, clean);
    if (!found && createMissing) {
      const operator = { id: this.deps.newId(), email: clean, createdAt: this.deps.now().toISOString() };
      const by: Author = { kind: 'system', tokenId: 'operator-sso', requestId };
      try {
        await this.db.transaction().execute(async (tx) => {
          await store.insertOperator(tx, operator);
          await this.audit(tx, DEPLOYMENT_TRAIL, by, 'operator.create', 'Operator', operator.id, ['email']);
        });
      } catch (error) {
        if (!(error instanceof StoreConflict)) throw error;
      }
      found = await store.findOperatorByEmail(this.db, clean);
    }
    if (!found)
      throw refused(
        `There is no operator ${clean}. Ask an operator to run: npx scimitar operators create ${clean}`,
      );
    return this.startSession(found.id);
  }

  private async startSession(operatorId: string): Promise<NewSession> {
    const { token, hash } = issueSecret(SESSION_PREFIX);
    const now = this.deps.now();
    const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
    await store.pruneOperatorSecrets(this.db, now.toISOString());
    await store.insertOperatorSession(this.db, { hash, operatorId, createdAt: now.toISOString(), expiresAt });
    const operator = await store.findOperator(this.db, operatorId);
    return { token, operatorId, email: operator?.email ?? '', csrf: csrfTokenFor(token), expiresAt };
  }

  /** The live session of a cookie's secret, or undefined. */
  async session(token: string | undefined): Promise<OperatorSession | undefined> {
    if (!token || !SESSION_PATTERN.test(token)) return undefined;
    const hash = hashToken(token);
    const row = await store.findOperatorSession(this.db, hash, this.deps.now().toISOString());
    if (!row || !sameHash(row.hash, hash)) return undefined;
    return {
      operatorId: row.operatorId,
      email: row.email,
      csrf: csrfTokenFor(token),
      expiresAt: row.expiresAt,
    };
  }

  /**
   * Keeps what a console form's answer shows (a message, a new secret) for the page its
   * redirect opens (post/redirect/get, docs/console.md "Shown once"): sealed at rest, bound to
   * this session, read once (takeFlash), gone after FLASH_TTL_MS. Returns its id, which is
   * no secret: only this session can take it.
   */
  async putFlash(sessionToken: string, fields: FlashFields): Promise<string> {
    if (!SESSION_PATTERN.test(sessionToken)) throw new DirectoryError('No session');
    const flash = await sealFlash(this.keys, fields, this.deps.now());
    await store.insertOperatorFlash(this.db, { ...flash, sessionHash: hashToken(sessionToken) });
    return flash.id;
  }

  /** The session's flash `id`, once; undefined when it was taken already, expired or is not its. */
  async takeFlash(sessionToken: string | undefined, id: string): Promise<FlashFields | undefined> {
    if (!sessionToken || !SESSION_PATTERN.test(sessionToken) || !isFlashId(id)) return undefined;
    const sealed = await store.takeOperatorFlash(
      this.db,
      { id, sessionHash: hashToken(sessionToken) },
      this.deps.now().toISOString(),
    );
    return sealed === undefined ? undefined : openFlash(this.keys, sealed);
  }

  async signOut(token: string | undefined): Promise<void> {
    if (!token || !SESSION_PATTERN.test(token)) return;
    await store.deleteOperatorSession(this.db, hashToken(token));
  }
}

export function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD)
    throw new DirectoryError(`A password needs at least ${MIN_PASSWORD} characters`);
  if (password.length > MAX_PASSWORD)
    throw new DirectoryError(`A password may have at most ${MAX_PASSWORD} characters`);
}
