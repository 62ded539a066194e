/**
 * `npm run bench:events` (also the last step of `npm run bench`): webhook delivery measured
 * against the issue's targets, written as the "Events" section of docs/benchmarks.md (only
 * that section). Seeds BENCH_EVENTS_GROUP users (default 100000) into a fresh database (SQLite,
 * or a schema of DATABASE_URL's PostgreSQL), starts the server as `npm start` does, and:
 *
 * - write throughput: PATCH load from the load driver with no endpoint and with one, in
 *   alternating rounds (BENCH_EVENTS_ROUNDS pairs, default 2), on the same server;
 * - latency: BENCH_EVENTS_WRITES (default 300) user creations one at a time, each timed from
 *   its POST to its event's arrival at the receiver;
 * - a PUT replacing an empty group's members with every seeded user, timed until the last of
 *   its events arrived.
 *
 * Benchmarks are not tests: nothing here fails on a slow figure.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { isAbsolute, join } from 'node:path';
import { Directory } from '../src/directory/directory.ts';
import { latestPosition } from '../src/store/events.ts';
import { type Received, Receiver, until } from '../test/helpers/receiver.ts';
import { loadBenchConfig } from './config.ts';
import { prepareDatabase } from './database.ts';
import { Driver } from './driver-client.ts';
import {
  EVENTS_HEADING,
  type EventsResults,
  meanRequestsPerSecond,
  renderEvents,
  type ThroughputRound,
} from './events-report.ts';
import { CORE_GROUP_SCHEMA, userBody } from './fixtures.ts';
import { root, SERVER_NODE_FLAGS, startNodeProcess } from './processes.ts';
import type { LoadResult, Target } from './protocol.ts';
import { writeSections } from './sections.ts';
import { BENCH_ORG, seedDirectory } from './seed.ts';

function log(message: string) {
  process.stderr.write(`[bench:events] ${message}\n`);
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got '${raw}'`);
  return n;
}

const SECRET_KEY = randomBytes(24).toString('base64url');
const SERVER_SETTINGS: Record<string, string> = {
  BOOTSTRAP: 'false',
  LOG_LEVEL: 'warn',
  RATE_LIMIT_PER_TOKEN: '0',
  RATE_LIMIT_PER_ORG: '0',
  // The replace's body: 100,000 members are about 5 MB of JSON.
  MAX_BODY_BYTES: String(64 * 1024 * 1024),
};

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/** Resolves with the first arrival (from now on) that `match` accepts. */
function arrivalOf(receiver: Receiver, match: (a: Received) => boolean, ms = 120_000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for an event')), ms);
    const previous = receiver.onArrival;
    receiver.onArrival = (a) => {
      previous?.(a);
      if (!match(a)) return;
      clearTimeout(timer);
      receiver.onArrival = previous;
      resolve(a);
    };
  });
}

/** True when the endpoint planned every event written so far and has nothing pending. */
async function drained(directory: Directory, endpointId: string): Promise<boolean> {
  const db = directory.database.db;
  const pending = await db
    .selectFrom('webhook_deliveries')
    .select('id')
    .where('endpoint_id', '=', endpointId)
    .where('status', '=', 'pending')
    .limit(1)
    .executeTakeFirst();
  if (pending) return false;
  const latest = await latestPosition(db);
  const row = await db
    .selectFrom('webhook_endpoints')
    .select(['cursor_tx', 'cursor_seq'])
    .where('id', '=', endpointId)
    .executeTakeFirstOrThrow();
  return Number(row.cursor_tx) === latest.tx && Number(row.cursor_seq) === latest.seq;
}

