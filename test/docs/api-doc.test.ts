/** Keeps docs/api.md's error table in step with the problem codes in src/http/api/problems.ts. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { PROBLEM_CODES } from '../../src/http/api/problems.ts';

const root = new URL('../..', import.meta.url).pathname;

test('every problem code is documented with its status, and nothing else is', () => {
  const doc = readFileSync(`${root}docs/api.md`, 'utf8');
  const rows = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`([a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (code && /^\d{3}$/.test(cells[2] ?? '')) rows.set(code, cells[2] as string);
  }
  for (const [code, status] of Object.entries(PROBLEM_CODES)) {
    assert.equal(rows.get(code), String(status), `docs/api.md: row for ${code}`);
  }
  assert.deepEqual([...rows.keys()].sort(), Object.keys(PROBLEM_CODES).sort());
});
