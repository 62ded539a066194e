/**
 * A fetch for requests to IdPs (OIDC discovery, JWKS, token and userinfo endpoints; SAML
 * metadata URLs) that cannot be turned against the service's own network: unless
 * SSO_ALLOW_PRIVATE, the host is checked first (an IP literal, or what DNS says now) and the
 * socket connects through events/address-policy.ts `guardedLookup`, which drops non-public
 * addresses at connect time too, so a name that resolves differently the second time (DNS
 * rebinding) still reaches only a public address. No redirects are followed, the answer is read
 * up to `maxBytes`, and the whole request has a deadline.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { checkDestination, guardedLookup } from './address-policy.ts';

export interface GuardedFetchOptions {
  allowPrivate: boolean;
  maxBytes?: number;
  timeoutMs?: number;
}

type Init = {
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0];
  body?: unknown;
  signal?: AbortSignal | null;
};

function bodyOf(body: unknown): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (body instanceof ArrayBuffer) return Buffer.from(new Uint8Array(body));
  throw new TypeError('unsupported request body');
}

export function guardedFetch(options: GuardedFetchOptions) {
  const maxBytes = options.maxBytes ?? 1024 * 1024;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (input: string | URL, init: Init = {}): Promise<Response> => {
    const url = new URL(String(input));
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new TypeError(`unsupported URL ${url.protocol}`);
    if (!options.allowPrivate) await checkDestination(url);
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value;
    });
    const body = bodyOf(init.body);
    if (body) headers['content-length'] = String(body.length);
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    const signal = AbortSignal.any(signals);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(
        url,
        {
          method: init.method ?? 'GET',
          headers,
          signal,
          ...(options.allowPrivate ? {} : { lookup: guardedLookup }),
        },
        resolve,
      );
      req.on('error', reject);
      req.end(body);
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        response.destroy();
        throw new Error(`the IdP's answer is larger than ${maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const status = response.statusCode ?? 502;
    const out = new Headers();
    for (const [key, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) out.append(key, v);
    }
    const nullBody = status === 204 || status === 304 || (status >= 100 && status < 200);
    return new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: out });
  };
}
