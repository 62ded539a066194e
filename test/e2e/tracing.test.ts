/**
 * OpenTelemetry traces from the real server process, sent by the real OTLP/HTTP exporter (JSON
 * encoding) to a receiver on loopback that decodes them: a SCIM request's trace holds the
 * request's span, the directory operation's under it and the store's queries under that, with
 * route, org, status and IdP; no span attribute holds a token, a password or a filter's value.
 * Without tracing configured, no exporter is loaded or sends anything. Spans are read once the
 * server has stopped (SIGTERM flushes them), so nothing waits on a clock.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { dialects } from '../helpers/dialects.ts';
import { type ServerProcess, stop, useServerProcesses } from '../helpers/server-process.ts';

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: OtlpValue }[];
}
interface Span {
  traceId: string;
  spanId: string;
  parent: string | undefined;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

/** An OTLP/HTTP receiver: keeps every span of every JSON export request, and their content types. */
class Receiver {
  readonly spans: Span[] = [];
  readonly contentTypes: string[] = [];
  readonly resources: Record<string, string | number | boolean>[] = [];
  readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      this.contentTypes.push(String(request.headers['content-type']));
      if (request.url === '/v1/traces' && request.headers['content-type'] === 'application/json') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: {
            resource: { attributes: OtlpSpan['attributes'] };
            scopeSpans: { spans: OtlpSpan[] }[];
          }[];
        };
        for (const rs of body.resourceSpans) {
          this.resources.push(attributesOf(rs.resource.attributes));
          for (const ss of rs.scopeSpans) {
            for (const s of ss.spans) {
              this.spans.push({
                traceId: s.traceId,
                spanId: s.spanId,
                parent: s.parentSpanId || undefined,
                name: s.name,
                kind: s.kind,
                attributes: attributesOf(s.attributes),
              });
            }
          }
        }
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

function attributesOf(list: OtlpSpan['attributes']): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list) {
    out[key] =
      value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.boolValue!);
  }
  return out;
}

// Reports at exit whether the OpenTelemetry SDK or an exporter was ever loaded in the process.
const probe = join(tmpdir(), `otel-probe-${process.pid}.cjs`);
writeFileSync(
  probe,
  `process.on('exit', () => {
  const loaded = Object.keys(require.cache).filter((k) => /@opentelemetry[\\\\/](sdk-trace|exporter-)/.test(k));
  process.stderr.write('otel-sdk-modules: ' + loaded.length + '\\n');
});
`,
);

/** Stops the server and waits until its output is read to the end (the probe's line is last). */
async function stopAndDrain(server: ServerProcess): Promise<void> {
  const closed = new Promise((resolve) => server.child.once('close', resolve));
  await stop(server.child);
  await closed;
}

after(() => rmSync(probe, { force: true }));

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const PASSWORD = 'Tr4cing-Pa55word-never-exported';
const FILTER_VALUE = 'filter-value-never-exported';

