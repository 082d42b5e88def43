/**
 * `npm start`: synthesize the app (reusing an up-to-date cdk.out), start the emulator, deploy every stack of
 * the assembly into it, print the resources and the next commands, then print one line per event until stopped.
 */
import { writeFileSync } from 'node:fs';
import { type Clock, clockModeLine } from '../emulator/clock';
import {
  deployCloudAssembly,
  type DeployOptions,
  type LocalDeployment,
} from '../emulator/deploy/local-deployment';
import { DEFAULT_HOST, DEFAULT_PORT, type Emulator, startEmulator } from '../emulator/emulator';
import type { IamMode } from '../emulator/iam/authorizer';
import { exposureLines } from '../emulator/main';
import type { RequestLogMode } from '../emulator/protocol/request-log';
import { checkStateDirectory } from '../emulator/state/persistence';
import { formatNextCommands, formatResourceTable, formatStackSummaries, ResourceLabels } from './report';
import { watchFleets } from './fleet-view';
import { LiveLog } from './log-live';
import { readableLine } from './log-lines';
import { checkPortFree, portInUseError } from './log-startup';
import { synthesizeApp } from './synthesis';
import type { DeferredValidation } from '../build-cache/template-validation';
import type { PolicyViolation } from 'aws-cdk-lib';

export interface LocalModeOptions {
  /** The project root. */
  readonly root: string;
  /** @default 4566 */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** Opened up beyond loopback on purpose: see EmulatorOptions and the Security section of docs/emulator.md. */
  readonly allowHosts?: readonly string[];
  readonly allowOrigins?: readonly string[];
  readonly allowOutbound?: readonly string[];
  /** False lifts AWS's one PurgeQueue per queue a minute (`--no-purge-limit`): see EmulatorOptions. @default true */
  readonly purgeLimit?: boolean;
  /** `requests` (`--log requests`) prints a line per call; 5xx and not-emulated calls always. @default 'failures' */
  readonly requestLog?: RequestLogMode;
  /** Overrides cdk.json's stage. */
  readonly stage?: string;
  /** Writes the outputs there, in the shape of `cdk deploy --outputs-file`. */
  readonly outputsFile?: string;
  /** Context over cdk.json's (`-c key=value`); `stage` is the same as {@link stage}. */
  readonly context?: Readonly<Record<string, string>>;
  /** A CDK app command to synthesize instead of this app (`--app CMD`), run as the CDK CLI runs it. */
  readonly app?: string;
  /** Deploy this assembly instead of synthesizing the app (`--assembly DIR`, tests). */
  readonly assemblyDirectory?: string;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Keeps the emulator's state there across restarts (`--state-dir`, see EmulatorOptions). @default memory only */
  readonly stateDirectory?: string;
  /** Permissions (`--iam`): what AWS would deny the app's functions, instances and integrations. @default 'enforce' */
  readonly iam?: IamMode;
  /** Where lines go. @default console.log */
  readonly print?: (line: string) => void;
  /** The full resource tables and outputs of each stack instead of one summary line per stack (`--verbose`). */
  readonly verbose?: boolean;
  /**
   * When the command started, on `performance.now()`'s timeline (0: the process start, as the CLI passes), for
   * the time to Ready. @default the call to startLocalMode
   */
  readonly startedAt?: number;
}

export interface LocalMode {
  readonly emulator: Emulator;
  readonly deployment: LocalDeployment;
  /** Milliseconds from start to ready, and their parts. */
  readonly timings: { readonly synthMs: number; readonly deployMs: number; readonly totalMs: number };
  stop(): Promise<void>;
}

