/**
 * The Dockerfile linter that `npm run lint` runs (scripts/lint-dockerfile.mjs): the project's
 * Dockerfile passes it, and a Dockerfile with the mistakes it exists for fails it, one line
 * per finding.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;
const lint = (path?: string) =>
  spawnSync(process.execPath, ['scripts/lint-dockerfile.mjs', ...(path ? [path] : [])], {
    cwd: root,
    encoding: 'utf8',
  });

describe('Dockerfile lint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dockerfile-lint-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("the project's Dockerfile has no findings", () => {
    const res = lint();
    assert.equal(res.status, 0, res.stdout + res.stderr);
    assert.match(res.stdout, /Dockerfile: no findings/);
  });

  test('a Dockerfile with the usual mistakes fails, naming each', () => {
    const bad = join(dir, 'Dockerfile');
    writeFileSync(
      bad,
      [
        'FROM node:latest AS build',
        'MAINTAINER someone',
        'RUN apt-get update && apt-get install -y python3',
        'FROM debian',
        'HEALTHCHECK --interval=soon CMD true',
        'USER root',
        'CMD node src/main.ts',
        '',
      ].join('\n'),
    );
    const res = lint(bad);
    assert.equal(res.status, 1, res.stdout + res.stderr);
    const lines = res.stdout.trim().split('\n');
    const expect = [
      /:1: FROM node:latest: pin the image to a version/,
      /:2: MAINTAINER has been deprecated/,
      /:3: apt-get install: add --no-install-recommends/,
      /:3: apt-get install: remove \/var\/lib\/apt\/lists/,
      /:4: FROM debian: pin the image to a tag or digest/,
      /:4: the final stage must switch to a non-root USER/,
      /:5: .*invalid duration soon/,
      /:7: CMD: use the JSON form/,
    ];
    for (const pattern of expect)
      assert.ok(
        lines.some((l) => pattern.test(l)),
        `${pattern}\n${res.stdout}`,
      );
    assert.equal(lines.length, expect.length, res.stdout);
  });
});
