/**
 * The filter case table, RFC 7644 §3.4.2.2 with the semantics of docs/filter-semantics.md, over
 * the users of users-fixture.ts. Plain data: the in-memory evaluator and the SQL compiler
 * (SQLite and PostgreSQL) run the same table and must agree. `expect` lists ids, in any order.
 *
 * No core User attribute is integer or decimal, so numeric comparisons are not in the table;
 * a number literal against a string attribute is compared as the text written (`eq 1001`).
 * Comparisons with the empty string (`title eq ""`) are left out on purpose: whether "" is
 * stored as a value is the storage layer's business, and `pr` already pins its meaning.
 */

const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

const ALL = [
  'u-alice',
  'u-bob',
  'u-carol',
  'u-dave',
  'u-eloise',
  'u-strauss',
  'u-yamada',
  'u-quote',
  'u-minimal',
  'u-frank',
  'u-grace',
  'u-heidi',
];
const allBut = (...ids: string[]) => ALL.filter((id) => !ids.includes(id));

export interface FilterCase {
  name: string;
  filter: string;
  expect: string[];
}

export const filterCases: FilterCase[] = [
  // --- string, caseExact false: eq ---
  { name: 'eq exact', filter: 'userName eq "alice@example.com"', expect: ['u-alice'] },
  { name: 'eq ignores case of value', filter: 'userName eq "ALICE@EXAMPLE.COM"', expect: ['u-alice'] },
  {
    name: 'eq ignores case of stored mixed case',
    filter: 'userName eq "bob.jones@example.com"',
    expect: ['u-bob'],
  },
  { name: 'eq upper-case stored', filter: 'userName eq "grace"', expect: ['u-grace'] },
  { name: 'eq with ß', filter: 'userName eq "johann.strauß"', expect: ['u-strauss'] },
  { name: 'ß is not folded to ss', filter: 'userName eq "JOHANN.STRAUSS"', expect: [] },
  { name: 'eq folds É', filter: 'userName eq "ÉLOÏSE@EXAMPLE.FR"', expect: ['u-eloise'] },
  { name: 'eq with escaped quote', filter: 'userName eq "q\\"uote"', expect: ['u-quote'] },
  {
    name: 'eq with escaped quotes inside',
    filter: 'displayName eq "The \\"Quoted\\" One"',
    expect: ['u-quote'],
  },
  { name: 'eq with escaped backslash', filter: 'title eq "Back\\\\slash"', expect: ['u-quote'] },
  {
    name: 'eq with \\u escape',
    filter: 'displayName eq "\\u00c9lo\\u00efse Dupr\\u00e9"',
    expect: ['u-eloise'],
  },
  { name: 'eq CJK', filter: 'displayName eq "山田太郎"', expect: ['u-yamada'] },
  { name: 'eq apostrophe', filter: 'displayName eq "Dave O\'Brien"', expect: ['u-dave'] },
  { name: 'eq no match', filter: 'userName eq "nobody"', expect: [] },
  // --- ne ---
  {
    name: 'ne matches absent and other values',
    filter: 'title ne "engineer"',
    expect: ['u-carol', 'u-dave', 'u-eloise', 'u-strauss', 'u-yamada', 'u-quote', 'u-minimal', 'u-grace'],
  },
  { name: 'ne includes absent displayName', filter: 'displayName ne "Heidi"', expect: allBut('u-heidi') },
  // --- co / sw / ew ---
  {
    name: 'co',
    filter: 'userName co "example"',
    expect: ['u-alice', 'u-bob', 'u-eloise', 'u-frank'],
  },
  { name: 'co ignores case', filter: 'userName co "EXAMPLE.COM"', expect: ['u-alice', 'u-bob', 'u-frank'] },
  {
    name: 'co on sub-attribute',
    filter: 'name.familyName co "s"',
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-strauss', 'u-frank'],
  },
  { name: 'co a quote', filter: 'displayName co "\\""', expect: ['u-quote'] },
  { name: 'sw', filter: 'userName sw "J"', expect: ['u-strauss'] },
  // Unquoted values that can only be strings or dates (some clients send them).
  { name: 'unquoted string', filter: 'userName sw J', expect: ['u-strauss'] },
  { name: 'unquoted string eq', filter: 'userName eq alice@example.com', expect: ['u-alice'] },
  {
    name: 'unquoted string in a value filter',
    filter: 'emails[type eq work and value co example.com]',
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-quote', 'u-grace'],
  },
  { name: 'unquoted number-like word is text', filter: 'userName eq 01', expect: [] },
  { name: 'sw on sub-attribute', filter: 'name.familyName sw "sm"', expect: ['u-alice', 'u-frank'] },
  { name: 'sw ignores case', filter: 'title sw "Eng"', expect: ['u-alice', 'u-bob', 'u-frank', 'u-heidi'] },
  { name: 'ew', filter: 'userName ew "@example.com"', expect: ['u-alice', 'u-bob', 'u-frank'] },
  { name: 'ew on multi-valued sub-attribute', filter: 'emails.value ew ".org"', expect: ['u-bob'] },
  { name: 'ew ß', filter: 'displayName ew "ß"', expect: ['u-strauss'] },
  { name: 'ew folds É', filter: 'name.familyName ew "É"', expect: ['u-eloise'] },
  // --- ordering on strings (code-point order of lower-cased values) ---
  {
    name: 'gt string',
    filter: 'userName gt "m"',
    expect: ['u-eloise', 'u-yamada', 'u-quote', 'u-minimal'],
  },
  { name: 'lt string', filter: 'userName lt "c"', expect: ['u-alice', 'u-bob'] },
  { name: 'le string', filter: 'userName le "carol"', expect: ['u-alice', 'u-bob', 'u-carol'] },
  {
    name: 'ge string',
    filter: 'userName ge "GRACE"',
    expect: ['u-grace', 'u-heidi', 'u-strauss', 'u-minimal', 'u-quote', 'u-yamada', 'u-eloise'],
  },
  // --- caseExact strings: id, externalId, meta.resourceType ---
  { name: 'externalId is caseExact (miss)', filter: 'externalId eq "ext-alice"', expect: [] },
  { name: 'externalId is caseExact (hit)', filter: 'externalId eq "ext-Alice"', expect: ['u-alice'] },
  { name: 'externalId upper', filter: 'externalId eq "EXT-BOB"', expect: ['u-bob'] },
  {
    name: 'externalId sw is caseExact',
    filter: 'externalId sw "ext-"',
    expect: ['u-alice', 'u-dave', 'u-eloise', 'u-yamada', 'u-quote', 'u-frank', 'u-grace', 'u-heidi'],
  },
  { name: 'externalId with quotes', filter: 'externalId eq "ext-\\"q\\""', expect: ['u-quote'] },
  { name: 'id eq', filter: 'id eq "u-alice"', expect: ['u-alice'] },
  { name: 'id is caseExact', filter: 'id eq "U-ALICE"', expect: [] },
  { name: 'id sw', filter: 'id sw "u-"', expect: ALL },
  { name: 'id gt', filter: 'id gt "u-m"', expect: ['u-minimal', 'u-quote', 'u-strauss', 'u-yamada'] },
  { name: 'meta.resourceType eq', filter: 'meta.resourceType eq "User"', expect: ALL },
  { name: 'meta.resourceType is caseExact', filter: 'meta.resourceType eq "user"', expect: [] },
  // --- pr ---
  { name: 'pr: empty string is not present', filter: 'title pr', expect: allBut('u-dave', 'u-minimal') },
  {
    name: 'pr on caseExact with empty and absent',
    filter: 'externalId pr',
    expect: allBut('u-carol', 'u-strauss', 'u-minimal'),
  },
  { name: 'pr on multi-valued complex', filter: 'emails pr', expect: allBut('u-dave', 'u-minimal') },
  {
    name: 'pr on multi-valued sub-attribute',
    filter: 'emails.value pr',
    expect: allBut('u-dave', 'u-minimal', 'u-heidi'),
  },
  { name: 'pr on complex: {} is not present', filter: 'name pr', expect: allBut('u-heidi', 'u-minimal') },
  {
    name: 'pr on extension complex: {} is not present',
    filter: `${ENT}:manager pr`,
    expect: ['u-alice', 'u-bob', 'u-frank', 'u-heidi'],
  },
  {
    name: 'pr on extension string: "" is not present',
    filter: `${ENT}:department pr`,
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-eloise', 'u-yamada', 'u-frank'],
  },
  { name: 'pr on phoneNumbers', filter: 'phoneNumbers pr', expect: ['u-alice', 'u-carol', 'u-frank'] },
  { name: 'pr: false is present', filter: 'active pr', expect: allBut('u-minimal') },
  { name: 'not pr', filter: 'not (title pr)', expect: ['u-dave', 'u-minimal'] },
  { name: 'pr on attribute nobody has', filter: 'x509Certificates pr', expect: [] },
  { name: 'pr on meta.created', filter: 'meta.created pr', expect: ALL },
  // --- null ---
  { name: 'eq null is not pr', filter: 'title eq null', expect: ['u-dave', 'u-minimal'] },
  {
    name: 'ne null is pr',
    filter: 'externalId ne null',
    expect: allBut('u-carol', 'u-strauss', 'u-minimal'),
  },
  { name: 'eq null on complex', filter: 'name eq null', expect: ['u-heidi', 'u-minimal'] },
  // --- boolean ---
  {
    name: 'boolean eq true',
    filter: 'active eq true',
    expect: allBut('u-bob', 'u-grace', 'u-minimal'),
  },
  { name: 'boolean eq false', filter: 'active eq false', expect: ['u-bob', 'u-grace'] },
  {
    name: 'boolean ne true includes absent',
    filter: 'active ne true',
    expect: ['u-bob', 'u-grace', 'u-minimal'],
  },
  {
    name: 'case-insensitive attribute, operator and literal',
    filter: 'ACTIVE Eq True',
    expect: allBut('u-bob', 'u-grace', 'u-minimal'),
  },
  {
    name: 'boolean sub-attribute in value path',
    filter: 'emails[primary eq true]',
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-frank', 'u-grace'],
  },
  { name: 'boolean multi-valued any', filter: 'emails.primary eq false', expect: ['u-yamada', 'u-grace'] },
  // --- dateTime ---
  {
    name: 'dateTime gt (equal is excluded)',
    filter: 'meta.lastModified gt "2024-07-01T00:00:00Z"',
    expect: ['u-quote', 'u-minimal', 'u-frank', 'u-grace', 'u-heidi'],
  },
  {
    name: 'dateTime ge (equal is included)',
    filter: 'meta.lastModified ge "2024-07-01T00:00:00Z"',
    expect: ['u-yamada', 'u-quote', 'u-minimal', 'u-frank', 'u-grace', 'u-heidi'],
  },
  { name: 'dateTime lt', filter: 'meta.lastModified lt "2024-01-01T00:00:00Z"', expect: ['u-carol'] },
  {
    name: 'dateTime le with milliseconds',
    filter: 'meta.lastModified le "2024-02-01T12:30:00.000Z"',
    expect: ['u-carol', 'u-dave'],
  },
  {
    name: 'dateTime lt with positive offset',
    filter: 'meta.created lt "2024-01-01T00:00:00+01:00"',
    expect: ['u-carol', 'u-grace'],
  },
  {
    name: 'dateTime gt with negative offset',
    filter: 'meta.created gt "2024-06-30T23:00:00-02:00"',
    expect: ['u-quote', 'u-minimal', 'u-frank', 'u-heidi'],
  },
  { name: 'dateTime eq', filter: 'meta.created eq "2024-01-15T00:00:00Z"', expect: ['u-bob'] },
  { name: 'unquoted dateTime', filter: 'meta.created eq 2024-01-15T00:00:00Z', expect: ['u-bob'] },
  {
    name: 'dateTime eq across offsets',
    filter: 'meta.created eq "2024-01-15T01:00:00+01:00"',
    expect: ['u-bob'],
  },
  {
    name: 'dateTime eq with milliseconds',
    filter: 'meta.lastModified eq "2024-06-30T23:59:59.999Z"',
    expect: ['u-bob'],
  },
  {
    name: 'dateTime sw on normalised form',
    filter: 'meta.created sw "2024-01"',
    expect: ['u-alice', 'u-bob'],
  },
  {
    name: 'dateTime range',
    filter: 'meta.created ge "2024-01-10T09:00:00Z" and meta.created le "2024-02-01T12:00:00Z"',
    expect: ['u-alice', 'u-bob', 'u-dave'],
  },
  {
    name: 'dateTime open range',
    filter: 'meta.lastModified lt "2024-06-30T23:59:59.999Z" and meta.lastModified gt "2024-05-01T00:00:00Z"',
    expect: ['u-strauss'],
  },
  { name: 'dateTime ne', filter: 'meta.created ne "2025-01-01T00:00:00Z"', expect: allBut('u-minimal') },
  // --- multi-valued: any value matches ---
  { name: 'complex compared by its value', filter: 'emails eq "bob.jones@example.org"', expect: ['u-bob'] },
  {
    name: 'complex co by its value, any element',
    filter: 'emails co "example.com"',
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-yamada', 'u-quote', 'u-frank', 'u-grace'],
  },
  {
    name: 'multi-valued sub-attribute eq',
    filter: 'emails.type eq "work"',
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-strauss', 'u-yamada', 'u-quote', 'u-grace', 'u-heidi'],
  },
  {
    name: 'multi-valued ne: only when no value equals',
    filter: 'emails.type ne "work"',
    expect: ['u-dave', 'u-eloise', 'u-frank', 'u-minimal'],
  },
  { name: 'multi-valued ne value', filter: 'emails.value ne "bob@example.com"', expect: allBut('u-bob') },
  {
    name: 'two conditions on different elements',
    filter: 'emails.type eq "other" and emails.value ew ".jp"',
    expect: ['u-yamada'],
  },
  {
    name: 'two conditions on different elements, not same element',
    filter: 'emails.primary eq true and emails.type eq "home"',
    expect: ['u-alice', 'u-frank'],
  },
  { name: 'phone numbers co', filter: 'phoneNumbers.value co "555"', expect: ['u-alice', 'u-frank'] },
  { name: 'addresses sub-attribute', filter: 'addresses.country eq "FR"', expect: ['u-alice'] },
  { name: 'roles by value ignores case', filter: 'roles eq "admin"', expect: ['u-alice', 'u-frank'] },
  { name: 'pr on sub-attribute nobody has', filter: 'emails.display pr', expect: [] },
  // --- value paths ---
  {
    name: 'valuePath and: same element',
    filter: 'emails[type eq "work" and value co "example.com"]',
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-quote', 'u-grace'],
  },
  {
    // Microsoft Entra's matching form (docs/idp-notes.md): a sub-attribute after the value filter.
    name: 'Entra: emails[type eq "work"].value eq (same element)',
    filter: 'emails[type eq "work"].value eq "ALICE@example.com"',
    expect: ['u-alice'],
  },
  {
    name: 'Entra: emails[type eq "work"].value eq does not match a home address',
    filter: 'emails[type eq "work"].value eq "alice.home@gmail.com"',
    expect: [],
  },
  {
    name: 'Entra: emails[type eq "work"].value with or inside the filter',
    filter: 'emails[type eq "home" or type eq "other"].value ew ".com"',
    expect: ['u-alice', 'u-frank', 'u-yamada'],
  },
  {
    name: 'valuePath: conditions on different elements do not match',
    filter: 'emails[type eq "other" and value ew ".jp"]',
    expect: [],
  },
  {
    name: 'valuePath: primary and type on the same element',
    filter: 'emails[primary eq true and type eq "home"]',
    expect: ['u-frank'],
  },
  {
    name: 'valuePath or',
    filter: 'emails[type eq "work" or type eq "home"]',
    expect: [
      'u-alice',
      'u-bob',
      'u-carol',
      'u-strauss',
      'u-yamada',
      'u-quote',
      'u-frank',
      'u-grace',
      'u-heidi',
    ],
  },
  {
    name: 'valuePath not: element level, includes elements without type',
    filter: 'emails[not (type eq "work")]',
    expect: ['u-alice', 'u-eloise', 'u-strauss', 'u-yamada', 'u-frank'],
  },
  {
    name: 'not of a valuePath: resource level',
    filter: 'not (emails[type eq "work"])',
    expect: ['u-dave', 'u-eloise', 'u-frank', 'u-minimal'],
  },
  {
    name: 'valuePath and not',
    filter: 'emails[type eq "work" and not (primary eq true)]',
    expect: ['u-bob', 'u-strauss', 'u-yamada', 'u-quote', 'u-grace', 'u-heidi'],
  },
  {
    name: 'valuePath pr',
    filter: 'emails[value pr]',
    expect: allBut('u-dave', 'u-minimal', 'u-heidi'),
  },
  {
    name: 'valuePath with parentheses',
    filter: 'emails[(type eq "home") and value ew "gmail.com"]',
    expect: ['u-alice'],
  },
  {
    name: 'valuePath pr excludes empty string',
    filter: 'emails[type eq "home" and value pr]',
    expect: ['u-alice', 'u-frank'],
  },
  {
    name: 'valuePath on phoneNumbers',
    filter: 'phoneNumbers[type eq "work"]',
    expect: ['u-alice', 'u-frank'],
  },
  { name: 'valuePath folds ü', filter: 'addresses[locality eq "ZÜRICH"]', expect: ['u-eloise'] },
  {
    name: 'valuePath on roles',
    filter: 'roles[value eq "editor" and primary eq true]',
    expect: ['u-yamada'],
  },
  {
    name: 'two valuePaths',
    filter: 'emails[type eq "work"] and emails[type eq "home"]',
    expect: ['u-alice', 'u-strauss'],
  },
  {
    name: 'valuePath and not valuePath',
    filter: 'emails[type eq "work"] and not (emails[type eq "home"])',
    expect: ['u-bob', 'u-carol', 'u-yamada', 'u-quote', 'u-grace', 'u-heidi'],
  },
  {
    name: 'case-insensitive names inside valuePath',
    filter: 'EMAILS[TYPE EQ "work" AND Primary eq TRUE]',
    expect: ['u-alice', 'u-bob', 'u-carol', 'u-grace'],
  },
  // --- sub-attributes ---
  { name: 'sub-attribute eq folds É', filter: 'name.givenName eq "éloïse"', expect: ['u-eloise'] },
  { name: 'sub-attribute eq', filter: 'name.familyName eq "Jones"', expect: ['u-bob', 'u-carol'] },
  { name: 'sub-attribute pr', filter: 'name.middleName pr', expect: ['u-grace'] },
  { name: 'sub-attribute co CJK', filter: 'name.formatted co "山田"', expect: ['u-yamada'] },
  { name: 'case-insensitive sub-attribute name', filter: 'NAME.FAMILYNAME eq "hopper"', expect: ['u-grace'] },
  // --- URN-qualified paths ---
  {
    name: 'extension attribute',
    filter: `${ENT}:department eq "Engineering"`,
    expect: ['u-alice', 'u-bob', 'u-carol'],
  },
  {
    name: 'extension attribute ignores case of value',
    filter: `${ENT}:department eq "engineering"`,
    expect: ['u-alice', 'u-bob', 'u-carol'],
  },
  {
    name: 'extension sub-attribute',
    filter: `${ENT}:manager.value eq "u-alice"`,
    expect: ['u-bob', 'u-frank'],
  },
  {
    name: 'extension complex compared by its value',
    filter: `${ENT}:manager eq "u-alice"`,
    expect: ['u-bob', 'u-frank'],
  },
  {
    name: 'extension sub-attribute pr',
    filter: `${ENT}:manager.displayName pr`,
    expect: ['u-alice', 'u-bob', 'u-heidi'],
  },
  {
    name: 'extension string gt',
    filter: `${ENT}:employeeNumber gt "1001"`,
    expect: ['u-bob', 'u-frank', 'u-yamada', 'u-eloise'],
  },
  {
    name: 'number literal on a string attribute compares as text',
    filter: `${ENT}:employeeNumber eq 1001`,
    expect: ['u-alice'],
  },
  { name: 'core URN prefix', filter: `${CORE}:userName eq "carol"`, expect: ['u-carol'] },
  {
    name: 'core URN prefix with sub-attribute',
    filter: `${CORE}:name.familyName eq "smith"`,
    expect: ['u-alice', 'u-frank'],
  },
  { name: 'URN in upper case', filter: `${ENT.toUpperCase()}:DEPARTMENT eq "Sales"`, expect: ['u-frank'] },
  { name: 'extension CJK value', filter: `${ENT}:department eq "日本支社"`, expect: ['u-yamada'] },
  {
    name: 'extension ne includes resources without the extension',
    filter: `${ENT}:department ne "Engineering"`,
    expect: allBut('u-alice', 'u-bob', 'u-carol'),
  },
  // --- logic, precedence, parentheses ---
  {
    name: 'and',
    filter: 'title eq "Engineer" and active eq true',
    expect: ['u-alice', 'u-frank', 'u-heidi'],
  },
  {
    name: 'or',
    filter: 'title eq "Engineer" or active eq false',
    expect: ['u-alice', 'u-bob', 'u-frank', 'u-heidi', 'u-grace'],
  },
  {
    name: 'and binds tighter than or (right)',
    filter: 'title eq "Engineer" or title eq "Admiral" and active eq true',
    expect: ['u-alice', 'u-bob', 'u-frank', 'u-heidi'],
  },
  {
    name: 'and binds tighter than or (left)',
    filter: 'title eq "Admiral" and active eq true or title eq "Engineer"',
    expect: ['u-alice', 'u-bob', 'u-frank', 'u-heidi'],
  },
  {
    name: 'parentheses override precedence',
    filter: '(title eq "Engineer" or title eq "Admiral") and active eq false',
    expect: ['u-bob', 'u-grace'],
  },
  {
    name: 'not binds tighter than and',
    filter: 'not (active eq true) and title pr',
    expect: ['u-bob', 'u-grace'],
  },
  {
    name: 'not of or',
    filter: 'not (title eq "Engineer" or title eq "engineer")',
    expect: ['u-carol', 'u-dave', 'u-eloise', 'u-strauss', 'u-yamada', 'u-quote', 'u-minimal', 'u-grace'],
  },
  { name: 'double not', filter: 'not (not (active eq false))', expect: ['u-bob', 'u-grace'] },
  { name: 'redundant parentheses', filter: '((userName eq "carol"))', expect: ['u-carol'] },
  {
    name: 'or chain',
    filter: 'userName eq "carol" or userName eq "dave" or userName eq "heidi"',
    expect: ['u-carol', 'u-dave', 'u-heidi'],
  },
  { name: 'upper-case keywords', filter: 'userName eq "carol" AND active EQ true', expect: ['u-carol'] },
  { name: 'extra spaces and tabs', filter: '  userName   eq\t"carol"  ', expect: ['u-carol'] },
  {
    name: 'RFC example shape with absent attribute',
    filter: 'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    expect: [],
  },
  { name: 'and with an absent attribute', filter: 'title pr and userType pr', expect: [] },
  { name: 'or of sw', filter: 'userName sw "a" or userName sw "b"', expect: ['u-alice', 'u-bob'] },
  { name: 'not pr and eq', filter: 'active eq true and not (emails pr)', expect: ['u-dave'] },
  { name: 'not without space', filter: 'not(active eq true)', expect: ['u-bob', 'u-grace', 'u-minimal'] },
];

