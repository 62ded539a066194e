/**
 * Each IdP's single sign-on setup (the setup wizard's step 2, setup-sso.ts), as its admin screen
 * names things: where to click, which fields take this service's values (SAML: the SP entity id
 * and the ACS URL; OIDC: the redirect URI), where the IdP shows what this service needs back
 * (SAML metadata by URL or file; OIDC issuer, client id and secret), the attributes to send, and
 * what the IdP's own test does. Written from the vendors' public documentation; each guide's
 * `sources` are cited in the page's source (an HTML comment) and linked on it. The attribute
 * names match the connection presets (directory/sso-presets.ts, docs/sso.md "Presets").
 *
 * Placeholders in `fields` values: `{entityId}`, `{acs}`, `{metadata}` (this service's SP
 * metadata URL) and `{redirect}` (the OIDC redirect URI).
 */
import type { IdpProfile } from '../scim/quirks.ts';

export interface ProtocolGuide {
  /** Where the settings live in the IdP's admin console, in order. */
  steps: string[];
  /** The IdP's field label → what to put there. */
  fields: [string, string][];
  /** Where the IdP shows what this service needs back (metadata URL/file, or issuer, id, secret). */
  handBack: string;
  /** Attributes or claims to send, and which identifies the user. */
  mappings: string[];
  /** What the IdP's own test does, and how it relates to this page's "Test a sign-in". */
  test: string;
}

export interface SsoGuide {
  id: IdpProfile;
  /** The protocols this IdP connects over here, the one the guide recommends first. */
  protocols: ('saml' | 'oidc')[];
  saml?: ProtocolGuide;
  oidc?: ProtocolGuide;
  /** Where the OIDC issuer is, as the IdP writes it (a template with <placeholders>). */
  issuerHint?: string;
  sources: string[];
}

const SAML_FIELDS_PLAIN: [string, string][] = [
  ['Single sign-on URL / ACS URL', '{acs}'],
  ['Audience URI / SP Entity ID', '{entityId}'],
  ['Name ID format', 'EmailAddress'],
];

