/**
 * Rate limits per token and per org: 429 with Retry-After and a SCIM error body, shared
 * counters across instances (PostgreSQL, Redis), discovery and health never counted. Every app
 * runs on a fixed clock, 15 s into a 60 s window, so Retry-After and the next window are exact.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { Directory } from '../../src/directory/directory.ts';
import { buildApp } from '../../src/http/app.ts';
import { DatabaseRateLimiter } from '../../src/rate-limit/database.ts';
import {
  type Counter,
  fixedWindow,
  type HitResult,
  MemoryRateLimiter,
  type RateLimiter,
} from '../../src/rate-limit/limiter.ts';
import { RedisRateLimiter } from '../../src/rate-limit/redis.ts';
import { type Database, openDatabase } from '../../src/store/db.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WINDOW_START = Date.parse('2030-01-01T00:00:00Z');
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** A random Redis key prefix per test; only keys under it are ever deleted. */
function redisPrefix() {
  return `scim-test:${randomBytes(6).toString('hex')}:`;
}

async function deleteRedisPrefix(prefix: string) {
  const redis = new Redis(redisUrl);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

interface Instance {
  app: FastifyInstance;
  directory: Directory;
}

/** Apps over one database (several when `instances` > 1, each with its own pool), one fixed clock. */
class Cluster {
  clock = WINDOW_START + 15_000;
  readonly instances: Instance[] = [];
  private readonly extraDatabases: Database[] = [];

  constructor(
    readonly db: TestDatabase,
    private readonly env: Record<string, string>,
  ) {}

  static async start(dialect: 'sqlite' | 'postgres', env: Record<string, string>, instances = 1) {
    const cluster = new Cluster(await openTestDatabase(dialect), env);
    for (let i = 0; i < instances; i++) await cluster.add();
    return cluster;
  }

  async add() {
    const database = this.instances.length === 0 ? this.db.database : await openDatabase(this.db.url);
    if (this.instances.length > 0) this.extraDatabases.push(database);
    const directory = new Directory({ database, now: () => new Date(this.clock), newId: () => randomUUID() });
    const config = loadConfig({
      DATABASE_URL: this.db.url,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: 'https://scim.test',
      ...this.env,
    });
    const app = await buildApp(config, { directory, logger: false });
    this.instances.push({ app, directory });
  }

  get directory() {
    return (this.instances[0] as Instance).directory;
  }

  async org(name: string) {
    const { org, token } = await this.directory.orgs.create(name);
    return { id: org.id, token: token.token };
  }

  get(token: string, url: string, instance = 0) {
    return (this.instances[instance] as Instance).app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
    });
  }

  async close() {
    for (const { app } of this.instances) await app.close();
    for (const database of this.extraDatabases) await database.close();
    await this.db.cleanup();
  }
}

async function statuses(calls: Promise<{ statusCode: number }>[]) {
  return (await Promise.all(calls)).map((r) => r.statusCode);
}

