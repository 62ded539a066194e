/**
 * The process that listens: `npm start`. Reads configuration once, opens the database (running
 * migrations), creates a first organization and API key when there is none, and serves.
 */
import { ConfigError, displayOrigin, loadConfig, productionWarnings } from './config.ts';
import { startDispatcher } from './events/start.ts';
import { buildApp } from './http/app.ts';
import { explainStartupError } from './startup-errors.ts';
import { startTracing } from './tracing.ts';

/** The first operator's sign-in name, until they add others (docs/console.md). */
const FIRST_OPERATOR = 'admin@localhost';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }

  // Before the app is built: its server, directory and database wrap themselves only then.
  const stopTracing = config.tracing ? await startTracing(config.tracing) : undefined;

  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    app = await buildApp(config);
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const line = explainStartupError(error, config);
    if (!line) throw error;
    console.error(`Error: ${line}`);
    await app?.close().catch(() => {});
    process.exit(2);
  }
  for (const warning of productionWarnings(config)) app.log.warn(warning);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const origin = displayOrigin({ ...config, port });

  /** The audit author of what the first start creates. */
  const BOOTSTRAP = { kind: 'system', tokenId: 'bootstrap', requestId: null } as const;
  // Quickstart: the first start on an empty database creates an organization and prints its
  // SCIM connection once. Production turns this off with BOOTSTRAP=false and uses the CLI.
  if (config.bootstrap && (await app.directory.orgs.count()) === 0) {
    const { org, token } = await app.directory.orgs.create('Default', {
      id: 'default',
      by: BOOTSTRAP,
    });
    const apiKey = await app.directory.apiKeys.create('initial', BOOTSTRAP);
    process.stdout.write(
      [
        '',
        `Created organization '${org.id}'. Its SCIM connection (the token is shown only this once):`,
        `  SCIM base URL: ${origin}/scim/v2/${org.id}`,
        `  Bearer token:  ${token.token}`,
        '',
        'And a management API key for your app (shown only this once; docs/api.md):',
        `  API base URL:  ${origin}/api/v1`,
        `  API key:       ${apiKey.key}`,
        '',
        '',
      ].join('\n'),
    );
  }
  // The console's first operator: a one-time link that sets the password (docs/console.md).
  if (config.bootstrap && (await app.directory.operators.count()) === 0) {
    const { link } = await app.directory.operators.create(FIRST_OPERATOR, BOOTSTRAP);
    process.stdout.write(
      [
        'And the operator console: this link sets the first operator’s password (it works once, for 24 hours):',
        `  ${origin}/console/set-password/${link.token}`,
        `  (sign in as ${FIRST_OPERATOR}; more operators: npx scimitar operators create <email>)`,
        '',
        '',
      ].join('\n'),
    );
  }
  const dispatcher = config.events.deliver
    ? await startDispatcher(app.directory, config.events, app.log, app.countWebhookAttempt)
    : undefined;
  process.stdout.write(
    `SCIM server listening on ${origin} (database ${config.databaseUrl.replace(/\/\/[^@]*@/, '//***@')})\n`,
  );

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await dispatcher?.stop();
    await app.close();
    await stopTracing?.().catch((error: unknown) => app.log.warn({ err: error }, 'traces not flushed'));
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