export interface FilterErrorCase {
  name: string;
  filter: string;
  scimType: 'invalidFilter';
  detailIncludes: string;
}

const err = (name: string, filter: string, detailIncludes: string): FilterErrorCase => ({
  name,
  filter,
  scimType: 'invalidFilter',
  detailIncludes,
});

export const filterErrorCases: FilterErrorCase[] = [
  err('empty filter', '', 'Filter is empty at offset 0'),
  err('blank filter', '   ', 'Filter is empty at offset 3'),
  err('unknown attribute', 'foo eq "x"', "Unknown attribute 'foo' at offset 0"),
  err('unknown attribute after and', 'userName pr and foo pr', "Unknown attribute 'foo' at offset 16"),
  err('unknown sub-attribute', 'name.nope eq "x"', "Unknown attribute 'name.nope' at offset 0"),
  err('three-part path', 'name.givenName.x eq "x"', "Unknown attribute 'name.givenName.x' at offset 0"),
  err('extension attribute without URN', 'department eq "x"', "Unknown attribute 'department' at offset 0"),
  err(
    'unknown schema URN',
    'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge eq "x"',
    "Unknown attribute 'urn:ietf:params:scim:schemas:extension:acme:2.0:User:badge' at offset 0",
  ),
  err(
    'missing operator',
    'userName',
    "Expected an operator after 'userName' but found end of filter at offset 8",
  ),
  err('unknown operator', 'userName xx "a"', "Unknown operator 'xx' at offset 9"),
  err('missing value', 'userName eq', 'Expected a value but found end of filter at offset 11'),
  err(
    'single-quoted value',
    "userName eq 'alice'",
    "Invalid value ''alice'', expected a JSON string, number, true, false or null at offset 12",
  ),
  err(
    'unquoted word for boolean',
    'active eq yes',
    "Value for boolean attribute 'active' must be true or false",
  ),
  err('unquoted word for dateTime', 'meta.created gt yesterday', 'must be an ISO-8601 date-time string'),
  err('NUL escape in a literal', 'title eq "\\u0000"', 'may not contain the NUL character (U+0000)'),
  err('raw NUL', 'title eq "a\u0000"', 'may not contain the NUL character (U+0000) at offset 11'),
  err('number out of range', 'userName eq 1e999', 'Number 1e999 is out of range at offset 12'),
  err('unterminated string', 'userName eq "abc', 'Unterminated string literal starting at offset 12'),
  err('bad escape', 'userName eq "a\\x"', 'Invalid string literal "a\\x" at offset 12'),
  err(
    'gt on boolean',
    'active gt true',
    "Operator 'gt' is not allowed on boolean attribute 'active' at offset 7",
  ),
  err(
    'co on boolean',
    'active co "t"',
    "Operator 'co' is not allowed on boolean attribute 'active' at offset 7",
  ),
  err(
    'string for boolean',
    'active eq "true"',
    "Value for boolean attribute 'active' must be true or false at offset 10",
  ),
  err(
    'not a date',
    'meta.created gt "yesterday"',
    "Value for dateTime attribute 'meta.created' must be an ISO-8601 date-time string at offset 16",
  ),
  err('number for dateTime', 'meta.lastModified lt 5', 'must be an ISO-8601 date-time string at offset 21'),
  err('impossible date', 'meta.created eq "2024-02-30T00:00:00Z"', 'must be an ISO-8601 date-time string'),
  err('date without time', 'meta.created gt "2024-02-01"', 'must be an ISO-8601 date-time string'),
  err('null with co', 'userName co null', "null can only be compared with 'eq' or 'ne' at offset 12"),
  err('null with gt', 'meta.created gt null', "null can only be compared with 'eq' or 'ne' at offset 16"),
  err(
    'compare complex without value',
    'name eq "x"',
    "Operator 'eq' is not allowed on complex attribute 'name' at offset 5",
  ),
  err(
    'writeOnly attribute',
    'password eq "secret"',
    "Attribute 'password' cannot be used in a filter at offset 0",
  ),
  err(
    'meta.version',
    'meta.version eq "W/\\"1\\""',
    "Filtering on 'meta.version' is not supported at offset 0",
  ),
  err('unclosed parenthesis', '(userName eq "a"', "Expected ')' (to close the '(' at 0) at offset 16"),
  err('unopened parenthesis', 'userName eq "a")', "Unexpected ')' without matching '(' at offset 15"),
  err('empty parentheses', 'userName pr and ()', 'Empty parentheses at offset 17'),
  err('unclosed bracket', 'emails[type eq "work"', "Expected ']' at offset 21"),
  err('unopened bracket', 'userName eq "a"]', "Unexpected ']' without matching '[' at offset 15"),
  err('empty value filter', 'emails[]', 'Empty value filter at offset 7'),
  err(
    'unknown attribute in value filter',
    'emails[foo eq "x"]',
    "Unknown sub-attribute 'foo' of 'emails' at offset 7",
  ),
  err('nested value filter', 'emails[type eq "work" and emails[value pr]]', "Unknown sub-attribute 'emails'"),
  err(
    'brackets on simple attribute',
    'userName[value eq "x"]',
    "'userName' is not a multi-valued complex attribute and cannot take '[...]' at offset 8",
  ),
  err(
    'brackets on single-valued complex',
    'name[givenName eq "x"]',
    "'name' is not a multi-valued complex attribute",
  ),
  err('brackets on sub-attribute', 'emails.value[type eq "work"]', 'is not a multi-valued complex attribute'),
  err(
    'trailing garbage',
    'userName eq "a" garbage',
    "Expected 'and', 'or' or end of filter but found 'garbage' at offset 16",
  ),
  err(
    'dangling and',
    'userName eq "a" and',
    'Unexpected end of filter, expected an attribute path at offset 19',
  ),
  err('doubled or', 'userName eq "a" or or userName eq "b"', "Unknown attribute 'or' at offset 19"),
  err(
    'not without parentheses',
    'not userName eq "a"',
    "Expected '(' after 'not' but found 'userName' at offset 4",
  ),
  err('starts with operator', 'eq "a"', "Unknown attribute 'eq' at offset 0"),
  err(
    'starts with a string',
    '"a" eq userName',
    "Expected an attribute path, 'not' or '(' but found '\"a\"' at offset 0",
  ),
  err('too long', `userName eq "${'a'.repeat(8200)}"`, 'Filter is longer than 8192 characters'),
  err(
    'too deep',
    `${'('.repeat(65)}userName pr${')'.repeat(65)}`,
    'Filter is nested deeper than 64 levels at offset 64',
  ),
  err(
    'too deep with not',
    `${'not ('.repeat(65)}userName pr${')'.repeat(65)}`,
    'Filter is nested deeper than 64 levels at offset 324',
  ),
];

