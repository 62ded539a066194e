/** Small builders shared by the store tests. */
import type { AttrRef } from '../../src/scim/filter/ast.ts';
import type { IndexTerm } from '../../src/scim/schema/index-terms.ts';
import type { AttributeType } from '../../src/scim/schema/types.ts';
import type { RequestLogEntry } from '../../src/store/request-log.ts';
import type { NewResource } from '../../src/store/resources.ts';

export const T0 = '2024-01-01T00:00:00.000Z';

/** A hand-built AttrRef, as parseFilter would resolve it. */
export function attr(
  path: string,
  options: { type?: AttributeType; caseExact?: boolean; multiValued?: boolean } = {},
): AttrRef {
  return {
    path,
    location: path.split('.'),
    type: options.type ?? 'string',
    caseExact: options.caseExact ?? false,
    multiValued: options.multiValued ?? false,
  };
}

export function strTerm(path: string, value: string, elem = 0): IndexTerm {
  return { path, elem, str: value, lc: value.toLowerCase(), num: null };
}

export function numTerm(path: string, value: number, elem = 0): IndexTerm {
  return { path, elem, str: null, lc: null, num: value };
}

export function anchorTerm(path: string, elem = 0): IndexTerm {
  return { path, elem, str: null, lc: null, num: null };
}

/** A User with sensible defaults; `overrides` win. */
export function newUser(orgId: string, id: string, overrides: Partial<NewResource> = {}): NewResource {
  const userName = overrides.userName === undefined ? id : overrides.userName;
  return {
    orgId,
    type: 'User',
    id,
    userName,
    externalId: null,
    displayName: null,
    active: true,
    doc: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName },
    passwordHash: null,
    created: T0,
    terms: userName === null ? [] : [strTerm('userName', userName)],
    ...overrides,
  };
}

/** A request-log row of a GET in `orgId`, told apart by its request id. */
export function logEntry(orgId: string, requestId: string): RequestLogEntry {
  return {
    orgId,
    at: T0,
    requestId,
    tokenId: null,
    method: 'GET',
    path: `/scim/v2/${orgId}/Users`,
    status: 200,
    durationMs: 1,
    scimType: null,
    idp: null,
    userAgent: null,
    requestBody: null,
    responseBody: null,
    hint: null,
    quirks: null,
  };
}
