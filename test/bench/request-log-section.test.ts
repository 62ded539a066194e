import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { extractSection, keepRequestLogSection, replaceSection } from '../../bench/request-log-section.ts';

const SECTION = '## Request log overhead\n\nfigures A\n';

describe('the request-log section of docs/benchmarks.md', () => {
  test('npm run bench keeps it when it rewrites the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-section-'));
    try {
      const file = join(dir, 'benchmarks.md');
      writeFileSync(file, `# Benchmarks\n\n## Old\n\nold\n\n${SECTION}`);
      const next = keepRequestLogSection(file, '# Benchmarks\n\n## Listing\n\nnew\n');
      assert.equal(next, `# Benchmarks\n\n## Listing\n\nnew\n\n${SECTION}`);
      assert.equal(keepRequestLogSection(join(dir, 'missing.md'), '# B\n'), '# B\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the overhead run replaces only its section', () => {
    const doc = `# B\n\n${SECTION}\n## Memory\n\nm\n`;
    assert.equal(extractSection(doc), SECTION);
    const replaced = replaceSection(doc, '## Request log overhead\n\nfigures B\n');
    assert.equal(replaced, '# B\n\n## Request log overhead\n\nfigures B\n\n## Memory\n\nm\n');
    assert.equal(replaceSection('# B\n', SECTION), `# B\n\n${SECTION}`);
  });
});
