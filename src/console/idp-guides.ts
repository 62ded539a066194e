/**
 * Each IdP's SCIM setup, as its admin screen names things: where to click, which fields take
 * the base URL and the token, which attribute identifies a user, how groups get pushed, and
 * what the IdP's own "test connection" does. Written from the vendors' public documentation;
 * each guide's `sources` are cited in the page's source (an HTML comment) and linked on it.
 * What the server must accept from each IdP is docs/idp-notes.md.
 *
 * SSO steps (SAML/OIDC) come with issue 13; this wizard covers SCIM only for now.
 */
import type { IdpProfile } from '../scim/quirks.ts';

export interface IdpGuide {
  id: IdpProfile;
  name: string;
  /** Where the SCIM settings live in the IdP's admin console. */
  steps: string[];
  /** The IdP's field label → what to put there: `{base}` the base URL, `{token}` the token. */
  fields: [string, string][];
  /** Attribute mappings and group push. */
  mappings: string[];
  /** What the IdP's own connection test does, and what a pass means. */
  testConnection: string;
  /** Vendor documentation these steps follow (and, where the vendor says little, who else). */
  sources: string[];
}

export const IDP_GUIDES: IdpGuide[] = [
  {
    id: 'entra',
    name: 'Microsoft Entra ID',
    steps: [
      'Sign in to the Microsoft Entra admin center as at least an Application Administrator.',
      'Go to Identity → Applications → Enterprise applications, and choose New application → Create your own application.',
      'Name it, pick "Integrate any other application you don\'t find in the gallery (Non-gallery)", and choose Create.',
      'In the new application, open Provisioning (left menu) and choose Get started (or Connect your application). Set Provisioning Mode to Automatic.',
      'Under Admin Credentials, fill in the two fields below, then choose Test Connection, then Save.',
      'Under Users and groups, assign the users and groups to provision. Back in Provisioning, set Provisioning Status to On and Save. The first cycle starts within minutes; later cycles run about every 40 minutes. "Provision on demand" pushes one user at once.',
    ],
    fields: [
      ['Tenant URL', '{base}'],
      ['Secret Token', '{token}'],
    ],
    mappings: [
      'Mappings → "Provision Microsoft Entra ID Users": keep userPrincipalName → userName as the matching attribute (Matching precedence 1). The default mappings (mail → emails[type eq "work"].value, givenName, surname, displayName, accountEnabled → active, objectId → externalId) all work here.',
      'Mappings → "Provision Microsoft Entra ID Groups": keep it enabled; displayName is the matching attribute and members are pushed.',
      'Under Settings → Scope, "Sync only assigned users and groups" is the usual choice.',
    ],
    testConnection:
      'Entra asks for a user that cannot exist (GET /Users?filter=userName eq "<random id>") and expects an empty list back. A pass proves the URL and the token; it creates nothing.',
    sources: [
      'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups',
      'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/configure-automatic-user-provisioning-portal',
      'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/how-provisioning-works',
    ],
  },
  {
    id: 'okta',
    name: 'Okta',
    steps: [
      'In the Okta Admin Console, go to Applications → Applications and open your app integration (or create one: Create App Integration → SAML 2.0 or OIDC).',
      'On the General tab, under App Settings choose Edit, set Provisioning to SCIM, and Save. A Provisioning tab appears.',
      'On the Provisioning tab, choose Integration → Edit and fill in the fields below. Under Supported provisioning actions tick Push New Users, Push Profile Updates and Push Groups.',
      'Choose Test Connector Configuration, close the result, then Save.',
      'Still on Provisioning, choose To App → Edit, enable Create Users, Update User Attributes and Deactivate Users, and Save.',
      'On the Assignments tab assign people or groups; on the Push Groups tab choose Push Groups → Find groups by name for the groups whose members should come across.',
    ],
    fields: [
      ['SCIM connector base URL', '{base}'],
      ['Unique identifier field for users', 'userName'],
      ['Authentication Mode', 'HTTP Header'],
      ['HTTP Header → Authorization (Bearer)', '{token}'],
    ],
    mappings: [
      'Okta sends the username (usually the email address) as userName: keep "Unique identifier field for users" at userName.',
      'Groups arrive only through Push Groups; assigning a group on the Assignments tab provisions its members but does not create the group.',
    ],
    testConnection:
      'Okta reads a page of users (GET /Users?startIndex=1&count=2) and of groups, and shows which provisioning actions the server supports. A pass proves the URL and the token; it creates nothing.',
    sources: [
      'https://help.okta.com/en-us/content/topics/apps/apps_app_integration_wizard_scim.htm',
      'https://developer.okta.com/docs/guides/scim-provisioning-integration-connect/main/',
      'https://developer.okta.com/docs/reference/scim/scim-20/',
    ],
  },
  {
    id: 'google',
    name: 'Google Workspace',
    steps: [
      'Google Workspace provisions over SCIM only to apps from its own catalog that have auto-provisioning; it has no setting for a custom SCIM endpoint. If this app is in the catalog: in the Google Admin console go to Apps → Web and mobile apps, open the app, and open Auto-provisioning.',
      'Authorize the connection with the fields below when Google asks for them, map the attributes, choose the groups in scope, and turn Auto-provisioning on.',
      "If the app is not in Google's catalog, tell the person who sent you this link: they can connect Google through another route, or add users by other means.",
    ],
    fields: [
      ['Endpoint URL (when asked)', '{base}'],
      ['Access token (when asked)', '{token}'],
    ],
    mappings: [
      'Map Primary email to userName. Provisioning scope: all users, or the groups you choose.',
      'Deprovisioning: Google may suspend or delete the user when it leaves scope; both work here.',
    ],
    testConnection:
      'Google shows no connection test of its own; a first sync reads a user (GET /Users?count=1) and then creates the users in scope. Watch the status on the right.',
    sources: [
      'https://support.google.com/a/answer/7681608',
      'https://support.google.com/cloudidentity/topic/7661972',
      'https://authn-sh-docs.pages.dev/guides/scim/google-workspace/',
    ],
  },
  {
    id: 'onelogin',
    name: 'OneLogin',
    steps: [
      'In OneLogin administration, go to Applications → Applications → Add App and search for "SCIM Provisioner with SAML (SCIM v2 Enterprise)". Add it and Save.',
      'On its Configuration tab, fill in the fields below, then choose Enable next to API Status, and Save.',
      'On the Provisioning tab, tick Enable provisioning, choose what happens when a user is deleted or suspended (Delete or Suspend both work here), and Save.',
      'On the Parameters tab, include Groups in the user provisioning if groups should come across; assign users on the Users tab or with Rules.',
    ],
    fields: [
      ['SCIM Base URL', '{base}'],
      ['SCIM Bearer Token', '{token}'],
      ['SCIM JSON Template', 'keep the default; it maps userName, name and emails'],
    ],
    mappings: [
      "The SCIM JSON Template decides what is sent: userName should be the user's email or username, unique per user.",
    ],
    testConnection:
      'Enabling API Status makes a first call to the base URL with the token. "Enabled" proves both; it creates nothing.',
    sources: [
      'https://developers.onelogin.com/scim/create-app',
      'https://scim.dev/guide/applications/onelogin',
    ],
  },
  {
    id: 'jumpcloud',
    name: 'JumpCloud',
    steps: [
      'In the JumpCloud Admin Portal, go to SSO Applications, choose + Add New Application → Custom Application, and select the Identity Management (export users to this app) option.',
      "Open the application's Identity Management tab, choose SCIM 2.0 as the API type, and fill in the fields below.",
      'Choose Test Connection, then Activate, then Save.',
      'Bind user groups to the application on its User Groups tab; their users (and, with group management on, the groups) are provisioned.',
    ],
    fields: [
      ['Base URL', '{base}'],
      ['Token Key', '{token}'],
      ['Test User Email', 'an address no user here has yet'],
    ],
    mappings: ["JumpCloud sends the user's email as userName; keep it unique."],
    testConnection:
      'JumpCloud creates a test user and a test group with the Test User Email, then deletes them. It fails if a user with that email already exists.',
    sources: [
      'https://jumpcloud.com/support/provision-and-manage-users-and-groups-in-apps-using-custom-scim-identity-management-integration',
    ],
  },
  {
    id: 'ping',
    name: 'Ping Identity',
    steps: [
      'PingOne: go to Integrations → Provisioning, choose + → New Connection, pick Identity Store, and Select on the SCIM tile. Name it and choose Next.',
      'On the Authentication step, fill in the fields below, choose Test Connection, then Continue and Finish.',
      'Add a provisioning rule (which users and groups go to this connection), and turn the connection on with its toggle.',
      'PingFederate instead: an SP connection with Outbound Provisioning through the SCIM Connector takes the same values (SCIM URL, Authentication Method, Access Token).',
    ],
    fields: [
      ['SCIM Base URL', '{base}'],
      ['Users Resource', '/Users'],
      ['SCIM Version', '2.0'],
      ['Authentication Method', 'OAuth 2 Bearer Token'],
      ['Access Token', '{token}'],
      ['Auth Type Header', 'Bearer'],
      ['Unique User Identifier (PingFederate)', 'userName'],
    ],
    mappings: [
      'Ping matches users on userName and updates them with PUT. For groups, "PATCH for group updates" works here as well as PUT.',
      '"Remove User Action": Disable or Delete both work here.',
    ],
    testConnection:
      'PingOne\'s Test Connection calls the base URL with the token and answers "Connection Successful". PingFederate checks the connection when it first provisions.',
    sources: [
      'https://docs.pingidentity.com/integrations/scim/setup/pf_scim_connector_scim_connector_settings_reference.html',
      'https://docs.pingidentity.com/integrations/scim/pf_scim_connector_user_and_group_management.html',
      'https://docs.pingidentity.com/r/en-us/pingone/pingone_create_provisioning_connection',
    ],
  },
  {
    id: 'rippling',
    name: 'Rippling',
    steps: [
      'In Rippling, open the App Shop and find this app, or add a custom app with SCIM provisioning.',
      "In the app's settings, choose to provision with SCIM, and fill in the fields below.",
      'Choose which employees get the app (rules by department, role or group), and turn provisioning on.',
    ],
    fields: [
      ['SCIM Base URL', '{base}'],
      ['Bearer token / API token', '{token}'],
    ],
    mappings: [
      'Options: "Supports groups", "Creates and deletes groups" and "Uses PATCH to edit groups" all work here.',
      'Rippling sends the work email as userName.',
    ],
    testConnection:
      "Rippling checks the connection by reading the server's configuration (GET /ServiceProviderConfig) with the token.",
    sources: [
      'https://workos.com/docs/integrations/rippling-scim',
      'https://authn-sh-docs.pages.dev/guides/scim/rippling/',
    ],
  },
  {
    id: 'generic',
    name: 'Another IdP',
    steps: [
      "In your IdP, find the app's provisioning (SCIM 2.0) settings.",
      'Fill in the base URL and the token below; the token is sent as "Authorization: Bearer <token>".',
      'Assign the users and groups to provision, and turn provisioning on.',
    ],
    fields: [
      ['SCIM base URL / Tenant URL / Endpoint', '{base}'],
      ['Bearer token / API token / Secret', '{token}'],
    ],
    mappings: [
      'userName must be unique per user (usually the email address). Groups and their members are supported.',
    ],
    testConnection:
      'Most IdPs test with a GET of /Users or /ServiceProviderConfig. This server answers both; a 401 means the token was not pasted whole.',
    sources: ['https://www.rfc-editor.org/rfc/rfc7644'],
  },
];

export function guideFor(id: string): IdpGuide | undefined {
  return IDP_GUIDES.find((g) => g.id === id);
}
