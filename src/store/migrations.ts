/**
 * Schema migrations, run on every open (db.ts). Ordered by name; a migration, once shipped,
 * is never edited: add `0002_…` instead. Every table carries org_id, first in its indexes, so
 * the data can be sharded by organization (ARCHITECTURE.md "Storage principles").
 */
import { randomBytes } from 'node:crypto';
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Dialect } from './db.ts';

/**
 * Text that is compared or sorted. PostgreSQL's default collation follows the locale; `"C"`
 * orders by code point, like SQLite's BINARY, so both dialects sort and range-compare alike
 * (docs/filter-semantics.md: gt/ge/lt/le and sw are code-point order).
 */
function text(dialect: Dialect) {
  return dialect === 'postgres' ? sql`text collate "C"` : sql`text`;
}

function initial(dialect: Dialect): Migration {
  const t = text(dialect);
  const pg = dialect === 'postgres';
  const bigint = pg ? 'bigint' : 'integer';
  const real = pg ? 'double precision' : 'real';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('orgs')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('name', t, (c) => c.notNull())
        .addColumn('created_at', t, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('org_id', t, (c) => c.notNull().references('orgs.id'))
        .addColumn('name', t, (c) => c.notNull())
        .addColumn('prefix', t, (c) => c.notNull())
        .addColumn('hash', t, (c) => c.notNull())
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('last_used_at', t)
        .addColumn('revoked_at', t)
        .addUniqueConstraint('tokens_hash_uq', ['hash'])
        .execute();
      await db.schema.createIndex('tokens_org_idx').on('tokens').column('org_id').execute();

      await db.schema
        .createTable('resources')
        .addColumn('pk', bigint, (c) =>
          pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('org_id', t, (c) => c.notNull().references('orgs.id'))
        .addColumn('type', t, (c) => c.notNull())
        .addColumn('id', t, (c) => c.notNull())
        .addColumn('user_name', t)
        .addColumn('user_name_lc', t)
        .addColumn('external_id', t)
        .addColumn('display_name', t)
        .addColumn('active', 'integer')
        .addColumn('doc', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('last_modified', t, (c) => c.notNull())
        .addColumn('deleted_at', t)
        .addUniqueConstraint('resources_id_uq', ['org_id', 'type', 'id'])
        // NULLs never collide in a unique index on either dialect: deletion NULLs user_name_lc.
        .addUniqueConstraint('resources_user_name_uq', ['org_id', 'type', 'user_name_lc'])
        .execute();
      await db.schema
        .createIndex('resources_external_id_idx')
        .on('resources')
        .columns(['org_id', 'type', 'external_id'])
        .execute();
      await db.schema
        .createIndex('resources_order_idx')
        .on('resources')
        .columns(['org_id', 'type', 'pk'])
        .execute();

      await db.schema
        .createTable('resource_terms')
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('resource_pk', bigint, (c) => c.notNull().references('resources.pk').onDelete('cascade'))
        .addColumn('path', t, (c) => c.notNull())
        .addColumn('elem', 'integer', (c) => c.notNull())
        .addColumn('str', t)
        .addColumn('lc', t)
        .addColumn('num', real)
        .execute();
      for (const [name, columns] of [
        ['resource_terms_lc_idx', ['org_id', 'path', 'lc']],
        ['resource_terms_str_idx', ['org_id', 'path', 'str']],
        ['resource_terms_num_idx', ['org_id', 'path', 'num']],
        ['resource_terms_resource_idx', ['resource_pk', 'path', 'elem']],
      ] as const) {
        await db.schema
          .createIndex(name)
          .on('resource_terms')
          .columns([...columns])
          .execute();
      }

      await db.schema
        .createTable('memberships')
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('group_pk', bigint, (c) => c.notNull().references('resources.pk').onDelete('cascade'))
        .addColumn('member_pk', bigint, (c) => c.notNull().references('resources.pk').onDelete('cascade'))
        .addColumn('member_type', t, (c) => c.notNull())
        .addPrimaryKeyConstraint('memberships_pk', ['group_pk', 'member_pk'])
        .execute();
      await db.schema.createIndex('memberships_member_idx').on('memberships').column('member_pk').execute();

      await db.schema
        .createTable('audit_events')
        .addColumn('id', bigint, (c) =>
          pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('at', t, (c) => c.notNull())
        .addColumn('request_id', t)
        .addColumn('token_id', t)
        .addColumn('action', t, (c) => c.notNull())
        .addColumn('resource_type', t)
        .addColumn('resource_id', t)
        .addColumn('attributes', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_events_org_at_idx')
        .on('audit_events')
        .columns(['org_id', 'at'])
        .execute();
    },
  };
}

/**
 * A key/value table for values that belong to the database rather than to one process, and
 * its first value: the secret that seals pagination cursors when CURSOR_SECRET is unset.
 * Generated here, once per database, so that every instance sharing the database accepts the
 * cursors of the others (settings.ts).
 */
function settings(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('settings')
        .addColumn('key', t, (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      const secret = randomBytes(32).toString('base64url');
      await sql`insert into settings (key, value) values (${'cursor_secret'}, ${secret})`.execute(db);
    },
  };
}

/**
 * Rate-limit counters shared by every instance on one PostgreSQL (src/http/rate-limit.ts):
 * one row per (org, counter, fixed window), bumped by an atomic upsert, deleted once expired.
 * UNLOGGED on PostgreSQL: counters need no WAL, replication or crash safety, and skipping them
 * keeps the per-request upsert cheap. Created on SQLite too so both schemas stay alike.
 */
function rateLimits(dialect: Dialect): Migration {
  const t = text(dialect);
  const pg = dialect === 'postgres';
  const bigint = pg ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      let table = db.schema.createTable('rate_limits');
      if (pg) table = table.modifyFront(sql`unlogged`);
      await table
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('key', t, (c) => c.notNull())
        .addColumn('window_start', bigint, (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull())
        .addColumn('expires_at', bigint, (c) => c.notNull())
        .addPrimaryKeyConstraint('rate_limits_pk', ['org_id', 'key', 'window_start'])
        .execute();
    },
  };
}

/**
 * The request log (src/http/request-log.ts): one row per SCIM request, bodies redacted, kept
 * for REQUEST_LOG_RETENTION_DAYS and at most REQUEST_LOG_MAX_ROWS_PER_ORG rows per org. No
 * foreign key to orgs: rows are written in batches after the response, and the writer checks
 * that the org exists (a reference would fail the whole batch, and like audit_events the table
 * stays shardable by org alone).
 */
function requestLog(dialect: Dialect): Migration {
  const t = text(dialect);
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('request_log')
        .addColumn('id', pg ? 'bigint' : 'integer', (c) =>
          pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('at', t, (c) => c.notNull())
        .addColumn('request_id', t)
        .addColumn('token_id', t)
        .addColumn('method', t, (c) => c.notNull())
        .addColumn('path', t, (c) => c.notNull())
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('duration_ms', pg ? 'double precision' : 'real', (c) => c.notNull())
        .addColumn('scim_type', t)
        .addColumn('idp', t)
        .addColumn('user_agent', t)
        .addColumn('request_body', 'text')
        .addColumn('response_body', 'text')
        .addColumn('hint', 'text')
        .addColumn('quirks', 'text')
        .execute();
      await db.schema
        .createIndex('request_log_org_at_idx')
        .on('request_log')
        .columns(['org_id', 'at'])
        .execute();
    },
  };
}

/**
 * Each org's IdP profile (src/scim/quirks.ts): which meaning-changing IdP quirks its SCIM
 * endpoint accepts. Existing orgs get 'generic', the plain RFC answers.
 */
function idpProfile(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('orgs')
        .addColumn('idp_profile', t, (c) => c.notNull().defaultTo('generic'))
        .execute();
    },
  };
}