export const SSO_GUIDES: SsoGuide[] = [
  {
    id: 'entra',
    protocols: ['saml', 'oidc'],
    saml: {
      steps: [
        'In the Microsoft Entra admin center, go to Identity → Applications → Enterprise applications and open the application you made for provisioning (or New application → Create your own application → "Integrate any other application you don\'t find in the gallery (Non-gallery)").',
        'Open Single sign-on (left menu) and pick SAML.',
        'In box 1, Basic SAML Configuration, choose Edit, fill in the fields below, and Save.',
        'Leave box 2, Attributes & Claims, as it is: its default claims are the ones this service reads.',
        'In box 3, SAML Certificates, copy the App Federation Metadata Url (or Download the Federation Metadata XML) and give it to this page below.',
        'Under Users and groups, assign the people who may sign in.',
      ],
      fields: [
        ['Identifier (Entity ID)', '{entityId}'],
        ['Reply URL (Assertion Consumer Service URL)', '{acs}'],
        ['Sign on URL (optional)', 'leave empty'],
      ],
      handBack:
        'Box 3, SAML Certificates: "App Federation Metadata Url" (paste it below) or "Federation Metadata XML" (Download, then choose the file below).',
      mappings: [
        'Unique User Identifier (Name ID): user.userprincipalname (the default). This service finds users by their email: the emailaddress claim (user.mail).',
        'Default claims read here: …/claims/emailaddress, …/claims/givenname, …/claims/surname, …/claims/name.',
      ],
      test: 'Entra\'s "Test" (box 5) signs you in and posts the answer to the Reply URL without a request from this service (IdP-initiated), which is refused unless IdP-initiated sign-in is switched on. Use "Test a sign-in" on this page instead: it starts here, goes through Entra and shows what Entra sent.',
    },
    oidc: {
      steps: [
        'In the Microsoft Entra admin center, go to Identity → Applications → App registrations → New registration.',
        'Name it, choose "Accounts in this organizational directory only", and under Redirect URI pick Web and paste the value below. Register.',
        'On Overview, copy the Application (client) ID and the Directory (tenant) ID.',
        "Under Certificates & secrets → Client secrets → New client secret, copy the secret's Value (shown once).",
        'Under Token configuration → Add optional claim → ID, tick email, given_name and family_name.',
      ],
      fields: [['Redirect URI (Web)', '{redirect}']],
      handBack:
        'Issuer: https://login.microsoftonline.com/<Directory (tenant) ID>/v2.0. Client ID: the Application (client) ID. Client secret: the Value from Certificates & secrets.',
      mappings: [
        'Optional claims email, given_name and family_name on the ID token; this service finds users by email.',
      ],
      test: 'Entra has no test button for an app registration. "Test a sign-in" on this page runs a real sign-in through Entra and shows the claims it sent.',
    },
    issuerHint: 'https://login.microsoftonline.com/<tenant-id>/v2.0',
    sources: [
      'https://learn.microsoft.com/en-us/entra/identity/enterprise-apps/add-application-portal-setup-sso',
      'https://learn.microsoft.com/en-us/entra/identity-platform/reference-saml-tokens',
      'https://learn.microsoft.com/en-us/entra/identity-platform/quickstart-register-app',
      'https://learn.microsoft.com/en-us/entra/identity-platform/optional-claims',
    ],
  },
  {
    id: 'okta',
    protocols: ['saml', 'oidc'],
    saml: {
      steps: [
        'In the Okta Admin Console, go to Applications → Applications → Create App Integration, pick SAML 2.0, and choose Next.',
        'Name the app and choose Next.',
        'Under Configure SAML, fill in the fields below (keep "Use this for Recipient URL and Destination URL" ticked).',
        'Under Attribute Statements add: email = user.email, firstName = user.firstName, lastName = user.lastName. Choose Next, then Finish.',
        "On the app's Sign On tab, copy the Metadata URL (under SAML 2.0) and give it to this page below.",
        'On the Assignments tab, assign the people or groups who may sign in.',
      ],
      fields: [
        ['Single sign-on URL', '{acs}'],
        ['Audience URI (SP Entity ID)', '{entityId}'],
        ['Name ID format', 'EmailAddress'],
        ['Application username', 'Email'],
      ],
      handBack: 'Sign On tab → SAML 2.0 → Metadata URL (or open it and save the XML as a file).',
      mappings: [
        'Attribute Statements email, firstName, lastName (as above); this service finds users by email.',
      ],
      test: 'Okta has no test button: an assigned user\'s app tile signs in IdP-initiated, which is refused unless switched on. "Test a sign-in" on this page starts here and shows what Okta sent.',
    },
    oidc: {
      steps: [
        'In the Okta Admin Console, go to Applications → Applications → Create App Integration, pick OIDC - OpenID Connect and Web Application, and choose Next.',
        'Grant type: Authorization Code. Paste the value below into Sign-in redirect URIs. Under Assignments pick who may sign in. Save.',
        'On the General tab, copy the Client ID and a Client secret.',
      ],
      fields: [['Sign-in redirect URIs', '{redirect}']],
      handBack:
        "Issuer: your Okta domain, https://<your-okta-domain> (or an authorization server's issuer, such as https://<your-okta-domain>/oauth2/default). Client ID and Client secret: the General tab.",
      mappings: [
        'Scopes openid email profile give the email, given_name and family_name claims this service reads.',
      ],
      test: 'Okta has no test button for OIDC apps. "Test a sign-in" on this page runs a real sign-in through Okta and shows the claims it sent.',
    },
    issuerHint: 'https://<your-okta-domain>',
    sources: [
      'https://help.okta.com/en-us/content/topics/apps/apps_app_integration_wizard_saml.htm',
      'https://help.okta.com/en-us/content/topics/apps/apps_app_integration_wizard_oidc.htm',
      'https://developer.okta.com/docs/reference/api/oidc/',
    ],
  },
  {
    id: 'google',
    protocols: ['saml', 'oidc'],
    saml: {
      steps: [
        'In the Google Admin console, go to Apps → Web and mobile apps → Add app → Add custom SAML app.',
        'Name the app and choose Continue.',
        'On "Google Identity Provider details", choose Download Metadata (keep the file for this page) and Continue.',
        'On "Service provider details", fill in the fields below and Continue.',
        'On "Attribute mapping", map Primary email → email, First name → firstName, Last name → lastName. Finish.',
        "Open the app's User access and turn it ON for everyone or for the organizational units who may sign in.",
      ],
      fields: [
        ['ACS URL', '{acs}'],
        ['Entity ID', '{entityId}'],
        ['Name ID format', 'EMAIL'],
        ['Name ID', 'Basic Information > Primary email'],
      ],
      handBack: 'Google Identity Provider details → Download Metadata (a file: choose it below).',
      mappings: ['Primary email → email, First name → firstName, Last name → lastName.'],
      test: 'Google\'s "Test SAML login" opens the app IdP-initiated, which is refused unless switched on; it can take a few minutes after User access changes. "Test a sign-in" on this page starts here and shows what Google sent.',
    },
    oidc: {
      steps: [
        'In the Google Cloud console of your Workspace, go to APIs & Services → OAuth consent screen and pick User type Internal (only your Workspace users may sign in).',
        'Go to APIs & Services → Credentials → Create credentials → OAuth client ID, Application type Web application.',
        'Paste the value below into Authorized redirect URIs and Create. Copy the Client ID and Client secret.',
      ],
      fields: [['Authorized redirect URIs', '{redirect}']],
      handBack:
        'Issuer: https://accounts.google.com. Client ID and Client secret: shown when the client is created.',
      mappings: ['Scopes openid email profile; the hd claim names your Workspace domain.'],
      test: 'Google has no test button for OAuth clients. "Test a sign-in" on this page runs a real sign-in and shows the claims Google sent.',
    },
    issuerHint: 'https://accounts.google.com',
    sources: [
      'https://support.google.com/a/answer/6087519',
      'https://developers.google.com/identity/openid-connect/openid-connect',
      'https://support.google.com/cloud/answer/6158849',
    ],
  },
  {
    id: 'onelogin',
    protocols: ['saml', 'oidc'],
    saml: {
      steps: [
        'In OneLogin administration, go to Applications → Applications → Add App, search for "SAML Custom Connector (Advanced)", add it and Save.',
        'On its Configuration tab fill in the fields below and Save.',
        'On its SSO tab, set SAML signature element to Assertion or Both. Under More Actions → SAML Metadata, download the metadata file (or copy the Issuer URL, which serves it).',
        'Assign the app to the people who may sign in (Users tab, or Roles).',
      ],
      fields: [
        ['Audience (EntityID)', '{entityId}'],
        ['Recipient', '{acs}'],
        ['ACS (Consumer) URL Validator', '{acs}'],
        ['ACS (Consumer) URL', '{acs}'],
        ['SAML nameID format', 'Email'],
      ],
      handBack: "More Actions → SAML Metadata (a file), or the SSO tab's Issuer URL.",
      mappings: [
        'The connector sends User.email, User.FirstName and User.LastName, which this service reads.',
      ],
      test: 'OneLogin has no test button: the portal\'s app tile signs in IdP-initiated, which is refused unless switched on. "Test a sign-in" on this page starts here and shows what OneLogin sent.',
    },
    oidc: {
      steps: [
        'In OneLogin administration, go to Applications → Applications → Add App, search for "OpenId Connect (OIDC)", add it and Save.',
        "On its Configuration tab paste the value below into Redirect URI's and Save.",
        'On its SSO tab set Application Type Web and Token Endpoint Authentication Method Basic; copy the Client ID and Client Secret.',
      ],
      fields: [["Redirect URI's", '{redirect}']],
      handBack: 'Issuer: https://<subdomain>.onelogin.com/oidc/2. Client ID and Client Secret: the SSO tab.',
      mappings: ['Scopes openid email profile give the claims this service reads.'],
      test: 'OneLogin has no test button for OIDC apps. "Test a sign-in" on this page runs a real sign-in and shows the claims OneLogin sent.',
    },
    issuerHint: 'https://<subdomain>.onelogin.com/oidc/2',
    sources: ['https://developers.onelogin.com/saml', 'https://developers.onelogin.com/openid-connect'],
  },
  {
    id: 'jumpcloud',
    protocols: ['saml', 'oidc'],
    saml: {
      steps: [
        'In the JumpCloud Admin Portal, go to SSO Applications → + Add New Application → Custom Application, and choose Manage Single Sign-On (SSO) → Configure SSO with SAML.',
        'On the SSO tab fill in the fields below. Under Attributes add user attributes email, firstName and lastName (mapped to Email, First Name, Last Name).',
        'Activate, then choose Export Metadata and keep the file for this page.',
        'Bind the user groups who may sign in on the User Groups tab.',
      ],
      fields: [
        ['IdP Entity ID', 'any unique name, e.g. your company and this app'],
        ['SP Entity ID', '{entityId}'],
        ['ACS URLs', '{acs}'],
        ['SAMLSubject NameID', 'email'],
        ['Sign', 'Assertion'],
      ],
      handBack: 'SSO tab → Export Metadata (a file: choose it below).',
      mappings: ['User attributes email, firstName, lastName; this service finds users by email.'],
      test: 'JumpCloud\'s User Portal tile signs in IdP-initiated, which is refused unless switched on. "Test a sign-in" on this page starts here and shows what JumpCloud sent.',
    },
    oidc: {
      steps: [
        'In the JumpCloud Admin Portal, go to SSO Applications → + Add New Application → Custom Application, and choose Manage Single Sign-On (SSO) → Configure SSO with OIDC.',
        'On the SSO tab paste the value below into Redirect URIs, set Client Authentication Type to Client Secret Basic, and under Attribute Mapping tick the Email and Profile scopes.',
        'Activate: JumpCloud shows the Client ID and Client Secret once; copy both.',
      ],
      fields: [['Redirect URIs', '{redirect}']],
      handBack:
        'Issuer: https://oauth.id.jumpcloud.com/. Client ID and Client Secret: shown once at activation.',
      mappings: ['Scopes openid email profile.'],
      test: 'JumpCloud has no test button for OIDC apps. "Test a sign-in" on this page runs a real sign-in and shows the claims JumpCloud sent.',
    },
    issuerHint: 'https://oauth.id.jumpcloud.com/',
    sources: [
      'https://jumpcloud.com/support/sso-using-custom-saml-application-connectors',
      'https://jumpcloud.com/support/sso-with-oidc',
    ],
  },
  {
    id: 'ping',
    protocols: ['saml', 'oidc'],
    saml: {
      steps: [
        'In the PingOne admin console, go to Applications → Applications → + (Add Application), name it, pick SAML Application, and choose Configure.',
        'Choose "Manually Enter", fill in the fields below, and Save.',
        'On Attribute Mappings, map saml_subject to Email Address and add email, given_name and family_name.',
        'On the Configuration tab, copy the IdP Metadata URL (or Download Metadata), and turn the application on with its toggle.',
      ],
      fields: [
        ['ACS URLs', '{acs}'],
        ['Entity ID', '{entityId}'],
      ],
      handBack: 'Configuration tab → IdP Metadata URL, or Download Metadata (a file).',
      mappings: ['saml_subject: Email Address; email, given_name, family_name.'],
      test: 'PingOne has no test button for SAML apps: its documentation tests with the Initiate Single Sign-on URL of the Configuration tab, an IdP-initiated sign-in, which is refused here unless switched on. "Test a sign-in" on this page starts here and shows what PingOne sent.',
    },
    oidc: {
      steps: [
        'In the PingOne admin console, go to Applications → Applications → +, name it, pick OIDC Web App, and Save.',
        'On the Configuration tab, Edit: paste the value below into Redirect URIs, Token Endpoint Authentication Method Client Secret Basic. Save.',
        'On Resources, allow the scopes openid, email and profile. Turn the application on with its toggle.',
        'On the Configuration tab copy the Client ID, the Client Secret and the Issuer.',
      ],
      fields: [['Redirect URIs', '{redirect}']],
      handBack:
        'Configuration tab: Issuer (https://auth.pingone.com/<environment-id>/as), Client ID, Client Secret.',
      mappings: ['Scopes openid email profile.'],
      test: 'PingOne has no test button for OIDC apps. "Test a sign-in" on this page runs a real sign-in and shows the claims PingOne sent.',
    },
    issuerHint: 'https://auth.pingone.com/<environment-id>/as',
    sources: [
      'https://docs.pingidentity.com/r/en-us/pingone/pingone_p1tutorial_add_a_saml_app',
      'https://docs.pingidentity.com/pingone/applications/p1_add_app_worker.html',
      'https://docs.pingidentity.com/pingone/applications/p1_wildcard_redirect_uri.html',
      'https://developer.pingidentity.com/pingone-api/auth/openid-connect-oauth-2.html',
    ],
  },
  {
    id: 'rippling',
    protocols: ['saml'],
    saml: {
      steps: [
        'In Rippling, open the App Shop, search for this app or choose to add a custom app, and pick SAML single sign-on.',
        'Rippling shows its own IdP metadata: download it (a file for this page).',
        'Fill in the service provider fields below, and choose who gets the app (rules by department, role or group).',
      ],
      fields: [
        ['ACS URL', '{acs}'],
        ['Entity ID / Audience', '{entityId}'],
        ['Name ID', 'work email'],
      ],
      handBack: 'The IdP metadata Rippling shows while you set up the app (download it as a file).',
      mappings: ['Attributes email, firstName, lastName; Name ID: work email.'],
      test: 'Rippling\'s app tile signs in IdP-initiated, which is refused unless switched on. "Test a sign-in" on this page starts here and shows what Rippling sent.',
    },
    sources: ['https://help.rippling.com/s/article/How-do-I-add-a-custom-SAML-app'],
  },
  {
    id: 'generic',
    protocols: ['saml', 'oidc'],
    saml: {
      steps: [
        'In your IdP, add a SAML 2.0 application (service provider).',
        'Fill in the fields below; the assertion (or the whole response) must be signed.',
        'Send the attributes email, firstName and lastName, and assign the people who may sign in.',
        "Copy the IdP's metadata URL, or download its metadata XML, for this page.",
      ],
      fields: [...SAML_FIELDS_PLAIN, ['SP metadata (if the IdP imports it)', '{metadata}']],
      handBack: "The IdP's SAML metadata: a URL or an XML file (EntityDescriptor with an IDPSSODescriptor).",
      mappings: ['email, firstName, lastName (SAML 2.0 attributes); Name ID: the email address.'],
      test: '"Test a sign-in" on this page starts a sign-in here, goes through your IdP and shows what it sent.',
    },
    oidc: {
      steps: [
        'In your IdP, add an OpenID Connect web application (confidential client, authorization code).',
        'Paste the value below as its redirect URI; allow the scopes openid, email and profile.',
        'Copy its issuer, client id and client secret for this page.',
      ],
      fields: [['Redirect URI', '{redirect}']],
      handBack:
        'The issuer (its /.well-known/openid-configuration must answer), the client id and the client secret.',
      mappings: ['Standard claims email, given_name, family_name (OpenID Connect Core §5.1).'],
      test: '"Test a sign-in" on this page runs a real sign-in through your IdP and shows the claims it sent.',
    },
    sources: [
      'https://docs.oasis-open.org/security/saml/v2.0/saml-core-2.0-os.pdf',
      'https://openid.net/specs/openid-connect-core-1_0.html',
    ],
  },
];

export function ssoGuideFor(id: string): SsoGuide | undefined {
  return SSO_GUIDES.find((g) => g.id === id);
}
