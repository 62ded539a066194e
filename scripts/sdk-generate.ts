/**
 * `npm run sdk:generate`: builds the management API's OpenAPI document in-process (the API
 * plugin on a Fastify instance that never listens or touches a database) and writes the SDK's
 * generated types, packages/sdk/src/openapi.ts, with openapi-typescript.
 * test/sdk/generated.test.ts regenerates in memory and fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import openapiTS, { astToString } from 'openapi-typescript';
import { loadConfig } from '../src/config.ts';
import type { Directory } from '../src/directory/directory.ts';
import { API_PREFIX, managementApi } from '../src/http/api/index.ts';

export const GENERATED_TYPES = fileURLToPath(new URL('../packages/sdk/src/openapi.ts', import.meta.url));

/** The document /api/v1/openapi.json serves; route registration reads no data. */
export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = Fastify({ logger: false });
  // The routes keep a reference to the directory and use it only when a request comes.
  app.decorate('directory', {} as Directory);
  app.decorate('config', loadConfig({ LOG_LEVEL: 'silent' }));
  await app.register(managementApi, { prefix: API_PREFIX });
  await app.ready();
  try {
    const response = await app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
    if (response.statusCode !== 200) throw new Error(`openapi.json answered ${response.statusCode}`);
    return response.json();
  } finally {
    await app.close();
  }
}

const HEADER = `/**
 * GENERATED from the service's OpenAPI document by \`npm run sdk:generate\` (scripts/sdk-generate.ts)
 * with openapi-typescript. Do not edit: change the routes' schemas in src/http/api/ and
 * regenerate; test/sdk/generated.test.ts fails while this file is stale.
 */
`;

/** The text of packages/sdk/src/openapi.ts for the current routes. */
export async function generateTypes(): Promise<string> {
  const doc = await buildOpenApiDocument();
  const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0], { alphabetize: true });
  return `${HEADER}${astToString(ast)}\n${routeTable(doc)}`;
}

/** Each operation's method and path, for the client to call it by its operationId. */
function routeTable(doc: Record<string, unknown>): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const [method, operation] of Object.entries(item)) {
      const id = (operation as { operationId?: string }).operationId;
      if (!id) throw new Error(`${method.toUpperCase()} ${path} has no operationId`);
      rows.push(
        `    ${id}: { method: ${JSON.stringify(method.toUpperCase())}, path: ${JSON.stringify(path)} },`,
      );
    }
  }
  rows.sort();
  return `/** Each operation's HTTP method and path, by operationId. */\nexport const operationRoutes = {\n${rows.join('\n')}\n} as const;\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED_TYPES, await generateTypes());
  console.log(`wrote ${GENERATED_TYPES}`);
}
