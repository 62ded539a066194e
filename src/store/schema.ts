/**
 * Kysely table types: the shape of every table as the drivers return it. Both dialects are
 * configured (db.ts) so that these TypeScript types hold on each: integers and bigints come
 * back as numbers, booleans are stored as 1/0 integers, timestamps are ISO-8601 strings.
 */
import type { Generated } from 'kysely';

export interface OrgsTable {
  /** URL-safe slug; also the segment of the org's SCIM base URL. */
  id: string;
  name: string;
  created_at: string;
  /** IdP profile (src/scim/quirks.ts IDP_PROFILES); 'generic' by default (migration 0003). */
  idp_profile: Generated<string>;
  /** Bumped by every change of custom_schema; 0: none (migration 0080, docs/properties.md). */
  schema_version: Generated<number>;
  /** The org's custom extension schemas and property mappings, JSON (directory/properties.ts). */
  custom_schema: Generated<string | null>;
  /** How many role rules the org has (migration 0150, store/roles.ts); read with the token. */
  role_rules: Generated<number>;
}

export interface TokensTable {
  id: string;
  org_id: string;
  name: string;
  /** Short readable prefix shown in listings, so a token can be named without its secret. */
  prefix: string;
  /** Hex SHA-256 of the whole token; the token itself is never stored. */
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
  /** ISO-8601 time after which the token no longer authenticates; null: never (migration 0030). */
  expires_at: Generated<string | null>;
}

export interface ResourcesTable {
  /** Internal surrogate key: stable order, keyset paging, term and membership rows. */
  pk: Generated<number>;
  org_id: string;
  type: 'User' | 'Group';
  /** SCIM `id` (uuid). */
  id: string;
  user_name: string | null;
  /** `user_name.toLowerCase()`; NULL once deleted so the name is free again. */
  user_name_lc: string | null;
  external_id: string | null;
  display_name: string | null;
  /** 1/0 on both dialects. */
  active: number | null;
  /** JSON of the canonical document. */
  doc: string;
  password_hash: string | null;
  version: number;
  created_at: string;
  last_modified: string;
  deleted_at: string | null;
  /**
   * Who manages the user (migration 0140): 'scim' (its IdP; every group), 'api' (the
   * management API), 'sso' (a JIT sign-in). Open text: directory/api-form.ts UserSource lists them.
   */
  source: Generated<string>;
  /** The lower-cased email a non-SCIM member was added by (what an IdP's create links on). */
  email_lc: string | null;
  /** When the IdP took over a member first added otherwise, and its source then. */
  linked_at: string | null;
  linked_from: string | null;
  /**
   * What an IdP's create links a member JIT sign-in created on (migration 0200): 'email',
   * 'userName' or 'nameId' (externalId); null: its userName or email (API members).
   */
  link_by: string | null;
}

export interface ResourceTermsTable {
  org_id: string;
  resource_pk: number;
  path: string;
  elem: number;
  str: string | null;
  lc: string | null;
  num: number | null;
}

export interface MembershipsTable {
  org_id: string;
  group_pk: number;
  member_pk: number;
  member_type: 'User' | 'Group';
}

export interface AuditEventsTable {
  id: Generated<number>;
  org_id: string;
  at: string;
  request_id: string | null;
  /** The actor's id: a SCIM token's or an API key's, by actor_kind (migration 0090). */
  token_id: string | null;
  /** scim_token | api_key | cli | system (migration 0090). */
  actor_kind: Generated<string>;
  action: string;
  resource_type: string | null;
  resource_id: string | null;
  /** JSON array of the changed attribute names. */
  attributes: string;
}

/** A deprovisioning event the host app has to acknowledge (migration 0091; written by a trigger on events). */
export interface DeprovisioningsTable {
  /** The seq of the `user.deactivated` / `user.deleted` event. */
  event_seq: number;
  org_id: string;
  user_id: string;
  /** The event type. */
  kind: string;
  at: string;
  acknowledged_at: string | null;
  /** `webhook:<endpoint id>`, `api_key:<key id>` or `cli[:<OS login>]`. */
  acknowledged_by: string | null;
}

/** Values that belong to the database, not to a process (migration 0002). */
export interface SettingsTable {
  key: string;
  value: string;
}

