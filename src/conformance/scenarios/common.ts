/** Wire constants and small step builders shared by the IdP scenarios. */
import { randomUUID } from 'node:crypto';
import type { Check, JsonTemplate, Step, StepResponse } from '../types.ts';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SERVICE_PROVIDER_CONFIG = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const SCIM_JSON = 'application/scim+json';

/** RFC 7644 §3.5.2: PATCH answers 200 with the resource or 204 without. */
export const PATCH_OK = [200, 204] as const;

export function patch(...Operations: JsonTemplate[]): JsonTemplate {
  return { schemas: [PATCH_OP], Operations };
}

/** Capture the `id` of the response body. */
export function id(res: StepResponse): unknown {
  return (res.body as { id?: unknown } | undefined)?.id;
}

/** Capture the whole response body (for IdPs that GET then PUT the object back). */
export function doc(res: StepResponse): unknown {
  return res.body;
}

/** A fresh GUID, as Entra sends in its probes and externalIds. */
export function guid(): string {
  return randomUUID();
}

/** A deep copy of a captured document, so a step's body never edits what another step captured. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

type StepOrFollower = Step | ((previous: Step) => Step);

/**
 * A step list where `verify(...)` entries become a GET that runs only when the step before it
 * passed: a read-back after an update says something only if the update was accepted.
 */
export function seq(...items: StepOrFollower[]): Step[] {
  const steps: Step[] = [];
  for (const item of items) {
    const previous = steps.at(-1);
    if (typeof item === 'function') {
      if (!previous) throw new Error('verify() needs a step before it');
      steps.push(item(previous));
    } else steps.push(item);
  }
  return steps;
}

/** A GET read-back of `path`, after the previous step passed. */
export function verify(
  name: string,
  path: string,
  checks: Check[],
  query?: Record<string, string>,
): (previous: Step) => Step {
  return (previous) => ({
    name,
    method: 'GET',
    path,
    ...(query ? { query } : {}),
    status: [200],
    checks,
    after: [previous.name],
  });
}

/** A GET expecting 404 after a DELETE (RFC 7644 §3.6). */
export function gone(name: string, path: string): (previous: Step) => Step {
  return (previous) => ({ name, method: 'GET', path, status: [404], after: [previous.name] });
}

export function filterQuery(filter: string, extra: Record<string, string> = {}): Record<string, string> {
  return { filter, ...extra };
}