for (const dialect of dialects) {
  const backend = dialect === 'postgres' ? 'postgres' : 'memory';

  describe(`rate limits over HTTP (${dialect}, ${backend} backend by default)`, () => {
    test('over the token limit: 429, Retry-After, RateLimit headers and a SCIM error; the next window admits', async () => {
      const c = await Cluster.start(dialect, { RATE_LIMIT_PER_TOKEN: '3', RATE_LIMIT_PER_ORG: '0' });
      try {
        assert.equal(c.instances[0]?.app.config.rateLimit.backend, backend);
        const { id, token } = await c.org('Acme');
        for (const remaining of ['2', '1', '0']) {
          const res = await c.get(token, `/scim/v2/${id}/Users`);
          assert.equal(res.statusCode, 200);
          assert.equal(res.headers['ratelimit-limit'], '3');
          assert.equal(res.headers['ratelimit-remaining'], remaining);
          assert.equal(res.headers['ratelimit-reset'], '45');
        }
        const res = await c.get(token, `/scim/v2/${id}/Users`);
        assert.equal(res.statusCode, 429);
        assert.equal(res.headers['retry-after'], '45');
        assert.equal(res.headers['ratelimit-remaining'], '0');
        assert.match(String(res.headers['content-type']), /^application\/scim\+json/);
        assert.deepEqual(res.json(), {
          schemas: [ERROR_SCHEMA],
          status: '429',
          detail:
            "Too many requests: this token's limit is 3 requests per 60 seconds; retry after 45 seconds",
        });

        c.clock += 44_500;
        assert.equal((await c.get(token, `/scim/v2/${id}/Users`)).headers['retry-after'], '1');
        c.clock = WINDOW_START + 60_000;
        const next = await c.get(token, `/scim/v2/${id}/Users/nosuch`);
        assert.equal(next.statusCode, 404, 'a new window admits again');
        assert.equal(next.headers['ratelimit-remaining'], '2');
      } finally {
        await c.close();
      }
    });

    test('tokens of one org share its limit; a refused request counts nowhere; other orgs are apart', async () => {
      const c = await Cluster.start(dialect, { RATE_LIMIT_PER_TOKEN: '3', RATE_LIMIT_PER_ORG: '5' });
      try {
        const { id, token: a } = await c.org('Acme');
        const b = (await c.directory.orgs.createToken(id, 'second')).token;
        const other = await c.org('Other');
        const users = `/scim/v2/${id}/Users`;

        for (let i = 0; i < 3; i++) assert.equal((await c.get(a, users)).statusCode, 200);
        // Token a is at its own limit: refused three times, without using the org's budget.
        const refused = await c.get(a, users);
        assert.equal(refused.statusCode, 429);
        assert.match(refused.json().detail, /this token's limit is 3 requests per 60 seconds/);
        await c.get(a, users);
        await c.get(a, users);

        const b1 = await c.get(b, users);
        assert.equal(b1.statusCode, 200);
        assert.equal(b1.headers['ratelimit-limit'], '5', 'the org counter is the closer one');
        assert.equal(b1.headers['ratelimit-remaining'], '1');
        assert.equal((await c.get(b, users)).statusCode, 200);
        const full = await c.get(b, users);
        assert.equal(full.statusCode, 429);
        assert.equal(full.headers['retry-after'], '45');
        assert.equal(
          full.json().detail,
          "Too many requests: this organization's (all its tokens together) limit is 5 requests per 60 seconds; retry after 45 seconds",
        );

        assert.equal((await c.get(other.token, `/scim/v2/${other.id}/Users`)).statusCode, 200);
      } finally {
        await c.close();
      }
    });

    test('health and discovery endpoints are never limited, nor counted', async () => {
      const c = await Cluster.start(dialect, { RATE_LIMIT_PER_TOKEN: '1', RATE_LIMIT_PER_ORG: '1' });
      try {
        const { id, token } = await c.org('Acme');
        const free = [
          '/healthz',
          `/scim/v2/${id}/ServiceProviderConfig`,
          `/scim/v2/${id}/ResourceTypes`,
          `/scim/v2/${id}/ResourceTypes/User`,
          `/scim/v2/${id}/Schemas`,
          `/scim/v2/${id}/Schemas/urn:ietf:params:scim:schemas:core:2.0:User`,
        ];
        for (let round = 0; round < 3; round++) {
          for (const url of free) {
            const res = await c.get(token, url);
            assert.equal(res.statusCode, 200, url);
            assert.equal(res.headers['ratelimit-limit'], undefined, url);
          }
        }
        assert.equal((await c.get(token, `/scim/v2/${id}/Users`)).statusCode, 200);
        assert.equal((await c.get(token, `/scim/v2/${id}/Users`)).statusCode, 429);
        assert.equal((await c.get(token, `/scim/v2/${id}/Schemas`)).statusCode, 200);
        assert.equal((await c.get(token, '/healthz')).statusCode, 200);
        // Unauthenticated requests are answered 401 and counted nowhere.
        assert.equal((await c.get('wrong', `/scim/v2/${id}/Users`)).statusCode, 401);
      } finally {
        await c.close();
      }
    });

    test('0 disables a limit: both 0 sends no RateLimit headers; org 0 leaves the token limit', async () => {
      const off = await Cluster.start(dialect, { RATE_LIMIT_PER_TOKEN: '0', RATE_LIMIT_PER_ORG: '0' });
      try {
        const { id, token } = await off.org('Acme');
        const all = await Promise.all(
          Array.from({ length: 12 }, () => off.get(token, `/scim/v2/${id}/Users`)),
        );
        assert.deepEqual(
          all.map((r) => r.statusCode),
          Array(12).fill(200),
        );
        assert.equal(all[0]?.headers['ratelimit-limit'], undefined);
      } finally {
        await off.close();
      }
      const tokenOnly = await Cluster.start(dialect, { RATE_LIMIT_PER_TOKEN: '2', RATE_LIMIT_PER_ORG: '0' });
      try {
        const { id, token } = await tokenOnly.org('Acme');
        const second = (await tokenOnly.directory.orgs.createToken(id)).token;
        const users = `/scim/v2/${id}/Users`;
        for (const t of [token, second]) {
          const codes = [];
          for (let i = 0; i < 3; i++) codes.push((await tokenOnly.get(t, users)).statusCode);
          assert.deepEqual(codes, [200, 200, 429]);
        }
      } finally {
        await tokenOnly.close();
      }
    });

    test('concurrent requests: exactly the limit is admitted', async () => {
      const c = await Cluster.start(dialect, { RATE_LIMIT_PER_TOKEN: '0', RATE_LIMIT_PER_ORG: '7' });
      try {
        const { id, token } = await c.org('Acme');
        const codes = await statuses(Array.from({ length: 20 }, () => c.get(token, `/scim/v2/${id}/Users`)));
        assert.equal(codes.filter((s) => s === 200).length, 7);
        assert.equal(codes.filter((s) => s === 429).length, 13);
      } finally {
        await c.close();
      }
    });
  });
}

if (dialects.includes('postgres')) {
  test('two instances on one PostgreSQL database enforce one combined limit', async () => {
    const c = await Cluster.start('postgres', { RATE_LIMIT_PER_TOKEN: '6', RATE_LIMIT_PER_ORG: '0' }, 2);
    try {
      const { id, token } = await c.org('Acme');
      const users = `/scim/v2/${id}/Users`;
      const codes = await statuses(Array.from({ length: 10 }, (_, i) => c.get(token, users, i % 2)));
      assert.equal(codes.filter((s) => s === 200).length, 6);
      assert.equal((await c.get(token, users, 0)).statusCode, 429);
      assert.equal((await c.get(token, users, 1)).statusCode, 429);
    } finally {
      await c.close();
    }
  });
}

describe('rate limits with the Redis backend', () => {
  test('two instances sharing a Redis enforce one combined limit, also under concurrency', async () => {
    const prefix = redisPrefix();
    const env = {
      REDIS_URL: redisUrl,
      RATE_LIMIT_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_TOKEN: '4',
      RATE_LIMIT_PER_ORG: '9',
    };
    const c = await Cluster.start('sqlite', env, 2);
    try {
      assert.equal(c.instances[1]?.app.config.rateLimit.backend, 'redis');
      const { id, token } = await c.org('Acme');
      const second = (await c.directory.orgs.createToken(id)).token;
      const users = `/scim/v2/${id}/Users`;
      const first = await statuses(Array.from({ length: 10 }, (_, i) => c.get(token, users, i % 2)));
      assert.equal(first.filter((s) => s === 200).length, 4);
      const more = await statuses(Array.from({ length: 10 }, (_, i) => c.get(second, users, i % 2)));
      assert.equal(more.filter((s) => s === 200).length, 4);
      const third = (await c.directory.orgs.createToken(id)).token;
      const last = await c.get(third, users, 1);
      assert.equal(last.statusCode, 200);
      assert.equal(last.headers['ratelimit-remaining'], '0');
      const over = await c.get(third, users, 0);
      assert.equal(over.statusCode, 429);
      assert.equal(over.headers['retry-after'], '45');
      assert.match(over.json().detail, /organization's .* limit is 9 requests/);
    } finally {
      await c.close();
      await deleteRedisPrefix(prefix);
    }
  });

  test('Redis unreachable: requests go through (fail open), no 500', async () => {
    const c = await Cluster.start('sqlite', {
      REDIS_URL: 'redis://127.0.0.1:1',
      RATE_LIMIT_PER_TOKEN: '1',
      RATE_LIMIT_PER_ORG: '1',
    });
    try {
      const { id, token } = await c.org('Acme');
      const codes = await statuses([1, 2, 3].map(() => c.get(token, `/scim/v2/${id}/Users`)));
      assert.deepEqual(codes, [200, 200, 200]);
    } finally {
      await c.close();
    }
  });
});

/** One scenario, run against every backend: each step is a hit and the result it must give. */
const W1 = fixedWindow(WINDOW_START + 1_000, 60_000);
const W2 = fixedWindow(WINDOW_START + 61_000, 60_000);
const steps: { name: string; org: string; counters: Counter[]; window: typeof W1; expect: HitResult }[] = [
  {
    name: 'first',
    org: 'o1',
    counters: [t(1), org()],
    window: W1,
    expect: { allowed: true, counts: [1, 1] },
  },
  {
    name: 'second',
    org: 'o1',
    counters: [t(1), org()],
    window: W1,
    expect: { allowed: true, counts: [2, 2] },
  },
  {
    name: 'token full',
    org: 'o1',
    counters: [t(1), org()],
    window: W1,
    expect: { allowed: false, refused: 0 },
  },
  {
    name: 'refusal counted nowhere',
    org: 'o1',
    counters: [t(2), org()],
    window: W1,
    expect: { allowed: true, counts: [1, 3] },
  },
  {
    name: 'org full',
    org: 'o1',
    counters: [t(2), org()],
    window: W1,
    expect: { allowed: false, refused: 1 },
  },
  { name: 'taken back', org: 'o1', counters: [t(2)], window: W1, expect: { allowed: true, counts: [2] } },
  { name: 'other org', org: 'o2', counters: [org()], window: W1, expect: { allowed: true, counts: [1] } },
  {
    name: 'next window',
    org: 'o1',
    counters: [t(1), org()],
    window: W2,
    expect: { allowed: true, counts: [1, 1] },
  },
];
function t(n: number): Counter {
  return { key: `token:${n}`, limit: 2 };
}
function org(): Counter {
  return { key: 'org', limit: 3 };
}

const backends: { name: string; open(): Promise<{ limiter: RateLimiter; done(): Promise<void> }> }[] = [
  { name: 'memory', open: async () => ({ limiter: new MemoryRateLimiter(), done: async () => {} }) },
  ...dialects.map((dialect) => ({
    name: `database (${dialect})`,
    async open() {
      const db = await openTestDatabase(dialect);
      const limiter = new DatabaseRateLimiter(db.database.db);
      return {
        limiter,
        async done() {
          await limiter.close();
          // Hitting W2 pruned W1's rows.
          const left = await db.database.db.selectFrom('rate_limits').select('window_start').execute();
          assert.ok(left.length > 0 && left.every((r) => Number(r.window_start) === W2.start));
          await db.cleanup();
        },
      };
    },
  })),
  {
    name: 'redis',
    async open() {
      const prefix = redisPrefix();
      const limiter = new RedisRateLimiter(redisUrl, prefix);
      await limiter.connect();
      return {
        limiter,
        async done() {
          assert.ok((await limiter.redis.pttl(limiter.key('o1', 'org', W2))) > 60_000);
          await limiter.close();
          await deleteRedisPrefix(prefix);
        },
      };
    },
  },
];

describe('rate limiter backends agree', () => {
  for (const backend of backends) {
    test(backend.name, async () => {
      const { limiter, done } = await backend.open();
      for (const step of steps) {
        assert.deepEqual(await limiter.hit(step.org, step.counters, step.window), step.expect, step.name);
      }
      await done();
    });
  }
});

describe('rate limit configuration', () => {
  const cases: { name: string; env: Record<string, string>; expect: object | string }[] = [
    {
      name: 'defaults on SQLite: memory',
      env: {},
      expect: { perToken: 0, perOrg: 0, windowSeconds: 60, backend: 'memory', redisUrl: undefined },
    },
    {
      name: 'defaults on PostgreSQL: postgres',
      env: { DATABASE_URL: 'postgres://x@h/db' },
      expect: { backend: 'postgres' },
    },
    { name: 'REDIS_URL: redis', env: { REDIS_URL: 'redis://h:6379' }, expect: { backend: 'redis' } },
    {
      name: 'explicit memory over PostgreSQL',
      env: { DATABASE_URL: 'postgres://x@h/db', RATE_LIMIT_BACKEND: 'memory' },
      expect: { backend: 'memory' },
    },
    {
      name: 'zero limits',
      env: { RATE_LIMIT_PER_TOKEN: '0', RATE_LIMIT_PER_ORG: '0' },
      expect: { perToken: 0 },
    },
    { name: 'redis without URL', env: { RATE_LIMIT_BACKEND: 'redis' }, expect: 'needs REDIS_URL' },
    { name: 'postgres on SQLite', env: { RATE_LIMIT_BACKEND: 'postgres' }, expect: 'needs a postgres://' },
    {
      name: 'unknown backend',
      env: { RATE_LIMIT_BACKEND: 'etcd' },
      expect: 'must be memory, postgres or redis',
    },
    { name: 'bad REDIS_URL', env: { REDIS_URL: 'localhost:6379' }, expect: "REDIS_URL must be 'redis://" },
    {
      name: 'window 0',
      env: { RATE_LIMIT_WINDOW_SECONDS: '0' },
      expect: 'RATE_LIMIT_WINDOW_SECONDS must be between',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      if (typeof c.expect === 'string') {
        const expected = c.expect;
        assert.throws(
          () => loadConfig(c.env),
          (e: unknown) => e instanceof ConfigError && e.message.includes(expected),
        );
      } else {
        const actual = loadConfig(c.env).rateLimit as unknown as Record<string, unknown>;
        for (const [key, value] of Object.entries(c.expect)) assert.equal(actual[key], value, key);
      }
    });
  }
});
