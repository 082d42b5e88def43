/**
 * Runs a function's bundled handler (its asset directory and Handler setting) the way Lambda does:
 * isolated (each execution environment is a worker thread with its own process.env and module registry),
 * warm (an environment is reused by later invocations), limited in concurrency, stopped at its Timeout, and
 * with its console output captured line by line with the function name and request id.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

export interface FunctionConfiguration {
  readonly functionName: string;
  readonly functionArn: string;
  /** Directory of the unpacked code (a cdk.out asset). */
  readonly codeDirectory: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** The template's variables plus the emulator's (endpoint, region, credentials). */
  readonly environment: Readonly<Record<string, string>>;
  /** How many invocations may run at once (reserved concurrency, else the local default). */
  readonly concurrency: number;
  /** `$LATEST` or a published version's number. @default '$LATEST' */
  readonly version?: string;
  /** LoggingConfig.LogGroup: where its output goes in CloudWatch Logs. @default `/aws/lambda/<functionName>` */
  readonly logGroup?: string;
}

/** The outcome of one invocation, successful or not, as Lambda reports it. */
export type InvocationResult =
  | { readonly ok: true; readonly requestId: string; readonly payload: unknown; readonly durationMs: number }
  | {
      readonly ok: false;
      readonly requestId: string;
      readonly error: FunctionError;
      readonly durationMs: number;
    };

/** An error as Lambda returns it for a failed invocation (`X-Amz-Function-Error: Unhandled`). */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** One line a function wrote to stdout or stderr. */
export interface FunctionLogLine {
  readonly functionName: string;
  readonly requestId: string | undefined;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

/** Where CloudWatch Logs keeps a line: the function's log group and its execution environment's stream. */
export interface FunctionLogDestination {
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** The console method's level (`INFO`, `WARN`…); absent for raw writes to process.stdout/stderr. */
  readonly level?: string;
}

/**
 * Starts each line the function's console methods print, with the level after it: AWS's Node.js runtime prefixes
 * those lines (time, request id, level) but not raw process.stdout writes (Powertools' JSON). Stripped on arrival.
 */
const CONSOLE_MARK = '\u001e';

/** An invocation starting or ending in an execution environment: CloudWatch Logs' START, END and REPORT lines. */
export interface InvocationLogEvent {
  readonly phase: 'start' | 'end';
  readonly functionName: string;
  readonly version: string;
  readonly requestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
  /** At the end: how long it ran, and the error it ended with. */
  readonly durationMs?: number;
  readonly error?: FunctionError;
}

export interface FunctionRuntimeOptions {
  /** Receives every line a function prints. @default print it prefixed with the function name */
  readonly onLog?: (line: FunctionLogLine, destination?: FunctionLogDestination) => void;
  /** Receives each invocation's start and end, with the environment that ran it. @default nothing */
  readonly onInvocation?: (event: InvocationLogEvent) => void;
  /** The emulator clock: the date in a log stream's name. @default Date.now */
  readonly now?: () => number;
}

/** Thrown when a function's configuration cannot run here (unsupported runtime, missing code). */
export class FunctionConfigurationError extends Error {
  constructor(functionName: string, detail: string) {
    super(`Function ${functionName}: ${detail}`);
    this.name = 'FunctionConfigurationError';
  }
}

/** Thrown to invocations still waiting for an environment of a pool that new code replaced: they move on. */
class PoolRetired extends Error {}

/**
 * The code each execution environment runs: loads the handler once (cold start), then answers invocation
 * messages. Handlers may return a promise or use the callback.
 */
const ENVIRONMENT_BOOTSTRAP = `
const { parentPort, workerData } = require('node:worker_threads');
const path = require('node:path');
const util = require('node:util');
// as the Lambda runtime patches console: each line of a console call is marked with its level (see CONSOLE_MARK)
for (const [method, level, stream] of [['log', 'INFO', 'stdout'], ['info', 'INFO', 'stdout'], ['debug', 'DEBUG', 'stdout'], ['warn', 'WARN', 'stderr'], ['error', 'ERROR', 'stderr']]) {
  console[method] = (...args) => {
    const mark = '\\u001e' + level + '\\t';
    process[stream].write(mark + util.format(...args).split('\\n').join('\\n' + mark) + '\\n');
  };
}
const { file, exportName, functionName, functionVersion, memorySize, functionArn, codeDirectory, logGroupName, logStreamName } = workerData;
// errors leave this machine's paths behind: the code directory reads as Lambda's /var/task, as on AWS
const taskPath = (text) => String(text).split(codeDirectory).join('/var/task');
let handler;
let loadError;
try {
  const mod = require(file);
  handler = mod[exportName];
  if (typeof handler !== 'function') {
    loadError = { errorType: 'Runtime.HandlerNotFound', errorMessage: path.basename(file, '.js') + '.' + exportName + ' is undefined or not exported' };
  }
} catch (error) {
  loadError = { errorType: 'Runtime.ImportModuleError', errorMessage: taskPath(error && error.message || error), trace: taskPath(error && error.stack || '').split('\\n') };
}
function serialize(error) {
  if (error instanceof Error) return { errorType: error.name || 'Error', errorMessage: taskPath(error.message), trace: taskPath(error.stack || '').split('\\n') };
  return { errorType: typeof error, errorMessage: taskPath(error) };
}
parentPort.on('message', ({ requestId, event, deadline }) => {
  globalThis.__decoupledRequestId = requestId;
  if (loadError) return parentPort.postMessage({ requestId, error: loadError });
  let settled = false;
  const finish = (error, payload) => {
    if (settled) return;
    settled = true;
    let message;
    if (error) message = { requestId, error: serialize(error) };
    else {
      try { message = { requestId, payload: payload === undefined ? null : JSON.parse(JSON.stringify(payload)) }; }
      catch (e) { message = { requestId, error: serialize(e) }; }
    }
    // what the invocation printed reaches the parent before its result does (END follows it in CloudWatch Logs)
    process.stdout.write('', () => process.stderr.write('', () => parentPort.postMessage(message)));
  };
  const context = {
    awsRequestId: requestId,
    functionName,
    functionVersion,
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memorySize),
    logGroupName,
    logStreamName,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (e, r) => finish(e, r), fail: (e) => finish(e || new Error('failed')), succeed: (r) => finish(null, r),
  };
  try {
    const returned = handler(event, context, (e, r) => finish(e, r));
    if (returned && typeof returned.then === 'function') returned.then((r) => finish(null, r), (e) => finish(e));
  } catch (error) {
    finish(error);
  }
});
`;

interface ExecutionEnvironment {
  readonly worker: Worker;
  /** As AWS names an environment's log stream: `YYYY/MM/DD/[VERSION]` and 32 hex digits. */
  readonly logStreamName: string;
  busy: boolean;
  currentRequestId?: string;
}

/** Every execution environment of one function, and the queue of invocations waiting for one. */
class FunctionPool {
  private readonly environments: ExecutionEnvironment[] = [];
  private readonly waiting: Array<() => void> = [];
  private closed = false;
  /** Replaced by new code or configuration: busy environments finish their invocation, then stop. */
  private retired = false;