/**
 * `members` filters over the groups of groups-fixture.ts (docs/filter-semantics.md,
 * "`members` and `groups`"): members are direct only, `value` matches ids in any case,
 * `type` and `display` are not caseExact, `display` falls back to the userName.
 */
export const memberFilterCases: FilterCase[] = [
  { name: 'members.value eq', filter: 'members.value eq "u-alice"', expect: ['g-eng'] },
  { name: 'members.value eq in upper case', filter: 'members.value eq "U-ALICE"', expect: ['g-eng'] },
  { name: 'members are direct only', filter: 'members.value eq "u-carol"', expect: ['g-platform'] },
  { name: 'a group as a member', filter: 'members.value eq "g-platform"', expect: ['g-eng'] },
  { name: 'members.type in another case', filter: 'members.type eq "group"', expect: ['g-eng'] },
  {
    name: 'members value filter on one element',
    filter: 'members[value eq "u-bob" and type eq "User"]',
    expect: ['g-eng'],
  },
  {
    name: 'members value filter that no one element satisfies',
    filter: 'members[value eq "u-bob" and type eq "Group"]',
    expect: [],
  },
  { name: 'members.display eq', filter: 'members.display eq "alice smith"', expect: ['g-eng'] },
  {
    name: 'members.display falls back to userName',
    filter: 'members.display eq "minimal"',
    expect: ['g-sales'],
  },
  { name: 'members.display sw', filter: 'members.display sw "Carol"', expect: ['g-platform'] },
  { name: 'members pr', filter: 'members pr', expect: ['g-eng', 'g-platform', 'g-sales'] },
  { name: 'not members pr', filter: 'not (members pr)', expect: ['g-empty'] },
  {
    name: 'members.value ne: no member equal, empty groups included',
    filter: 'members.value ne "u-alice"',
    expect: ['g-platform', 'g-sales', 'g-empty'],
  },
  {
    name: 'members or displayName',
    filter: 'members[value eq "u-alice"] or displayName eq "Sales"',
    expect: ['g-eng', 'g-sales'],
  },
  {
    name: 'displayName and members',
    filter: 'displayName eq "engineering" and members.value eq "u-bob"',
    expect: ['g-eng'],
  },
  { name: 'members.value eq an unknown id', filter: 'members.value eq "u-nobody"', expect: [] },
];

