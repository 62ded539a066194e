/**
 * `{{name}}` templates in scenario data. A string that is exactly `{{name}}` becomes the value
 * itself (an id, a whole captured document); elsewhere the value is spliced in as text.
 */

const WHOLE = /^\{\{([A-Za-z0-9_.]+)\}\}$/;
const PART = /\{\{([A-Za-z0-9_.]+)\}\}/g;

export function fill(value: unknown, lookup: (name: string) => unknown): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!);
    return value.replace(PART, (_, name: string) => String(lookup(name)));
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, lookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, lookup)]));
  }
  return value;
}
