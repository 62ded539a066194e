/**
 * The `conformance` command and its runner: against our own server on a loopback port (passes),
 * against a server answering 500 (every step reported, exit 1), and against a server that only
 * creates (dependents skipped by name, cleanup deletes what was created). Never prints the token.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../../src/cli/cli.ts';
import { runScenario } from '../../src/conformance/runner.ts';
import { scenarioFor } from '../../src/conformance/scenarios/index.ts';
import { dialects } from '../helpers/dialects.ts';
import { type LiveServer, startLiveServer } from './server.ts';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  // A database that cannot be opened: the command must not need one.
  const env = { DATABASE_URL: 'sqlite:/nonexistent/conformance/never.db', LOG_LEVEL: 'silent' };
  const code = await runCli(argv, env, {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').at(-1) ?? '';
}

interface Seen {
  method: string;
  url: string;
}

/** A node:http server answering with `answer`; records what it was sent. */
async function fakeServer(
  answer: (method: string, url: string) => { status: number; body?: unknown },
): Promise<{ base: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = (req.url ?? '').replace(/^\/scim/, '');
      seen.push({ method: req.method ?? '', url });
      const { status, body } = answer(req.method ?? '', url);
      res.writeHead(status, { 'content-type': 'application/scim+json' });
      res.end(body === undefined ? '' : JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}/scim`,
    seen,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

const TOKEN = 'scim_not-a-real-token-but-secret-all-the-same';

describe('conformance command', () => {
  let live: LiveServer;
  before(async () => {
    live = await startLiveServer(dialects[0] ?? 'sqlite');
  });
  after(async () => {
    await live.close();
  });

  test('against our server: every step passes, exit 0, ends with "N passed, 0 failed"', async () => {
    const { base, token } = await live.org('Conformance CLI', 'jumpcloud');
    const res = await cli('conformance', '--base', base, '--token', token, '--idp', 'jumpcloud');
    assert.equal(res.code, 0, res.out + res.err);
    const steps = scenarioFor('jumpcloud')?.steps.length;
    assert.equal(lastLine(res.out), `${steps} passed, 0 failed`);
    assert.equal(res.out.match(/^\d+ passed, \d+ failed$/gm)?.length, 1, 'exactly one tally line');
    assert.match(res.out, /^JumpCloud \(jumpcloud\), run [0-9a-f]{8}$/m);
    assert.match(res.out, /^ {2}✓ activation: create a test user$/m);
    assert.doesNotMatch(res.out, /✗/);
    assert.equal(res.out.includes(token), false, 'the token is never printed');

    const json = await cli('conformance', '--base', base, '--token', token, '--idp', 'generic', '--json');
    assert.equal(json.code, 0, json.out + json.err);
    const summary = JSON.parse(json.out);
    assert.equal(summary.failed, 0);
    assert.equal(summary.scenarios[0].idp, 'generic');
    assert.equal(json.out.includes(token), false);
    assert.equal(json.out.includes('t1meMachine!'), false, 'passwords are redacted in JSON too');
  });

  test('against a server answering 500: each failing step with request and reason, exit 1', async () => {
    const broken = await fakeServer(() => ({ status: 500, body: { detail: 'boom' } }));
    try {
      const res = await cli('conformance', '--base', broken.base, '--token', TOKEN, '--idp', 'okta');
      assert.equal(res.code, 1);
      const steps = scenarioFor('okta')?.steps.length;
      assert.equal(lastLine(res.out), `0 passed, ${steps} failed`);
      assert.match(
        res.out,
        /✗ create user \(password, locale, groups \[\], externalId\)\n {6}request: POST \/Users\n {6}body: \{.*"password":"\[redacted\]"/,
      );
      assert.match(res.out, /reason: status 500, expected 201: boom/);
      assert.match(
        res.out,
        /reason: skipped: depends on step "create user \(password, locale, groups \[\], externalId\)"/,
      );
      assert.equal(res.out.includes(TOKEN), false, 'the token is never printed');
      assert.equal(res.out.includes('tT9!kq-conformance-Pw'), false, 'the password is never printed');
      assert.ok(broken.seen.length > 0 && broken.seen.every((s) => s.url.startsWith('/')));
    } finally {
      await broken.close();
    }
  });

  test('a token the server refuses: stops at the first step with one message, exit 1', async () => {
    const { base } = await live.org('Conformance refused', 'okta');
    for (const json of [false, true]) {
      const res = await cli('conformance', '--base', base, '--token', TOKEN, ...(json ? ['--json'] : []));
      assert.equal(res.code, 1);
      assert.equal(res.out, '');
      const lines = res.err.trimEnd().split('\n');
      assert.equal(lines.length, 1, res.err);
      const message = json ? JSON.parse(lines[0]!).error : lines[0]!;
      assert.match(message, /refused the token \(401: .*\) at http:.*check --token/);
      assert.equal(res.err.includes(TOKEN), false, 'the token is never printed');
    }
    const seen = await fakeServer(() => ({ status: 401, body: { detail: 'no' } }));
    try {
      const res = await cli('conformance', '--base', seen.base, '--token', TOKEN);
      assert.equal(res.code, 1);
      assert.equal(seen.seen.length, 1, 'one request, then nothing');
    } finally {
      await seen.close();
    }
  });

  test('usage errors: unknown IdP, bad base URL, missing token', async () => {
    const unknown = await cli(
      'conformance',
      '--base',
      'http://127.0.0.1:9',
      '--token',
      TOKEN,
      '--idp',
      'nope',
    );
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.err, /nope/);
    const bad = await cli('conformance', '--base', 'ftp://x', '--token', TOKEN);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--base must be an http\(s\) URL/);
    const missing = await cli('conformance', '--base', 'http://127.0.0.1:9');
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /--token/);
  });
});

describe('conformance runner', () => {
  test('a server that only creates: dependents are skipped by name, cleanup deletes what was created', async () => {
    let n = 0;
    const fake = await fakeServer((method, url) => {
      if (method === 'POST' && /^\/(Users|Groups)$/.test(url))
        return { status: 201, body: { id: `id-${++n}` } };
      if (method === 'DELETE') return { status: 204 };
      return { status: 500 };
    });
    try {
      const scenario = scenarioFor('jumpcloud');
      assert.ok(scenario);
      const result = await runScenario(scenario, { base: fake.base, token: TOKEN });
      const step = (name: string) => result.steps.find((s) => s.name === name);
      assert.equal(step('activation: create a test user')?.passed, true);
      assert.equal(step('activation: delete the test user')?.passed, true);
      // The GET after the delete was sent (it depends on the passed delete) and failed on status.
      assert.deepEqual(step('activation: the test user is gone')?.reasons, ['status 500, expected 404']);
      // The duplicate got 201: a failure, and the id it returned is cleaned up too.
      assert.match(step('duplicate create is 409 uniqueness')?.reasons[0] ?? '', /^status 201, expected 409/);
      assert.deepEqual(step('read after update')?.reasons, [
        'skipped: depends on step "update: per-attribute replace ops with paths"',
      ]);
      assert.equal(step('read after update')?.request, undefined, 'a skipped step sends nothing');
      // Everything POSTed and not deleted by the scenario is deleted at the end, groups first.
      const created = fake.seen.filter((s) => s.method === 'POST').length;
      const deletes = fake.seen.filter((s) => s.method === 'DELETE').map((s) => s.url);
      assert.equal(new Set(deletes).size, created, 'every created resource deleted exactly once');
      const cleanup = result.cleanup.map((c) => c.request.path);
      assert.ok(cleanup.length > 0);
      assert.ok(
        cleanup.findIndex((p) => p.startsWith('/Users')) >
          cleanup.findLastIndex((p) => p.startsWith('/Groups')),
      );
      assert.ok(result.cleanup.every((c) => c.passed));
      assert.equal(result.failed, result.steps.filter((s) => !s.passed).length);
    } finally {
      await fake.close();
    }
  });
});