  constructor(
    readonly config: FunctionConfiguration,
    private readonly file: string,
    private readonly exportName: string,
    private readonly onLog: (line: FunctionLogLine, destination?: FunctionLogDestination) => void,
    private readonly onInvocation?: (event: InvocationLogEvent) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** LoggingConfig.LogGroup, else Lambda's default group. */
  private get logGroupName(): string {
    return this.config.logGroup ?? `/aws/lambda/${this.config.functionName}`;
  }

  private invocationEvent(
    environment: ExecutionEnvironment,
    requestId: string,
    end?: { readonly durationMs: number; readonly error?: FunctionError },
  ): InvocationLogEvent {
    return {
      phase: end ? 'end' : 'start',
      functionName: this.config.functionName,
      version: this.config.version ?? '$LATEST',
      requestId,
      logGroupName: this.logGroupName,
      logStreamName: environment.logStreamName,
      memorySize: this.config.memorySize,
      timeoutSeconds: this.config.timeoutSeconds,
      ...end,
    };
  }

  async invoke(event: unknown, requestId: string): Promise<InvocationResult> {
    const environment = await this.acquire();
    const started = Date.now();
    const timeoutMs = this.config.timeoutSeconds * 1000;
    environment.currentRequestId = requestId;
    this.onInvocation?.(this.invocationEvent(environment, requestId));
    try {
      const outcome = await new Promise<{ payload?: unknown; error?: FunctionError }>((resolve) => {
        const timer = setTimeout(() => {
          // AWS: a timed-out invocation is stopped; its environment does not survive.
          this.discard(environment);
          resolve({
            error: {
              errorType: 'Sandbox.Timedout',
              errorMessage: `Task timed out after ${this.config.timeoutSeconds.toFixed(2)} seconds`,
            },
          });
        }, timeoutMs);
        const onMessage = (message: { requestId: string; payload?: unknown; error?: FunctionError }) => {
          if (message.requestId !== requestId) return;
          cleanup();
          resolve(message);
        };
        const onExit = (code: number) => {
          cleanup();
          this.discard(environment);
          resolve({
            error: {
              errorType: 'Runtime.ExitError',
              errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}`,
            },
          });
        };
        const onError = (error: Error) => {
          cleanup();
          this.discard(environment);
          resolve({
            error: { errorType: error.name || 'Runtime.UnhandledError', errorMessage: error.message },
          });
        };
        const cleanup = () => {
          clearTimeout(timer);
          environment.worker.off('message', onMessage);
          environment.worker.off('exit', onExit);
          environment.worker.off('error', onError);
        };
        environment.worker.on('message', onMessage);
        environment.worker.on('exit', onExit);
        environment.worker.on('error', onError);
        try {
          environment.worker.postMessage({ requestId, event, deadline: started + timeoutMs });
        } catch (error) {
          // an event the structured clone refuses (too deep, not cloneable) never reaches the function; the
          // environment stays warm and its timeout must not fire later on someone else's invocation
          cleanup();
          resolve({
            error: { errorType: 'Runtime.InvalidEvent', errorMessage: (error as Error).message },
          });
        }
      });
      const durationMs = Date.now() - started;
      this.onInvocation?.(this.invocationEvent(environment, requestId, { durationMs, error: outcome.error }));
      return outcome.error
        ? { ok: false, requestId, error: outcome.error, durationMs }
        : { ok: true, requestId, payload: outcome.payload, durationMs };
    } finally {
      environment.currentRequestId = undefined;
      this.release(environment);
    }
  }

  private async acquire(): Promise<ExecutionEnvironment> {
    for (;;) {
      if (this.retired) throw new PoolRetired();
      if (this.closed) throw new Error(`Function ${this.config.functionName} was removed`);
      const idle = this.environments.find((e) => !e.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      if (this.environments.length < this.config.concurrency) {
        const environment = this.start();
        environment.busy = true;
        return environment;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(environment: ExecutionEnvironment): void {
    environment.busy = false;
    if (this.retired) this.discard(environment);
    this.waiting.shift()?.();
  }

  /**
   * AWS: after an update, new invocations run the new code while those in flight finish on the old. Idle
   * environments stop now, busy ones when their invocation ends; waiting invocations go to the new pool.
   */
  retire(): void {
    this.retired = true;
    for (const environment of this.environments.filter((e) => !e.busy)) this.discard(environment);
    for (const resolve of this.waiting.splice(0)) resolve();
  }

  private start(): ExecutionEnvironment {
    const version = this.config.version ?? '$LATEST';
    // AWS: `2026/11/30/[$LATEST]` and the environment's 32 hex digits, dated when the environment starts
    const day = new Date(this.now()).toISOString().slice(0, 10).replaceAll('-', '/');
    const logStreamName = `${day}/[${version}]${randomUUID().replaceAll('-', '')}`;
    const worker = new Worker(ENVIRONMENT_BOOTSTRAP, {
      eval: true,
      // AWS: each environment knows its own log stream
      env: {
        ...this.config.environment,
        AWS_LAMBDA_LOG_GROUP_NAME: this.logGroupName,
        AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      },
      stdout: true,
      stderr: true,
      workerData: {
        file: this.file,
        exportName: this.exportName,
        functionName: this.config.functionName,
        functionArn: this.config.functionArn,
        functionVersion: this.config.version ?? '$LATEST',
        memorySize: this.config.memorySize,
        codeDirectory: path.resolve(this.config.codeDirectory),
        logGroupName: this.logGroupName,
        logStreamName,
      },
      resourceLimits: { maxOldGenerationSizeMb: Math.max(64, this.config.memorySize) },
    });
    const environment: ExecutionEnvironment = { worker, logStreamName, busy: false };
    const destination: FunctionLogDestination = { logGroupName: this.logGroupName, logStreamName };
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      worker[stream].setEncoding('utf8');
      worker[stream].on('data', (chunk: string) => {
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          let line = pending.slice(0, newline);
          let where = destination;
          const tab = line.startsWith(CONSOLE_MARK) ? line.indexOf('\t') : -1;
          if (tab > 0) {
            where = { ...destination, level: line.slice(CONSOLE_MARK.length, tab) };
            line = line.slice(tab + 1);
          }
          this.onLog(
            {
              functionName: this.config.functionName,
              requestId: environment.currentRequestId,
              stream,
              line,
            },
            where,
          );
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      });
    }
    worker.unref();
    this.environments.push(environment);
    return environment;
  }

  private discard(environment: ExecutionEnvironment): void {
    const i = this.environments.indexOf(environment);
    if (i >= 0) this.environments.splice(i, 1);
    void environment.worker.terminate();
  }

  /** Environments alive now (warm or busy). */
  get size(): number {
    return this.environments.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const resolve of this.waiting.splice(0)) resolve();
    await Promise.all(this.environments.splice(0).map((e) => e.worker.terminate()));
  }
}

/** Node.js runtimes Lambda offers that run here on this machine's Node. */
const NODE_RUNTIME = /^nodejs(\d+)\.x$/;

/** The Node.js major version of a Lambda runtime (`nodejs24.x` → 24), or undefined for any other runtime. */
export function nodeRuntimeMajor(runtime: string): number | undefined {
  const match = NODE_RUNTIME.exec(runtime);
  return match ? Number(match[1]) : undefined;
}

/** Where function output goes unless told otherwise: this process's stdout or stderr, with the function name. */
export function printFunctionLog(l: FunctionLogLine): void {
  (l.stream === 'stderr' ? process.stderr : process.stdout).write(`[${l.functionName}] ${l.line}\n`);
}

/** The function runtimes of one emulator: one pool of execution environments per function. */
export class FunctionRuntime {
  private readonly pools = new Map<string, FunctionPool>();
  private readonly onLog: (line: FunctionLogLine, destination?: FunctionLogDestination) => void;
  private readonly onInvocation?: (event: InvocationLogEvent) => void;
  private readonly now: () => number;
  private active = 0;

  constructor(options: FunctionRuntimeOptions = {}) {
    this.onLog = options.onLog ?? printFunctionLog;
    this.onInvocation = options.onInvocation;
    this.now = options.now ?? Date.now;
  }

  /**
   * Adds (or replaces) a function under `key` (its name, or `name:version`); fails at once when its runtime
   * cannot run here, or (unless `lenient`) when its handler's file is missing. AWS accepts a handler whose file
   * is missing and fails the invocations (Runtime.ImportModuleError), which is what `lenient` does. Invocations
   * in flight on the replaced code finish on it.
   */
  async define(config: FunctionConfiguration, key = config.functionName, lenient = false): Promise<void> {
    if (nodeRuntimeMajor(config.runtime) === undefined) {
      throw new FunctionConfigurationError(
        config.functionName,
        `runtime ${config.runtime} cannot run locally (Node.js runtimes only)`,
      );
    }
    const dot = config.handler.lastIndexOf('.');
    if (dot <= 0)
      throw new FunctionConfigurationError(
        config.functionName,
        `Handler '${config.handler}' is not of the form file.export`,
      );
    const base = path.join(config.codeDirectory, config.handler.slice(0, dot));
    const file =
      ['.js', '.cjs', '.mjs', '']
        .map((ext) => base + ext)
        .find((f) => existsSync(f) && !f.endsWith(path.sep)) ?? (lenient ? `${base}.js` : undefined);
    if (!file)
      throw new FunctionConfigurationError(
        config.functionName,
        `no file for Handler '${config.handler}' in ${config.codeDirectory}`,
      );
    this.pools.get(key)?.retire();
    this.pools.set(
      key,
      new FunctionPool(config, file, config.handler.slice(dot + 1), this.onLog, this.onInvocation, this.now),
    );
  }

  /** Removes a function (or one version): invocations in flight finish, later ones find nothing. */
  remove(key: string): void {
    this.pools.get(key)?.retire();
    this.pools.delete(key);
  }

  has(functionName: string): boolean {
    return this.pools.has(functionName);
  }

  configuration(functionName: string): FunctionConfiguration | undefined {
    return this.pools.get(functionName)?.config;
  }

  /** Runs one invocation, waiting for a free execution environment when the concurrency limit is reached. */
  async invoke(key: string, event: unknown, requestId: string = randomUUID()): Promise<InvocationResult> {
    this.active++;
    try {
      for (;;) {
        const pool = this.pools.get(key);
        if (!pool) throw new Error(`Function not found: ${key}`);
        try {
          return await pool.invoke(event, requestId);
        } catch (error) {
          // the code was replaced while this invocation waited for an environment: run it on the new code
          if (!(error instanceof PoolRetired)) throw error;
        }
      }
    } finally {
      this.active--;
    }
  }

  /** Invocations running or waiting for an environment (the control API lets them end before time moves on). */
  get running(): number {
    return this.active;
  }

  /** Execution environments alive for a function (warm ones included). */
  environments(functionName: string): number {
    return this.pools.get(functionName)?.size ?? 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}
