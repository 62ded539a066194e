/**
 * The SAML 2.0 service provider (@node-saml/node-saml) for an org's SAML connection. Per
 * connection: the SP entity id `<PUBLIC_URL>/sso/saml/<connectionId>`, the assertion consumer
 * service `<that>/acs` (HTTP-POST) and the metadata `<that>/metadata`.
 *
 * node-saml checks: the XML signature of the response or of the assertion (one is required)
 * against the IdP's certificates (two may be live), references resolved by ID so that a
 * wrapped copy is not what is read (XSW), the issuer, audience and recipient, the time window
 * with the connection's clock skew, and InResponseTo against the request this attempt sent.
 * The replay cache (assertion ids, in the database) is directory/sso-connections.ts
 * `recordAssertion`.
 */
import type { CacheProvider, Profile, SAML } from '@node-saml/node-saml';
import type { SsoRuntimeConnection } from '../directory/sso-connections.ts';
import type { SsoIdentity } from '../directory/sso-users.ts';

/** Largest SAMLResponse (base64) the ACS reads. */
export const MAX_SAML_RESPONSE_BYTES = 256 * 1024;
const REQUEST_TTL_MS = 10 * 60 * 1000;

export interface SamlFlow {
  requestId: string;
  issuedAt: string;
}

export class SamlSpError extends Error {
  override name = 'SamlSpError';
}

export function spEntityId(origin: string, connectionId: string): string {
  return `${origin}/sso/saml/${connectionId}`;
}

/** A cache provider that knows at most the one request of this attempt. */
function attemptCache(flow: SamlFlow | undefined, saved?: (f: SamlFlow) => void): CacheProvider {
  return {
    async saveAsync(key, value) {
      saved?.({ requestId: key, issuedAt: value });
      return { value, createdAt: Date.now() };
    },
    async getAsync(key) {
      return flow && key === flow.requestId ? flow.issuedAt : null;
    },
    async removeAsync(key) {
      return key;
    },
  };
}

function pem(body: string): string {
  return `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)?.join('\n')}\n-----END CERTIFICATE-----`;
}

/**
 * node-saml and its XML libraries, loaded at the first SAML request: about 100 ms of start-up
 * for every process (the server, the CLI, each test file) that never signs anyone in by SAML.
 */
let nodeSaml: Promise<typeof import('@node-saml/node-saml')> | undefined;

async function spFor(
  c: SsoRuntimeConnection,
  origin: string,
  cache: CacheProvider,
  idpInitiated = false,
): Promise<SAML> {
  const saml = c.saml;
  if (!saml) throw new SamlSpError('not a SAML connection');
  nodeSaml ??= import('@node-saml/node-saml');
  const { SAML, ValidateInResponseTo } = await nodeSaml;
  const entityId = spEntityId(origin, c.id);
  return new SAML({
    issuer: entityId,
    callbackUrl: `${entityId}/acs`,
    entryPoint: saml.idpSsoUrl,
    idpIssuer: saml.idpEntityId,
    idpCert: saml.idpCertificates.map(pem),
    audience: entityId,
    // A signature over the response or over the assertion: node-saml requires one of them.
    wantAssertionsSigned: false,
    wantAuthnResponseSigned: false,
    acceptedClockSkewMs: saml.clockSkewSeconds * 1000,
    validateInResponseTo: idpInitiated ? ValidateInResponseTo.never : ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    cacheProvider: cache,
    identifierFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    // Encrypted assertions are decrypted with the SP key when the connection has one.
    ...(c.spPrivateKey ? { decryptionPvk: c.spPrivateKey } : {}),
  });
}

/** The SP metadata XML of the connection. */
export async function samlMetadata(c: SsoRuntimeConnection, origin: string): Promise<string> {
  const cert = c.saml?.spCertificate;
  return (await spFor(c, origin, attemptCache(undefined))).generateServiceProviderMetadata(
    cert ? pem(cert) : null,
    null,
  );
}

/** The IdP URL to send the browser to (HTTP-Redirect binding), and the request to expect back. */
export async function samlBegin(
  c: SsoRuntimeConnection,
  origin: string,
  relayState: string,
): Promise<{ url: string; flow: SamlFlow }> {
  let flow: SamlFlow | undefined;
  const sp = await spFor(
    c,
    origin,
    attemptCache(undefined, (f) => {
      flow = f;
    }),
  );
  const url = await sp.getAuthorizeUrlAsync(relayState, undefined, {});
  if (!flow) throw new SamlSpError('no request id was generated');
  return { url, flow };
}

/**
 * Facts of the validated assertion (the XML node-saml verified the signature of) that node-saml
 * does not check itself: its Issuer, its bearer SubjectConfirmationData's Recipient; and its id
 * and NotOnOrAfter for the replay cache.
 */
function assertionFacts(profile: Profile) {
  const xml = profile.getAssertionXml?.() ?? '';
  const id = /<(?:\w+:)?Assertion\b[^>]*\sID="([^"]{1,256})"/.exec(xml)?.[1];
  const until = /<(?:\w+:)?Conditions\b[^>]*\sNotOnOrAfter="([^"]{1,64})"/.exec(xml)?.[1];
  const issuer = /<(?:\w+:)?Issuer\b[^>]*>([^<]{1,2000})<\/(?:\w+:)?Issuer>/.exec(xml)?.[1]?.trim();
  const recipients = [
    ...xml.matchAll(/<(?:\w+:)?SubjectConfirmationData\b[^>]*\sRecipient="([^"]{0,2000})"/g),
  ].map((m) => m[1]);
  return { id, notOnOrAfter: until ? new Date(until) : undefined, issuer, recipients };
}

/**
 * Validates a posted SAMLResponse for the attempt's request (`flow`), or, without one, as an
 * IdP-initiated answer (which must answer no request); the identity it asserts.
 */
export async function samlFinish(
  c: SsoRuntimeConnection,
  origin: string,
  flow: SamlFlow | undefined,
  samlResponse: string,
): Promise<{ identity: SsoIdentity; assertionId: string; notOnOrAfter: Date | undefined }> {
  if (samlResponse.length > MAX_SAML_RESPONSE_BYTES) throw new SamlSpError('the SAMLResponse is too large');
  const sp = await spFor(c, origin, attemptCache(flow), flow === undefined);
  let profile: Profile | null;
  try {
    ({ profile } = await sp.validatePostResponseAsync({ SAMLResponse: samlResponse }));
  } catch (error) {
    throw new SamlSpError(String((error as Error).message ?? error).slice(0, 200));
  }
  if (!profile?.nameID) throw new SamlSpError('the assertion names no subject');
  if (
    flow === undefined &&
    /\sInResponseTo="/.test(`${profile.getSamlResponseXml?.() ?? ''}${profile.getAssertionXml?.() ?? ''}`)
  ) {
    throw new SamlSpError('an answer to a request of another browser');
  }
  const { id, notOnOrAfter, issuer, recipients } = assertionFacts(profile);
  if (!id) throw new SamlSpError('the assertion has no ID');
  if (issuer !== c.saml?.idpEntityId) throw new SamlSpError('the assertion is from another issuer');
  const acs = `${spEntityId(origin, c.id)}/acs`;
  if (recipients.length === 0 || recipients.some((r) => r !== acs)) {
    throw new SamlSpError('the assertion is for another recipient');
  }
  const attributes: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(profile)) if (typeof v !== 'function') attributes[k] = v;
  return { identity: { nameId: profile.nameID, attributes }, assertionId: id, notOnOrAfter };
}