/**
 * `groups` filters over the users of users-fixture.ts in the groups of groups-fixture.ts: a
 * user's groups include those it is in through nested groups, typed `direct` or `indirect`.
 */
export const userGroupFilterCases: FilterCase[] = [
  {
    name: 'groups.value eq: direct and indirect members',
    filter: 'groups.value eq "g-eng"',
    expect: ['u-alice', 'u-bob', 'u-carol'],
  },
  {
    name: 'groups.value eq in upper case',
    filter: 'groups.value eq "G-SALES"',
    expect: ['u-dave', 'u-minimal'],
  },
  {
    name: 'groups value filter: direct',
    filter: 'groups[value eq "g-eng" and type eq "direct"]',
    expect: ['u-alice', 'u-bob'],
  },
  {
    name: 'groups value filter: indirect',
    filter: 'groups[value eq "g-eng" and type eq "indirect"]',
    expect: ['u-carol'],
  },
  { name: 'groups.type in another case', filter: 'groups.type eq "Indirect"', expect: ['u-carol'] },
  { name: 'groups.display eq', filter: 'groups.display eq "platform"', expect: ['u-carol'] },
  { name: 'groups pr', filter: 'groups pr', expect: ['u-alice', 'u-bob', 'u-carol', 'u-dave', 'u-minimal'] },
  {
    name: 'not groups pr',
    filter: 'not (groups pr)',
    expect: allBut('u-alice', 'u-bob', 'u-carol', 'u-dave', 'u-minimal'),
  },
  {
    name: 'groups.value ne',
    filter: 'groups.value ne "g-eng"',
    expect: allBut('u-alice', 'u-bob', 'u-carol'),
  },
  {
    name: 'userName and groups',
    filter: 'userName sw "a" and groups.value eq "g-eng"',
    expect: ['u-alice'],
  },
  {
    name: 'groups or userName',
    filter: 'groups.value eq "g-platform" or userName eq "heidi"',
    expect: ['u-carol', 'u-heidi'],
  },
  { name: 'groups of an empty group', filter: 'groups.value eq "g-empty"', expect: [] },
];
