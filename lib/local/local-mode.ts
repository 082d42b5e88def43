/**
 * `npm start`: synthesize the app (reusing an up-to-date cdk.out), start the emulator, deploy every stack of
 * the assembly into it, print the resources and the next commands, then print one line per event until stopped.
 */
import { writeFileSync } from 'node:fs';
import type { Clock } from '../emulator/clock';
import { deployCloudAssembly, type LocalDeployment } from '../emulator/deploy/local-deployment';
import { DEFAULT_HOST, DEFAULT_PORT, type Emulator, startEmulator } from '../emulator/emulator';
import { exposureLines } from '../emulator/main';
import type { RequestLogMode } from '../emulator/protocol/request-log';
import {
  formatActivity,
  formatInstanceLog,
  formatFunctionLog,
  formatNextCommands,
  formatResourceTable,
  ResourceLabels,
} from './report';
import { watchFleets } from './fleet-view';
import { synthesizeApp } from './synthesis';

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
  /** Where lines go. @default console.log */
  readonly print?: (line: string) => void;
}

export interface LocalMode {
  readonly emulator: Emulator;
  readonly deployment: LocalDeployment;
  /** Milliseconds from start to ready, and their parts. */
  readonly timings: { readonly synthMs: number; readonly deployMs: number; readonly totalMs: number };
  stop(): Promise<void>;
}

export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const started = performance.now();
  const print = options.print ?? ((line: string) => console.log(line));
  let assembly = options.assemblyDirectory;
  let synthMs = 0;
  if (assembly === undefined) {
    const what = options.app === undefined ? 'the app' : `the app ${options.app}`;
    const synthesis = await synthesizeApp({
      root: options.root,
      stage: options.stage,
      context: options.context,
      app: options.app,
      onSynthesize: (reason) => print(`Synthesizing ${what} into cdk.out (${reason}) ...`),
    });
    assembly = synthesis.outdir;
    synthMs = synthesis.durationMs;
    const forStage = synthesis.stage === undefined ? '' : ` for stage ${synthesis.stage}`;
    print(
      synthesis.synthesized
        ? `Synthesized${forStage} in ${(synthMs / 1000).toFixed(1)} s.`
        : `cdk.out is up to date${forStage}: reusing it.`,
    );
  }

  // function output can come during deployment, before the labels exist
  const names: { labels?: ResourceLabels } = {};
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? DEFAULT_HOST;
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
      onRequestLog: (line) => print(line),
      clock: options.clock,
      onFunctionLog: (line) =>
        print(names.labels ? formatFunctionLog(line, names.labels) : `[${line.functionName}] ${line.line}`),
    });
  } catch (error) {
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new Error(
        `port ${port} on ${host} is in use (another npm start or emulator?): stop it, or choose another with --port`,
        { cause: error },
      );
    }
    throw error;
  }
  // only the warning and the lifted limits: the endpoint itself is printed with the deployment below
  for (const line of exposureLines(emulator).slice(1)) print(line);
  let deployment: LocalDeployment;
  const deployStarted = performance.now();
  try {
    deployment = await deployCloudAssembly(emulator, assembly, {
      onInstanceLog: (line) => print(formatInstanceLog(line)),
    });
    const count = deployment.stacks.reduce((sum, stack) => sum + stack.resources.length, 0);
    print(
      `Deployed ${count} resources into the emulator at ${emulator.endpoint} in ${Math.round(performance.now() - deployStarted)} ms.`,
    );
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  const deployMs = performance.now() - deployStarted;
  const labels = new ResourceLabels(deployment);
  names.labels = labels;
  const stopFleets = watchFleets(emulator, labels, print);
  const stopListening = emulator.activity.listen((event) =>
    print(formatActivity(event, labels, new Date(emulator.clock.now()))),
  );

  print(formatResourceTable(deployment));
  if (options.outputsFile !== undefined) {
    writeFileSync(options.outputsFile, `${JSON.stringify(deployment.outputsFile(), null, 2)}\n`);
    print(`\nOutputs written to ${options.outputsFile}`);
  }
  print(formatNextCommands(deployment, emulator.endpoint, emulator.region));
  const totalMs = performance.now() - started;
  print(`\nReady in ${(totalMs / 1000).toFixed(1)} s. Live events follow:`);
  return {
    emulator,
    deployment,
    timings: { synthMs, deployMs, totalMs },
    stop: async () => {
      stopListening();
      stopFleets();
      await emulator.stop();
    },
  };
}