export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const started = options.startedAt ?? performance.now();
  const print = options.print ?? ((line: string) => console.log(line));
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? DEFAULT_HOST;
  // before the synthesis (seconds): a port in use is known at once
  await checkPortFree(host, port);
  if (options.stateDirectory !== undefined) checkStateDirectory(options.stateDirectory);
  let assembly = options.assemblyDirectory;
  let synthMs = 0;
  let validation: DeferredValidation | undefined;
  if (assembly === undefined) {
    const what = options.app === undefined ? 'the app' : `the app ${options.app}`;
    const synthesis = await synthesizeApp({
      root: options.root,
      stage: options.stage,
      context: options.context,
      app: options.app,
      onSynthesize: (reason) => print(`Synthesizing ${what} into cdk.out (${reason}) ...`),
      // the emulator needs no validated template: the engine's seconds run beside the deployment
      deferValidation: true,
    });
    validation = synthesis.validation;
    assembly = synthesis.outdir;
    synthMs = synthesis.durationMs;
    const forStage = synthesis.stage === undefined ? '' : ` for stage ${synthesis.stage}`;
    print(
      synthesis.synthesized
        ? `Synthesized${forStage} in ${(synthMs / 1000).toFixed(1)} s.`
        : `cdk.out is up to date${forStage}: reusing it.`,
    );
  }

  // function and worker output can come during deployment, before the live log (and its labels) exist
  const names: { log?: LiveLog } = {};
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      port,
      host,
      allowHosts: options.allowHosts,
      allowOrigins: options.allowOrigins,
      allowOutbound: options.allowOutbound,
      purgeLimit: options.purgeLimit,
      requestLog: options.requestLog,
      // in order with the live events (which may wait a moment for a function's last lines)
      onRequestLog: (line) => (names.log ? names.log.line(line) : print(line)),
      clock: options.clock,
      stateDirectory: options.stateDirectory,
      iam: options.iam ?? 'enforce',
      onFunctionLog: (line) =>
        names.log
          ? names.log.functionLog(line)
          : print(`[${line.functionName}] ${readableLine(line.line).text}`),
    });
  } catch (error) {
    validation?.cancel();
    // taken during the synthesis, after the check
    if ((error as { code?: string }).code === 'EADDRINUSE') throw portInUseError(host, port, error);
    throw error;
  }
  let stopped = false;
  const validationStarted = performance.now();
  // after Ready, in order with the live events
  const printLate = (line: string) => (names.log ? names.log.line(line) : print(line));
  void validation?.findings.then(
    (findings) => {
      if (stopped) return;
      const seconds = ((performance.now() - validationStarted) / 1000).toFixed(1);
      for (const line of validationLines(findings, seconds)) printLate(line);
    },
    (error: unknown) => {
      if (!stopped)
        printLate(`CloudFormation validation could not run: ${(error as Error)?.message ?? error}`);
    },
  );
  // only the warning and the lifted limits: the endpoint itself is printed with the deployment below
  for (const line of exposureLines(emulator).slice(1)) print(line);
  const clockLine = clockModeLine(emulator.clock);
  if (clockLine !== undefined) print(clockLine);
  if (emulator.iam.mode !== 'enforce') print(`permissions: --iam ${emulator.iam.mode} (docs/permissions.md)`);
  let deployment: LocalDeployment;
  // the console remembers from the start: invocations and worker lines of the deployment too
  emulator.webConsole.observe();
  const deployStarted = performance.now();
  const deployOptions: DeployOptions = {
    onInstanceLog: (line) => {
      emulator.webConsole.observations.recordInstanceLog(line);
      if (names.log) names.log.instanceLog(line);
      else print(`[${line.instanceId}] ${readableLine(line.line).text}`);
    },
  };
  const assemblyDirectory = assembly;
  // a reset (POST /_emulator/reset, npx decoupled reset) empties the emulator: the stacks come back as at start
  emulator.onReset(async () => {
    await deployCloudAssembly(emulator, assemblyDirectory, deployOptions);
    print('Reset: every stack deployed again, with no messages, objects or metrics.');
  });
  try {
    deployment = await deployCloudAssembly(emulator, assembly, deployOptions);
    const count = deployment.stacks.reduce((sum, stack) => sum + stack.resources.length, 0);
    const stacks = deployment.stacks.length;
    print(
      `Deployed ${stacks} stack${stacks === 1 ? '' : 's'} (${count} resources) into the emulator at ${emulator.endpoint} in ${Math.round(performance.now() - deployStarted)} ms:`,
    );
  } catch (error) {
    stopped = true;
    validation?.cancel();
    await emulator.stop();
    throw error;
  }
  const deployMs = performance.now() - deployStarted;
  const labels = new ResourceLabels(deployment);
  const log = new LiveLog({ labels, now: () => emulator.clock.now(), print });
  names.log = log;
  const stopFleets = watchFleets(emulator, labels, (line) => log.line(line));
  const stopListening = emulator.activity.listen((event) => log.activity(event));

  if (options.verbose) print(formatResourceTable(deployment));
  else {
    print(formatStackSummaries(deployment));
    print('  (each resource and the outputs: npm start -- --verbose)');
  }
  if (options.outputsFile !== undefined) {
    writeFileSync(options.outputsFile, `${JSON.stringify(deployment.outputsFile(), null, 2)}\n`);
    print(`\nOutputs written to ${options.outputsFile}`);
  }
  print(formatNextCommands(deployment, emulator.endpoint, emulator.region));
  print(
    `Console: ${emulator.endpoint}/_console/ (queues, topics, buckets, functions, streams, metrics, fleet)`,
  );
  const totalMs = performance.now() - started;
  print(`\nReady in ${(totalMs / 1000).toFixed(1)} s. Live events follow:`);
  return {
    emulator,
    deployment,
    timings: { synthMs, deployMs, totalMs },
    stop: async () => {
      stopped = true;
      validation?.cancel();
      stopListening();
      stopFleets();
      log.close();
      await emulator.stop();
    },
  };
}

/** What npm start says of a validation it deferred (a clean one in a line; each finding in a line of its own). */
function validationLines(findings: readonly PolicyViolation[], seconds: string): string[] {
  if (findings.length === 0) {
    return [`CloudFormation validation of the templates: no findings (${seconds} s, beside the deployment).`];
  }
  const count = findings.length;
  return [
    `CloudFormation validation of the templates: ${count} finding${count === 1 ? '' : 's'} (${seconds} s; \`npx cdk synth\` reports the same):`,
    ...findings.map((violation) => {
      const where = violation.violatingResources
        .map((resource) => resource.constructPath ?? resource.resourceLogicalId)
        .join(', ');
      return `  ${violation.severity ?? 'error'} ${violation.ruleName}: ${violation.description}${where ? ` (${where})` : ''}`;
    }),
  ];
}
