/**
 * /api/v1/orgs/{orgId}/deprovisionings (docs/deprovisioning.md, docs/api.md "Deprovisionings"):
 * the org's `user.deactivated` / `user.deleted` events the host app has not acknowledged yet,
 * with their age, and the explicit acknowledgement for pull consumers.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { DEPROVISIONING_STATES } from '../../directory/deprovisionings.ts';
import { requestActor } from './actor.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { Nullable, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

const Deprovisioning = Type.Object(
  {
    id: Type.String({ description: '`dpv_` and the number of its event' }),
    eventId: Type.String({ description: 'The `user.deactivated` or `user.deleted` event (its webhook-id)' }),
    type: Type.Enum(['user.deactivated', 'user.deleted']),
    userId: Type.String(),
    at: Timestamp,
    ageSeconds: Type.Integer({
      description: 'Seconds since the event; once acknowledged, the seconds it took to acknowledge',
    }),
    acknowledgedAt: Nullable(Timestamp),
    acknowledgedBy: Nullable(
      Type.String(),
      '`webhook:<endpoint id>` (a 2xx to its delivery), `api_key:<key id>` or `cli[:<OS login>]`',
    ),
  },
  { description: 'A deactivation or deletion the host app has to act on and acknowledge' },
);

const DeprovisioningParams = Type.Object({
  ...OrgParams.properties,
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'The deprovisioning id (`dpv_…`) or its event id (`evt_…`)',
  }),
});

export const deprovisioningRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { deprovisionings } = api.directory;

  api.get(
    '/orgs/:orgId/deprovisionings',
    {
      schema: {
        operationId: 'listDeprovisionings',
        tags: ['deprovisioning'],
        summary: "The org's deprovisionings, oldest first: by default those not yet acknowledged",
        params: OrgParams,
        querystring: Type.Object({
          ...PageQuery,
          state: Type.Optional(
            Type.Enum([...DEPROVISIONING_STATES], { default: 'pending', description: 'pending by default' }),
          ),
          userId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
        }),
        response: withProblems({ 200: page(Deprovisioning) }),
      },
    },
    async (request) => {
      const { orgId } = request.params;
      const { limit, cursor, ...filter } = request.query;
      await requireOrg(request, orgId);
      const result = await deprovisionings.page(orgId, filter, { limit: limit ?? 50, cursor });
      return { data: result.items, nextCursor: result.nextCursor };
    },
  );

  api.post(
    '/orgs/:orgId/deprovisionings/:id/acknowledge',
    {
      schema: {
        operationId: 'acknowledgeDeprovisioning',
        tags: ['deprovisioning'],
        summary:
          'Acknowledges a deprovisioning (by its id or its event id) once the app acted on it; idempotent',
        params: DeprovisioningParams,
        response: withProblems({ 200: Deprovisioning }),
      },
    },
    async (request) => {
      const { orgId, id } = request.params;
      await requireOrg(request, orgId);
      return deprovisionings.acknowledge(requestActor(request, orgId), id);
    },
  );
};
