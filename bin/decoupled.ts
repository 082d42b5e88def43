#!/usr/bin/env -S npx tsx
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.join(__dirname, '..');
const USAGE = `Usage: decoupled <command> [options]

Commands:
  local [--port N] [--stage sandbox|dev|prod] [--outputs-file F] [--host H]
        [--allow-host NAME[,NAME]] [--allow-origin ORIGIN[,ORIGIN]] [--allow-outbound HOST[,HOST]]
        [--no-purge-limit] [--log requests]
                                     synthesize the app (reusing an up-to-date cdk.out), deploy every stack into
                                     the local emulator and serve until Ctrl-C, printing one line per event
  emulator [--port N] [--host H] [--allow-host …] [--allow-origin …] [--allow-outbound …] [--no-purge-limit]
           [--log requests]
                                     run a bare local AWS emulator (no app deployed), see docs/emulator.md;
                                     what the --allow flags open up: the Security section of docs/emulator.md;
                                     --no-purge-limit: PurgeQueue more than once a minute, unlike AWS;
                                     --log requests: a line per call (5xx and not-emulated calls always)
  publish-quotes (--topic-arn ARN | --outputs-file F) [--file F] [--endpoint-url URL]
                                     publish insurance quotes to the FanOut quote topic (workshop chapter 3)
  send-jobs (--queue-url URL | --outputs-file F) [--count N] [--seconds S] [--endpoint-url URL]
                                     send a spike of jobs to the WorkerFleet jobs queue (workshop chapter 4)
  help                               show this text`;

/** Thrown for a command line we cannot run; printed without a stack trace, exit code 2. */
class UsageError extends Error {}

/** `npm start`: the whole app, running locally. */
async function local(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      stage: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'outputs-file': { type: 'string' },
      'allow-host': { type: 'string', multiple: true },
      'allow-origin': { type: 'string', multiple: true },
      'allow-outbound': { type: 'string', multiple: true },
      'no-purge-limit': { type: 'boolean' },
      log: { type: 'string' },
    },
    strict: true,
  });
  let port: number | undefined;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65_535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got '${values.port}'`);
    }
  }
  const { listFlag, originFlag, requestLogFlag, CliUsageError } = await import('../lib/emulator/main');
  const list = <T>(given: string[] | undefined, parse: (text: string) => T[]): T[] => {
    try {
      return (given ?? []).flatMap(parse);
    } catch (error) {
      throw error instanceof CliUsageError ? new UsageError(error.message) : error;
    }
  };
  const allowHosts = list(values['allow-host'], (t) => listFlag('--allow-host', t));
  const allowOrigins = list(values['allow-origin'], originFlag);
  const allowOutbound = list(values['allow-outbound'], (t) => listFlag('--allow-outbound', t));
  const requestLog = values.log === undefined ? undefined : list([values.log], (t) => [requestLogFlag(t)])[0];
  // Loaded on demand: `help` and `emulator` need none of it.
  const { startLocalMode } = await import('../lib/local/local-mode');
  const mode = await startLocalMode({
    root: ROOT,
    port,
    host: values.host,
    allowHosts,
    allowOrigins,
    allowOutbound,
    purgeLimit: !values['no-purge-limit'],
    requestLog,
    stage: values.stage,
    outputsFile: values['outputs-file'],
  });
  const stop = () => {
    console.log('\nStopping ...');
    void mode.stop().then(() => console.log('Stopped.'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case 'local':
      return local(args);
    case 'emulator': {
      // Loaded on demand: `local` needs none of the emulator.
      const { runEmulatorCli } = await import('../lib/emulator/main');
      return runEmulatorCli(args);
    }
    case 'publish-quotes': {
      const { runPublishQuotesCli } = await import('../lib/workshop/publish-quotes');
      return runPublishQuotesCli(args);
    }
    case 'send-jobs': {
      const { runSendJobsCli } = await import('../lib/workshop/send-jobs');
      return runSendJobsCli(args);
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(USAGE);
      return;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`decoupled: ${(error as Error).message}${usage ? `\n\n${USAGE}` : ''}`);
  // exit now: a half-started emulator may still hold timers that would keep the process alive
  process.exit(usage ? 2 : 1);
});
