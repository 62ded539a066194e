/**
 * /api/v1/webhooks (docs/api.md "Webhooks"): the host app's webhook endpoints, deployment-wide
 * like API keys (an endpoint may filter on one org), their deliveries and attempts, and
 * redelivery. A secret is in the answers of create and rotate only: the response schemas below
 * have no `secret` elsewhere, and Fastify's serializer drops what a schema does not name.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { EVENT_TYPES } from '../../directory/webhooks.ts';
import { requestAuthor } from './actor.ts';
import { requireOrg } from './orgs.ts';
import { Nullable, NullableInput, OrgId, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

const EventType = Type.Enum([...EVENT_TYPES]);

const Url = Type.String({
  minLength: 1,
  maxLength: 2000,
  description: 'An absolute http:// or https:// URL, without credentials',
});
const Description = Type.String({ maxLength: 500 });
const EventTypes = Type.Array(EventType, {
  maxItems: EVENT_TYPES.length,
  description: 'Only these event types; null or absent: every type',
});

export const WebhookEndpointSchema = Type.Object({
  id: Type.String(),
  orgId: Nullable(OrgId, "Only this org's events; null: every org's"),
  url: Type.String(),
  description: Nullable(Type.String()),
  eventTypes: Nullable(EventTypes),
  enabled: Type.Boolean(),
  disabledReason: Nullable(
    Type.String({ description: 'Why the service disabled it (a 410 Gone from the receiver, say)' }),
  ),
  previousSecretExpiresAt: Nullable(
    Timestamp,
    'After a rotation: until when the previous secret still signs beside the new one',
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const WithSecret = Type.Object({
  ...WebhookEndpointSchema.properties,
  secret: Type.String({
    description: 'The signing secret (`whsec_…`, Standard Webhooks): shown only in this response',
  }),
});

const DeliveryStatus = Type.Enum(['pending', 'delivered', 'failed'] as const);

export const WebhookDeliverySchema = Type.Object({
  id: Type.Integer(),
  endpointId: Type.String(),
  eventId: Type.String({ description: 'The event id, as in the payload and the webhook-id header' }),
  eventType: Nullable(Type.String(), 'Null once the event has been pruned'),
  orgId: Nullable(Type.String()),
  resourceKey: Type.String({ description: 'Deliveries of one key go out one at a time, in order' }),
  status: DeliveryStatus,
  attempts: Type.Integer({ description: 'How many times it was sent' }),
  nextAttemptAt: Nullable(Timestamp, 'When a pending delivery is next tried'),
  createdAt: Timestamp,
  lastAttemptAt: Nullable(Timestamp),
  lastStatus: Nullable(Type.Integer(), "The receiver's last HTTP status; null when none came"),
  lastError: Nullable(Type.String()),
});

const Attempt = Type.Object({
  at: Timestamp,
  status: Nullable(Type.Integer(), 'The HTTP status; null when no answer came (refused, timed out)'),
  latencyMs: Type.Number({ description: 'From sending the request to the end of the answer' }),
  error: Nullable(Type.String()),
  responseStart: Nullable(Type.String(), "The first KiB of the receiver's answer"),
});

const EndpointParams = Type.Object({ endpointId: Type.String({ minLength: 1, maxLength: 100 }) });
const DeliveryParams = Type.Object({
  ...EndpointParams.properties,
  deliveryId: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
});

/** At most a week: a receiver has that long to switch to the new secret. */
const MAX_GRACE_SECONDS = 7 * 24 * 3600;

