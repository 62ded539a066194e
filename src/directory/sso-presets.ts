/**
 * IdP presets for SSO connections (docs/sso.md "Presets"): the attribute (SAML) and claim (OIDC)
 * names each IdP sends by default, and what each needs set on its side. A preset only fills in
 * defaults: a connection's own `attributes` override them.
 */

/** Where a connection reads each user attribute from: a SAML attribute name or an OIDC claim. */
export interface AttributeNames {
  email: string;
  givenName: string;
  familyName: string;
  displayName: string;
  userName: string;
}

export interface SsoPreset {
  key: string;
  label: string;
  protocols: readonly ('saml' | 'oidc')[];
  saml: AttributeNames;
  oidc: AttributeNames;
  /** What the admin sets up at the IdP (shown by the API and docs/sso.md). */
  notes: string;
}

/** Standard OpenID Connect Core 1.0 §5.1 claims, which every OIDC IdP here sends with `openid email profile`. */
const OIDC_STANDARD: AttributeNames = {
  email: 'email',
  givenName: 'given_name',
  familyName: 'family_name',
  displayName: 'name',
  userName: 'preferred_username',
};

/** The names many IdPs' SAML apps are set up with by hand (Okta's, Google's, JumpCloud's custom mappings). */
const SAML_PLAIN: AttributeNames = {
  email: 'email',
  givenName: 'firstName',
  familyName: 'lastName',
  displayName: 'displayName',
  userName: 'userName',
};

export const SSO_PRESETS: readonly SsoPreset[] = [
  {
    key: 'generic',
    label: 'Any SAML 2.0 or OpenID Connect IdP',
    protocols: ['saml', 'oidc'],
    saml: SAML_PLAIN,
    oidc: OIDC_STANDARD,
    notes: 'Map the attributes named here, or set `attributes` to the names your IdP sends.',
  },
  {
    key: 'okta',
    label: 'Okta',
    protocols: ['saml', 'oidc'],
    saml: SAML_PLAIN,
    oidc: OIDC_STANDARD,
    notes:
      'SAML: add attribute statements email=user.email, firstName=user.firstName, lastName=user.lastName; ' +
      'Name ID format EmailAddress. OIDC: a Web app, issuer https://<your-okta-domain> (or an authorization server).',
  },
  {
    key: 'entra',
    label: 'Microsoft Entra ID',
    protocols: ['saml', 'oidc'],
    saml: {
      email: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      givenName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname',
      familyName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname',
      displayName: 'http://schemas.microsoft.com/identity/claims/displayname',
      userName: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
    },
    oidc: { ...OIDC_STANDARD, userName: 'preferred_username' },
    notes:
      'OIDC issuer https://login.microsoftonline.com/<tenant-id>/v2.0; add the optional claims email, ' +
      'given_name and family_name to the ID token. SAML: the default claims above need no change.',
  },
  {
    key: 'google',
    label: 'Google Workspace',
    protocols: ['saml', 'oidc'],
    saml: SAML_PLAIN,
    oidc: { ...OIDC_STANDARD, userName: 'email' },
    notes:
      'SAML: a custom SAML app, Name ID Basic Information > Primary email; map Primary email to email, ' +
      'First name to firstName, Last name to lastName. OIDC issuer https://accounts.google.com (the `hd` claim names the Workspace domain).',
  },
  {
    key: 'onelogin',
    label: 'OneLogin',
    protocols: ['saml', 'oidc'],
    saml: {
      email: 'User.email',
      givenName: 'User.FirstName',
      familyName: 'User.LastName',
      displayName: 'User.DisplayName',
      userName: 'User.Username',
    },
    oidc: OIDC_STANDARD,
    notes:
      'SAML: the "SAML Custom Connector (Advanced)" sends the User.* names above. OIDC issuer https://<subdomain>.onelogin.com/oidc/2.',
  },
  {
    key: 'jumpcloud',
    label: 'JumpCloud',
    protocols: ['saml', 'oidc'],
    saml: SAML_PLAIN,
    oidc: OIDC_STANDARD,
    notes:
      'SAML: add user attributes email, firstName, lastName in the application. OIDC issuer https://oauth.id.jumpcloud.com/, scopes openid email profile.',
  },
  {
    key: 'ping',
    label: 'Ping Identity (PingOne, PingFederate)',
    protocols: ['saml', 'oidc'],
    saml: { ...SAML_PLAIN, email: 'email', givenName: 'given_name', familyName: 'family_name' },
    oidc: OIDC_STANDARD,
    notes:
      'PingOne OIDC issuer https://auth.pingone.com/<environment-id>/as. SAML: map email, given_name, family_name in the application attribute mapping.',
  },
  {
    key: 'rippling',
    label: 'Rippling',
    protocols: ['saml'],
    saml: SAML_PLAIN,
    oidc: OIDC_STANDARD,
    notes: 'SAML only: a custom SAML app; Name ID the work email; add attributes email, firstName, lastName.',
  },
];

export const SSO_PRESET_KEYS = SSO_PRESETS.map((p) => p.key);

export function presetOf(key: string): SsoPreset | undefined {
  return SSO_PRESETS.find((p) => p.key === key);
}
