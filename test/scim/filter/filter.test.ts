import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ScimError } from '../../../src/scim/errors.ts';
import type { FilterNode } from '../../../src/scim/filter/ast.ts';
import { matchesElement, matchesFilter } from '../../../src/scim/filter/evaluate.ts';
import { parseFilter, parseValueFilter } from '../../../src/scim/filter/parse.ts';
import { ENTERPRISE_USER, GROUP, USER } from '../../../src/scim/schema/definitions.ts';
import { resolveAttribute } from '../../../src/scim/schema/resolve.ts';
import { filterCases, filterErrorCases } from '../../cases/filter-cases.ts';
import { fixtureUsers } from '../../cases/users-fixture.ts';

function idsMatching(filter: string): string[] {
  const node = parseFilter(filter, USER);
  return fixtureUsers
    .filter((u) => matchesFilter(node, u))
    .map((u) => u.id as string)
    .sort();
}

function assertInvalidFilter(fn: () => unknown, detailIncludes: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ScimError, `expected ScimError, got ${String(e)}`);
    assert.equal(e.status, 400);
    assert.equal(e.scimType, 'invalidFilter');
    assert.ok(
      e.detail.includes(detailIncludes),
      `detail ${JSON.stringify(e.detail)} lacks ${detailIncludes}`,
    );
    return true;
  });
}

describe('bounds on the number of comparisons', () => {
  const chain = (term: string, join: string, n: number) => Array.from({ length: n }, () => term).join(join);
  test('32 comparisons in a filter and 10 inside its value filters parse; one more does not', () => {
    parseFilter(chain('title pr', ' and ', 32), USER);
    parseFilter(chain('userName eq "x"', ' or ', 32), USER);
    parseFilter(`emails[${chain('type pr', ' and ', 10)}]`, USER);
    // A value path counts one more than its inside: 10 paths + 10 inside + 12 = 32.
    parseFilter(`${chain('emails[type pr]', ' and ', 10)} and ${chain('title pr', ' and ', 12)}`, USER);
    parseValueFilter(chain('type pr', ' or ', 10), USER, resolveAttribute(USER, 'emails')!);
    assertInvalidFilter(() => parseFilter(chain('title pr', ' and ', 33), USER), 'more than 32 comparisons');
    assertInvalidFilter(
      () => parseFilter(`not (${chain('userName eq "x"', ' or ', 33)})`, USER),
      'more than 32 comparisons',
    );
    assertInvalidFilter(
      () =>
        parseFilter(`${chain('emails[type pr]', ' and ', 10)} and ${chain('title pr', ' and ', 13)}`, USER),
      'more than 32 comparisons',
    );
    assertInvalidFilter(
      () => parseFilter(`emails[${chain('type pr', ' and ', 11)}]`, USER),
      'Value filters have more than 10 comparisons in all',
    );
    assertInvalidFilter(
      () =>
        parseFilter(
          `emails[${chain('type pr', ' and ', 6)}] or addresses[${chain('type pr', ' and ', 5)}]`,
          USER,
        ),
      'Value filters have more than 10 comparisons in all',
    );
    assertInvalidFilter(
      () => parseValueFilter(chain('type pr', ' or ', 11), USER, resolveAttribute(USER, 'emails')!),
      'more than 10 comparisons',
    );
  });
});

