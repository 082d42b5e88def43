/** Input guards every service uses on request data it has already parsed. */

/** Whether a value is a plain JSON object: not null, not an array. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
