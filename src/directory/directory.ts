/** The domain facade: organizations, tokens, resources, API keys and the request log over one database. */
import type { Kysely } from 'kysely';
import type { ListQuery } from '../scim/list-query.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';
import { type Database, type DatabaseStats, type OpenOptions, openDatabase } from '../store/db.ts';
import { pendingMigrations } from '../store/migrations.ts';
import { type AnalyzeJob, startAnalyzeJob } from '../store/pg-analyze.ts';
import { CURSOR_SECRET_SETTING, readSetting } from '../store/settings.ts';
import { traceService } from '../tracing.ts';
import { ApiKeyService } from './api-keys.ts';
import { AppService } from './apps.ts';
import { AuditService } from './audit.ts';
import { DeprovisioningService } from './deprovisionings.ts';
import { type DirectoryDeps, defaultDeps } from './deps.ts';
import { OidcService } from './oidc.ts';
import { OperatorService } from './operators.ts';
import { OrgStatusService } from './org-status.ts';
import { OrgService } from './orgs.ts';
import { PropertyService } from './properties.ts';
import { RequestLogService } from './request-log.ts';
import { ResourceService } from './resources.ts';
import { RoleService } from './roles.ts';
import { SecretKeys } from './secret-keys.ts';
import { SetupLinkService } from './setup-links.ts';
import { SignInService } from './sign-ins.ts';
import { SsoConnectionService } from './sso-connections.ts';
import { SsoUserService } from './sso-users.ts';
import { ValveService } from './valves.ts';
import { ViewService } from './views.ts';
import { WebhookService } from './webhooks.ts';

export class Directory {
  readonly orgs: OrgService;
  readonly resources: ResourceService;
  /** Per-org extension schemas and property mappings; the schemas each org is served. */
  readonly properties: PropertyService;
  readonly apiKeys: ApiKeyService;
  /** The host app's OIDC clients (docs/sso.md "Sign-in for your app"). */
  readonly apps: AppService;
  /** The management API's camelCase read model of users and groups. */
  readonly views: ViewService;
  readonly requestLog: RequestLogService;
  /** The audit trail of users' and groups' changes. */
  readonly audit: AuditService;
  /** Webhook endpoints, deliveries and the event feed. */
  readonly webhooks: WebhookService;
  /** Safety valves: the mass-deprovisioning hold and the seat cap (settings, held changes). */
  readonly valves: ValveService;
  /** Deactivations and deletions the host app has to acknowledge (docs/deprovisioning.md). */
  readonly deprovisionings: DeprovisioningService;
  /** Roles from IdP groups: rules, default role, mode, users' roles, the access check. */
  readonly roles: RoleService;
  /** The OIDC provider's storage, keys, account claims and logout queue (src/oidc/). */
  readonly oidc: OidcService;
  /**
   * The deployment's SecretBox (SECRET_KEY, else a key kept in settings): seals what the
   * service must read back (webhook secrets, SSO client secrets and keys, signing keys).
   */
  readonly secrets: SecretKeys;
  /** Sign-in attempts between the OIDC provider and the SSO run (docs/sso.md). */
  readonly signIns: SignInService;
  /** An org's SSO connections to its IdPs and its email domains (docs/sso.md). */
  readonly sso: SsoConnectionService;
  /** Who a signed-in IdP identity is: matched, JIT-created, or refused (docs/sso.md "Users"). */
  readonly ssoUsers: SsoUserService;
  /** Console operators: password links, sign-in, sessions (docs/console.md). */
  readonly operators: OperatorService;
  /** Setup links for a customer's IT admin: one org, setup only (docs/console.md). */
  readonly setupLinks: SetupLinkService;
  /** An org's connection at a glance. */
  readonly orgStatus: OrgStatusService;

