/** Reading client JSON: plain objects and members whose names IdPs spell in any case. */

export type Json = Record<string, unknown>;

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * A member of `obj` by name, case-insensitively (RFC 7643 §2.1: attribute names are
 * case-insensitive; IdPs also vary the case of message members such as `Operations`). The
 * exact spelling wins when both are present.
 */
export function memberCI(obj: Json, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}
