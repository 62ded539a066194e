/**
 * Each IdP's recorded lifecycle (src/conformance/scenarios/, written from docs/idp-notes.md), played
 * over real HTTP against the real app on each database, in an org with that IdP's profile and
 * in an org with the default profile (`generic`), which must serve every IdP as well: every
 * step must pass, and the run's cleanup must leave nothing behind.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatScenario } from '../../src/conformance/report.ts';
import { runScenario } from '../../src/conformance/runner.ts';
import { scenarios } from '../../src/conformance/scenarios/index.ts';
import { dialects } from '../helpers/dialects.ts';
import { type LiveServer, startLiveServer } from './server.ts';

async function count(base: string, token: string, endpoint: string): Promise<number> {
  const res = await fetch(`${base}/${endpoint}?count=0`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { totalResults: number }).totalResults;
}

for (const dialect of dialects) {
  describe(`IdP lifecycles over real HTTP (${dialect})`, () => {
    let server: LiveServer;
    before(async () => {
      server = await startLiveServer(dialect);
    });
    after(async () => {
      await server.close();
    });

    for (const scenario of scenarios) {
      const profiles = scenario.idp === 'generic' ? ['generic'] : [scenario.idp, 'generic'];
      for (const profile of profiles) {
        test(`${scenario.title} (${scenario.idp}) in an org with profile ${profile}: every step passes and cleanup leaves nothing`, async () => {
          const { base, token } = await server.org(`${scenario.title} tenant (${profile})`, profile);
          const result = await runScenario(scenario, { base, token });
          assert.equal(result.steps.length, scenario.steps.length);
          assert.equal(result.failed, 0, `\n${formatScenario(result, { onlyFailures: true })}`);
          assert.equal(await count(base, token, 'Users'), 0, 'users left behind');
          assert.equal(await count(base, token, 'Groups'), 0, 'groups left behind');
        });
      }
    }
  });
}