/**
 * Listing an org's live resources reads only this index (a deep page skips index entries, not
 * documents), and the number of live resources per org and type is kept as a counter,
 * updated in the transaction of every create and delete: an unfiltered totalResults is one
 * row read, not a count of 100,000 index entries per page.
 */
function liveResources(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('resources_live_idx')
        .on('resources')
        .columns(['org_id', 'type', 'deleted_at', 'pk'])
        .execute();
      await db.schema
        .createTable('resource_counts')
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('type', t, (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_counts_pk', ['org_id', 'type'])
        .execute();
      await sql`insert into resource_counts (org_id, type, n)
        select org_id, type, count(*) from resources where deleted_at is null group by org_id, type`.execute(
        db,
      );
    },
  };
}

/**
 * A string term fills one value column, str (caseExact) or lc (not), never both: the str and
 * num indexes then hold only the rows that have a value there, and a new user's terms cost
 * about half the index writes. The lc index stays whole: presence (`pr`) reads every term of
 * a path through it. Terms written before keep both columns; the queries read one column per
 * attribute, so they stay right, and an update rewrites them in the new form.
 */
function partialTermIndexes(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      for (const column of ['str', 'num'] as const) {
        const name = `resource_terms_${column}_idx`;
        await db.schema.dropIndex(name).execute();
        await db.schema
          .createIndex(name)
          .on('resource_terms')
          .columns(['org_id', 'path', column])
          .where(sql.ref(column), 'is not', null)
          .execute();
      }
    },
  };
}

/**
 * resources_order_idx (org_id, type, pk) predates resources_live_idx (org_id, type,
 * deleted_at, pk), which serves every query it served (they all ask for live resources): one
 * index fewer to write on every create.
 */
function dropOrderIndex(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.dropIndex('resources_order_idx').execute();
    },
  };
}

/**
 * resource_counts.changes: how many resources of the type were ever created or deleted in the
 * org, so that a remembered position of a startIndex page (store/resources.ts) is known to be
 * still right while it stays the same.
 */
function countChanges(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('resource_counts')
        .addColumn('changes', 'bigint', (c) => c.notNull().defaultTo(0))
        .execute();
    },
  };
}

/**
 * SQLite: the request log moves to its own file, attached as `requests` by every connection
 * (db.ts requestLogPath says why), which already holds an empty request_log table: the rows
 * are copied there and the main file's table is dropped. PostgreSQL keeps it where it is.
 */
function requestLogFile(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect === 'postgres') return;
      await sql`insert or ignore into requests.request_log select * from main.request_log`.execute(db);
      await sql`drop table main.request_log`.execute(db);
    },
  };
}

/**
 * The outbox and webhook delivery (src/store/events.ts, src/events/). `events`: one row per
 * change, written by the change's own transaction; `seq` orders it, and on PostgreSQL `tx`
 * (the writing transaction's id) makes the feed safe to read while later-numbered rows commit
 * before earlier ones (store/events.ts readEvents). Member events carry the member as their
 * resource and the group in `group_id`. `webhook_endpoints` keep their secrets encrypted
 * (src/crypto/secret-box.ts) and the feed position up to which deliveries were planned;
 * `webhook_deliveries` is one row per (endpoint, event), `webhook_attempts` one per try.
 * No foreign keys to orgs: an org's events outlive it (org.deleted is one of them).
 */
