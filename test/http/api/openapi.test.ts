/**
 * The OpenAPI document at /api/v1/openapi.json: valid OpenAPI 3.1 (checked by a third-party
 * validator), and complete: every route registered under /api/v1 is in it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { loadConfig } from '../../../src/config.ts';
import { Directory } from '../../../src/directory/directory.ts';
import { API_PREFIX, managementApi } from '../../../src/http/api/index.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../../helpers/dialects.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, { operationId?: string }>> };

/** The API plugin as buildApp registers it, with every route it registers recorded. */
async function apiWithRouteLog(directory: Directory) {
  const app = Fastify({ logger: false });
  app.decorate('directory', directory);
  app.decorate('config', loadConfig({ LOG_LEVEL: 'silent' }));
  const routes: { method: string; url: string }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await app.register(managementApi, { prefix: API_PREFIX });
  await app.ready();
  return { app, routes };
}

/** `/api/v1/orgs/:orgId` -> `/api/v1/orgs/{orgId}` */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

// The document does not depend on the database; one dialect serves.
for (const dialect of dialects.slice(0, 1)) {
  describe(`OpenAPI document (${dialect})`, () => {
    let t: TestDatabase;
    let directory: Directory;
    let doc: Doc;
    let routes: { method: string; url: string }[];
    let close: () => Promise<void>;

    before(async () => {
      t = await openTestDatabase(dialect);
      directory = new Directory({
        database: t.database,
        now: () => new Date(),
        newId: () => crypto.randomUUID(),
      });
      const built = await apiWithRouteLog(directory);
      routes = built.routes;
      close = () => built.app.close();
      const response = await built.app.inject({ method: 'GET', url: `${API_PREFIX}/openapi.json` });
      assert.equal(response.statusCode, 200, 'served without an API key');
      assert.match(String(response.headers['content-type']), /^application\/json/);
      doc = response.json();
    });
    after(async () => {
      await close?.();
      await t?.cleanup();
    });

    test('is valid OpenAPI 3.1', async () => {
      assert.equal(doc.openapi, '3.1.0');
      const result = await new Validator().validate(doc as unknown as Parameters<Validator['validate']>[0]);
      assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    });

    test('documents every route registered under /api/v1, each with an operationId', () => {
      const missing: string[] = [];
      const operationIds = new Set<string>();
      const own = routes.filter((r) => r.method !== 'HEAD' && r.url !== `${API_PREFIX}/openapi.json`);
      assert.ok(own.length >= 4, `expected the API's routes, found ${JSON.stringify(own)}`);
      for (const { method, url } of own) {
        const operation = doc.paths[openApiPath(url)]?.[method.toLowerCase()];
        if (!operation) {
          missing.push(`${method} ${url}`);
          continue;
        }
        assert.ok(
          operation.operationId,
          `${method} ${url} has no operationId (the SDK names its methods by it)`,
        );
        assert.ok(
          !operationIds.has(operation.operationId),
          `operationId ${operation.operationId} is used twice`,
        );
        operationIds.add(operation.operationId);
      }
      assert.deepEqual(missing, [], 'routes missing from the OpenAPI document (give them a schema)');
    });

    test('documents the problem responses, the API key scheme and the console session', () => {
      for (const [path, operations] of Object.entries(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          const responses = (operation as { responses?: Record<string, { content?: object }> }).responses;
          assert.ok(responses?.default?.content, `${method} ${path}: no problem response`);
          assert.ok('application/problem+json' in responses.default.content);
        }
      }
      assert.deepEqual((doc as unknown as { security: unknown }).security, [{ apiKey: [] }, { session: [] }]);
    });
  });
}
