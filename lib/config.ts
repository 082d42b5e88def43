import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Problems } from './validation';

/** The deployment stages the app knows. */
export const STAGES = ['sandbox', 'dev', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** Everything that differs between stages, decided once and passed to the stacks. */
export interface StageConfig {
  /** The stage name, also used as a tag on every resource. */
  readonly stage: Stage;
  /** What CloudFormation does with stateful resources (queues, buckets, keys) when the stack goes. */
  readonly removalPolicy: RemovalPolicy;
  /** Whether deleting the stack empties and deletes the buckets (never where data is retained). */
  readonly autoDeleteObjects: boolean;
  /** Whether `PurgeQueue` is allowed; when false, queue policies deny it to every principal. */
  readonly allowQueuePurge: boolean;
  /** How long source queues keep a message. */
  readonly queueRetention: Duration;
  /** How long dead-letter queues keep a message: always longer than the source queues. */
  readonly deadLetterRetention: Duration;
  /** How long Lambda log groups keep their events. */
  readonly logRetention: RetentionDays;
  /** How long server access logs are kept in the log bucket. */
  readonly accessLogRetention: Duration;
  /** The worker fleet of chapter 4: how it scales and where it runs. */
  readonly workerFleet: WorkerFleetConfig;
  /** The clickstream of chapter 5: the Kinesis stream's capacity mode and retention. */
  readonly streams: StreamsConfig;
}

/** The Kinesis stream's settings (context keys `stream*`). */
export interface StreamsConfig {
  /** `streamMode`: `on-demand` (AWS scales it) or `provisioned` (a fixed number of shards). */
  readonly mode: 'on-demand' | 'provisioned';
  /** `streamShardCount`: provisioned mode's shards (1 to 500). */
  readonly shardCount: number;
  /** `streamRetentionHours`: how long records stay readable (24 to 8,760 hours). */
  readonly retention: Duration;
}

/** How the worker fleet follows its queue: step scaling on the backlog, or target tracking on backlog per instance. */
export const WORKER_SCALING_MODES = ['step', 'target-tracking'] as const;
export type WorkerScalingMode = (typeof WORKER_SCALING_MODES)[number];

/** The worker fleet's settings (context keys `worker*`). */
export interface WorkerFleetConfig {
  /** `workerScaling`: step scaling from backlog alarms, or target tracking on backlog per instance. */
  readonly scaling: WorkerScalingMode;
  /** `workerMaxInstances`: the largest the fleet may grow (it never goes below 1). */
  readonly maxInstances: number;
  /** `workerAcceptableLatencySeconds`: how long a job may wait in the queue (target tracking). */
  readonly acceptableLatency: Duration;
  /** `workerSecondsPerJob`: how long one worker takes per job (target tracking). */
  readonly timePerJob: Duration;
  /** `workerVpcId` and `workerSubnetIds`: an existing VPC and its private subnets. @default a new small VPC */
  readonly vpc?: { readonly vpcId: string; readonly subnetIds: readonly string[] };
}

/** Limits of the worker fleet settings. */
export const WORKER_FLEET_LIMITS = {
  /** Kept small: a sandbox account's default On-Demand vCPU quota is low. */
  maxInstances: { min: 1, max: 20 },
  /** AWS: a message may stay in flight 12 hours at most, so no longer latency or job time makes sense. */
  seconds: { min: 1, max: 43_200 },
} as const;

/** Raw context values as `cdk -c key=value` or cdk.json give them (strings on the command line). */
export type ConfigContext = Readonly<Record<string, unknown>>;

/** The context keys {@link loadStageConfig} reads. */
export const CONFIG_KEYS = {
  stage: 'stage',
  queueRetentionDays: 'queueRetentionDays',
  allowQueuePurge: 'allowQueuePurge',
  workerScaling: 'workerScaling',
  workerMaxInstances: 'workerMaxInstances',
  workerAcceptableLatencySeconds: 'workerAcceptableLatencySeconds',
  workerSecondsPerJob: 'workerSecondsPerJob',
  workerVpcId: 'workerVpcId',
  workerSubnetIds: 'workerSubnetIds',
  streamMode: 'streamMode',
  streamShardCount: 'streamShardCount',
  streamRetentionHours: 'streamRetentionHours',
} as const;

/** Every stage: an on-demand stream keeping records AWS's default 24 hours (2 shards when provisioned). */
const STREAMS_DEFAULTS: StreamsConfig = { mode: 'on-demand', shardCount: 2, retention: Duration.hours(24) };

/** Step scaling; a 5-minute acceptable latency at 6 s per job: a target of 50 jobs waiting per instance. */
function workerFleetDefaults(maxInstances: number): WorkerFleetConfig {
  return {
    scaling: 'step',
    maxInstances,
    acceptableLatency: Duration.minutes(5),
    timePerJob: Duration.seconds(6),
  };
}

const STAGE_DEFAULTS: Record<Stage, Omit<StageConfig, 'stage'>> = {
  sandbox: {
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    allowQueuePurge: true,
    queueRetention: Duration.days(4),
    deadLetterRetention: Duration.days(14),
    logRetention: RetentionDays.ONE_WEEK,
    accessLogRetention: Duration.days(7),
    workerFleet: workerFleetDefaults(4),
    streams: STREAMS_DEFAULTS,
  },
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    allowQueuePurge: true,
    queueRetention: Duration.days(4),
    deadLetterRetention: Duration.days(14),
    logRetention: RetentionDays.ONE_MONTH,
    accessLogRetention: Duration.days(30),
    workerFleet: workerFleetDefaults(4),
    streams: STREAMS_DEFAULTS,
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    autoDeleteObjects: false,
    allowQueuePurge: false,
    queueRetention: Duration.days(4),
    deadLetterRetention: Duration.days(14),
    logRetention: RetentionDays.ONE_YEAR,
    accessLogRetention: Duration.days(365),
    workerFleet: workerFleetDefaults(10),
    streams: STREAMS_DEFAULTS,
  },
};