function events(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const t = pg ? 'text collate "C"' : 'text';
  const id = pg ? 'bigint generated by default as identity primary key' : 'integer primary key autoincrement';
  const txDefault = pg ? '(pg_current_xact_id()::text)::bigint' : '0';
  return {
    async up(db: Kysely<unknown>) {
      const ddl = [
        `create table events (
          seq ${id}, tx bigint not null default ${txDefault}, org_id ${t}, type ${t} not null,
          at ${t} not null, resource_type ${t}, resource_id ${t}, group_id ${t}, direct integer,
          via_id ${t}, data text, changes text)`,
        'create index events_tx_seq_idx on events (tx, seq)',
        'create index events_org_tx_seq_idx on events (org_id, tx, seq)',
        `create table webhook_endpoints (
          id ${t} primary key, org_id ${t}, url text not null, description text,
          event_types text, secret text not null, old_secret text, old_secret_until ${t},
          enabled integer not null, disabled_reason text, created_at ${t} not null,
          updated_at ${t} not null, cursor_tx bigint not null, cursor_seq bigint not null)`,
        `create table webhook_deliveries (
          id ${id}, endpoint_id ${t} not null, event_seq bigint not null, org_id ${t},
          resource_key ${t} not null, status ${t} not null, attempts integer not null,
          next_attempt_at bigint not null, created_at ${t} not null, first_attempt_at bigint,
          last_attempt_at ${t}, last_status integer, last_error text)`,
        `create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at, id)
          where status = 'pending'`,
        `create index webhook_deliveries_resource_idx on webhook_deliveries (endpoint_id, resource_key, id)
          where status = 'pending'`,
        'create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, id)',
        'create index webhook_deliveries_event_idx on webhook_deliveries (event_seq)',
        `create table webhook_attempts (
          id ${id}, delivery_id bigint not null, endpoint_id ${t} not null, at ${t} not null,
          status integer, latency_ms double precision not null, error text, response_start text)`,
        'create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, id)',
      ];
      for (const statement of ddl) await sql.raw(statement).execute(db);
    },
  };
}

/**
 * Management API keys (src/directory/api-keys.ts): deployment-wide, stored as a SHA-256 hash
 * like SCIM tokens, several live at once, last use recorded, revocable at once.
 */
function apiKeys(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('name', t, (c) => c.notNull())
        .addColumn('prefix', t, (c) => c.notNull())
        .addColumn('hash', t, (c) => c.notNull())
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('last_used_at', t)
        .addColumn('revoked_at', t)
        .addUniqueConstraint('api_keys_hash_uq', ['hash'])
        .execute();
    },
  };
}

/** tokens.expires_at: a token may be issued for a while (`tokens create --expires-in 90d`). */
function tokenExpiry(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('tokens').addColumn('expires_at', t).execute();
    },
  };
}

/**
 * PostgreSQL: `member_page(group_pk, after_pk, n)`, a group's next `n` members after
 * `after_pk` (member_pk order) with what a response shows of them: the keys walked on the
 * (group_pk, member_pk) index, then their rows by pk, with bitmap and sequential scans off (the
 * function's own SET clauses), so that it reads `n` index entries and `n` rows whatever the
 * statistics. On tables never analysed the planner expects a few rows per group: a bitmap scan
 * then collected and sorted every membership of the group before the LIMIT, and the rows were
 * hash-joined to a scan of every resource. A statement can call it where a transaction that
 * sets both (BEGIN, SET LOCAL, the query, COMMIT) cost four round trips. The schema is fixed at
 * creation (`search_path from current`). SQLite: nothing.
 */
function memberPageFunction(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`create or replace function member_page(g bigint, after_pk bigint, n bigint)
        returns table (member_pk bigint, id text, member_type text, display text)
        language sql stable
        set enable_bitmapscan = off
        set enable_seqscan = off
        set search_path from current
        rows 100
        as $$
          select k.member_pk, x.id, k.member_type, coalesce(x.display_name, x.user_name)
          from (select m.member_pk, m.member_type from memberships as m
                where m.group_pk = g and m.member_pk > after_pk
                order by m.member_pk limit n) as k
          join resources as x on x.pk = k.member_pk
          order by k.member_pk
        $$`.execute(db);
    },
  };
}

/**
 * An index on (org_id, type, last_modified): `meta.lastModified gt …` filters (an IdP's
 * incremental sync) and `sortBy=meta.lastModified` otherwise read every live resource of the
 * org. It costs every update an index entry (and on PostgreSQL an update is no longer HOT).
 */
function lastModifiedIndex(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createIndex('resources_last_modified_idx')
        .on('resources')
        .columns(['org_id', 'type', 'last_modified'])
        .execute();
    },
  };
}

/**
 * An org's custom SCIM extension schemas and property mappings (docs/properties.md): one JSON
 * document on the org row, read only when `schema_version` (read with the token, on every
 * request) moved; 0 is "nothing declared", the org served the deployment's schemas.
 */
function orgCustomSchema(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('orgs')
        .addColumn('schema_version', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.alterTable('orgs').addColumn('custom_schema', text(dialect)).execute();
    },
  };
}

/**
 * Safety valves (src/directory/valves.ts, docs/safety-valves.md). `org_valves`: one row per
 * org that has valve settings or state, created on first use. Its settings override the
 * deployment's defaults (null: the default); its window columns count the deprovisionings of
 * the current window. Every deprovisioning and every seat-capped activation locks this row in
 * its own transaction, so counting is race-free across instances. `held_changes`: the
 * deprovisionings the valve held, one per user at most, applied (release) or dropped
 * (discard) by an admin in `id` order.
 */
function safetyValves(dialect: Dialect): Migration {
  const t = text(dialect);
  const pg = dialect === 'postgres';
  const bigint = pg ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('org_valves')
        .addColumn('org_id', t, (c) => c.primaryKey())
        .addColumn('enabled', 'integer')
        .addColumn('percent', 'integer')
        .addColumn('min_users', 'integer')
        .addColumn('window_seconds', 'integer')
        .addColumn('seat_cap', 'integer')
        .addColumn('contact', 'text')
        .addColumn('window_start', t)
        .addColumn('window_base', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('window_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('episode_at', t)
        .execute();
      await db.schema
        .createTable('held_changes')
        .addColumn('id', bigint, (c) =>
          pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
        )
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('user_pk', bigint, (c) => c.notNull())
        .addColumn('user_id', t, (c) => c.notNull())
        .addColumn('user_name', 'text')
        .addColumn('kind', t, (c) => c.notNull())
        .addColumn('operation', 'text', (c) => c.notNull())
        .addColumn('request_id', t)
        .addColumn('token_id', t)
        .addColumn('held_at', t, (c) => c.notNull())
        .addUniqueConstraint('held_changes_user_uq', ['org_id', 'user_pk'])
        .execute();
      await db.schema
        .createIndex('held_changes_org_idx')
        .on('held_changes')
        .columns(['org_id', 'id'])
        .execute();
    },
  };
}