export const webhookRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { webhooks } = api.directory;

  api.post(
    '/webhooks',
    {
      schema: {
        operationId: 'createWebhookEndpoint',
        tags: ['webhooks'],
        summary: 'Create a webhook endpoint; its signing secret is shown only in this response',
        body: Type.Object(
          {
            url: Url,
            orgId: Type.Optional(NullableInput(OrgId, "Only this org's events; absent or null: every org's")),
            description: Type.Optional(NullableInput(Description)),
            eventTypes: Type.Optional(NullableInput(EventTypes)),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: WithSecret }),
      },
    },
    async (request, reply) => {
      const { endpoint, secret } = await webhooks.create(request.body, requestAuthor(request));
      reply.code(201).header('location', `${request.url.split('?')[0]}/${endpoint.id}`);
      return { ...endpoint, secret };
    },
  );

  api.get(
    '/webhooks',
    {
      schema: {
        operationId: 'listWebhookEndpoints',
        tags: ['webhooks'],
        summary: 'Every webhook endpoint, or those filtering on one org (`orgId`), by id; never a secret',
        querystring: Type.Object({ orgId: Type.Optional(OrgId) }),
        response: withProblems({ 200: Type.Object({ data: Type.Array(WebhookEndpointSchema) }) }),
      },
    },
    async (request) => {
      const { orgId } = request.query;
      if (orgId !== undefined) await requireOrg(request, orgId);
      return { data: await webhooks.list(orgId) };
    },
  );

  api.get(
    '/webhooks/:endpointId',
    {
      schema: {
        operationId: 'getWebhookEndpoint',
        tags: ['webhooks'],
        summary: 'One webhook endpoint (never its secret)',
        params: EndpointParams,
        response: withProblems({ 200: WebhookEndpointSchema }),
      },
    },
    async (request) => webhooks.get(request.params.endpointId),
  );

  api.patch(
    '/webhooks/:endpointId',
    {
      schema: {
        operationId: 'updateWebhookEndpoint',
        tags: ['webhooks'],
        summary: 'Change the URL, description or filters, or disable and enable it; absent properties stay',
        params: EndpointParams,
        body: Type.Object(
          {
            url: Type.Optional(Url),
            orgId: Type.Optional(NullableInput(OrgId, "Only this org's events; null: every org's")),
            description: Type.Optional(NullableInput(Description)),
            eventTypes: Type.Optional(NullableInput(EventTypes)),
            enabled: Type.Optional(
              Type.Boolean({ description: 'false stops deliveries; true resumes them (also after a 410)' }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: withProblems({ 200: WebhookEndpointSchema }),
      },
    },
    async (request) => webhooks.update(request.params.endpointId, request.body, requestAuthor(request)),
  );

  api.delete(
    '/webhooks/:endpointId',
    {
      schema: {
        operationId: 'deleteWebhookEndpoint',
        tags: ['webhooks'],
        summary: 'Delete a webhook endpoint with its deliveries and attempts',
        params: EndpointParams,
        response: withProblems({ 204: Type.Null({ description: 'Deleted' }) }),
      },
    },
    async (request, reply) => {
      await webhooks.delete(request.params.endpointId, requestAuthor(request));
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/webhooks/:endpointId/rotate-secret',
    {
      schema: {
        operationId: 'rotateWebhookSecret',
        tags: ['webhooks'],
        summary:
          'A new signing secret, shown only in this response; the previous one keeps signing beside it for `graceSeconds`',
        params: EndpointParams,
        body: Type.Object(
          {
            graceSeconds: Type.Optional(
              Type.Integer({ minimum: 0, maximum: MAX_GRACE_SECONDS, default: 86400 }),
            ),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: WithSecret }),
      },
      // The body is optional: none means the default grace period.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { endpoint, secret } = await webhooks.rotateSecret(
        request.params.endpointId,
        request.body?.graceSeconds ?? 86400,
        requestAuthor(request),
      );
      return { ...endpoint, secret };
    },
  );

  api.get(
    '/webhooks/:endpointId/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        tags: ['webhooks'],
        summary: "An endpoint's deliveries, newest first",
        params: EndpointParams,
        querystring: Type.Object({ ...PageQuery, status: Type.Optional(DeliveryStatus) }),
        response: withProblems({ 200: page(WebhookDeliverySchema) }),
      },
    },
    async (request) => {
      const { limit, cursor, status } = request.query;
      const result = await webhooks.deliveryPage(request.params.endpointId, {
        status,
        cursor,
        limit: limit ?? 50,
      });
      return { data: result.items, nextCursor: result.nextCursor };
    },
  );

  api.get(
    '/webhooks/:endpointId/deliveries/:deliveryId',
    {
      schema: {
        operationId: 'getWebhookDelivery',
        tags: ['webhooks'],
        summary: 'One delivery with every attempt: status, latency, the start of the answer',
        params: DeliveryParams,
        response: withProblems({
          200: Type.Object({
            ...WebhookDeliverySchema.properties,
            attemptLog: Type.Array(Attempt, { description: 'Every attempt, oldest first' }),
          }),
        }),
      },
    },
    async (request) => webhooks.delivery(request.params.endpointId, request.params.deliveryId),
  );

  api.post(
    '/webhooks/:endpointId/deliveries/:deliveryId/redeliver',
    {
      schema: {
        operationId: 'redeliverWebhook',
        tags: ['webhooks'],
        summary: 'Send a delivery again now, whatever its state; a failed one gets a new retry window',
        params: DeliveryParams,
        response: withProblems({ 202: WebhookDeliverySchema }),
      },
    },
    async (request, reply) => {
      const { endpointId, deliveryId } = request.params;
      await webhooks.redeliver(endpointId, deliveryId);
      const { attemptLog: _log, ...delivery } = await webhooks.delivery(endpointId, deliveryId);
      reply.code(202);
      return delivery;
    },
  );
};