describe('filter case table (in-memory evaluator)', () => {
  test('fixture ids are unique and the table is large enough', () => {
    const ids = fixtureUsers.map((u) => u.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(filterCases.length >= 80);
    assert.ok(filterErrorCases.length >= 25);
    assert.equal(new Set(filterCases.map((c) => c.name)).size, filterCases.length, 'case names are unique');
  });
  for (const c of filterCases) {
    test(c.name, () => {
      assert.deepEqual(idsMatching(c.filter), [...c.expect].sort(), c.filter);
    });
  }
});

describe('filter error table', () => {
  for (const c of filterErrorCases) {
    test(c.name, () => assertInvalidFilter(() => parseFilter(c.filter, USER), c.detailIncludes));
  }
});

const ref = (path: string, extra: Partial<Record<string, unknown>> = {}) => ({
  path,
  location: path.split('.'),
  type: 'string',
  caseExact: false,
  multiValued: false,
  ...extra,
});

describe('AST shape', () => {
  const eq = (path: string, value: string) => ({ op: 'eq', attr: ref(path), value });

  test('and binds tighter than or', () => {
    assert.deepEqual(parseFilter('title eq "a" or title eq "b" and title eq "c"', USER), {
      op: 'or',
      left: eq('title', 'a'),
      right: { op: 'and', left: eq('title', 'b'), right: eq('title', 'c') },
    });
  });

  test('and and or are left-associative', () => {
    assert.deepEqual(parseFilter('title eq "a" or title eq "b" or title eq "c"', USER), {
      op: 'or',
      left: { op: 'or', left: eq('title', 'a'), right: eq('title', 'b') },
      right: eq('title', 'c'),
    });
    assert.deepEqual(parseFilter('title eq "a" and title eq "b" and title eq "c"', USER), {
      op: 'and',
      left: { op: 'and', left: eq('title', 'a'), right: eq('title', 'b') },
      right: eq('title', 'c'),
    });
  });

  test('not binds tighter than and; parentheses group', () => {
    assert.deepEqual(parseFilter('not (title eq "a") and (title eq "b" or title eq "c")', USER), {
      op: 'and',
      left: { op: 'not', filter: eq('title', 'a') },
      right: { op: 'or', left: eq('title', 'b'), right: eq('title', 'c') },
    });
  });

  test('canonical names, lower-case operators, literal case kept', () => {
    assert.deepEqual(parseFilter('USERNAME EQ "MiXeD"', USER), {
      op: 'eq',
      attr: ref('userName'),
      value: 'MiXeD',
    });
  });

  test('valuePath refs are full paths of sub-attributes', () => {
    assert.deepEqual(parseFilter('emails[type eq "work" and primary eq true]', USER), {
      op: 'valuePath',
      attr: ref('emails', { type: 'complex', multiValued: true }),
      filter: {
        op: 'and',
        left: { op: 'eq', attr: ref('emails.type', { multiValued: true }), value: 'work' },
        right: { op: 'eq', attr: ref('emails.primary', { type: 'boolean', multiValued: true }), value: true },
      },
    });
  });

  test('complex attribute compared through its value sub-attribute', () => {
    assert.deepEqual(parseFilter('emails co "x"', USER), {
      op: 'co',
      attr: ref('emails.value', { multiValued: true }),
      value: 'x',
    });
  });

  test('extension paths: canonical path and document location', () => {
    assert.deepEqual(parseFilter(`${ENTERPRISE_USER.toLowerCase()}:MANAGER.value eq "m"`, USER), {
      op: 'eq',
      attr: {
        path: `${ENTERPRISE_USER}:manager.value`,
        location: [ENTERPRISE_USER, 'manager', 'value'],
        type: 'string',
        caseExact: false,
        multiValued: false,
      },
      value: 'm',
    });
  });

  test('pr on complex keeps the complex attribute', () => {
    assert.deepEqual(parseFilter('name pr', USER), { op: 'pr', attr: ref('name', { type: 'complex' }) });
  });

  test('null comparisons', () => {
    assert.deepEqual(parseFilter('title eq null', USER), { op: 'eq', attr: ref('title'), value: null });
    assert.deepEqual(parseFilter('name ne null', USER), { op: 'pr', attr: ref('name', { type: 'complex' }) });
    assert.deepEqual(parseFilter('name eq null', USER), {
      op: 'not',
      filter: { op: 'pr', attr: ref('name', { type: 'complex' }) },
    });
  });

  test('caseExact comes from the schema', () => {
    const node = parseFilter('externalId eq "A" and id eq "b" and meta.resourceType eq "User"', USER) as {
      left: { left: { attr: { caseExact: boolean } }; right: { attr: { caseExact: boolean } } };
      right: { attr: { caseExact: boolean } };
    };
    assert.equal(node.left.left.attr.caseExact, true);
    assert.equal(node.left.right.attr.caseExact, true);
    assert.equal(node.right.attr.caseExact, true);
  });

  const literalOf = (filter: string) => (parseFilter(filter, USER) as { value: unknown }).value;

  test('dateTime literals are normalised to UTC milliseconds', () => {
    assert.equal(literalOf('meta.created gt "2024-01-01T01:02:03+02:00"'), '2023-12-31T23:02:03.000Z');
    assert.equal(literalOf('meta.created gt "2024-01-01T01:02:03.5Z"'), '2024-01-01T01:02:03.500Z');
    assert.equal(literalOf('meta.created gt "2024-01-01t01:02:03z"'), '2024-01-01T01:02:03.000Z');
    assert.equal(literalOf('meta.created gt "2024-01-01T01:02:03"'), '2024-01-01T01:02:03.000Z');
    assert.equal(literalOf('meta.created gt "2024-02-29T00:00:00Z"'), '2024-02-29T00:00:00.000Z');
    assert.equal(literalOf('meta.created sw "2024-01-01t"'), '2024-01-01T');
  });

  test('number and boolean literals on string attributes become text', () => {
    assert.equal(literalOf('title eq 1.50'), '1.50');
    assert.equal(literalOf('title eq -2e3'), '-2e3');
    assert.equal(literalOf('title eq TRUE'), 'true');
  });

  test('string escapes are decoded', () => {
    assert.equal(literalOf('title eq "a\\"b\\\\c\\/d\\n\\u00e9"'), 'a"b\\c/d\né');
    assert.equal(literalOf('title eq "] and ( [ \\" )"'), '] and ( [ " )');
  });

  test('nesting up to the limit is accepted', () => {
    const deep = `${'('.repeat(64)}userName pr${')'.repeat(64)}`;
    assert.deepEqual(parseFilter(deep, USER), { op: 'pr', attr: ref('userName') });
  });

  test('Group schema: members value path', () => {
    assert.deepEqual(parseFilter('members[value eq "u-1"]', GROUP), {
      op: 'valuePath',
      attr: ref('members', { type: 'complex', multiValued: true }),
      filter: { op: 'eq', attr: ref('members.value', { multiValued: true }), value: 'u-1' },
    });
    assertInvalidFilter(() => parseFilter('userName eq "x"', GROUP), "Unknown attribute 'userName'");
  });
});

describe('parseValueFilter and matchesElement', () => {
  const emails = resolveAttribute(USER, 'emails');
  assert.ok(emails);

  test('refs resolved as sub-attributes with full paths', () => {
    assert.deepEqual(parseValueFilter('TYPE eq "work"', USER, emails), {
      op: 'eq',
      attr: ref('emails.type', { multiValued: true }),
      value: 'work',
    });
  });

  test('errors carry offsets within the given text', () => {
    assertInvalidFilter(
      () => parseValueFilter('type eq "work" and x pr', USER, emails),
      "'x' of 'emails' at offset 19",
    );
    assertInvalidFilter(() => parseValueFilter('', USER, emails), 'Filter is empty at offset 0');
    assertInvalidFilter(() => parseValueFilter('type eq "a"]', USER, emails), "Unexpected ']'");
  });

  test('matchesElement evaluates on one element', () => {
    const f = parseValueFilter('type eq "WORK" and not (primary eq true)', USER, emails);
    assert.equal(matchesElement(f, { value: 'a@x', type: 'work' }), true);
    assert.equal(matchesElement(f, { value: 'a@x', type: 'work', primary: true }), false);
    assert.equal(matchesElement(f, { value: 'a@x', type: 'home' }), false);
    const pr = parseValueFilter('value pr', USER, emails);
    assert.equal(matchesElement(pr, { value: '' }), false);
    assert.equal(matchesElement(pr, { value: 'x' }), true);
    const nul = parseValueFilter('type eq null', USER, emails);
    assert.equal(matchesElement(nul, { value: 'x' }), true);
  });

  test('extension-complex parent', () => {
    const manager = resolveAttribute(USER, `${ENTERPRISE_USER}:manager`);
    assert.ok(manager);
    const f = parseValueFilter('value eq "u-1"', USER, manager);
    assert.deepEqual((f as { attr: unknown }).attr, {
      path: `${ENTERPRISE_USER}:manager.value`,
      location: [ENTERPRISE_USER, 'manager', 'value'],
      type: 'string',
      caseExact: false,
      multiValued: false,
    });
    assert.equal(matchesElement(f, { value: 'U-1' }), true);
  });

  test('a non-complex parent is refused', () => {
    const userName = resolveAttribute(USER, 'userName');
    assert.ok(userName);
    assertInvalidFilter(() => parseValueFilter('value pr', USER, userName), 'not a complex attribute');
  });
});

describe('evaluator robustness', () => {
  test('dateTime values in documents are normalised before comparing', () => {
    const f = parseFilter('meta.lastModified gt "2024-01-01T00:00:00Z"', USER);
    assert.equal(matchesFilter(f, { meta: { lastModified: '2024-01-01T01:00:00+00:30' } }), true);
    assert.equal(matchesFilter(f, { meta: { lastModified: '2024-01-01T01:00:00+01:30' } }), false);
    assert.equal(matchesFilter(f, { meta: { lastModified: 'not a date' } }), false);
  });

  test('wrongly typed document values never match and never throw', () => {
    const doc = { active: 'true', title: 5, emails: 'x', name: 'y', meta: null };
    assert.equal(matchesFilter(parseFilter('active eq true', USER), doc), false);
    assert.equal(matchesFilter(parseFilter('title eq "5"', USER), doc), false);
    assert.equal(matchesFilter(parseFilter('emails[type eq "work"]', USER), doc), false);
    assert.equal(matchesFilter(parseFilter('name.givenName pr', USER), doc), false);
    assert.equal(matchesFilter(parseFilter('meta.created pr', USER), doc), false);
    assert.equal(matchesFilter(parseFilter('active ne true', USER), doc), true);
  });
});

describe('fuzz: any input gives a FilterNode or a ScimError', () => {
  // Deterministic PRNG so that a failure can be replayed.
  let seed = 0x2545f491;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pieces = [
    'userName',
    'emails',
    'emails.value',
    'name.givenName',
    'meta.created',
    'active',
    `${ENTERPRISE_USER}:manager`,
    'eq',
    'ne',
    'co',
    'gt',
    'pr',
    'and',
    'or',
    'not',
    '(',
    ')',
    '[',
    ']',
    '"',
    '\\',
    '"x"',
    '"2024-01-01T00:00:00Z"',
    'true',
    'null',
    '12',
    '-1.5e3',
    ' ',
    ' ',
    '.',
    ':',
    '\t',
    'é',
    '\u0000',
    '\uD800',
  ];
  test('3000 random filters', () => {
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      let text = '';
      const len = 1 + rand(12);
      for (let j = 0; j < len; j++) {
        text +=
          rand(5) === 0
            ? String.fromCharCode(rand(0x3000))
            : pieces[rand(pieces.length)] + (rand(2) ? ' ' : '');
      }
      let node: FilterNode | undefined;
      try {
        node = parseFilter(text, USER);
      } catch (e) {
        assert.ok(e instanceof ScimError, `non-ScimError for ${JSON.stringify(text)}: ${String(e)}`);
        assert.equal(e.scimType, 'invalidFilter');
        assert.match(e.detail, /at offset \d+$/);
        continue;
      }
      parsed++;
      for (const u of fixtureUsers) matchesFilter(node, u);
    }
    assert.ok(parsed > 0, 'some random filters parse');
  });
});