for (const dialect of dialects) {
  describe(`OpenTelemetry traces from the server process: ${dialect}`, () => {
    const processes = useServerProcesses(dialect);
    const receiver = new Receiver();
    let receiverUrl: string;
    before(async () => {
      receiverUrl = await receiver.listen();
    });
    after(async () => {
      await new Promise<void>((resolve) => receiver.server.close(() => resolve()));
    });

    test('a SCIM request is traced from the request down to the store, without secrets', async () => {
      const server = await processes.start({
        DATABASE_URL: await processes.databaseUrl(),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'scimitar-under-test',
        NODE_OPTIONS: `--require ${probe}`,
      });
      const token = /Bearer token:\s+(\S+)/.exec(server.output())?.[1];
      assert.ok(token, server.output());
      const base = `${server.origin}/scim/v2/default`;
      const headers = {
        authorization: `Bearer ${token}`,
        'content-type': 'application/scim+json',
        'user-agent': 'Okta SCIM Client 1.0.0',
      };
      const created = await fetch(`${base}/Users`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
          userName: 'traced@example.com',
          password: PASSWORD,
        }),
      });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      const listed = await fetch(
        `${base}/Users?filter=${encodeURIComponent(`title eq "${FILTER_VALUE}"`)}&access_token=${token}`,
        { headers },
      );
      assert.equal(listed.status, 200);
      // A caller's traceparent (W3C Trace Context) puts the request into the caller's trace.
      const refused = await fetch(`${base}/Users/${id}`, {
        headers: { authorization: 'Bearer wrong-token', traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` },
      });
      assert.equal(refused.status, 401);
      await stopAndDrain(server);
      assert.match(server.output(), /otel-sdk-modules: [1-9]/);

      assert.ok(receiver.contentTypes.every((t) => t === 'application/json'));
      assert.ok(receiver.resources.some((r) => r['service.name'] === 'scimitar-under-test'));
      const spans = receiver.spans;
      const post = spans.find((s) => s.name === 'POST /scim/v2/:org/Users');
      assert.ok(post, `spans: ${spans.map((s) => s.name).join(', ')}`);
      assert.equal(post.kind, 2, 'SERVER');
      assert.equal(post.parent, undefined);
      assert.equal(post.attributes['http.route'], '/scim/v2/:org/Users');
      assert.equal(post.attributes['http.request.method'], 'POST');
      assert.equal(post.attributes['http.response.status_code'], 201);
      assert.equal(post.attributes['scimitar.org'], 'default');
      assert.equal(post.attributes['scimitar.idp'], 'okta');
      assert.equal(post.attributes['scimitar.authenticated'], true);

      // request → directory → store, in the same trace.
      const trace = spans.filter((s) => s.traceId === post.traceId);
      const create = trace.find((s) => s.name === 'directory resources.create');
      assert.ok(create, `trace: ${trace.map((s) => s.name).join(', ')}`);
      const ancestors = (span: Span): string[] => {
        const parent = trace.find((s) => s.spanId === span.parent);
        return parent ? [parent.spanId, ...ancestors(parent)] : [];
      };
      assert.ok(ancestors(create).includes(post.spanId), 'the directory operation runs under the request');
      const system = dialect === 'sqlite' ? 'sqlite' : 'postgresql';
      const insert = trace.find(
        (s) =>
          s.attributes['db.system.name'] === system &&
          s.attributes['db.operation.name'] === 'insert' &&
          s.attributes['db.collection.name'] === 'resources',
      );
      assert.ok(insert, `trace: ${trace.map((s) => s.name).join(', ')}`);
      assert.equal(insert.kind, 3, 'CLIENT');
      assert.ok(ancestors(insert).includes(create.spanId), 'the insert runs under the directory operation');
      assert.match(String(insert.attributes['db.query.text']), /insert into "?resources"?/i);

      // The filtered list reads through the store too; its URL's values are not in any span.
      const list = spans.find(
        (s) => s.name === 'GET /scim/v2/:org/Users' && s.attributes['http.response.status_code'] === 200,
      );
      assert.ok(list, `spans: ${spans.map((s) => s.name).join(', ')}`);
      assert.equal(list.attributes['url.path'], '/scim/v2/default/Users');
      const listTrace = spans.filter((s) => s.traceId === list.traceId);
      const listNames = `trace: ${listTrace.map((s) => s.name).join(', ')}`;
      // An `eq` list reads the token in the same statement as the page (listWithToken).
      assert.ok(
        listTrace.some(
          (s) => s.name === 'directory resources.list' || s.name === 'directory resources.listWithToken',
        ),
        listNames,
      );
      assert.ok(
        listTrace.some((s) => s.attributes['db.system.name'] === system && s.name.startsWith('select')),
        listNames,
      );

      const unauthenticated = spans.find((s) => s.attributes['http.response.status_code'] === 401);
      assert.ok(unauthenticated);
      assert.equal(unauthenticated.attributes['scimitar.authenticated'], false);
      assert.equal(unauthenticated.traceId, CALLER_TRACE);
      assert.equal(unauthenticated.parent, CALLER_SPAN);

      const everything = JSON.stringify(spans);
      for (const secret of [token, PASSWORD, FILTER_VALUE, 'wrong-token']) {
        assert.ok(!everything.includes(secret), `a span holds ${secret}`);
      }
    });

    test('OTEL_TRACES_EXPORTER=none and OTEL_SDK_DISABLED turn an endpoint off', async () => {
      const offs: Record<string, string>[] = [
        { OTEL_TRACES_EXPORTER: 'none' },
        { OTEL_SDK_DISABLED: 'true' },
      ];
      for (const off of offs) {
        const before = receiver.contentTypes.length;
        const server = await processes.start({
          DATABASE_URL: await processes.databaseUrl(),
          OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
          NODE_OPTIONS: `--require ${probe}`,
          ...off,
        });
        assert.equal((await fetch(`${server.origin}/healthz`)).status, 200);
        assert.equal((await fetch(`${server.origin}/scim/v2/default/Users`)).status, 401);
        await stopAndDrain(server);
        assert.match(server.output(), /otel-sdk-modules: 0\n/, JSON.stringify(off));
        assert.equal(receiver.contentTypes.length, before, JSON.stringify(off));
      }
    });

    test('without any OTEL_ setting no SDK or exporter is loaded', async () => {
      const env: Record<string, string> = {};
      for (const name of Object.keys(process.env)) if (name.startsWith('OTEL_')) env[name] = '';
      const server = await processes.start({
        ...env,
        DATABASE_URL: await processes.databaseUrl(),
        NODE_OPTIONS: `--require ${probe}`,
      });
      assert.equal((await fetch(`${server.origin}/scim/v2/default/Users`)).status, 401);
      await stopAndDrain(server);
      assert.match(server.output(), /otel-sdk-modules: 0\n/);
    });

    if (dialect === 'sqlite') {
      test('http/protobuf (the standard default protocol) sends protobuf', async () => {
        const before = receiver.contentTypes.length;
        const server = await processes.start({
          DATABASE_URL: await processes.databaseUrl(),
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiverUrl}/v1/traces`,
        });
        assert.equal((await fetch(`${server.origin}/scim/v2/default/Users`)).status, 401);
        await stopAndDrain(server);
        assert.deepEqual([...new Set(receiver.contentTypes.slice(before))], ['application/x-protobuf']);
      });
    }
  });
}

