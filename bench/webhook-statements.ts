/**
 * `npm run bench:webhook-statements`: what delivering one webhook event costs the database,
 * counted rather than timed, so that a change can be judged on a machine whose timings are
 * noise. In process, on each dialect (BENCH_DIALECTS, default `sqlite,postgres`; PostgreSQL as
 * the tests reach it): BENCH_HOOKS_EVENTS users (default 3000) are put into one group by a
 * single PUT, which writes as many `group.member_added` events; one endpoint (a receiver on
 * loopback) receives them. The dispatcher runs over a Kysely instance that counts every
 * statement it executes (by kind) and every transaction it opens, from its start until the
 * last event is recorded delivered. The events/s figure is printed too, for comparisons made
 * in one sitting only.
 *
 * Benchmarks are not tests: nothing here fails on a slow figure.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { type Kysely, type KyselyPlugin, type RootOperationNode, sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { WebhookDispatcher } from '../src/events/dispatcher.ts';
import { GROUP, USER } from '../src/scim/schema/definitions.ts';
import type { Dialect } from '../src/store/db.ts';
import type { DB } from '../src/store/schema.ts';
import { openTestDirectory } from '../test/helpers/directory.ts';
import { Receiver, until } from '../test/helpers/receiver.ts';

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

interface Counts {
  statements: Record<string, number>;
  transactions: number;
}

/** `db` as the dispatcher sees it, counting statements (by kind) and transactions into `counts`. */
function counting(db: Kysely<DB>, counts: Counts): Kysely<DB> {
  const plugin: KyselyPlugin = {
    transformQuery({ node }) {
      const kind =
        node.kind === 'RawNode'
          ? `raw ${
              String((node as { sqlFragments: readonly string[] }).sqlFragments[0])
                .trim()
                .split(/\s/)[0]
            }`
          : node.kind.replace('QueryNode', '').toLowerCase();
      counts.statements[kind] = (counts.statements[kind] ?? 0) + 1;
      return node as RootOperationNode;
    },
    async transformResult({ result }) {
      return result;
    },
  };
  const counted = db.withPlugin(plugin);
  return new Proxy(counted, {
    get(target, prop) {
      if (prop === 'transaction') counts.transactions++;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** BENCH_CPU_PROFILE=<path>: a CPU profile of the delivery phase only (open it in Chrome's DevTools). */
async function startProfile(): Promise<() => Promise<string>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return JSON.stringify(profile);
  };
}

async function run(dialect: Dialect, events: number) {
  const { t, directory } = await openTestDirectory(dialect);
  const receiver = new Receiver();
  try {
    const orgId = (await directory.orgs.create('Hooks')).org.id;
    const actor = { orgId, tokenId: null, requestId: null };
    const ids: string[] = [];
    for (let i = 0; i < events; i += 100) {
      const batch = Array.from({ length: Math.min(100, events - i) }, (_, j) =>
        directory.resources.create(actor, USER, { schemas: [CORE_USER], userName: `u${i + j}@x.test` }),
      );
      for (const r of await Promise.all(batch)) ids.push(r.id);
    }
    const group = await directory.resources.create(actor, GROUP, {
      schemas: [CORE_GROUP],
      displayName: 'all',
    });
    await receiver.start();
    await directory.webhooks.create({ url: receiver.url, eventTypes: ['group.member_added'] });
    await directory.resources.replace(actor, GROUP, group.id, {
      schemas: [CORE_GROUP],
      displayName: 'all',
      members: ids.map((value) => ({ value })),
    });

    const counts: Counts = { statements: {}, transactions: 0 };
    const config = loadConfig({}).events;
    const dispatcher = new WebhookDispatcher(counting(directory.database.db, counts), {
      config,
      box: await directory.webhooks.secretBox(),
      allowPrivate: true,
      waitForEvents: (ms) => directory.webhooks.waitForEvents(ms),
      eventsWritten: () => directory.webhooks.notify(),
    });
    const profile = process.env.BENCH_CPU_PROFILE ? await startProfile() : undefined;
    const started = performance.now();
    dispatcher.start();
    const pending = async () =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*) as n from webhook_deliveries where status = 'pending'`.execute(
            directory.database.db,
          )
        ).rows[0]?.n,
      );
    await until(
      'every event delivered',
      async () => receiver.ids().size >= events && (await pending()) === 0,
      600_000,
    );
    const seconds = (performance.now() - started) / 1000;
    if (profile) writeFileSync(`${process.env.BENCH_CPU_PROFILE}.${dialect}.cpuprofile`, await profile());
    await dispatcher.stop();
    const statements = Object.values(counts.statements).reduce((a, b) => a + b, 0);
    const kinds = Object.entries(counts.statements)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, n]) => `${k} ${(n / events).toFixed(3)}`)
      .join(', ');
    process.stdout.write(
      `${dialect}: ${events} events, ${receiver.got.length} requests, ${(events / seconds).toFixed(0)} events/s; ` +
        `per event: ${(statements / events).toFixed(3)} statements (${kinds}), ` +
        `${(counts.transactions / events).toFixed(3)} transactions\n`,
    );
  } finally {
    await receiver.stop();
    await t.cleanup();
  }
}

const events = Number(process.env.BENCH_HOOKS_EVENTS ?? 3000);
for (const dialect of (process.env.BENCH_DIALECTS ?? 'sqlite,postgres').split(',') as Dialect[]) {
  await run(dialect, events);
}
