/**
 * The load driver: a process of its own (forked by bench/run.ts with an IPC channel), so that
 * generating load never shares an event loop with the server measured. Every load scenario
 * runs through autocannon with the same connections and duration; latencies are recorded
 * here from autocannon's per-response event at full precision (its own histogram rounds
 * to whole milliseconds).
 *
 * argv[2]: a JSON file with the seeded user ids (user i has userName seededUserName(i)).
 */
import { readFileSync } from 'node:fs';
import autocannon, { type Request } from 'autocannon';
import { PATCH_OP, seededUserName, userBody } from './fixtures.ts';
import type {
  DriverReply,
  Job,
  LoadJob,
  LoadResult,
  Scenario,
  Target,
  WalkJob,
  WalkResult,
} from './protocol.ts';

const idsFile = process.argv[2];
const userIds: string[] = idsFile ? (JSON.parse(readFileSync(idsFile, 'utf8')) as string[]) : [];

/** Numbers userNames and titles across warm-up and measured runs, so that no two POSTs collide. */
let sequence = 0;

function randomIndex(): number {
  return Math.floor(Math.random() * userIds.length);
}

/** Growable array of latencies (ms) with nearest-rank percentiles. */
class Samples {
  private values = new Float64Array(1 << 16);
  private n = 0;
  push(v: number) {
    if (this.n === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.n++] = v;
  }
  get count() {
    return this.n;
  }
  percentiles(...ps: number[]): number[] {
    if (this.n === 0) return ps.map(() => Number.NaN);
    const sorted = this.values.slice(0, this.n).sort();
    return ps.map(
      (p) => sorted[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))] ?? Number.NaN,
    );
  }
}

function headersOf(target: Target, withBody: boolean): Record<string, string> {
  const h: Record<string, string> = {
    authorization: `Bearer ${target.token}`,
    accept: 'application/scim+json',
  };
  if (withBody) h['content-type'] = 'application/scim+json';
  return h;
}

/** The autocannon request list of a scenario, and what to hand back when it ends. */
function requestsFor(
  scenario: Scenario,
  target: Target,
): { requests: Request[]; outstanding?: () => string[] } {
  const base = target.basePath;
  const read = headersOf(target, false);
  const write = headersOf(target, true);
  switch (scenario.kind) {
    case 'floor':
      return { requests: [{ method: 'GET', path: '/Users', headers: read }] };
    case 'healthz':
      return { requests: [{ method: 'GET', path: '/healthz', headers: read }] };
    case 'get-by-id':
      return {
        requests: [
          {
            method: 'GET',
            headers: read,
            setupRequest: (r) => ({ ...r, path: `${base}/Users/${userIds[randomIndex()]}` }),
          },
        ],
      };
    case 'filter-username':
      return {
        requests: [
          {
            method: 'GET',
            headers: read,
            setupRequest: (r) => ({
              ...r,
              path: `${base}/Users?filter=${encodeURIComponent(`userName eq "${seededUserName(randomIndex())}"`)}`,
            }),
          },
        ],
      };
    case 'post-user': {
      return {
        requests: [
          {
            method: 'POST',
            path: `${base}/Users`,
            headers: write,
            setupRequest: (r) => {
              const i = sequence++;
              return {
                ...r,
                body: JSON.stringify(userBody(`post-${scenario.runId}-${i}@bench.example.com`, i)),
              };
            },
          },
        ],
      };
    }
    case 'patch-replace': {
      return {
        requests: [
          {
            method: 'PATCH',
            headers: write,
            setupRequest: (r) => ({
              ...r,
              path: `${base}/Users/${userIds[randomIndex()]}`,
              body: JSON.stringify({
                schemas: [PATCH_OP],
                Operations: [{ op: 'replace', path: 'title', value: `Title ${sequence++}` }],
              }),
            }),
          },
        ],
      };
    }
    case 'member-add-remove': {
      // Each connection adds a user that is in no group, then removes it: the group's size
      // stays constant. A user goes back to the pool only once its removal was answered.
      const pool = [...scenario.toggleUserIds];
      const path = `${base}/Groups/${scenario.groupId}`;
      return {
        requests: [
          {
            method: 'PATCH',
            path,
            headers: write,
            setupRequest: (r, context) => {
              const user = pool.pop();
              if (user === undefined)
                throw new Error('member pool exhausted: more connections than toggle users');
              context.user = user;
              return {
                ...r,
                body: JSON.stringify({
                  schemas: [PATCH_OP],
                  Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }],
                }),
              };
            },
          },
          {
            method: 'PATCH',
            path,
            headers: write,
            setupRequest: (r, context) => ({
              ...r,
              body: JSON.stringify({
                schemas: [PATCH_OP],
                Operations: [{ op: 'remove', path: `members[value eq "${String(context.user)}"]` }],
              }),
            }),
            onResponse: (_status, _body, context) => {
              if (typeof context.user === 'string') pool.push(context.user);
            },
          },
        ],
        outstanding: () => scenario.toggleUserIds.filter((u) => !pool.includes(u)),
      };
    }
  }
}

