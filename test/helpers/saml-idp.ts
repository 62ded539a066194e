/**
 * A SAML IdP for the SSO tests: real assertions signed with xml-crypto (RSA-SHA256, exclusive
 * c14n) under the test certificates in test/fixtures/saml (made with openssl, 100 years), and
 * the SP's AuthnRequest read back from the HTTP-Redirect URL. Tests bend what it makes (wrong
 * audience, expiry, wrapping) to check each of the SP's checks.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
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

/** The AuthnRequest's XML from the IdP URL the SP redirected to (HTTP-Redirect binding). */
function authnRequestOf(idpUrl: string): string {
  const request = new URL(idpUrl).searchParams.get('SAMLRequest');
  if (!request) throw new Error(`no SAMLRequest in ${idpUrl}`);
  return inflateRawSync(Buffer.from(request, 'base64')).toString('utf8');
}

/** The AuthnRequest's ID from the IdP URL the SP redirected to. */
export function requestIdOf(idpUrl: string): string {
  const xml = authnRequestOf(idpUrl);
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

/**
 * What a naive SP would accept of a wrapped (XSW) response, the test of such a test: some
 * signature in the document verifies, by `signer`'s key, over the element its reference
 * names; the NameID returned is the one such an SP reads, Response/Assertion/Subject/NameID
 * (the first of each).
 */
export function naiveReading(
  xml: string,
  signer: { cert: string },
): { signed: boolean; nameId: string | null } {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const signatures = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature');
  let signed = false;
  for (let i = 0; i < signatures.length && !signed; i++) {
    const check = new SignedXml({ publicCert: signer.cert });
    try {
      check.loadSignature(signatures[i] as never);
      signed = check.checkSignature(xml);
    } catch {
      // Not a signature this key verifies.
    }
  }
  const child = (parent: XmlNode | null | undefined, name: string): XmlNode | null =>
    Array.from(parent?.childNodes ?? []).find((node) => node.localName === name) ?? null;
  const assertion = child(doc.documentElement, 'Assertion');
  const nameId = child(child(assertion, 'Subject'), 'NameID')?.textContent ?? null;
  return { signed, nameId };
}

/** The part of the DOM naiveReading reads (@xmldom/xmldom's typings pull the DOM lib in). */
interface XmlNode {
  localName: string | null;
  childNodes: ArrayLike<XmlNode>;
  textContent: string | null;
}
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new () => {
    parseFromString(
      xml: string,
      type: string,
    ): {
      documentElement: XmlNode | null;
      getElementsByTagNameNS(ns: string, name: string): ArrayLike<unknown>;
    };
  };
};

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
export function idpMetadata(certs: string[], ssoUrl = IDP_SSO_URL): string {
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
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${ssoUrl}/post"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${ssoUrl}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  );
}

export interface SamlIdpServer {
  /** `http://127.0.0.1:<port>`; its metadata is at /metadata, its sign-on URL /sso. */
  origin: string;
  metadataUrl: string;
  metadata: string;
  /** Who the next sign-ins are: the NameID and the attributes sent. */
  user: { nameId: string; attributes: Record<string, string> };
  stop(): Promise<void>;
}

const attr = (v: string) => v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * The same IdP on loopback for a real browser: GET /metadata (IDP_A's certificate, this
 * server's sign-on URL), GET /sso reads the SP's AuthnRequest and answers with a page whose
 * "Sign in" button POSTs the signed Response to the ACS URL the request named (with its
 * RelayState), as an IdP's post binding does after its own sign-in; any other path is a 404.
 */
export async function startSamlIdp(signer = IDP_A): Promise<SamlIdpServer> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', idp.origin);
    if (req.method === 'GET' && url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' }).end(idp.metadata);
      return;
    }
    if (req.method !== 'GET' || url.pathname !== '/sso') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const xml = authnRequestOf(url.href);
    const requestId = /\sID="([^"]+)"/.exec(xml)?.[1];
    const acs = /AssertionConsumerServiceURL="([^"]+)"/.exec(xml)?.[1];
    const audience = /<(?:\w+:)?Issuer\b[^>]*>([^<]+)</.exec(xml)?.[1];
    if (!requestId || !acs || !audience) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`not an AuthnRequest: ${xml}`);
      return;
    }
    const assertion = assertionXml({ requestId, audience, recipient: acs, ...idp.user });
    const response = responseXml(sign(assertion, ASSERTION, signer), { requestId, recipient: acs });
    const relay = url.searchParams.get('RelayState');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html lang="en"><head><title>Test IdP</title></head><body><main><h1>Test IdP</h1>
      <form method="post" action="${attr(acs)}">
      <input type="hidden" name="SAMLResponse" value="${attr(b64(response))}">
      ${relay ? `<input type="hidden" name="RelayState" value="${attr(relay)}">` : ''}
      <button type="submit">Sign in as ${attr(idp.user.nameId)}</button></form></main></body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const idp: SamlIdpServer = {
    origin,
    metadataUrl: `${origin}/metadata`,
    metadata: idpMetadata([signer.cert], `${origin}/sso`),
    user: { nameId: 'ada@acme.example', attributes: { email: 'ada@acme.example' } },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return idp;
}
