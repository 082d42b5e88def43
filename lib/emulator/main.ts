/**
 * `decoupled emulator [--port N] [--host H] [--allow-…] [--no-purge-limit] [--log requests]`: a bare emulator for
 * any AWS client.
 */
import { lastValue, readFlags } from '../command-line';
import { DEFAULT_HOST, DEFAULT_PORT, type Emulator, startEmulator } from './emulator';
import { REQUEST_LOG_MODES, type RequestLogMode } from './protocol/request-log';
import { isLoopbackName, WILDCARD_HOSTS } from './protocol/request-guard';
import { StateDirectoryError } from './state/persistence';
import { type Clock, CLOCK_FLAG_USAGE, clockFromFlag, clockModeLine } from './clock';
import { IAM_MODES, type IamMode } from './iam/authorizer';

export interface EmulatorCliOptions {
  port: number;
  host: string;
  /** `--allow-host`, `--allow-origin`, `--allow-outbound`: what is opened up beyond loopback. */
  allowHosts: string[];
  allowOrigins: string[];
  allowOutbound: string[];
  /** False with `--no-purge-limit`: PurgeQueue is not limited to once a minute per queue. */
  purgeLimit: boolean;
  /** `--log requests`: one line per call; by default only failures and what is not emulated. */
  requestLog: RequestLogMode;
  /** Where request-log lines go: standard output, beside `listening on`. */
  onRequestLog: (line: string) => void;
  /** `--state-dir DIR`: the state survives restarts (docs/emulator.md, Persistence); memory only without it. */
  stateDirectory?: string;
  /** `--clock real|manual|fast:N`: the emulator's time (docs/emulator.md, Clock). @default the system clock */
  clock?: Clock;
  /** `--iam enforce|audit|off`: permissions of the app's own principals (docs/permissions.md). @default off */
  iam?: IamMode;
}

export class CliUsageError extends Error {}

const USAGE =
  'usage: decoupled emulator [--port N] [--host H] [--allow-host NAME[,NAME]] [--allow-origin ORIGIN[,ORIGIN]]\n' +
  '                          [--allow-outbound HOST[,HOST]]   (see the Security section of docs/emulator.md)\n' +
  '                          [--no-purge-limit]   (PurgeQueue more than once a minute, unlike AWS)\n' +
  '                          [--log requests]     (a line per call; 5xx and not-emulated calls are always logged)\n' +
  '                          [--state-dir DIR]    (keep the state across restarts: Persistence in docs/emulator.md)\n' +
  '                          [--iam enforce|audit|off]   (permissions of deployed roles, docs/permissions.md; default off)\n' +
  `                          [${CLOCK_FLAG_USAGE}]   (manual: time moves only when told; fast:60: a second is a minute)`;

/** A switch (no value): lifts AWS's once-a-minute PurgeQueue rule. */
const NO_PURGE_LIMIT = '--no-purge-limit';

/** A comma-separated list flag's values, each checked: a value with a space or an empty item is a usage error. */
export function listFlag(flag: string, text: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  const bad = items.find((item) => item === '' || /\s/.test(item));
  if (bad !== undefined) throw new CliUsageError(`${flag} takes a comma-separated list, got '${text}'`);
  return items;
}

/** `--allow-origin` values are origins as browsers send them: scheme://host[:port], nothing after. */
export function originFlag(text: string): string[] {
  const origins = listFlag('--allow-origin', text);
  for (const origin of origins) {
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || url.origin !== origin.replace(/\/$/, '') || !/^https?:$/.test(url.protocol)) {
      throw new CliUsageError(`--allow-origin takes origins like http://localhost:3000, got '${origin}'`);
    }
  }
  return origins.map((origin) => origin.replace(/\/$/, ''));
}

/**
 * What to print once listening: the address, a warning when the emulator is reachable beyond this machine
 * (every emulated service, the functions it runs and their host processes are then anyone's to use), and a line
 * for each AWS rule lifted.
 */
export function exposureLines(emulator: Emulator): string[] {
  const lines: string[] = [];
  const wildcard = WILDCARD_HOSTS.has(emulator.host);
  if (wildcard) {
    const others = emulator.servedNames.map((name) => (name.includes(':') ? `[${name}]` : name));
    lines.push(
      `listening on http://${emulator.host.includes(':') ? `[${emulator.host}]` : emulator.host}:${emulator.port} ` +
        `(every interface; this machine: ${emulator.endpoint}${others.length ? `, also ${others.join(', ')}` : ''})`,
    );
  } else {
    lines.push(`listening on ${emulator.endpoint}`);
  }
  if (wildcard || !isLoopbackName(emulator.host.replace(/^\[|\]$/g, '').toLowerCase())) {
    lines.push(
      `WARNING: --host ${emulator.host} is not a loopback address: anyone who can reach this machine on port ` +
        `${emulator.port} can use every emulated service and run its Lambda functions and instance processes ` +
        `on this host. Use it only on a network you trust.`,
    );
  }
  const persistence = emulator.persistence;
  if (persistence) {
    lines.push(
      `state kept in ${persistence.directory}: SQS, SNS, S3, SSM, stacks, alarms and logs (the others start empty, ` +
        'see Persistence in docs/emulator.md)',
    );
    if (persistence.droppedBytes > 0) {
      lines.push(
        `dropped a torn last journal record (${persistence.droppedBytes} bytes) left by a crash: it was never acknowledged`,
      );
    }
  }
  if (!emulator.sqs.purgeLimit) {
    lines.push(
      `${NO_PURGE_LIMIT}: PurgeQueue may purge a queue more than once in 60 seconds (AWS refuses that).`,
    );
  }
  return lines;
}