/**
 * Who made each audit entry (issue 12 §6): `actor_kind` is `scim_token`, `api_key`, `cli` or
 * `system`, and `token_id` holds the actor's id (the SCIM token's or the API key's; the CLI's
 * OS login name; a system actor's task). Rows written before knew SCIM tokens only, so a row
 * with a token is a SCIM token's and one without is `system`. Indexes for the trail's actor
 * and resource filters, newest first within the org.
 */
function auditActor(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('audit_events')
        .addColumn('actor_kind', t, (c) => c.notNull().defaultTo('system'))
        .execute();
      await sql`update audit_events set actor_kind = 'scim_token' where token_id is not null`.execute(db);
      await db.schema
        .createIndex('audit_events_actor_idx')
        .on('audit_events')
        .columns(['org_id', 'actor_kind', 'token_id', 'at'])
        .execute();
      await db.schema
        .createIndex('audit_events_resource_idx')
        .on('audit_events')
        .columns(['org_id', 'resource_type', 'resource_id', 'at'])
        .execute();
    },
  };
}

/**
 * Deprovisionings the host app has to acknowledge (issue 12 §3, docs/deprovisioning.md): one row
 * per `user.deactivated` or `user.deleted` event, keyed by the event's seq. A trigger on
 * `events` writes it, so it is in the event's own transaction whichever path wrote the event
 * (a PostgreSQL single-statement write's CTE included), and exists if and only if the event
 * does. Events are pruned after EVENT_RETENTION_DAYS; these rows are not (they are the proof).
 */
function deprovisionings(dialect: Dialect): Migration {
  const t = text(dialect);
  const pg = dialect === 'postgres';
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('deprovisionings')
        .addColumn('event_seq', pg ? 'bigint' : 'integer', (c) => c.primaryKey())
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('user_id', t, (c) => c.notNull())
        .addColumn('kind', t, (c) => c.notNull())
        .addColumn('at', t, (c) => c.notNull())
        .addColumn('acknowledged_at', t)
        .addColumn('acknowledged_by', t)
        .execute();
      await db.schema
        .createIndex('deprovisionings_org_idx')
        .on('deprovisionings')
        .columns(['org_id', 'event_seq'])
        .execute();
      await db.schema
        .createIndex('deprovisionings_pending_idx')
        .on('deprovisionings')
        .columns(['org_id', 'event_seq'])
        .where(sql.ref('acknowledged_at'), 'is', null)
        .execute();
      const when = sql`new.type in ('user.deactivated', 'user.deleted') and new.org_id is not null and new.resource_id is not null`;
      const insert = sql`insert into deprovisionings (event_seq, org_id, user_id, kind, at)
        values (new.seq, new.org_id, new.resource_id, new.type, new.at)`;
      if (pg) {
        await sql`create function events_deprovisioning() returns trigger language plpgsql
          set search_path from current
          as $$ begin ${insert}; return null; end $$`.execute(db);
        await sql`create trigger events_deprovisioning after insert on events for each row
          when (${when}) execute function events_deprovisioning()`.execute(db);
      } else {
        await sql`create trigger events_deprovisioning after insert on events for each row
          when ${when} begin ${insert}; end`.execute(db);
      }
    },
  };
}

/**
 * Roles from IdP groups (src/directory/roles.ts, docs/roles.md). `role_settings`: an org's
 * default role and mode; `role_rules`: its mapping rules (a group matched by id, externalId or
 * displayName gives a role); `user_roles`: the roles its rules give each user, one row per
 * user with a matched role (a user matched by no rule has no row: the org's default applies),
 * recomputed by the transaction that moves them; `role_work`: scratch rows of a recompute,
 * written and cleared inside that one transaction (store/roles.ts).
 */
function roles(dialect: Dialect): Migration {
  const pg = dialect === 'postgres';
  const t = pg ? 'text collate "C"' : 'text';
  const bigint = pg ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      const ddl = [
        `create table role_settings (
          org_id ${t} primary key, default_role ${t}, mode ${t} not null, updated_at ${t} not null)`,
        `create table role_rules (
          id ${t} primary key, org_id ${t} not null, match ${t} not null, value ${t} not null,
          role ${t} not null, created_at ${t} not null)`,
        'create unique index role_rules_uq on role_rules (org_id, match, value, role)',
        `create table user_roles (
          user_pk ${bigint} primary key, org_id ${t} not null, roles ${t} not null)`,
        'create index user_roles_org_idx on user_roles (org_id, user_pk)',
        `create table role_work (
          nonce ${t} not null, user_pk ${bigint} not null, roles ${t}, primary key (nonce, user_pk))`,
      ];
      for (const statement of ddl) await sql.raw(statement).execute(db);
    },
  };
}

/**
 * events.format: the event format a row was written in (store/events.ts CURRENT_EVENT_FORMAT,
 * docs/events.md). Rows written before it, and rows an instance of an older build writes
 * while a newer one has migrated, keep the default 1: their `data` is version 1's.
 */
function eventFormat(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('events')
        .addColumn('format', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
  };
}

/**
 * `more_members_than(g, n)` on PostgreSQL: whether group `g` has more than `n` members, reading
 * n + 1 entries of the (group_pk, member_pk) index and stopping, whatever the statistics, as
 * member_page (0060) reads a page: bitmap and sequential scans are off inside the function
 * alone, so the check is one statement, not a transaction of its own to SET LOCAL them.
 */
function moreMembersThanFunction(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`create or replace function more_members_than(g bigint, n bigint)
        returns boolean
        language sql stable
        set enable_bitmapscan = off
        set enable_seqscan = off
        set search_path from current
        as $$
          select exists (select 1 from memberships as m where m.group_pk = g
                         order by m.member_pk offset n limit 1)
        $$`.execute(db);
    },
  };
}

