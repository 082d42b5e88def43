/** The plain-text tables and ages the project CLI prints (status, peek). */

/** Columns padded to their widest cell; `numeric` columns are right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[] = [],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

/** An age in its two largest units: `45s`, `3m 20s`, `2h 5m`, `3d 4h`; `-` when there is none. */
export function formatAge(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.floor(seconds));
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const first = units.findIndex(([size]) => s >= size);
  if (first < 0) return '0s';
  const [size, unit] = units[first];
  const whole = `${Math.floor(s / size)}${unit}`;
  if (first === units.length - 1) return whole;
  const [nextSize, nextUnit] = units[first + 1];
  const rest = Math.floor((s % size) / nextSize);
  return rest === 0 ? whole : `${whole} ${rest}${nextUnit}`;
}
