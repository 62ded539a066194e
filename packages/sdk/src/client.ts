/**
 * A typed client for the whole management API (docs/api.md): one method per operation of the
 * OpenAPI document, named by its operationId, plus `call()` for any operation by id, `paginate()`
 * over cursor lists and `events()` over the pull feed. Errors are ScimitarApiError.
 */
import { ScimitarApiError } from './errors.ts';
import { operationRoutes } from './openapi.ts';
import type {
  AuditEntry,
  EventType,
  OperationId,
  PathParams,
  Problem,
  QueryParams,
  RequestBody,
  ResponseBody,
  ScimitarEvent,
} from './types.ts';

export interface ClientOptions {
  /** The service's origin, e.g. `https://scim.example.com` (the API is under /api/v1). */
  baseUrl: string;
  /** A management API key, `sk_…` (`npx scimitar apikeys create`). */
  apiKey: string;
  /** Another fetch (tests, proxies); the global one by default. */
  fetch?: typeof fetch;
  /**
   * How long `canAccess` reuses an answer, in milliseconds: 0 to 1000 (the most a
   * deactivation may go unseen), 1000 by default; 0 asks the service every time.
   */
  accessCacheMs?: number;
}

/** `canAccess`'s answer: whether the user may use the app in the org, and with which roles. */
export type AccessAnswer = ResponseBody<'getUserAccess'>;

/** Answers `canAccess` keeps at most (the oldest go first). */
const ACCESS_CACHE_ENTRIES = 10_000;

export interface CallInput<K extends OperationId> {
  path?: PathParams<K>;
  query?: QueryParams<K>;
  body?: RequestBody<K>;
  signal?: AbortSignal;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface EventsOptions {
  /** A stored cursor to resume after; absent: from the oldest event the service keeps. */
  after?: string | null;
  /** One org's events only. */
  org?: string;
  /** Some event types only. */
  types?: readonly EventType[];
  /** Events per request (1 to 1000; 100 by default). */
  limit?: number;
  /** Seconds each request waits for new events when there are none (0 to 60; 30 by default). */
  wait?: number;
  /** Keep waiting for new events (default), or end at the first empty page (catch up, then stop). */
  follow?: boolean;
  /**
   * Called with the cursor after every page, once the consumer has taken the page's last event
   * (it asked for the next one): store it, and pass it as `after` to resume.
   */
  onCursor?: (cursor: string) => void | Promise<void>;
  /** Ends the iteration (an abort is not an error). */
  signal?: AbortSignal;
}

/** A page of a cursor-paged list. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const RETRY_MAX_MS = 30_000;

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class ScimitarClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly fetchImpl: typeof fetch;
  private readonly accessCacheMs: number;
  /** canAccess answers (or the request for one) by org and user, with when they were asked. */
  private readonly accessCache = new Map<string, { at: number; answer: Promise<AccessAnswer> }>();

  constructor(options: ClientOptions) {
    if (!options.baseUrl) throw new TypeError('ScimitarClient needs baseUrl');
    if (!options.apiKey) throw new TypeError('ScimitarClient needs apiKey');
    const cacheMs = options.accessCacheMs ?? 1000;
    if (!(cacheMs >= 0 && cacheMs <= 1000)) throw new RangeError('accessCacheMs must be from 0 to 1000');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.accessCacheMs = cacheMs;
  }

  /** Calls any operation by its operationId; the named methods below are shorthands for it. */
  async call<K extends OperationId>(operationId: K, input: CallInput<K> = {}): Promise<ResponseBody<K>> {
    const response = await this.send(operationId, input);
    const text = await response.text();
    return (text.length === 0 ? undefined : JSON.parse(text)) as ResponseBody<K>;
  }

