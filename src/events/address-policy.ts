/**
 * Where webhooks may be sent: server-side request forgery (SSRF) protection. A webhook URL is
 * chosen by whoever holds an API key, and the service POSTs to it from inside the deployment's
 * network, so without a check an endpoint could reach loopback services, the private network
 * or a cloud metadata service (169.254.169.254, fd00:ec2::254). Unless WEBHOOK_ALLOW_PRIVATE is
 * set (docs/webhooks.md "Where webhooks may go"), only public unicast addresses are allowed:
 *
 * - at creation and update, the URL's host is resolved and refused when any of its addresses
 *   is not public (directory/webhooks.ts), a clear early answer;
 * - at delivery, the connection itself goes through `guardedLookup`, which drops the addresses
 *   that are not public from what DNS answers, so the socket connects only to a public one
 *   whatever the name resolves to by then (DNS rebinding), and an IP literal is checked before
 *   any connection (events/http-post.ts).
 *
 * The ranges come from ipaddr.js (the IANA special-purpose registries, RFC 6890): an address is
 * public only in its `unicast` range; an IPv4-mapped IPv6 address is judged as its IPv4 address.
 * https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html
 */
import { type LookupAddress, lookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/** True for a global unicast address; false for loopback, private, link-local, reserved and the like. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/** A webhook destination refused by the policy (its message names the address, never a secret). */
export class ForbiddenAddressError extends Error {
  override name = 'ForbiddenAddressError';
  readonly code = 'EWEBHOOKADDRESS';

  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      `${host === address ? address : `${host} (${address})`} is not a public address; ` +
        'webhooks to loopback, private, link-local or other special addresses need WEBHOOK_ALLOW_PRIVATE=true',
    );
  }
}

/** A URL's host without the brackets of an IPv6 literal. */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * Resolves a URL's host as a connection would and throws ForbiddenAddressError when any of its
 * addresses is not public. A host that does not resolve (yet) passes: delivery checks again.
 */
export async function checkDestination(url: URL): Promise<void> {
  const host = hostOf(url);
  if (isIP(host)) {
    if (!isPublicAddress(host)) throw new ForbiddenAddressError(host, host);
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await new Promise((resolve, reject) =>
      lookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found))),
    );
  } catch {
    return;
  }
  const forbidden = addresses.find((a) => !isPublicAddress(a.address));
  if (forbidden) throw new ForbiddenAddressError(host, forbidden.address);
}

/**
 * A `lookup` for sockets (net.connect, http.Agent): DNS's answer without the addresses that are
 * not public, so the connection can only go to a public one; none left is an error. Both forms
 * of the callback are served (`all`, which Node's happy eyeballs asks for, and one address).
 */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const allowed = addresses.filter((a) => isPublicAddress(a.address));
    const first = allowed[0];
    if (!first) {
      return callback(new ForbiddenAddressError(hostname, addresses[0]?.address ?? hostname), '', 0);
    }
    if (options.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, allowed);
    callback(null, first.address, first.family);
  });
};
