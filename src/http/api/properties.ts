/**
 * /api/v1/orgs/{orgId}/extensions and /properties: an org's custom SCIM extension schemas and
 * how it fills the deployment's custom properties (docs/properties.md, docs/api.md).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { PROPERTY_TYPES } from '../../config.ts';
import {
  EXTENSION_ATTRIBUTE_TYPES,
  EXTENSION_MUTABILITIES,
  EXTENSION_RETURNED,
  PROPERTY_LIMITS,
} from '../../directory/properties.ts';
import { requestAuthor } from './actor.ts';
import { OrgParams } from './orgs.ts';
import { Nullable, withProblems } from './schemas.ts';

const literals = <T extends string>(values: readonly T[]) => Type.Enum([...values]);

const AttributeInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: PROPERTY_LIMITS.attributeNameLength }),
    type: literals(EXTENSION_ATTRIBUTE_TYPES),
    description: Type.Optional(Type.String({ maxLength: PROPERTY_LIMITS.descriptionLength })),
    multiValued: Type.Optional(Type.Boolean()),
    caseExact: Type.Optional(Type.Boolean()),
    mutability: Type.Optional(literals(EXTENSION_MUTABILITIES)),
    returned: Type.Optional(literals(EXTENSION_RETURNED)),
    uniqueness: Type.Optional(Type.Literal('none')),
  },
  { additionalProperties: false },
);

const Attribute = Type.Object(
  {
    name: Type.String(),
    type: Type.String(),
    multiValued: Type.Boolean(),
    description: Type.String(),
    required: Type.Boolean(),
    caseExact: Type.Boolean(),
    mutability: Type.String(),
    returned: Type.String(),
    uniqueness: Type.String(),
    referenceTypes: Type.Optional(Type.Array(Type.String())),
  },
  { description: 'An attribute with its RFC 7643 §7 characteristics, as /Schemas shows it' },
);

const Extension = Type.Object({
  urn: Type.String({ description: 'The schema URN: its key in SCIM documents and its id in /Schemas' }),
  resourceType: Type.Literal('User'),
  name: Type.String(),
  description: Type.String(),
  attributes: Type.Array(Attribute),
});

const PropertyMapping = Type.Object({
  key: Type.String(),
  type: literals(PROPERTY_TYPES),
  description: Type.String(),
  path: Nullable(Type.String(), 'The SCIM attribute path the property is read from; null: not mapped'),
});

const ExtensionParams = Type.Object({
  ...OrgParams.properties,
  urn: Type.String({ minLength: 1, maxLength: PROPERTY_LIMITS.urnLength }),
});

const PropertyParams = Type.Object({
  ...OrgParams.properties,
  key: Type.String({ minLength: 1, maxLength: 64 }),
});

export const propertyRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/orgs/:orgId/extensions',
    {
      schema: {
        operationId: 'listExtensions',
        tags: ['properties'],
        summary: "The org's custom extension schemas of its User schema",
        params: OrgParams,
        response: withProblems({ 200: Type.Object({ data: Type.Array(Extension) }) }),
      },
    },
    async (request) => ({ data: await directory.properties.listExtensions(request.params.orgId) }),
  );

  api.post(
    '/orgs/:orgId/extensions',
    {
      schema: {
        operationId: 'createExtension',
        tags: ['properties'],
        summary:
          'Declare a custom extension schema: it shows in the org’s /Schemas and its attributes are validated, filterable and patchable',
        params: OrgParams,
        body: Type.Object(
          {
            urn: Type.String({ minLength: 1, maxLength: PROPERTY_LIMITS.urnLength }),
            name: Type.Optional(Type.String({ maxLength: PROPERTY_LIMITS.nameLength })),
            description: Type.Optional(Type.String({ maxLength: PROPERTY_LIMITS.descriptionLength })),
            attributes: Type.Array(AttributeInput, {
              minItems: 1,
              maxItems: PROPERTY_LIMITS.attributesPerExtension,
            }),
          },
          { additionalProperties: false },
        ),
        response: withProblems({ 201: Extension }),
      },
    },
    async (request, reply) => {
      const extension = await directory.properties.declareExtension(
        request.params.orgId,
        request.body,
        requestAuthor(request),
      );
      reply.code(201);
      return extension;
    },
  );

  api.delete(
    '/orgs/:orgId/extensions/:urn',
    {
      schema: {
        operationId: 'deleteExtension',
        tags: ['properties'],
        summary: 'Remove a custom extension schema (refused while a property is mapped to it)',
        params: ExtensionParams,
        response: withProblems({ 204: Type.Null({ description: 'Removed' }) }),
      },
    },
    async (request, reply) => {
      await directory.properties.removeExtension(
        request.params.orgId,
        request.params.urn,
        requestAuthor(request),
      );
      return reply.code(204).send(null);
    },
  );

  api.get(
    '/orgs/:orgId/properties',
    {
      schema: {
        operationId: 'listPropertyMappings',
        tags: ['properties'],
        summary: "The deployment's properties and the SCIM attribute each is filled from in this org",
        params: OrgParams,
        response: withProblems({ 200: Type.Object({ data: Type.Array(PropertyMapping) }) }),
      },
    },
    async (request) => ({ data: await directory.properties.listMappings(request.params.orgId) }),
  );

  api.put(
    '/orgs/:orgId/properties/:key',
    {
      schema: {
        operationId: 'setPropertyMapping',
        tags: ['properties'],
        summary:
          'Fill a property from a SCIM attribute path; a path the org’s schema lacks, or of another type, is refused',
        description:
          'Each user whose `properties` value changes gets one `user.updated` event (`properties.<key>` and its previous value in `changes`), written with the change.',
        params: PropertyParams,
        body: Type.Object(
          { path: Type.String({ minLength: 1, maxLength: PROPERTY_LIMITS.urnLength + 130 }) },
          { additionalProperties: false },
        ),
        response: withProblems({ 200: PropertyMapping }),
      },
    },
    async (request) =>
      directory.properties.setMapping(
        request.params.orgId,
        request.params.key,
        request.body.path,
        requestAuthor(request),
      ),
  );

  api.delete(
    '/orgs/:orgId/properties/:key',
    {
      schema: {
        operationId: 'deletePropertyMapping',
        tags: ['properties'],
        summary: 'Stop filling a property in this org (its value becomes null)',
        description: 'Each user that had a value gets one `user.updated` event, written with the change.',
        params: PropertyParams,
        response: withProblems({ 204: Type.Null({ description: 'Removed' }) }),
      },
    },
    async (request, reply) => {
      await directory.properties.removeMapping(
        request.params.orgId,
        request.params.key,
        requestAuthor(request),
      );
      return reply.code(204).send(null);
    },
  );
};
