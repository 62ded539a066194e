/**
 * The filter compiler over handwritten ASTs (AttrRefs built by hand) on a small dataset, on
 * every dialect; plus SQLite query plans for the lookups IdPs make (indexes, no scans).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import type { AttrRef, FilterNode, FilterValue } from '../../src/scim/filter/ast.ts';
import type { IndexTerm } from '../../src/scim/schema/index-terms.ts';
import { compileFilter, prefixUpperBound } from '../../src/store/filter-sql.ts';
import { insertOrg } from '../../src/store/orgs.ts';
import { insertResource, listQueries, listResources, type NewResource } from '../../src/store/resources.ts';
import type { DB } from '../../src/store/schema.ts';
import { dialects, openTestDatabase, type TestDatabase } from '../helpers/dialects.ts';
import { anchorTerm, attr, newUser, numTerm, strTerm } from './store-fixtures.ts';

// --- attribute references, as the parser would resolve them ---
const userName = attr('userName');
const userNameExact = attr('userName', { caseExact: true });
const id = attr('id', { caseExact: true });
const externalId = attr('externalId', { caseExact: true });
const created = attr('meta.created', { type: 'dateTime' });
const lastModified = attr('meta.lastModified', { type: 'dateTime' });
const resourceType = attr('meta.resourceType', { caseExact: true });
const emails = attr('emails', { type: 'complex', multiValued: true });
const emailValue = attr('emails.value', { multiValued: true });
const emailType = attr('emails.type', { multiValued: true });
const emailPrimary = attr('emails.primary', { type: 'boolean', multiValued: true });
const active = attr('active', { type: 'boolean' });
const title = attr('title');
const score = attr('score', { type: 'decimal' });
const displayName = attr('displayName');

// --- AST builders ---
const cmp = (
  a: AttrRef,
  op: Exclude<FilterNode['op'], 'and' | 'or' | 'not' | 'pr' | 'valuePath'>,
  value: FilterValue,
): FilterNode => ({
  op,
  attr: a,
  value,
});
const pr = (a: AttrRef): FilterNode => ({ op: 'pr', attr: a });
const and = (left: FilterNode, right: FilterNode): FilterNode => ({ op: 'and', left, right });
const or = (left: FilterNode, right: FilterNode): FilterNode => ({ op: 'or', left, right });
const not = (filter: FilterNode): FilterNode => ({ op: 'not', filter });
const vp = (a: AttrRef, filter: FilterNode): FilterNode => ({ op: 'valuePath', attr: a, filter });

interface Email {
  value?: string;
  type?: string;
  primary?: boolean;
}

function emailTerms(list: Email[]): IndexTerm[] {
  return list.flatMap((e, i) => [
    anchorTerm('emails', i),
    ...(e.value === undefined ? [] : [strTerm('emails.value', e.value, i)]),
    ...(e.type === undefined ? [] : [strTerm('emails.type', e.type, i)]),
    ...(e.primary === undefined ? [] : [numTerm('emails.primary', e.primary ? 1 : 0, i)]),
  ]);
}

function user(
  orgId: string,
  uid: string,
  u: {
    userName: string;
    externalId?: string;
    active?: boolean;
    emails?: Email[];
    title?: string;
    score?: number;
    created: string;
    lastModified?: string;
  },
): NewResource {
  return newUser(orgId, uid, {
    userName: u.userName,
    externalId: u.externalId ?? null,
    active: u.active ?? null,
    created: u.created,
    terms: [
      strTerm('userName', u.userName),
      ...(u.active === undefined ? [] : [numTerm('active', u.active ? 1 : 0)]),
      ...(u.title === undefined ? [] : [strTerm('title', u.title)]),
      ...(u.score === undefined ? [] : [numTerm('score', u.score)]),
      ...emailTerms(u.emails ?? []),
    ],
  });
}

const DATASET: (NewResource & { lastModified?: string })[] = [
  user('f1', 'u1', {
    userName: 'Alice',
    externalId: 'ext-1',
    active: true,
    title: 'Engineer',
    score: 10,
    created: '2024-01-01T00:00:00.000Z',
    emails: [
      { value: 'alice@corp.com', type: 'work', primary: true },
      { value: 'Alice@Home.org', type: 'home' },
    ],
  }),
  user('f1', 'u2', {
    userName: 'bob',
    externalId: 'EXT-2',
    active: false,
    title: 'engineer_lead 100%',
    score: 2.5,
    created: '2024-02-01T00:00:00.000Z',
    emails: [{ value: 'bob@corp.com', type: 'work' }],
  }),
  user('f1', 'u3', {
    userName: 'carol',
    active: true,
    created: '2024-03-01T00:00:00.000Z',
    emails: [{ value: 'carol@home.org' }],
  }),
  user('f1', 'u4', { userName: 'dave', externalId: 'ext-4', score: -1, created: '2024-04-01T00:00:00.000Z' }),
  user('f1', 'u5', {
    userName: 'Émile',
    active: true,
    title: 'ÜnÏcode',
    created: '2024-05-01T00:00:00.000Z',
    emails: [{ type: 'work' }],
  }),
  // Another org and a Group: never in the results of f1's Users.
  user('f2', 'v1', {
    userName: 'alice',
    created: '2024-01-01T00:00:00.000Z',
    emails: [{ value: 'alice@corp.com' }],
  }),
  {
    ...newUser('f1', 'g1', {
      userName: null,
      displayName: 'Admins',
      terms: [strTerm('displayName', 'Admins')],
    }),
    type: 'Group',
  },
];

const ALL = ['u1', 'u2', 'u3', 'u4', 'u5'];
const d = (day: string) => `2024-${day}T00:00:00.000Z`;

const cases: { name: string; filter: FilterNode; expect: string[] }[] = [
  // userName: column user_name_lc, case-insensitive
  { name: 'userName eq folds case', filter: cmp(userName, 'eq', 'ALICE'), expect: ['u1'] },
  { name: 'userName eq non-ASCII folds', filter: cmp(userName, 'eq', 'éMILE'), expect: ['u5'] },
  { name: 'userName caseExact uses the original', filter: cmp(userNameExact, 'eq', 'Alice'), expect: ['u1'] },
  { name: 'userName caseExact miss', filter: cmp(userNameExact, 'eq', 'alice'), expect: [] },
  { name: 'userName ne', filter: cmp(userName, 'ne', 'alice'), expect: ['u2', 'u3', 'u4', 'u5'] },
  { name: 'userName sw', filter: cmp(userName, 'sw', 'A'), expect: ['u1'] },
  { name: 'userName sw non-ASCII', filter: cmp(userName, 'sw', 'É'), expect: ['u5'] },
  { name: 'userName sw empty', filter: cmp(userName, 'sw', ''), expect: ALL },
  { name: 'userName ew', filter: cmp(userName, 'ew', 'OB'), expect: ['u2'] },
  { name: 'userName ew longer than value', filter: cmp(userName, 'ew', 'xxbob'), expect: [] },
  { name: 'userName ew non-ASCII', filter: cmp(userName, 'ew', 'ÉMILE'), expect: ['u5'] },
  { name: 'userName co', filter: cmp(userName, 'co', 'AR'), expect: ['u3'] },
  { name: 'userName gt: code-point order', filter: cmp(userName, 'gt', 'c'), expect: ['u3', 'u4', 'u5'] },
  { name: 'userName lt', filter: cmp(userName, 'lt', 'b'), expect: ['u1'] },
  { name: 'userName le', filter: cmp(userName, 'le', 'BOB'), expect: ['u1', 'u2'] },
  { name: 'userName pr', filter: pr(userName), expect: ALL },
  { name: 'userName eq null', filter: cmp(userName, 'eq', null), expect: [] },
  // id / externalId: caseExact columns
  { name: 'id eq', filter: cmp(id, 'eq', 'u2'), expect: ['u2'] },
  { name: 'id is caseExact', filter: cmp(id, 'eq', 'U2'), expect: [] },
  { name: 'id ge', filter: cmp(id, 'ge', 'u4'), expect: ['u4', 'u5'] },
  { name: 'externalId eq', filter: cmp(externalId, 'eq', 'ext-1'), expect: ['u1'] },
  { name: 'externalId is caseExact', filter: cmp(externalId, 'eq', 'EXT-1'), expect: [] },
  { name: 'externalId pr', filter: pr(externalId), expect: ['u1', 'u2', 'u4'] },
  { name: 'externalId eq null', filter: cmp(externalId, 'eq', null), expect: ['u3', 'u5'] },
  { name: 'externalId ne null', filter: cmp(externalId, 'ne', null), expect: ['u1', 'u2', 'u4'] },
  {
    name: 'externalId ne matches absent',
    filter: cmp(externalId, 'ne', 'ext-1'),
    expect: ['u2', 'u3', 'u4', 'u5'],
  },
  { name: 'externalId sw is caseExact', filter: cmp(externalId, 'sw', 'ext-'), expect: ['u1', 'u4'] },
  // meta: columns and constants
  { name: 'meta.created gt', filter: cmp(created, 'gt', d('02-01')), expect: ['u3', 'u4', 'u5'] },
  { name: 'meta.created ge', filter: cmp(created, 'ge', d('02-01')), expect: ['u2', 'u3', 'u4', 'u5'] },
  { name: 'meta.created lt', filter: cmp(created, 'lt', d('02-01')), expect: ['u1'] },
  { name: 'meta.created le', filter: cmp(created, 'le', d('02-01')), expect: ['u1', 'u2'] },
  { name: 'meta.created eq', filter: cmp(created, 'eq', d('02-01')), expect: ['u2'] },
  { name: 'meta.created sw', filter: cmp(created, 'sw', '2024-0'), expect: ALL },
  {
    name: 'meta.lastModified eq (= created on insert)',
    filter: cmp(lastModified, 'eq', d('05-01')),
    expect: ['u5'],
  },
  { name: 'meta.resourceType eq', filter: cmp(resourceType, 'eq', 'User'), expect: ALL },
  { name: 'meta.resourceType other type', filter: cmp(resourceType, 'eq', 'Group'), expect: [] },
  { name: 'meta.resourceType ne', filter: cmp(resourceType, 'ne', 'User'), expect: [] },
  { name: 'meta.resourceType sw', filter: cmp(resourceType, 'sw', 'Us'), expect: ALL },
  { name: 'meta.resourceType pr', filter: pr(resourceType), expect: ALL },
  // multi-valued terms
  { name: 'emails.value eq folds case', filter: cmp(emailValue, 'eq', 'alice@home.ORG'), expect: ['u1'] },
  { name: 'emails.value co', filter: cmp(emailValue, 'co', 'CORP'), expect: ['u1', 'u2'] },
  { name: 'emails.value ew', filter: cmp(emailValue, 'ew', '.ORG'), expect: ['u1', 'u3'] },
  { name: 'emails.type eq: any value', filter: cmp(emailType, 'eq', 'work'), expect: ['u1', 'u2', 'u5'] },
  { name: 'emails.type ne: no value equals', filter: cmp(emailType, 'ne', 'work'), expect: ['u3', 'u4'] },
  { name: 'emails pr (anchors)', filter: pr(emails), expect: ['u1', 'u2', 'u3', 'u5'] },
  { name: 'emails eq null', filter: cmp(emails, 'eq', null), expect: ['u4'] },
  { name: 'emails.value pr', filter: pr(emailValue), expect: ['u1', 'u2', 'u3'] },
  { name: 'emails.primary eq true', filter: cmp(emailPrimary, 'eq', true), expect: ['u1'] },
  // booleans and numbers (num column)
  { name: 'active eq true', filter: cmp(active, 'eq', true), expect: ['u1', 'u3', 'u5'] },
  { name: 'active eq false', filter: cmp(active, 'eq', false), expect: ['u2'] },
  { name: 'active ne true: absent included', filter: cmp(active, 'ne', true), expect: ['u2', 'u4'] },
  { name: 'active pr: false is present', filter: pr(active), expect: ['u1', 'u2', 'u3', 'u5'] },
  { name: 'decimal gt', filter: cmp(score, 'gt', 2.5), expect: ['u1'] },
  { name: 'decimal ge', filter: cmp(score, 'ge', 2.5), expect: ['u1', 'u2'] },
  { name: 'decimal lt negative', filter: cmp(score, 'lt', 0), expect: ['u4'] },
  { name: 'decimal eq', filter: cmp(score, 'eq', 10), expect: ['u1'] },
  // strings in terms: case folding, no LIKE wildcards
  { name: 'title eq folds case', filter: cmp(title, 'eq', 'ENGINEER'), expect: ['u1'] },
  { name: 'title sw', filter: cmp(title, 'sw', 'eng'), expect: ['u1', 'u2'] },
  { name: 'title co non-ASCII folded', filter: cmp(title, 'co', 'nÏC'), expect: ['u5'] },
  { name: 'co "%" is literal', filter: cmp(title, 'co', '%'), expect: ['u2'] },
  { name: 'co "_" is literal', filter: cmp(title, 'co', '_'), expect: ['u2'] },
  { name: 'sw "engineer_" is literal', filter: cmp(title, 'sw', 'engineer_'), expect: ['u2'] },
  { name: 'ew "0%"', filter: cmp(title, 'ew', '0%'), expect: ['u2'] },
  { name: 'title eq null', filter: cmp(title, 'eq', null), expect: ['u3', 'u4'] },
  // logic
  { name: 'or', filter: or(cmp(userName, 'eq', 'alice'), cmp(userName, 'eq', 'BOB')), expect: ['u1', 'u2'] },
  { name: 'and', filter: and(cmp(emailType, 'eq', 'work'), cmp(active, 'eq', true)), expect: ['u1', 'u5'] },
  { name: 'not', filter: not(cmp(active, 'eq', true)), expect: ['u2', 'u4'] },
  {
    name: 'not of a column comparison on NULLs',
    filter: not(cmp(externalId, 'sw', 'ext')),
    expect: ['u2', 'u3', 'u5'],
  },
  { name: 'double not', filter: not(not(pr(emails))), expect: ['u1', 'u2', 'u3', 'u5'] },
  {
    name: 'and binds as built',
    filter: or(cmp(userName, 'eq', 'dave'), and(pr(title), cmp(active, 'eq', false))),
    expect: ['u2', 'u4'],
  },
  // value paths: same element
  {
    name: 'valuePath and: same element',
    filter: vp(emails, and(cmp(emailType, 'eq', 'work'), cmp(emailValue, 'co', 'corp'))),
    expect: ['u1', 'u2'],
  },
  {
    name: 'valuePath and: different elements do not match',
    filter: vp(emails, and(cmp(emailType, 'eq', 'home'), cmp(emailValue, 'co', 'corp'))),
    expect: [],
  },
  {
    name: 'valuePath not: element level, elements without type included',
    filter: vp(emails, not(cmp(emailType, 'eq', 'work'))),
    expect: ['u1', 'u3'],
  },
  { name: 'valuePath ne', filter: vp(emails, cmp(emailType, 'ne', 'work')), expect: ['u1', 'u3'] },
  { name: 'valuePath eq null', filter: vp(emails, cmp(emailType, 'eq', null)), expect: ['u3'] },
  { name: 'valuePath ne null', filter: vp(emails, cmp(emailValue, 'ne', null)), expect: ['u1', 'u2', 'u3'] },
  {
    name: 'valuePath or',
    filter: vp(emails, or(cmp(emailType, 'eq', 'work'), cmp(emailValue, 'ew', 'home.org'))),
    expect: ['u1', 'u2', 'u3', 'u5'],
  },
  { name: 'valuePath pr', filter: vp(emails, pr(emailValue)), expect: ['u1', 'u2', 'u3'] },
  { name: 'valuePath boolean', filter: vp(emails, cmp(emailPrimary, 'eq', true)), expect: ['u1'] },
  {
    name: 'valuePath nested logic: (a or b) and not c',
    filter: vp(
      emails,
      and(or(cmp(emailType, 'eq', 'work'), cmp(emailType, 'eq', 'home')), not(cmp(emailValue, 'co', 'corp'))),
    ),
    expect: ['u1', 'u5'],
  },
  {
    name: 'valuePath: a or (b and c) keeps its grouping',
    filter: vp(
      emails,
      or(
        cmp(emailValue, 'eq', 'carol@home.org'),
        and(cmp(emailType, 'eq', 'work'), cmp(emailValue, 'co', 'bob')),
      ),
    ),
    expect: ['u2', 'u3'],
  },
  {
    name: 'not of a valuePath: resource level',
    filter: not(vp(emails, cmp(emailType, 'eq', 'work'))),
    expect: ['u3', 'u4'],
  },
  // isolation
  { name: 'a Group attribute does not match Users', filter: cmp(displayName, 'eq', 'admins'), expect: [] },
];

for (const dialect of dialects) {
  describe(`filter compiler (${dialect})`, () => {
    let t: TestDatabase;
    before(async () => {
      t = await openTestDatabase(dialect);
      await insertOrg(t.database.db, { id: 'f1', name: 'F1', createdAt: d('01-01') });
      await insertOrg(t.database.db, { id: 'f2', name: 'F2', createdAt: d('01-01') });
      for (const r of DATASET) await insertResource(t.database.db, r);
    });
    after(async () => {
      await t?.cleanup();
    });

    for (const c of cases) {
      test(c.name, async () => {
        const result = await listResources(t.database.db, {
          orgId: 'f1',
          type: 'User',
          filter: c.filter,
          offset: 0,
          limit: 100,
        });
        assert.deepEqual(result.rows.map((r) => r.id).sort(), [...c.expect].sort());
        assert.equal(result.total, c.expect.length);
      });
    }

    test('an eq lookup whose first page is full still counts every match, in creation order', async () => {
      for (const limit of [1, 2, 3, 4]) {
        const result = await listResources(t.database.db, {
          orgId: 'f1',
          type: 'User',
          filter: cmp(emailType, 'eq', 'WORK'),
          offset: 0,
          limit,
        });
        assert.deepEqual(
          result.rows.map((r) => r.id),
          ['u1', 'u2', 'u5'].slice(0, limit),
        );
        assert.equal(result.total, 3);
      }
    });

    test('org isolation: the same filter in another org', async () => {
      const f2 = await listResources(t.database.db, {
        orgId: 'f2',
        type: 'User',
        filter: cmp(emailValue, 'eq', 'alice@corp.com'),
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        f2.rows.map((r) => r.id),
        ['v1'],
      );
    });

    test('type isolation: Groups filter on their own terms', async () => {
      const groups = await listResources(t.database.db, {
        orgId: 'f1',
        type: 'Group',
        filter: cmp(displayName, 'eq', 'ADMINS'),
        offset: 0,
        limit: 10,
      });
      assert.deepEqual(
        groups.rows.map((r) => r.id),
        ['g1'],
      );
    });

    test('userName eq compiles to the lower-cased column, literal folded in JS and bound', () => {
      const compiled = t.database.db
        .selectFrom('resources as r')
        .select('r.pk')
        .where(compileFilter(cmp(userName, 'eq', 'ALICE'), { dialect, orgId: 'f1', type: 'User' }))
        .compile();
      assert.match(compiled.sql, /"r"\."user_name_lc" = (\?|\$1)/);
      assert.deepEqual(compiled.parameters, ['alice']);
    });

    test(`co uses ${dialect === 'postgres' ? 'strpos' : 'instr'}, never LIKE`, () => {
      const compiled = t.database.db
        .selectFrom('resources as r')
        .select('r.pk')
        .where(compileFilter(cmp(title, 'co', 'x'), { dialect, orgId: 'f1', type: 'User' }))
        .compile();
      assert.match(compiled.sql, dialect === 'postgres' ? /strpos\(/ : /instr\(/);
      assert.doesNotMatch(compiled.sql, /like/i);
    });
  });
}

describe('prefixUpperBound', () => {
  const cases: { prefix: string; expect: string | undefined }[] = [
    { prefix: 'abc', expect: 'abd' },
    { prefix: 'a\u{10FFFF}', expect: 'b' },
    { prefix: '\u{10FFFF}', expect: undefined },
    { prefix: '', expect: undefined },
    { prefix: 'x\u{D7FF}', expect: 'x\u{E000}' },
    { prefix: 'é', expect: 'ê' },
    { prefix: 'a😀', expect: 'a😁' },
  ];
  for (const c of cases) {
    test(JSON.stringify(c.prefix), () => {
      assert.equal(prefixUpperBound(c.prefix), c.expect);
    });
  }
});

/** SQLite plans are deterministic (no statistics): lookups must use an index, not a scan. */
describe('query plans (sqlite)', () => {
  let t: TestDatabase;
  before(async () => {
    t = await openTestDatabase('sqlite');
    await insertOrg(t.database.db, { id: 'f1', name: 'F1', createdAt: d('01-01') });
    for (const r of DATASET.filter((x) => x.orgId === 'f1')) await insertResource(t.database.db, r);
  });
  after(async () => {
    await t?.cleanup();
  });

  async function plan(db: Kysely<DB>, query: CompiledQuery): Promise<string[]> {
    const result = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    return result.rows.map((r) => r.detail);
  }

  /**
   * Plan lines that read every resource (or term) of the org: a SCAN, or a SEARCH of r by
   * (org_id, type) alone. Resources must be reached by key or by a lookup column instead.
   */
  function wholeOrgReads(details: string[]): string[] {
    const bad = details.filter(
      (x) =>
        /^SCAN (r|t|d|e|resources|resource_terms)\b/.test(x) ||
        /^SEARCH r USING (COVERING )?INDEX \S+ \(org_id=\? AND type=\?\)$/.test(x),
    );
    if (!details.some((x) => /^SEARCH r USING .*\b(rowid|pk|user_name_lc|external_id|id)=\?/.test(x))) {
      bad.push('resources not reached by key or lookup column');
    }
    return bad;
  }

  test('the plan check catches a whole-org read (not of an eq must read every resource)', async () => {
    const { page } = listQueries(t.database.db, {
      orgId: 'f1',
      type: 'User',
      filter: not(cmp(userName, 'eq', 'alice')),
      offset: 0,
      limit: 10,
    });
    const details = await plan(t.database.db, page.compile());
    assert.notDeepEqual(wholeOrgReads(details), [], details.join('\n'));
  });

  const lookups: { name: string; filter: FilterNode; search: RegExp }[] = [
    {
      name: 'userName eq',
      filter: cmp(userName, 'eq', 'alice'),
      search: /^SEARCH r USING .*user_name_lc=\?/,
    },
    {
      name: 'externalId eq',
      filter: cmp(externalId, 'eq', 'ext-1'),
      search: /^SEARCH r USING .*external_id=\?/,
    },
    { name: 'id eq', filter: cmp(id, 'eq', 'u1'), search: /^SEARCH r USING .*\bid=\?/ },
    {
      name: 'emails.value eq',
      filter: cmp(emailValue, 'eq', 'alice@corp.com'),
      search: /^SEARCH t USING .*resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'displayName eq',
      filter: cmp(displayName, 'eq', 'x'),
      search: /^SEARCH t USING .*resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'emails.value sw (a range on the index)',
      filter: cmp(emailValue, 'sw', 'ali'),
      search: /^SEARCH t USING .*resource_terms_lc_idx \(org_id=\? AND path=\? AND lc>\? AND lc<\?\)/,
    },
    {
      // Entra matches users this way; the label (type) must not drive the scan.
      name: 'emails[type eq "work" and value eq …] (driven by the value, not the label)',
      filter: vp(emails, and(cmp(emailType, 'eq', 'work'), cmp(emailValue, 'eq', 'alice@corp.com'))),
      search: /^SEARCH d USING .*resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'emails[value eq … or value eq …] (one indexed scan per side)',
      filter: vp(emails, or(cmp(emailValue, 'eq', 'a@x'), cmp(emailValue, 'eq', 'b@x'))),
      search: /^SEARCH d USING .*resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'userName eq … or emails.value eq … (a union of two indexed sets)',
      filter: or(cmp(userName, 'eq', 'alice'), cmp(emailValue, 'eq', 'b@x')),
      search: /^SEARCH t USING .*resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'a caseExact term eq (the partial str index)',
      filter: cmp(attr('x509Certificates.value', { caseExact: true, multiValued: true }), 'eq', 'TWFu'),
      search: /^SEARCH t USING .*resource_terms_str_idx \(org_id=\? AND path=\? AND str=\?\)/,
    },
    {
      name: 'a boolean term eq (the partial num index)',
      filter: cmp(attr('emails.primary', { type: 'boolean', multiValued: true }), 'eq', true),
      search: /^SEARCH t USING .*resource_terms_num_idx \(org_id=\? AND path=\? AND num=\?\)/,
    },
    {
      name: 'a term-backed pr (the whole lc index)',
      filter: pr(attr('title')),
      search: /^SEARCH t USING .*resource_terms_lc_idx \(org_id=\? AND path=\?\)/,
    },
  ];
  for (const c of lookups) {
    test(`${c.name} uses an index and never scans resources`, async () => {
      const { count, page } = listQueries(t.database.db, {
        orgId: 'f1',
        type: 'User',
        filter: c.filter,
        offset: 0,
        limit: 10,
      });
      for (const query of [count.compile(), page.compile()]) {
        const details = await plan(t.database.db, query);
        assert.ok(
          details.some((x) => c.search.test(x)),
          `expected ${c.search} in plan:\n${details.join('\n')}`,
        );
        assert.deepEqual(wholeOrgReads(details), [], details.join('\n'));
      }
    });
  }

  const givenName = attr('name.givenName');
  const groupValue = attr('groups.value', { multiValued: true });
  const groupDisplay = attr('groups.display', { multiValued: true });
  const groupType = attr('groups.type', { multiValued: true });
  // One conjunct finds the rows over its index; the others are checked on each of them
  // (SEARCH … EXISTS over resource_terms_resource_idx). Two `pk in (list)` made SQLite walk the
  // product of both lists (`pk=? AND rowid=?` on resources_live_idx): 33 s on 20,000 users.
  const conjunctions: { name: string; filter: FilterNode; driver: RegExp }[] = [
    {
      name: 'name.givenName eq … and active eq true',
      filter: and(cmp(givenName, 'eq', 'x'), cmp(active, 'eq', true)),
      driver: /^SEARCH t USING INDEX resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'active eq true and name.givenName eq … (the order does not matter)',
      filter: and(cmp(active, 'eq', true), cmp(givenName, 'eq', 'x')),
      driver: /^SEARCH t USING INDEX resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'userName eq … and active eq true and title pr',
      filter: and(and(cmp(userName, 'eq', 'alice'), cmp(active, 'eq', true)), pr(title)),
      driver: /^SEARCH r USING .*user_name_lc=\?/,
    },
    {
      name: 'emails[type eq "work" and value eq …] and not (title eq …)',
      filter: and(
        vp(emails, and(cmp(emailType, 'eq', 'work'), cmp(emailValue, 'eq', 'a@x'))),
        not(cmp(title, 'eq', 'boss')),
      ),
      driver: /^SEARCH d USING .*resource_terms_lc_idx \(org_id=\? AND path=\? AND lc=\?\)/,
    },
    {
      name: 'groups.value eq … and emails.value co …',
      filter: and(cmp(emailValue, 'co', '1'), cmp(groupValue, 'eq', 'g1')),
      driver: /^SEARCH g USING .*\(org_id=\? AND type=\? AND id=\?\)/,
    },
  ];
  for (const c of conjunctions) {
    test(`${c.name}: one conjunct drives, the others are checked per row`, async () => {
      const { count, page } = listQueries(t.database.db, {
        orgId: 'f1',
        type: 'User',
        filter: c.filter,
        offset: 0,
        limit: 10,
      });
      for (const query of [count.compile(), page.compile()]) {
        const details = await plan(t.database.db, query);
        const text = details.join('\n');
        assert.ok(
          details.some((x) => c.driver.test(x)),
          `expected ${c.driver} in plan:\n${text}`,
        );
        assert.ok(!details.some((x) => /\bpk=\? AND rowid=\?/.test(x)), text);
        assert.ok(details.filter((x) => /LIST SUBQUERY/.test(x)).length <= 1, text);
        assert.ok(!details.some((x) => /^SCAN (r|t|d|resources|resource_terms)\b/.test(x)), text);
      }
    });
  }

  // `groups` filters read the members of the matching groups, not every (user, group) pair of
  // the org: no scan of memberships.
  for (const [name, filter] of [
    ['groups.value eq …', cmp(groupValue, 'eq', 'g1')],
    [
      'groups[display eq …]',
      vp(attr('groups', { type: 'complex', multiValued: true }), cmp(groupDisplay, 'eq', 'A')),
    ],
    ['active eq true and groups.value eq …', and(cmp(active, 'eq', true), cmp(groupValue, 'eq', 'g1'))],
  ] as const) {
    test(`${name} reads no whole-org membership`, async () => {
      const { page } = listQueries(t.database.db, {
        orgId: 'f1',
        type: 'User',
        filter,
        offset: 0,
        limit: 10,
      });
      const details = await plan(t.database.db, page.compile());
      assert.ok(!details.some((x) => /^SCAN m\b/.test(x)), details.join('\n'));
    });
  }

  test('a groups filter on type (direct or indirect) still works from the pairs', async () => {
    const { page } = listQueries(t.database.db, {
      orgId: 'f1',
      type: 'User',
      filter: cmp(groupType, 'eq', 'direct'),
      offset: 0,
      limit: 10,
    });
    await page.execute();
  });
});
