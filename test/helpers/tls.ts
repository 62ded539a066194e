/**
 * Real TLS on loopback for the OIDC tests: a self-signed certificate for 127.0.0.1 made by
 * openssl, a server in front of a Fastify app, and a fetch that trusts that certificate (what
 * openid-client and the test's browser use), so cookies carry `Secure` as in production.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, request as httpsRequest, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Certificate {
  key: string;
  cert: string;
}

let cached: Certificate | undefined;

/** One certificate per test process (openssl takes a moment). */
export function loopbackCertificate(): Certificate {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'scimitar-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cached = {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * An HTTPS server on a loopback port whose requests go to `handler()` once it is set: the
 * port is known before the app (whose issuer names it) is built.
 */
export async function startTlsServer(): Promise<{
  server: Server;
  origin: string;
  setHandler(
    h: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void,
  ): void;
  close(): Promise<void>;
}> {
  let handler:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)
    | undefined;
  const server = createHttpsServer(loopbackCertificate(), (req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    origin: `https://127.0.0.1:${port}`,
    setHandler(h) {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** fetch over node:https trusting the loopback certificate; never follows redirects. */
export async function tlsFetch(
  input: string | URL,
  init: { method?: string; headers?: Record<string, string> | Headers; body?: unknown } = {},
): Promise<Response> {
  const url = new URL(String(input));
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((v, k) => {
    headers[k] = v;
  });
  let body: Buffer | undefined;
  if (init.body instanceof URLSearchParams) {
    body = Buffer.from(init.body.toString());
    headers['content-type'] ??= 'application/x-www-form-urlencoded';
  } else if (typeof init.body === 'string') body = Buffer.from(init.body);
  else if (init.body instanceof Uint8Array) body = Buffer.from(init.body);
  if (body) headers['content-length'] = String(body.length);
  return new Promise<Response>((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method: init.method ?? 'GET', headers, ca: loopbackCertificate().cert },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const out = new Headers();
          for (const [k, v] of Object.entries(res.headers)) {
            if (Array.isArray(v)) for (const x of v) out.append(k, x);
            else if (v !== undefined) out.set(k, v);
          }
          const status = res.statusCode ?? 500;
          const nullBody = status === 204 || status === 304;
          const response = new Response(nullBody ? null : Buffer.concat(chunks), { status, headers: out });
          Object.defineProperty(response, 'url', { value: url.href });
          resolve(response);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * A browser as far as a sign-in needs one: a cookie jar (by name; these tests use one origin),
 * and redirects followed by hand until one leaves `stopAt`'s origin or path prefix.
 */
export class Browser {
  readonly cookies = new Map<string, string>();
  /** Every Set-Cookie header seen, as sent. */
  readonly setCookies: string[] = [];

  async get(url: string): Promise<Response> {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await tlsFetch(url, { headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      this.setCookies.push(line);
      const [pair] = line.split(';');
      const eq = (pair ?? '').indexOf('=');
      const name = (pair ?? '').slice(0, eq).trim();
      const value = (pair ?? '').slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Follows redirects from `url` until the next location starts with `until`; returns that location. */
  async follow(url: string, until: string, hops = 10): Promise<{ location: string; trail: string[] }> {
    const trail: string[] = [];
    let next = url;
    for (let i = 0; i < hops; i++) {
      trail.push(next);
      const response = await this.get(next);
      const location = response.headers.get('location');
      if (!location) {
        throw new Error(
          `${next} answered ${response.status} without a redirect: ${(await response.text()).slice(0, 300)}`,
        );
      }
      const absolute = new URL(location, next).href;
      if (absolute.startsWith(until)) return { location: absolute, trail };
      next = absolute;
    }
    throw new Error(`more than ${hops} redirects from ${url}`);
  }
}