/**
 * Members not from SCIM (docs/api.md "Members"): `resources.source` says who manages a user,
 * `scim` (its IdP), `api` (added through the management API) or, later, `sso`: plain text, so a
 * new source needs no migration. `email_lc` is the lower-cased email a non-SCIM member was
 * added by; `linked_at` and `linked_from` record the IdP taking such a member over
 * (directory/resources.ts `link`). The two partial indexes hold the live non-SCIM members only:
 * a SCIM create probes them for a member to link (store/linking.ts), which costs an empty
 * index probe in an org without any. The email one is unique: one member per email.
 */
function memberSource(dialect: Dialect): Migration {
  const t = dialect === 'postgres' ? 'text collate "C"' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      const ddl = [
        `alter table resources add column source ${t} not null default 'scim'`,
        `alter table resources add column email_lc ${t}`,
        `alter table resources add column linked_at ${t}`,
        `alter table resources add column linked_from ${t}`,
        `create index resources_linkable_user_name_idx on resources (org_id, user_name_lc)
          where source <> 'scim' and deleted_at is null`,
        `create unique index resources_linkable_email_uq on resources (org_id, email_lc)
          where source <> 'scim' and deleted_at is null`,
      ];
      for (const statement of ddl) await sql.raw(statement).execute(db);
    },
  };
}

/**
 * `orgs.role_rules`: how many role rules the org has (store/roles.ts keeps it in the rule's
 * transaction). Read with the token on every SCIM request, so that in an org without rules a
 * member change or a group rename skips role upkeep altogether (directory/roles.ts).
 */
function orgRoleRules(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('orgs')
        .addColumn('role_rules', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await sql`update orgs set role_rules = (select count(*) from role_rules as r where r.org_id = orgs.id)`.execute(
        db,
      );
    },
  };
}

/**
 * The host app's OIDC clients (src/directory/apps.ts, docs/sso.md "Sign-in for your app"):
 * deployment-wide like API keys. The secret is stored as SHA-256 (a 256-bit secret needs no
 * slow hash); redirect URIs are a JSON array matched exactly.
 */
function oidcApps(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('oidc_apps')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('name', t, (c) => c.notNull())
        .addColumn('secret_prefix', t, (c) => c.notNull())
        .addColumn('secret_hash', t, (c) => c.notNull())
        .addColumn('redirect_uris', 'text', (c) => c.notNull())
        .addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull())
        .addColumn('backchannel_logout_uri', 'text')
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('updated_at', t, (c) => c.notNull())
        .execute();
    },
  };
}

/**
 * The OIDC provider's storage (src/oidc/, store/oidc-store.ts): one table for every model of
 * oidc-provider (sessions, grants, codes, tokens, interactions…), keyed by kind and id, with
 * the org and user of the account beside the payload so that revoking a user is one set-wise
 * DELETE. `oidc_logouts` holds the back-channel logouts still to send.
 *
 * The trigger makes deprovisioning end sessions in the deprovisioning's own transaction,
 * whichever path wrote it (as 0091's does): a `user.deactivated` or `user.deleted` event
 * deletes the user's rows (every session, grant, code, access and refresh token) and queues a
 * logout for each app with a back-channel URI that the user had a grant with; `org.deleted`
 * deletes the org's rows. A deactivation the safety valve holds writes no event until it is
 * released, so it revokes nothing until then.
 */
function oidcStore(dialect: Dialect): Migration {
  const t = text(dialect);
  const pg = dialect === 'postgres';
  const bigint = pg ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>) {
      const ddl = [
        sql`create table oidc_store (
          kind ${t} not null, id ${t} not null, payload text not null,
          org_id ${t}, user_id ${t}, client_id ${t}, grant_id ${t}, uid ${t}, user_code ${t},
          expires_at ${sql.raw(bigint)}, consumed ${sql.raw(bigint)}, primary key (kind, id))`,
        sql`create index oidc_store_account_idx on oidc_store (org_id, user_id)`,
        sql`create index oidc_store_grant_idx on oidc_store (grant_id)`,
        sql`create index oidc_store_uid_idx on oidc_store (uid)`,
        sql`create index oidc_store_expiry_idx on oidc_store (expires_at)`,
        sql`create table oidc_logouts (
          id ${sql.raw(pg ? 'bigint generated by default as identity primary key' : 'integer primary key autoincrement')},
          org_id ${t} not null, user_id ${t} not null, client_id ${t} not null,
          created_at ${t} not null, attempts integer not null default 0,
          next_attempt_at ${sql.raw(bigint)} not null, last_error text)`,
        sql`create index oidc_logouts_due_idx on oidc_logouts (next_attempt_at)`,
      ];
      for (const statement of ddl) await statement.execute(db);
      const queue = sql`insert into oidc_logouts (org_id, user_id, client_id, created_at, next_attempt_at)
        select distinct s.org_id, s.user_id, s.client_id, new.at, 0
        from oidc_store s join oidc_apps a on a.id = s.client_id
        where s.kind = 'Grant' and s.org_id = new.org_id and s.user_id = new.resource_id
          and a.backchannel_logout_uri is not null`;
      const revokeUser = sql`delete from oidc_store where org_id = new.org_id and user_id = new.resource_id`;
      const revokeOrg = sql`delete from oidc_store where org_id = new.org_id`;
      const userWhen = sql`new.type in ('user.deactivated', 'user.deleted') and new.org_id is not null and new.resource_id is not null`;
      const orgWhen = sql`new.type = 'org.deleted' and new.org_id is not null`;
      if (pg) {
        await sql`create function events_oidc_revoke_user() returns trigger language plpgsql
          set search_path from current
          as $$ begin ${queue}; ${revokeUser}; return null; end $$`.execute(db);
        await sql`create trigger events_oidc_revoke_user after insert on events for each row
          when (${userWhen}) execute function events_oidc_revoke_user()`.execute(db);
        await sql`create function events_oidc_revoke_org() returns trigger language plpgsql
          set search_path from current
          as $$ begin ${revokeOrg}; return null; end $$`.execute(db);
        await sql`create trigger events_oidc_revoke_org after insert on events for each row
          when (${orgWhen}) execute function events_oidc_revoke_org()`.execute(db);
      } else {
        await sql`create trigger events_oidc_revoke_user after insert on events for each row
          when ${userWhen} begin ${queue}; ${revokeUser}; end`.execute(db);
        await sql`create trigger events_oidc_revoke_org after insert on events for each row
          when ${orgWhen} begin ${revokeOrg}; end`.execute(db);
      }
    },
  };
}

