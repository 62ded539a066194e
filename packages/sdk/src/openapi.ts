/**
 * GENERATED from the service's OpenAPI document by `npm run sdk:generate` (scripts/sdk-generate.ts)
 * with openapi-typescript. Do not edit: change the routes' schemas in src/http/api/ and
 * regenerate; test/sdk/generated.test.ts fails while this file is stale.
 */
export interface paths {
    "/api/v1/api-keys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every API key, revoked ones included, oldest first (never the key) */
        get: operations["listApiKeys"];
        put?: never;
        /** Create an API key; the key is shown only in this response */
        post: operations["createApiKey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/api-keys/{keyId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke an API key at once */
        delete: operations["revokeApiKey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/apps": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every app, oldest first; never a secret */
        get: operations["listApps"];
        put?: never;
        /** Register an OIDC client of the host app; its secret is shown only in this response */
        post: operations["createApp"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/apps/{appId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One app (never its secret) */
        get: operations["getApp"];
        put?: never;
        post?: never;
        /** Delete an app; its tokens stop working at once */
        delete: operations["deleteApp"];
        options?: never;
        head?: never;
        /** Change the name or URIs; a list given replaces the old one, absent properties stay */
        patch: operations["updateApp"];
        trace?: never;
    };
    "/api/v1/apps/{appId}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new client secret, shown only in this response; the old one stops working at once */
        post: operations["rotateAppSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deployment's own audit trail (API keys, apps, operators, webhook endpoints of every org, org deletions), newest first; the filters combine with AND. With `format=jsonl` or `Accept: application/x-ndjson`, every matching entry as JSON Lines (limit and cursor ignored) */
        get: operations["listDeploymentAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The event feed after a cursor, oldest first; optionally waits for new events */
        get: operations["listEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List orgs, by id */
        get: operations["listOrgs"];
        put?: never;
        /** Create an org and its first SCIM token (shown once) */
        post: operations["createOrg"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One org */
        get: operations["getOrg"];
        put?: never;
        post?: never;
        /** Delete an org with all its data; `confirm` must repeat its id */
        delete: operations["deleteOrg"];
        options?: never;
        head?: never;
        /** Rename an org (its id and SCIM base URL stay) */
        patch: operations["updateOrg"];
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/audit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's audit trail, newest first; the filters combine with AND. With `format=jsonl` or `Accept: application/x-ndjson`, every matching entry as JSON Lines (limit and cursor ignored) */
        get: operations["listAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/audit/export": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every matching entry as JSON Lines (one entry per line, newest first), streamed */
        get: operations["exportAuditEntries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/deprovisionings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's deprovisionings, oldest first: by default those not yet acknowledged */
        get: operations["listDeprovisionings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/deprovisionings/{id}/acknowledge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Acknowledges a deprovisioning (by its id or its event id) once the app acted on it; idempotent */
        post: operations["acknowledgeDeprovisioning"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/extensions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's custom extension schemas of its User schema */
        get: operations["listExtensions"];
        put?: never;
        /** Declare a custom extension schema: it shows in the org’s /Schemas and its attributes are validated, filterable and patchable */
        post: operations["createExtension"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/extensions/{urn}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a custom extension schema (refused while a property is mapped to it) */
        delete: operations["deleteExtension"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/groups": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List groups, oldest first; the search parameters combine with AND */
        get: operations["listGroups"];
        put?: never;
        /** Refused: the org's IdP owns its groups (problem code idp_owned) */
        post: operations["createGroup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/groups/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One group (its members: listGroupMembers) */
        get: operations["getGroup"];
        /** Refused: the org's IdP owns its groups (problem code idp_owned) */
        put: operations["replaceGroup"];
        post?: never;
        /** Refused: the org's IdP owns its groups (problem code idp_owned) */
        delete: operations["deleteGroup"];
        options?: never;
        head?: never;
        /** Refused: the org's IdP owns its groups (problem code idp_owned) */
        patch: operations["updateGroup"];
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/groups/{id}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A page of the group's direct members (users and nested groups) */
        get: operations["listGroupMembers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/held-changes": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Deprovisionings the valve held, oldest first */
        get: operations["listHeldChanges"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/held-changes/discard": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Drop held changes: the users keep their access; the IdP's next sync decides again */
        post: operations["discardHeldChanges"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/held-changes/release": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Apply held changes in order, each as a normal change with its events and audit */
        post: operations["releaseHeldChanges"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/members": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Add a member by email, outside SCIM (source api); linked when the IdP later creates the same person */
        post: operations["addMember"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/members/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a member the API added; one the IdP owns (source scim, linked too) is idp_owned */
        delete: operations["removeMember"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/properties": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deployment's properties and the SCIM attribute each is filled from in this org */
        get: operations["listPropertyMappings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/properties/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Fill a property from a SCIM attribute path; a path the org’s schema lacks, or of another type, is refused
         * @description Each user whose `properties` value changes gets one `user.updated` event (`properties.<key>` and its previous value in `changes`), written with the change.
         */
        put: operations["setPropertyMapping"];
        post?: never;
        /**
         * Stop filling a property in this org (its value becomes null)
         * @description Each user that had a value gets one `user.updated` event, written with the change.
         */
        delete: operations["deletePropertyMapping"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/requests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's logged SCIM requests, newest first; the filters combine with AND */
        get: operations["listRequests"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/requests/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One logged request with its redacted bodies and failure hint */
        get: operations["getRequest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/roles/rules": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's rules mapping IdP groups to roles, oldest first */
        get: operations["listRoleRules"];
        put?: never;
        /** Add a rule: members of the group (nested ones too) get the role */
        post: operations["createRoleRule"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/roles/rules/{ruleId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Remove a rule; its group's users are recomputed */
        delete: operations["deleteRoleRule"];
        options?: never;
        head?: never;
        /** Change a rule in place (the fields given); the users of the groups it named and names now are recomputed */
        patch: operations["updateRoleRule"];
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/roles/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's default role and mode */
        get: operations["getRoleSettings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Set the default role and/or the mode; the users they move are recomputed */
        patch: operations["updateRoleSettings"];
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/scim": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's SCIM base URL and IdP profile */
        get: operations["getScimConnection"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Set the IdP profile: which IdP quirks the SCIM endpoint accepts */
        patch: operations["updateScimConnection"];
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/scim/tokens": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's SCIM tokens, revoked ones included (never the secret) */
        get: operations["listScimTokens"];
        put?: never;
        /** Create another SCIM token (rotation); the token is shown only in this response */
        post: operations["createScimToken"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/scim/tokens/{tokenId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a SCIM token at once */
        delete: operations["revokeScimToken"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/setup-links": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's setup links, newest first (never the secret) */
        get: operations["listSetupLinks"];
        put?: never;
        /** A link for the org's IT admin to set up its connection; the URL is shown only in this response */
        post: operations["createSetupLink"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/setup-links/{linkId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Revoke a setup link at once */
        delete: operations["revokeSetupLink"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/sso/connections": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's SSO connections, oldest first (a sign-in without a pinned domain uses the first enabled) */
        get: operations["listSsoConnections"];
        put?: never;
        /** Connect the org to its IdP over SAML or OIDC */
        post: operations["createSsoConnection"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/sso/connections/{connectionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One SSO connection */
        get: operations["getSsoConnection"];
        put?: never;
        post?: never;
        /** Delete a connection; domains pinned to it fall back to the org’s first enabled one */
        delete: operations["deleteSsoConnection"];
        options?: never;
        head?: never;
        /** Change settings; absent properties stay, a clientSecret given replaces the stored one */
        patch: operations["updateSsoConnection"];
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/sso/connections/{connectionId}/tests": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start a test sign-in through a connection: nobody signs in, the IdP’s answer is recorded
         * @description Send the browser to `redirectTo` with the cookie `scimitar_sso_bind=<browserSecret>` (Path=/sso). After the IdP answers, the browser comes back to `returnTo?attempt=<attemptId>`; GET …/sso/tests/{attemptId} then says what the IdP sent or why it was refused.
         */
        post: operations["startSsoTest"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/sso/domains": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's email domains */
        get: operations["listSsoDomains"];
        put?: never;
        /** Route sign-ins of an email domain to the org (one org per domain) */
        post: operations["addSsoDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/sso/domains/{domain}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Stop routing a domain to the org */
        delete: operations["removeSsoDomain"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/sso/domains/{domain}/verify": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Optional: look up the domain’s TXT record and mark it verified */
        post: operations["verifySsoDomain"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/sso/tests/{attemptId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A test sign-in’s result: pending, or what the IdP sent, or why it failed */
        get: operations["getSsoTest"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's connection at a glance: connected, last request, counts, recent failures, held changes */
        get: operations["getOrgStatus"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List users, oldest first; the search parameters combine with AND */
        get: operations["listUsers"];
        put?: never;
        /** Refused: the org's IdP owns its users (problem code idp_owned) */
        post: operations["createUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user, with its groups (direct and nested) */
        get: operations["getUser"];
        /** Refused: the org's IdP owns its users (problem code idp_owned) */
        put: operations["replaceUser"];
        post?: never;
        /** Refused: the org's IdP owns its users (problem code idp_owned) */
        delete: operations["deleteUser"];
        options?: never;
        head?: never;
        /** Refused: the org's IdP owns its users (problem code idp_owned) */
        patch: operations["updateUser"];
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/users/{id}/access": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Whether the user may use the app in this org, and with which roles: read from the database, never cached */
        get: operations["getUserAccess"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/orgs/{orgId}/valves": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The org's safety valves: settings in force, its overrides, the current window */
        get: operations["getValves"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Override the deployment's valve settings for this org (null: back to the default) */
        patch: operations["updateValves"];
        trace?: never;
    };
    "/api/v1/roles": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The deployment's roles, highest priority first (ROLES, docs/config.md) */
        get: operations["listRoles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/setup-link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** With a setup link as the credential: the org it sets up, and until when it works */
        get: operations["getCurrentSetupLink"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/sso/presets": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The IdP presets: attribute names each IdP sends, settings each needs */
        get: operations["listSsoPresets"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Every webhook endpoint, or those filtering on one org (`orgId`), by id; never a secret */
        get: operations["listWebhookEndpoints"];
        put?: never;
        /** Create a webhook endpoint; its signing secret is shown only in this response */
        post: operations["createWebhookEndpoint"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{endpointId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One webhook endpoint (never its secret) */
        get: operations["getWebhookEndpoint"];
        put?: never;
        post?: never;
        /** Delete a webhook endpoint with its deliveries and attempts */
        delete: operations["deleteWebhookEndpoint"];
        options?: never;
        head?: never;
        /** Change the URL, description or filters, or disable and enable it; absent properties stay */
        patch: operations["updateWebhookEndpoint"];
        trace?: never;
    };
    "/api/v1/webhooks/{endpointId}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An endpoint's deliveries, newest first */
        get: operations["listWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{endpointId}/deliveries/{deliveryId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One delivery with every attempt: status, latency, the start of the answer */
        get: operations["getWebhookDelivery"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{endpointId}/deliveries/{deliveryId}/redeliver": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a delivery again now, whatever its state; a failed one gets a new retry window */
        post: operations["redeliverWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/webhooks/{endpointId}/rotate-secret": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A new signing secret, shown only in this response; the previous one keeps signing beside it for `graceSeconds` */
        post: operations["rotateWebhookSecret"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: never;
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    listApiKeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            /** @description Recorded to the minute */
                            lastUsedAt: string | null;
                            name: string;
                            /** @description The first characters of the key, to tell keys apart */
                            prefix: string;
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        /** @description The key: shown only here */
                        key: string;
                        /** @description Recorded to the minute */
                        lastUsedAt: string | null;
                        name: string;
                        /** @description The first characters of the key, to tell keys apart */
                        prefix: string;
                        revokedAt: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    revokeApiKey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                keyId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listApps: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            backchannelLogoutUri: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            /** @description The OIDC client_id */
                            id: string;
                            name: string;
                            postLogoutRedirectUris: string[];
                            redirectUris: string[];
                            /** @description The secret's first characters, to tell secrets apart */
                            secretPrefix: string;
                            /** Format: date-time */
                            updatedAt: string;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createApp: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    backchannelLogoutUri?: null | string;
                    name?: string;
                    /** @description Exact URIs the end-session endpoint may send the browser back to */
                    postLogoutRedirectUris?: string[];
                    /** @description Exact redirect URIs (https; http only on localhost or a loopback address); no wildcards, no fragment */
                    redirectUris: string[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        backchannelLogoutUri: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description The OIDC client_id */
                        id: string;
                        name: string;
                        postLogoutRedirectUris: string[];
                        redirectUris: string[];
                        /** @description The client secret (`appsec_…`): shown only in this response */
                        secret: string;
                        /** @description The secret's first characters, to tell secrets apart */
                        secretPrefix: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        backchannelLogoutUri: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description The OIDC client_id */
                        id: string;
                        name: string;
                        postLogoutRedirectUris: string[];
                        redirectUris: string[];
                        /** @description The secret's first characters, to tell secrets apart */
                        secretPrefix: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateApp: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    backchannelLogoutUri?: null | string;
                    name?: string;
                    /** @description Exact URIs the end-session endpoint may send the browser back to */
                    postLogoutRedirectUris?: string[];
                    /** @description Exact redirect URIs (https; http only on localhost or a loopback address); no wildcards, no fragment */
                    redirectUris?: string[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        backchannelLogoutUri: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description The OIDC client_id */
                        id: string;
                        name: string;
                        postLogoutRedirectUris: string[];
                        redirectUris: string[];
                        /** @description The secret's first characters, to tell secrets apart */
                        secretPrefix: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    rotateAppSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                appId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        backchannelLogoutUri: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        /** @description The OIDC client_id */
                        id: string;
                        name: string;
                        postLogoutRedirectUris: string[];
                        redirectUris: string[];
                        /** @description The client secret (`appsec_…`): shown only in this response */
                        secret: string;
                        /** @description The secret's first characters, to tell secrets apart */
                        secretPrefix: string;
                        /** Format: date-time */
                        updatedAt: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listDeploymentAuditEntries: {
        parameters: {
            query?: {
                action?: "create" | "replace" | "patch" | "delete" | "link" | "hold" | "release" | "discard" | "supersede" | "acknowledge" | "role_rule.create" | "role_rule.update" | "role_rule.delete" | "role_settings.update" | "sso_connection.create" | "sso_connection.update" | "sso_connection.delete" | "sso_domain.add" | "sso_domain.remove" | "sso_domain.verify" | "org.create" | "org.update" | "org.delete" | "scim_token.create" | "scim_token.revoke" | "api_key.create" | "api_key.revoke" | "webhook_endpoint.create" | "webhook_endpoint.update" | "webhook_endpoint.enable" | "webhook_endpoint.rotate_secret" | "webhook_endpoint.delete" | "setup_link.create" | "setup_link.revoke" | "extension.declare" | "extension.remove" | "property_mapping.set" | "property_mapping.remove" | "valve_settings.update" | "app.create" | "app.update" | "app.rotate_secret" | "app.delete" | "operator.create" | "operator.reset" | "operator.set_password";
                /** @description The actor's id */
                actorId?: string;
                /** @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user) */
                actorKind?: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                cursor?: string;
                /** @description jsonl: every matching entry as JSON Lines, streamed (as /audit/export) */
                format?: "json" | "jsonl";
                limit?: number;
                resourceId?: string;
                resourceType?: "User" | "Group" | "Deprovisioning" | "RoleRule" | "RoleSettings" | "SsoConnection" | "SsoDomain" | "Org" | "ScimToken" | "ApiKey" | "WebhookEndpoint" | "SetupLink" | "SchemaExtension" | "PropertyMapping" | "ValveSettings" | "App" | "Operator";
                /** @description From this time on */
                since?: string;
                /** @description Before this time */
                until?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries, or (JSON Lines asked for) every matching entry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description create, replace, patch, delete, acknowledge, hold, release, … */
                            action: string;
                            actor: {
                                /** @description The SCIM token's or API key's id; the CLI's OS login; a system task's name (e.g. sso:<connection id>) */
                                id: string | null;
                                /**
                                 * @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user)
                                 * @enum {unknown}
                                 */
                                kind: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                            };
                            /** Format: date-time */
                            at: string;
                            /** @description The changed attributes (names, never values) */
                            attributes: string[];
                            id: number;
                            /** @description The request that made the change (its request log row has it too) */
                            requestId: string | null;
                            resourceId: string | null;
                            /** @description User, Group, Deprovisioning, … */
                            resourceType: string | null;
                            /** @description The SCIM token that made it; null for every other actor */
                            tokenId: string | null;
                        }[];
                        nextCursor: string | null;
                    };
                    "application/x-ndjson": {
                        /** @description create, replace, patch, delete, acknowledge, hold, release, … */
                        action: string;
                        actor: {
                            /** @description The SCIM token's or API key's id; the CLI's OS login; a system task's name (e.g. sso:<connection id>) */
                            id: string | null;
                            /**
                             * @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user)
                             * @enum {unknown}
                             */
                            kind: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                        };
                        /** Format: date-time */
                        at: string;
                        /** @description The changed attributes (names, never values) */
                        attributes: string[];
                        id: number;
                        /** @description The request that made the change (its request log row has it too) */
                        requestId: string | null;
                        resourceId: string | null;
                        /** @description User, Group, Deprovisioning, … */
                        resourceType: string | null;
                        /** @description The SCIM token that made it; null for every other actor */
                        tokenId: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listEvents: {
        parameters: {
            query?: {
                /** @description The `nextCursor` of the previous page; absent: from the oldest event kept */
                after?: string;
                limit?: number;
                org?: string;
                /** @description Event types: repeat the parameter or separate them with commas */
                type?: string[];
                /** @description Seconds to hold an empty page open until an event commits (long poll) */
                wait?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            changes?: {
                                changed: string[];
                                previous: {
                                    [key: string]: unknown;
                                };
                            };
                            /** @description The resource after the change, in the API JSON form (docs/events.md) */
                            data: unknown;
                            /** @description Stable and unique; ids sort in the order events were written */
                            id: string;
                            orgId: string | null;
                            /** Format: date-time */
                            timestamp: string;
                            /**
                             * @description docs/events.md lists every type
                             * @enum {unknown}
                             */
                            type: "user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled";
                            /** @description The event format's version */
                            version: number;
                        }[];
                        /** @description Store it and pass it as `after` next time; an empty page gives back the cursor it was asked for */
                        nextCursor: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listOrgs: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                /** @description Contained in the org's id or name, any case */
                q?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            /**
                             * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                             * @enum {unknown}
                             */
                            idpProfile: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                            name: string;
                            /** @description The org's SCIM 2.0 base URL, for its IdP */
                            scimBaseUrl: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createOrg: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    id?: string;
                    /**
                     * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                     * @enum {unknown}
                     */
                    idpProfile?: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                    name: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        /**
                         * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                         * @enum {unknown}
                         */
                        idpProfile: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                        name: string;
                        /** @description The org's SCIM 2.0 base URL, for its IdP */
                        scimBaseUrl: string;
                        scimToken: {
                            /** Format: date-time */
                            createdAt: string;
                            expiresAt: string | null;
                            id: string;
                            lastUsedAt: string | null;
                            name: string;
                            /** @description The first characters of the token, to tell tokens apart */
                            prefix: string;
                            revokedAt: string | null;
                            /** @description The bearer token for the IdP: shown only in this response */
                            token: string;
                        };
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getOrg: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        /**
                         * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                         * @enum {unknown}
                         */
                        idpProfile: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                        name: string;
                        /** @description The org's SCIM 2.0 base URL, for its IdP */
                        scimBaseUrl: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteOrg: {
        parameters: {
            query?: {
                /** @description The org's id, again */
                confirm?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        deleted: {
                            groups: number;
                            scimTokens: number;
                            users: number;
                        };
                        id: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateOrg: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    name: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        /**
                         * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                         * @enum {unknown}
                         */
                        idpProfile: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                        name: string;
                        /** @description The org's SCIM 2.0 base URL, for its IdP */
                        scimBaseUrl: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listAuditEntries: {
        parameters: {
            query?: {
                action?: "create" | "replace" | "patch" | "delete" | "link" | "hold" | "release" | "discard" | "supersede" | "acknowledge" | "role_rule.create" | "role_rule.update" | "role_rule.delete" | "role_settings.update" | "sso_connection.create" | "sso_connection.update" | "sso_connection.delete" | "sso_domain.add" | "sso_domain.remove" | "sso_domain.verify" | "org.create" | "org.update" | "org.delete" | "scim_token.create" | "scim_token.revoke" | "api_key.create" | "api_key.revoke" | "webhook_endpoint.create" | "webhook_endpoint.update" | "webhook_endpoint.enable" | "webhook_endpoint.rotate_secret" | "webhook_endpoint.delete" | "setup_link.create" | "setup_link.revoke" | "extension.declare" | "extension.remove" | "property_mapping.set" | "property_mapping.remove" | "valve_settings.update" | "app.create" | "app.update" | "app.rotate_secret" | "app.delete" | "operator.create" | "operator.reset" | "operator.set_password";
                /** @description The actor's id */
                actorId?: string;
                /** @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user) */
                actorKind?: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                cursor?: string;
                /** @description jsonl: every matching entry as JSON Lines, streamed (as /audit/export) */
                format?: "json" | "jsonl";
                limit?: number;
                resourceId?: string;
                resourceType?: "User" | "Group" | "Deprovisioning" | "RoleRule" | "RoleSettings" | "SsoConnection" | "SsoDomain" | "Org" | "ScimToken" | "ApiKey" | "WebhookEndpoint" | "SetupLink" | "SchemaExtension" | "PropertyMapping" | "ValveSettings" | "App" | "Operator";
                /** @description From this time on */
                since?: string;
                /** @description Before this time */
                until?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of entries, or (JSON Lines asked for) every matching entry */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description create, replace, patch, delete, acknowledge, hold, release, … */
                            action: string;
                            actor: {
                                /** @description The SCIM token's or API key's id; the CLI's OS login; a system task's name (e.g. sso:<connection id>) */
                                id: string | null;
                                /**
                                 * @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user)
                                 * @enum {unknown}
                                 */
                                kind: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                            };
                            /** Format: date-time */
                            at: string;
                            /** @description The changed attributes (names, never values) */
                            attributes: string[];
                            id: number;
                            /** @description The request that made the change (its request log row has it too) */
                            requestId: string | null;
                            resourceId: string | null;
                            /** @description User, Group, Deprovisioning, … */
                            resourceType: string | null;
                            /** @description The SCIM token that made it; null for every other actor */
                            tokenId: string | null;
                        }[];
                        nextCursor: string | null;
                    };
                    "application/x-ndjson": {
                        /** @description create, replace, patch, delete, acknowledge, hold, release, … */
                        action: string;
                        actor: {
                            /** @description The SCIM token's or API key's id; the CLI's OS login; a system task's name (e.g. sso:<connection id>) */
                            id: string | null;
                            /**
                             * @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user)
                             * @enum {unknown}
                             */
                            kind: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                        };
                        /** Format: date-time */
                        at: string;
                        /** @description The changed attributes (names, never values) */
                        attributes: string[];
                        id: number;
                        /** @description The request that made the change (its request log row has it too) */
                        requestId: string | null;
                        resourceId: string | null;
                        /** @description User, Group, Deprovisioning, … */
                        resourceType: string | null;
                        /** @description The SCIM token that made it; null for every other actor */
                        tokenId: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    exportAuditEntries: {
        parameters: {
            query?: {
                action?: "create" | "replace" | "patch" | "delete" | "link" | "hold" | "release" | "discard" | "supersede" | "acknowledge" | "role_rule.create" | "role_rule.update" | "role_rule.delete" | "role_settings.update" | "sso_connection.create" | "sso_connection.update" | "sso_connection.delete" | "sso_domain.add" | "sso_domain.remove" | "sso_domain.verify" | "org.create" | "org.update" | "org.delete" | "scim_token.create" | "scim_token.revoke" | "api_key.create" | "api_key.revoke" | "webhook_endpoint.create" | "webhook_endpoint.update" | "webhook_endpoint.enable" | "webhook_endpoint.rotate_secret" | "webhook_endpoint.delete" | "setup_link.create" | "setup_link.revoke" | "extension.declare" | "extension.remove" | "property_mapping.set" | "property_mapping.remove" | "valve_settings.update" | "app.create" | "app.update" | "app.rotate_secret" | "app.delete" | "operator.create" | "operator.reset" | "operator.set_password";
                /** @description The actor's id */
                actorId?: string;
                /** @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user) */
                actorKind?: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                resourceId?: string;
                resourceType?: "User" | "Group" | "Deprovisioning" | "RoleRule" | "RoleSettings" | "SsoConnection" | "SsoDomain" | "Org" | "ScimToken" | "ApiKey" | "WebhookEndpoint" | "SetupLink" | "SchemaExtension" | "PropertyMapping" | "ValveSettings" | "App" | "Operator";
                /** @description From this time on */
                since?: string;
                /** @description Before this time */
                until?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description application/x-ndjson: one audit entry (the list form) per line, newest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/x-ndjson": {
                        /** @description create, replace, patch, delete, acknowledge, hold, release, … */
                        action: string;
                        actor: {
                            /** @description The SCIM token's or API key's id; the CLI's OS login; a system task's name (e.g. sso:<connection id>) */
                            id: string | null;
                            /**
                             * @description scim_token (the IdP), api_key (the host app), cli (an operator at the command line), operator (one signed in to the console), setup_link (an IdP admin through a setup link), system (the service, e.g. a JIT sign-in creating a user)
                             * @enum {unknown}
                             */
                            kind: "scim_token" | "api_key" | "cli" | "system" | "operator" | "setup_link";
                        };
                        /** Format: date-time */
                        at: string;
                        /** @description The changed attributes (names, never values) */
                        attributes: string[];
                        id: number;
                        /** @description The request that made the change (its request log row has it too) */
                        requestId: string | null;
                        resourceId: string | null;
                        /** @description User, Group, Deprovisioning, … */
                        resourceType: string | null;
                        /** @description The SCIM token that made it; null for every other actor */
                        tokenId: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listDeprovisionings: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                /** @description pending by default */
                state?: "pending" | "acknowledged" | "all";
                userId?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            acknowledgedAt: string | null;
                            /** @description `webhook:<endpoint id>` (a 2xx to its delivery), `api_key:<key id>` or `cli[:<OS login>]` */
                            acknowledgedBy: string | null;
                            /** @description Seconds since the event; once acknowledged, the seconds it took to acknowledge */
                            ageSeconds: number;
                            /** Format: date-time */
                            at: string;
                            /** @description The `user.deactivated` or `user.deleted` event (its webhook-id) */
                            eventId: string;
                            /** @description `dpv_` and the number of its event */
                            id: string;
                            /** @enum {unknown} */
                            type: "user.deactivated" | "user.deleted";
                            userId: string;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    acknowledgeDeprovisioning: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The deprovisioning id (`dpv_…`) or its event id (`evt_…`) */
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A deactivation or deletion the host app has to act on and acknowledge */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        acknowledgedAt: string | null;
                        /** @description `webhook:<endpoint id>` (a 2xx to its delivery), `api_key:<key id>` or `cli[:<OS login>]` */
                        acknowledgedBy: string | null;
                        /** @description Seconds since the event; once acknowledged, the seconds it took to acknowledge */
                        ageSeconds: number;
                        /** Format: date-time */
                        at: string;
                        /** @description The `user.deactivated` or `user.deleted` event (its webhook-id) */
                        eventId: string;
                        /** @description `dpv_` and the number of its event */
                        id: string;
                        /** @enum {unknown} */
                        type: "user.deactivated" | "user.deleted";
                        userId: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listExtensions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            attributes: {
                                caseExact: boolean;
                                description: string;
                                multiValued: boolean;
                                mutability: string;
                                name: string;
                                referenceTypes?: string[];
                                required: boolean;
                                returned: string;
                                type: string;
                                uniqueness: string;
                            }[];
                            description: string;
                            name: string;
                            /** @enum {string} */
                            resourceType: "User";
                            /** @description The schema URN: its key in SCIM documents and its id in /Schemas */
                            urn: string;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createExtension: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    attributes: {
                        caseExact?: boolean;
                        description?: string;
                        multiValued?: boolean;
                        /** @enum {unknown} */
                        mutability?: "readWrite" | "immutable";
                        name: string;
                        /** @enum {unknown} */
                        returned?: "default" | "always" | "request";
                        /** @enum {unknown} */
                        type: "string" | "boolean" | "integer" | "decimal" | "dateTime" | "reference";
                        /** @enum {string} */
                        uniqueness?: "none";
                    }[];
                    description?: string;
                    name?: string;
                    urn: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attributes: {
                            caseExact: boolean;
                            description: string;
                            multiValued: boolean;
                            mutability: string;
                            name: string;
                            referenceTypes?: string[];
                            required: boolean;
                            returned: string;
                            type: string;
                            uniqueness: string;
                        }[];
                        description: string;
                        name: string;
                        /** @enum {string} */
                        resourceType: "User";
                        /** @description The schema URN: its key in SCIM documents and its id in /Schemas */
                        urn: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteExtension: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                urn: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listGroups: {
        parameters: {
            query?: {
                cursor?: string;
                /** @description Exact externalId */
                externalId?: string;
                limit?: number;
                /** @description Contained in displayName, any case */
                name?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description Every other SCIM core attribute of the group, by its SCIM name */
                            attributes: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            displayName: string;
                            /** @description Extension schemas other than the enterprise one, by URN, as SCIM holds them */
                            extensions: {
                                [key: string]: {
                                    [key: string]: unknown;
                                };
                            };
                            externalId: string | null;
                            id: string;
                            orgId: string;
                            /** Format: date-time */
                            updatedAt: string;
                            /** @description Moves with every change of the group, its members included */
                            version: number;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Every other SCIM core attribute of the group, by its SCIM name */
                        attributes: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        displayName: string;
                        /** @description Extension schemas other than the enterprise one, by URN, as SCIM holds them */
                        extensions: {
                            [key: string]: {
                                [key: string]: unknown;
                            };
                        };
                        externalId: string | null;
                        id: string;
                        orgId: string;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description Moves with every change of the group, its members included */
                        version: number;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    replaceGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateGroup: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listGroupMembers: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            display: string | null;
                            id: string;
                            /** @enum {unknown} */
                            type: "user" | "group";
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listHeldChanges: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            heldAt: string;
                            /** @description Also the order a release applies them in */
                            id: number;
                            /** @enum {unknown} */
                            kind: "deactivate" | "delete";
                            /** @description The SCIM operation a release applies */
                            operation: {
                                body?: unknown;
                                /** @enum {unknown} */
                                method: "PATCH" | "DELETE";
                                path: string;
                            };
                            /** @description The SCIM request that was held */
                            requestId: string | null;
                            userId: string;
                            userName: string | null;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    discardHeldChanges: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The held changes to act on; absent: all of the org */
                    ids?: number[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        discarded: {
                            /** Format: date-time */
                            heldAt: string;
                            /** @description Also the order a release applies them in */
                            id: number;
                            /** @enum {unknown} */
                            kind: "deactivate" | "delete";
                            /** @description The SCIM operation a release applies */
                            operation: {
                                body?: unknown;
                                /** @enum {unknown} */
                                method: "PATCH" | "DELETE";
                                path: string;
                            };
                            /** @description The SCIM request that was held */
                            requestId: string | null;
                            userId: string;
                            userName: string | null;
                        }[];
                        /** @description Their user no longer exists: dropped, nothing applied */
                        gone: {
                            /** Format: date-time */
                            heldAt: string;
                            /** @description Also the order a release applies them in */
                            id: number;
                            /** @enum {unknown} */
                            kind: "deactivate" | "delete";
                            /** @description The SCIM operation a release applies */
                            operation: {
                                body?: unknown;
                                /** @enum {unknown} */
                                method: "PATCH" | "DELETE";
                                path: string;
                            };
                            /** @description The SCIM request that was held */
                            requestId: string | null;
                            userId: string;
                            userName: string | null;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    releaseHeldChanges: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The held changes to act on; absent: all of the org */
                    ids?: number[];
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Their user no longer exists: dropped, nothing applied */
                        gone: {
                            /** Format: date-time */
                            heldAt: string;
                            /** @description Also the order a release applies them in */
                            id: number;
                            /** @enum {unknown} */
                            kind: "deactivate" | "delete";
                            /** @description The SCIM operation a release applies */
                            operation: {
                                body?: unknown;
                                /** @enum {unknown} */
                                method: "PATCH" | "DELETE";
                                path: string;
                            };
                            /** @description The SCIM request that was held */
                            requestId: string | null;
                            userId: string;
                            userName: string | null;
                        }[];
                        released: {
                            /** Format: date-time */
                            heldAt: string;
                            /** @description Also the order a release applies them in */
                            id: number;
                            /** @enum {unknown} */
                            kind: "deactivate" | "delete";
                            /** @description The SCIM operation a release applies */
                            operation: {
                                body?: unknown;
                                /** @enum {unknown} */
                                method: "PATCH" | "DELETE";
                                path: string;
                            };
                            /** @description The SCIM request that was held */
                            requestId: string | null;
                            userId: string;
                            userName: string | null;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    addMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** Format: email */
                    email: string;
                    /** @description The member's displayName */
                    name?: string;
                    /** @description Defaults to the email */
                    userName?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A user the IdP never deactivated counts as active */
                        active: boolean;
                        /** @description Every other SCIM core attribute the IdP sent, by its SCIM name (title, phoneNumbers, addresses, roles…) */
                        attributes: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        displayName: string | null;
                        emails: {
                            display?: string;
                            primary: boolean;
                            type: string | null;
                            value: string;
                        }[];
                        /** @description The SCIM enterprise extension (employeeNumber, department, manager…), as SCIM holds it */
                        enterprise: {
                            [key: string]: unknown;
                        } | null;
                        /** @description Extension schemas other than the enterprise one, by URN, as SCIM holds them */
                        extensions: {
                            [key: string]: {
                                [key: string]: unknown;
                            };
                        };
                        externalId: string | null;
                        id: string;
                        /** @description When the IdP took over a member first added by the API (or SSO) */
                        linkedAt: string | null;
                        /** @description The member's source before the IdP took it over */
                        linkedFrom: ("api" | "sso") | null;
                        name: {
                            familyName: string | null;
                            formatted: string | null;
                            givenName: string | null;
                            honorificPrefix: string | null;
                            honorificSuffix: string | null;
                            middleName: string | null;
                        };
                        orgId: string;
                        /** @description The deployment's custom properties, as the user's org fills them from SCIM attributes; every declared key, null when unset. Absent when the deployment declares none (docs/properties.md) */
                        properties?: {
                            [key: string]: string | number | boolean | null;
                        };
                        /** @description The user's app roles in the org */
                        roles?: string[];
                        /**
                         * @description Who manages the user: its IdP over SCIM, the management API, or SSO sign-in
                         * @enum {unknown}
                         */
                        source: "scim" | "api" | "sso";
                        /** Format: date-time */
                        updatedAt: string;
                        userName: string;
                        /** @description Moves with every change of the user */
                        version: number;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    removeMember: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listPropertyMappings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            description: string;
                            key: string;
                            /** @description The SCIM attribute path the property is read from; null: not mapped */
                            path: string | null;
                            /** @enum {unknown} */
                            type: "string" | "number" | "boolean" | "dateTime";
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    setPropertyMapping: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    path: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        description: string;
                        key: string;
                        /** @description The SCIM attribute path the property is read from; null: not mapped */
                        path: string | null;
                        /** @enum {unknown} */
                        type: "string" | "number" | "boolean" | "dateTime";
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deletePropertyMapping: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                key: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listRequests: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                /** @description The path (with query) contains this text */
                path?: string;
                /** @description From this time on */
                since?: string;
                /** @description A class (2xx, 4xx, 5xx) or one status code (409) */
                status?: string;
                /** @description Before this time */
                until?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            at: string;
                            durationMs: number;
                            /** @description What a failure most likely means, and what to try */
                            hint: string | null;
                            /** @description The row's place in the log */
                            id: number;
                            /** @description The IdP the User-Agent names */
                            idp: string | null;
                            method: string;
                            /** @description With the query string */
                            path: string;
                            /** @description The IdP quirk rules applied (docs/idp-quirks.md) */
                            quirks: string[] | null;
                            /** @description The request's id, as in the server's log lines */
                            requestId: string | null;
                            /** @description The SCIM error type of a failure */
                            scimType: string | null;
                            status: number;
                            /** @description The SCIM token that authenticated it */
                            tokenId: string | null;
                            userAgent: string | null;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getRequest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: number;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        at: string;
                        durationMs: number;
                        /** @description What a failure most likely means, and what to try */
                        hint: string | null;
                        /** @description The row's place in the log */
                        id: number;
                        /** @description The IdP the User-Agent names */
                        idp: string | null;
                        method: string;
                        /** @description With the query string */
                        path: string;
                        /** @description The IdP quirk rules applied (docs/idp-quirks.md) */
                        quirks: string[] | null;
                        /** @description Redacted: passwords and tokens never appear */
                        requestBody: string | null;
                        /** @description The request's id, as in the server's log lines */
                        requestId: string | null;
                        /** @description Redacted */
                        responseBody: string | null;
                        /** @description The SCIM error type of a failure */
                        scimType: string | null;
                        status: number;
                        /** @description The SCIM token that authenticated it */
                        tokenId: string | null;
                        userAgent: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listRoleRules: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            id: string;
                            /**
                             * @description Which of the group's attributes `value` is
                             * @enum {unknown}
                             */
                            match: "id" | "externalId" | "displayName";
                            role: string;
                            value: string;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createRoleRule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Set the rule up before the IdP pushes its group (IdPs push a group when it is first assigned): a rule by externalId or displayName that matches no group now is accepted, and applies when one arrives. Never for a rule by id. Default false: such a rule is refused with unknown_group */
                    allowUnknownGroup?: boolean;
                    /** @enum {unknown} */
                    match: "id" | "externalId" | "displayName";
                    /** @description A role's key (GET /roles) */
                    role: string;
                    /** @description The group's id, externalId or displayName; a group of the org must match it (else unknown_group) unless allowUnknownGroup */
                    value: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        /** @description Whether a group of the org matches the rule now */
                        groupExists: boolean;
                        id: string;
                        /**
                         * @description Which of the group's attributes `value` is
                         * @enum {unknown}
                         */
                        match: "id" | "externalId" | "displayName";
                        role: string;
                        /** @description Users whose roles this change moved (each got one user.roles_changed event) */
                        usersChanged: number;
                        value: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteRoleRule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                ruleId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        id: string;
                        /**
                         * @description Which of the group's attributes `value` is
                         * @enum {unknown}
                         */
                        match: "id" | "externalId" | "displayName";
                        role: string;
                        /** @description Users whose roles this change moved (each got one user.roles_changed event) */
                        usersChanged: number;
                        value: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateRoleRule: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                ruleId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Set the rule up before the IdP pushes its group (IdPs push a group when it is first assigned): a rule by externalId or displayName that matches no group now is accepted, and applies when one arrives. Never for a rule by id. Default false: such a rule is refused with unknown_group */
                    allowUnknownGroup?: boolean;
                    /** @enum {unknown} */
                    match?: "id" | "externalId" | "displayName";
                    /** @description A role's key (GET /roles) */
                    role?: string;
                    /** @description The group's id, externalId or displayName; a group of the org must match it (else unknown_group) unless allowUnknownGroup */
                    value?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        /** @description Whether a group of the org matches the rule now */
                        groupExists: boolean;
                        id: string;
                        /**
                         * @description Which of the group's attributes `value` is
                         * @enum {unknown}
                         */
                        match: "id" | "externalId" | "displayName";
                        role: string;
                        /** @description Users whose roles this change moved (each got one user.roles_changed event) */
                        usersChanged: number;
                        value: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getRoleSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The role of users matched by no rule; null: none */
                        defaultRole: string | null;
                        /**
                         * @description `highest`: the matched role of highest priority; `all`: every matched role
                         * @enum {unknown}
                         */
                        mode: "highest" | "all";
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateRoleSettings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description null: no default role */
                    defaultRole?: null | string;
                    /**
                     * @description `highest`: the matched role of highest priority; `all`: every matched role
                     * @enum {unknown}
                     */
                    mode?: "highest" | "all";
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The role of users matched by no rule; null: none */
                        defaultRole: string | null;
                        /**
                         * @description `highest`: the matched role of highest priority; `all`: every matched role
                         * @enum {unknown}
                         */
                        mode: "highest" | "all";
                        /** @description Users whose roles this change moved (each got one user.roles_changed event) */
                        usersChanged: number;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getScimConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                         * @enum {unknown}
                         */
                        idpProfile: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                        scimBaseUrl: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateScimConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /**
                     * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                     * @enum {unknown}
                     */
                    idpProfile: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * @description Which IdP's quirks the org's SCIM endpoint accepts (docs/idp-quirks.md)
                         * @enum {unknown}
                         */
                        idpProfile: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                        scimBaseUrl: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listScimTokens: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            expiresAt: string | null;
                            id: string;
                            lastUsedAt: string | null;
                            name: string;
                            /** @description The first characters of the token, to tell tokens apart */
                            prefix: string;
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createScimToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    expiresInSeconds?: number;
                    name?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        expiresAt: string | null;
                        id: string;
                        lastUsedAt: string | null;
                        name: string;
                        /** @description The first characters of the token, to tell tokens apart */
                        prefix: string;
                        revokedAt: string | null;
                        /** @description The bearer token for the IdP: shown only in this response */
                        token: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    revokeScimToken: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
                tokenId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listSetupLinks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            /** Format: date-time */
                            expiresAt: string;
                            id: string;
                            lastUsedAt: string | null;
                            /** @description The first characters of the secret, to tell links apart */
                            prefix: string;
                            revokedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createSetupLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description How long the link works; 604800 (7 days) by default */
                    expiresInSeconds?: number;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        /** Format: date-time */
                        expiresAt: string;
                        id: string;
                        lastUsedAt: string | null;
                        /** @description The first characters of the secret, to tell links apart */
                        prefix: string;
                        revokedAt: string | null;
                        /** @description The link to send the IT admin: shown only in this response */
                        url: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    revokeSetupLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                linkId: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Revoked */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listSsoConnections: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description The SAML attribute or OIDC claim each user attribute is read from */
                            attributes: {
                                displayName: string;
                                email: string;
                                familyName: string;
                                givenName: string;
                                userName: string;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            enabled: boolean;
                            id: string;
                            /** @description Sign-in creates users the directory lacks (source `sso`); off: SCIM required */
                            jit: boolean;
                            /** @enum {unknown} */
                            matchBy: "email" | "userName" | "nameId";
                            name: string;
                            oidc: {
                                clientId: string;
                                /** @description Whether a client secret is stored (it is never shown) */
                                clientSecretSet: boolean;
                                issuer: string;
                                scopes: string[];
                            } | null;
                            orgId: string;
                            preset: string;
                            /** @enum {unknown} */
                            protocol: "saml" | "oidc";
                            saml: {
                                allowIdpInitiated: boolean;
                                clockSkewSeconds: number;
                                idpCertificates: string[];
                                idpEntityId: string;
                                /** @description Where an IdP-initiated sign-in sends the browser: the app's sign-in start */
                                idpInitiatedUrl: string | null;
                                idpSsoUrl: string;
                                /** @description The certificate the IdP encrypts assertions to (in the SP metadata) */
                                spCertificate: string | null;
                                /** @description Whether its private key is stored (it is never shown) */
                                spPrivateKeySet: boolean;
                            } | null;
                            /** Format: date-time */
                            updatedAt: string;
                            /** @description What to paste into the IdP (built from PUBLIC_URL; null without it) */
                            urls: {
                                /** @description SAML: the assertion consumer service (HTTP-POST) */
                                acsUrl?: string;
                                /** @description SAML: the SP entity id to give the IdP */
                                entityId?: string;
                                /** @description SAML: the SP metadata */
                                metadataUrl?: string;
                                /** @description OIDC: the redirect URI to register at the IdP */
                                redirectUri?: string;
                            } | null;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createSsoConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    attributes?: {
                        displayName?: string;
                        email?: string;
                        familyName?: string;
                        givenName?: string;
                        userName?: string;
                    };
                    enabled?: boolean;
                    jit?: boolean;
                    /** @enum {unknown} */
                    matchBy?: "email" | "userName" | "nameId";
                    name?: string;
                    oidc?: {
                        clientId?: string;
                        /** @description Write-only */
                        clientSecret?: string;
                        issuer?: string;
                        scopes?: string[];
                    };
                    /**
                     * @default generic
                     * @enum {unknown}
                     */
                    preset?: "generic" | "okta" | "entra" | "google" | "onelogin" | "jumpcloud" | "ping" | "rippling";
                    /** @enum {unknown} */
                    protocol: "saml" | "oidc";
                    saml?: {
                        allowIdpInitiated?: boolean;
                        clockSkewSeconds?: number;
                        /** @description The IdP's signing certificates (PEM or base64 DER); two while it rotates */
                        idpCertificates?: string[];
                        idpEntityId?: string;
                        idpInitiatedUrl?: null | string;
                        idpSsoUrl?: string;
                        /** @description Fetched once, now */
                        metadataUrl?: string;
                        /** @description The IdP's SAML metadata: fills idpEntityId, idpSsoUrl and idpCertificates */
                        metadataXml?: string;
                        /** @description For encrypted assertions */
                        spCertificate?: null | string;
                        /** @description PEM, write-only: decrypts encrypted assertions */
                        spPrivateKey?: string;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The SAML attribute or OIDC claim each user attribute is read from */
                        attributes: {
                            displayName: string;
                            email: string;
                            familyName: string;
                            givenName: string;
                            userName: string;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        enabled: boolean;
                        id: string;
                        /** @description Sign-in creates users the directory lacks (source `sso`); off: SCIM required */
                        jit: boolean;
                        /** @enum {unknown} */
                        matchBy: "email" | "userName" | "nameId";
                        name: string;
                        oidc: {
                            clientId: string;
                            /** @description Whether a client secret is stored (it is never shown) */
                            clientSecretSet: boolean;
                            issuer: string;
                            scopes: string[];
                        } | null;
                        orgId: string;
                        preset: string;
                        /** @enum {unknown} */
                        protocol: "saml" | "oidc";
                        saml: {
                            allowIdpInitiated: boolean;
                            clockSkewSeconds: number;
                            idpCertificates: string[];
                            idpEntityId: string;
                            /** @description Where an IdP-initiated sign-in sends the browser: the app's sign-in start */
                            idpInitiatedUrl: string | null;
                            idpSsoUrl: string;
                            /** @description The certificate the IdP encrypts assertions to (in the SP metadata) */
                            spCertificate: string | null;
                            /** @description Whether its private key is stored (it is never shown) */
                            spPrivateKeySet: boolean;
                        } | null;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description What to paste into the IdP (built from PUBLIC_URL; null without it) */
                        urls: {
                            /** @description SAML: the assertion consumer service (HTTP-POST) */
                            acsUrl?: string;
                            /** @description SAML: the SP entity id to give the IdP */
                            entityId?: string;
                            /** @description SAML: the SP metadata */
                            metadataUrl?: string;
                            /** @description OIDC: the redirect URI to register at the IdP */
                            redirectUri?: string;
                        } | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getSsoConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                connectionId: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The SAML attribute or OIDC claim each user attribute is read from */
                        attributes: {
                            displayName: string;
                            email: string;
                            familyName: string;
                            givenName: string;
                            userName: string;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        enabled: boolean;
                        id: string;
                        /** @description Sign-in creates users the directory lacks (source `sso`); off: SCIM required */
                        jit: boolean;
                        /** @enum {unknown} */
                        matchBy: "email" | "userName" | "nameId";
                        name: string;
                        oidc: {
                            clientId: string;
                            /** @description Whether a client secret is stored (it is never shown) */
                            clientSecretSet: boolean;
                            issuer: string;
                            scopes: string[];
                        } | null;
                        orgId: string;
                        preset: string;
                        /** @enum {unknown} */
                        protocol: "saml" | "oidc";
                        saml: {
                            allowIdpInitiated: boolean;
                            clockSkewSeconds: number;
                            idpCertificates: string[];
                            idpEntityId: string;
                            /** @description Where an IdP-initiated sign-in sends the browser: the app's sign-in start */
                            idpInitiatedUrl: string | null;
                            idpSsoUrl: string;
                            /** @description The certificate the IdP encrypts assertions to (in the SP metadata) */
                            spCertificate: string | null;
                            /** @description Whether its private key is stored (it is never shown) */
                            spPrivateKeySet: boolean;
                        } | null;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description What to paste into the IdP (built from PUBLIC_URL; null without it) */
                        urls: {
                            /** @description SAML: the assertion consumer service (HTTP-POST) */
                            acsUrl?: string;
                            /** @description SAML: the SP entity id to give the IdP */
                            entityId?: string;
                            /** @description SAML: the SP metadata */
                            metadataUrl?: string;
                            /** @description OIDC: the redirect URI to register at the IdP */
                            redirectUri?: string;
                        } | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteSsoConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                connectionId: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateSsoConnection: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                connectionId: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    attributes?: {
                        displayName?: string;
                        email?: string;
                        familyName?: string;
                        givenName?: string;
                        userName?: string;
                    };
                    enabled?: boolean;
                    jit?: boolean;
                    /** @enum {unknown} */
                    matchBy?: "email" | "userName" | "nameId";
                    name?: string;
                    oidc?: {
                        clientId?: string;
                        /** @description Write-only */
                        clientSecret?: string;
                        issuer?: string;
                        scopes?: string[];
                    };
                    saml?: {
                        allowIdpInitiated?: boolean;
                        clockSkewSeconds?: number;
                        /** @description The IdP's signing certificates (PEM or base64 DER); two while it rotates */
                        idpCertificates?: string[];
                        idpEntityId?: string;
                        idpInitiatedUrl?: null | string;
                        idpSsoUrl?: string;
                        /** @description Fetched once, now */
                        metadataUrl?: string;
                        /** @description The IdP's SAML metadata: fills idpEntityId, idpSsoUrl and idpCertificates */
                        metadataXml?: string;
                        /** @description For encrypted assertions */
                        spCertificate?: null | string;
                        /** @description PEM, write-only: decrypts encrypted assertions */
                        spPrivateKey?: string;
                    };
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The SAML attribute or OIDC claim each user attribute is read from */
                        attributes: {
                            displayName: string;
                            email: string;
                            familyName: string;
                            givenName: string;
                            userName: string;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        enabled: boolean;
                        id: string;
                        /** @description Sign-in creates users the directory lacks (source `sso`); off: SCIM required */
                        jit: boolean;
                        /** @enum {unknown} */
                        matchBy: "email" | "userName" | "nameId";
                        name: string;
                        oidc: {
                            clientId: string;
                            /** @description Whether a client secret is stored (it is never shown) */
                            clientSecretSet: boolean;
                            issuer: string;
                            scopes: string[];
                        } | null;
                        orgId: string;
                        preset: string;
                        /** @enum {unknown} */
                        protocol: "saml" | "oidc";
                        saml: {
                            allowIdpInitiated: boolean;
                            clockSkewSeconds: number;
                            idpCertificates: string[];
                            idpEntityId: string;
                            /** @description Where an IdP-initiated sign-in sends the browser: the app's sign-in start */
                            idpInitiatedUrl: string | null;
                            idpSsoUrl: string;
                            /** @description The certificate the IdP encrypts assertions to (in the SP metadata) */
                            spCertificate: string | null;
                            /** @description Whether its private key is stored (it is never shown) */
                            spPrivateKeySet: boolean;
                        } | null;
                        /** Format: date-time */
                        updatedAt: string;
                        /** @description What to paste into the IdP (built from PUBLIC_URL; null without it) */
                        urls: {
                            /** @description SAML: the assertion consumer service (HTTP-POST) */
                            acsUrl?: string;
                            /** @description SAML: the SP entity id to give the IdP */
                            entityId?: string;
                            /** @description SAML: the SP metadata */
                            metadataUrl?: string;
                            /** @description OIDC: the redirect URI to register at the IdP */
                            redirectUri?: string;
                        } | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    startSsoTest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                connectionId: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description A path on this origin the browser comes back to */
                    returnTo: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attemptId: string;
                        browserSecret: string;
                        redirectTo: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listSsoDomains: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            connectionId: string | null;
                            /** Format: date-time */
                            createdAt: string;
                            domain: string;
                            orgId: string;
                            /** @description The TXT record that verifies the domain (optional) */
                            verificationRecord: {
                                name: string;
                                value: string;
                            };
                            verifiedAt: string | null;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    addSsoDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    connectionId?: string | null;
                    domain: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        connectionId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        domain: string;
                        orgId: string;
                        /** @description The TXT record that verifies the domain (optional) */
                        verificationRecord: {
                            name: string;
                            value: string;
                        };
                        verifiedAt: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    removeSsoDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                domain: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    verifySsoDomain: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                domain: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        connectionId: string | null;
                        /** Format: date-time */
                        createdAt: string;
                        domain: string;
                        orgId: string;
                        /** @description The TXT record that verifies the domain (optional) */
                        verificationRecord: {
                            name: string;
                            value: string;
                        };
                        verifiedAt: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getSsoTest: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                attemptId: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        attemptId: string;
                        connectionId: string;
                        /** Format: date-time */
                        expiresAt: string;
                        result: ({
                            /** @description The connection's attributes (email, givenName, …) read through its names */
                            claims: {
                                [key: string]: string;
                            };
                            emailVerified: boolean;
                            /** @description SAML NameID or OIDC sub */
                            nameId: string;
                            /** @enum {boolean} */
                            ok: true;
                            /** @description Every attribute or claim the IdP sent, by its own name (values shortened) */
                            received: {
                                [key: string]: string;
                            };
                        } | {
                            error: string;
                            /** @enum {boolean} */
                            ok: false;
                        }) | null;
                        /** @enum {unknown} */
                        status: "pending" | "succeeded" | "failed";
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getOrgStatus: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A SCIM token of the org has authenticated a request of its IdP */
                        connected: boolean;
                        /** @description SCIM requests answered 400 or more in the last 24 hours */
                        failuresLastDay: number;
                        failuresLastHour: number;
                        groups: number;
                        /** @description Deprovisionings the safety valve holds (docs/safety-valves.md) */
                        heldDeprovisionings: number;
                        lastAuthenticatedAt: string | null;
                        /** @description The latest SCIM request, authenticated or not */
                        lastRequestAt: string | null;
                        orgId: string;
                        /** @description The latest failures of the last hour (up to 5), newest first */
                        recentFailures: {
                            /** Format: date-time */
                            at: string;
                            /** @description What the failure most likely means, and what to try */
                            hint: string | null;
                            /** @description The request's id in the org's request log */
                            id: number;
                            method: string;
                            path: string;
                            scimType: string | null;
                            status: number;
                        }[];
                        /** @description The org's SSO connections, and how many of them sign users in */
                        sso: {
                            connections: number;
                            enabled: number;
                        };
                        users: number;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listUsers: {
        parameters: {
            query?: {
                active?: boolean;
                cursor?: string;
                /** @description An email address, any case */
                email?: string;
                /** @description Exact externalId */
                externalId?: string;
                limit?: number;
                /** @description Contained in displayName or name (formatted, given, family), any case */
                name?: string;
                /** @description Exact userName, any case */
                userName?: string;
            };
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description A user the IdP never deactivated counts as active */
                            active: boolean;
                            /** @description Every other SCIM core attribute the IdP sent, by its SCIM name (title, phoneNumbers, addresses, roles…) */
                            attributes: {
                                [key: string]: unknown;
                            };
                            /** Format: date-time */
                            createdAt: string;
                            displayName: string | null;
                            emails: {
                                display?: string;
                                primary: boolean;
                                type: string | null;
                                value: string;
                            }[];
                            /** @description The SCIM enterprise extension (employeeNumber, department, manager…), as SCIM holds it */
                            enterprise: {
                                [key: string]: unknown;
                            } | null;
                            /** @description Extension schemas other than the enterprise one, by URN, as SCIM holds them */
                            extensions: {
                                [key: string]: {
                                    [key: string]: unknown;
                                };
                            };
                            externalId: string | null;
                            id: string;
                            /** @description When the IdP took over a member first added by the API (or SSO) */
                            linkedAt: string | null;
                            /** @description The member's source before the IdP took it over */
                            linkedFrom: ("api" | "sso") | null;
                            name: {
                                familyName: string | null;
                                formatted: string | null;
                                givenName: string | null;
                                honorificPrefix: string | null;
                                honorificSuffix: string | null;
                                middleName: string | null;
                            };
                            orgId: string;
                            /** @description The deployment's custom properties, as the user's org fills them from SCIM attributes; every declared key, null when unset. Absent when the deployment declares none (docs/properties.md) */
                            properties?: {
                                [key: string]: string | number | boolean | null;
                            };
                            /** @description The user's app roles in the org */
                            roles?: string[];
                            /**
                             * @description Who manages the user: its IdP over SCIM, the management API, or SSO sign-in
                             * @enum {unknown}
                             */
                            source: "scim" | "api" | "sso";
                            /** Format: date-time */
                            updatedAt: string;
                            userName: string;
                            /** @description Moves with every change of the user */
                            version: number;
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description A user the IdP never deactivated counts as active */
                        active: boolean;
                        /** @description Every other SCIM core attribute the IdP sent, by its SCIM name (title, phoneNumbers, addresses, roles…) */
                        attributes: {
                            [key: string]: unknown;
                        };
                        /** Format: date-time */
                        createdAt: string;
                        displayName: string | null;
                        emails: {
                            display?: string;
                            primary: boolean;
                            type: string | null;
                            value: string;
                        }[];
                        /** @description The SCIM enterprise extension (employeeNumber, department, manager…), as SCIM holds it */
                        enterprise: {
                            [key: string]: unknown;
                        } | null;
                        /** @description Extension schemas other than the enterprise one, by URN, as SCIM holds them */
                        extensions: {
                            [key: string]: {
                                [key: string]: unknown;
                            };
                        };
                        externalId: string | null;
                        groups: {
                            /** @description In the group itself, not only through a nested group */
                            direct: boolean;
                            displayName: string | null;
                            id: string;
                        }[];
                        id: string;
                        /** @description When the IdP took over a member first added by the API (or SSO) */
                        linkedAt: string | null;
                        /** @description The member's source before the IdP took it over */
                        linkedFrom: ("api" | "sso") | null;
                        name: {
                            familyName: string | null;
                            formatted: string | null;
                            givenName: string | null;
                            honorificPrefix: string | null;
                            honorificSuffix: string | null;
                            middleName: string | null;
                        };
                        orgId: string;
                        /** @description The deployment's custom properties, as the user's org fills them from SCIM attributes; every declared key, null when unset. Absent when the deployment declares none (docs/properties.md) */
                        properties?: {
                            [key: string]: string | number | boolean | null;
                        };
                        /** @description The user's app roles in the org */
                        roles?: string[];
                        /**
                         * @description Who manages the user: its IdP over SCIM, the management API, or SSO sign-in
                         * @enum {unknown}
                         */
                        source: "scim" | "api" | "sso";
                        /** Format: date-time */
                        updatedAt: string;
                        userName: string;
                        /** @description Moves with every change of the user */
                        version: number;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    replaceUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getUserAccess: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        allowed: boolean;
                        /** @enum {unknown} */
                        reason: "active" | "deactivated" | "deleted" | "not_found";
                        /** @description Kept while deactivated; empty once deleted */
                        roles: string[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getValves: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activeUsers: number;
                        /** @description Whom the seat cap's error tells the IdP's admin to ask */
                        contact: string | null;
                        deprovisioning: {
                            /** @description The mass-deprovisioning valve is on */
                            enabled: boolean;
                            /** @description Deprovisionings a window always lets through */
                            minUsers: number;
                            /** @description Share of the window's active users that may be deprovisioned */
                            percent: number;
                            windowSeconds: number;
                        };
                        /** @description Held changes waiting for release or discard */
                        held: number;
                        orgId: string;
                        /** @description What this org sets; null: the deployment's default */
                        overrides: {
                            contact: string | null;
                            enabled: boolean | null;
                            minUsers: number | null;
                            percent: number | null;
                            seatCap: number | null;
                            windowSeconds: number | null;
                        };
                        /** @description Most active users; null: no cap */
                        seatCap: number | null;
                        /** @description The current deprovisioning window; null when none is open */
                        window: {
                            /** @description Active users when the window started */
                            activeUsers: number;
                            /** @description Deprovisionings applied in the window */
                            deprovisioned: number;
                            /** Format: date-time */
                            start: string;
                            /** @description Deprovisionings the window lets through */
                            threshold: number;
                        } | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateValves: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                orgId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    contact?: string | null;
                    enabled?: boolean | null;
                    minUsers?: number | null;
                    percent?: number | null;
                    seatCap?: number | null;
                    windowSeconds?: number | null;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        activeUsers: number;
                        /** @description Whom the seat cap's error tells the IdP's admin to ask */
                        contact: string | null;
                        deprovisioning: {
                            /** @description The mass-deprovisioning valve is on */
                            enabled: boolean;
                            /** @description Deprovisionings a window always lets through */
                            minUsers: number;
                            /** @description Share of the window's active users that may be deprovisioned */
                            percent: number;
                            windowSeconds: number;
                        };
                        /** @description Held changes waiting for release or discard */
                        held: number;
                        orgId: string;
                        /** @description What this org sets; null: the deployment's default */
                        overrides: {
                            contact: string | null;
                            enabled: boolean | null;
                            minUsers: number | null;
                            percent: number | null;
                            seatCap: number | null;
                            windowSeconds: number | null;
                        };
                        /** @description Most active users; null: no cap */
                        seatCap: number | null;
                        /** @description The current deprovisioning window; null when none is open */
                        window: {
                            /** @description Active users when the window started */
                            activeUsers: number;
                            /** @description Deprovisionings applied in the window */
                            deprovisioned: number;
                            /** Format: date-time */
                            start: string;
                            /** @description Deprovisionings the window lets through */
                            threshold: number;
                        } | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listRoles: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            key: string;
                            name: string;
                            /** @description Higher wins in the mode `highest` */
                            priority: number;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getCurrentSetupLink: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        expiresAt: string;
                        orgId: string;
                        orgName: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listSsoPresets: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            key: string;
                            label: string;
                            notes: string;
                            /** @description The SAML attribute or OIDC claim each user attribute is read from */
                            oidc: {
                                displayName: string;
                                email: string;
                                familyName: string;
                                givenName: string;
                                userName: string;
                            };
                            protocols: ("saml" | "oidc")[];
                            /** @description The SAML attribute or OIDC claim each user attribute is read from */
                            saml: {
                                displayName: string;
                                email: string;
                                familyName: string;
                                givenName: string;
                                userName: string;
                            };
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listWebhookEndpoints: {
        parameters: {
            query?: {
                orgId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** Format: date-time */
                            createdAt: string;
                            description: string | null;
                            disabledReason: string | null;
                            enabled: boolean;
                            eventTypes: ("user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled")[] | null;
                            id: string;
                            /** @description Only this org's events; null: every org's */
                            orgId: string | null;
                            /** @description After a rotation: until when the previous secret still signs beside the new one */
                            previousSecretExpiresAt: string | null;
                            /** Format: date-time */
                            updatedAt: string;
                            url: string;
                        }[];
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    createWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: null | string;
                    eventTypes?: null | ("user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled")[];
                    /** @description Only this org's events; absent or null: every org's */
                    orgId?: null | string;
                    /** @description An absolute http:// or https:// URL, without credentials */
                    url: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        description: string | null;
                        disabledReason: string | null;
                        enabled: boolean;
                        eventTypes: ("user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled")[] | null;
                        id: string;
                        /** @description Only this org's events; null: every org's */
                        orgId: string | null;
                        /** @description After a rotation: until when the previous secret still signs beside the new one */
                        previousSecretExpiresAt: string | null;
                        /** @description The signing secret (`whsec_…`, Standard Webhooks): shown only in this response */
                        secret: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        description: string | null;
                        disabledReason: string | null;
                        enabled: boolean;
                        eventTypes: ("user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled")[] | null;
                        id: string;
                        /** @description Only this org's events; null: every org's */
                        orgId: string | null;
                        /** @description After a rotation: until when the previous secret still signs beside the new one */
                        previousSecretExpiresAt: string | null;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    deleteWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Deleted */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    updateWebhookEndpoint: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    description?: null | string;
                    /** @description false stops deliveries; true resumes them (also after a 410) */
                    enabled?: boolean;
                    eventTypes?: null | ("user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled")[];
                    /** @description Only this org's events; null: every org's */
                    orgId?: null | string;
                    /** @description An absolute http:// or https:// URL, without credentials */
                    url?: string;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        description: string | null;
                        disabledReason: string | null;
                        enabled: boolean;
                        eventTypes: ("user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled")[] | null;
                        id: string;
                        /** @description Only this org's events; null: every org's */
                        orgId: string | null;
                        /** @description After a rotation: until when the previous secret still signs beside the new one */
                        previousSecretExpiresAt: string | null;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    listWebhookDeliveries: {
        parameters: {
            query?: {
                cursor?: string;
                limit?: number;
                status?: "pending" | "delivered" | "failed";
            };
            header?: never;
            path: {
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        data: {
                            /** @description How many times it was sent */
                            attempts: number;
                            /** Format: date-time */
                            createdAt: string;
                            endpointId: string;
                            /** @description The event id, as in the payload and the webhook-id header */
                            eventId: string;
                            /** @description Null once the event has been pruned */
                            eventType: string | null;
                            id: number;
                            lastAttemptAt: string | null;
                            lastError: string | null;
                            /** @description The receiver's last HTTP status; null when none came */
                            lastStatus: number | null;
                            /** @description When a pending delivery is next tried */
                            nextAttemptAt: string | null;
                            orgId: string | null;
                            /** @description Deliveries of one key go out one at a time, in order */
                            resourceKey: string;
                            /** @enum {unknown} */
                            status: "pending" | "delivered" | "failed";
                        }[];
                        nextCursor: string | null;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    getWebhookDelivery: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deliveryId: number;
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description Every attempt, oldest first */
                        attemptLog: {
                            /** Format: date-time */
                            at: string;
                            error: string | null;
                            /** @description From sending the request to the end of the answer */
                            latencyMs: number;
                            /** @description The first KiB of the receiver's answer */
                            responseStart: string | null;
                            /** @description The HTTP status; null when no answer came (refused, timed out) */
                            status: number | null;
                        }[];
                        /** @description How many times it was sent */
                        attempts: number;
                        /** Format: date-time */
                        createdAt: string;
                        endpointId: string;
                        /** @description The event id, as in the payload and the webhook-id header */
                        eventId: string;
                        /** @description Null once the event has been pruned */
                        eventType: string | null;
                        id: number;
                        lastAttemptAt: string | null;
                        lastError: string | null;
                        /** @description The receiver's last HTTP status; null when none came */
                        lastStatus: number | null;
                        /** @description When a pending delivery is next tried */
                        nextAttemptAt: string | null;
                        orgId: string | null;
                        /** @description Deliveries of one key go out one at a time, in order */
                        resourceKey: string;
                        /** @enum {unknown} */
                        status: "pending" | "delivered" | "failed";
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    redeliverWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                deliveryId: number;
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Default Response */
            202: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description How many times it was sent */
                        attempts: number;
                        /** Format: date-time */
                        createdAt: string;
                        endpointId: string;
                        /** @description The event id, as in the payload and the webhook-id header */
                        eventId: string;
                        /** @description Null once the event has been pruned */
                        eventType: string | null;
                        id: number;
                        lastAttemptAt: string | null;
                        lastError: string | null;
                        /** @description The receiver's last HTTP status; null when none came */
                        lastStatus: number | null;
                        /** @description When a pending delivery is next tried */
                        nextAttemptAt: string | null;
                        orgId: string | null;
                        /** @description Deliveries of one key go out one at a time, in order */
                        resourceKey: string;
                        /** @enum {unknown} */
                        status: "pending" | "delivered" | "failed";
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
    rotateWebhookSecret: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                endpointId: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default 86400 */
                    graceSeconds?: number;
                };
            };
        };
        responses: {
            /** @description Default Response */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** Format: date-time */
                        createdAt: string;
                        description: string | null;
                        disabledReason: string | null;
                        enabled: boolean;
                        eventTypes: ("user.created" | "user.updated" | "user.deactivated" | "user.reactivated" | "user.deleted" | "user.linked" | "user.roles_changed" | "group.created" | "group.updated" | "group.deleted" | "group.member_added" | "group.member_removed" | "scim_token.created" | "scim_token.revoked" | "org.created" | "org.deleted" | "org.deprovisioning_held" | "webhook_endpoint.disabled")[] | null;
                        id: string;
                        /** @description Only this org's events; null: every org's */
                        orgId: string | null;
                        /** @description After a rotation: until when the previous secret still signs beside the new one */
                        previousSecretExpiresAt: string | null;
                        /** @description The signing secret (`whsec_…`, Standard Webhooks): shown only in this response */
                        secret: string;
                        /** Format: date-time */
                        updatedAt: string;
                        url: string;
                    };
                };
            };
            /** @description An error, as an RFC 9457 problem document */
            default: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/problem+json": {
                        /** @enum {unknown} */
                        code: "invalid_request" | "validation_failed" | "malformed_json" | "confirmation_required" | "url_not_allowed" | "unknown_group" | "unauthorized" | "forbidden" | "not_found" | "conflict" | "idp_owned" | "payload_too_large" | "unsupported_media_type" | "internal_error";
                        detail: string;
                        errors?: {
                            message: string;
                            path: string;
                        }[];
                        instance: string;
                        requestId: string;
                        status: number;
                        title: string;
                        type: string;
                    };
                };
            };
        };
    };
}

/** Each operation's HTTP method and path, by operationId. */
export const operationRoutes = {
    acknowledgeDeprovisioning: { method: "POST", path: "/api/v1/orgs/{orgId}/deprovisionings/{id}/acknowledge" },
    addMember: { method: "POST", path: "/api/v1/orgs/{orgId}/members" },
    addSsoDomain: { method: "POST", path: "/api/v1/orgs/{orgId}/sso/domains" },
    createApiKey: { method: "POST", path: "/api/v1/api-keys" },
    createApp: { method: "POST", path: "/api/v1/apps" },
    createExtension: { method: "POST", path: "/api/v1/orgs/{orgId}/extensions" },
    createGroup: { method: "POST", path: "/api/v1/orgs/{orgId}/groups" },
    createOrg: { method: "POST", path: "/api/v1/orgs" },
    createRoleRule: { method: "POST", path: "/api/v1/orgs/{orgId}/roles/rules" },
    createScimToken: { method: "POST", path: "/api/v1/orgs/{orgId}/scim/tokens" },
    createSetupLink: { method: "POST", path: "/api/v1/orgs/{orgId}/setup-links" },
    createSsoConnection: { method: "POST", path: "/api/v1/orgs/{orgId}/sso/connections" },
    createUser: { method: "POST", path: "/api/v1/orgs/{orgId}/users" },
    createWebhookEndpoint: { method: "POST", path: "/api/v1/webhooks" },
    deleteApp: { method: "DELETE", path: "/api/v1/apps/{appId}" },
    deleteExtension: { method: "DELETE", path: "/api/v1/orgs/{orgId}/extensions/{urn}" },
    deleteGroup: { method: "DELETE", path: "/api/v1/orgs/{orgId}/groups/{id}" },
    deleteOrg: { method: "DELETE", path: "/api/v1/orgs/{orgId}" },
    deletePropertyMapping: { method: "DELETE", path: "/api/v1/orgs/{orgId}/properties/{key}" },
    deleteRoleRule: { method: "DELETE", path: "/api/v1/orgs/{orgId}/roles/rules/{ruleId}" },
    deleteSsoConnection: { method: "DELETE", path: "/api/v1/orgs/{orgId}/sso/connections/{connectionId}" },
    deleteUser: { method: "DELETE", path: "/api/v1/orgs/{orgId}/users/{id}" },
    deleteWebhookEndpoint: { method: "DELETE", path: "/api/v1/webhooks/{endpointId}" },
    discardHeldChanges: { method: "POST", path: "/api/v1/orgs/{orgId}/held-changes/discard" },
    exportAuditEntries: { method: "GET", path: "/api/v1/orgs/{orgId}/audit/export" },
    getApp: { method: "GET", path: "/api/v1/apps/{appId}" },
    getCurrentSetupLink: { method: "GET", path: "/api/v1/setup-link" },
    getGroup: { method: "GET", path: "/api/v1/orgs/{orgId}/groups/{id}" },
    getOrg: { method: "GET", path: "/api/v1/orgs/{orgId}" },
    getOrgStatus: { method: "GET", path: "/api/v1/orgs/{orgId}/status" },
    getRequest: { method: "GET", path: "/api/v1/orgs/{orgId}/requests/{id}" },
    getRoleSettings: { method: "GET", path: "/api/v1/orgs/{orgId}/roles/settings" },
    getScimConnection: { method: "GET", path: "/api/v1/orgs/{orgId}/scim" },
    getSsoConnection: { method: "GET", path: "/api/v1/orgs/{orgId}/sso/connections/{connectionId}" },
    getSsoTest: { method: "GET", path: "/api/v1/orgs/{orgId}/sso/tests/{attemptId}" },
    getUser: { method: "GET", path: "/api/v1/orgs/{orgId}/users/{id}" },
    getUserAccess: { method: "GET", path: "/api/v1/orgs/{orgId}/users/{id}/access" },
    getValves: { method: "GET", path: "/api/v1/orgs/{orgId}/valves" },
    getWebhookDelivery: { method: "GET", path: "/api/v1/webhooks/{endpointId}/deliveries/{deliveryId}" },
    getWebhookEndpoint: { method: "GET", path: "/api/v1/webhooks/{endpointId}" },
    listApiKeys: { method: "GET", path: "/api/v1/api-keys" },
    listApps: { method: "GET", path: "/api/v1/apps" },
    listAuditEntries: { method: "GET", path: "/api/v1/orgs/{orgId}/audit" },
    listDeploymentAuditEntries: { method: "GET", path: "/api/v1/audit" },
    listDeprovisionings: { method: "GET", path: "/api/v1/orgs/{orgId}/deprovisionings" },
    listEvents: { method: "GET", path: "/api/v1/events" },
    listExtensions: { method: "GET", path: "/api/v1/orgs/{orgId}/extensions" },
    listGroupMembers: { method: "GET", path: "/api/v1/orgs/{orgId}/groups/{id}/members" },
    listGroups: { method: "GET", path: "/api/v1/orgs/{orgId}/groups" },
    listHeldChanges: { method: "GET", path: "/api/v1/orgs/{orgId}/held-changes" },
    listOrgs: { method: "GET", path: "/api/v1/orgs" },
    listPropertyMappings: { method: "GET", path: "/api/v1/orgs/{orgId}/properties" },
    listRequests: { method: "GET", path: "/api/v1/orgs/{orgId}/requests" },
    listRoleRules: { method: "GET", path: "/api/v1/orgs/{orgId}/roles/rules" },
    listRoles: { method: "GET", path: "/api/v1/roles" },
    listScimTokens: { method: "GET", path: "/api/v1/orgs/{orgId}/scim/tokens" },
    listSetupLinks: { method: "GET", path: "/api/v1/orgs/{orgId}/setup-links" },
    listSsoConnections: { method: "GET", path: "/api/v1/orgs/{orgId}/sso/connections" },
    listSsoDomains: { method: "GET", path: "/api/v1/orgs/{orgId}/sso/domains" },
    listSsoPresets: { method: "GET", path: "/api/v1/sso/presets" },
    listUsers: { method: "GET", path: "/api/v1/orgs/{orgId}/users" },
    listWebhookDeliveries: { method: "GET", path: "/api/v1/webhooks/{endpointId}/deliveries" },
    listWebhookEndpoints: { method: "GET", path: "/api/v1/webhooks" },
    redeliverWebhook: { method: "POST", path: "/api/v1/webhooks/{endpointId}/deliveries/{deliveryId}/redeliver" },
    releaseHeldChanges: { method: "POST", path: "/api/v1/orgs/{orgId}/held-changes/release" },
    removeMember: { method: "DELETE", path: "/api/v1/orgs/{orgId}/members/{id}" },
    removeSsoDomain: { method: "DELETE", path: "/api/v1/orgs/{orgId}/sso/domains/{domain}" },
    replaceGroup: { method: "PUT", path: "/api/v1/orgs/{orgId}/groups/{id}" },
    replaceUser: { method: "PUT", path: "/api/v1/orgs/{orgId}/users/{id}" },
    revokeApiKey: { method: "DELETE", path: "/api/v1/api-keys/{keyId}" },
    revokeScimToken: { method: "DELETE", path: "/api/v1/orgs/{orgId}/scim/tokens/{tokenId}" },
    revokeSetupLink: { method: "DELETE", path: "/api/v1/orgs/{orgId}/setup-links/{linkId}" },
    rotateAppSecret: { method: "POST", path: "/api/v1/apps/{appId}/rotate-secret" },
    rotateWebhookSecret: { method: "POST", path: "/api/v1/webhooks/{endpointId}/rotate-secret" },
    setPropertyMapping: { method: "PUT", path: "/api/v1/orgs/{orgId}/properties/{key}" },
    startSsoTest: { method: "POST", path: "/api/v1/orgs/{orgId}/sso/connections/{connectionId}/tests" },
    updateApp: { method: "PATCH", path: "/api/v1/apps/{appId}" },
    updateGroup: { method: "PATCH", path: "/api/v1/orgs/{orgId}/groups/{id}" },
    updateOrg: { method: "PATCH", path: "/api/v1/orgs/{orgId}" },
    updateRoleRule: { method: "PATCH", path: "/api/v1/orgs/{orgId}/roles/rules/{ruleId}" },
    updateRoleSettings: { method: "PATCH", path: "/api/v1/orgs/{orgId}/roles/settings" },
    updateScimConnection: { method: "PATCH", path: "/api/v1/orgs/{orgId}/scim" },
    updateSsoConnection: { method: "PATCH", path: "/api/v1/orgs/{orgId}/sso/connections/{connectionId}" },
    updateUser: { method: "PATCH", path: "/api/v1/orgs/{orgId}/users/{id}" },
    updateValves: { method: "PATCH", path: "/api/v1/orgs/{orgId}/valves" },
    updateWebhookEndpoint: { method: "PATCH", path: "/api/v1/webhooks/{endpointId}" },
    verifySsoDomain: { method: "POST", path: "/api/v1/orgs/{orgId}/sso/domains/{domain}/verify" },
} as const;
