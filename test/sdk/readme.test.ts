/**
 * packages/sdk/README.md's Fastify receiver, extracted from the README and run as its own
 * process against the real service: the dispatcher's signed deliveries reach it and are
 * verified, and a forged one is refused. The README cannot rot without this failing.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config.ts';
import type { WebhookDispatcher } from '../../src/events/dispatcher.ts';
import { startDispatcher } from '../../src/events/start.ts';
import { type ApiTestApp, startApiTestApp } from '../helpers/api.ts';
import { user } from '../helpers/app.ts';
import { dialects } from '../helpers/dialects.ts';
import { until } from '../helpers/receiver.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const MARKER = '<!-- sdk-readme-fastify';

/** The code block after the marker, importing the SDK's source instead of the package. */
function readmeSnippet(): string {
  const readme = readFileSync(`${root}packages/sdk/README.md`, 'utf8');
  const start = readme.indexOf(MARKER);
  assert.ok(start >= 0, 'the README lost its Fastify example marker');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(start));
  assert.ok(block?.[1], 'no code block after the marker');
  return block[1];
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

test('the README example is a complete integration in under 20 lines', () => {
  const lines = readmeSnippet().trimEnd().split('\n');
  assert.ok(lines.length < 20, `${lines.length} lines`);
  assert.match(readmeSnippet(), /from '@scimitar\/sdk'/);
});

for (const dialect of dialects) {
  describe(`the SDK README's Fastify receiver (${dialect})`, () => {
    let t: ApiTestApp;
    let dispatcher: WebhookDispatcher;
    let child: ChildProcess | undefined;
    const dir = `${root}.tmp/sdk-readme-${process.pid}-${dialect}`;
    let output = '';
    let errors = '';

    before(async () => {
      t = await startApiTestApp(dialect);
      dispatcher = await startDispatcher(
        t.directory,
        loadConfig({ WEBHOOK_POLL_MS: '20', WEBHOOK_RETRY_BASE_MS: '50' }).events,
      );
    });
    after(async () => {
      if (child?.pid !== undefined && child.exitCode === null) {
        const exited = new Promise((r) => child?.once('exit', r));
        child.kill();
        await exited;
      }
      await dispatcher?.stop();
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    test("receives and verifies the service's webhooks, refuses a forged one", async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}/webhooks/scimitar`;
      const created = await t.api('POST', '/webhooks', { url, orgId: t.orgId });
      assert.equal(created.statusCode, 201, created.body);
      const { secret } = created.json() as { secret: string };

      mkdirSync(dir, { recursive: true });
      const file = `${dir}/receiver.ts`;
      const sdk = `${root}packages/sdk/src/index.ts`;
      writeFileSync(file, readmeSnippet().replace("'@scimitar/sdk'", JSON.stringify(sdk)));
      // The snippet is TypeScript written here, not compiled: it runs through tsx, as an app's would.
      child = spawn(process.execPath, ['--import', 'tsx', file], {
        cwd: root,
        env: { ...process.env, PORT: String(port), SCIMITAR_WEBHOOK_SECRET: secret },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (c) => {
        output += c;
      });
      child.stderr?.on('data', (c) => {
        errors += c;
      });

      // Deliveries made before the receiver listens are retried until it does.
      const made = await t.request('POST', 'Users', user('readme@example.com'));
      assert.equal(made.statusCode, 201, made.body);
      const id = made.json().id as string;
      const off = await t.request('PATCH', `Users/${id}`, {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
        Operations: [{ op: 'replace', path: 'active', value: false }],
      });
      assert.equal(off.statusCode, 200, off.body);
      await until('both events in the receiver', () => /user\.deactivated/.test(output));

      // At least once: a repeat (a retry under load) is deduplicated by event id, as the README says.
      const lines = [
        ...new Map(
          output
            .trim()
            .split('\n')
            .map((l) => [l.split(' ')[0], l]),
        ).values(),
      ];
      const types = lines.map((l) => l.split(' ')[1]);
      assert.deepEqual(types, ['user.created', 'user.deactivated'], `${output}\n${errors}`);
      for (const line of lines) assert.match(line, new RegExp(`^evt_\\d+ user\\.\\w+ .*"id":"${id}"`));
      // The dispatcher records attempts in batches, after the receiver has answered.
      await until('both deliveries recorded as delivered', async () => {
        const delivered = await t.api('GET', `/webhooks/${created.json().id}/deliveries?status=delivered`);
        return delivered.json().data.length === 2;
      });
      const handled = output;

      const forged = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-id': 'evt_1',
          'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
          'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl',
        },
        body: JSON.stringify({ id: 'evt_1', type: 'user.deleted', data: { id } }),
      });
      assert.equal(forged.status, 401);
      assert.equal(output, handled, 'the forged event was not handled');
    });
  });
}