describe('tracing settings (loadConfig)', () => {
  const tracing = (env: Record<string, string>) => loadConfig(env).tracing;
  test('off unless an exporter or an endpoint is named', () => {
    assert.equal(tracing({}), undefined);
    assert.equal(tracing({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_HEADERS: 'a=b' }), undefined);
    assert.equal(
      tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }),
      undefined,
    );
    assert.equal(
      tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }),
      undefined,
    );
  });
  test('on with an endpoint, protobuf by default, or as named', () => {
    assert.deepEqual(tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }), {
      exporter: 'otlp',
      protocol: 'http/protobuf',
      serviceName: 'scimitar',
    });
    assert.deepEqual(
      tracing({
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://c/v1/traces',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'scim-eu',
      }),
      { exporter: 'otlp', protocol: 'http/json', serviceName: 'scim-eu' },
    );
    assert.equal(tracing({ OTEL_TRACES_EXPORTER: 'console' })?.exporter, 'console');
  });
  test('values it cannot honour stop the start with a clear message', () => {
    assert.throws(
      () => tracing({ OTEL_TRACES_EXPORTER: 'zipkin' }),
      /OTEL_TRACES_EXPORTER must be otlp, console or none/,
    );
    assert.throws(
      () => tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }),
      /grpc is not supported/,
    );
    assert.throws(
      () => tracing({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }),
      (error: Error) =>
        error.name === 'ConfigError' &&
        /must be an http/.test(error.message) &&
        !error.message.includes('collector'),
    );
  });
});
