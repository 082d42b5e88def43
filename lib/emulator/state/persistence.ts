/**
 * `--state-dir DIR`: the emulator's state survives restarts, `kill -9` included. Opened (and read) before the
 * emulator listens; restored once its endpoint is known, before it serves a request; from then on every answer
 * waits until the changes it made are durable (group commit, see journal.ts).
 */
import type { AutoScalingService } from '../autoscaling/service';
import type { Clock } from '../clock';
import type { CloudFormationService } from '../cloudformation/service';
import type { CloudWatchService } from '../cloudwatch/service';
import type { LambdaService } from '../lambda/service';
import type { LogsService } from '../logs/service';
import type { S3Service } from '../s3/service';
import type { SnsService } from '../sns/service';
import type { SqsService } from '../sqs/service';
import type { SsmService } from '../ssm/service';
import { AutoScalingRecorder, restoreAutoScaling } from './autoscaling-state';
import { CloudFormationRecorder, restoreCloudFormation } from './cloudformation-state';
import { CloudWatchRecorder, restoreCloudWatch } from './cloudwatch-state';
import { Journal } from './journal';
import { LambdaRecorder, type LambdaRestorePlan, restoreLambda, unpackLambda } from './lambda-state';
import { LogsRecorder, restoreLogs } from './logs-state';
import { restoreS3, S3Recorder } from './s3-state';
import { restoreSns, SnsRecorder } from './sns-state';
import { restoreSqs, SqsRecorder } from './sqs-state';
import { restoreSsm, SsmRecorder } from './ssm-state';
import {
  checkStateDirectory,
  openStateDirectory,
  releaseLock,
  StateDirectoryError,
  type StateRecord,
  type StoredState,
} from './state-directory';

export { checkStateDirectory, StateDirectoryError };

/** The services whose records this version writes; any other is damage (another version is refused earlier). */
const KNOWN_SERVICES = new Set([
  'autoscaling',
  'cloudformation',
  'cloudwatch',
  'emulator',
  'lambda',
  'logs',
  's3',
  'sns',
  'sqs',
  'ssm',
]);

/** What is persisted (see the Persistence section of docs/emulator.md for what is not). */
export interface PersistedServices {
  readonly clock: Clock;
  readonly sqs: SqsService;
  readonly sns: SnsService;
  readonly ssm: SsmService;
  readonly s3: S3Service;
  readonly cloudformation: CloudFormationService;
  readonly cloudwatch: CloudWatchService;
  readonly logs: LogsService;
  /** Its kept code must have been unpacked first (`unpack`). */
  readonly lambda: LambdaService;
  readonly autoscaling: AutoScalingService;
  /** `http://HOST:PORT` of this run: restored queue URLs use it. */
  readonly endpoint: string;
}

export interface PersistenceOptions {
  /** A snapshot starts a new journal past this size. @default 16 MiB */
  readonly snapshotAfterBytes?: number;
}

export class Persistence {
  readonly directory: string;
  /** Bytes of a torn last journal record dropped on opening (a write cut by a crash, never acknowledged). */
  readonly droppedBytes: number;
  private journal: Journal | undefined;
  private stored: StoredState | undefined;
  private lambdaPlan: LambdaRestorePlan | undefined;

  private constructor(
    private readonly given: string,
    stored: StoredState,
    private readonly options: PersistenceOptions,
  ) {
    this.directory = stored.directory;
    this.droppedBytes = stored.tornBytes;
    this.stored = stored;
  }

  /** Opens and reads DIR; throws StateDirectoryError (naming DIR and what to do) when it cannot be used. */
  static open(directory: string, options: PersistenceOptions = {}): Persistence {
    try {
      return new Persistence(directory, openStateDirectory(directory), options);
    } catch (error) {
      throw unusable(directory, error);
    }
  }

  /**
   * Unpacks the kept Lambda code into `lambda`'s directories: asynchronous, so before the emulator listens (the
   * restore after it is synchronous). Throws StateDirectoryError when a kept file is missing or unreadable.
   */
  async unpack(lambda: LambdaService): Promise<void> {
    const stored = this.stored as StoredState;
    try {
      this.lambdaPlan = await unpackLambda(stored.records, stored.directory, lambda);
    } catch (error) {
      throw new StateDirectoryError(
        `--state-dir ${this.given}: the Lambda code could not be restored (${(error as Error).message}); ` +
          'the directory is damaged: delete it to start afresh (its state is lost)',
      );
    }
  }

