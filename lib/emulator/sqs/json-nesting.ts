/**
 * How deeply a parsed JSON value nests, measured without recursion. JSON.parse itself takes any depth, but
 * JSON.stringify, String() and every recursive walk overflow the stack past a few thousand levels: policies are
 * checked here before anything walks them.
 */

/** Deeper than any policy AWS documents (IAM policies nest about 6 levels), shallow enough for any recursive walk. */
export const MAX_POLICY_NESTING = 32;

/** Whether `value` nests objects and arrays more than `limit` levels deep (a scalar is 0 levels, `{}` is 1). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
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
  return nestsDeeperThan(value, limit) ? undefined : (value as Record<string, unknown>);
}
