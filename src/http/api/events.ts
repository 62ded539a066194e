/**
 * GET /api/v1/events (docs/api.md "Events"): the pull feed, for host apps that cannot receive
 * webhooks. The consumer stores `nextCursor` after processing a page and passes it back as
 * `after`; the directory's feed order (src/store/events.ts) makes that miss nothing and repeat
 * nothing. `wait` long-polls: an empty page is held until an event commits or the time is up,
 * and a client that disconnects ends the wait.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import { EVENT_TYPES, MAX_FEED_PAGE } from '../../directory/webhooks.ts';
import { ApiProblem } from './problems.ts';
import { Nullable, OrgId, Timestamp, withProblems } from './schemas.ts';

/** The longest long poll, in seconds. */
export const MAX_WAIT_SECONDS = 60;

export const EventType = Type.Enum([...EVENT_TYPES], { description: 'docs/events.md lists every type' });

export const Event = Type.Object(
  {
    id: Type.String({ description: 'Stable and unique; ids sort in the order events were written' }),
    type: EventType,
    version: Type.Integer({ description: "The event format's version" }),
    timestamp: Timestamp,
    orgId: Nullable(Type.String()),
    data: Type.Unknown({
      description: 'The resource after the change, in the API JSON form (docs/events.md)',
    }),
    changes: Type.Optional(
      Type.Object({
        changed: Type.Array(Type.String()),
        previous: Type.Record(Type.String(), Type.Unknown()),
      }),
    ),
  },
  { description: 'An event, as in a webhook body (docs/events.md)' },
);

export const EventPage = Type.Object({
  data: Type.Array(Event),
  nextCursor: Type.String({
    description:
      'Store it and pass it as `after` next time; an empty page gives back the cursor it was asked for',
  }),
});

/** `type=a&type=b` and `type=a,b` alike; an unknown type is a problem, not an empty feed. */
function parseTypes(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const types = values
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
  for (const t of types) {
    if (!(EVENT_TYPES as readonly string[]).includes(t)) {
      throw new ApiProblem(
        'invalid_request',
        `Unknown event type '${t.slice(0, 100)}' (docs/events.md lists them)`,
      );
    }
  }
  return types.length > 0 ? [...new Set(types)] : undefined;
}

export const eventRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/events',
    {
      schema: {
        operationId: 'listEvents',
        tags: ['events'],
        summary: 'The event feed after a cursor, oldest first; optionally waits for new events',
        querystring: Type.Object({
          after: Type.Optional(
            Type.String({
              maxLength: 64,
              description: 'The `nextCursor` of the previous page; absent: from the oldest event kept',
            }),
          ),
          org: Type.Optional(OrgId),
          type: Type.Optional(
            Type.Array(Type.String({ maxLength: 400 }), {
              maxItems: EVENT_TYPES.length,
              description: 'Event types: repeat the parameter or separate them with commas',
            }),
          ),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_FEED_PAGE, default: 100 })),
          wait: Type.Optional(
            Type.Integer({
              minimum: 0,
              maximum: MAX_WAIT_SECONDS,
              default: 0,
              description: 'Seconds to hold an empty page open until an event commits (long poll)',
            }),
          ),
        }),
        response: withProblems({ 200: EventPage }),
      },
    },
    async (request, reply) => {
      const { after, org, type, limit, wait } = request.query;
      const types = parseTypes(type);
      // The client going away ends a long poll at once instead of holding its slot until `wait`.
      const disconnect = new AbortController();
      const onClose = () => {
        if (!reply.raw.writableFinished) disconnect.abort();
      };
      reply.raw.on('close', onClose);
      try {
        const page = await directory.webhooks.feed({
          cursor: after,
          orgId: org,
          types,
          limit,
          waitSeconds: wait,
          signal: disconnect.signal,
        });
        // The outbox holds only EVENT_TYPES (the directory writes them); the row type says string.
        return { data: page.events as Static<typeof Event>[], nextCursor: page.cursor };
      } finally {
        reply.raw.off('close', onClose);
      }
    },
  );
};
