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

/** An event, as the pull feed serves it and as a webhook's body carries it (docs/events.md). */
export type ScimitarEvent = ResponseBody<'listEvents'>['data'][number];
export type EventType = ScimitarEvent['type'];
