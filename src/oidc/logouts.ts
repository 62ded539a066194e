/**
 * OpenID Connect Back-Channel Logout 1.0 after deprovisioning: the revocation trigger
 * (migration 0171) queues one logout per app with a back-channel URI that the user had a grant
 * with, in the deprovisioning's transaction; this job sends them after commit, like webhooks:
 * a logout token (signed by the provider, `sub` the account, the back-channel logout event)
 * POSTed to the app's URI. A failure is tried again with doubling delays, up to MAX_ATTEMPTS.
 * Every instance runs the job; a claim pushes a logout's due time past its lease first, so two
 * instances do not send the same one at once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type Provider from 'oidc-provider';
import type { Directory } from '../directory/directory.ts';
import { accountIdOf } from '../directory/oidc.ts';

const BATCH = 20;
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 10;
const FIRST_RETRY_MS = 5_000;
/** Expired provider rows are deleted about this often. */
const PRUNE_EVERY_MS = 60_000;

export interface LogoutJob {
  /** Sends what is due now (also what the timer calls). */
  runOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startLogoutJob(
  directory: Directory,
  provider: () => Promise<Provider>,
  log: FastifyBaseLogger,
  pollMs: number,
): LogoutJob {
  let stopped = false;
  let running: Promise<number> | undefined;
  let lastPrune = 0;

  async function sendDue(): Promise<number> {
    const now = Date.now();
    if (now - lastPrune >= PRUNE_EVERY_MS) {
      lastPrune = now;
      await directory.oidc.prune();
    }
    const due = await directory.oidc.claimLogouts(BATCH, LEASE_MS);
    if (due.length === 0) return 0;
    const p = await provider();
    await Promise.all(
      due.map(async (logout) => {
        const client = (await p.Client.find(logout.clientId)) as
          | (InstanceType<Provider['Client']> & {
              backchannelLogout(sub: string, sid?: string): Promise<void>;
            })
          | undefined;
        // The app was deleted, or no longer has a back-channel URI: nothing to tell it.
        if (!client?.backchannelLogoutUri) return directory.oidc.logoutSent(logout.id);
        try {
          await client.backchannelLogout(accountIdOf(logout.orgId, logout.userId));
          await directory.oidc.logoutSent(logout.id);
        } catch (error) {
          const message = (error as Error).message;
          if (logout.attempts + 1 >= MAX_ATTEMPTS) {
            log.warn({ clientId: logout.clientId, error: message }, 'back-channel logout given up');
            return directory.oidc.logoutSent(logout.id);
          }
          await directory.oidc.logoutFailed(logout.id, FIRST_RETRY_MS * 2 ** logout.attempts, message);
        }
      }),
    );
    return due.length;
  }

  const runOnce = () => {
    running ??= sendDue().finally(() => {
      running = undefined;
    });
    return running;
  };

  const timer = setInterval(() => {
    if (stopped) return;
    runOnce().catch((error) => log.error({ err: error }, 'back-channel logout job failed'));
  }, pollMs);
  timer.unref();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}