/**
 * Operators of the console (docs/console.md): people, their one-time links that set a password,
 * and their sign-in sessions. Links and sessions are stored as SHA-256 of the secret.
 */
function operators(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('operators')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('email', t, (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('created_at', t, (c) => c.notNull())
        .addUniqueConstraint('operators_email_uq', ['email'])
        .execute();
      await db.schema
        .createTable('operator_links')
        .addColumn('hash', t, (c) => c.primaryKey())
        .addColumn('operator_id', t, (c) => c.notNull().references('operators.id').onDelete('cascade'))
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('expires_at', t, (c) => c.notNull())
        .addColumn('used_at', t)
        .execute();
      await db.schema
        .createTable('operator_sessions')
        .addColumn('hash', t, (c) => c.primaryKey())
        .addColumn('operator_id', t, (c) => c.notNull().references('operators.id').onDelete('cascade'))
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('expires_at', t, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('operator_sessions_operator_idx')
        .on('operator_sessions')
        .column('operator_id')
        .execute();
    },
  };
}

/**
 * Members JIT sign-in created (source `sso`, docs/sso.md "Users"): `link_by` is the key an IdP's
 * SCIM create links such a member on, the SSO connection's `matchBy` when it signed them in:
 * `email` (`email_lc`), `userName` (`user_name_lc`) or `nameId` (`external_id`, which holds the
 * SAML NameID or OIDC `sub`). Null for API members, linked on their userName or email. The
 * partial index on `external_id` holds live non-SCIM members only, like migration 0140's two:
 * an empty probe in an org without any (store/linking.ts).
 */
function memberLinkBy(dialect: Dialect): Migration {
  const t = dialect === 'postgres' ? 'text collate "C"' : 'text';
  return {
    async up(db: Kysely<unknown>) {
      const ddl = [
        `alter table resources add column link_by ${t}`,
        `create index resources_linkable_external_id_idx on resources (org_id, external_id)
          where source <> 'scim' and deleted_at is null`,
      ];
      for (const statement of ddl) await sql.raw(statement).execute(db);
    },
  };
}

/**
 * Setup links (docs/console.md "Setup links"): a link the operator sends a customer's IT admin,
 * scoped to one org and to setting up its connection; stored as SHA-256 of the secret.
 */
function setupLinks(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('setup_links')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('org_id', t, (c) => c.notNull().references('orgs.id').onDelete('cascade'))
        .addColumn('prefix', t, (c) => c.notNull())
        .addColumn('hash', t, (c) => c.notNull())
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('expires_at', t, (c) => c.notNull())
        .addColumn('revoked_at', t)
        .addColumn('last_used_at', t)
        .addUniqueConstraint('setup_links_hash_uq', ['hash'])
        .execute();
      await db.schema
        .createIndex('setup_links_org_idx')
        .on('setup_links')
        .columns(['org_id', 'created_at'])
        .execute();
    },
  };
}

/**
 * One-time flashes of the console (docs/console.md "Shown once"): what a form's answer shows
 * after its redirect (post/redirect/get), a new secret among it, sealed (src/crypto/
 * secret-box.ts), bound to the operator's session and deleted as it is read or expires.
 */
function operatorFlashes(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('operator_flashes')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('session_hash', t, (c) =>
          c.notNull().references('operator_sessions.hash').onDelete('cascade'),
        )
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('expires_at', t, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('operator_flashes_session_idx')
        .on('operator_flashes')
        .column('session_hash')
        .execute();
    },
  };
}

/**
 * One-time flashes of the setup pages (docs/console.md "Shown once"): the SCIM token a setup
 * link's wizard made, kept sealed for the page its redirect opens, bound to the link (deleted
 * with it, and so with its org) and deleted as it is read or expires. The console's own
 * flashes (0220) are bound to an operator's session, which a setup link has not.
 */
function setupLinkFlashes(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('setup_link_flashes')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('link_id', t, (c) => c.notNull().references('setup_links.id').onDelete('cascade'))
        .addColumn('sealed', 'text', (c) => c.notNull())
        .addColumn('expires_at', t, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('setup_link_flashes_expiry_idx')
        .on('setup_link_flashes')
        .column('expires_at')
        .execute();
    },
  };
}

/** The migrations of this build, by name; names sort in the order they must run. */

/**
 * SSO (docs/sso.md): an org's connections to its IdPs (SAML or OIDC; `settings` is JSON,
 * `secrets` a sealed JSON object, src/crypto/secret-box.ts), its email domains (one org per
 * domain, deployment-wide: home-realm discovery), sign-in attempts (directory/sign-ins.ts:
 * started for the OIDC provider, completed by src/sso/, taken once; they expire) and the SAML
 * assertion ids seen, until their assertion expires (the replay cache every instance shares).
 */
