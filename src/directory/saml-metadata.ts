/**
 * An IdP's SAML 2.0 metadata (docs/sso.md "SAML"), imported into a connection: its entityID,
 * its SingleSignOnService for HTTP-Redirect and its signing certificates (at most two, the
 * first ones). Parsed with @xmldom/xmldom, no DTDs or entities followed; size-limited. A
 * metadata URL is fetched once, at import, under the SSRF policy (https on public addresses
 * unless SSO_ALLOW_PRIVATE), no redirects, 10 seconds, 1 MiB.
 */
import { createRequire } from 'node:module';
import { ForbiddenAddressError } from '../events/address-policy.ts';
import { guardedFetch } from '../events/guarded-fetch.ts';
import { DirectoryError } from './errors.ts';

/** The part of the DOM read here. @xmldom/xmldom's own typings pull the DOM lib into every file. */
interface XmlElement {
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(ns: string, name: string): ArrayLike<XmlElement>;
  textContent: string | null;
}
interface XmlParser {
  parseFromString(xml: string, type: string): { documentElement: XmlElement | null } & XmlElement;
}
const { DOMParser } = createRequire(import.meta.url)('@xmldom/xmldom') as {
  DOMParser: new (options: {
    errorHandler: { error: (m: string) => void; fatalError: (m: string) => void };
  }) => XmlParser;
};

export const MAX_METADATA_BYTES = 1024 * 1024;
const MD = 'urn:oasis:names:tc:SAML:2.0:metadata';
const DS = 'http://www.w3.org/2000/09/xmldsig#';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface IdpMetadata {
  idpEntityId: string;
  idpSsoUrl: string;
  idpCertificates: string[];
}

export function parseIdpMetadata(xml: string): IdpMetadata {
  if (xml.length > MAX_METADATA_BYTES) throw new DirectoryError('The IdP metadata is larger than 1 MiB');
  if (/<!DOCTYPE/i.test(xml)) throw new DirectoryError('IdP metadata with a DOCTYPE is refused');
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: { error: (m: string) => errors.push(m), fatalError: (m: string) => errors.push(m) },
  }).parseFromString(xml, 'text/xml');
  if (errors.length > 0 || !doc?.documentElement)
    throw new DirectoryError('The IdP metadata is not well-formed XML');
  const descriptors = Array.from(doc.getElementsByTagNameNS(MD, 'EntityDescriptor'));
  const entity = descriptors.find((e) => e.getElementsByTagNameNS(MD, 'IDPSSODescriptor').length > 0);
  const idp = entity?.getElementsByTagNameNS(MD, 'IDPSSODescriptor')[0];
  const entityId = entity?.getAttribute('entityID')?.trim();
  if (!entity || !idp || !entityId)
    throw new DirectoryError('The metadata has no EntityDescriptor with an IDPSSODescriptor');
  const sso = Array.from(idp.getElementsByTagNameNS(MD, 'SingleSignOnService')).find(
    (s) => s.getAttribute('Binding') === REDIRECT,
  );
  const location = sso?.getAttribute('Location')?.trim();
  if (!location) throw new DirectoryError('The IdP metadata has no SingleSignOnService for HTTP-Redirect');
  const certificates: string[] = [];
  for (const key of Array.from(idp.getElementsByTagNameNS(MD, 'KeyDescriptor'))) {
    const use = key.getAttribute('use');
    if (use && use !== 'signing') continue;
    for (const cert of Array.from(key.getElementsByTagNameNS(DS, 'X509Certificate'))) {
      const body = (cert.textContent ?? '').replace(/\s+/g, '');
      if (body && !certificates.includes(body)) certificates.push(body);
    }
  }
  if (certificates.length === 0) throw new DirectoryError('The IdP metadata has no signing certificate');
  return { idpEntityId: entityId, idpSsoUrl: location, idpCertificates: certificates.slice(0, 2) };
}

/** Reads the metadata at `url` through the guarded fetch (events/guarded-fetch.ts). */
export async function fetchIdpMetadata(url: string, allowPrivate: boolean): Promise<string> {
  let res: Response;
  try {
    res = await guardedFetch({ allowPrivate, maxBytes: MAX_METADATA_BYTES })(url);
  } catch (error) {
    if (error instanceof ForbiddenAddressError) {
      throw new DirectoryError(
        'saml.metadataUrl resolves to a non-public address; set SSO_ALLOW_PRIVATE=true for IdPs on a private network',
        'url_not_allowed',
      );
    }
    throw new DirectoryError(`The IdP metadata could not be fetched: ${(error as Error).message}`);
  }
  if (res.status !== 200) throw new DirectoryError(`The IdP metadata URL answered ${res.status}`);
  return res.text();
}
