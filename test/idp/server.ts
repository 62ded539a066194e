/** The real app on a loopback port over a test database of one dialect (for test/idp). */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Dialect } from '../../src/store/db.ts';
import { openTestDatabase } from '../helpers/dialects.ts';

export interface LiveServer {
  app: FastifyInstance;
  directory: Directory;
  /** http://127.0.0.1:<port> */
  origin: string;
  /** A new org with this IdP profile: its SCIM base URL and token. */
  org(name: string, idpProfile: string): Promise<{ base: string; token: string }>;
  close(): Promise<void>;
}

export async function startLiveServer(dialect: Dialect): Promise<LiveServer> {
  const { database, url, cleanup } = await openTestDatabase(dialect);
  // The suites on this server delete many users of one small org in a burst (lifecycles,
  // races): the mass-deprovisioning valve would hold them. It has its own suite
  // (test/http/safety-valves.test.ts).
  const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent', VALVE_DEPROVISIONING: 'false' });
  const directory = new Directory({
    database,
    now: () => new Date(),
    newId: () => crypto.randomUUID(),
    valves: config.valves,
  });
  const app = await buildApp(config, { directory, logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    app,
    directory,
    origin,
    async org(name, idpProfile) {
      const { org, token } = await directory.orgs.create(name, { idpProfile });
      return { base: `${origin}/scim/v2/${org.id}`, token: token.token };
    },
    async close() {
      await app.close();
      await cleanup();
    },
  };
}
