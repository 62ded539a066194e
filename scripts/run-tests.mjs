#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (through tsx), prints the spec
// report, and ends with one line `N passed, M failed` for CI. The suite runs against SQLite
// and PostgreSQL (see test/helpers/dialects.ts); PostgreSQL must be reachable.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

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

let files = walk(join(root, 'test')).sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

const tmp = mkdtempSync(join(tmpdir(), 'scim-tests-'));
const tap = join(tmp, 'report.tap');
const args = [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=4',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...files.map((f) => relative(root, f)),
];
const child = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
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