function runAutocannon(job: LoadJob, seconds: number, samples?: Samples) {
  const { requests, outstanding } = requestsFor(job.scenario, job.target);
  const statuses: Record<string, number> = {};
  let ok = 0;
  let non2xx = 0;
  let started = 0;
  return new Promise<LoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.target.origin,
        connections: job.connections,
        // autocannon ends a run at its next sample tick (sampleInt, 1 s by default), after the
        // last response: ticks of 20 ms end a run of `amount` requests soon after its last.
        ...(job.amount === undefined ? { duration: seconds } : { amount: job.amount, sampleInt: 20 }),
        pipelining: 1,
        timeout: 30,
        requests,
      },
      (error, result) => {
        if (error) return reject(error);
        const elapsed = (performance.now() - started) / 1000;
        const [p50 = Number.NaN, p99 = Number.NaN] = samples ? samples.percentiles(50, 99) : [];
        resolve({
          type: 'load',
          requestsPerSecond: ok / elapsed,
          p50,
          p99,
          ok,
          non2xx,
          errors: result.errors + result.timeouts,
          seconds: elapsed,
          statuses,
          warmupResponses: 0,
          ...(outstanding ? { outstanding: outstanding() } : {}),
        });
      },
    );
    started = performance.now();
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) {
        ok++;
        samples?.push(ms);
      } else {
        non2xx++;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    });
  });
}

async function load(job: LoadJob): Promise<LoadResult> {
  const warm = job.warmup > 0 ? await runAutocannon(job, job.warmup) : undefined;
  const result = await runAutocannon(job, job.duration, new Samples());
  return { ...result, warmupResponses: warm ? warm.ok + warm.non2xx : 0 };
}

/**
 * GET /Users page after page, one request at a time, as an IdP's import does: by startIndex
 * (RFC 7644 §3.4.2.4) or by cursor (RFC 9865). A cursor walk on a server without cursors
 * fails: the orchestrator asks only after the first page offered a nextCursor.
 */
async function walk(job: WalkJob): Promise<WalkResult> {
  const headers = headersOf(job.target, false);
  const samples = new Samples();
  const started = performance.now();
  const base = `${job.target.origin}${job.target.basePath}/Users?count=${job.pageSize}`;
  let startIndex = 1;
  let cursor = '';
  let users = 0;
  let pages = 0;
  let totalResults = 0;
  let complete = false;
  for (;;) {
    const t0 = performance.now();
    const url =
      job.paging === 'index'
        ? `${base}&startIndex=${startIndex}`
        : `${base}&cursor=${encodeURIComponent(cursor)}`;
    const response = await fetch(url, { headers });
    const body = (await response.json()) as {
      totalResults?: number;
      Resources?: unknown[];
      nextCursor?: string;
    };
    if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${JSON.stringify(body)}`);
    samples.push(performance.now() - t0);
    const n = body.Resources?.length ?? 0;
    pages++;
    users += n;
    totalResults = body.totalResults ?? totalResults;
    startIndex += n;
    const more = job.paging === 'index' ? n > 0 && startIndex <= totalResults : body.nextCursor !== undefined;
    if (!more) {
      complete = true;
      break;
    }
    cursor = body.nextCursor ?? '';
    if ((performance.now() - started) / 1000 >= job.maxSeconds) break;
  }
  const seconds = (performance.now() - started) / 1000;
  const [p50 = Number.NaN, p99 = Number.NaN] = samples.percentiles(50, 99);
  return {
    type: 'walk',
    paging: job.paging,
    users,
    pages,
    totalResults,
    seconds,
    usersPerSecond: users / seconds,
    p50,
    p99,
    complete,
  };
}

process.on('message', (job: Job) => {
  const work = job.type === 'load' ? load(job) : walk(job);
  work.then(
    (result) => process.send?.({ ok: true, result } satisfies DriverReply),
    (error: unknown) =>
      process.send?.({
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies DriverReply),
  );
});
process.on('disconnect', () => process.exit(0));