/** Rate-limit counters, one per (org, counter, window); times in epoch milliseconds (migration 0005). */
export interface RateLimitsTable {
  org_id: string;
  /** `org` or `token:<token id>`. */
  key: string;
  window_start: number;
  count: number;
  expires_at: number;
}

/** One SCIM request and its response (migration 0004; src/store/request-log.ts). */
export interface RequestLogTable {
  id: Generated<number>;
  org_id: string;
  /** ISO-8601 time the request arrived. */
  at: string;
  request_id: string | null;
  token_id: string | null;
  method: string;
  /** Path with its query string (secret-looking parameters redacted). */
  path: string;
  status: number;
  duration_ms: number;
  scim_type: string | null;
  /** Identity provider detected from the headers: okta, entra, google, onelogin, jumpcloud, ping, rippling or unknown. */
  idp: string | null;
  user_agent: string | null;
  /** Redacted, truncated JSON text (or a note such as "(streamed)"). */
  request_body: string | null;
  response_body: string | null;
  /** Short likely cause of a failure. */
  hint: string | null;
  /** JSON array of the IdP quirks applied, or null when not known. */
  quirks: string | null;
}

/** Live resources per org and type (migration 0006), kept in step by insert and delete. */
export interface ResourceCountsTable {
  org_id: string;
  type: 'User' | 'Group';
  n: number;
  /** Creates and deletes ever made: any change of the live set moves it. */
  changes: Generated<number>;
}

/** The outbox: one row per change, written in the change's transaction (migration 0025). */
export interface EventsTable {
  seq: Generated<number>;
  /** PostgreSQL: the writing transaction's id (a column default); 0 on SQLite. */
  tx: Generated<number>;
  org_id: string | null;
  type: string;
  at: string;
  resource_type: string | null;
  resource_id: string | null;
  /** Member events: the group whose (effective) membership changed. */
  group_id: string | null;
  /** Member events: 1 when the membership itself changed, 0 when through a nested group. */
  direct: number | null;
  /** Member events through a nested group: the member of the changed membership. */
  via_id: string | null;
  /** JSON: the resource after the change (API form), or the shared part of member events. */
  data: string | null;
  /** JSON `{ changed: string[], previous: {...} }`. */
  changes: string | null;
  /** The event format the row was written in (migration 0110; store/events.ts CURRENT_EVENT_FORMAT). */
  format: Generated<number>;
}

export interface WebhookEndpointsTable {
  id: string;
  /** Only this org's events; null: every org's. */
  org_id: string | null;
  url: string;
  description: string | null;
  /** JSON array of event types; null: every type. */
  event_types: string | null;
  /** Encrypted signing secret (src/events/secrets.ts). */
  secret: string;
  /** The secret before the last rotation, which signs too until old_secret_until. */
  old_secret: string | null;
  old_secret_until: string | null;
  enabled: number;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
  /** Feed position (tx, seq) up to which deliveries were planned. */
  cursor_tx: number;
  cursor_seq: number;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  endpoint_id: string;
  event_seq: number;
  org_id: string | null;
  /** `<resource type>:<id>`: deliveries of one key go out one at a time, in id order. */
  resource_key: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  /** Epoch ms: due time, or the end of a worker's lease while it is being sent. */
  next_attempt_at: number;
  created_at: string;
  /** Epoch ms of the first attempt (retries stop WEBHOOK_RETRY_HOURS after it). */
  first_attempt_at: number | null;
  last_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
}

export interface WebhookAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  endpoint_id: string;
  at: string;
  status: number | null;
  latency_ms: number;
  error: string | null;
  /** The first 1 KiB of the response body. */
  response_start: string | null;
}

/**
 * Management API keys (migration 0020): deployment-wide, not per org. Like tokens, only the
 * hash of the key is stored.
 */
