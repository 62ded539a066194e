/**
 * The roles a deployment declares (ROLES / ROLES_FILE, src/config.ts; docs/roles.md). A leaf
 * module: the configuration reads it without the directory's code.
 */

/** A role the deployment declares (ROLES / ROLES_FILE, docs/config.md). */
export interface RoleDefinition {
  /** Stable key the host app checks: lowercase letters, digits, `_` and `-`. */
  key: string;
  /** For people. */
  name: string;
  /** Higher wins in the mode `highest`; unique among the roles. */
  priority: number;
}

export const DEFAULT_ROLES: readonly RoleDefinition[] = [
  { key: 'owner', name: 'Owner', priority: 400 },
  { key: 'admin', name: 'Admin', priority: 300 },
  { key: 'member', name: 'Member', priority: 200 },
  { key: 'viewer', name: 'Viewer', priority: 100 },
];

export const ROLE_KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * Checks a deployment's role list (src/config.ts calls it): 1 to 100 roles, keys as
 * ROLE_KEY_PATTERN and unique, names 1 to 200 characters, integer priorities, unique. Returns
 * a message for the first problem, or undefined.
 */
export function roleDefinitionsProblem(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100)
    return 'must be a JSON array of 1 to 100 roles';
  const keys = new Set<string>();
  const priorities = new Set<number>();
  for (const [i, role] of value.entries()) {
    const r = role as Partial<RoleDefinition> | null;
    if (typeof r !== 'object' || r === null) return `[${i}] must be an object {key, name, priority}`;
    if (typeof r.key !== 'string' || !ROLE_KEY_PATTERN.test(r.key))
      return `[${i}].key must be 1 to 63 lowercase letters, digits, '_' or '-'`;
    if (typeof r.name !== 'string' || r.name.length === 0 || r.name.length > 200)
      return `[${i}].name must be a string of 1 to 200 characters`;
    if (
      typeof r.priority !== 'number' ||
      !Number.isSafeInteger(r.priority) ||
      Math.abs(r.priority) > 1_000_000
    )
      return `[${i}].priority must be a whole number from -1000000 to 1000000`;
    if (keys.has(r.key)) return `[${i}].key '${r.key}' is declared twice`;
    if (priorities.has(r.priority)) return `[${i}].priority ${r.priority} is taken by another role`;
    keys.add(r.key);
    priorities.add(r.priority);
  }
  return undefined;
}
