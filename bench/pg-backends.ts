/**
 * What a server on PostgreSQL costs beyond its own process: the CPU time of its PostgreSQL
 * backends, and the round trips it makes to them.
 *
 * - CPU: the server connects with an application_name of the bench's (withApplicationName);
 *   the backends' pids come from pg_stat_activity and their CPU time from /proc/<pid>/stat
 *   (PostgreSQL runs on this machine). A backend that appears during a measurement counts
 *   from zero (its start-up included); one that closes before its end loses what it spent
 *   since the last snapshot, so a scenario keeps the pool busy, which keeps it open.
 * - Round trips: a TCP proxy between a server and PostgreSQL counts the frontend messages
 *   that each make the backend answer and the client wait: Sync (the end of an extended-
 *   protocol query, parse, bind and execute included) and Query (a simple-protocol query).
 *   Only a server started for counting goes through it, so that the proxy never slows the
 *   measured ones.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { processTicks } from './processes.ts';

/** The URL with `application_name` set: its backends are then found by that name. */
export function withApplicationName(url: string, name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  // URLSearchParams writes spaces as '+', which pg's connection-string parser keeps literally.
  return u.toString().replace(/options=([^&]*)/, (_, v: string) => `options=${v.replace(/\+/g, '%20')}`);
}

/** CPU ticks of the backends named `name`, by pid (Linux /proc). */
export async function backendTicks(adminUrl: string, name: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where application_name = $1',
      [name],
    );
    const ticks = new Map<number, number>();
    for (const { pid } of rows) {
      const t = processTicks(pid);
      if (t !== undefined) ticks.set(pid, t);
    }
    return ticks;
  } finally {
    await client.end();
  }
}

/** Ticks the backends spent between two snapshots (backends new in `after` count from zero). */
export function ticksBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += t - (before.get(pid) ?? 0);
  return sum;
}

/** Counts the frontend messages Sync ('S') and Query ('Q') in a client's byte stream. */
class RoundTripCounter {
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;
  constructor(private readonly onRoundTrip: () => void) {}

  feed(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (!this.started) {
        // StartupMessage or SSLRequest: an int32 length and no type byte.
        if (this.buffer.length < 4) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        const code = this.buffer.readInt32BE(4);
        this.buffer = this.buffer.subarray(length);
        // 80877103: SSLRequest, 80877104: GSSENCRequest; a real startup message follows them.
        if (code !== 80877103 && code !== 80877104) this.started = true;
        continue;
      }
      if (this.buffer.length < 5) return;
      const type = String.fromCharCode(this.buffer[0] ?? 0);
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      if (type === 'S' || type === 'Q') this.onRoundTrip();
      this.buffer = this.buffer.subarray(1 + length);
    }
  }
}

export interface CountingProxy {
  /** The proxy's URL: `url` with its host and port replaced. */
  url: string;
  /** Round trips counted so far, over every connection. */
  roundTrips(): number;
  /** Any URL of the same PostgreSQL server, made to go through the proxy (its host and port replaced). */
  via(url: string): string;
  close(): Promise<void>;
}

/** Starts a round-trip counting proxy to the PostgreSQL server of `url`, on a loopback port. */
export async function startCountingProxy(url: string): Promise<CountingProxy> {
  const target = new URL(url);
  const host = target.hostname || '127.0.0.1';
  const port = Number(target.port || 5432);
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host, port });
    sockets.add(client);
    sockets.add(upstream);
    const counter = new RoundTripCounter(() => {
      count++;
    });
    client.on('data', (chunk: Buffer) => {
      counter.feed(chunk);
      upstream.write(chunk);
    });
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  const via = (other: string) => {
    const proxied = new URL(other);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(address.port);
    return proxied.toString();
  };
  return {
    url: via(url),
    via,
    roundTrips: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