/** AWS: SQS keeps a message at most 14 days. */
const MAX_RETENTION_DAYS = 14;

/**
 * Builds the stage configuration from CDK context (`-c stage=prod -c queueRetentionDays=2`).
 * Every problem is collected first and reported together in one ValidationError.
 */
export function loadStageConfig(context: ConfigContext): StageConfig {
  const problems = new Problems();

  const rawStage = context[CONFIG_KEYS.stage] ?? 'sandbox';
  const stage = STAGES.find((s) => s === rawStage);
  if (stage === undefined) {
    problems.add(`stage must be one of ${STAGES.join(', ')}, but ${JSON.stringify(rawStage)} was provided`);
  }
  const defaults = STAGE_DEFAULTS[stage ?? 'sandbox'];

  let queueRetention = defaults.queueRetention;
  const rawRetention = context[CONFIG_KEYS.queueRetentionDays];
  if (rawRetention !== undefined) {
    const days = Number(rawRetention);
    if (!Number.isInteger(days) || days < 1 || days >= MAX_RETENTION_DAYS) {
      problems.add(
        `queueRetentionDays must be a whole number from 1 to ${MAX_RETENTION_DAYS - 1} (shorter than the ${MAX_RETENTION_DAYS}-day dead-letter retention), but ${JSON.stringify(rawRetention)} was provided`,
      );
    } else {
      queueRetention = Duration.days(days);
    }
  }

  let allowQueuePurge = defaults.allowQueuePurge;
  const rawPurge = context[CONFIG_KEYS.allowQueuePurge];
  if (rawPurge !== undefined) {
    const parsed = parseBoolean(rawPurge);
    if (parsed === undefined) {
      problems.add(`allowQueuePurge must be true or false, but ${JSON.stringify(rawPurge)} was provided`);
    } else if (parsed && stage === 'prod') {
      problems.add('allowQueuePurge cannot be true in prod: purging would destroy production messages');
    } else {
      allowQueuePurge = parsed;
    }
  }

  const workerFleet = readWorkerFleetConfig(context, defaults.workerFleet, problems);
  const streams = readStreamsConfig(context, defaults.streams, problems);

  problems.throwIfAny('Stage configuration');
  if (stage === undefined) throw new Error('unreachable: an unknown stage is always a problem');
  return { ...defaults, stage, queueRetention, allowQueuePurge, workerFleet, streams };
}