function sso(dialect: Dialect): Migration {
  const t = text(dialect);
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('sso_connections')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('protocol', t, (c) => c.notNull())
        .addColumn('name', t, (c) => c.notNull())
        .addColumn('preset', t, (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('secrets', 'text')
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('updated_at', t, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sso_connections_org_idx')
        .on('sso_connections')
        .columns(['org_id', 'created_at'])
        .execute();
      await db.schema
        .createTable('sso_domains')
        .addColumn('domain', t, (c) => c.primaryKey())
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('connection_id', t)
        .addColumn('verify_token', t, (c) => c.notNull())
        .addColumn('verified_at', t)
        .addColumn('created_at', t, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('sso_domains_org_idx')
        .on('sso_domains')
        .columns(['org_id', 'domain'])
        .execute();
      await db.schema
        .createTable('sign_in_attempts')
        .addColumn('id', t, (c) => c.primaryKey())
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('connection_id', t, (c) => c.notNull())
        .addColumn('return_to', 'text', (c) => c.notNull())
        .addColumn('created_at', t, (c) => c.notNull())
        .addColumn('expires_at', t, (c) => c.notNull())
        .addColumn('flow', 'text')
        .addColumn('completed_at', t)
        .addColumn('user_id', t)
        .addColumn('claims', 'text')
        .addColumn('taken_at', t)
        .execute();
      await db.schema
        .createIndex('sign_in_attempts_expiry_idx')
        .on('sign_in_attempts')
        .column('expires_at')
        .execute();
      await db.schema
        .createTable('saml_assertion_ids')
        .addColumn('connection_id', t, (c) => c.notNull())
        .addColumn('assertion_id', t, (c) => c.notNull())
        .addColumn('org_id', t, (c) => c.notNull())
        .addColumn('expires_at', t, (c) => c.notNull())
        .addPrimaryKeyConstraint('saml_assertion_ids_pk', ['connection_id', 'assertion_id'])
        .execute();
      await db.schema
        .createIndex('saml_assertion_ids_expiry_idx')
        .on('saml_assertion_ids')
        .column('expires_at')
        .execute();
    },
  };
}

/**
 * A sign-in attempt's browser binding (directory/sign-ins.ts): the SHA-256 of the secret the
 * OIDC provider put in the browser that started the attempt, which /sso/begin requires.
 */
function signInBrowser(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('sign_in_attempts').addColumn('browser_hash', 'text').execute();
    },
  };
}

/**
 * What a sign-in attempt is for (directory/sign-ins.ts): `app` (the OIDC provider's sign-in of
 * a directory user), `test` (a setup page's or the console's test of a connection: the IdP's
 * answer is recorded, nobody signs in) or `operator` (the console's SSO sign-in of an operator).
 */
function signInPurpose(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('sign_in_attempts')
        .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('app'))
        .execute();
    },
  };
}

/**
 * The query of `user_groups(u)` (the user's groups as a JSON array, see userGroupsFunction),
 * run by migrations 0290 (as a SQL function) and 0300 (the same query in PL/pgSQL). A database
 * that ran 0290 runs 0300 after it, so a change to this text reaches no existing database: it
 * takes a new migration with a query of its own.
 */
const USER_GROUPS_QUERY = `
          with recursive ancestry(group_pk, direct) as (
            select m.group_pk, 1 from memberships as m where m.member_pk = u
            union
            select up.grp, 0 from ancestry as a
              cross join lateral (select m.group_pk as grp from memberships as m
                                  where m.member_pk = a.group_pk offset 0) as up
          )
          select coalesce(json_agg(json_build_array(g.id, g.display_name, d.direct) order by d.group_pk),
                          '[]'::json)
          from (select a.group_pk, max(a.direct) as direct from ancestry as a
                where a.group_pk <> u group by a.group_pk) as d
            cross join lateral (select g.id, g.display_name from resources as g
                                where g.pk = d.group_pk and g.deleted_at is null offset 0) as g`;

/**
 * PostgreSQL: `user_groups(u)`, the groups resource `u` is in, directly or through nested
 * groups (RFC 7643 §4.1.2 `groups`), as store/memberships.ts `groupsOf` reads them: a JSON
 * array of [id, display_name, direct] (direct 1, indirect 0) in group pk order, `[]` for none.
 * The token's statement calls it for a user in a group (store/resources.ts `tokenAndUnique`),
 * so that a GET of that user is one round trip, not two. That statement is prepared once per
 * connection; inside the function, as in member_page (0060), bitmap and sequential scans are
 * off and each step up is a LATERAL lookup on memberships_member_idx (kept a subquery by
 * OFFSET 0), each group's row one on its primary key: the reads do not depend on statistics.
 * Cycles end because UNION drops repeated rows. SQLite: nothing (no round trip to save).
 */
function userGroupsFunction(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`create or replace function user_groups(u bigint)
        returns json
        language sql stable
        set enable_bitmapscan = off
        set enable_seqscan = off
        set search_path from current
        as $$ ${sql.raw(USER_GROUPS_QUERY)} $$`.execute(db);
    },
  };
}

/**
 * PostgreSQL: `user_groups(u)` again (0290), the same answer at a seventh of the cost. Measured
 * on 20,000 users in a group of everyone, tables never analysed, the prepared call cost 0.86 ms
 * of backend CPU; this one 0.13 ms:
 * - UNION (which ends cycles, and reads each group once however many paths lead to it) sizes
 *   its hash table by the planner's guess of the rows, hundreds of thousands when memberships
 *   was never analysed, capped only by work_mem: megabytes allocated and cleared per call.
 *   `work_mem = 64kB` inside the function keeps that first table small (it still grows as rows
 *   come). UNION ALL … CYCLE costs as little here, but walks every path: nested groups built
 *   as a lattice would make it exponential;
 * - a SQL function's query is planned again at each execution of the statement that calls it;
 *   PL/pgSQL keeps its plan for the connection.
 */
function userGroupsPlpgsqlFunction(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`create or replace function user_groups(u bigint)
        returns json
        language plpgsql stable
        set enable_bitmapscan = off
        set enable_seqscan = off
        set work_mem = '64kB'
        set search_path from current
        as $$ begin return (${sql.raw(USER_GROUPS_QUERY)}); end $$`.execute(db);
    },
  };
}

/**
 * PostgreSQL: `users_groups(us)`, the groups of each resource in `us` (a list page's users),
 * directly or through nested groups, as store/memberships.ts `groupsOf` reads them: rows
 * (member_pk, id, display_name, direct) in member and group pk order, `direct` 1 or 0. The
 * statement it replaces ran the same recursive UNION over the whole page, and sized its hash
 * table by the planner's guess of the rows: on tables never analysed hundreds of thousands,
 * megabytes allocated and cleared for each page, planned again each time. The cure of
 * user_groups (0300): PL/pgSQL keeps the plan for the connection, `work_mem = 64kB` inside it
 * keeps the first table small, and bitmap and sequential scans are off, so that each step up
 * is a lookup on memberships_member_idx and each group's row one on its primary key.
 * SQLite: nothing (groupsOf's own statement, no round trip to save).
 */
