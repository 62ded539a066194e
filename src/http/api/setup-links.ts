/**
 * Setup links and an org's status (docs/api.md "Setup links"): the operator (an API key or the
 * console's session) creates, lists and revokes an org's setup links; the setup pages, with
 * the link's own secret as their credential, read what the link is for and the org's status.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import {
  DEFAULT_SETUP_LINK_SECONDS,
  MAX_SETUP_LINK_SECONDS,
  type SetupLinkInfo,
} from '../../directory/setup-links.ts';
import { requestAuthor } from './actor.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { ApiProblem } from './problems.ts';
import { Nullable, OrgId, Timestamp, withProblems } from './schemas.ts';

const SetupLink = Type.Object({
  id: Type.String(),
  prefix: Type.String({ description: 'The first characters of the secret, to tell links apart' }),
  createdAt: Timestamp,
  expiresAt: Timestamp,
  revokedAt: Nullable(Timestamp),
  lastUsedAt: Nullable(Timestamp),
});

const NewSetupLink = Type.Object({
  ...SetupLink.properties,
  url: Type.String({ description: 'The link to send the IT admin: shown only in this response' }),
});

const OrgStatus = Type.Object({
  orgId: OrgId,
  connected: Type.Boolean({ description: 'A SCIM token of the org has authenticated a request of its IdP' }),
  lastAuthenticatedAt: Nullable(Timestamp),
  lastRequestAt: Nullable(Timestamp, 'The latest SCIM request, authenticated or not'),
  users: Type.Integer(),
  groups: Type.Integer(),
  failuresLastDay: Type.Integer({ description: 'SCIM requests answered 400 or more in the last 24 hours' }),
  failuresLastHour: Type.Integer(),
  recentFailures: Type.Array(
    Type.Object({
      id: Type.Integer({ description: "The request's id in the org's request log" }),
      at: Timestamp,
      method: Type.String(),
      path: Type.String(),
      status: Type.Integer(),
      scimType: Nullable(Type.String()),
      hint: Nullable(Type.String(), 'What the failure most likely means, and what to try'),
    }),
    { description: 'The latest failures of the last hour (up to 5), newest first' },
  ),
  heldDeprovisionings: Type.Integer({
    description: 'Deprovisionings the safety valve holds (docs/safety-valves.md)',
  }),
  sso: Type.Object(
    { connections: Type.Integer(), enabled: Type.Integer() },
    { description: "The org's SSO connections, and how many of them sign users in" },
  ),
});

function setupUrl(request: FastifyRequest, token: string): string {
  const origin = request.server.config.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${origin}/setup/${token}`;
}

function view({ orgId: _org, ...link }: SetupLinkInfo) {
  return link;
}

export const setupLinkRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/orgs/:orgId/status',
    {
      config: { setup: true },
      schema: {
        operationId: 'getOrgStatus',
        tags: ['orgs'],
        summary:
          "The org's connection at a glance: connected, last request, counts, recent failures, held changes",
        params: OrgParams,
        response: withProblems({ 200: OrgStatus }),
      },
    },
    async (request) => {
      const org = await requireOrg(request, request.params.orgId);
      return { orgId: org.id, ...(await directory.orgStatus.status(org.id)) };
    },
  );

  api.get(
    '/orgs/:orgId/setup-links',
    {
      schema: {
        operationId: 'listSetupLinks',
        tags: ['setup links'],
        summary: "The org's setup links, newest first (never the secret)",
        params: OrgParams,
        response: withProblems({ 200: Type.Object({ data: Type.Array(SetupLink) }) }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return { data: (await directory.setupLinks.list(request.params.orgId)).map(view) };
    },
  );

  api.post(
    '/orgs/:orgId/setup-links',
    {
      schema: {
        operationId: 'createSetupLink',
        tags: ['setup links'],
        summary:
          "A link for the org's IT admin to set up its connection; the URL is shown only in this response",
        params: OrgParams,
        body: Type.Optional(
          Type.Object(
            {
              expiresInSeconds: Type.Optional(
                Type.Integer({
                  minimum: 60,
                  maximum: MAX_SETUP_LINK_SECONDS,
                  description: `How long the link works; ${DEFAULT_SETUP_LINK_SECONDS} (7 days) by default`,
                }),
              ),
            },
            { additionalProperties: false },
          ),
        ),
        response: withProblems({ 201: NewSetupLink }),
      },
    },
    async (request, reply) => {
      await requireOrg(request, request.params.orgId);
      const { token, ...link } = await directory.setupLinks.create(
        request.params.orgId,
        {
          expiresInSeconds: request.body?.expiresInSeconds,
        },
        requestAuthor(request),
      );
      reply.code(201);
      return { ...view(link), url: setupUrl(request, token) };
    },
  );

  api.delete(
    '/orgs/:orgId/setup-links/:linkId',
    {
      schema: {
        operationId: 'revokeSetupLink',
        tags: ['setup links'],
        summary: 'Revoke a setup link at once',
        params: Type.Object({
          ...OrgParams.properties,
          linkId: Type.String({ minLength: 1, maxLength: 200 }),
        }),
        response: withProblems({ 204: Type.Null({ description: 'Revoked' }) }),
      },
    },
    async (request, reply) => {
      await directory.setupLinks.revoke(request.params.orgId, request.params.linkId, requestAuthor(request));
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/setup-link',
    {
      config: { setup: true },
      schema: {
        operationId: 'getCurrentSetupLink',
        tags: ['setup links'],
        summary: 'With a setup link as the credential: the org it sets up, and until when it works',
        response: withProblems({
          200: Type.Object({ orgId: OrgId, orgName: Type.String(), expiresAt: Timestamp }),
        }),
      },
    },
    async (request) => {
      const credential = request.credential;
      if (credential?.kind !== 'setup_link')
        throw new ApiProblem(
          'invalid_request',
          'Send a setup link as the bearer credential to ask what it is for',
        );
      const org = await requireOrg(request, credential.orgId);
      return { orgId: org.id, orgName: org.name, expiresAt: credential.expiresAt };
    },
  );
};
