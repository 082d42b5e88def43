/**
 * What the project CLI's commands share: their command line (positionals, flags, `--help`), the options every one
 * takes (`--endpoint-url`, `--outputs-file`), their output, and how they end: exit 2 with the usage for a command
 * line they cannot run, exit 1 with the AWS error code and message (or the unreachable endpoint) when they fail.
 */
import { parseArgs } from 'node:util';
import { ControlApiError, EndpointUnreachableError, networkReason } from './control-api';
import { DEFAULT_LOCAL_ENDPOINT, Project } from './project';

/** A command line a command cannot run: printed with its usage, exit code 2. */
export class ProjectUsageError extends Error {}

/** A command stopped by Ctrl-C after undoing what it started: exit code 130, as for SIGINT. */
export class CommandCancelled extends Error {}

export interface FlagSpec {
  /** Whether the flag takes a value (`--to QUEUE`) or is a switch (`--yes`). */
  readonly takesValue: boolean;
  /** Whether it may be given more than once (`--attribute` repeated). */
  readonly multiple?: boolean;
  /** A one-letter alias (`-n`). */
  readonly short?: string;
}

/** A command line, read. */
export interface CommandLine {
  readonly positionals: readonly string[];
  /** Each flag's values in order (a switch has `''` once per use). */
  readonly values: Readonly<Record<string, readonly string[]>>;
}

/** Where a command prints: whole lines, and a progress line that the next one replaces on a terminal. */
export interface CommandOutput {
  print(line: string): void;
  progress(line: string): void;
}

/** Lines for an in-process call (tests): progress lines are kept as lines. */
export function collectingOutput(lines: string[] = []): CommandOutput & { readonly lines: string[] } {
  return { lines, print: (line) => lines.push(line), progress: (line) => lines.push(line) };
}

export interface ProjectCommand {
  readonly name: string;
  /** The synopsis after `decoupled `, e.g. `peek QUEUE [-n N]`. */
  readonly synopsis: string;
  /** What `--help` adds below the synopsis: the arguments, the flags, what it does. */
  readonly details: string;
  readonly flags: Readonly<Record<string, FlagSpec>>;
  /** The positionals it takes at least and at most. */
  readonly positionals: readonly [min: number, max: number];
  /** Exists only against the local emulator: with no endpoint named, it uses npm start's. */
  readonly localOnly?: boolean;
  /** Undoes what it started when Ctrl-C aborts its signal (otherwise Ctrl-C ends the process as usual). */
  readonly cancellable?: boolean;
  /** Checks the command line (throws a {@link ProjectUsageError}); the returned function runs it. */
  parse(line: CommandLine): (project: Project, out: CommandOutput, signal: AbortSignal) => Promise<void>;
}

/** The flags every command takes. */
const COMMON_FLAGS: Readonly<Record<string, FlagSpec>> = {
  'endpoint-url': { takesValue: true },
  'outputs-file': { takesValue: true },
};

export const COMMON_OPTIONS = `Options of every command:
  --endpoint-url URL   the emulator (or any SQS endpoint); default: AWS_ENDPOINT_URL, else the endpoint of the
                       outputs file's queue URLs when npm start wrote it (http://127.0.0.1:PORT), else AWS
                       (peek, clock and reset, which exist only locally: ${DEFAULT_LOCAL_ENDPOINT})
  --outputs-file F     the app's outputs ('npm start -- --outputs-file F' or 'cdk deploy --outputs-file F'), for
                       queue names such as WorkQueue and the stage (default: outputs.json, when it exists)
  --help               this text`;

/** The whole `--help` text of a command. */
export function usageOf(command: ProjectCommand): string {
  return `usage: decoupled ${command.synopsis} [--endpoint-url URL] [--outputs-file F]\n\n${command.details}\n\n${COMMON_OPTIONS}`;
}