  constructor(readonly deps: DirectoryDeps) {
    const outer = deps.eventsWritten;
    let webhooks: WebhookService | undefined;
    // Commits that wrote events wake this process's long polls and webhook dispatcher.
    const withWake: DirectoryDeps = {
      ...deps,
      eventsWritten: () => {
        outer?.();
        webhooks?.notify();
      },
    };
    // With tracing on (src/tracing.ts), each operation of each service runs in a span.
    this.secrets = new SecretKeys(withWake);
    webhooks = new WebhookService(withWake, this.secrets);
    this.webhooks = traceService('webhooks', webhooks);
    this.orgs = traceService('orgs', new OrgService(withWake));
    const properties = new PropertyService(withWake);
    this.properties = traceService('properties', properties);
    this.resources = traceService('resources', new ResourceService(withWake, properties));
    this.apiKeys = traceService('apiKeys', new ApiKeyService(withWake));
    this.apps = traceService('apps', new AppService(withWake));
    this.views = traceService('views', new ViewService(withWake, this.resources, properties));
    this.requestLog = traceService('requestLog', new RequestLogService(withWake));
    this.audit = traceService('audit', new AuditService(withWake));
    this.valves = traceService('valves', new ValveService(withWake, this.resources));
    this.deprovisionings = traceService('deprovisionings', new DeprovisioningService(withWake));
    this.roles = traceService('roles', new RoleService(withWake));
    this.oidc = traceService('oidc', new OidcService(withWake, this.secrets, this.views, this.roles));
    this.signIns = traceService('signIns', new SignInService(withWake));
    this.sso = traceService('sso', new SsoConnectionService(withWake, this.secrets));
    this.ssoUsers = traceService('ssoUsers', new SsoUserService(this.resources));
    this.operators = traceService('operators', new OperatorService(withWake, this.secrets));
    this.setupLinks = traceService('setupLinks', new SetupLinkService(withWake, this.secrets));
    this.orgStatus = traceService('orgStatus', new OrgStatusService(withWake));
  }

  /**
   * GET /{resourceType}/{id} with its authentication (OrgService.authenticate) in the same
   * statement as the read (ResourceService.getWithToken): who the request is, and the resource.
   */
  getAuthenticated(orgId: string, authorization: string | undefined, rs: ResourceSchema, id: string) {
    const hash = this.orgs.tokenHash(authorization);
    return this.resources.getWithToken(orgId, rs, id, hash, (token) => this.orgs.admit(orgId, hash, token));
  }

  /**
   * The authentication of a PATCH or PUT of one resource, with the read its write starts from
   * in the same statement where the store can (ResourceService.readWithToken): who the request
   * is, and that read, to hand back to `resources.patch` or `resources.replace`.
   */
  readAuthenticated(orgId: string, authorization: string | undefined, rs: ResourceSchema, id: string) {
    const hash = this.orgs.tokenHash(authorization);
    return this.resources.readWithToken(orgId, rs, id, hash, (token) => this.orgs.admit(orgId, hash, token));
  }

  /**
   * A list (GET /{resourceType}, POST …/.search without a cursor) with its authentication,
   * read in one statement where the store can (ResourceService.listWithToken).
   */
  listAuthenticated(orgId: string, authorization: string | undefined, rs: ResourceSchema, query: ListQuery) {
    const hash = this.orgs.tokenHash(authorization);
    return this.resources.listWithToken(orgId, rs, query, hash, (token) =>
      this.orgs.admit(orgId, hash, token),
    );
  }

  get database(): Database {
    return this.deps.database;
  }

  static async open(
    databaseUrl: string,
    overrides: Partial<Omit<DirectoryDeps, 'database'>> = {},
    options: OpenOptions = {},
  ) {
    const database = await openDatabase(databaseUrl, options);
    return new Directory({ ...defaultDeps(database), ...overrides });
  }

  /** The cursor-sealing secret migration 0002 stored, shared by every instance on this database. */
  async storedCursorSecret(): Promise<string> {
    const secret = await readSetting(this.database.db, CURSOR_SECRET_SETTING);
    if (!secret) throw new Error(`the database has no '${CURSOR_SECRET_SETTING}' setting (migration 0002)`);
    return secret;
  }

  /**
   * Whether this instance can serve (/readyz): the database answers and has run every migration
   * of this build. `reason` says what is wrong otherwise.
   */
  async readiness(): Promise<{ ready: boolean; reason?: string }> {
    try {
      const pending = await pendingMigrations(this.database.db as Kysely<unknown>, this.database.dialect);
      if (pending.length > 0) return { ready: false, reason: `migrations not run: ${pending.join(', ')}` };
      return { ready: true };
    } catch (error) {
      return { ready: false, reason: `database unreachable: ${(error as Error).message}` };
    }
  }

  /**
   * PostgreSQL: starts the job that analyses this deployment's tables once they changed a lot
   * (store/pg-analyze.ts), a round every `everyMs`; undefined on SQLite. Its `stop()` must
   * come before `close()`.
   */
  startAnalyzing(options: {
    everyMs: number;
    onError: (error: unknown) => void;
    onAnalysed?: (tables: string[]) => void;
  }): AnalyzeJob | undefined {
    if (this.database.dialect !== 'postgres') return undefined;
    return startAnalyzeJob(this.database.db, options);
  }

  /** Database figures for /metrics (pool, WAL sizes, checkpoint failures). */
  databaseStats(): DatabaseStats {
    return this.database.stats();
  }

  close(): Promise<void> {
    return this.deps.database.close();
  }
}
