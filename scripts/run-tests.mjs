#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner, prints the spec report, and ends
// with one line `N passed, M failed` for CI. The suite runs against SQLite and PostgreSQL (see
// test/helpers/dialects.ts); PostgreSQL must be reachable.
//
// The tests run compiled: the tree is first compiled into .build/ (scripts/compile-tree.mjs:
// types stripped, no type check) and the test files, and the servers and CLIs they start, load
// plain JavaScript without loader hooks (scripts/node-entry.ts). Through tsx each of the
// several hundred processes spent about 1.6 s more CPU loading modules. TEST_TSX=1 runs the
// TypeScript through tsx instead, as before.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { compileTree } from './compile-tree.mjs';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/**
 * Files that take longest (a minute or more here) start first: the runner starts files in the
 * order given, 4 at a time, and one long file started late would run alone at the end.
 */
const LONG_FIRST = [
  'test/http/hostile-generated',
  'test/http/costly-requests',
  'test/http/hostile',
  'test/bench/',
  'test/browser/',
  'test/e2e/',
];
const rank = (f) => {
  const i = LONG_FIRST.findIndex((p) => relative(root, f).startsWith(p));
  return i < 0 ? LONG_FIRST.length : i;
};

let files = walk(join(root, 'test'))
  .sort()
  .sort((a, b) => rank(a) - rank(b));
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const viaTsx = process.env.TEST_TSX === '1';
let cwd = root;
let loader = ['--import', 'tsx'];
if (!viaTsx) {
  const started = performance.now();
  const out = join(root, '.build');
  const compiled = compileTree(root.replace(/\/$/, ''), out);
  console.log(
    `compiled ${compiled} changed files into .build/ in ${Math.round(performance.now() - started)} ms`,
  );
  cwd = out;
  loader = [];
  files = files.map((f) => join(out, relative(root, f)).replace(/\.ts$/, '.js'));
}

const tmp = mkdtempSync(join(tmpdir(), 'scim-tests-'));
const tap = join(tmp, 'report.tap');
const args = [
  ...loader,
  '--test',
  '--test-concurrency=4',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...files.map((f) => relative(cwd, f)),
];
const child = spawn(process.execPath, args, { cwd, stdio: 'inherit', env: process.env });
child.on('exit', (code, signal) => {
  let passed = 0;
  let failed = 0;
  try {
    const report = readFileSync(tap, 'utf8');
    passed = Number(/^# pass (\d+)/m.exec(report)?.[1] ?? 0);
    failed = Number(/^# fail (\d+)/m.exec(report)?.[1] ?? 0);
    failed += Number(/^# cancelled (\d+)/m.exec(report)?.[1] ?? 0);
  } catch {
    failed = failed || 1;
  }
  rmSync(tmp, { recursive: true, force: true });
  if (passed === 0 && failed === 0) failed = 1;
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code === 0 && failed === 0 ? 0 : 1);
  void signal;
});
