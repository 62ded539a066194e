/**
 * /api/v1/orgs/{orgId}/sso/… (docs/sso.md, docs/api.md "SSO connections"): an org's SSO
 * connections to its IdPs, its email domains for home-realm discovery, and the IdP presets. A
 * connection's OIDC client secret is write-only: answers say only whether one is set.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { MAX_METADATA_BYTES } from '../../directory/saml-metadata.ts';
import {
  ATTRIBUTE_KEYS,
  MAX_CERTIFICATE_LENGTH,
  MAX_URL_LENGTH,
  SSO_MATCH_KEYS,
  SSO_PROTOCOLS,
  type SsoConnection,
} from '../../directory/sso-connections.ts';
import { SSO_PRESET_KEYS, SSO_PRESETS } from '../../directory/sso-presets.ts';
import { requestActor } from './actor.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { ApiProblem } from './problems.ts';
import { Nullable, NullableInput, Timestamp, withProblems } from './schemas.ts';

const Url = Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const AttributeName = Type.String({ minLength: 1, maxLength: 500 });
const Attributes = Type.Object(
  Object.fromEntries(ATTRIBUTE_KEYS.map((k) => [k, AttributeName])) as Record<
    (typeof ATTRIBUTE_KEYS)[number],
    typeof AttributeName
  >,
  { description: 'The SAML attribute or OIDC claim each user attribute is read from' },
);
const AttributesInput = Type.Partial(Attributes, { additionalProperties: false });
const Scopes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 20 });
const Certificates = Type.Array(Type.String({ minLength: 1, maxLength: MAX_CERTIFICATE_LENGTH }), {
  minItems: 1,
  maxItems: 2,
  description: "The IdP's signing certificates (PEM or base64 DER); two while it rotates",
});

const OidcSettings = Type.Object({
  issuer: Type.String(),
  clientId: Type.String(),
  scopes: Type.Array(Type.String()),
  clientSecretSet: Type.Boolean({ description: 'Whether a client secret is stored (it is never shown)' }),
});
const SamlSettings = Type.Object({
  idpEntityId: Type.String(),
  idpSsoUrl: Type.String(),
  idpCertificates: Type.Array(Type.String()),
  allowIdpInitiated: Type.Boolean(),
  idpInitiatedUrl: Nullable(
    Type.String(),
    "Where an IdP-initiated sign-in sends the browser: the app's sign-in start",
  ),
  clockSkewSeconds: Type.Integer(),
  spCertificate: Nullable(
    Type.String(),
    'The certificate the IdP encrypts assertions to (in the SP metadata)',
  ),
  spPrivateKeySet: Type.Boolean({ description: 'Whether its private key is stored (it is never shown)' }),
});

export const SsoConnectionSchema = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  protocol: Type.Enum([...SSO_PROTOCOLS]),
  name: Type.String(),
  preset: Type.String(),
  enabled: Type.Boolean(),
  jit: Type.Boolean({
    description: 'Sign-in creates users the directory lacks (source `sso`); off: SCIM required',
  }),
  matchBy: Type.Enum([...SSO_MATCH_KEYS]),
  attributes: Attributes,
  oidc: Nullable(OidcSettings),
  saml: Nullable(SamlSettings),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  urls: Nullable(
    Type.Object({
      entityId: Type.Optional(Type.String({ description: 'SAML: the SP entity id to give the IdP' })),
      acsUrl: Type.Optional(Type.String({ description: 'SAML: the assertion consumer service (HTTP-POST)' })),
      metadataUrl: Type.Optional(Type.String({ description: 'SAML: the SP metadata' })),
      redirectUri: Type.Optional(
        Type.String({ description: 'OIDC: the redirect URI to register at the IdP' }),
      ),
    }),
    'What to paste into the IdP (built from PUBLIC_URL; null without it)',
  ),
});

/** A connection with the URLs its IdP needs (docs/sso.md), built from PUBLIC_URL. */
function withUrls(publicUrl: string | undefined) {
  const origin = publicUrl ? new URL(publicUrl).origin : undefined;
  return (c: SsoConnection) => {
    if (!origin) return { ...c, urls: null };
    if (c.protocol === 'oidc') return { ...c, urls: { redirectUri: `${origin}/sso/oidc/callback` } };
    const entityId = `${origin}/sso/saml/${c.id}`;
    return { ...c, urls: { entityId, acsUrl: `${entityId}/acs`, metadataUrl: `${entityId}/metadata` } };
  };
}

