/**
 * Keeps docs/api.md in step with the code: its error table with the problem codes in
 * src/http/api/problems.ts, its audit trail section with the actions and resource types the
 * trail records (src/directory/audit.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { AUDIT_ACTIONS, AUDIT_RESOURCE_TYPES } from '../../src/directory/audit.ts';
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

test("every audit action and resource type is named in docs/api.md's audit trail section", () => {
  const doc = readFileSync(`${root}docs/api.md`, 'utf8');
  const start = doc.indexOf('\n## Audit trail');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const named = new Set([...section.matchAll(/`([A-Za-z_.]+)`/g)].map((m) => m[1]));
  const missing = [...AUDIT_ACTIONS, ...AUDIT_RESOURCE_TYPES].filter((name) => !named.has(name));
  assert.deepEqual(missing, [], 'docs/api.md "Audit trail" names each, in backquotes');
});
