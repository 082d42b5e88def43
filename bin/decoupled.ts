#!/usr/bin/env -S npx tsx
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.join(__dirname, '..');
const USAGE = `Usage: decoupled <command> [options]

Commands:
  local [--port N] [--stage sandbox|dev|prod] [--outputs-file F] [--host H]
        [-c|--context KEY=VALUE]... [--app CMD | --assembly DIR]
        [--allow-host NAME[,NAME]] [--allow-origin ORIGIN[,ORIGIN]] [--allow-outbound HOST[,HOST]]
        [--no-purge-limit] [--log requests]
                                     synthesize the app (reusing an up-to-date cdk.out), deploy every stack into
                                     the local emulator and serve until Ctrl-C, printing one line per event;
                                     -c: CDK context, as cdk -c (this app's keys are checked for typos);
                                     --app: any CDK app command instead of this app, as cdk --app;
                                     --assembly: deploy an existing cloud assembly, without synthesizing
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
      context: { type: 'string', short: 'c', multiple: true },
      app: { type: 'string' },
      assembly: { type: 'string' },
    },
    strict: true,
  });
  const context = await contextFlags(values.context ?? [], values.stage, values.app);
  if (values.app !== undefined && values.app.trim() === '') throw new UsageError('--app needs a command');
  if (values.assembly !== undefined) {
    const given = Object.entries({ '--app': values.app, '--stage': values.stage, '-c': values.context })
      .filter(([, value]) => value !== undefined)
      .map(([flag]) => flag);
    if (given.length > 0) {
      throw new UsageError(`--assembly deploys what is already synthesized: it takes no ${given.join(', ')}`);
    }
    if (!existsSync(path.join(values.assembly, 'manifest.json'))) {
      throw new UsageError(
        `--assembly ${values.assembly}: no manifest.json there (a cloud assembly is what cdk synth writes to cdk.out)`,
      );
    }
  }
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
  // Listening from the start: a signal right after the Ready line (or during start-up) stops cleanly once
  // started, instead of killing the process before its handlers exist; a second signal exits at once.
  const started: { mode?: Awaited<ReturnType<typeof startLocalMode>> } = {};
  let signals = 0;
  const stop = () => {
    signals += 1;
    if (signals > 1) process.exit(130);
    console.log('\nStopping ...');
    void started.mode?.stop().then(() => console.log('Stopped.'));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
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
    context,
    app: values.app,
    assemblyDirectory: values.assembly,
    outputsFile: values['outputs-file'],
  });
  started.mode = mode;
  if (signals > 0) await mode.stop().then(() => console.log('Stopped.'));
}

/** `-c key=value` flags (repeated), as the CDK CLI takes them; this app's keys are checked for misspellings. */
async function contextFlags(
  given: readonly string[],
  stage: string | undefined,
  app: string | undefined,
): Promise<Record<string, string>> {
  const context: Record<string, string> = {};
  for (const flag of given) {
    const separator = flag.indexOf('=');
    if (separator <= 0) throw new UsageError(`-c needs KEY=VALUE, got '${flag}'`);
    const key = flag.slice(0, separator);
    if (key.length > 256) throw new UsageError(`-c: the key '${key.slice(0, 32)}…' is too long`);
    context[key] = flag.slice(separator + 1);
  }
  if (stage !== undefined && context.stage !== undefined && context.stage !== stage) {
    throw new UsageError(`--stage ${stage} and -c stage=${context.stage} disagree: give one`);
  }
  // another app reads keys of its own: they pass through, as cdk -c passes them
  if (app === undefined) {
    const { unknownContextKey } = await import('../lib/local/synthesis');
    const unknown = await unknownContextKey(ROOT, Object.keys(context));
    if (unknown !== undefined) throw new UsageError(unknown);
  }
  return context;
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
