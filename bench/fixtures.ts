/** The users the benchmark seeds and creates: shaped like what Okta and Entra ID push. */
import { CORE_USER, ENTERPRISE_USER } from '../src/scim/schema/definitions.ts';

export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const CORE_GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

const GIVEN = ['Ada', 'Barbara', 'Chen', 'Dmitri', 'Esther', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas'];
const FAMILY = [
  'Jensen',
  'Lovelace',
  'Okafor',
  'Novak',
  'Silva',
  'Tanaka',
  'Weber',
  'Haddad',
  'Kim',
  'Rossi',
];
const DEPARTMENTS = ['Engineering', 'Sales', 'Support', 'Finance', 'Legal', 'Marketing', 'Operations'];

/** The seeded user number `i`'s userName (the filter scenario looks users up by it). */
export function seededUserName(i: number): string {
  return `user${String(i).padStart(6, '0')}@bench.example.com`;
}

/** A full User body: core name, emails, title, enterprise department and employee number. */
export function userBody(userName: string, n: number): Record<string, unknown> {
  const given = GIVEN[n % GIVEN.length] ?? 'Ada';
  const family = FAMILY[Math.floor(n / GIVEN.length) % FAMILY.length] ?? 'Jensen';
  return {
    schemas: [CORE_USER, ENTERPRISE_USER],
    userName,
    externalId: `ext-${userName}`,
    name: { givenName: given, familyName: family, formatted: `${given} ${family}` },
    displayName: `${given} ${family}`,
    emails: [{ value: userName, type: 'work', primary: true }],
    title: 'Member of Staff',
    active: true,
    [ENTERPRISE_USER]: {
      department: DEPARTMENTS[n % DEPARTMENTS.length],
      employeeNumber: String(100000 + n),
    },
  };
}
