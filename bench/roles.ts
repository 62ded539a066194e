/**
 * `npm run bench:roles` (also run by `npm run bench`): the costs of roles from IdP groups
 * (docs/roles.md), on a fresh database (SQLite, or PostgreSQL when DATABASE_URL is set, tables
 * never analysed), against the real server process:
 * - a SCIM member add (and its remove) that changes the user's role, against one that does not,
 *   one request at a time, in the same run;
 * - the access check (GET /api/v1/orgs/{org}/users/{id}/access) in req/s against SCIM
 *   GET /Users/{id}, the same concurrency and duration;
 * - a rule added and removed on a group of every seeded user (BENCH_ROLES_USERS, default
 *   100,000): the time of each API call and the server's peak RSS.
 * Writes its own section of docs/benchmarks.md, one per database ("## Roles (SQLite)").
 * Benchmarks are not tests: nothing here fails on a slow figure.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { isAbsolute, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Directory } from '../src/directory/directory.ts';
import { GROUP } from '../src/scim/schema/definitions.ts';
import { loadBenchConfig } from './config.ts';
import { prepareDatabase } from './database.ts';
import { CORE_GROUP_SCHEMA, PATCH_OP } from './fixtures.ts';
import {
  peakRssBytes,
  processTicks,
  root,
  rssBytes,
  SERVER_NODE_FLAGS,
  startNodeProcess,
  TICKS_PER_SECOND,
} from './processes.ts';
import { writeSections } from './sections.ts';
import { BENCH_ORG, seedDirectory } from './seed.ts';

function log(message: string) {
  process.stderr.write(`[bench:roles] ${message}\n`);
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return n;
}

/** The section's heading for a database. */
export function rolesHeading(dialect: 'sqlite' | 'postgres'): string {
  return `## Roles (${dialect === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

async function main() {
  const config = loadBenchConfig();
  const users = positive('BENCH_ROLES_USERS', 100_000);
  const requests = positive('BENCH_ROLES_REQUESTS', 200);
  const seconds = positive('BENCH_ROLES_DURATION', 5);
  const connections = config.connections;
  const load = os.loadavg().map((l) => l.toFixed(2));
  const runId = randomBytes(4).toString('hex');
  const workDir = join(root, '.tmp', `bench-roles-${runId}`);
  mkdirSync(workDir, { recursive: true });
  const database = await prepareDatabase(config, workDir);
  let server: Awaited<ReturnType<typeof startNodeProcess>> | undefined;
  try {
    log(`seeding ${users} users into ${database.description}`);
    const seeded = await seedDirectory(database.url, users);
    // Set-up through the directory, before the server starts: the API key, the group of every
    // user (PATCHes of 5,000 members, as an IdP pushes it), a small group a rule names, and
    // another that no rule names.
    const directory = await Directory.open(database.url);
    let apiKey: string;
    let everyone: string;
    let ruled: string;
    let plain: string;
    try {
      apiKey = (await directory.apiKeys.create('bench roles')).key;
      const actor = { orgId: BENCH_ORG, tokenId: null, requestId: null };
      const group = (displayName: string) =>
        directory.resources.create(actor, GROUP, { schemas: [CORE_GROUP_SCHEMA], displayName });
      everyone = (await group('Everyone')).id;
      ruled = (await group('Role group')).id;
      plain = (await group('Plain group')).id;
      for (let i = 0; i < users; i += 5000) {
        await directory.resources.patch(actor, GROUP, everyone, {
          schemas: [PATCH_OP],
          Operations: [
            {
              op: 'add',
              path: 'members',
              value: seeded.userIds.slice(i, i + 5000).map((value) => ({ value })),
            },
          ],
        });
      }
      await directory.roles.addRule(BENCH_ORG, { match: 'id', value: ruled, role: 'admin' });
    } finally {
      await directory.close();
    }
    log(`group of ${users} built; starting the server`);
    server = await startNodeProcess(
      'src/main.ts',
      {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: database.url,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_TOKEN: '0',
        RATE_LIMIT_PER_ORG: '0',
        // The tables stay never analysed, as this bench measures them.
        PG_ANALYZE_INTERVAL_SECONDS: 'off',
      },
      /listening on (http:\/\/\S+)/,
      undefined,
      SERVER_NODE_FLAGS,
    );
    const origin = server.ready;
    const pid = server.pid;
    const scimBase = `${origin}/scim/v2/${BENCH_ORG}`;
    const apiBase = `${origin}/api/v1/orgs/${BENCH_ORG}`;
    const send = async (url: string, bearer: string, method = 'GET', body?: unknown) => {
      const response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (!response.ok)
        throw new Error(`${method} ${url} answered ${response.status}: ${text.slice(0, 300)}`);
      return text ? (JSON.parse(text) as Record<string, unknown>) : {};
    };
    const ticks = () => processTicks(pid);

    /**
     * A member added to the group and removed again, `requests` times, one request at a time:
     * the median of the adds and of the removes, and the server's CPU per request over both.
     */
    const memberAdds = async (groupId: string): Promise<{ add: number; remove: number; cpuMs?: number }> => {
      const took: { add: number[]; remove: number[] } = { add: [], remove: [] };
      const before = ticks();
      for (let i = 0; i < requests; i++) {
        const user = seeded.userIds[i % seeded.userIds.length];
        for (const [kind, op] of [
          ['add', { op: 'add', path: 'members', value: [{ value: user }] }],
          ['remove', { op: 'remove', path: `members[value eq "${user}"]` }],
        ] as const) {
          const started = performance.now();
          await send(`${scimBase}/Groups/${groupId}`, seeded.token, 'PATCH', {
            schemas: [PATCH_OP],
            Operations: [op],
          });
          took[kind].push(performance.now() - started);
        }
      }
      const after = ticks();
      return {
        add: median(took.add),
        remove: median(took.remove),
        ...(before === undefined || after === undefined
          ? {}
          : { cpuMs: ((after - before) * 1000) / TICKS_PER_SECOND / (2 * requests) }),
      };
    };
    // Warm both paths, then measure them one after the other, in the same run.
    await memberAdds(plain);
    await memberAdds(ruled);
    const noRole = await memberAdds(plain);
    const role = await memberAdds(ruled);
    log(`member add: ${role.add.toFixed(2)} ms moving a role, ${noRole.add.toFixed(2)} ms not`);

    /** Requests per second of `url` from `connections` concurrent clients for `seconds`. */
    const rate = async (url: (i: number) => string, bearer: string) => {
      let done = 0;
      const until = performance.now() + seconds * 1000;
      await Promise.all(
        Array.from({ length: connections }, async (_, c) => {
          for (let i = c; performance.now() < until; i += connections) {
            await send(url(i), bearer);
            done++;
          }
        }),
      );
      return done / seconds;
    };
    const userUrl = (i: number) => `${scimBase}/Users/${seeded.userIds[i % seeded.userIds.length]}`;
    const accessUrl = (i: number) => `${apiBase}/users/${seeded.userIds[i % seeded.userIds.length]}/access`;
    await rate(userUrl, seeded.token);
    const getRate = await rate(userUrl, seeded.token);
    const accessRate = await rate(accessUrl, apiKey);
    log(`GET /Users/{id} ${getRate.toFixed(0)} req/s; access check ${accessRate.toFixed(0)} req/s`);

    // The rule change on the group of everyone: added, then removed.
    const rssBefore = rssBytes(pid).total;
    let started = performance.now();
    const created = await send(`${apiBase}/roles/rules`, apiKey, 'POST', {
      match: 'displayName',
      value: 'Everyone',
      role: 'member',
    });
    const addSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const removed = await send(`${apiBase}/roles/rules/${String(created.id)}`, apiKey, 'DELETE');
    const removeSeconds = (performance.now() - started) / 1000;
    const peak = peakRssBytes(pid);
    log(
      `rule on ${users} users: added in ${addSeconds.toFixed(2)} s (${String(created.usersChanged)} changed), ` +
        `removed in ${removeSeconds.toFixed(2)} s (${String(removed.usersChanged)} changed)`,
    );

    const mb = (n: number | undefined) => (n === undefined ? 'n/a' : `${(n / 2 ** 20).toFixed(0)} MiB`);
    const cpu = (ms: number | undefined) => (ms === undefined ? 'n/a' : `${ms.toFixed(2)} ms`);
    const section = [
      rolesHeading(database.dialect),
      '',
      `Measured by bench/roles.ts (\`npm run bench:roles\`) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC,`,
      `${database.description}, tables never analysed; ${users} users seeded, all in one group.`,
      `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; load average at the start ${load.join(', ')} (1, 5, 15 min; other engineers' work shared the machine).`,
      '',
      '| what | figure |',
      '|---|---|',
      `| SCIM member add that changes the user's role (PATCH add, median of ${requests}, one at a time) | ${role.add.toFixed(2)} ms |`,
      `| SCIM member add that changes no role (same run) | ${noRole.add.toFixed(2)} ms |`,
      `| its remove, changing the role back / changing none | ${role.remove.toFixed(2)} ms / ${noRole.remove.toFixed(2)} ms |`,
      `| server CPU per request, moving roles / not | ${cpu(role.cpuMs)} / ${cpu(noRole.cpuMs)} |`,
      `| SCIM GET /Users/{id} (${connections} connections, ${seconds} s) | ${getRate.toFixed(0)} req/s |`,
      `| access check GET /api/v1/orgs/{org}/users/{id}/access (same) | ${accessRate.toFixed(0)} req/s |`,
      `| rule added on the group of ${users} users (POST …/roles/rules; ${String(created.usersChanged)} users changed) | ${addSeconds.toFixed(2)} s |`,
      `| the same rule removed (DELETE …/roles/rules/{id}) | ${removeSeconds.toFixed(2)} s |`,
      `| server RSS before the rule change, and its peak over the whole run | ${mb(rssBefore)}, peak ${mb(peak)} |`,
      '',
      'A rule change recomputes its users in the database (docs/roles.md "How it is computed"):',
      'the server reads none of them into memory, so its peak is that of the requests before it.',
      '',
    ].join('\n');
    const out = isAbsolute(config.out) ? config.out : join(root, config.out);
    writeSections(out, section);
    log(`wrote ${out}`);
  } finally {
    await server?.stop();
    if (!config.keep) {
      await database.cleanup();
      rmSync(workDir, { recursive: true, force: true });
    }
  }
}

// Run as a script, not when a test imports rolesHeading.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
