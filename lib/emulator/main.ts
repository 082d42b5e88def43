/** `decoupled emulator [--port N] [--host H]`: a bare emulator for any AWS client. */
import { DEFAULT_HOST, DEFAULT_PORT, startEmulator } from './emulator';

export interface EmulatorCliOptions {
  port: number;
  host: string;
}

export class CliUsageError extends Error {}

const USAGE = 'usage: decoupled emulator [--port N] [--host H]';

export function parseEmulatorArgs(args: readonly string[]): EmulatorCliOptions {
  const options: EmulatorCliOptions = { port: DEFAULT_PORT, host: DEFAULT_HOST };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new CliUsageError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    switch (flag) {
      case '--port': {
        const text = value();
        const port = Number(text);
        if (!/^\d+$/.test(text) || port > 65_535) {
          throw new CliUsageError(`--port must be an integer from 0 to 65535, got '${text}'\n${USAGE}`);
        }
        options.port = port;
        break;
      }
      case '--host':
        options.host = value();
        break;
      case '--help':
      case '-h':
        throw new CliUsageError(USAGE);
      default:
        throw new CliUsageError(`unknown argument '${arg}'\n${USAGE}`);
    }
  }
  return options;
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
    emulator = await startEmulator({ port: options.port, host: options.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `port ${options.port} on ${options.host} is already in use (try --port N)`
        : `cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`,
    );
    process.exitCode = 1;
    return;
  }
  console.log(`listening on ${emulator.endpoint}`);
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