function readStreamsConfig(
  context: ConfigContext,
  defaults: StreamsConfig,
  problems: Problems,
): StreamsConfig {
  const k = CONFIG_KEYS;
  const rawMode = context[k.streamMode];
  const mode =
    rawMode === undefined
      ? defaults.mode
      : (['on-demand', 'provisioned'] as const).find((m) => m === rawMode);
  if (mode === undefined) {
    problems.add(
      `${k.streamMode} must be one of on-demand, provisioned, but ${JSON.stringify(rawMode)} was provided`,
    );
  }
  const whole = (key: string, fallback: number, min: number, max: number): number => {
    const raw = context[key];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw === '' || !Number.isInteger(value) || value < min || value > max) {
      problems.add(
        `${key} must be a whole number from ${min} to ${max.toLocaleString('en-US')}, but ${JSON.stringify(raw)} was provided`,
      );
      return fallback;
    }
    return value;
  };
  const shardCount = whole(k.streamShardCount, defaults.shardCount, 1, 500);
  problems.check(
    context[k.streamShardCount] !== undefined && (mode ?? defaults.mode) !== 'provisioned',
    () => `${k.streamShardCount} is for ${k.streamMode}=provisioned only: an on-demand stream sizes itself`,
  );
  // AWS: a stream keeps records 24 hours to 365 days
  const hours = whole(k.streamRetentionHours, defaults.retention.toHours(), 24, 8_760);
  return { mode: mode ?? defaults.mode, shardCount, retention: Duration.hours(hours) };
}

const VPC_ID = /^vpc-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;
const SUBNET_ID = /^subnet-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

function readWorkerFleetConfig(
  context: ConfigContext,
  defaults: WorkerFleetConfig,
  problems: Problems,
): WorkerFleetConfig {
  const k = CONFIG_KEYS;
  const rawScaling = context[k.workerScaling];
  const scaling =
    rawScaling === undefined ? defaults.scaling : WORKER_SCALING_MODES.find((m) => m === rawScaling);
  if (scaling === undefined) {
    problems.add(
      `${k.workerScaling} must be one of ${WORKER_SCALING_MODES.join(', ')}, but ${JSON.stringify(rawScaling)} was provided`,
    );
  }
  const whole = (key: string, fallback: number, min: number, max: number): number => {
    const raw = context[key];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (raw === '' || !Number.isInteger(value) || value < min || value > max) {
      problems.add(
        `${key} must be a whole number from ${min} to ${max}, but ${JSON.stringify(raw)} was provided`,
      );
      return fallback;
    }
    return value;
  };
  const l = WORKER_FLEET_LIMITS;
  const maxInstances = whole(
    k.workerMaxInstances,
    defaults.maxInstances,
    l.maxInstances.min,
    l.maxInstances.max,
  );
  const latency = whole(
    k.workerAcceptableLatencySeconds,
    defaults.acceptableLatency.toSeconds(),
    l.seconds.min,
    l.seconds.max,
  );
  const perJob = whole(k.workerSecondsPerJob, defaults.timePerJob.toSeconds(), l.seconds.min, l.seconds.max);
  problems.check(
    latency < perJob,
    () =>
      `${k.workerAcceptableLatencySeconds} (${latency}) must be at least ${k.workerSecondsPerJob} (${perJob}): the target backlog per instance is their ratio and cannot be below 1`,
  );

  const rawVpc = context[k.workerVpcId];
  const rawSubnets = context[k.workerSubnetIds];
  let vpc: WorkerFleetConfig['vpc'];
  if (rawVpc !== undefined || rawSubnets !== undefined) {
    const subnetIds = (Array.isArray(rawSubnets) ? rawSubnets : String(rawSubnets ?? '').split(','))
      .map((s) => String(s).trim())
      .filter((s) => s !== '');
    if (rawVpc === undefined || rawSubnets === undefined) {
      problems.add(
        `${k.workerVpcId} and ${k.workerSubnetIds} go together: give the VPC and its private subnets, or neither for a new VPC`,
      );
    }
    if (rawVpc !== undefined && !VPC_ID.test(String(rawVpc))) {
      problems.add(
        `${k.workerVpcId} must look like vpc-0123456789abcdef0, but ${JSON.stringify(rawVpc)} was provided`,
      );
    }
    const badSubnets = subnetIds.filter((s) => !SUBNET_ID.test(s));
    if (rawSubnets !== undefined && (subnetIds.length === 0 || badSubnets.length > 0)) {
      problems.add(
        `${k.workerSubnetIds} must be a comma-separated list of subnet ids like subnet-0123456789abcdef0, but ${JSON.stringify(rawSubnets)} was provided`,
      );
    }
    vpc = { vpcId: String(rawVpc), subnetIds };
  }
  return {
    scaling: scaling ?? defaults.scaling,
    maxInstances,
    acceptableLatency: Duration.seconds(latency),
    timePerJob: Duration.seconds(perJob),
    ...(vpc ? { vpc } : {}),
  };
}

function parseBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}
