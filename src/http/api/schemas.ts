/**
 * TypeBox schemas shared by the management API's routes. They validate requests and describe
 * responses, and @fastify/swagger turns them into the OpenAPI document (/api/v1/openapi.json),
 * from which packages/sdk generates its types: one source for all three.
 */
import { type TSchema, Type } from 'typebox';
import { PROBLEM_CODES, type ProblemCode } from './problems.ts';

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    code: Type.Enum(Object.keys(PROBLEM_CODES) as ProblemCode[]),
    instance: Type.String(),
    requestId: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { description: 'An RFC 9457 problem document; `code` is stable (docs/api.md).' },
);

/** Every route's error answers, as application/problem+json. */
export function withProblems<R extends Record<number, TSchema>>(responses: R) {
  return {
    ...responses,
    default: {
      description: 'An error, as an RFC 9457 problem document',
      content: { 'application/problem+json': { schema: Problem } },
    },
  };
}

/** An org id: lowercase letters, digits and dashes, as in its SCIM base URL. */
export const OrgId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', maxLength: 63 });

export const Timestamp = Type.String({ format: 'date-time' });

export const Nullable = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([schema, Type.Null()], description === undefined ? {} : { description });

/**
 * Nullable for request properties: null first, because the request validator coerces types and
 * tries a union's branches in order, so `[string, null]` would turn a sent null into "".
 */
export const NullableInput = <T extends TSchema>(schema: T, description?: string) =>
  Type.Union([Type.Null(), schema], description === undefined ? {} : { description });

/** Cursor paging (docs/api.md "Pagination"): `limit` and the `nextCursor` of the previous page. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
};

export function page<T extends TSchema>(item: T) {
  return Type.Object({
    data: Type.Array(item),
    nextCursor: Nullable(
      Type.String({ description: 'Pass as `cursor` for the next page; null on the last' }),
    ),
  });
}

const Attributes = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });

const Extensions = Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown()), {
  description: 'Extension schemas other than the enterprise one, by URN, as SCIM holds them',
});

/**
 * A user in the API's one form (src/directory/api-form.ts): what the users routes answer and
 * what user events carry as `data` (docs/events.md).
 */
export const User = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  userName: Type.String(),
  externalId: Nullable(Type.String()),
  active: Type.Boolean({ description: 'A user the IdP never deactivated counts as active' }),
  displayName: Nullable(Type.String()),
  name: Type.Object({
    formatted: Nullable(Type.String()),
    givenName: Nullable(Type.String()),
    familyName: Nullable(Type.String()),
    middleName: Nullable(Type.String()),
    honorificPrefix: Nullable(Type.String()),
    honorificSuffix: Nullable(Type.String()),
  }),
  emails: Type.Array(
    Type.Object({
      value: Type.String(),
      type: Nullable(Type.String()),
      primary: Type.Boolean(),
      display: Type.Optional(Type.String()),
    }),
  ),
  source: Type.Enum(['scim', 'api', 'sso'], {
    description: 'Who manages the user: its IdP over SCIM, the management API, or SSO sign-in',
  }),
  linkedAt: Nullable(Timestamp, 'When the IdP took over a member first added by the API (or SSO)'),
  linkedFrom: Nullable(Type.Enum(['api', 'sso']), "The member's source before the IdP took it over"),
  attributes: Attributes(
    'Every other SCIM core attribute the IdP sent, by its SCIM name (title, phoneNumbers, addresses, roles…)',
  ),
  enterprise: Nullable(
    Type.Record(Type.String(), Type.Unknown()),
    'The SCIM enterprise extension (employeeNumber, department, manager…), as SCIM holds it',
  ),
  extensions: Extensions,
  roles: Type.Optional(Type.Array(Type.String(), { description: "The user's app roles in the org" })),
  properties: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]), {
      description:
        "The deployment's custom properties, as the user's org fills them from SCIM attributes; every declared key, null when unset. Absent when the deployment declares none (docs/properties.md)",
    }),
  ),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer({ description: 'Moves with every change of the user' }),
});

/** A group in the API's one form (src/directory/api-form.ts); its members are a list of their own. */
export const Group = Type.Object({
  id: Type.String(),
  orgId: Type.String(),
  displayName: Type.String(),
  externalId: Nullable(Type.String()),
  attributes: Attributes('Every other SCIM core attribute of the group, by its SCIM name'),
  extensions: Extensions,
  createdAt: Timestamp,
  updatedAt: Timestamp,
  version: Type.Integer({ description: 'Moves with every change of the group, its members included' }),
});
