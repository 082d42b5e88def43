/**
 * Durations as people type them for the clock: `500ms`, `30s`, `10m`, `1h`, `2d`, and combinations in
 * decreasing units (`1h30m`, `2m30s`). Read by one linear scan (no regular expression meets the input).
 */

/** The longest move of the clock in one call: 30 days (beyond SQS's 14-day retention and every AWS timeout). */
export const MAX_ADVANCE_MS = 30 * 24 * 3_600_000;

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['d', 24 * 3_600_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
  ['ms', 1],
];

/** The duration in milliseconds, or a sentence saying what is wrong with `text`. */
export function parseDuration(text: string): number | { readonly problem: string } {
  const bad = {
    problem: `'${text.slice(0, 32)}' is not a duration: use a number and a unit (ms, s, m, h, d), e.g. 30s, 10m, 1h30m`,
  };
  if (text.length === 0 || text.length > 32) return bad;
  let total = 0;
  let lastUnit = -1;
  let i = 0;
  while (i < text.length) {
    const start = i;
    while (i < text.length && text[i] >= '0' && text[i] <= '9') i++;
    if (i === start || i - start > 9) return bad;
    const amount = Number(text.slice(start, i));
    const unitStart = i;
    while (i < text.length && text[i] >= 'a' && text[i] <= 'z') i++;
    const unit = UNITS.findIndex(([name]) => name === text.slice(unitStart, i));
    // units in decreasing order, each once: `1h30m`, never `30m1h` or `1m1m`
    if (unit < 0 || unit <= lastUnit) return bad;
    lastUnit = unit;
    total += amount * UNITS[unit][1];
  }
  if (total > MAX_ADVANCE_MS) {
    return { problem: `'${text}' is longer than the clock moves in one call (30d)` };
  }
  return total;
}
