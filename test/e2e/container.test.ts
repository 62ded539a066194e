/**
 * The container image without a container engine (none runs on this machine): the Dockerfile's
 * structure is checked (multi-stage, non-root runtime, HEALTHCHECK on /healthz, sources not
 * excluded by .dockerignore), and its start command runs here as a process with the image's
 * environment: it serves, its HEALTHCHECK command passes, /readyz is ready, an unsafe setting
 * and a request to an unknown org are logged, and SIGTERM stops it with exit code 0.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { root, runProcess } from '../helpers/process.ts';

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const stages: string[][] = [];
for (const line of instructions) {
  if (/^FROM /i.test(line)) stages.push([]);
  stages.at(-1)?.push(line);
}
const runtime = stages.at(-1) ?? [];
const jsonArgs = (line: string) => JSON.parse(line.replace(/^\S+\s+/, '').replace(/^CMD\s+/, '')) as string[];

function freePort(): Promise<number> {
  const s = createServer();
  return new Promise((resolve) =>
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    }),
  );
}

describe('container image', () => {
  test('Dockerfile: multi-stage, non-root runtime, HEALTHCHECK on /healthz, npm start command', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    assert.match(runtime[0]!, /^FROM node:20[\w.-]*-slim AS runtime$/);
    const user = runtime.find((l) => /^USER /.test(l));
    assert.ok(user && !/^USER (root|0)\b/.test(user), 'the runtime runs as a non-root user');
    const health = runtime.find((l) => /^HEALTHCHECK /.test(l));
    assert.match(health ?? '', /CMD \[.*\/healthz/);
    const cmd = runtime.find((l) => /^CMD /.test(l));
    const start = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
    ).scripts.start;
    assert.equal(jsonArgs(cmd!).join(' '), start, 'the image starts the server as `npm start` does');
    assert.ok(
      !runtime.some((l) => /^RUN .*(apt-get install|npm (ci|install))/.test(l)),
      'nothing built at runtime',
    );
  });

  test('.dockerignore keeps out what the image must not hold, and nothing it copies', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const must of ['node_modules', '.git', 'data', '*.db']) assert.ok(ignored.includes(must), must);
    const copied = instructions
      .filter((l) => /^COPY /.test(l) && !/--from=/.test(l))
      .flatMap((l) =>
        l
          .split(/\s+/)
          .slice(1, -1)
          .filter((a) => !a.startsWith('--')),
      );
    assert.ok(copied.length > 0);
    for (const source of copied) {
      assert.ok(existsSync(join(root, source)), `${source} exists`);
      assert.ok(!ignored.includes(source), `${source} is not ignored`);
    }
  });

  test('compose.yaml: the image on PostgreSQL, secrets from the environment', () => {
    const compose = readFileSync(join(root, 'compose.yaml'), 'utf8');
    assert.match(compose, /^ {2}postgres:\n {4}image: postgres:/m);
    assert.match(compose, /^ {2}scimitar:\n {4}build: \./m);
    assert.match(
      compose,
      /DATABASE_URL: postgres:\/\/scimitar:\$\{POSTGRES_PASSWORD\}@postgres:5432\/scimitar/,
    );
    assert.match(compose, /CURSOR_SECRET: \$\{CURSOR_SECRET:\?/);
    assert.match(compose, /BOOTSTRAP: "false"/);
  });

  describe('the start command, outside a container', () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-image-'));
    let child: ChildProcess | undefined;
    after(() => {
      if (child && child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    test('serves, passes its HEALTHCHECK, is ready, and stops on SIGTERM', async () => {
      const env: Record<string, string> = {};
      for (const line of runtime.filter((l) => /^ENV /.test(l))) {
        for (const [, k, v] of line.slice(4).matchAll(/(\w+)=(\S+)/g)) env[k!] = v!;
      }
      assert.equal(env.BOOTSTRAP, 'false');
      const port = await freePort();
      Object.assign(env, {
        // Loopback here; the image listens on every interface of its own network namespace.
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: `sqlite:${join(dir, 'scim.db')}`,
        PUBLIC_URL: 'http://scim.example.com',
        LOG_LEVEL: 'info',
      });
      const cmd = jsonArgs(runtime.find((l) => /^CMD /.test(l))!);
      assert.equal(cmd[0], 'node');
      child = spawn(process.execPath, cmd.slice(1), {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (d) => {
        output += d;
      });
      child.stderr?.on('data', (d) => {
        output += d;
      });
      const exited = new Promise<number | null>((r) => child?.once('exit', (code) => r(code)));
      await new Promise<void>((resolve, reject) => {
        const check = () => /SCIM server listening/.test(output) && resolve();
        child?.stdout?.on('data', check);
        void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
      });
      assert.doesNotMatch(output, /Created organization/, 'BOOTSTRAP=false in the image');
      // The warning goes to stderr, which may reach us after stdout's "listening" line.
      const warning = /PUBLIC_URL is http:\/\/scim\.example\.com/;
      for (let i = 0; i < 200 && !warning.test(output); i++) await new Promise((r) => setTimeout(r, 25));
      assert.match(
        output,
        /PUBLIC_URL is http:\/\/scim\.example\.com: IdPs would send their bearer tokens unencrypted/,
      );

      const healthcheck = runtime.find((l) => /^HEALTHCHECK /.test(l))!;
      const probe = JSON.parse(healthcheck.slice(healthcheck.indexOf('CMD') + 3).trim()) as string[];
      const health = await runProcess(probe.slice(1), { PORT: String(port) });
      assert.equal(health.code, 0, `HEALTHCHECK failed: ${health.stderr}`);

      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      assert.equal(ready.status, 200);
      const typo = await fetch(`http://127.0.0.1:${port}/scim/v2/acme-crop/Users`, {
        headers: { authorization: 'Bearer scim_x' },
      });
      assert.equal(typo.status, 401);
      const discovery = await fetch(`http://127.0.0.1:${port}/scim/v2/acme-crop/ServiceProviderConfig`);
      assert.equal(discovery.status, 404);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      assert.match(metrics, /^scimitar_unknown_org_requests_total\{service="scimitar"\} 2$/m);

      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(output, /request for an organization that does not exist/);
      assert.match(output, /"org":"acme-crop"/);
    });
  });
});
