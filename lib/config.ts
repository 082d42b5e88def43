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
}

/** Raw context values as `cdk -c key=value` or cdk.json give them (strings on the command line). */
export type ConfigContext = Readonly<Record<string, unknown>>;

/** The context keys {@link loadStageConfig} reads. */
export const CONFIG_KEYS = {
  stage: 'stage',
  queueRetentionDays: 'queueRetentionDays',
  allowQueuePurge: 'allowQueuePurge',
} as const;

const STAGE_DEFAULTS: Record<Stage, Omit<StageConfig, 'stage'>> = {
  sandbox: {
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    allowQueuePurge: true,
    queueRetention: Duration.days(4),
    deadLetterRetention: Duration.days(14),
    logRetention: RetentionDays.ONE_WEEK,
    accessLogRetention: Duration.days(7),
  },
  dev: {
    removalPolicy: RemovalPolicy.DESTROY,
    autoDeleteObjects: true,
    allowQueuePurge: true,
    queueRetention: Duration.days(4),
    deadLetterRetention: Duration.days(14),
    logRetention: RetentionDays.ONE_MONTH,
    accessLogRetention: Duration.days(30),
  },
  prod: {
    removalPolicy: RemovalPolicy.RETAIN,
    autoDeleteObjects: false,
    allowQueuePurge: false,
    queueRetention: Duration.days(4),
    deadLetterRetention: Duration.days(14),
    logRetention: RetentionDays.ONE_YEAR,
    accessLogRetention: Duration.days(365),
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

  problems.throwIfAny('Stage configuration');
  if (stage === undefined) throw new Error('unreachable: an unknown stage is always a problem');
  return { ...defaults, stage, queueRetention, allowQueuePurge };
}

function parseBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}
