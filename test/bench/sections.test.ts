import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { REPORT_HEADINGS } from '../../bench/report.ts';
import { mergeSections, splitSections, writeSections } from '../../bench/sections.ts';

const owned = (heading: string) => REPORT_HEADINGS.has(heading);

/** docs/benchmarks.md as the scripts leave it: bench/run.ts's part, then the others'. */
const FILE = [
  '# Benchmarks',
  '',
  'Written by `npm run bench` on day 1.',
  '',
  '## Run',
  '',
  'run 1',
  '',
  '## Memory',
  '',
  'memory 1',
  '',
  '## Missed targets',
  '',
  '### Peak RSS',
  '',
  'why: 1',
  '',
  '## Notes',
  '',
  '- note 1',
  '',
  '## Request log overhead',
  '',
  'overhead 1',
  '',
  '## Events',
  '',
  'events 1',
  '',
  '## Roles (SQLite)',
  '',
  'roles sqlite 1',
  '',
  '## Roles (PostgreSQL)',
  '',
  'roles pg 1',
  '',
].join('\n');

describe('bench/sections.ts: each bench script replaces only its own sections', () => {
  test('splits a file into its preamble and its ## sections, ### headings inside them', () => {
    const { preamble, sections } = splitSections(FILE);
    assert.equal(preamble, '# Benchmarks\n\nWritten by `npm run bench` on day 1.');
    assert.deepEqual(
      sections.map((s) => s.heading),
      [
        '## Run',
        '## Memory',
        '## Missed targets',
        '## Notes',
        '## Request log overhead',
        '## Events',
        '## Roles (SQLite)',
        '## Roles (PostgreSQL)',
      ],
    );
    assert.equal(sections[2]?.text, '## Missed targets\n\n### Peak RSS\n\nwhy: 1');
    assert.deepEqual(splitSections('```\n## not a heading\n```\n').sections, []);
  });

  test('bench/run.ts rewrites its report and keeps the sections of every other script', () => {
    const report = [
      '# Benchmarks',
      '',
      'Written by `npm run bench` on day 2.',
      '',
      '## Run',
      '',
      'run 2',
      '',
      '## Directory',
      '',
      'directory 2',
      '',
      '## Memory',
      '',
      'memory 2',
      '',
      '## Missed targets',
      '',
      'None.',
      '',
    ].join('\n');
    const merged = mergeSections(FILE, report, owned);
    assert.equal(
      merged,
      [
        '# Benchmarks',
        '',
        'Written by `npm run bench` on day 2.',
        '',
        '## Run',
        '',
        'run 2',
        '',
        '## Directory',
        '',
        'directory 2',
        '',
        '## Memory',
        '',
        'memory 2',
        '',
        '## Missed targets',
        '',
        'None.',
        '',
        // "## Notes" is bench/run.ts's and this run had none: gone.
        '## Request log overhead',
        '',
        'overhead 1',
        '',
        '## Events',
        '',
        'events 1',
        '',
        '## Roles (SQLite)',
        '',
        'roles sqlite 1',
        '',
        '## Roles (PostgreSQL)',
        '',
        'roles pg 1',
        '',
      ].join('\n'),
    );
    assert.equal(mergeSections(merged, report, owned), merged, 'the same report twice changes nothing');
  });

  test('a script writing one section replaces it in place, or appends it, and keeps the rest', () => {
    const roles = '## Roles (SQLite)\n\nroles sqlite 2\n';
    assert.equal(mergeSections(FILE, roles), FILE.replace('roles sqlite 1', 'roles sqlite 2'));
    const events = '## Events\n\nevents $& $1 2\n';
    assert.equal(
      mergeSections(FILE, events),
      FILE.replace('events 1', () => 'events $& $1 2'),
    );
    const shapes = '## Filter shapes\n\nshapes 1\n';
    assert.equal(mergeSections(FILE, shapes), `${FILE}\n${shapes}`);
    assert.equal(mergeSections('# Benchmarks\n', shapes), `# Benchmarks\n\n${shapes}`);
    assert.equal(mergeSections('', shapes), shapes);
  });

  test('a report into a file that only holds other sections goes above them', () => {
    const merged = mergeSections(
      '# Benchmarks\n\n## Events\n\ne\n',
      '# Benchmarks\n\nday 3\n\n## Run\n\nr\n',
      owned,
    );
    assert.equal(merged, '# Benchmarks\n\nday 3\n\n## Run\n\nr\n\n## Events\n\ne\n');
  });

  test('writeSections reads the file, or starts one, and writes the merge', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-sections-'));
    try {
      const file = join(dir, 'benchmarks.md');
      writeSections(file, '## Revocation\n\nr 1\n');
      assert.equal(readFileSync(file, 'utf8'), '# Benchmarks\n\n## Revocation\n\nr 1\n');
      writeFileSync(file, FILE);
      writeSections(file, '# Benchmarks\n\nday 4\n\n## Run\n\nrun 4\n', owned);
      const after = readFileSync(file, 'utf8');
      assert.match(after, /^# Benchmarks\n\nday 4\n\n## Run\n\nrun 4\n\n## Request log overhead\n/);
      for (const kept of ['overhead 1', 'events 1', 'roles sqlite 1', 'roles pg 1'])
        assert.ok(after.includes(kept));
      for (const gone of ['memory 1', 'why: 1', 'note 1']) assert.ok(!after.includes(gone), gone);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