  /** Puts the persisted state into the (empty) services and starts journaling their changes. Synchronous. */
  restore(services: PersistedServices): void {
    const stored = this.stored as StoredState;
    this.stored = undefined;
    let journal: Journal;
    try {
      journal = new Journal({
        directory: stored.directory,
        generation: stored.generation,
        journalBytes: stored.journalBytes,
        snapshotAfterBytes: this.options.snapshotAfterBytes,
        onFailure: (error) =>
          console.error(
            `emulator: cannot write to --state-dir ${this.given} (${error.message}); changes are no longer saved`,
          ),
      });
    } catch (error) {
      throw unusable(this.given, error);
    }
    const sqs = new SqsRecorder(services.sqs, () => journal.changed());
    const ssm = new SsmRecorder(services.ssm, () => journal.changed());
    const sns = new SnsRecorder(services.sns, () => journal.changed());
    const s3 = new S3Recorder(services.s3, stored.directory, () => journal.changed());
    const cloudformation = new CloudFormationRecorder(services.cloudformation, () => journal.changed());
    const cloudwatch = new CloudWatchRecorder(services.cloudwatch, () => journal.changed());
    const logs = new LogsRecorder(services.logs, () => journal.changed());
    const lambda = new LambdaRecorder(services.lambda, stored.directory, () => journal.changed());
    const autoscaling = new AutoScalingRecorder(services.autoscaling, () => journal.changed());
    try {
      const unknown = stored.records.find((record) => !KNOWN_SERVICES.has(record.svc));
      if (unknown) throw new Error(`unknown service '${unknown.svc}'`);
      restoreClock(stored.records, services.clock);
      restoreSqs(stored.records, services.sqs, services.endpoint, sqs);
      restoreSsm(stored.records, services.ssm);
      restoreSns(stored.records, services.sns);
      restoreS3(stored.records, services.s3, s3);
      // after SQS, before CloudFormation: a stack keeps the functions and mappings Lambda holds again
      if (!this.lambdaPlan && stored.records.some((r) => r.svc === 'lambda')) {
        throw new Error('the Lambda code was not unpacked before the restore');
      }
      if (this.lambdaPlan) restoreLambda(this.lambdaPlan, services.lambda, lambda);
      this.lambdaPlan = undefined;
      restoreCloudFormation(stored.records, services.cloudformation, (type, id) =>
        lambdaHolds(services.lambda, type, id),
      );
      restoreCloudWatch(stored.records, services.cloudwatch);
      restoreLogs(stored.records, services.logs);
      // after CloudWatch: the target tracking policies' alarms are back
      restoreAutoScaling(stored.records, services.autoscaling, autoscaling);
    } catch (error) {
      throw new StateDirectoryError(
        `--state-dir ${this.given}: a record could not be restored (${(error as Error).message}); ` +
          'the directory is damaged: delete it to start afresh (its state is lost)',
      );
    }
    journal.addSource(clockSource(services.clock));
    journal.addSource(sqs);
    journal.addSource(ssm);
    journal.addSource(sns);
    journal.addSource(s3);
    journal.addSource(cloudformation);
    journal.addSource(cloudwatch);
    journal.addSource(logs);
    journal.addSource(lambda);
    journal.addSource(autoscaling);
    services.sqs.persistTo(sqs);
    services.ssm.persistTo(ssm);
    services.sns.persistTo(sns);
    services.s3.persistTo(s3);
    services.cloudformation.persistTo(cloudformation);
    services.cloudwatch.persistTo(cloudwatch);
    services.cloudwatch.store.listener = cloudwatch;
    services.logs.persistTo(logs);
    services.lambda.persistTo(lambda);
    services.autoscaling.persistTo(autoscaling);
    this.journal = journal;
  }

  /**
   * Resolves when every change made so far is durable; undefined when none is pending (the hot path of a read).
   * The server sends an answer only after this.
   */
  commit(): Promise<void> | undefined {
    return this.journal?.commit();
  }

  /** Writes the whole current state as a new snapshot (after a reset, so the journal restarts from it). */
  rewrite(): Promise<void> {
    return this.journal?.rewrite() ?? Promise.resolve();
  }

  /** Writes what is pending, closes the journal and releases the directory. */
  async close(): Promise<void> {
    await this.journal?.close();
    releaseLock(this.directory);
  }
}

/** Whether Lambda holds a stack's Lambda resource again (other types: their services restore them all). */
function lambdaHolds(lambda: LambdaService, type: string, physicalId: string): boolean {
  if (type === 'AWS::Lambda::Function') return lambda.functionState(physicalId) !== undefined;
  if (type === 'AWS::Lambda::EventSourceMapping') return lambda.mappingState(physicalId) !== undefined;
  // an EventInvokeConfig's id is `function:qualifier`: it is applied again with a function created again
  if (type === 'AWS::Lambda::EventInvokeConfig') {
    return lambda.functionState(physicalId.split(':')[0]) !== undefined;
  }
  return true;
}

/** A file-system error (not a directory, no permission, a full disk) as the refusal naming the directory. */
function unusable(directory: string, error: unknown): StateDirectoryError {
  if (error instanceof StateDirectoryError) return error;
  return new StateDirectoryError(`--state-dir ${directory}: cannot use it (${(error as Error).message})`);
}

/**
 * The clock's time with each batch: a manual clock moved forward before a restart starts there again, so
 * deadlines keep their distance (a real clock is simply where it is).
 */
function clockSource(clock: Clock) {
  let written: number | undefined;
  const record = (): StateRecord => ({
    svc: 'emulator',
    kind: 'clock',
    key: [],
    value: { now: clock.now() },
  });
  return {
    drain(out: StateRecord[]) {
      const now = clock.now();
      if (now === written) return;
      written = now;
      out.push(record());
    },
    snapshot(out: StateRecord[]) {
      written = clock.now();
      out.push(record());
    },
  };
}

function restoreClock(records: readonly StateRecord[], clock: Clock): void {
  let last: number | undefined;
  for (const record of records) {
    if (record.svc === 'emulator' && record.kind === 'clock') last = (record.value as { now: number }).now;
  }
  const movable = clock as Clock & { advanceTo?: (ms: number) => void };
  if (last !== undefined && typeof movable.advanceTo === 'function' && clock.now() < last) {
    movable.advanceTo(last);
  }
}
