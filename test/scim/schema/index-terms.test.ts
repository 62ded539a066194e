import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  CORE_GROUP,
  CORE_USER,
  defineAttribute,
  ENTERPRISE_USER,
  GROUP,
  USER,
} from '../../../src/scim/schema/definitions.ts';
import { type IndexTerm, indexTerms, MAX_TERM_LENGTH } from '../../../src/scim/schema/index-terms.ts';
import type { ResourceSchema } from '../../../src/scim/schema/types.ts';

/** A caseExact=false string: lower-cased, in lc only. */
const s = (path: string, elem: number, str: string): IndexTerm => ({
  path,
  elem,
  str: null,
  lc: str.toLowerCase(),
  num: null,
});
/** A caseExact string: as it is, in str only. */
const x = (path: string, elem: number, str: string): IndexTerm => ({ path, elem, str, lc: null, num: null });
const n = (path: string, elem: number, num: number): IndexTerm => ({ path, elem, str: null, lc: null, num });
const anchor = (path: string, elem: number): IndexTerm => ({ path, elem, str: null, lc: null, num: null });

const MGR = `${ENTERPRISE_USER}:manager`;

describe('indexTerms', () => {
  test('rich user: exact terms, schema order', () => {
    const doc = {
      schemas: [CORE_USER, ENTERPRISE_USER],
      userName: 'BJensen',
      externalId: 'Ext-1',
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      displayName: 'Babs Jensen',
      active: false,
      emails: [
        { value: 'B@Example.com', type: 'work', primary: true },
        { value: 'b@home.example', type: 'home' },
      ],
      phoneNumbers: [{ value: '555-1234', primary: false }],
      groups: [{ value: 'g1', display: 'Admins' }],
      x509Certificates: [{ value: 'TWFu' }],
      profileUrl: 'https://x/B',
      nickName: '',
      title: null,
      roles: [],
      [ENTERPRISE_USER]: { employeeNumber: '701984', manager: { value: 'M1', displayName: 'Boss' } },
    };
    // externalId and userName have columns of their own (filter-sql.ts columnOf): no terms.
    assert.deepEqual(indexTerms(doc, USER), [
      anchor('name', 0),
      s('name.familyName', 0, 'Jensen'),
      s('name.givenName', 0, 'Barbara'),
      s('displayName', 0, 'Babs Jensen'),
      s('profileUrl', 0, 'https://x/B'),
      n('active', 0, 0),
      anchor('emails', 0),
      s('emails.value', 0, 'B@Example.com'),
      s('emails.type', 0, 'work'),
      n('emails.primary', 0, 1),
      anchor('emails', 1),
      s('emails.value', 1, 'b@home.example'),
      s('emails.type', 1, 'home'),
      anchor('phoneNumbers', 0),
      s('phoneNumbers.value', 0, '555-1234'),
      n('phoneNumbers.primary', 0, 0),
      anchor('x509Certificates', 0),
      s('x509Certificates.value', 0, 'TWFu'),
      s(`${ENTERPRISE_USER}:employeeNumber`, 0, '701984'),
      anchor(MGR, 0),
      s(`${MGR}.value`, 0, 'M1'),
      s(`${MGR}.displayName`, 0, 'Boss'),
    ]);
  });

  test('skips schemas, password, id, meta and groups even if present', () => {
    const doc = {
      schemas: [CORE_USER],
      id: 'u1',
      meta: { created: '2026-01-01T00:00:00.000Z' },
      password: 'secret',
      userName: 'b',
      groups: [{ value: 'g1' }],
    };
    assert.deepEqual(indexTerms(doc, USER), []);
  });

  test('Group: members are stored elsewhere', () => {
    const doc = { schemas: [CORE_GROUP], displayName: 'Eng', members: [{ value: 'u1' }] };
    assert.deepEqual(indexTerms(doc, GROUP), [s('displayName', 0, 'Eng')]);
  });

  test('empty complex values and elements give no anchor', () => {
    const doc = { schemas: [CORE_USER], userName: 'b', name: {}, emails: [{ value: '' }, { value: 'x@y' }] };
    assert.deepEqual(indexTerms(doc, USER), [anchor('emails', 1), s('emails.value', 1, 'x@y')]);
  });

  test(`strings longer than ${MAX_TERM_LENGTH} are truncated`, () => {
    const long = `${'A'.repeat(MAX_TERM_LENGTH)}TAIL`;
    const [term] = indexTerms({ schemas: [CORE_USER], userName: 'b', nickName: long }, USER);
    assert.deepEqual(term, s('nickName', 0, 'A'.repeat(MAX_TERM_LENGTH)));
  });

  test('other types: integer, decimal, dateTime, multi-valued simple', () => {
    const attr = defineAttribute;
    const rs: ResourceSchema = {
      type: { ...USER.type, schema: 'urn:x:T', schemaExtensions: [] },
      core: {
        id: 'urn:x:T',
        name: 'T',
        description: '',
        attributes: [
          attr({ name: 'count', type: 'integer' }),
          attr({ name: 'ratio', type: 'decimal' }),
          attr({ name: 'seen', type: 'dateTime' }),
          attr({ name: 'tags', multiValued: true }),
        ],
      },
      extensions: [],
    };
    const doc = {
      schemas: ['urn:x:T'],
      count: 3,
      ratio: 0.5,
      seen: '2026-01-02T03:04:05Z',
      tags: ['A', 'b'],
    };
    assert.deepEqual(indexTerms(doc, rs), [
      n('count', 0, 3),
      n('ratio', 0, 0.5),
      x('seen', 0, '2026-01-02T03:04:05.000Z'),
      s('tags', 0, 'A'),
      s('tags', 1, 'b'),
    ]);
  });
});
