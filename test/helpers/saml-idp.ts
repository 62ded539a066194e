/**
 * A SAML IdP for the SSO tests: real assertions signed with xml-crypto (RSA-SHA256, exclusive
 * c14n) under the test certificates in test/fixtures/saml (made with openssl, 100 years), and
 * the SP's AuthnRequest read back from the HTTP-Redirect URL. Tests bend what it makes (wrong
 * audience, expiry, wrapping) to check each of the SP's checks.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { SignedXml } from 'xml-crypto';
import { root } from './process.ts';

const fixture = (name: string) => readFileSync(`${root}test/fixtures/saml/${name}`, 'utf8');
export const IDP_A = { key: fixture('idp-a.key'), cert: fixture('idp-a.crt') };
export const IDP_B = { key: fixture('idp-b.key'), cert: fixture('idp-b.crt') };
export const ATTACKER = { key: fixture('attacker.key'), cert: fixture('attacker.crt') };
export const IDP_ENTITY_ID = 'https://idp.test/saml';
export const IDP_SSO_URL = 'https://idp.test/saml/sso';

export interface AssertionOptions {
  requestId: string | undefined;
  audience: string;
  recipient: string;
  nameId: string;
  attributes?: Record<string, string>;
  issuer?: string;
  /** Seconds from now. */
  notBefore?: number;
  notOnOrAfter?: number;
  assertionId?: string;
}

const iso = (secondsFromNow: number) => new Date(Date.now() + secondsFromNow * 1000).toISOString();
export const newId = () => `_${randomBytes(16).toString('hex')}`;

/** The AuthnRequest's ID from the IdP URL the SP redirected to. */
export function requestIdOf(idpUrl: string): string {
  const request = new URL(idpUrl).searchParams.get('SAMLRequest');
  if (!request) throw new Error(`no SAMLRequest in ${idpUrl}`);
  const xml = inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  if (!id) throw new Error(`no ID in ${xml}`);
  return id;
}

export function assertionXml(o: AssertionOptions): string {
  const issuer = o.issuer ?? IDP_ENTITY_ID;
  const irt = o.requestId ? ` InResponseTo="${o.requestId}"` : '';
  const attrs = Object.entries(o.attributes ?? {})
    .map(
      ([name, value]) =>
        `<saml:Attribute Name="${name}"><saml:AttributeValue>${value}</saml:AttributeValue></saml:Attribute>`,
    )
    .join('');
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${o.assertionId ?? newId()}" Version="2.0" IssueInstant="${iso(0)}">` +
    `<saml:Issuer>${issuer}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${o.nameId}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData${irt} NotOnOrAfter="${iso(o.notOnOrAfter ?? 300)}" Recipient="${o.recipient}"/></saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(o.notBefore ?? -30)}" NotOnOrAfter="${iso(o.notOnOrAfter ?? 300)}"><saml:AudienceRestriction><saml:Audience>${o.audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
    `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` +
    `</saml:Assertion>`
  );
}

export function responseXml(
  assertion: string,
  o: { requestId: string | undefined; recipient: string; issuer?: string },
): string {
  const irt = o.requestId ? ` InResponseTo="${o.requestId}"` : '';
  return (
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${iso(0)}" Destination="${o.recipient}"${irt}>` +
    `<saml:Issuer>${o.issuer ?? IDP_ENTITY_ID}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`
  );
}

/**
 * Signs the element `xpath` names (by its ID), the signature placed after that element's
 * Issuer, as IdPs do.
 */
export function sign(xml: string, xpath: string, signer: { key: string; cert: string }): string {
  const sig = new SignedXml({
    privateKey: signer.key,
    publicCert: signer.cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  });
  sig.addReference({
    xpath,
    transforms: [
      'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
      'http://www.w3.org/2001/10/xml-exc-c14n#',
    ],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml, {
    location: { reference: `${xpath}/*[local-name(.)='Issuer']`, action: 'after' },
  });
  return sig.getSignedXml();
}

export const ASSERTION = "//*[local-name(.)='Assertion']";
export const RESPONSE = "/*[local-name(.)='Response']";

export const b64 = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

export const SP = { key: fixture('sp.key'), cert: fixture('sp.crt') };

/** An assertion encrypted to `cert` (AES-256-GCM, RSA-OAEP), as an EncryptedAssertion element. */
export async function encryptAssertion(assertion: string, cert: string): Promise<string> {
  const { encrypt } = await import('xml-encryption');
  const encrypted = await new Promise<string>((resolve, reject) =>
    encrypt(
      assertion,
      {
        rsa_pub: cert,
        pem: cert,
        encryptionAlgorithm: 'http://www.w3.org/2009/xmlenc11#aes256-gcm',
        keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
        disallowEncryptionWithInsecureAlgorithm: true,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    ),
  );
  return `<saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">${encrypted}</saml:EncryptedAssertion>`;
}

/** IdP metadata naming the sign-on URL and signing certificates. */
export function idpMetadata(certs: string[]): string {
  const body = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '');
  const keys = certs
    .map(
      (c) =>
        `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${body(c)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
    )
    .join('');
  return (
    `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${IDP_ENTITY_ID}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">${keys}` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${IDP_SSO_URL}/post"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${IDP_SSO_URL}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}