const OidcInput = Type.Object(
  {
    issuer: Type.Optional(Url),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    clientSecret: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Write-only' })),
    scopes: Type.Optional(Scopes),
  },
  { additionalProperties: false },
);
const SamlInput = Type.Object(
  {
    idpEntityId: Type.Optional(Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH })),
    idpSsoUrl: Type.Optional(Url),
    idpCertificates: Type.Optional(Certificates),
    allowIdpInitiated: Type.Optional(Type.Boolean()),
    idpInitiatedUrl: Type.Optional(NullableInput(Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH }))),
    clockSkewSeconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 600 })),
    metadataXml: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: MAX_METADATA_BYTES,
        description: "The IdP's SAML metadata: fills idpEntityId, idpSsoUrl and idpCertificates",
      }),
    ),
    spCertificate: Type.Optional(
      NullableInput(
        Type.String({ minLength: 1, maxLength: MAX_CERTIFICATE_LENGTH }),
        'For encrypted assertions',
      ),
    ),
    spPrivateKey: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 16 * 1024,
        description: 'PEM, write-only: decrypts encrypted assertions',
      }),
    ),
    metadataUrl: Type.Optional(
      Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH, description: 'Fetched once, now' }),
    ),
  },
  { additionalProperties: false },
);
const Common = {
  name: Type.Optional(Name),
  enabled: Type.Optional(Type.Boolean()),
  jit: Type.Optional(Type.Boolean()),
  matchBy: Type.Optional(Type.Enum([...SSO_MATCH_KEYS])),
  attributes: Type.Optional(AttributesInput),
  oidc: Type.Optional(OidcInput),
  saml: Type.Optional(SamlInput),
};

const ConnectionParams = Type.Object({
  ...OrgParams.properties,
  connectionId: Type.String({ minLength: 1, maxLength: 100 }),
});

const SsoDomainSchema = Type.Object({
  domain: Type.String(),
  orgId: Type.String(),
  connectionId: Nullable(Type.String()),
  verificationRecord: Type.Object(
    { name: Type.String(), value: Type.String() },
    { description: 'The TXT record that verifies the domain (optional)' },
  ),
  verifiedAt: Nullable(Timestamp),
  createdAt: Timestamp,
});
const DomainParams = Type.Object({
  ...OrgParams.properties,
  domain: Type.String({ minLength: 1, maxLength: 253 }),
});

const PresetSchema = Type.Object({
  key: Type.String(),
  label: Type.String(),
  protocols: Type.Array(Type.Enum([...SSO_PROTOCOLS])),
  saml: Attributes,
  oidc: Attributes,
  notes: Type.String(),
});

const TestParams = Type.Object({
  ...OrgParams.properties,
  attemptId: Type.String({ minLength: 1, maxLength: 100 }),
});
const SignInTestSchema = Type.Object({
  attemptId: Type.String(),
  connectionId: Type.String(),
  status: Type.Enum(['pending', 'succeeded', 'failed']),
  expiresAt: Timestamp,
  result: Nullable(
    Type.Union([
      Type.Object({
        ok: Type.Literal(true),
        nameId: Type.String({ description: 'SAML NameID or OIDC sub' }),
        claims: Type.Record(Type.String(), Type.String(), {
          description: "The connection's attributes (email, givenName, …) read through its names",
        }),
        received: Type.Record(Type.String(), Type.String(), {
          description: 'Every attribute or claim the IdP sent, by its own name (values shortened)',
        }),
        emailVerified: Type.Boolean(),
      }),
      Type.Object({ ok: Type.Literal(false), error: Type.String() }),
    ]),
  ),
});

