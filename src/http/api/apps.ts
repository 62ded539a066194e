/**
 * /api/v1/apps (docs/api.md "Apps", docs/sso.md "Sign-in for your app"): the host app's OIDC
 * clients, deployment-wide like API keys. The client secret is in the answers of create and
 * rotate only: the other response schemas have no `secret`, and Fastify's serializer drops what
 * a schema does not name.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_APP_URI_LENGTH, MAX_APP_URIS } from '../../directory/apps.ts';
import { requestAuthor } from './actor.ts';
import { Nullable, NullableInput, Timestamp, withProblems } from './schemas.ts';

const Uri = Type.String({ minLength: 1, maxLength: MAX_APP_URI_LENGTH });
const Uris = (description: string) => Type.Array(Uri, { maxItems: MAX_APP_URIS, description });
const RedirectUris = Uris(
  'Exact redirect URIs (https; http only on localhost or a loopback address); no wildcards, no fragment',
);
const PostLogoutRedirectUris = Uris('Exact URIs the end-session endpoint may send the browser back to');
const BackchannelLogoutUri = Type.String({
  maxLength: MAX_APP_URI_LENGTH,
  description: 'OpenID Connect Back-Channel Logout 1.0: where logout tokens are POSTed',
});
const Name = Type.String({ minLength: 1, maxLength: 200 });

export const AppSchema = Type.Object({
  id: Type.String({ description: 'The OIDC client_id' }),
  name: Type.String(),
  secretPrefix: Type.String({ description: "The secret's first characters, to tell secrets apart" }),
  redirectUris: Type.Array(Type.String()),
  postLogoutRedirectUris: Type.Array(Type.String()),
  backchannelLogoutUri: Nullable(Type.String()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const WithSecret = Type.Object({
  ...AppSchema.properties,
  secret: Type.String({ description: 'The client secret (`appsec_…`): shown only in this response' }),
});

const AppParams = Type.Object({ appId: Type.String({ minLength: 1, maxLength: 100 }) });

export const appRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { apps } = api.directory;

  api.post(
    '/apps',
    {
      schema: {
        operationId: 'createApp',
        tags: ['apps'],
        summary: 'Register an OIDC client of the host app; its secret is shown only in this response',
        body: Type.Object(
          {
            name: Type.Optional(Name),
            redirectUris: RedirectUris,
            postLogoutRedirectUris: Type.Optional(PostLogoutRedirectUris),
            backchannelLogoutUri: Type.Optional(NullableInput(BackchannelLogoutUri)),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: WithSecret }),
      },
    },
    async (request, reply) => {
      const { app, secret } = await apps.create(request.body, requestAuthor(request));
      reply.code(201).header('location', `${request.url.split('?')[0]}/${app.id}`);
      return { ...app, secret };
    },
  );

  api.get(
    '/apps',
    {
      schema: {
        operationId: 'listApps',
        tags: ['apps'],
        summary: 'Every app, oldest first; never a secret',
        response: withProblems({ 200: Type.Object({ data: Type.Array(AppSchema) }) }),
      },
    },
    async () => ({ data: await apps.list() }),
  );

  api.get(
    '/apps/:appId',
    {
      schema: {
        operationId: 'getApp',
        tags: ['apps'],
        summary: 'One app (never its secret)',
        params: AppParams,
        response: withProblems({ 200: AppSchema }),
      },
    },
    async (request) => apps.get(request.params.appId),
  );

  api.patch(
    '/apps/:appId',
    {
      schema: {
        operationId: 'updateApp',
        tags: ['apps'],
        summary: 'Change the name or URIs; a list given replaces the old one, absent properties stay',
        params: AppParams,
        body: Type.Object(
          {
            name: Type.Optional(Name),
            redirectUris: Type.Optional(RedirectUris),
            postLogoutRedirectUris: Type.Optional(PostLogoutRedirectUris),
            backchannelLogoutUri: Type.Optional(NullableInput(BackchannelLogoutUri)),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: withProblems({ 200: AppSchema }),
      },
    },
    async (request) => apps.update(request.params.appId, request.body, requestAuthor(request)),
  );

  api.delete(
    '/apps/:appId',
    {
      schema: {
        operationId: 'deleteApp',
        tags: ['apps'],
        summary: 'Delete an app; its tokens stop working at once',
        params: AppParams,
        response: withProblems({ 204: Type.Null({ description: 'Deleted' }) }),
      },
    },
    async (request, reply) => {
      await apps.delete(request.params.appId, requestAuthor(request));
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/apps/:appId/rotate-secret',
    {
      schema: {
        operationId: 'rotateAppSecret',
        tags: ['apps'],
        summary: 'A new client secret, shown only in this response; the old one stops working at once',
        params: AppParams,
        response: withProblems({ 200: WithSecret }),
      },
    },
    async (request) => {
      const { app, secret } = await apps.rotateSecret(request.params.appId, requestAuthor(request));
      return { ...app, secret };
    },
  );
};