function usersGroupsFunction(dialect: Dialect): Migration {
  return {
    async up(db: Kysely<unknown>) {
      if (dialect !== 'postgres') return;
      await sql`create or replace function users_groups(us bigint[])
        returns table (member_pk bigint, id text, display_name text, direct integer)
        language plpgsql stable
        set enable_bitmapscan = off
        set enable_seqscan = off
        set work_mem = '64kB'
        set search_path from current
        as $$
        begin
          return query
          with recursive ancestry(m_pk, g_pk, d) as (
            select m.member_pk, m.group_pk, 1 from memberships as m where m.member_pk = any(us)
            union
            select a.m_pk, up.grp, 0 from ancestry as a
              cross join lateral (select m.group_pk as grp from memberships as m
                                  where m.member_pk = a.g_pk offset 0) as up
          )
          select x.m_pk, g.id, g.display_name, x.d
          from (select a.m_pk, a.g_pk, max(a.d) as d from ancestry as a
                where a.g_pk <> a.m_pk group by a.m_pk, a.g_pk) as x
            cross join lateral (select r.id, r.display_name from resources as r
                                where r.pk = x.g_pk and r.deleted_at is null offset 0) as g
          order by x.m_pk, x.g_pk;
        end $$`.execute(db);
    },
  };
}

export function migrations(dialect: Dialect): Record<string, Migration> {
  return {
    '0001_initial': initial(dialect),
    '0002_settings': settings(dialect),
    '0003_idp_profile': idpProfile(dialect),
    '0004_request_log': requestLog(dialect),
    '0005_rate_limits': rateLimits(dialect),
    '0006_live_resources': liveResources(dialect),
    '0007_partial_term_indexes': partialTermIndexes(),
    '0008_drop_order_index': dropOrderIndex(),
    '0009_count_changes': countChanges(),
    '0010_request_log_file': requestLogFile(dialect),
    '0020_api_keys': apiKeys(dialect),
    '0025_events': events(dialect),
    '0030_token_expiry': tokenExpiry(dialect),
    '0060_member_page': memberPageFunction(dialect),
    '0061_last_modified_index': lastModifiedIndex(),
    '0070_roles': roles(dialect),
    '0080_org_custom_schema': orgCustomSchema(dialect),
    '0090_audit_actor': auditActor(dialect),
    '0091_deprovisionings': deprovisionings(dialect),
    '0100_safety_valves': safetyValves(dialect),
    '0110_event_format': eventFormat(),
    '0130_more_members_than': moreMembersThanFunction(dialect),
    '0140_member_source': memberSource(dialect),
    '0150_org_role_rules': orgRoleRules(),
    '0160_sso': sso(dialect),
    '0161_sign_in_browser': signInBrowser(),
    '0170_oidc_apps': oidcApps(dialect),
    '0171_oidc_store': oidcStore(dialect),
    '0180_operators': operators(dialect),
    '0181_setup_links': setupLinks(dialect),
    '0200_member_link_by': memberLinkBy(dialect),
    '0210_sign_in_purpose': signInPurpose(),
    '0220_operator_flashes': operatorFlashes(dialect),
    '0260_setup_link_flashes': setupLinkFlashes(dialect),
    '0290_user_groups': userGroupsFunction(dialect),
    '0300_user_groups_plpgsql': userGroupsPlpgsqlFunction(dialect),
    '0310_users_groups': usersGroupsFunction(dialect),
  };
}

class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations() {
    return migrations(this.dialect);
  }
}

/**
 * Names of this build's migrations the database has not run (readiness, /readyz): empty when
 * the schema is current. A newer build's migrations the database ran are not counted.
 */
export async function pendingMigrations(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  let migrationTableSchema: string | undefined;
  if (dialect === 'postgres') {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
  }
  const migrator = new Migrator({
    db,
    provider: new InCodeMigrationProvider(dialect),
    allowUnorderedMigrations: true,
    ...(migrationTableSchema ? { migrationTableSchema } : {}),
  });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}

/** Brings the schema up to date; throws the failing migration's error. */
export async function migrateToLatest(db: Kysely<unknown>, dialect: Dialect): Promise<string[]> {
  // Kysely looks for its own tables by name in every schema unless told which one, so two
  // databases in one PostgreSQL (schemas named by search_path) would see each other's: pin the
  // migration tables to the current schema.
  let migrationTableSchema: string | undefined;
  if (dialect === 'postgres') {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema ?? undefined;
    if (!migrationTableSchema) throw new Error('PostgreSQL search_path names no existing schema');
  }
  const run = async (target: Kysely<unknown>) => {
    const migrator = new Migrator({
      db: target,
      provider: new InCodeMigrationProvider(dialect),
      // Numbers are handed out to pieces of work that land in any order (0020 may ship before
      // 0011): a database that ran a later one still runs an earlier one it has not, in name
      // order. Migrations with numbers in different ranges therefore never depend on each other.
      allowUnorderedMigrations: true,
      ...(migrationTableSchema ? { migrationTableSchema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName;
      throw new Error(`database migration ${failed ?? ''} failed: ${String(error)}`, { cause: error });
    }
    return (results ?? []).map((r) => r.migrationName);
  };
  if (dialect !== 'postgres') return run(db);
  // Many instances may start at once on one PostgreSQL, and Kysely's migrator creates its own
  // tables before it takes its lock: hold a session advisory lock around the whole run.
  // The request budget's statement_timeout (db.ts) does not bound the run: waiting for another
  // instance's migrations, or a slow DDL statement, must not fail this instance's start. RESET
  // gives the connection back with the timeout it was opened with.
  return db.connection().execute(async (conn) => {
    await sql`set statement_timeout = 0`.execute(conn);
    try {
      await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
      try {
        return await run(conn);
      } finally {
        await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
      }
    } finally {
      await sql`reset statement_timeout`.execute(conn);
    }
  });
}

/** The advisory lock key that serialises migrations on one PostgreSQL. */
const MIGRATION_LOCK_ID = 7_245_113_901;