function scim(target: Target) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${target.origin}${target.basePath}${path}`, {
      method,
      headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/scim+json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : {}) as { id?: string };
  };
}

async function main() {
  const config = loadBenchConfig();
  const groupSize = positive('BENCH_EVENTS_GROUP', 100_000);
  const writes = positive('BENCH_EVENTS_WRITES', 300);
  const rounds = positive('BENCH_EVENTS_ROUNDS', 2);
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  const date = new Date();
  const runId = randomBytes(4).toString('hex');
  const workDir = join(root, '.tmp', `bench-events-${runId}`);
  mkdirSync(workDir, { recursive: true });
  const database = await prepareDatabase(config, workDir);
  const receiver = new Receiver();
  let directory: Directory | undefined;
  let driver: Driver | undefined;
  let server: Awaited<ReturnType<typeof startNodeProcess>> | undefined;
  try {
    log(`seeding ${groupSize} users into ${database.description}`);
    const seeded = await seedDirectory(database.url, groupSize);
    const idsFile = join(workDir, 'user-ids.json');
    writeFileSync(idsFile, JSON.stringify(seeded.userIds));
    await receiver.start();
    server = await startNodeProcess(
      'src/main.ts',
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        WEBHOOK_SECRET_KEY: SECRET_KEY,
        WEBHOOK_ALLOW_PRIVATE: 'true',
        ...SERVER_SETTINGS,
      },
      /listening on (http:\/\/\S+)/,
      undefined,
      SERVER_NODE_FLAGS,
    );
    directory = await Directory.open(database.url, {
      secretKey: SECRET_KEY,
      webhookAllowPrivate: true,
    });
    const dir = directory;
    driver = Driver.start(idsFile);
    const target: Target = { origin: server.ready, basePath: `/scim/v2/${BENCH_ORG}`, token: seeded.token };
    const send = scim(target);
    const newEndpoint = async () => {
      const { endpoint, secret } = await dir.webhooks.create({ url: receiver.url });
      receiver.secret = secret;
      return endpoint.id;
    };

    // Write throughput, none and one endpoint in alternating rounds.
    const throughput: ThroughputRound[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const mode of ['none', 'one'] as const) {
        const endpointId = mode === 'one' ? await newEndpoint() : undefined;
        const r = await driver.run<LoadResult>({
          type: 'load',
          target,
          scenario: { kind: 'patch-replace' },
          connections: config.connections,
          duration: config.duration,
          warmup: config.warmup,
        });
        const row: ThroughputRound = { mode, requestsPerSecond: r.requestsPerSecond, p50: r.p50, p99: r.p99 };
        if (endpointId) {
          const started = performance.now();
          await until('the round’s events to be delivered', () => drained(dir, endpointId), 600_000);
          row.drainSeconds = (performance.now() - started) / 1000;
          await dir.webhooks.delete(endpointId);
        }
        log(`PATCH, ${mode} endpoint: ${Math.round(r.requestsPerSecond)} req/s, p50 ${r.p50?.toFixed(1)} ms`);
        throughput.push(row);
      }
    }

    // Latency, one write at a time.
    const latencyEndpoint = await newEndpoint();
    const took: number[] = [];
    for (let i = 0; i < writes; i++) {
      const userName = `latency-${runId}-${i}@bench.example.com`;
      const arrived = arrivalOf(
        receiver,
        (a) => a.type === 'user.created' && (a.event.data as { userName?: string }).userName === userName,
      );
      const t0 = performance.now();
      await send('POST', '/Users', userBody(userName, i));
      took.push((await arrived).at - t0);
      await new Promise((r) => setTimeout(r, Math.random() * 20));
    }
    took.sort((a, b) => a - b);
    const latency = {
      writes,
      p50: percentile(took, 50),
      p99: percentile(took, 99),
      max: took[took.length - 1] ?? Number.NaN,
    };
    log(`latency: p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`);
    await until('the latency events to be delivered', () => drained(dir, latencyEndpoint), 60_000);

    // The group replace.
    const groupId = (await send('POST', '/Groups', { schemas: [CORE_GROUP_SCHEMA], displayName: 'replaced' }))
      .id as string;
    const ofGroup = new Set<string>();
    let lastAt = 0;
    receiver.onArrival = (a) => {
      const data = a.event.data as { group?: { id?: string } };
      if (a.type === 'group.member_added' && data.group?.id === groupId && !ofGroup.has(a.id)) {
        ofGroup.add(a.id);
        lastAt = a.at;
      }
    };
    log(`PUT /Groups/{id} with ${groupSize} members`);
    const putStart = performance.now();
    await send('PUT', `/Groups/${groupId}`, {
      schemas: [CORE_GROUP_SCHEMA],
      displayName: 'replaced',
      members: seeded.userIds.map((value) => ({ value })),
    });
    const putEnd = performance.now();
    await until(`${groupSize} member events`, () => ofGroup.size >= groupSize, 3600_000);
    receiver.onArrival = undefined;
    const deliverSeconds = (lastAt - putEnd) / 1000;
    const group = {
      size: groupSize,
      events: ofGroup.size,
      putSeconds: (putEnd - putStart) / 1000,
      deliverSeconds,
      perSecond: ofGroup.size / deliverSeconds,
      perSecondFromStart: ofGroup.size / ((lastAt - putStart) / 1000),
    };
    log(`group replace: ${Math.round(group.perSecond)} events/s after the commit`);

    const results: EventsResults = {
      date: `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      database: database.description,
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}`,
      loadBefore,
      loadAfter: os.loadavg()[0] ?? Number.NaN,
      settings: `${groupSize} users seeded; ${Object.entries(SERVER_SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
      latency,
      group,
      throughput: {
        connections: config.connections,
        duration: config.duration,
        rounds: throughput,
        ratio: meanRequestsPerSecond(throughput, 'one') / meanRequestsPerSecond(throughput, 'none'),
      },
    };
    const out = isAbsolute(config.out) ? config.out : join(root, config.out);
    writeSections(out, renderEvents(results));
    log(`wrote the "${EVENTS_HEADING.slice(3)}" section of ${out}`);
  } finally {
    driver?.stop();
    await server?.stop();
    await directory?.close();
    await receiver.stop();
    if (!config.keep) {
      await database.cleanup();
      rmSync(workDir, { recursive: true, force: true });
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
