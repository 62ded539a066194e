/**
 * /api/v1/orgs/{orgId}/valves and /held-changes (docs/api.md "Safety valves",
 * docs/safety-valves.md): an org's valve settings, and the deprovisionings the valve held,
 * listed, released or discarded through the directory's ValveService.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { HeldOutcome } from '../../directory/valves.ts';
import { VALVE_LIMITS } from '../../directory/valves.ts';
import { requestActor, requestAuthor } from './actor.ts';
import { OrgParams } from './orgs.ts';
import { Nullable, PageQuery, page, Timestamp, withProblems } from './schemas.ts';

const Deprovisioning = Type.Object({
  enabled: Type.Boolean({ description: 'The mass-deprovisioning valve is on' }),
  percent: Type.Integer({ description: "Share of the window's active users that may be deprovisioned" }),
  minUsers: Type.Integer({ description: 'Deprovisionings a window always lets through' }),
  windowSeconds: Type.Integer(),
});

const Overrides = Type.Object(
  {
    enabled: Nullable(Type.Boolean()),
    percent: Nullable(Type.Integer()),
    minUsers: Nullable(Type.Integer()),
    windowSeconds: Nullable(Type.Integer()),
    seatCap: Nullable(Type.Integer()),
    contact: Nullable(Type.String()),
  },
  { description: "What this org sets; null: the deployment's default" },
);

const Valves = Type.Object({
  orgId: Type.String(),
  deprovisioning: Deprovisioning,
  seatCap: Nullable(Type.Integer(), 'Most active users; null: no cap'),
  contact: Nullable(Type.String(), "Whom the seat cap's error tells the IdP's admin to ask"),
  overrides: Overrides,
  window: Nullable(
    Type.Object({
      start: Timestamp,
      activeUsers: Type.Integer({ description: 'Active users when the window started' }),
      deprovisioned: Type.Integer({ description: 'Deprovisionings applied in the window' }),
      threshold: Type.Integer({ description: 'Deprovisionings the window lets through' }),
    }),
    'The current deprovisioning window; null when none is open',
  ),
  activeUsers: Type.Integer(),
  held: Type.Integer({ description: 'Held changes waiting for release or discard' }),
});

/**
 * A setting that null puts back to the default. One JSON type list, not a union: the request
 * validator coerces types, and would turn 0 into null (or null into 0) trying a union's branches.
 */
const Setting = <T>(type: 'integer' | 'boolean' | 'string', bounds: Record<string, number> = {}) =>
  Type.Optional(Type.Unsafe<T | null>({ type: [type, 'null'], ...bounds }));

const bounds = (limit: { min: number; max: number }) => ({ minimum: limit.min, maximum: limit.max });

const ValvesChange = Type.Object(
  {
    enabled: Setting<boolean>('boolean'),
    percent: Setting<number>('integer', bounds(VALVE_LIMITS.percent)),
    minUsers: Setting<number>('integer', bounds(VALVE_LIMITS.minUsers)),
    windowSeconds: Setting<number>('integer', bounds(VALVE_LIMITS.windowSeconds)),
    seatCap: Setting<number>('integer', bounds(VALVE_LIMITS.seatCap)),
    contact: Setting<string>('string', { minLength: 1, maxLength: VALVE_LIMITS.contactLength }),
  },
  { additionalProperties: false },
);

const HeldChange = Type.Object({
  id: Type.Integer({ description: 'Also the order a release applies them in' }),
  userId: Type.String(),
  userName: Nullable(Type.String()),
  kind: Type.Enum(['deactivate', 'delete']),
  operation: Type.Object(
    {
      method: Type.Enum(['PATCH', 'DELETE']),
      path: Type.String(),
      body: Type.Optional(Type.Unknown()),
    },
    { description: 'The SCIM operation a release applies' },
  ),
  requestId: Nullable(Type.String(), 'The SCIM request that was held'),
  heldAt: Timestamp,
});

const Selection = Type.Object(
  {
    ids: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1 }), {
        minItems: 1,
        maxItems: 1000,
        description: 'The held changes to act on; absent: all of the org',
      }),
    ),
  },
  { additionalProperties: false },
);

const Outcome = (verb: string) =>
  Type.Object({
    [verb]: Type.Array(HeldChange),
    gone: Type.Array(HeldChange, { description: 'Their user no longer exists: dropped, nothing applied' }),
  });

function outcome(verb: 'released' | 'discarded', result: HeldOutcome) {
  return { [verb]: result.done, gone: result.gone };
}

export const valveRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { valves } = api.directory;

  api.get(
    '/orgs/:orgId/valves',
    {
      schema: {
        operationId: 'getValves',
        tags: ['safety valves'],
        summary: "The org's safety valves: settings in force, its overrides, the current window",
        params: OrgParams,
        response: withProblems({ 200: Valves }),
      },
    },
    async (request) => valves.settings(request.params.orgId),
  );

  api.patch(
    '/orgs/:orgId/valves',
    {
      schema: {
        operationId: 'updateValves',
        tags: ['safety valves'],
        summary: "Override the deployment's valve settings for this org (null: back to the default)",
        params: OrgParams,
        body: ValvesChange,
        response: withProblems({ 200: Valves }),
      },
    },
    async (request) => valves.update(request.params.orgId, request.body, requestAuthor(request)),
  );

  api.get(
    '/orgs/:orgId/held-changes',
    {
      schema: {
        operationId: 'listHeldChanges',
        tags: ['safety valves'],
        summary: 'Deprovisionings the valve held, oldest first',
        params: OrgParams,
        querystring: Type.Object(PageQuery),
        response: withProblems({ 200: page(HeldChange) }),
      },
    },
    async (request) => {
      const { limit, cursor } = request.query;
      const result = await valves.held(request.params.orgId, { limit: limit ?? 50, cursor });
      return { data: result.items, nextCursor: result.nextCursor };
    },
  );

  const actions = [
    {
      verb: 'release',
      past: 'released',
      operationId: 'releaseHeldChanges',
      summary: 'Apply held changes in order, each as a normal change with its events and audit',
    },
    {
      verb: 'discard',
      past: 'discarded',
      operationId: 'discardHeldChanges',
      summary: "Drop held changes: the users keep their access; the IdP's next sync decides again",
    },
  ] as const;
  for (const { verb, past, operationId, summary } of actions) {
    api.post(
      `/orgs/:orgId/held-changes/${verb}`,
      {
        schema: {
          operationId,
          tags: ['safety valves'],
          summary,
          params: OrgParams,
          body: Type.Optional(Selection),
          response: withProblems({ 200: Outcome(past) }),
        },
      },
      async (request) =>
        outcome(
          past,
          await valves[verb](requestActor(request, request.params.orgId), {
            ids: request.body?.ids,
          }),
        ),
    );
  }
};