/** Reads `args` against the command's flags and the common ones; every problem at once. */
export function readCommandLine(
  command: ProjectCommand,
  args: readonly string[],
): { line: CommandLine; help: boolean; endpointUrl?: string; outputsFile?: string } {
  const flags = { ...COMMON_FLAGS, ...command.flags };
  const shorts = new Map(
    Object.entries(flags)
      .filter(([, spec]) => spec.short !== undefined)
      .map(([name, spec]) => [spec.short as string, name]),
  );
  const values: Record<string, string[]> = Object.fromEntries(Object.keys(flags).map((name) => [name, []]));
  const positionals: string[] = [];
  const problems: string[] = [];
  let help = false;
  const { tokens } = parseArgs({
    args: [...args],
    options: Object.fromEntries(
      Object.entries(flags).map(([name, spec]) => [
        name,
        { type: spec.takesValue ? 'string' : 'boolean', ...(spec.short ? { short: spec.short } : {}) },
      ]),
    ),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === 'positional') {
      positionals.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue;
    const name = shorts.get(token.name) ?? token.name;
    const spec = flags[name];
    if (name === 'help' || name === 'h') help = true;
    else if (spec === undefined) problems.push(`unknown option '${token.rawName}'`);
    else if (!spec.takesValue) {
      if (token.value !== undefined) problems.push(`${token.rawName} takes no value`);
      else values[name].push('');
    } else if (token.value === undefined || token.value === '')
      problems.push(`${token.rawName} needs a value`);
    else if (values[name].length > 0 && !spec.multiple) problems.push(`${token.rawName} given twice`);
    else values[name].push(token.value);
  }
  const [min, max] = command.positionals;
  if (positionals.length > max) {
    problems.push(
      `unexpected argument${positionals.length - max > 1 ? 's' : ''} ${positionals.slice(max).join(' ')}`,
    );
  } else if (positionals.length < min && !help) {
    problems.push(
      `missing ${command.synopsis
        .split(' ')
        .slice(1 + positionals.length, 1 + min)
        .join(' ')}`,
    );
  }
  if (problems.length > 0 && !help) throw new ProjectUsageError(problems.join('; '));
  return {
    line: { positionals, values },
    help,
    endpointUrl: values['endpoint-url'][0],
    outputsFile: values['outputs-file'][0],
  };
}

/** The value of a flag that takes one, if given. */
export function flagValue(line: CommandLine, name: string): string | undefined {
  return line.values[name]?.[0];
}

/** Whether a switch was given. */
export function hasSwitch(line: CommandLine, name: string): boolean {
  return (line.values[name]?.length ?? 0) > 0;
}

/** A whole number flag within limits, or a usage error naming them. */
export function wholeNumberFlag(
  line: CommandLine,
  name: string,
  label: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const text = flagValue(line, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d{1,9}$/.test(text) || n < min || n > max) {
    throw new ProjectUsageError(`${label} must be a whole number from ${min} to ${max}, not '${text}'`);
  }
  return n;
}

/** What a failure says in its one line: the AWS error's code and message, the unreachable endpoint, or why. */
export function describeFailure(error: unknown, project: Project | undefined): string {
  if (error instanceof EndpointUnreachableError || error instanceof ControlApiError) {
    return error instanceof ControlApiError ? `${error.code}: ${error.message}` : error.message;
  }
  const endpoint = project?.endpoint;
  const reason = networkReason(error);
  if (reason !== undefined) {
    return endpoint === undefined
      ? `cannot reach AWS (${reason})`
      : new EndpointUnreachableError(endpoint, reason).message;
  }
  const e = error as { name?: string; message?: string; $metadata?: unknown };
  if (e.$metadata !== undefined && e.name !== undefined) return `${e.name}: ${e.message}`;
  // the SDK's configuration errors (no credentials, no region) mean AWS was meant only by default
  const aws =
    endpoint === undefined && (e.name === 'CredentialsProviderError' || e.message === 'Region is missing')
      ? ` (no endpoint given, so this talks to AWS; for the local emulator give --endpoint-url ${DEFAULT_LOCAL_ENDPOINT})`
      : '';
  return `${e.message ?? String(error)}${aws}`;
}

export interface RunOptions {
  readonly out?: CommandOutput;
  readonly errors?: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Aborted on Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** Runs a command and returns its exit code: 0, 1 when it fails, 2 for a command line it cannot run. */
export async function runProjectCommand(
  command: ProjectCommand,
  args: readonly string[],
  options: RunOptions = {},
): Promise<number> {
  const out = options.out ?? consoleOutput();
  const errors = options.errors ?? ((line: string) => console.error(line));
  let run: ReturnType<ProjectCommand['parse']>;
  let read: ReturnType<typeof readCommandLine>;
  try {
    read = readCommandLine(command, args);
    if (read.help) {
      out.print(usageOf(command));
      return 0;
    }
    run = command.parse(read.line);
  } catch (error) {
    if (!(error instanceof ProjectUsageError)) throw error;
    errors(`decoupled ${command.name}: ${error.message}\n\n${usageOf(command)}`);
    return 2;
  }
  let project: Project | undefined;
  try {
    project = new Project({
      endpointUrl: read.endpointUrl,
      outputsFile: read.outputsFile,
      localOnly: command.localOnly,
      env: options.env,
      cwd: options.cwd,
    });
    await run(project, out, options.signal ?? new AbortController().signal);
    return 0;
  } catch (error) {
    errors(`decoupled ${command.name}: ${describeFailure(error, project)}`);
    return error instanceof CommandCancelled ? 130 : 1;
  } finally {
    project?.close();
  }
}

/** stdout; on a terminal a progress line is rewritten in place. */
export function consoleOutput(stream: NodeJS.WriteStream = process.stdout): CommandOutput {
  let pending = false;
  let last: string | undefined;
  return {
    print(line) {
      if (pending) stream.write('\n');
      pending = false;
      stream.write(`${line}\n`);
    },
    progress(line) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        pending = true;
      } else if (line !== last) {
        stream.write(`${line}\n`);
      }
      last = line;
    },
  };
}
