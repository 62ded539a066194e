/**
 * scripts/compile-tree.mjs, which `npm test` runs first: a source that changed is compiled
 * again whether its new modification time is later or earlier than the last compile (a file
 * copied with its time kept, a checkout of another version), and an unchanged one is not.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
// @ts-expect-error: a plain JavaScript module without types
import { compileTree } from '../../scripts/compile-tree.mjs';

const compile = compileTree as (root: string, out: string) => number;

test('a changed source is compiled again, whatever its new modification time', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scim-compile-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'repo');
  const out = join(dir, 'out');
  const source = join(root, 'a.ts');
  mkdirSync(root);
  writeFileSync(source, 'export const a: number = 1;\n');
  utimesSync(source, new Date('2026-06-01T00:00:00Z'), new Date('2026-06-01T00:00:00Z'));

  assert.equal(compile(root, out), 1);
  assert.match(readFileSync(join(out, 'a.js'), 'utf8'), /export const a = 1;/);
  assert.equal(compile(root, out), 0, 'nothing changed');

  // Another version of the file, with an older time than the last compile's.
  writeFileSync(source, 'export const a: number = 2;\n');
  utimesSync(source, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
  assert.equal(compile(root, out), 1);
  assert.match(readFileSync(join(out, 'a.js'), 'utf8'), /export const a = 2;/);

  // And a newer one.
  writeFileSync(source, 'export const a: number = 3;\n');
  assert.equal(compile(root, out), 1);
  assert.match(readFileSync(join(out, 'a.js'), 'utf8'), /export const a = 3;/);
  assert.equal(compile(root, out), 0);
});
