/**
 * Reading `--flag value` and `--flag=value` command lines with node:util's parseArgs, for every command of the
 * project (the emulator, the workshop commands). Problems are collected, worded the same way everywhere, and
 * reported together: `unknown argument '--prot'`, `--port needs a value`.
 */
import { parseArgs } from 'node:util';

export interface FlagReading {
  /** Each known flag's values in order (a flag given twice has two). */
  readonly values: Readonly<Record<string, readonly string[]>>;
  /** What could not be read, one sentence each. */
  readonly problems: readonly string[];
  /** Whether `--help` or `-h` was given. */
  readonly help: boolean;
  /** The switches (flags without a value) given. */
  readonly switches: ReadonlySet<string>;
}

/** Reads `args` against the flags `names` (without `--`), which take a value, and `switchNames`, which take none. */
export function readFlags(
  args: readonly string[],
  names: readonly string[],
  switchNames: readonly string[] = [],
): FlagReading {
  const values: Record<string, string[]> = Object.fromEntries(names.map((name) => [name, []]));
  const switches = new Set<string>();
  const problems: string[] = [];
  let help = false;
  const { tokens } = parseArgs({
    args: [...args],
    options: Object.fromEntries(names.map((name) => [name, { type: 'string', multiple: true }])),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      problems.push(`unknown argument '${token.value}'`);
    } else if (token.kind === 'option') {
      if (token.name === 'help' || token.name === 'h') help = true;
      else if (switchNames.includes(token.name)) {
        if (token.value !== undefined) problems.push(`${token.rawName} takes no value`);
        else switches.add(token.name);
      } else if (!Object.hasOwn(values, token.name)) problems.push(`unknown argument '${token.rawName}'`);
      else if (token.value === undefined || token.value === '')
        problems.push(`${token.rawName} needs a value`);
      else values[token.name].push(token.value);
    }
  }
  return { values, problems, help, switches };
}

/** The last value given for a flag (a flag given twice: the later wins, as before), or undefined. */
export function lastValue(reading: FlagReading, name: string): string | undefined {
  const given = reading.values[name];
  return given === undefined || given.length === 0 ? undefined : given[given.length - 1];
}