export function parseEmulatorArgs(args: readonly string[]): EmulatorCliOptions {
  const reading = readFlags(
    args,
    ['port', 'host', 'allow-host', 'allow-origin', 'allow-outbound', 'log', 'state-dir', 'clock', 'iam'],
    [NO_PURGE_LIMIT.slice(2)],
  );
  if (reading.help) throw new CliUsageError(USAGE);
  if (reading.problems.length > 0) throw new CliUsageError(`${reading.problems.join('; ')}\n${USAGE}`);
  const options: EmulatorCliOptions = {
    port: DEFAULT_PORT,
    host: lastValue(reading, 'host') ?? DEFAULT_HOST,
    allowHosts: reading.values['allow-host'].flatMap((text) => listFlag('--allow-host', text)),
    allowOrigins: reading.values['allow-origin'].flatMap(originFlag),
    allowOutbound: reading.values['allow-outbound'].flatMap((text) => listFlag('--allow-outbound', text)),
    purgeLimit: !reading.switches.has(NO_PURGE_LIMIT.slice(2)),
    requestLog: requestLogFlag(lastValue(reading, 'log')),
    onRequestLog: (line) => console.log(line),
    stateDirectory: stateDirectoryFlag(lastValue(reading, 'state-dir')),
    clock: clockFlag(lastValue(reading, 'clock')),
    iam: iamFlag(lastValue(reading, 'iam')),
  };
  const portText = lastValue(reading, 'port');
  if (portText !== undefined) {
    const port = Number(portText);
    if (!/^\d{1,5}$/.test(portText) || port > 65_535) {
      throw new CliUsageError(`--port must be an integer from 0 to 65535, got '${portText}'\n${USAGE}`);
    }
    options.port = port;
  }
  return options;
}

/** `--clock real|manual|fast:N` (real without the flag); anything else is a usage error naming the flag. */
export function clockFlag(text: string | undefined): Clock | undefined {
  if (text === undefined) return undefined;
  const clock = clockFromFlag(text);
  if ('problem' in clock) throw new CliUsageError(clock.problem);
  return clock;
}

/** `--state-dir DIR`: any path; an empty one is a usage error (it would mean the current directory). */
export function stateDirectoryFlag(text: string | undefined): string | undefined {
  if (text !== undefined && text.trim() === '') throw new CliUsageError('--state-dir needs a directory');
  return text;
}

/** `--iam enforce|audit|off`; anything else is a usage error naming the choices. */
export function iamFlag(text: string | undefined): IamMode | undefined {
  if (text === undefined) return undefined;
  if ((IAM_MODES as readonly string[]).includes(text)) return text as IamMode;
  throw new CliUsageError(`--iam takes ${IAM_MODES.join(', ')}, got '${text}'`);
}

/** `--log requests` (or `failures`, the default); anything else is a usage error naming the choices. */
export function requestLogFlag(text: string | undefined): RequestLogMode {
  if (text === undefined) return 'failures';
  if ((REQUEST_LOG_MODES as readonly string[]).includes(text)) return text as RequestLogMode;
  throw new CliUsageError(`--log takes ${REQUEST_LOG_MODES.join(' or ')}, got '${text}'`);
}

/** Starts the emulator, prints one `listening on` line, and stops cleanly on SIGINT or SIGTERM. */
export async function runEmulatorCli(args: string[]): Promise<void> {
  let options: EmulatorCliOptions;
  try {
    options = parseEmulatorArgs(args);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    console.error(error.message);
    process.exitCode = 2;
    return;
  }
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator(options);
  } catch (error) {
    if (error instanceof StateDirectoryError) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `port ${options.port} on ${options.host} is already in use (try --port N)`
        : `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`,
    );
    process.exitCode = 1;
    return;
  }
  const [listening, ...others] = exposureLines(emulator);
  for (const line of [listening, `console: ${emulator.endpoint}/_console/`, ...others]) console.log(line);
  const clockLine = clockModeLine(emulator.clock);
  if (clockLine !== undefined) console.log(clockLine);
  if (emulator.iam.mode !== 'off')
    console.log(`permissions: --iam ${emulator.iam.mode} (docs/permissions.md)`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      emulator.stop().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
