/**
 * How deeply JSON nests, found without recursion. JSON.parse itself takes any depth, but what comes next
 * (JSON.stringify, String(), structured clone into a function's worker, a recursive walk of a policy) overflows
 * the stack a few thousand levels down: request data is checked here first.
 */

/** Whether JSON text (a string or its UTF-8 bytes) opens more than `max` arrays or objects inside each other. */
export function textNestsDeeperThan(text: string | Uint8Array, max: number): boolean {
  // one loop over bytes (brackets, quotes and backslashes are single UTF-8 bytes): reading through a
  // per-character callback cost a tenth of a small request's time
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === 0x22) {
      // a string: skip to its closing quote (a backslash escapes the next byte)
      for (i++; i < bytes.length && bytes[i] !== 0x22; i++) if (bytes[i] === 0x5c) i++;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return false;
}

/** Whether a parsed value nests objects and arrays more than `limit` levels deep (a scalar is 0, `{}` is 1). */
export function valueNestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The deepest event Lambda takes here: Jackson's default (StreamReadConstraints), well inside V8's stack. */
export const MAX_EVENT_NESTING = 1000;

/** Deeper than any policy AWS documents (IAM policies nest about 6 levels), shallow enough for any recursive walk. */
export const MAX_POLICY_NESTING = 32;

/** The JSON object `text` holds, or undefined when it is not a JSON object or nests deeper than `limit`. */
export function boundedJsonObject(
  text: string,
  limit = MAX_POLICY_NESTING,
): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return valueNestsDeeperThan(value, limit) ? undefined : (value as Record<string, unknown>);
}