  /** Sends an operation's request; a non-2xx answer throws ScimitarApiError, else the response is returned unread. */
  private async send<K extends OperationId>(operationId: K, input: CallInput<K>): Promise<Response> {
    const route = operationRoutes[operationId];
    const params = (input.path ?? {}) as Record<string, string | number>;
    const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined || value === '') throw new TypeError(`${operationId}: missing ${name}`);
      return encodeURIComponent(String(value));
    });
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
      if (value === undefined || value === null) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(v));
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.apiKey}`,
      accept: 'application/json, application/problem+json',
    };
    const init: RequestInit = { method: route.method, headers };
    if (input.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(input.body);
    }
    if (input.signal) init.signal = input.signal;
    const response = await this.fetchImpl(url, init);
    if (!response.ok) {
      const text = await response.text();
      let problem: Problem | undefined;
      if (/json/.test(response.headers.get('content-type') ?? '')) {
        try {
          problem = JSON.parse(text) as Problem;
        } catch {
          problem = undefined;
        }
      }
      throw new ScimitarApiError(response.status, problem, text.slice(0, 200) || response.statusText);
    }
    return response;
  }

  /** Every item of a cursor-paged list, fetching page after page: `paginate((cursor) => client.listUsers(org, { cursor }))`. */
  async *paginate<T>(fetchPage: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
    let cursor: string | undefined;
    do {
      const page = await fetchPage(cursor);
      yield* page.data;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  /**
   * The pull feed as an async iterator (docs/api.md "Events"): resumes after `after`, long-polls
   * for new events, and hands each page's cursor to `onCursor` once its last event was taken.
   * Resuming from the last cursor stored misses nothing; events of a page the consumer had not
   * finished come again (deduplicate by `event.id`, or use `limit: 1`). Network failures and
   * 5xx answers are retried with backoff; a 4xx (a bad cursor, say) throws ScimitarApiError.
   */
  async *events(options: EventsOptions = {}): AsyncGenerator<ScimitarEvent, void, undefined> {
    let cursor = options.after ?? undefined;
    const follow = options.follow ?? true;
    const signal = options.signal;
    let failures = 0;
    while (!signal?.aborted) {
      let page: ResponseBody<'listEvents'>;
      try {
        page = await this.listEvents(
          {
            ...(cursor ? { after: cursor } : {}),
            ...(options.org ? { org: options.org } : {}),
            ...(options.types?.length ? { type: [options.types.join(',')] } : {}),
            ...(options.limit ? { limit: options.limit } : {}),
            wait: follow ? (options.wait ?? 30) : 0,
          },
          signal ? { signal } : {},
        );
        failures = 0;
      } catch (error) {
        if (signal?.aborted && isAbort(error)) return;
        const retriable = !(error instanceof ScimitarApiError) || error.status >= 500 || error.status === 429;
        if (!retriable) throw error;
        failures++;
        await sleep(
          Math.min(RETRY_MAX_MS, 250 * 2 ** Math.min(failures, 10)) * (0.5 + Math.random() / 2),
          signal,
        );
        continue;
      }
      yield* page.data as ScimitarEvent[];
      if (page.nextCursor !== cursor) {
        cursor = page.nextCursor;
        await options.onCursor?.(cursor);
      }
      if (page.data.length === 0 && !follow) return;
    }
  }

  // Orgs

  listOrgs(query?: QueryParams<'listOrgs'>, options?: RequestOptions) {
    return this.call('listOrgs', { ...options, ...(query ? { query } : {}) });
  }
  createOrg(body: RequestBody<'createOrg'>, options?: RequestOptions) {
    return this.call('createOrg', { ...options, body });
  }
  getOrg(orgId: string, options?: RequestOptions) {
    return this.call('getOrg', { ...options, path: { orgId } });
  }
  updateOrg(orgId: string, body: RequestBody<'updateOrg'>, options?: RequestOptions) {
    return this.call('updateOrg', { ...options, path: { orgId }, body });
  }
  /** Deletes the org and all its data; `confirm` must repeat its id. */
  deleteOrg(orgId: string, query: QueryParams<'deleteOrg'>, options?: RequestOptions) {
    return this.call('deleteOrg', { ...options, path: { orgId }, query });
  }

  // An org's SCIM connection

  getScimConnection(orgId: string, options?: RequestOptions) {
    return this.call('getScimConnection', { ...options, path: { orgId } });
  }
  updateScimConnection(orgId: string, body: RequestBody<'updateScimConnection'>, options?: RequestOptions) {
    return this.call('updateScimConnection', { ...options, path: { orgId }, body });
  }
  listScimTokens(orgId: string, options?: RequestOptions) {
    return this.call('listScimTokens', { ...options, path: { orgId } });
  }
  /** The answer's `token` is the secret, shown only here. */
  createScimToken(orgId: string, body: RequestBody<'createScimToken'> = {}, options?: RequestOptions) {
    return this.call('createScimToken', { ...options, path: { orgId }, body });
  }
  revokeScimToken(orgId: string, tokenId: string, options?: RequestOptions) {
    return this.call('revokeScimToken', { ...options, path: { orgId, tokenId } });
  }
  /** Connected or not, last request, user and group counts, recent failures, held changes. */
  getOrgStatus(orgId: string, options?: RequestOptions) {
    return this.call('getOrgStatus', { ...options, path: { orgId } });
  }

  // Setup links for a customer's IT admin (docs/console.md)

  listSetupLinks(orgId: string, options?: RequestOptions) {
    return this.call('listSetupLinks', { ...options, path: { orgId } });
  }
  /** The answer's `url` is the link to send, shown only here. */
  createSetupLink(orgId: string, body: RequestBody<'createSetupLink'> = {}, options?: RequestOptions) {
    return this.call('createSetupLink', { ...options, path: { orgId }, body });
  }
  revokeSetupLink(orgId: string, linkId: string, options?: RequestOptions) {
    return this.call('revokeSetupLink', { ...options, path: { orgId, linkId } });
  }
  listApiKeys(options?: RequestOptions) {
    return this.call('listApiKeys', { ...options });
  }
  /** The answer's `key` is the secret, shown only here. */
  createApiKey(body: RequestBody<'createApiKey'>, options?: RequestOptions) {
    return this.call('createApiKey', { ...options, body });
  }
  /** By id or prefix; at once. Revoking the key this client uses locks it out. */
  revokeApiKey(keyId: string, options?: RequestOptions) {
    return this.call('revokeApiKey', { ...options, path: { keyId } });
  }
  /** With a setup link's secret as the key: the org it sets up. */
  getCurrentSetupLink(options?: RequestOptions) {
    return this.call('getCurrentSetupLink', { ...options });
  }

  // Custom extension schemas and property mappings (docs/properties.md)

  listExtensions(orgId: string, options?: RequestOptions) {
    return this.call('listExtensions', { ...options, path: { orgId } });
  }
  /** Declares an extension of the org's SCIM User schema (its /Schemas shows it). */
  createExtension(orgId: string, body: RequestBody<'createExtension'>, options?: RequestOptions) {
    return this.call('createExtension', { ...options, path: { orgId }, body });
  }
  deleteExtension(orgId: string, urn: string, options?: RequestOptions) {
    return this.call('deleteExtension', { ...options, path: { orgId, urn } });
  }
  listPropertyMappings(orgId: string, options?: RequestOptions) {
    return this.call('listPropertyMappings', { ...options, path: { orgId } });
  }
  /** Fills property `key` from a SCIM attribute path (`title`, `urn:…:User:attr`). */
  setPropertyMapping(orgId: string, key: string, path: string, options?: RequestOptions) {
    return this.call('setPropertyMapping', { ...options, path: { orgId, key }, body: { path } });
  }
  deletePropertyMapping(orgId: string, key: string, options?: RequestOptions) {
    return this.call('deletePropertyMapping', { ...options, path: { orgId, key } });
  }

  // Users (read-only: the IdP owns them; the writes answer idp_owned)

  listUsers(orgId: string, query?: QueryParams<'listUsers'>, options?: RequestOptions) {
    return this.call('listUsers', { ...options, path: { orgId }, ...(query ? { query } : {}) });
  }
  getUser(orgId: string, id: string, options?: RequestOptions) {
    return this.call('getUser', { ...options, path: { orgId, id } });
  }
  /** Whether the user may use the app in the org, and its roles, from the database (no cache). */
  /**
   * Adds a member by email outside SCIM (source `api`); when the org's IdP later creates the
   * same person, the member is linked (`user.linked`) and the IdP owns it.
   */
  addMember(orgId: string, body: RequestBody<'addMember'>, options?: RequestOptions) {
    return this.call('addMember', { ...options, path: { orgId }, body });
  }
  /** Removes a member the API added; one the IdP owns answers `idp_owned`. */
  removeMember(orgId: string, id: string, options?: RequestOptions) {
    return this.call('removeMember', { ...options, path: { orgId, id } });
  }

  getUserAccess(orgId: string, id: string, options?: RequestOptions) {
    return this.call('getUserAccess', { ...options, path: { orgId, id } });
  }
  /**
   * `getUserAccess` with an in-process cache of at most `accessCacheMs` (1 s by default):
   * calls for the same user within that time share one answer (and one request in flight).
   * A deactivation or deletion shows within that time; a failed request is not kept.
   */
  canAccess(orgId: string, userId: string): Promise<AccessAnswer> {
    if (this.accessCacheMs === 0) return this.getUserAccess(orgId, userId);
    const key = `${orgId}\u0000${userId}`;
    const now = Date.now();
    const hit = this.accessCache.get(key);
    if (hit && now - hit.at < this.accessCacheMs) return hit.answer;
    const answer = this.getUserAccess(orgId, userId);
    this.accessCache.delete(key);
    this.accessCache.set(key, { at: now, answer });
    answer.catch(() => {
      if (this.accessCache.get(key)?.answer === answer) this.accessCache.delete(key);
    });
    if (this.accessCache.size > ACCESS_CACHE_ENTRIES) {
      // Entries are in insertion order: drop the expired and, past the cap, the oldest.
      for (const [k, v] of this.accessCache) {
        if (this.accessCache.size <= ACCESS_CACHE_ENTRIES && now - v.at < this.accessCacheMs) break;
        this.accessCache.delete(k);
      }
    }
    return answer;
  }
  /** Always refused with `idp_owned`: provision users in the org's IdP. */
  createUser(orgId: string, options?: RequestOptions) {
    return this.call('createUser', { ...options, path: { orgId } });
  }
  /** Always refused with `idp_owned`. */
  replaceUser(orgId: string, id: string, options?: RequestOptions) {
    return this.call('replaceUser', { ...options, path: { orgId, id } });
  }
  /** Always refused with `idp_owned`. */
  updateUser(orgId: string, id: string, options?: RequestOptions) {
    return this.call('updateUser', { ...options, path: { orgId, id } });
  }
  /** Always refused with `idp_owned`. */
  deleteUser(orgId: string, id: string, options?: RequestOptions) {
    return this.call('deleteUser', { ...options, path: { orgId, id } });
  }

  // Groups (read-only like users)

  listGroups(orgId: string, query?: QueryParams<'listGroups'>, options?: RequestOptions) {
    return this.call('listGroups', { ...options, path: { orgId }, ...(query ? { query } : {}) });
  }
  getGroup(orgId: string, id: string, options?: RequestOptions) {
    return this.call('getGroup', { ...options, path: { orgId, id } });
  }
  listGroupMembers(
    orgId: string,
    id: string,
    query?: QueryParams<'listGroupMembers'>,
    options?: RequestOptions,
  ) {
    return this.call('listGroupMembers', { ...options, path: { orgId, id }, ...(query ? { query } : {}) });
  }
  /** Always refused with `idp_owned`. */
  createGroup(orgId: string, options?: RequestOptions) {
    return this.call('createGroup', { ...options, path: { orgId } });
  }
  /** Always refused with `idp_owned`. */
  replaceGroup(orgId: string, id: string, options?: RequestOptions) {
    return this.call('replaceGroup', { ...options, path: { orgId, id } });
  }
  /** Always refused with `idp_owned`. */
  updateGroup(orgId: string, id: string, options?: RequestOptions) {
    return this.call('updateGroup', { ...options, path: { orgId, id } });
  }
  /** Always refused with `idp_owned`. */
  deleteGroup(orgId: string, id: string, options?: RequestOptions) {
    return this.call('deleteGroup', { ...options, path: { orgId, id } });
  }

  // Webhook endpoints and deliveries

  listWebhookEndpoints(query?: QueryParams<'listWebhookEndpoints'>, options?: RequestOptions) {
    return this.call('listWebhookEndpoints', { ...options, ...(query ? { query } : {}) });
  }
  /** The answer's `secret` (`whsec_…`) is shown only here and at rotation. */
  createWebhookEndpoint(body: RequestBody<'createWebhookEndpoint'>, options?: RequestOptions) {
    return this.call('createWebhookEndpoint', { ...options, body });
  }
  getWebhookEndpoint(endpointId: string, options?: RequestOptions) {
    return this.call('getWebhookEndpoint', { ...options, path: { endpointId } });
  }
  updateWebhookEndpoint(
    endpointId: string,
    body: RequestBody<'updateWebhookEndpoint'>,
    options?: RequestOptions,
  ) {
    return this.call('updateWebhookEndpoint', { ...options, path: { endpointId }, body });
  }
  deleteWebhookEndpoint(endpointId: string, options?: RequestOptions) {
    return this.call('deleteWebhookEndpoint', { ...options, path: { endpointId } });
  }
  /** A new secret (in the answer); the previous one keeps signing beside it for the grace period. */
  rotateWebhookSecret(
    endpointId: string,
    body: RequestBody<'rotateWebhookSecret'> = {},
    options?: RequestOptions,
  ) {
    return this.call('rotateWebhookSecret', { ...options, path: { endpointId }, body });
  }
  listWebhookDeliveries(
    endpointId: string,
    query?: QueryParams<'listWebhookDeliveries'>,
    options?: RequestOptions,
  ) {
    return this.call('listWebhookDeliveries', {
      ...options,
      path: { endpointId },
      ...(query ? { query } : {}),
    });
  }
  getWebhookDelivery(endpointId: string, deliveryId: number, options?: RequestOptions) {
    return this.call('getWebhookDelivery', { ...options, path: { endpointId, deliveryId } });
  }
  redeliverWebhook(endpointId: string, deliveryId: number, options?: RequestOptions) {
    return this.call('redeliverWebhook', { ...options, path: { endpointId, deliveryId } });
  }

  // An org's request log and audit trail

  /** Logged SCIM requests, newest first, without bodies; filters by status, path and time. */
  listRequests(orgId: string, query?: QueryParams<'listRequests'>, options?: RequestOptions) {
    return this.call('listRequests', { ...options, path: { orgId }, ...(query ? { query } : {}) });
  }
  /** One logged request with its redacted bodies and failure hint. */
  getRequest(orgId: string, id: number, options?: RequestOptions) {
    return this.call('getRequest', { ...options, path: { orgId, id } });
  }
  /** Committed changes of the org, newest first: who (actor), what (action, resource), which attributes. */
  listAuditEntries(orgId: string, query?: QueryParams<'listAuditEntries'>, options?: RequestOptions) {
    return this.call('listAuditEntries', { ...options, path: { orgId }, ...(query ? { query } : {}) });
  }
  /** The deployment's own trail: API keys, apps, operators, webhook endpoints of every org, org deletions. */
  listDeploymentAuditEntries(query?: QueryParams<'listDeploymentAuditEntries'>, options?: RequestOptions) {
    return this.call('listDeploymentAuditEntries', { ...options, ...(query ? { query } : {}) });
  }
  /**
   * Every matching audit entry, newest first, read from the JSON Lines export as it streams
   * (the whole trail is never held in memory, here or on the server).
   */
  async *exportAuditEntries(
    orgId: string,
    query?: QueryParams<'exportAuditEntries'>,
    options?: RequestOptions,
  ): AsyncGenerator<AuditEntry, void, undefined> {
    const response = await this.send('exportAuditEntries', {
      ...options,
      path: { orgId },
      ...(query ? { query } : {}),
    });
    if (!response.body) return;
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      buffered += decoder.decode(chunk, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.length > 0) yield JSON.parse(line) as AuditEntry;
        newline = buffered.indexOf('\n');
      }
    }
    if (buffered.trim().length > 0) yield JSON.parse(buffered) as AuditEntry;
  }

  // Deprovisioning (docs/deprovisioning.md)

  /** The org's deactivations and deletions not yet acknowledged (`state: 'pending'`, the default), oldest first, with their age. */
  listDeprovisionings(orgId: string, query?: QueryParams<'listDeprovisionings'>, options?: RequestOptions) {
    return this.call('listDeprovisionings', { ...options, path: { orgId }, ...(query ? { query } : {}) });
  }
  /** Acknowledges one deprovisioning, by its id (`dpv_…`) or its event's id (`evt_…`); idempotent. */
  acknowledgeDeprovisioning(orgId: string, id: string, options?: RequestOptions) {
    return this.call('acknowledgeDeprovisioning', { ...options, path: { orgId, id } });
  }
  /**
   * Acknowledges a `user.deactivated` or `user.deleted` event from the pull feed once the app
   * acted on it (ended the user's sessions, revoked its tokens): `await client.acknowledge(event)`.
   * Webhook consumers need not: their 2xx answer acknowledges.
   */
  acknowledge(event: { id: string; orgId: string | null }, options?: RequestOptions) {
    if (!event.orgId) throw new TypeError('acknowledge: the event names no org');
    return this.acknowledgeDeprovisioning(event.orgId, event.id, options);
  }

  // Safety valves (docs/safety-valves.md)

  /** The org's valve settings in force, its overrides and the current deprovisioning window. */
  getValves(orgId: string, options?: RequestOptions) {
    return this.call('getValves', { ...options, path: { orgId } });
  }
  /** Override valve settings for the org; null puts one back to the deployment's default. */
  updateValves(orgId: string, body: RequestBody<'updateValves'>, options?: RequestOptions) {
    return this.call('updateValves', { ...options, path: { orgId }, body });
  }
  /** Deprovisionings the valve held, oldest first. */
  listHeldChanges(orgId: string, query?: QueryParams<'listHeldChanges'>, options?: RequestOptions) {
    return this.call('listHeldChanges', { ...options, path: { orgId }, ...(query ? { query } : {}) });
  }
  /** Apply held changes (all, or `ids`) in order, each with its events and audit. */
  releaseHeldChanges(orgId: string, body: RequestBody<'releaseHeldChanges'> = {}, options?: RequestOptions) {
    return this.call('releaseHeldChanges', { ...options, path: { orgId }, body });
  }
  /** Drop held changes (all, or `ids`): the users keep their access. */
  discardHeldChanges(orgId: string, body: RequestBody<'discardHeldChanges'> = {}, options?: RequestOptions) {
    return this.call('discardHeldChanges', { ...options, path: { orgId }, body });
  }

  // Roles (docs/roles.md)

  /** The deployment's roles, highest priority first. */
  listRoles(options?: RequestOptions) {
    return this.call('listRoles', { ...options });
  }
  listRoleRules(orgId: string, options?: RequestOptions) {
    return this.call('listRoleRules', { ...options, path: { orgId } });
  }
  /** Members of the group (nested ones too) get the role; `usersChanged` says how many moved. */
  createRoleRule(orgId: string, body: RequestBody<'createRoleRule'>, options?: RequestOptions) {
    return this.call('createRoleRule', { ...options, path: { orgId }, body });
  }
  /** Changes a rule in place (match, value and/or role); `usersChanged` says how many moved. */
  updateRoleRule(
    orgId: string,
    ruleId: string,
    body: RequestBody<'updateRoleRule'>,
    options?: RequestOptions,
  ) {
    return this.call('updateRoleRule', { ...options, path: { orgId, ruleId }, body });
  }
  deleteRoleRule(orgId: string, ruleId: string, options?: RequestOptions) {
    return this.call('deleteRoleRule', { ...options, path: { orgId, ruleId } });
  }
  getRoleSettings(orgId: string, options?: RequestOptions) {
    return this.call('getRoleSettings', { ...options, path: { orgId } });
  }
  /** The default role (null: none) and/or the mode (`highest` or `all`). */
  updateRoleSettings(orgId: string, body: RequestBody<'updateRoleSettings'>, options?: RequestOptions) {
    return this.call('updateRoleSettings', { ...options, path: { orgId }, body });
  }

  // Apps: the host app's OIDC clients (docs/sso.md "Sign-in for your app")

  listApps(options?: RequestOptions) {
    return this.call('listApps', { ...options });
  }
  /** The answer's `secret` (`appsec_…`, the client secret) is shown only here and at rotation. */
  createApp(body: RequestBody<'createApp'>, options?: RequestOptions) {
    return this.call('createApp', { ...options, body });
  }
  getApp(appId: string, options?: RequestOptions) {
    return this.call('getApp', { ...options, path: { appId } });
  }
  updateApp(appId: string, body: RequestBody<'updateApp'>, options?: RequestOptions) {
    return this.call('updateApp', { ...options, path: { appId }, body });
  }
  deleteApp(appId: string, options?: RequestOptions) {
    return this.call('deleteApp', { ...options, path: { appId } });
  }
  /** A new client secret (in the answer); the old one stops working at once. */
  rotateAppSecret(appId: string, options?: RequestOptions) {
    return this.call('rotateAppSecret', { ...options, path: { appId } });
  }

  // SSO: an org's connections to its IdPs and its email domains (docs/sso.md)

  listSsoPresets(options?: RequestOptions) {
    return this.call('listSsoPresets', { ...options });
  }
  listSsoConnections(orgId: string, options?: RequestOptions) {
    return this.call('listSsoConnections', { ...options, path: { orgId } });
  }
  /** `oidc.clientSecret` is write-only: answers carry `clientSecretSet`. */
  createSsoConnection(orgId: string, body: RequestBody<'createSsoConnection'>, options?: RequestOptions) {
    return this.call('createSsoConnection', { ...options, path: { orgId }, body });
  }
  getSsoConnection(orgId: string, connectionId: string, options?: RequestOptions) {
    return this.call('getSsoConnection', { ...options, path: { orgId, connectionId } });
  }
  updateSsoConnection(
    orgId: string,
    connectionId: string,
    body: RequestBody<'updateSsoConnection'>,
    options?: RequestOptions,
  ) {
    return this.call('updateSsoConnection', { ...options, path: { orgId, connectionId }, body });
  }
  deleteSsoConnection(orgId: string, connectionId: string, options?: RequestOptions) {
    return this.call('deleteSsoConnection', { ...options, path: { orgId, connectionId } });
  }
  listSsoDomains(orgId: string, options?: RequestOptions) {
    return this.call('listSsoDomains', { ...options, path: { orgId } });
  }
  addSsoDomain(orgId: string, body: RequestBody<'addSsoDomain'>, options?: RequestOptions) {
    return this.call('addSsoDomain', { ...options, path: { orgId }, body });
  }
  removeSsoDomain(orgId: string, domain: string, options?: RequestOptions) {
    return this.call('removeSsoDomain', { ...options, path: { orgId, domain } });
  }
  /** Optional: checks the domain's TXT record (`verificationRecord`) and marks it verified. */
  verifySsoDomain(orgId: string, domain: string, options?: RequestOptions) {
    return this.call('verifySsoDomain', { ...options, path: { orgId, domain } });
  }
  /**
   * A test sign-in through a connection (nobody signs in): send the browser to `redirectTo` with
   * the cookie `scimitar_sso_bind=<browserSecret>`; it comes back to `returnTo?attempt=…`.
   */
  startSsoTest(
    orgId: string,
    connectionId: string,
    body: RequestBody<'startSsoTest'>,
    options?: RequestOptions,
  ) {
    return this.call('startSsoTest', { ...options, path: { orgId, connectionId }, body });
  }
  /** A test sign-in's result: pending, what the IdP sent, or why it failed. */
  getSsoTest(orgId: string, attemptId: string, options?: RequestOptions) {
    return this.call('getSsoTest', { ...options, path: { orgId, attemptId } });
  }

  // Events

  /** One page of the pull feed; `events()` iterates it. */
  listEvents(query?: QueryParams<'listEvents'>, options?: RequestOptions) {
    return this.call('listEvents', { ...options, ...(query ? { query } : {}) });
  }
}