export interface ApiKeysTable {
  id: string;
  name: string;
  /** Short readable prefix shown in listings. */
  prefix: string;
  /** Hex SHA-256 of the whole key. */
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/**
 * An org's safety-valve settings (null: the deployment's default) and the state of its
 * deprovisioning window (migration 0100; src/store/valves.ts).
 */
export interface OrgValvesTable {
  org_id: string;
  /** 1/0: the mass-deprovisioning valve is on/off for this org. */
  enabled: number | null;
  /** Share of the window's active users that may be deprovisioned, in percent. */
  percent: number | null;
  /** Deprovisionings a window always lets through. */
  min_users: number | null;
  window_seconds: number | null;
  /** Most active users the org may have; null: no cap (no deployment default). */
  seat_cap: number | null;
  /** Whom the IdP's admin should ask when the seat cap refuses a user. */
  contact: string | null;
  /** ISO-8601 start of the current window; null: none yet. */
  window_start: Generated<string | null>;
  /** Active users when the window started. */
  window_base: Generated<number>;
  /** Deprovisionings applied in the window. */
  window_count: Generated<number>;
  /** When the open hold episode began (its event was written); null: none open. */
  episode_at: Generated<string | null>;
}

/** A deprovisioning the valve held (migration 0100): not applied until released. */
export interface HeldChangesTable {
  id: Generated<number>;
  org_id: string;
  user_pk: number;
  user_id: string;
  user_name: string | null;
  kind: 'deactivate' | 'delete';
  /** JSON of the SCIM operation that applies it: `{ method, path, body? }`. */
  operation: string;
  request_id: string | null;
  token_id: string | null;
  held_at: string;
}

export interface DB {
  api_keys: ApiKeysTable;
  resource_counts: ResourceCountsTable;
  orgs: OrgsTable;
  tokens: TokensTable;
  resources: ResourcesTable;
  resource_terms: ResourceTermsTable;
  memberships: MembershipsTable;
  audit_events: AuditEventsTable;
  deprovisionings: DeprovisioningsTable;
  settings: SettingsTable;
  request_log: RequestLogTable;
  rate_limits: RateLimitsTable;
  events: EventsTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
  org_valves: OrgValvesTable;
  held_changes: HeldChangesTable;
  role_settings: RoleSettingsTable;
  role_rules: RoleRulesTable;
  user_roles: UserRolesTable;
  role_work: RoleWorkTable;
  sso_connections: SsoConnectionsTable;
  sso_domains: SsoDomainsTable;
  sign_in_attempts: SignInAttemptsTable;
  saml_assertion_ids: SamlAssertionIdsTable;
  oidc_apps: OidcAppsTable;
  oidc_store: OidcStoreTable;
  oidc_logouts: OidcLogoutsTable;
  operators: OperatorsTable;
  operator_links: OperatorLinksTable;
  operator_sessions: OperatorSessionsTable;
  operator_flashes: OperatorFlashesTable;
  setup_links: SetupLinksTable;
  setup_link_flashes: SetupLinkFlashesTable;
}

/** A setup page's one-time flash (migration 0260; directory/setup-links.ts): sealed JSON. */
export interface SetupLinkFlashesTable {
  id: string;
  link_id: string;
  sealed: string;
  expires_at: string;
}

/** A setup link for one org's IT admin (migration 0181; src/directory/setup-links.ts). */
export interface SetupLinksTable {
  id: string;
  org_id: string;
  /** The first characters of the secret, to tell links apart. */
  prefix: string;
  /** Hex SHA-256 of the secret. */
  hash: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** A person who runs the console (migration 0180; src/directory/operators.ts). */
export interface OperatorsTable {
  id: string;
  /** Lower-cased. */
  email: string;
  /** scrypt (directory/credentials.ts); null until the operator's first link is used. */
  password_hash: string | null;
  created_at: string;
}

/** A one-time link that sets an operator's password: SHA-256 of its secret. */
export interface OperatorLinksTable {
  hash: string;
  operator_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

/** A signed-in operator's session: SHA-256 of the cookie's secret. */
export interface OperatorSessionsTable {
  hash: string;
  operator_id: string;
  created_at: string;
  expires_at: string;
}

/** A console page's one-time flash (migration 0220; directory/operators.ts): sealed JSON. */
export interface OperatorFlashesTable {
  id: string;
  session_hash: string;
  sealed: string;
  expires_at: string;
}

/** An org's role settings (migration 0070; src/directory/roles.ts). */
export interface RoleSettingsTable {
  org_id: string;
  /** The role of a user matched by no rule; null: none. */
  default_role: string | null;
  /** 'highest' (the matched role of highest priority) or 'all' (every matched role). */
  mode: string;
  updated_at: string;
}

/** A mapping rule: a group matched by `match` ('id', 'externalId', 'displayName') = `value` gives `role`. */
export interface RoleRulesTable {
  id: string;
  org_id: string;
  match: string;
  value: string;
  role: string;
  created_at: string;
}

/** The roles an org's rules give a user, comma-separated, highest priority first. */
export interface UserRolesTable {
  user_pk: number;
  org_id: string;
  roles: string;
}

/** Scratch rows of one recompute (store/roles.ts), cleared by the transaction that writes them. */
export interface RoleWorkTable {
  nonce: string;
  user_pk: number;
  roles: string | null;
}

/** A host app's OIDC client (migration 0170; src/directory/apps.ts). */
export interface OidcAppsTable {
  id: string;
  name: string;
  secret_prefix: string;
  /** Hex SHA-256 of the client secret. */
  secret_hash: string;
  /** JSON array of exact redirect URIs. */
  redirect_uris: string;
  /** JSON array of exact post-logout redirect URIs. */
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  created_at: string;
  updated_at: string;
}

/** An org's SSO connection (migration 0160; src/directory/sso-connections.ts). */
export interface SsoConnectionsTable {
  id: string;
  org_id: string;
  /** 'saml' or 'oidc'. */
  protocol: string;
  name: string;
  /** The IdP preset its attribute names come from ('generic', 'okta', …). */
  preset: string;
  enabled: number;
  /** JSON: the protocol's settings, nothing secret. */
  settings: string;
  /** Sealed JSON (src/crypto/secret-box.ts): client secret, SP private keys. */
  secrets: string | null;
  created_at: string;
  updated_at: string;
}

/** An email domain of an org, for home-realm discovery (migration 0160). */
export interface SsoDomainsTable {
  /** Lower-case; unique across the deployment. */
  domain: string;
  org_id: string;
  /** The connection a sign-in from this domain uses; null: the org's first enabled one. */
  connection_id: string | null;
  /** The value of the optional DNS TXT record that verifies the domain. */
  verify_token: string;
  verified_at: string | null;
  created_at: string;
}

/** A sign-in attempt (migration 0160; src/directory/sign-ins.ts). */
export interface SignInAttemptsTable {
  id: string;
  org_id: string;
  connection_id: string;
  /** A path on this origin: the OIDC provider's resume URL. */
  return_to: string;
  created_at: string;
  expires_at: string;
  /** Sealed JSON: src/sso/'s state for the protocol run (state, nonce, PKCE verifier, request id). */
  flow: string | null;
  completed_at: string | null;
  user_id: string | null;
  /** JSON: the claims the IdP asserted, for the provider's ID token. */
  claims: string | null;
  taken_at: string | null;
  /** SHA-256 (hex) of the browser binding secret (migration 0161); null: none was asked for. */
  browser_hash: string | null;
  /** `app`, `test` or `operator` (migration 0210; directory/sign-ins.ts SignInPurpose). */
  purpose: Generated<string>;
}

/** SAML assertion ids seen, kept until the assertion expires: the replay cache (migration 0160). */
export interface SamlAssertionIdsTable {
  connection_id: string;
  assertion_id: string;
  org_id: string;
  expires_at: string;
}

/** One model instance of the OIDC provider (migration 0171; store/oidc-store.ts). */
export interface OidcStoreTable {
  /** oidc-provider's model name: Session, Grant, AccessToken, RefreshToken, Interaction… */
  kind: string;
  id: string;
  /** The model's payload as JSON. */
  payload: string;
  org_id: string | null;
  user_id: string | null;
  client_id: string | null;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  /** Epoch milliseconds; null: no expiry. */
  expires_at: number | null;
  /** Epoch seconds when a code or token was used up (oidc-provider's `consumed`); null: not. */
  consumed: number | null;
}

/** A back-channel logout still to send (migration 0171; the trigger queues them). */
export interface OidcLogoutsTable {
  id: Generated<number>;
  org_id: string;
  user_id: string;
  client_id: string;
  created_at: string;
  attempts: Generated<number>;
  /** Epoch milliseconds. */
  next_attempt_at: number;
  last_error: string | null;
}
