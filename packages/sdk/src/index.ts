/** @scimitar/sdk: the host app's client for a Scimitar service (README.md). */
export {
  type AccessAnswer,
  type CallInput,
  type ClientOptions,
  type EventsOptions,
  type Page,
  type RequestOptions,
  ScimitarClient,
} from './client.ts';
export { ScimitarApiError } from './errors.ts';
export type { components, operations, paths } from './openapi.ts';
export { operationRoutes } from './openapi.ts';
export {
  IdTokenError,
  type ScimitarIdClaims,
  type SignInRequest,
  type SignInUrlOptions,
  signInUrl,
  type VerifyIdTokenOptions,
  verifyIdToken,
} from './sign-in.ts';
export type * from './types.ts';
export { verifyWebhook, type WebhookHeaders, WebhookSignatureError } from './webhooks.ts';
