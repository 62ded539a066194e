/**
 * Roles from IdP groups (docs/roles.md, docs/api.md "Roles"): the deployment's roles, an org's
 * mapping rules, default role and mode, and the access check. Every change goes through the
 * directory's RoleService, which recomputes the users it moves in the same transaction.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { MAX_RULE_VALUE, ROLE_MODES, RULE_MATCHES } from '../../directory/roles.ts';
import { requestActor } from './actor.ts';
import { OrgParams, requireOrg } from './orgs.ts';
import { Nullable, NullableInput, Timestamp, withProblems } from './schemas.ts';
import { ResourceId } from './users.ts';

const RoleKey = Type.String({ minLength: 1, maxLength: 63, description: "A role's key (GET /roles)" });
const Mode = Type.Enum([...ROLE_MODES], {
  description: '`highest`: the matched role of highest priority; `all`: every matched role',
});

const Role = Type.Object({
  key: Type.String(),
  name: Type.String(),
  priority: Type.Integer({ description: 'Higher wins in the mode `highest`' }),
});

const RoleRule = Type.Object({
  id: Type.String(),
  match: Type.Enum([...RULE_MATCHES], { description: "Which of the group's attributes `value` is" }),
  value: Type.String(),
  role: Type.String(),
  createdAt: Timestamp,
});

const UsersChanged = Type.Integer({
  description: 'Users whose roles this change moved (each got one user.roles_changed event)',
});

const RuleValue = Type.String({
  minLength: 1,
  maxLength: MAX_RULE_VALUE,
  description:
    "The group's id, externalId or displayName; a group of the org must match it (else unknown_group) unless allowUnknownGroup",
});

const AllowUnknownGroup = Type.Boolean({
  description:
    'Set the rule up before the IdP pushes its group (IdPs push a group when it is first assigned): a rule by externalId or displayName that matches no group now is accepted, and applies when one arrives. Never for a rule by id. Default false: such a rule is refused with unknown_group',
});

const GroupExists = Type.Boolean({ description: 'Whether a group of the org matches the rule now' });

const RoleSettings = Type.Object({
  defaultRole: Nullable(Type.String(), 'The role of users matched by no rule; null: none'),
  mode: Mode,
});

const RuleParams = Type.Object({ ...OrgParams.properties, ruleId: Type.String({ maxLength: 64 }) });

function actorOf(request: FastifyRequest, orgId: string) {
  return requestActor(request, orgId);
}

export const roleRoutes: FastifyPluginAsyncTypebox = async (api) => {
  const { directory } = api;

  api.get(
    '/roles',
    {
      schema: {
        operationId: 'listRoles',
        tags: ['roles'],
        summary: "The deployment's roles, highest priority first (ROLES, docs/config.md)",
        response: withProblems({ 200: Type.Object({ data: Type.Array(Role) }) }),
      },
    },
    async () => ({ data: directory.roles.definitions() }),
  );

  api.get(
    '/orgs/:orgId/roles/rules',
    {
      schema: {
        operationId: 'listRoleRules',
        tags: ['roles'],
        summary: "The org's rules mapping IdP groups to roles, oldest first",
        params: OrgParams,
        response: withProblems({ 200: Type.Object({ data: Type.Array(RoleRule) }) }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return { data: await directory.roles.listRules(request.params.orgId) };
    },
  );

  api.post(
    '/orgs/:orgId/roles/rules',
    {
      schema: {
        operationId: 'createRoleRule',
        tags: ['roles'],
        summary: 'Add a rule: members of the group (nested ones too) get the role',
        params: OrgParams,
        body: Type.Object(
          {
            match: Type.Enum([...RULE_MATCHES]),
            value: RuleValue,
            role: RoleKey,
            allowUnknownGroup: Type.Optional(AllowUnknownGroup),
          },
          { additionalProperties: false },
        ),
        response: withProblems({
          201: Type.Object({
            ...RoleRule.properties,
            usersChanged: UsersChanged,
            groupExists: GroupExists,
          }),
        }),
      },
    },
    async (request, reply) => {
      await requireOrg(request, request.params.orgId);
      const rule = await directory.roles.addRule(
        request.params.orgId,
        request.body,
        actorOf(request, request.params.orgId),
      );
      return reply.code(201).send(rule);
    },
  );

  api.patch(
    '/orgs/:orgId/roles/rules/:ruleId',
    {
      schema: {
        operationId: 'updateRoleRule',
        tags: ['roles'],
        summary:
          'Change a rule in place (the fields given); the users of the groups it named and names now are recomputed',
        params: RuleParams,
        body: Type.Object(
          {
            match: Type.Optional(Type.Enum([...RULE_MATCHES])),
            value: Type.Optional(RuleValue),
            role: Type.Optional(RoleKey),
            allowUnknownGroup: Type.Optional(AllowUnknownGroup),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: withProblems({
          200: Type.Object({ ...RoleRule.properties, usersChanged: UsersChanged, groupExists: GroupExists }),
        }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return directory.roles.updateRule(
        request.params.orgId,
        request.params.ruleId,
        request.body,
        actorOf(request, request.params.orgId),
      );
    },
  );

  api.delete(
    '/orgs/:orgId/roles/rules/:ruleId',
    {
      schema: {
        operationId: 'deleteRoleRule',
        tags: ['roles'],
        summary: "Remove a rule; its group's users are recomputed",
        params: RuleParams,
        response: withProblems({ 200: Type.Object({ ...RoleRule.properties, usersChanged: UsersChanged }) }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return directory.roles.removeRule(
        request.params.orgId,
        request.params.ruleId,
        actorOf(request, request.params.orgId),
      );
    },
  );

  api.get(
    '/orgs/:orgId/roles/settings',
    {
      schema: {
        operationId: 'getRoleSettings',
        tags: ['roles'],
        summary: "The org's default role and mode",
        params: OrgParams,
        response: withProblems({ 200: RoleSettings }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return directory.roles.settings(request.params.orgId);
    },
  );

  api.patch(
    '/orgs/:orgId/roles/settings',
    {
      schema: {
        operationId: 'updateRoleSettings',
        tags: ['roles'],
        summary: 'Set the default role and/or the mode; the users they move are recomputed',
        params: OrgParams,
        body: Type.Object(
          {
            defaultRole: Type.Optional(NullableInput(RoleKey, 'null: no default role')),
            mode: Type.Optional(Mode),
          },
          { additionalProperties: false },
        ),
        response: withProblems({
          200: Type.Object({ ...RoleSettings.properties, usersChanged: UsersChanged }),
        }),
      },
    },
    async (request) => {
      await requireOrg(request, request.params.orgId);
      return directory.roles.updateSettings(
        request.params.orgId,
        request.body,
        actorOf(request, request.params.orgId),
      );
    },
  );

  api.get(
    '/orgs/:orgId/users/:id/access',
    {
      schema: {
        operationId: 'getUserAccess',
        tags: ['users'],
        summary:
          'Whether the user may use the app in this org, and with which roles: read from the database, never cached',
        params: Type.Object({ ...OrgParams.properties, id: ResourceId }),
        response: withProblems({
          200: Type.Object({
            allowed: Type.Boolean(),
            roles: Type.Array(Type.String(), { description: 'Kept while deactivated; empty once deleted' }),
            reason: Type.Enum(['active', 'deactivated', 'deleted', 'not_found']),
          }),
        }),
      },
    },
    async (request, reply) => {
      await requireOrg(request, request.params.orgId);
      reply.header('cache-control', 'no-store');
      return directory.roles.access(request.params.orgId, request.params.id);
    },
  );
};