export const ssoRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { sso, signIns } = api.directory;
  const urls = withUrls(api.config.publicUrl);
  // The operators' SSO org (OPERATOR_SSO_ORG) signs operators in: a setup link may not change it.
  const operatorOrg = api.config.operatorSso.orgId;
  api.addHook('preHandler', async (request) => {
    const orgId = (request.params as { orgId?: string } | undefined)?.orgId;
    if (request.credential?.kind === 'setup_link' && request.method !== 'GET' && orgId === operatorOrg)
      throw new ApiProblem('forbidden', 'A setup link may not change the SSO that signs operators in');
  });

  api.post(
    '/orgs/:orgId/sso/connections/:connectionId/tests',
    {
      config: { setup: true },
      schema: {
        operationId: 'startSsoTest',
        tags: ['sso'],
        summary: 'Start a test sign-in through a connection: nobody signs in, the IdP’s answer is recorded',
        description:
          'Send the browser to `redirectTo` with the cookie `scimitar_sso_bind=<browserSecret>` (Path=/sso). ' +
          'After the IdP answers, the browser comes back to `returnTo?attempt=<attemptId>`; ' +
          'GET …/sso/tests/{attemptId} then says what the IdP sent or why it was refused.',
        params: ConnectionParams,
        body: Type.Object(
          {
            returnTo: Type.String({
              minLength: 1,
              maxLength: 2048,
              description: 'A path on this origin the browser comes back to',
            }),
          },
          { additionalProperties: false },
        ),
        response: withProblems({
          201: Type.Object({
            attemptId: Type.String(),
            redirectTo: Type.String(),
            browserSecret: Type.String(),
          }),
        }),
      },
    },
    async (request, reply) => {
      await requireOrg(request, request.params.orgId);
      if (!api.config.publicUrl)
        throw new ApiProblem(
          'conflict',
          'Sign-in tests need PUBLIC_URL: the IdP sends the browser back to it',
        );
      await sso.get(request.params.orgId, request.params.connectionId);
      const started = await signIns.start({
        purpose: 'test',
        orgId: request.params.orgId,
        connectionId: request.params.connectionId,
        returnTo: request.body.returnTo,
      });
      reply.code(201);
      return started;
    },
  );

  api.get(
    '/orgs/:orgId/sso/tests/:attemptId',
    {
      config: { setup: true },
      schema: {
        operationId: 'getSsoTest',
        tags: ['sso'],
        summary: 'A test sign-in’s result: pending, or what the IdP sent, or why it failed',
        params: TestParams,
        response: withProblems({ 200: SignInTestSchema }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return signIns.test(request.params.orgId, request.params.attemptId);
    },
  );

  api.get(
    '/sso/presets',
    {
      // A setup link may set up its own org's SSO (http/api/index.ts `config.setup`).
      config: { setup: true },
      schema: {
        operationId: 'listSsoPresets',
        tags: ['sso'],
        summary: 'The IdP presets: attribute names each IdP sends, settings each needs',
        response: withProblems({ 200: Type.Object({ data: Type.Array(PresetSchema) }) }),
      },
    },
    async () => ({ data: SSO_PRESETS.map((p) => ({ ...p, protocols: [...p.protocols] })) }),
  );

  api.post(
    '/orgs/:orgId/sso/connections',
    {
      // A setup link may set up its own org's SSO (http/api/index.ts `config.setup`).
      config: { setup: true },
      schema: {
        operationId: 'createSsoConnection',
        tags: ['sso'],
        summary: 'Connect the org to its IdP over SAML or OIDC',
        params: OrgParams,
        body: Type.Object(
          {
            protocol: Type.Enum([...SSO_PROTOCOLS]),
            preset: Type.Optional(Type.Enum([...SSO_PRESET_KEYS], { default: 'generic' })),
            ...Common,
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: SsoConnectionSchema }),
      },
    },
    async (request, reply) => {
      const c = await sso.create(requestActor(request, request.params.orgId), request.body);
      reply.code(201).header('location', `${request.url.split('?')[0]}/${c.id}`);
      return urls(c);
    },
  );

  api.get(
    '/orgs/:orgId/sso/connections',
    {
      // A setup link may set up its own org's SSO (http/api/index.ts `config.setup`).
      config: { setup: true },
      schema: {
        operationId: 'listSsoConnections',
        tags: ['sso'],
        summary:
          "The org's SSO connections, oldest first (a sign-in without a pinned domain uses the first enabled)",
        params: OrgParams,
        response: withProblems({ 200: Type.Object({ data: Type.Array(SsoConnectionSchema) }) }),
      },
    },
    async (request) => ({ data: (await sso.list(request.params.orgId)).map(urls) }),
  );

  api.get(
    '/orgs/:orgId/sso/connections/:connectionId',
    {
      // A setup link may set up its own org's SSO (http/api/index.ts `config.setup`).
      config: { setup: true },
      schema: {
        operationId: 'getSsoConnection',
        tags: ['sso'],
        summary: 'One SSO connection',
        params: ConnectionParams,
        response: withProblems({ 200: SsoConnectionSchema }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return urls(await sso.get(request.params.orgId, request.params.connectionId));
    },
  );

  api.patch(
    '/orgs/:orgId/sso/connections/:connectionId',
    {
      // A setup link may set up its own org's SSO (http/api/index.ts `config.setup`).
      config: { setup: true },
      schema: {
        operationId: 'updateSsoConnection',
        tags: ['sso'],
        summary: 'Change settings; absent properties stay, a clientSecret given replaces the stored one',
        params: ConnectionParams,
        body: Type.Object(Common, { additionalProperties: false, minProperties: 1 }),
        response: withProblems({ 200: SsoConnectionSchema }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return urls(
        await sso.update(
          requestActor(request, request.params.orgId),
          request.params.connectionId,
          request.body,
        ),
      );
    },
  );

  api.delete(
    '/orgs/:orgId/sso/connections/:connectionId',
    {
      schema: {
        operationId: 'deleteSsoConnection',
        tags: ['sso'],
        summary: 'Delete a connection; domains pinned to it fall back to the org’s first enabled one',
        params: ConnectionParams,
        response: withProblems({ 204: Type.Null({ description: 'Deleted' }) }),
      },
    },
    async (request, reply) => {
      await requireOrg(request, request.params.orgId);
      await sso.delete(requestActor(request, request.params.orgId), request.params.connectionId);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/orgs/:orgId/sso/domains',
    {
      schema: {
        operationId: 'addSsoDomain',
        tags: ['sso'],
        summary: 'Route sign-ins of an email domain to the org (one org per domain)',
        params: OrgParams,
        body: Type.Object(
          {
            domain: Type.String({ minLength: 1, maxLength: 253 }),
            connectionId: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 100 }))),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: SsoDomainSchema }),
      },
    },
    async (request, reply) => {
      const d = await sso.addDomain(requestActor(request, request.params.orgId), request.body);
      reply.code(201);
      return d;
    },
  );

  api.get(
    '/orgs/:orgId/sso/domains',
    {
      schema: {
        operationId: 'listSsoDomains',
        tags: ['sso'],
        summary: "The org's email domains",
        params: OrgParams,
        response: withProblems({ 200: Type.Object({ data: Type.Array(SsoDomainSchema) }) }),
      },
    },
    async (request) => ({ data: await sso.listDomains(request.params.orgId) }),
  );

  api.delete(
    '/orgs/:orgId/sso/domains/:domain',
    {
      schema: {
        operationId: 'removeSsoDomain',
        tags: ['sso'],
        summary: 'Stop routing a domain to the org',
        params: DomainParams,
        response: withProblems({ 204: Type.Null({ description: 'Removed' }) }),
      },
    },
    async (request, reply) => {
      await requireOrg(request, request.params.orgId);
      await sso.removeDomain(requestActor(request, request.params.orgId), request.params.domain);
      return reply.code(204).send(null);
    },
  );

  api.post(
    '/orgs/:orgId/sso/domains/:domain/verify',
    {
      schema: {
        operationId: 'verifySsoDomain',
        tags: ['sso'],
        summary: 'Optional: look up the domain’s TXT record and mark it verified',
        params: DomainParams,
        response: withProblems({ 200: SsoDomainSchema }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return sso.verifyDomain(requestActor(request, request.params.orgId), request.params.domain);
    },
  );
};
