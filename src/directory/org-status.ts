/**
 * An org's connection at a glance (the console's org list, the setup page's live status): is
 * its IdP connected (a SCIM token authenticated a request), when it last called, how many users
 * and groups it synced, what failed lately and why (the request log's hints), and how many
 * deprovisionings the safety valve holds.
 */
import * as status from '../store/org-status.ts';
import { listSsoConnections } from '../store/sso.ts';
import { countHeld } from '../store/valves.ts';
import type { DirectoryDeps } from './deps.ts';

export interface RecentFailure {
  id: number;
  at: string;
  method: string;
  path: string;
  status: number;
  scimType: string | null;
  hint: string | null;
}

export interface OrgStatus {
  /** A SCIM token of the org has authenticated a request. */
  connected: boolean;
  /** The latest request of the org's IdP that authenticated. */
  lastAuthenticatedAt: string | null;
  /** The latest request to the org's SCIM endpoint, authenticated or not. */
  lastRequestAt: string | null;
  users: number;
  groups: number;
  failuresLastDay: number;
  failuresLastHour: number;
  /** The latest failures of the last hour (up to 5), newest first. */
  recentFailures: RecentFailure[];
  heldDeprovisionings: number;
  /** The org's SSO connections: how many, and how many sign users in (enabled). */
  sso: { connections: number; enabled: number };
}

const HOUR_MS = 3600_000;

function latest(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

export class OrgStatusService {
  constructor(private readonly deps: DirectoryDeps) {}

  /** The org's status; the caller checks that the org exists. */
  async status(orgId: string): Promise<OrgStatus> {
    const db = this.deps.database.db;
    const now = this.deps.now().getTime();
    const hourAgo = new Date(now - HOUR_MS).toISOString();
    const dayAgo = new Date(now - 24 * HOUR_MS).toISOString();
    const [counts, tokenUse, logged, day, hour, failures, held, connections] = await Promise.all([
      status.liveCounts(db, orgId),
      status.lastTokenUse(db, orgId),
      status.lastLoggedRequests(db, orgId),
      status.countFailures(db, orgId, dayAgo),
      status.countFailures(db, orgId, hourAgo),
      status.recentFailures(db, orgId, hourAgo, 5),
      countHeld(db, orgId),
      listSsoConnections(db, orgId),
    ]);
    const lastAuthenticatedAt = latest(tokenUse, logged.authenticated);
    return {
      connected: lastAuthenticatedAt !== null,
      lastAuthenticatedAt,
      lastRequestAt: latest(lastAuthenticatedAt, logged.any),
      users: counts.users,
      groups: counts.groups,
      failuresLastDay: day,
      failuresLastHour: hour,
      recentFailures: failures.map((f) => ({
        id: Number(f.id),
        at: f.at,
        method: f.method,
        path: f.path,
        status: Number(f.status),
        scimType: f.scim_type,
        hint: f.hint,
      })),
      heldDeprovisionings: held,
      sso: { connections: connections.length, enabled: connections.filter((c) => c.enabled).length },
    };
  }
}
