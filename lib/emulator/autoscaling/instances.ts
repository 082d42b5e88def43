/**
 * Local instances of an Auto Scaling group: what runs when the group launches one, and how it is told to stop.
 * A launcher starts the worker code either in this process (on the emulator's clock, for tests that drive time)
 * or as a child process running the synthesized asset (local mode, on the system clock). Termination sends the
 * shutdown signal (SIGTERM semantics) and, if the instance has not exited by the end of its grace, powers it off.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock } from '../clock';
import { EmulatorInstanceClock, RequestTracker } from './instance-runtime';

/** What a launcher is told about the instance it starts. */
export interface InstanceLaunch {
  readonly instanceId: string;
  readonly groupName: string;
}

/** A running local instance, as its group sees it. */
export interface LocalInstance {
  /** The shutdown signal (SIGTERM): resolves once the instance's code has exited. */
  stop(): Promise<void>;
  /** Power off at once (SIGKILL): the code gets no chance to release what it holds. */
  kill(): void;
}

/** Starts the code of a group's instances. */
export interface InstanceLauncher {
  launch(launch: InstanceLaunch): LocalInstance;
}

/** One line an instance printed. */
export interface InstanceLogLine {
  readonly instanceId: string;
  readonly stream: 'stdout' | 'stderr';
  readonly line: string;
}

// ----- in-process --------------------------------------------------------------------------------------------

/** Worker code running in this process: `run` until `stop`. */
export interface InProcessWorker {
  run(): Promise<unknown>;
  stop(): Promise<unknown>;
}

/** What in-process worker code is given. */
export interface InProcessInstanceContext {
  readonly instanceId: string;
  /** The instance's time: the emulator's clock. */
  readonly clock: EmulatorInstanceClock;
  /** Observe every AWS SDK client of the instance with this: its requests are counted, and cut at power-off. */
  readonly requests: RequestTracker;
}

/**
 * Instances whose worker runs in this process, on the emulator's clock, so a test decides when time passes.
 * Its `trackers` say when every instance is waiting on the clock (see test/helpers/local-workers.ts).
 */
export class InProcessInstanceLauncher implements InstanceLauncher {
  private readonly live = new Set<RequestTracker>();

  constructor(
    private readonly clock: Clock,
    private readonly create: (context: InProcessInstanceContext) => InProcessWorker,
  ) {}

  launch({ instanceId }: InstanceLaunch): LocalInstance {
    const requests = new RequestTracker();
    const worker = this.create({ instanceId, clock: new EmulatorInstanceClock(this.clock), requests });
    this.live.add(requests);
    const running = worker.run().catch((error: unknown) => {
      console.error(`emulator: local instance ${instanceId} failed`, error);
    });
    let stopped: Promise<void> | undefined;
    const forget = () => {
      // keep counting the instance until its last request is over
      if (requests.inFlight === 0) this.live.delete(requests);
      else setImmediate(forget);
    };
    return {
      stop: () => {
        stopped ??= worker
          .stop()
          .then(() => running)
          .then(forget, forget);
        return stopped;
      },
      kill: () => {
        requests.sever();
        // the code still winds down, but none of its requests reach AWS any more
        void worker
          .stop()
          .then(() => running)
          .then(forget, forget);
      },
    };
  }

  /** The request trackers of instances that may still have requests in flight. */
  get trackers(): RequestTracker[] {
    return [...this.live];
  }
}

// ----- child process -----------------------------------------------------------------------------------------

export interface ProcessInstanceOptions {
  /** Where the instance's code lies (the unpacked asset); the command runs there. */
  readonly directory: string;
  /** Arguments of `command`, e.g. `['--enable-source-maps', 'index.js']`. */
  readonly args: readonly string[];
  /** The executable. @default this Node.js (`process.execPath`) */
  readonly command?: string;
  /** The instance's environment (the template's plus the emulator endpoint, region and credentials). */
  readonly environment: Readonly<Record<string, string>>;
  /** Receives each line the instances print. @default print it prefixed with the instance id */
  readonly onLog?: (line: InstanceLogLine) => void;
  /** The instance's own credentials (its instance profile's role session, `--iam`), over those in `environment`. */
  readonly credentials?: (instanceId: string) => Readonly<Record<string, string>> | undefined;
}

/** Instances as child processes running the synthesized asset, as user data runs it on EC2 (local mode). */
export class ProcessInstanceLauncher implements InstanceLauncher {
  private readonly onLog: (line: InstanceLogLine) => void;

  constructor(private readonly options: ProcessInstanceOptions) {
    this.onLog =
      options.onLog ??
      ((l) =>
        (l.stream === 'stderr' ? process.stderr : process.stdout).write(`[${l.instanceId}] ${l.line}\n`));
  }

  launch({ instanceId }: InstanceLaunch): LocalInstance {
    const child = spawn(this.options.command ?? process.execPath, [...this.options.args], {
      cwd: this.options.directory,
      // only what an instance would have: no credentials or settings leak in from this machine
      env: {
        PATH: process.env.PATH ?? '',
        ...this.options.environment,
        ...clockOf(this.options.environment),
        ...this.options.credentials?.(instanceId),
        INSTANCE_ID: instanceId,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.once('error', (error) => {
        this.onLog({ instanceId, stream: 'stderr', line: `could not start: ${error.message}` });
        resolve();
      });
    });
    this.forwardLines(child, instanceId);
    const running = () => child.exitCode === null && child.signalCode === null;
    return {
      stop: () => {
        if (running()) child.kill('SIGTERM');
        return exited;
      },
      kill: () => {
        if (running()) child.kill('SIGKILL');
      },
    };
  }

  private forwardLines(child: ChildProcess, instanceId: string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      child[stream]?.setEncoding('utf8');
      child[stream]?.on('data', (chunk: string) => {
        pending += chunk;
        let newline = pending.indexOf('\n');
        while (newline >= 0) {
          this.onLog({ instanceId, stream, line: pending.slice(0, newline) });
          pending = pending.slice(newline + 1);
          newline = pending.indexOf('\n');
        }
      });
      child[stream]?.on('end', () => {
        if (pending !== '') this.onLog({ instanceId, stream, line: pending });
        pending = '';
      });
    }
  }
}

/**
 * Where an instance reads the emulator's time (lambda/shared/emulator-clock.ts): its control API beside the
 * endpoint the instance is given, so a job's work and heartbeats follow `--clock manual` and `fast:N`.
 */
function clockOf(environment: Readonly<Record<string, string>>): Record<string, string> {
  const endpoint = environment.AWS_ENDPOINT_URL;
  return endpoint ? { EMULATOR_CLOCK_URL: `${endpoint.replace(/\/+$/, '')}/_emulator/clock` } : {};
}
