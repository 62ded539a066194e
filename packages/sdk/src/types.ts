/**
 * Friendly names for the generated types (openapi.ts): the shapes the API answers with, and
 * the helpers the client uses to type each operation's input and output.
 */
import type { operations } from './openapi.ts';

export type OperationId = keyof operations;

type Op<K extends OperationId> = operations[K];

/** The path parameters of an operation (`{ orgId, id }`), or never. */
export type PathParams<K extends OperationId> = Op<K>['parameters'] extends { path: infer P } ? P : never;

/** The query parameters of an operation, or never. */
export type QueryParams<K extends OperationId> = Op<K>['parameters'] extends { query?: infer Q }
  ? Exclude<Q, undefined>
  : never;

/** The JSON body of an operation, or never. */
export type RequestBody<K extends OperationId> =
  Op<K> extends {
    requestBody: { content: { 'application/json': infer B } };
  }
    ? B
    : Op<K> extends { requestBody?: { content: { 'application/json': infer B } } }
      ? B
      : never;

type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : undefined;

/** What an operation answers on success (`undefined` for a 204). */
export type ResponseBody<K extends OperationId> = Op<K>['responses'] extends infer R
  ? R extends { 200: infer S }
    ? JsonOf<S>
    : R extends { 201: infer S }
      ? JsonOf<S>
      : undefined
  : never;

/** An RFC 9457 problem document, as every error answer carries it. */
export type Problem = operations['getOrg']['responses']['default']['content']['application/problem+json'];
/** A problem's stable `code` (docs/api.md lists them). */
export type ProblemCode = Problem['code'];

export type Org = ResponseBody<'getOrg'>;
export type ScimConnection = ResponseBody<'getScimConnection'>;
export type ScimToken = ResponseBody<'listScimTokens'>['data'][number];
export type User = ResponseBody<'listUsers'>['data'][number];
export type UserWithGroups = ResponseBody<'getUser'>;
export type Group = ResponseBody<'getGroup'>;
export type GroupMember = ResponseBody<'listGroupMembers'>['data'][number];
export type WebhookEndpoint = ResponseBody<'getWebhookEndpoint'>;
export type WebhookDelivery = ResponseBody<'listWebhookDeliveries'>['data'][number];
export type AuditEntry = ResponseBody<'listAuditEntries'>['data'][number];
export type Deprovisioning = ResponseBody<'listDeprovisionings'>['data'][number];

/** An event as the OpenAPI document describes it (`data` untyped). */
export type FeedEvent = ResponseBody<'listEvents'>['data'][number];
export type EventType = FeedEvent['type'];

// What each event type's `data` holds (the service's docs/events.md, format version 2). Fields
// may be added within a version, hence the index signatures. Events written in version 1
// (before an upgrade) carried every SCIM attribute of a user or group at the top level of
// `data`: read an event's `version` before its `data`.

/**
 * A user, in the management API's one JSON form (`User`, generated from the OpenAPI document):
 * curated fields, other SCIM attributes under `attributes`, `enterprise`, `extensions`;
 * without `roles`, whose changes have `user.roles_changed` events of their own.
 */
export type UserEventData = Omit<User, 'roles'> & { [attribute: string]: unknown };

/** A group in the API's JSON form (`Group`); its members are announced by member events, not listed here. */
export type GroupEventData = Group & { [attribute: string]: unknown };

/** `group.member_added` / `group.member_removed`: direct, or (for users) through nested groups. */
export interface MembershipEventData {
  group: { id: string };
  member: { id: string; type: 'User' | 'Group' };
  /** The member itself joined or left the group; false: a user gained or lost it through `via`. */
  direct: boolean;
  via?: { id: string };
  changedGroup?: { id: string };
}

export interface ScimTokenEventData {
  id: string;
  orgId: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  [attribute: string]: unknown;
}

export interface OrgEventData {
  id: string;
  name: string;
  createdAt: string;
  idpProfile: string;
  [attribute: string]: unknown;
}

/** `org.deprovisioning_held`: the mass-deprovisioning valve began holding (docs/safety-valves.md). */
export interface DeprovisioningHeldEventData {
  orgId: string;
  /** When the window began, and its length. */
  windowStart: string;
  windowSeconds: number;
  /** Active users when the window began. */
  activeUsers: number;
  /** Deprovisionings applied in the window before the valve held. */
  deprovisioned: number;
  /** Deprovisionings the window lets through. */
  threshold: number;
  /** Changes held when the event was written. */
  held: number;
  [attribute: string]: unknown;
}

/** `user.roles_changed`: the user's roles in the app, highest priority first (the service's docs/roles.md). */
export interface RolesChangedEventData {
  user: { id: string };
  before: string[];
  after: string[];
  [attribute: string]: unknown;
}

export interface WebhookEndpointDisabledEventData {
  id: string;
  url: string;
  reason: string;
  [attribute: string]: unknown;
}

type EventOf<T extends EventType, D> = Omit<FeedEvent, 'type' | 'data'> & { type: T; data: D };

/**
 * An event, as the pull feed serves it and as a webhook's body carries it (docs/events.md):
 * a union on `type`, so that `switch (event.type)` narrows `data`.
 */
export type ScimitarEvent =
  | EventOf<
      | 'user.created'
      | 'user.updated'
      | 'user.deactivated'
      | 'user.reactivated'
      | 'user.deleted'
      | 'user.linked',
      UserEventData
    >
  | EventOf<'user.roles_changed', RolesChangedEventData>
  | EventOf<'group.created' | 'group.updated' | 'group.deleted', GroupEventData>
  | EventOf<'group.member_added' | 'group.member_removed', MembershipEventData>
  | EventOf<'scim_token.created' | 'scim_token.revoked', ScimTokenEventData>
  | EventOf<'org.created' | 'org.deleted', OrgEventData>
  | EventOf<'org.deprovisioning_held', DeprovisioningHeldEventData>
  | EventOf<'webhook_endpoint.disabled', WebhookEndpointDisabledEventData>;

/** Fails to compile when the service gains an event type that ScimitarEvent does not name. */
export type EventTypesCovered = Exclude<EventType, ScimitarEvent['type']> extends never ? true : never;

const eventTypesCovered: EventTypesCovered = true;
void eventTypesCovered;
