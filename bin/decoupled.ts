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
        [--no-purge-limit] [--log requests] [--verbose] [--clock real|manual|fast:N] [--state-dir DIR]
        [--iam enforce|audit|off] [--help]
                                     synthesize the app (reusing an up-to-date cdk.out), deploy every stack into
                                     the local emulator and serve until Ctrl-C, printing one line per event
                                     (npm start passes the flags after --: npm start -- --port 4600);
                                     --verbose: each stack's resources and outputs, not one line per stack;
                                     --clock manual: time moves only when told (npx decoupled clock advance 10m);
                                     --clock fast:N: N times real time (fast:60: a real second is a minute);
                                     --state-dir DIR: keep the emulator's state there across restarts;
                                     --iam: refuse (enforce, the default), only log (audit) or allow (off)
                                     what AWS would deny the app's roles (docs/permissions.md);
                                     -c: CDK context, as cdk -c (this app's keys are checked for typos);
                                     --app: any CDK app command instead of this app, as cdk --app;
                                     --assembly: deploy an existing cloud assembly, without synthesizing
  emulator [--port N] [--host H] [--allow-host …] [--allow-origin …] [--allow-outbound …] [--no-purge-limit]
           [--log requests] [--clock real|manual|fast:N] [--state-dir DIR] [--iam enforce|audit|off]
                                     run a bare local AWS emulator (no app deployed), see docs/emulator.md;
                                     what the --allow flags open up: the Security section of docs/emulator.md;
                                     --no-purge-limit: PurgeQueue more than once a minute, unlike AWS;
                                     --log requests: a line per call (5xx and not-emulated calls always);
                                     --state-dir DIR: keep the state across restarts (Persistence, same doc);
                                     --iam: permissions of deployed roles, off by default (docs/permissions.md)
  publish-quotes (--topic-arn ARN | --outputs-file F) [--file F] [--endpoint-url URL]
                                     publish insurance quotes to the FanOut quote topic (workshop chapter 3)
  send-jobs (--queue-url URL | --outputs-file F) [--count N] [--seconds S] [--endpoint-url URL]
                                     send a spike of jobs to the WorkerFleet jobs queue (workshop chapter 4)

Project commands (the app's queues, on the local emulator or AWS; each takes [--endpoint-url URL]
[--outputs-file F], default outputs.json; see docs/local-mode.md, "The project CLI"):
  status                             every queue's numbers, the alarms in ALARM, the groups' capacity
  peek QUEUE [-n N]                  a queue's messages, without receiving them (local only)
  send QUEUE (BODY | --file F) [--group-id G] [--dedup-id D] [--attribute Name=Value]...
                                     send one message
  redrive DLQ [--to QUEUE] [--rate N]
                                     move a dead-letter queue's messages back, with progress
  purge QUEUE                        delete a queue's messages (refused for the prod stage)
  clock [advance DURATION]           the emulator's clock, or move it forward (local only)
  reset                              the emulator back to its state right after start (local only)
  request-quote [-n N] [--requesters R] [--timeout DURATION]
                                     N quote requests at once over temporary queues, answers and p50/p99
  help [COMMAND]                     show this text, or a command's`;

/** Thrown for a command line we cannot run; printed without a stack trace, exit code 2. */
class UsageError extends Error {}

/** `npm start`: the whole app, running locally. */
async function local(args: string[]): Promise<void> {
  refuseFlagsNpmTook();
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
      clock: { type: 'string' },
      'state-dir': { type: 'string' },
      iam: { type: 'string' },
      context: { type: 'string', short: 'c', multiple: true },
      app: { type: 'string' },
      assembly: { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
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
  const { clockFlag, iamFlag, listFlag, originFlag, requestLogFlag, CliUsageError } =
    await import('../lib/emulator/main');
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
  const clock = values.clock === undefined ? undefined : list([values.clock], (t) => [clockFlag(t)])[0];
  const iam = values.iam === undefined ? undefined : list([values.iam], (t) => [iamFlag(t)])[0];
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
    clock,
    stateDirectory: values['state-dir'],
    iam,
    stage: values.stage,
    context,
    app: values.app,
    assemblyDirectory: values.assembly,
    outputsFile: values['outputs-file'],
    verbose: values.verbose,
    // the time to Ready counts from the process start, synthesis and module loading included
    startedAt: 0,
  });
  started.mode = mode;
  if (signals > 0) await mode.stop().then(() => console.log('Stopped.'));
}

/** Flags of `local` that npm takes for its own config when they come before `--` (`npm start --port 4600`). */
const NPM_TAKES = [
  'port',
  'stage',
  'host',
  'outputs-file',
  'assembly',
  'app',
  'log',
  'clock',
  'state-dir',
  'iam',
];

/**
 * `npm start --port 4600` gives npm the flag (it sets npm_config_port and passes only `4600` on): say where the
 * flag goes instead of failing on a stray `4600` or, worse, starting on the default port.
 */
function refuseFlagsNpmTook(): void {
  if (process.env.npm_lifecycle_event !== 'start') return;
  const taken = NPM_TAKES.filter((flag) => process.env[`npm_config_${flag.replace('-', '_')}`] !== undefined);
  if (taken.length === 0) return;
  const flags = taken.map((flag) => `--${flag}`).join(', ');
  throw new UsageError(
    `npm took ${flags} for itself: npm start passes on only what follows --, as in npm start -- --${taken[0]} … ` +
      `(a setting of that name in an .npmrc does the same: remove it there)`,
  );
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
    case 'status':
    case 'peek':
    case 'send':
    case 'redrive':
    case 'purge':
    case 'clock':
    case 'reset':
    case 'request-quote': {
      const { runProjectCli } = await import('../lib/project/cli');
      return runProjectCli(command, args);
    }
    case 'help': {
      // `help send`: that command's own usage; plain `help` loads none of it
      const cli = args[0] === undefined ? undefined : await import('../lib/project/cli');
      console.log(cli?.isProjectCommand(args[0]) ? cli.projectCommandUsage(args[0]) : USAGE);
      return;
    }
    case undefined:
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
