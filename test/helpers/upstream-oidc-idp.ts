/**
 * An org's upstream OpenID Connect IdP for the SSO tests: a real oidc-provider in its own process
 * on loopback (run by startUpstreamIdp below). One confidential client (client_secret_basic),
 * PKCE allowed but not required (so that a test can obtain a code without a challenge, as an
 * attacker would). Whoever signs in is the account a test set last with POST /test/user (JSON
 * claims, `sub` required); the interaction finishes at once, without consent.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { nodeEntry } from '../../scripts/node-entry.ts';
import { root } from './process.ts';

export interface UpstreamIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Who the next sign-ins are. */
  setUser(claims: Record<string, unknown> & { sub: string }): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the IdP in a child process; `redirectUri` is the service's callback. */
export async function startUpstreamIdp(redirectUri: string): Promise<UpstreamIdp> {
  const clientId = 'scimitar-rp';
  const clientSecret = 'upstream-client-secret-0123456789';
  const child: ChildProcess = spawn(process.execPath, nodeEntry('test/helpers/upstream-oidc-idp.ts'), {
    cwd: root,
    env: {
      ...process.env,
      UPSTREAM_IDP: '1',
      CLIENT_ID: clientId,
      CLIENT_SECRET: clientSecret,
      REDIRECT_URI: redirectUri,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /READY (\S+)/.exec(out);
      if (m?.[1]) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`upstream IdP exited (${code}) before it was ready`)));
  });
  return {
    issuer,
    clientId,
    clientSecret,
    async setUser(claims) {
      const r = await fetch(`${issuer}/test/user`, { method: 'POST', body: JSON.stringify(claims) });
      if (r.status !== 204) throw new Error(`setUser: ${r.status}`);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * The IdP's part of a browser: follows redirects on the IdP with a cookie jar of its own, and
 * stops at the first redirect to `origin` (the service), which it returns.
 */
export async function throughIdp(authUrl: string, origin: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = authUrl;
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [k, ...v] = (pair ?? '').split('=');
      if (k) jar.set(k, v.join('='));
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`the IdP answered ${res.status} at ${url}: ${await res.text()}`);
    const next = new URL(location, url);
    if (next.origin === origin) return next;
    url = next.href;
  }
  throw new Error('too many redirects at the IdP');
}

async function serve(): Promise<void> {
  const { default: Provider } = await import('oidc-provider');
  let user: Record<string, unknown> & { sub: string } = { sub: 'nobody' };
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.CLIENT_ID as string,
        client_secret: process.env.CLIENT_SECRET as string,
        redirect_uris: [process.env.REDIRECT_URI as string],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => false },
    features: { devInteractions: { enabled: false } },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    },
    cookies: { keys: ['upstream-test-cookie-key-0123456789'] },
    async findAccount(_ctx, sub) {
      return { accountId: sub, claims: async () => ({ ...user, sub }) };
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      if (!oidc.client || !oidc.session?.accountId) return undefined;
      const grant = new oidc.provider.Grant({
        clientId: oidc.client.clientId,
        accountId: oidc.session.accountId,
      });
      grant.addOIDCScope(String(oidc.params?.scope ?? 'openid'));
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', async (req, res) => {
    try {
      if (req.method === 'POST' && req.url === '/test/user') {
        let body = '';
        for await (const chunk of req) body += chunk;
        user = JSON.parse(body);
        res.writeHead(204).end();
        return;
      }
      if (req.method === 'GET' && req.url?.startsWith('/interaction/')) {
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId: user.sub } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      await handle(req, res);
    } catch (error) {
      res.writeHead(500).end(String(error));
    }
  });
  process.stdout.write(`READY ${issuer}\n`);
}

if (process.env.UPSTREAM_IDP === '1') await serve();
