/**
 * `npm run bench:revocation` (also the last step of `npm run bench`): how long after a SCIM
 * deactivation a signed-in user's refresh tokens stop working (docs/sso.md "Sessions, tokens
 * and deprovisioning"), written as the "Revocation" section of docs/benchmarks.md (only that
 * section).
 *
 * The app runs in this process behind real TLS on loopback (test/helpers/tls.ts), on SQLite, or
 * on PostgreSQL with BENCH_DIALECT=postgres (the tests' database). Each round signs a new user
 * in BENCH_REVOKE_SESSIONS times (default 5: five sessions, five refresh tokens), runs one
 * refresh loop per session with a stock openid-client (each refresh rotates its token), and
 * then sends the SCIM PATCH active=false over HTTPS. It records the PATCH's latency, the time
 * from the PATCH being sent to the last loop's first failing refresh, and any refresh that
 * succeeded though sent after the PATCH's answer arrived (there should be none). BENCH_REVOKE_ROUNDS
 * rounds (default 10). The SSO leg is completed through directory.signIns.complete
 * (test/helpers/oidc.ts).
 *
 * Benchmarks are not tests: nothing here fails on a slow figure.
 */
import os from 'node:os';
import { isAbsolute, join } from 'node:path';
import * as client from 'openid-client';
import type { Dialect } from '../src/store/db.ts';
import { user } from '../test/helpers/app.ts';
import { startOidcHarness } from '../test/helpers/oidc.ts';
import { tlsFetch } from '../test/helpers/tls.ts';
import { root } from './processes.ts';
import { REVOCATION_HEADING, writeSections } from './sections.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function log(message: string) {
  process.stderr.write(`[bench:revocation] ${message}\n`);
}

function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  const n = raw ? Number(raw) : fallback;
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got '${raw}'`);
  return n;
}

function percentile(sorted: number[], p: number): number {
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

interface Round {
  patchMs: number;
  lastFailureMs: number;
  refreshesBefore: number;
  lateSuccesses: number;
}

async function main() {
  const dialect: Dialect = process.env.BENCH_DIALECT === 'postgres' ? 'postgres' : 'sqlite';
  const sessions = positive('BENCH_REVOKE_SESSIONS', 5);
  const rounds = positive('BENCH_REVOKE_ROUNDS', 10);
  const loadBefore = os.loadavg()[0] ?? Number.NaN;
  const h = await startOidcHarness(dialect);
  const { t, tls } = h;
  try {
    const config = await h.discover(h.app.id, h.app.secret);
    const signIn = async (userId: string) => (await h.signIn(config, userId)).tokens.refresh_token as string;

    const results: Round[] = [];
    for (let round = 0; round < rounds; round++) {
      const res = await t.request('POST', 'Users', user(`leaver-${round}@bench.example`));
      const userId = res.json().id as string;
      const tokens = await Promise.all(Array.from({ length: sessions }, () => signIn(userId)));
      let patchSentAt = Number.POSITIVE_INFINITY;
      let patchAnsweredAt = Number.POSITIVE_INFINITY;
      let refreshesBefore = 0;
      let lateSuccesses = 0;
      const failures: number[] = [];
      const loops = tokens.map(async (first) => {
        let token = first;
        for (;;) {
          try {
            const sentAt = performance.now();
            const next = await client.refreshTokenGrant(config, token);
            // A refresh sent after the PATCH was answered must fail; one in flight may not.
            if (sentAt > patchAnsweredAt) lateSuccesses++;
            else refreshesBefore++;
            token = next.refresh_token as string;
          } catch {
            failures.push(performance.now());
            return;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 300));
      patchSentAt = performance.now();
      const patch = await tlsFetch(`${tls.origin}${t.base}/Users/${userId}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/scim+json' },
        body: JSON.stringify({
          schemas: [PATCH_OP],
          Operations: [{ op: 'replace', value: { active: false } }],
        }),
      });
      patchAnsweredAt = performance.now();
      if (patch.status !== 200) throw new Error(`PATCH answered ${patch.status}`);
      await Promise.all(loops);
      results.push({
        patchMs: patchAnsweredAt - patchSentAt,
        lastFailureMs: Math.max(...failures) - patchSentAt,
        refreshesBefore,
        lateSuccesses,
      });
      log(
        `round ${round + 1}: PATCH ${(patchAnsweredAt - patchSentAt).toFixed(1)} ms, last refresh failed ` +
          `${(Math.max(...failures) - patchSentAt).toFixed(1)} ms after it was sent`,
      );
    }

    const patch = results.map((r) => r.patchMs).sort((a, b) => a - b);
    const last = results.map((r) => r.lastFailureMs).sort((a, b) => a - b);
    const late = results.reduce((n, r) => n + r.lateSuccesses, 0);
    const refreshed = results.reduce((n, r) => n + r.refreshesBefore, 0);
    const fmt = (v: number) => v.toFixed(1);
    const date = new Date();
    const section = `${REVOCATION_HEADING}

How long after a SCIM deactivation a signed-in user's refresh tokens stop working, measured by
bench/revocation.ts (\`npm run bench:revocation\`, also run at the end of \`npm run bench\`). The
app runs in the bench's process behind TLS on loopback; ${sessions} sessions of one user refresh
in a loop each (openid-client, every refresh rotating its token) while the SCIM
\`PATCH active=false\` is sent over HTTPS. Revocation is a trigger in the PATCH's own
transaction (docs/sso.md), so the last refresh fails at most one refresh round trip after the
PATCH commits.

- Run: ${date.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${os.cpus().length} × ${
      os.cpus()[0]?.model.trim() ?? 'unknown CPU'
    }, Node ${process.version}; ${dialect === 'sqlite' ? 'SQLite (better-sqlite3, WAL)' : 'PostgreSQL'}.
- Load average (1 min): ${loadBefore.toFixed(2)} before, ${(os.loadavg()[0] ?? Number.NaN).toFixed(2)} after: other work shares this machine, and every figure moves with it.
- Settings: BENCH_REVOKE_ROUNDS=${rounds}, BENCH_REVOKE_SESSIONS=${sessions}.

| figure | median | p90 | max |
|---|---|---|---|
| SCIM PATCH active=false, sent to answered (ms) | ${fmt(percentile(patch, 50))} | ${fmt(percentile(patch, 90))} | ${fmt(percentile(patch, 100))} |
| SCIM PATCH sent to the last refresh failing (ms) | ${fmt(percentile(last, 50))} | ${fmt(percentile(last, 90))} | ${fmt(percentile(last, 100))} |

Refreshes that succeeded: ${refreshed} sent before the PATCH was answered; ${late} sent after it
(none may: a refresh in flight when the PATCH commits may answer with tokens, which the
trigger or the write's own check leaves unusable, and its next refresh fails).
`;
    const target = process.env.BENCH_OUT || 'docs/benchmarks.md';
    const out = isAbsolute(target) ? target : join(root, target);
    writeSections(out, section);
    log(`wrote the "Revocation" section of ${out}`);
  } finally {
    await h.close();
  }
}

await main();
